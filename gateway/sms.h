/*
 * sms.h - the SMS routes beside Kannel's MO webhook:
 *   GET  /sms/dlr              Kannel's delivery reports (dlr-url)
 *   POST /sms/inbound          an HTTP aggregator's inbound SMS (JSON)
 *   POST /sms/aggregator/dlr   the aggregator's delivery reports (JSON)
 * Aggregator calls are signed: the configured header holds the hex
 * HMAC-SHA256 of the raw body under aggregator.secret ("sha256=" prefix
 * allowed), compared in constant time.
 */
#ifndef GATEWAY_SMS_H
#define GATEWAY_SMS_H
#include <microhttpd.h>

#include "gateway/http.h"

enum MHD_Result	sms_dlr(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);
enum MHD_Result	sms_inbound(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);
enum MHD_Result	sms_aggregator_dlr(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);
#endif
