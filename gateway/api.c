/*
 * api.c - the help-desk API's front door: parse the request, find the
 * session, refuse cross-site and CSRF-less writes, dispatch, and answer in
 * JSON with no-store caching.  Login, logout and "me" live here; the rest
 * in api_conv.c, api_dash.c, api_teach.c, api_search.c and api_offices.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/log.h"
#include "bot/dialogue.h"
#include "gateway/api.h"
#include "gateway/api_int.h"
#include "gateway/server.h"
#include "store/helpdesk.h"
#include "store/index.h"

#define COOKIE	"mj_session"

/* Answer text as JSON, with extra headers (name, value pairs; NULL ends). */
static enum MHD_Result
send_json(struct MHD_Connection *conn, unsigned status, const char *text,
    const char *const *extra)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;

	resp = MHD_create_response_from_buffer(strlen(text),
	    (void *)(uintptr_t)text, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	http_harden(resp);
	for (; extra != NULL && extra[0] != NULL; extra += 2)
		MHD_add_response_header(resp, extra[0], extra[1]);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
json_with(struct api *a, unsigned status, json_t *obj,
    const char *const *extra)
{
	char		*text;
	enum MHD_Result	 ret;

	if (obj == NULL)
		return send_json(a->conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "{\"error\":\"internal\",\"message\":\"out of memory\"}\n",
		    NULL);
	text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (text == NULL)
		return send_json(a->conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "{\"error\":\"internal\",\"message\":\"out of memory\"}\n",
		    NULL);
	ret = send_json(a->conn, status, text, extra);
	free(text);
	return ret;
}

enum MHD_Result
api_json(struct api *a, unsigned status, json_t *obj)
{
	return json_with(a, status, obj, NULL);
}

enum MHD_Result
api_fail(struct api *a, unsigned status, const char *code,
    const char *message)
{
	return api_json(a, status, json_pack("{s:s, s:s}", "error", code,
	    "message", message));
}

enum MHD_Result
api_limited(struct api *a, const char *message, int64_t retry)
{
	char		 ra[24];
	const char	*h[] = { "Retry-After", ra, NULL };

	if (retry < 1)
		retry = 1;
	snprintf(ra, sizeof(ra), "%lld", (long long)retry);
	return json_with(a, MHD_HTTP_TOO_MANY_REQUESTS, json_pack(
	    "{s:s, s:s, s:I}", "error", "rate_limited", "message", message,
	    "retry_after", (json_int_t)retry), h);
}

enum MHD_Result
api_fail_rc(struct api *a, enum mj_err rc)
{
	unsigned	status = http_status(rc);

	switch (rc) {
	case MJ_ENOTFOUND:
		return api_fail(a, status, "not_found", "no such conversation");
	case MJ_EINPUT:
		return api_fail(a, status, "bad_request",
		    "the request is not valid");
	case MJ_ETOOBIG:
		return api_fail(a, status, "too_big", "the text is too long");
	default:
		/* The help desk has always answered its own failures with
		 * 500, not the 503 of the table: the page shows the error
		 * rather than trying again. */
		return api_fail(a, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
		    mj_strerror(rc));
	}
}

json_t *
api_str(const char *s)
{
	json_t	*j = json_string(s != NULL ? s : "");

	return j != NULL ? j : json_string("");
}

struct hd_audit
api_audit_row(const struct api *a, const char *action, int64_t contact_id,
    const char *detail)
{
	struct hd_audit	au = { .at = a->now, .staff_id = a->who.staff_id,
	    .username = a->who.username, .action = action,
	    .contact_id = contact_id, .detail = detail, .req = a->r->id,
	    .ip = a->ip };

	return au;
}

void
api_audit(struct api *a, const char *action, int64_t contact_id,
    const char *detail)
{
	struct hd_audit	au = api_audit_row(a, action, contact_id, detail);
	enum mj_err	rc;

	if ((rc = store_begin(a->st)) != MJ_OK)
		return;
	rc = store_audit_add(a->st, &au);
	store_end(a->st, rc == MJ_OK);
}

int
api_can_reveal(const struct api *a)
{
	return a->who.role == STAFF_SUPERVISOR || a->who.role == STAFF_ADMIN;
}

/*
 * A browser names the page that sent a request in Origin (and
 * Sec-Fetch-Site); a write from another site is refused whatever it
 * carries.  Clients that send neither (curl, tests) pass to the CSRF check.
 */
static int
same_origin(struct MHD_Connection *conn)
{
	const char	*origin = http_header(conn, "Origin");
	const char	*host = http_header(conn, "Host");
	const char	*site = http_header(conn, "Sec-Fetch-Site");
	char		 want[300];

	if (site != NULL && strcmp(site, "same-origin") != 0 &&
	    strcmp(site, "none") != 0)
		return 0;
	if (origin == NULL)
		return 1;
	if (host == NULL)
		return 0;
	snprintf(want, sizeof(want), "http://%s", host);
	if (strcmp(origin, want) == 0)
		return 1;
	snprintf(want, sizeof(want), "https://%s", host);
	return strcmp(origin, want) == 0;
}

static int
is_json(struct MHD_Connection *conn)
{
	const char	*ct = http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);

	return ct != NULL && strncasecmp(ct, "application/json", 16) == 0;
}

/*
 * The session cookie holding value for max_age seconds (0: ends it);
 * Secure as configured, or when the service is served as https.
 */
static void
session_cookie(const struct conf *c, const char *value, int max_age,
    char *buf, size_t len)
{
	int	secure = c->helpdesk_secure_cookie >= 0 ?
		    c->helpdesk_secure_cookie :
		    strncmp(c->public_url, "https://", 8) == 0;

	snprintf(buf, len, COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; "
	    "Max-Age=%d%s", value, max_age, secure ? "; Secure" : "");
}

static enum MHD_Result
login(struct api *a)
{
	const char		*user, *pw;
	char			 token[STAFF_TOKEN_LEN + 1], cookie[200], ra[24];
	enum staff_login	 res;
	int64_t			 retry;
	enum mj_err		 rc;

	if (!json_is_object(a->body) ||
	    (user = json_string_value(json_object_get(a->body,
	    "username"))) == NULL ||
	    (pw = json_string_value(json_object_get(a->body,
	    "password"))) == NULL)
		return api_fail(a, MHD_HTTP_BAD_REQUEST, "bad_request",
		    "send {\"username\": ..., \"password\": ...}");
	if (strlen(user) > 64 || strlen(pw) > 1024)
		return api_fail(a, MHD_HTTP_UNAUTHORIZED, "bad_login",
		    "wrong name or password");
	rc = staff_login(a->st, a->conf, user, pw, a->ip, a->r->id, a->now,
	    token, &a->who, &res, &retry);
	if (rc != MJ_OK)
		return api_fail_rc(a, rc);
	if (res == STAFF_LOGIN_LIMITED) {
		const char *h[] = { "Retry-After", ra, NULL };

		snprintf(ra, sizeof(ra), "%lld", (long long)retry);
		return json_with(a, MHD_HTTP_TOO_MANY_REQUESTS, json_pack(
		    "{s:s, s:s, s:I}", "error", "rate_limited", "message",
		    "too many failed logins; try again later", "retry_after",
		    (json_int_t)retry), h);
	}
	if (res != STAFF_LOGIN_OK)
		return api_fail(a, MHD_HTTP_UNAUTHORIZED, "bad_login",
		    "wrong name or password");
	{
		const char *h[] = { MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL };

		session_cookie(a->conf, token, a->conf->auth_session_ttl_s,
		    cookie, sizeof(cookie));
		return json_with(a, MHD_HTTP_OK, json_pack(
		    "{s:s, s:s, s:s, s:i}", "username", a->who.username,
		    "role", staff_role_name(a->who.role), "csrf", a->who.csrf,
		    "hold_seconds", a->conf->helpdesk_hold_s), h);
	}
}

static enum MHD_Result
logout(struct api *a, const char *token)
{
	char		 cookie[200];
	const char	*h[] = { MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL };
	enum mj_err	 rc;

	session_cookie(a->conf, "", 0, cookie, sizeof(cookie));
	if ((rc = staff_logout(a->st, token, &a->who, a->ip, a->r->id,
	    a->now)) != MJ_OK)
		return api_fail_rc(a, rc);
	return json_with(a, MHD_HTTP_OK, json_pack("{s:b}", "ok", 1), h);
}

/* "conversations/123/take" -> 123 and "take"; -1 if not a number. */
static int64_t
conv_path(const char *p, const char **verb)
{
	char		*end;
	long long	 id;

	*verb = "";
	if (*p < '1' || *p > '9')
		return -1;
	id = strtoll(p, &end, 10);
	if (id <= 0 || id > (long long)1e15)
		return -1;
	if (*end == '/')
		*verb = end + 1;
	else if (*end != '\0')
		return -1;
	return id;
}

static enum MHD_Result
dispatch(struct api *a, const char *token)
{
	const char	*p = a->path, *verb;
	int		 get = strcmp(a->method, "GET") == 0;
	int64_t		 id;

	if (strcmp(p, "logout") == 0 && !get)
		return logout(a, token);
	if (strcmp(p, "me") == 0 && get)
		return api_json(a, MHD_HTTP_OK, json_pack("{s:s, s:s, s:s, s:i}",
		    "username", a->who.username, "role",
		    staff_role_name(a->who.role), "csrf", a->who.csrf,
		    "hold_seconds", a->conf->helpdesk_hold_s));
	if (strcmp(p, "conversations") == 0 && get)
		return api_inbox(a);
	if (strncmp(p, "conversations/", 14) == 0 &&
	    (id = conv_path(p + 14, &verb)) > 0) {
		if ((verb[0] == '\0') != get)
			return api_fail(a, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "method", get ? "use POST" : "use GET");
		return api_conversation(a, id, verb);
	}
	if (strcmp(p, "dashboard") == 0 && get)
		return api_dashboard(a);
	if (strcmp(p, "canned") == 0 && get)
		return api_canned(a);
	if (strcmp(p, "sms/measure") == 0 && get)
		return api_measure(a);
	if (strcmp(p, "audit") == 0 && get)
		return api_audit_list(a);
	if (strcmp(p, "intents") == 0 && get)
		return api_intents(a);
	if (strncmp(p, "messages/", 9) == 0 &&
	    (id = conv_path(p + 9, &verb)) > 0 && strcmp(verb, "label") == 0) {
		if (get)
			return api_fail(a, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "method", "use POST");
		return api_label(a, id);
	}
	if (strcmp(p, "staff") == 0)
		return api_staff(a, NULL);
	if (strncmp(p, "staff/", 6) == 0)
		return api_staff(a, p + 6);
	if (strcmp(p, "offices") == 0 && get)
		return api_offices(a);
	if (strncmp(p, "offices/", 8) == 0 && p[8] != '\0') {
		if (get)
			return api_fail(a, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "method", "use POST");
		return api_office_edit(a, p + 8);
	}
	if (strcmp(p, "model") == 0)
		return api_model(a, "");
	if (strncmp(p, "model/", 6) == 0)
		return api_model(a, p + 6);
	return api_fail(a, MHD_HTTP_NOT_FOUND, "not_found", "no such endpoint");
}

enum MHD_Result
api_handle(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	struct api	 a;
	const char	*token, *url = r->url != NULL ? r->url : "";
	int		 post = strcmp(method, "POST") == 0;
	enum MHD_Result	 ret;

	memset(&a, 0, sizeof(a));
	a.s = s;
	a.conn = conn;
	a.r = r;
	a.method = method;
	a.path = strlen(url) >= 5 ? url + 5 : "";
	a.conf = server_conf(s);
	a.bot = server_bot(s);
	a.st = bot_store(a.bot);
	a.now = (int64_t)time(NULL);
	server_client(s, conn, a.ip, sizeof(a.ip));
	if (post) {
		json_error_t	err;

		if (!same_origin(conn))
			return api_fail(&a, MHD_HTTP_FORBIDDEN, "cross_site",
			    "requests from other sites are refused");
		if (!is_json(conn))
			return api_fail(&a, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			    "content_type", "send Content-Type: "
			    "application/json");
		a.body = json_loadb(r->body != NULL ? r->body : "{}",
		    r->body != NULL ? r->len : 2, JSON_REJECT_DUPLICATES, &err);
		if (a.body == NULL || !json_is_object(a.body)) {
			json_decref(a.body);
			return api_fail(&a, MHD_HTTP_BAD_REQUEST, "bad_json",
			    "the body must be one JSON object");
		}
	}
	if (strcmp(a.path, "login") == 0) {
		ret = post ? login(&a) : api_fail(&a,
		    MHD_HTTP_METHOD_NOT_ALLOWED, "method", "use POST");
		json_decref(a.body);
		return ret;
	}
	token = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, COOKIE);
	if (staff_session(a.st, token, a.now, &a.who) != MJ_OK)
		ret = api_fail(&a, MHD_HTTP_UNAUTHORIZED, "login",
		    "sign in first");
	else if (post && !staff_csrf_ok(&a.who, http_header(conn,
	    "X-CSRF-Token"))) {
		api_audit(&a, "csrf.refused", 0, a.path);
		ret = api_fail(&a, MHD_HTTP_FORBIDDEN, "csrf",
		    "missing or wrong X-CSRF-Token");
	} else {
		/*
		 * Staff see every message stored so far, indexed or not.
		 * Only once the session holds: a stranger's request writes
		 * nothing.
		 */
		int n;

		while (store_index_pending(a.st, 20000, &n) == MJ_OK &&
		    n == 20000)
			;
		ret = dispatch(&a, token);
	}
	json_decref(a.body);
	return ret;
}
