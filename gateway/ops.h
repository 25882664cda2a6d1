/*
 * ops.h - for operators: GET /metrics (Prometheus text format: messages by
 * channel, intent and language; outbox depth and age; sends, failures and
 * retries; the request latency histogram) and GET /readyz (200 when the
 * store answers and the service is not stopping; /healthz only says the
 * process serves).
 */
#ifndef GATEWAY_OPS_H
#define GATEWAY_OPS_H
#include <microhttpd.h>

#include "gateway/http.h"

enum MHD_Result	ops_metrics(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);
enum MHD_Result	ops_readyz(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);
#endif
