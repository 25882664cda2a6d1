/*
 * sms.c - delivery reports (Kannel, aggregator) and the generic
 * aggregator's inbound webhook.
 *
 * Kannel DLR types (../shared/kannel/README.md section 5): 1 delivered,
 * 2 undelivered, 4 buffered, 8 SMSC accepted, 16 SMSC rejected.  They are
 * GET, never retried by Kannel, and may come out of order (1 before 8).
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
#include "store/sms.h"
#include "gateway/kannel.h"
#include "gateway/server.h"
#include "gateway/sms.h"

static enum MHD_Result
ok(struct MHD_Connection *conn)
{
	return http_reply(conn, MHD_HTTP_OK, "text/plain; charset=utf-8",
	    "ok\n", 3);
}

/* "123" -> 123; -1 unless a positive whole number. */
static long long
id_of(const char *s)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return *end == '\0' && v > 0 ? v : -1;
}

static enum MHD_Result
record(struct server *s, struct MHD_Connection *conn, struct req *r,
    long long msgid, const char *provider, const char *type,
    const char *delivery, const char *detail, int retry)
{
	enum mj_err	rc;

	rc = store_delivery_report(bot_store(server_bot(s)), msgid, provider,
	    type, delivery, detail, retry, (int64_t)time(NULL));
	if (rc == MJ_ENOTFOUND) {
		log_warn("sms.dlr_unknown", "req=%s provider=%s msgid=%lld",
		    r->id, provider, msgid);
		return ok(conn);	/* nothing to do; do not make them retry */
	}
	if (rc != MJ_OK)
		return http_fail(conn, rc, NULL);
	log_info("sms.dlr", "req=%s provider=%s msgid=%lld type=%s state=%s",
	    r->id, provider, msgid, type, delivery);
	return ok(conn);
}

enum MHD_Result
sms_dlr(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const char	*type = http_arg(conn, "type", NULL);
	const char	*reply = http_arg(conn, "reply", NULL);
	long long	 msgid = id_of(http_arg(conn, "msgid", NULL));
	const char	*delivery;
	int		 retry = 0;

	(void)method;
	if (type == NULL)
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "missing parameter type");
	if (msgid < 0) {
		/* A report for a reply we did not label: nothing to match. */
		log_info("sms.dlr_unlabelled", "req=%s type=%s", r->id, type);
		return ok(conn);
	}
	if (strcmp(type, "1") == 0)
		delivery = "delivered";
	else if (strcmp(type, "2") == 0)
		delivery = "failed";
	else if (strcmp(type, "4") == 0)
		delivery = "buffered";
	else if (strcmp(type, "8") == 0)
		delivery = "sent";
	else if (strcmp(type, "16") == 0) {
		delivery = "failed";
		retry = 1;	/* the SMSC refused it: another try */
	} else
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "type is not a Kannel DLR type");
	return record(s, conn, r, msgid, "kannel", type, delivery,
	    reply != NULL && *reply != '\0' ? reply : NULL, retry);
}

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

enum MHD_Result
sms_inbound(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const struct conf	*c = server_conf(s);
	enum MHD_Result		 ret = MHD_NO;
	json_t			*j;
	const char		*from, *text, *id;
	char			 phone[20], fbuf[32], ibuf[32];
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
	in = (struct bot_in){ .channel = "sms", .provider = "aggregator",
	    .address = phone, .phone = phone,
	    .msg_id = id != NULL && *id != '\0' && strlen(id) <= 128 ? id : NULL,
	    .req = r->id, .text = text, .len = strlen(text), .sync = 0,
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

enum MHD_Result
sms_aggregator_dlr(struct server *s, struct MHD_Connection *conn,
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
	if (id_of(id) < 0 || delivery == NULL) {
		json_decref(j);
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "missing or unknown id or status");
	}
	snprintf(type, sizeof(type), "%s", st);
	ret = record(s, conn, r, id_of(id), "aggregator", type, delivery, NULL,
	    0);
	json_decref(j);
	return ret;
}
