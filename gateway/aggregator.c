/*
 * aggregator.c - the generic HTTP SMS aggregator, one configurable JSON
 * adapter (the aggregator.* keys):
 *   POST /sms/inbound          its inbound SMS (JSON; field paths set)
 *   POST /sms/aggregator/dlr   its delivery reports (JSON)
 *   sending                    the configured JSON template, POSTed to
 *                              aggregator.send_url with a bearer token
 * Its calls are signed: the configured header holds the hex HMAC-SHA256 of
 * the raw body under aggregator.secret ("sha256=" prefix allowed),
 * compared in constant time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "base/log.h"
#include "base/phone.h"
#include "gateway/channel.h"
#include "gateway/dlr.h"
#include "gateway/server.h"

/* The body's HMAC-SHA256 under the shared secret, in the given header. */
static int
signed_ok(const struct conf *c, struct MHD_Connection *conn, struct req *r)
{
	unsigned char	 mac[crypto_auth_hmacsha256_BYTES], got[sizeof(mac)];
	const char	*h = http_header(conn, c->agg_sig_header);
	size_t		 n = 0;

	if (h == NULL)
		return 0;
	if (strncasecmp(h, "sha256=", 7) == 0)
		h += 7;
	if (strlen(h) != 2 * sizeof(got) || sodium_hex2bin(got, sizeof(got),
	    h, strlen(h), NULL, &n, NULL) != 0 || n != sizeof(got))
		return 0;
	{
		/* The streaming API takes a key of any length, as HMAC does. */
		crypto_auth_hmacsha256_state	hs;

		crypto_auth_hmacsha256_init(&hs,
		    (const unsigned char *)c->agg_secret, strlen(c->agg_secret));
		crypto_auth_hmacsha256_update(&hs, (const unsigned char *)
		    (r->body != NULL ? r->body : ""), r->len);
		crypto_auth_hmacsha256_final(&hs, mac);
	}
	return sodium_memcmp(mac, got, sizeof(mac)) == 0;
}

/* A JSON value by a dotted path: "message.from". */
static json_t *
dig(json_t *j, const char *path)
{
	char	 part[64];

	while (j != NULL && *path != '\0') {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		j = json_object_get(j, part);
		path += n;
		if (*path == '.')
			path++;
	}
	return j;
}

/* Parse a signed JSON body; answers the error itself when it fails. */
static json_t *
signed_json(struct server *s, struct MHD_Connection *conn, struct req *r,
    enum MHD_Result *ret)
{
	const struct conf	*c = server_conf(s);
	json_error_t		 e;
	json_t			*j;

	if (c->agg_secret[0] == '\0') {
		log_warn("sms.aggregator_off", "req=%s why=\"aggregator.secret "
		    "is not set\"", r->id);
		*ret = http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "aggregator is not configured");
		return NULL;
	}
	if (!signed_ok(c, conn, r)) {
		log_warn("sms.signature", "req=%s result=refused", r->id);
		*ret = http_error(conn, MHD_HTTP_UNAUTHORIZED, "bad signature");
		return NULL;
	}
	j = json_loadb(r->body != NULL ? r->body : "", r->len,
	    JSON_REJECT_DUPLICATES, &e);
	if (!json_is_object(j)) {
		json_decref(j);
		*ret = http_error(conn, MHD_HTTP_BAD_REQUEST, "malformed JSON");
		return NULL;
	}
	return j;
}

static const char *
str_or_num(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return NULL;
}

static enum MHD_Result
aggregator_inbound(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const struct conf	*c = server_conf(s);
	enum MHD_Result		 ret = MHD_NO;
	json_t			*j;
	const char		*from, *text, *id;
	char			 phone[20], fbuf[32], ibuf[32], hid[40];
	int			 window = 0;
	struct bot_in		 in;
	struct bot_out		 out;
	enum mj_err		 rc;

	(void)method;
	if (r->job != NULL) {
		/* Resumed: the message is stored (or failed); answer now. */
		rc = bot_job_result(r->job, &out);
		bot_job_free(r->job);
		r->job = NULL;
		bot_out_free(&out);
		goto answer;
	}
	if ((j = signed_json(s, conn, r, &ret)) == NULL)
		return ret;
	from = str_or_num(dig(j, c->agg_from), fbuf, sizeof(fbuf));
	text = json_string_value(dig(j, c->agg_text));
	id = str_or_num(dig(j, c->agg_id), ibuf, sizeof(ibuf));
	if (from == NULL || text == NULL || phone_e164(from, phone,
	    sizeof(phone)) == -1) {
		json_decref(j);
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "missing or bad sender or text");
	}
	if (id == NULL || *id == '\0' || strlen(id) > 128) {
		id = NULL;
		if (c->agg_dedupe_s > 0) {
			/*
			 * No id to tell a re-delivery by: the same signed body
			 * within the window is one (each would be a paid SMS).
			 */
			unsigned char	h[crypto_hash_sha256_BYTES];

			crypto_hash_sha256(h, (const unsigned char *)
			    (r->body != NULL ? r->body : ""), r->len);
			memcpy(hid, "h:", 2);
			sodium_bin2hex(hid + 2, sizeof(hid) - 2, h, 16);
			id = hid;
			window = c->agg_dedupe_s;
		}
	}
	in = (struct bot_in){ .channel = "sms", .provider = "aggregator",
	    .address = phone, .phone = phone, .msg_id = id,
	    .msg_id_window = window, .req = r->id, .text = text, .len = strlen(text), .sync = 0,
	    .now = (int64_t)time(NULL) };
	rc = server_defer(s, conn, r, &in);
	json_decref(j);
	if (rc == MJ_OK)
		return MHD_YES;		/* answered when stored */
answer:
	if (rc == MJ_OK)
		return http_reply(conn, MHD_HTTP_OK, "application/json",
		    "{\"ok\":true}", 11);
	return http_error(conn, http_status_unstored(rc), rc == MJ_EINPUT ?
	    "bad text" : rc == MJ_ETOOBIG ? "text too long" :
	    "temporarily unavailable");
}

static enum MHD_Result
aggregator_dlr(struct server *s, struct MHD_Connection *conn,
    struct req *r, const char *method)
{
	static const struct { const char *word, *delivery; } map[] = {
		{ "delivered", "delivered" }, { "delivrd", "delivered" },
		{ "failed", "failed" }, { "undelivered", "failed" },
		{ "undeliv", "failed" }, { "rejected", "failed" },
		{ "expired", "failed" }, { "sent", "sent" },
		{ "accepted", "sent" }, { "enroute", "sent" },
		{ "buffered", "buffered" }, { "queued", "buffered" },
	};
	const struct conf	*c = server_conf(s);
	enum MHD_Result		 ret = MHD_NO;
	json_t			*j;
	const char		*st, *id, *delivery = NULL;
	char			 ibuf[32], type[32];

	(void)method;
	if ((j = signed_json(s, conn, r, &ret)) == NULL)
		return ret;
	id = str_or_num(dig(j, c->agg_dlr_id), ibuf, sizeof(ibuf));
	st = json_string_value(dig(j, c->agg_dlr_status));
	for (size_t i = 0; st != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcasecmp(st, map[i].word) == 0)
			delivery = map[i].delivery;
	if (dlr_msgid(id) < 0 || delivery == NULL) {
		json_decref(j);
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "missing or unknown id or status");
	}
	snprintf(type, sizeof(type), "%s", st);
	ret = dlr_record(s, conn, r, dlr_msgid(id), "aggregator", type,
	    delivery, NULL, 0);
	json_decref(j);
	return ret;
}

/* Append s to the growing JSON text b, escaped as a JSON string's inside. */
static int
json_inside(char **b, size_t *len, size_t *cap, const char *s)
{
	json_t	*j = json_string(s);
	char	*e;
	size_t	 n;

	if (j == NULL)
		return -1;
	e = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	if (e == NULL)
		return -1;
	n = strlen(e) - 2;	/* without the quotes */
	if (*len + n + 1 > *cap) {
		char *nb = realloc(*b, *len + n + 1 + 256);

		if (nb == NULL) {
			free(e);
			return -1;
		}
		*b = nb;
		*cap = *len + n + 1 + 256;
	}
	memcpy(*b + *len, e + 1, n);
	*len += n;
	(*b)[*len] = '\0';
	free(e);
	return 0;
}

/*
 * The configured JSON template with {to} {text} {id} {callback} filled in
 * (JSON-escaped), POSTed with a bearer token.
 */
static enum mj_err
aggregator_request(const struct conf *c, const struct outbox_item *it,
    const char *text, size_t n, int last, struct send_req *out)
{
	const char	*t = c->agg_body;
	char		 id[32], cb[700], auth[300], *part, *body = NULL;
	size_t		 len = 0, cap = 0;

	(void)last;
	memset(out, 0, sizeof(*out));
	if (c->agg_send_url[0] == '\0')
		return MJ_ECONFIG;
	if ((part = strndup(text, n)) == NULL)
		return MJ_ENOMEM;
	snprintf(id, sizeof(id), "%lld", (long long)it->msg_id);
	snprintf(cb, sizeof(cb), "%s/sms/aggregator/dlr", c->public_url);
	while (*t != '\0') {
		const char	*v = NULL;
		size_t		 k = 0;

		if (strncmp(t, "{to}", 4) == 0)
			v = it->address, k = 4;
		else if (strncmp(t, "{text}", 6) == 0)
			v = part, k = 6;
		else if (strncmp(t, "{id}", 4) == 0)
			v = id, k = 4;
		else if (strncmp(t, "{callback}", 10) == 0)
			v = cb, k = 10;
		if (v != NULL) {
			if (json_inside(&body, &len, &cap, v) == -1)
				break;
			t += k;
			continue;
		}
		if (len + 2 > cap) {
			char *nb = realloc(body, cap + 256);

			if (nb == NULL)
				break;
			body = nb;
			cap += 256;
		}
		body[len++] = *t++;
		body[len] = '\0';
	}
	free(part);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->agg_token);
	out->body = body;
	out->url = strdup(c->agg_send_url);
	out->headers[0] = strdup("Content-Type: application/json");
	out->headers[1] = strdup(auth);
	sodium_memzero(auth, sizeof(auth));
	if (*t != '\0' || out->body == NULL || out->url == NULL ||
	    out->headers[0] == NULL || out->headers[1] == NULL) {
		send_req_free(out);
		return MJ_ENOMEM;
	}
	return MJ_OK;
}

/* A 404: the aggregator does not know the number; sending again won't help. */
static void
aggregator_answer(long status, const char *body, struct send_answer *out)
{
	channel_answer_common(status, body, out);
	if (status == 404) {
		out->result = SEND_FAILED;
		out->unreachable = 1;
	}
}

static const char *
aggregator_missing(const struct conf *c)
{
	return c->agg_send_url[0] == '\0' ? "aggregator.send_url" : NULL;
}

static const struct http_route webhooks[] = {
	{ "/sms/inbound", "POST", aggregator_inbound, 1 },
	{ NULL, NULL, NULL, 0 }
};

static const struct http_route reports[] = {
	{ "/sms/aggregator/dlr", "POST", aggregator_dlr, 1 },
	{ NULL, NULL, NULL, 0 }
};

/*
 * Parts as Kannel's: an aggregator too may cut a long text silently, so
 * longer texts go as several messages.
 */
const struct channel aggregator_channel = {
	.name = "aggregator",
	.medium = "sms",
	.webhooks = webhooks,
	.reports = reports,
	.part_max = 600,
	.request = aggregator_request,
	.answer = aggregator_answer,
	.missing = aggregator_missing,
};
