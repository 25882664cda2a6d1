/* registry.c - PUT /api/applications/{number}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "base/log.h"
#include "bot/notices.h"
#include "gateway/registry.h"
#include "gateway/server.h"

#define PREFIX	"/api/applications/"

/* "Bearer <token>", compared with the configured token. */
static int
token_ok(const char *want, const char *auth)
{
	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return 0;
	return http_secret_equal(want, auth + 7);
}

static enum MHD_Result
json_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	json_t		*j = json_pack("{s:s}", "error", msg);
	char		*s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	enum MHD_Result	 ret;

	ret = http_reply(conn, status, "application/json", s != NULL ? s :
	    "{}", s != NULL ? strlen(s) : 2);
	free(s);
	json_decref(j);
	return ret;
}

static const char *
field(json_t *j, const char *k)
{
	const char	*v = json_string_value(json_object_get(j, k));

	return v != NULL && *v != '\0' ? v : NULL;
}

enum MHD_Result
registry_put(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const struct conf	*c = server_conf(s);
	struct app_update	 u;
	struct notice_stats	 ns;
	json_error_t		 e;
	json_t			*j, *res;
	char			 err[256], *out;
	enum mj_err		 rc;
	enum MHD_Result		 ret;

	(void)method;
	if (c->registry_token[0] == '\0')
		return json_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "registry.token is not set");
	if (!token_ok(c->registry_token, http_header(conn,
	    MHD_HTTP_HEADER_AUTHORIZATION))) {
		log_warn("registry.auth", "req=%s result=refused", r->id);
		return json_error(conn, MHD_HTTP_UNAUTHORIZED, "unauthorized");
	}
	j = json_loadb(r->body != NULL ? r->body : "", r->len,
	    JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(j)) {
		json_decref(j);
		return json_error(conn, MHD_HTTP_BAD_REQUEST, "malformed JSON");
	}
	u = (struct app_update){ r->url + strlen(PREFIX), field(j, "status"),
	    field(j, "decided_at"), field(j, "payment_at"),
	    field(j, "programme"), field(j, "phone"), field(j, "region"),
	    field(j, "district"), field(j, "submitted_at") };
	if (notices_check(&u, err, sizeof(err)) != MJ_OK) {
		json_decref(j);
		return json_error(conn, MHD_HTTP_BAD_REQUEST, err);
	}
	memset(&ns, 0, sizeof(ns));
	rc = notices_apply(server_bot(s), &u, "api", (int64_t)time(NULL), &ns);
	if (rc == MJ_ENOTFOUND) {
		json_decref(j);
		return json_error(conn, http_status(rc), "no such application; "
		    "to create it give programme, phone and submitted_at");
	}
	if (rc != MJ_OK) {
		/* The update was checked above: any other failure is ours
		 * and answers 503, MJ_EINPUT too (400 in the table). */
		json_decref(j);
		return json_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "temporarily unavailable");
	}
	log_info("registry.put", "req=%s created=%d changed=%d notified=%d",
	    r->id, ns.created, ns.changed, ns.notified);
	res = json_pack("{s:s, s:s, s:b, s:b, s:b}", "number", u.number,
	    "status", u.status, "created", ns.created > 0, "changed",
	    ns.changed > 0, "notified", ns.notified > 0);
	json_decref(j);
	out = res != NULL ? json_dumps(res, JSON_COMPACT) : NULL;
	json_decref(res);
	if (out == NULL)
		return MHD_NO;
	ret = http_reply(conn, ns.created > 0 ? MHD_HTTP_CREATED : MHD_HTTP_OK,
	    "application/json", out, strlen(out));
	free(out);
	return ret;
}
