/*
 * api.h - the help desk over HTTP: the JSON API under /api/ (documented in
 * docs/api.md) and its static pages from web.dir (gateway/web/).
 * Sessions live in an HttpOnly, SameSite=Strict cookie; every POST but the
 * login carries the session's X-CSRF-Token; a cross-site Origin is refused.
 * Every staff action is audited.
 */
#ifndef GATEWAY_API_H
#define GATEWAY_API_H
#include <microhttpd.h>

#include "gateway/http.h"

/* Route /api/ (prefix). */
enum MHD_Result	api_handle(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);
/* Route / (prefix): the static files; GET and HEAD. */
enum MHD_Result	web_handle(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);
#endif
