/*
 * registry.h - the upstream registry's upsert API:
 *   PUT /api/applications/{number}   Authorization: Bearer <registry.token>
 *   {"status": "approved", "decided_at": "2025-03-01", "payment_at": ...,
 *    "programme": ..., "phone": ..., "region": ..., "district": ...,
 *    "submitted_at": ...}
 * A changed status queues a notice to the applicant (bot/notices.h).
 */
#ifndef GATEWAY_REGISTRY_H
#define GATEWAY_REGISTRY_H
#include <microhttpd.h>

#include "gateway/http.h"

enum MHD_Result	registry_put(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);
#endif
