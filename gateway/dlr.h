/*
 * dlr.h - delivery reports, whichever provider sends them: the report is
 * matched to our own message id (each provider carries it in its own way,
 * see its file) and recorded on the message and its outbox row.
 */
#ifndef GATEWAY_DLR_H
#define GATEWAY_DLR_H
#include <microhttpd.h>

#include "gateway/http.h"

/* "123" -> 123; -1 unless a positive whole number. */
long long	dlr_msgid(const char *);

/*
 * Record a report of message msgid and answer the provider: 200 "ok" when
 * recorded, and also for a message we do not know (nothing to do; they
 * must not retry); else the table's status.  delivery: delivered, failed,
 * buffered or sent; type is the provider's own word, detail its text or
 * NULL; retry: the message is to be sent again.
 */
enum MHD_Result	dlr_record(struct server *, struct MHD_Connection *,
		    struct req *, long long msgid, const char *provider,
		    const char *type, const char *delivery,
		    const char *detail, int retry);

/* 200 "ok": a report taken, or one with nothing to match. */
enum MHD_Result	dlr_ok(struct MHD_Connection *);
#endif
