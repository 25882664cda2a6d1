/*
 * kannel.h - the Kannel sms-service webhook.  Kannel calls GET /sms/kannel
 * (get-url with from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C...) or
 * POST /sms/kannel (post-url: the text is the body, the sender in
 * X-Kannel-From).  The reply goes back in the response body as
 * text/plain; charset=utf-8, with X-Kannel-Coding: 2 whenever it is not
 * pure GSM 03.38, or Kannel would turn Cyrillic into '?'.
 * See ../shared/kannel/README.md sections 2 and 3.
 */
#ifndef GATEWAY_KANNEL_H
#define GATEWAY_KANNEL_H
#include <microhttpd.h>

#include "gateway/http.h"

enum MHD_Result	kannel_handle(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);

/*
 * Normalise a sender number to E.164 in out (size >= 17): "+998901234567",
 * "998901234567", "901234567" (a local Uzbek number).  -1 when it is not a
 * phone number.
 */
int		kannel_phone(const char *in, char *out, size_t outlen);
#endif
