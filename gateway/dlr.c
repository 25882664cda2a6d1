/*
 * dlr.c - recording a delivery report, for every provider (see dlr.h).
 * Reading each provider's report is in its own file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"
#include "gateway/dlr.h"
#include "gateway/server.h"
#include "store/sms.h"

enum MHD_Result
dlr_ok(struct MHD_Connection *conn)
{
	return http_reply(conn, MHD_HTTP_OK, "text/plain; charset=utf-8",
	    "ok\n", 3);
}

long long
dlr_msgid(const char *s)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v > 0 ? v : -1;
}

enum MHD_Result
dlr_record(struct server *s, struct MHD_Connection *conn, struct req *r,
    long long msgid, const char *provider, const char *type,
    const char *delivery, const char *detail, int retry)
{
	enum mj_err	rc;

	rc = store_delivery_report(bot_store(server_bot(s)), msgid, provider,
	    type, delivery, detail, retry, (int64_t)time(NULL));
	if (rc == MJ_ENOTFOUND) {
		log_warn("sms.dlr_unknown", "req=%s provider=%s msgid=%lld",
		    r->id, provider, msgid);
		/* Nothing to do; do not make them retry. */
		return dlr_ok(conn);
	}
	if (rc != MJ_OK)
		return http_fail(conn, rc, NULL);
	log_info("sms.dlr", "req=%s provider=%s msgid=%lld type=%s state=%s",
	    r->id, provider, msgid, type, delivery);
	return dlr_ok(conn);
}
