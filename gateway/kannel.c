/*
 * kannel.c - Kannel (../shared/kannel/README.md), the bridge to the
 * operators' SMSCs:
 *   GET|POST /sms/kannel   its sms-service calling us (mobile-originated
 *                          SMS, section 2); the reply goes back in the
 *                          response (section 3)
 *   GET /sms/dlr           its delivery reports (dlr-url, section 5)
 *   sending                its sendsms interface (section 4)
 * The exact text is %b (here "bin", or "text" when get-url puts %b
 * there), decoded with the charset Kannel names; UCS-2 arrives as UTF-8
 * when smsbox has mo-recode = true, as UTF-16BE otherwise, and both are
 * accepted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <uniconv.h>
#include <unistr.h>

#include "base/log.h"
#include "base/phone.h"
#include "gateway/channel.h"
#include "gateway/dlr.h"
#include "gateway/kannel.h"
#include "gateway/server.h"

#define TEXT_MAX	4096	/* bytes of UTF-8; a long SMS is ~1,600 */


/* The charset parameter (or the Content-Type's) to a name iconv knows. */
static const char *
charset_of(const char *charset, const char *coding)
{
	if (charset == NULL || *charset == '\0')
		return coding != NULL && strcmp(coding, "2") == 0 ?
		    "UTF-16BE" : "UTF-8";
	if (strcasecmp(charset, "UTF-8") == 0 || strcasecmp(charset, "utf8") == 0)
		return "UTF-8";
	if (strcasecmp(charset, "UCS-2") == 0 || strcasecmp(charset, "UCS-2BE") == 0)
		return "UTF-16BE";
	return charset;
}

/*
 * Decode raw bytes in charset into a NUL-terminated UTF-8 copy.  UTF-8 is
 * validated, not converted.  NULL when invalid or not a text charset.
 */
static char *
decode_text(const char *raw, size_t len, const char *charset)
{
	char	*out;
	size_t	 olen = 0;

	if (strcasecmp(charset, "UTF-8") == 0) {
		if (u8_check((const uint8_t *)raw, len) != NULL ||
		    memchr(raw, '\0', len) != NULL)
			return NULL;
		return strndup(raw, len);
	}
	if (strcasecmp(charset, "8-BIT") == 0 ||
	    strcasecmp(charset, "binary") == 0)
		return NULL;
	out = (char *)u8_conv_from_encoding(charset, iconveh_error, raw, len,
	    NULL, NULL, &olen);
	if (out == NULL)
		return NULL;
	if (memchr(out, '\0', olen) != NULL ||
	    u8_check((const uint8_t *)out, olen) != NULL || olen == 0) {
		free(out);
		return NULL;
	}
	{
		char *z = realloc(out, olen + 1);

		if (z == NULL) {
			free(out);
			return NULL;
		}
		z[olen] = '\0';
		return z;
	}
}

const char *
kannel_content_charset(const char *ctype, char *buf, size_t len)
{
	const char	*p;
	size_t		 n;

	if (ctype == NULL || (p = strcasestr(ctype, "charset=")) == NULL)
		return NULL;
	p += 8;
	if (*p == '"')
		p++;
	n = strcspn(p, "\";, ");
	if (n == 0 || n >= len)
		return NULL;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

enum mj_err
kannel_decode_text(const char *raw, size_t rawlen, const char *charset,
    const char *coding, char **out)
{
	char	*text;

	*out = NULL;
	if (rawlen > TEXT_MAX * 2)
		return MJ_ETOOBIG;
	if ((text = decode_text(raw, rawlen, charset_of(charset, coding))) ==
	    NULL)
		return MJ_EINPUT;
	if (strlen(text) > TEXT_MAX) {
		free(text);
		return MJ_ETOOBIG;
	}
	*out = text;
	return MJ_OK;
}

/*
 * Kannel's own credential beside nginx's address allow-list: kannel.token
 * as the query argument token (get-url, dlr-url) or as the password of
 * HTTP basic auth.  Compared in constant time.  1 when none is configured.
 */
static int
kannel_authorised(const struct conf *c, struct MHD_Connection *conn)
{
	char	*user, *pass = NULL;
	int	 ok;

	if (c->kannel_token[0] == '\0')
		return 1;
	if (http_secret_equal(c->kannel_token, http_arg(conn, "token", NULL)))
		return 1;
	user = MHD_basic_auth_get_username_password(conn, &pass);
	ok = pass != NULL && http_secret_equal(c->kannel_token, pass);
	if (pass != NULL)
		MHD_free(pass);
	if (user != NULL)
		MHD_free(user);
	return ok;
}

/* The 401 of a call without the token; its text and sender are not logged. */
static enum MHD_Result
kannel_refuse(struct MHD_Connection *conn, struct req *r)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;

	log_warn("sms.kannel_auth", "req=%s result=refused", r->id);
	resp = MHD_create_response_from_buffer(13,
	    (void *)(uintptr_t)"unauthorized\n", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
	    "Basic realm=\"kannel\"");
	http_harden(resp);
	ret = MHD_queue_response(conn, MHD_HTTP_UNAUTHORIZED, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* "&token=..." for the DLR URLs we hand Kannel, or "" without a token. */
static void
token_arg(const struct conf *c, char *buf, size_t len)
{
	char	*e;

	buf[0] = '\0';
	if (c->kannel_token[0] == '\0' ||
	    (e = channel_urlenc(c->kannel_token, strlen(c->kannel_token))) ==
	    NULL)
		return;
	snprintf(buf, len, "&token=%s", e);
	free(e);
}

static enum MHD_Result
kannel_handle(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const char	*from, *raw, *charset, *coding, *id;
	char		 phone[20], csbuf[32], masked[24], *text;
	size_t		 rawlen = 0;
	struct bot_in	 in;
	struct bot_out	 out;
	enum mj_err	 rc;
	enum MHD_Result	 ret;
	int		 post = strcmp(method, "POST") == 0;

	if (r->job != NULL) {
		/* Resumed: the message is stored (or failed); answer now. */
		rc = bot_job_result(r->job, &out);
		bot_job_free(r->job);
		r->job = NULL;
		goto answer;
	}
	if (!kannel_authorised(server_conf(s), conn))
		return kannel_refuse(conn, r);
	from = http_arg(conn, "from", NULL);
	if (from == NULL || *from == '\0')
		from = http_header(conn, "X-Kannel-From");
	coding = http_arg(conn, "coding", NULL);
	if (coding == NULL)
		coding = http_header(conn, "X-Kannel-Coding");
	charset = http_arg(conn, "charset", NULL);
	if (post) {
		raw = r->body != NULL ? r->body : "";
		rawlen = r->len;
		if (charset == NULL)
			charset = kannel_content_charset(http_header(conn,
			    MHD_HTTP_HEADER_CONTENT_TYPE), csbuf,
			    sizeof(csbuf));
	} else {
		/* %b (exact bytes) is preferred to %a (words re-joined). */
		if ((raw = http_arg(conn, "bin", &rawlen)) == NULL)
			raw = http_arg(conn, "text", &rawlen);
	}
	if (from == NULL || *from == '\0')
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "missing parameter from (or X-Kannel-From)");
	if (phone_e164(from, phone, sizeof(phone)) == -1)
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "from is not a phone number");
	if (raw == NULL)
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "missing parameter text");
	if (coding != NULL && strcmp(coding, "1") == 0) {
		/* A binary SMS (OTA, ringtone) is no question: no reply. */
		log_info("sms.binary", "req=%s from=%s len=%zu", r->id,
		    log_mask_phone(phone, masked, sizeof(masked)), rawlen);
		return http_reply(conn, MHD_HTTP_OK,
		    "text/plain; charset=utf-8", "", 0);
	}
	switch ((rc = kannel_decode_text(raw, rawlen, charset, coding,
	    &text))) {
	case MJ_OK:
		break;
	case MJ_ETOOBIG:
		return http_fail(conn, rc, "text too long");
	default:
		log_warn("sms.bad_text", "req=%s from=%s len=%zu charset=\"%s\"",
		    r->id, log_mask_phone(phone, masked, sizeof(masked)),
		    rawlen, charset != NULL ? charset : "");
		return http_fail(conn, MJ_EINPUT,
		    "text is not valid in its charset");
	}
	id = http_arg(conn, "id", NULL);
	if (id != NULL && (*id == '\0' || strlen(id) > 128))
		id = NULL;
	in = (struct bot_in){ .channel = "sms", .address = phone,
	    .phone = phone, .msg_id = id, .req = r->id, .text = text,
	    .len = strlen(text), .sync = 1, .now = (int64_t)time(NULL) };
	rc = server_defer(s, conn, r, &in);
	free(text);
	if (rc == MJ_OK)
		return MHD_YES;		/* answered when stored */
	memset(&out, 0, sizeof(out));
answer:
	if (rc != MJ_OK) {
		bot_out_free(&out);
		return http_error(conn, http_status_unstored(rc),
		    rc == MJ_EINPUT ? "text is not valid UTF-8" :
		    rc == MJ_ETOOBIG ? "text too long" :
		    "temporarily unavailable");
	}
	{
		struct MHD_Response	*resp;
		const char		*body = out.text != NULL ? out.text : "";

		resp = MHD_create_response_from_buffer(strlen(body),
		    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
		if (resp == NULL) {
			bot_out_free(&out);
			return MHD_NO;
		}
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "text/plain; charset=utf-8");
		http_harden(resp);
		if (out.text != NULL && !out.gsm7)
			MHD_add_response_header(resp, "X-Kannel-Coding", "2");
		if (out.text != NULL && out.msg_id > 0) {
			/* Our own id in the DLR URL, to match its reports. */
			char dlr[1400], tok[800];

			token_arg(server_conf(s), tok, sizeof(tok));
			snprintf(dlr, sizeof(dlr), "%s/sms/dlr?via=sync&"
			    "msgid=%lld&type=%%d&reply=%%A%s",
			    server_conf(s)->public_url, (long long)out.msg_id,
			    tok);
			MHD_add_response_header(resp, "X-Kannel-DLR-Mask",
			    "31");
			MHD_add_response_header(resp, "X-Kannel-DLR-URL", dlr);
		}
		ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
		MHD_destroy_response(resp);
	}
	bot_out_free(&out);
	return ret;
}

/*
 * Delivery reports (section 5): 1 delivered, 2 undelivered, 4 buffered,
 * 8 SMSC accepted, 16 SMSC rejected.  They are GET, never retried by
 * Kannel, and may come out of order (1 before 8).
 */
static enum MHD_Result
kannel_dlr(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const char	*type = http_arg(conn, "type", NULL);
	const char	*reply = http_arg(conn, "reply", NULL);
	long long	 msgid = dlr_msgid(http_arg(conn, "msgid", NULL));
	const char	*delivery;
	int		 retry = 0;

	(void)method;
	if (!kannel_authorised(server_conf(s), conn))
		return kannel_refuse(conn, r);
	if (type == NULL)
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "missing parameter type");
	if (msgid < 0) {
		/* A report for a reply we did not label: nothing to match. */
		log_info("sms.dlr_unlabelled", "req=%s type=%s", r->id, type);
		return dlr_ok(conn);
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
	return dlr_record(s, conn, r, msgid, "kannel", type, delivery,
	    reply != NULL && *reply != '\0' ? reply : NULL, retry);
}

/*
 * sendsms (section 4): UTF-8 text with charset=UTF-8, coding=2 unless the
 * text is GSM 7-bit, the plus of the number encoded, and a dlr-url
 * carrying our own message id (sendsms returns none).  A GET whose URL
 * holds the credentials.
 */
static enum mj_err
kannel_request(const struct conf *c, const struct outbox_item *it,
    const char *text, size_t n, int last, struct send_req *out)
{
	char	*to, *etext, *dlr, dlrbuf[1400], tok[800];
	size_t	 len;
	int	 gsm7 = strcmp(it->encoding, "gsm7") == 0;

	(void)last;
	memset(out, 0, sizeof(*out));
	if (c->kannel_sendsms_url[0] == '\0')
		return MJ_ECONFIG;
	token_arg(c, tok, sizeof(tok));
	snprintf(dlrbuf, sizeof(dlrbuf),
	    "%s/sms/dlr?via=sendsms&msgid=%lld&type=%%d%s", c->public_url,
	    (long long)it->msg_id, tok);
	to = channel_urlenc(it->address, strlen(it->address));
	etext = channel_urlenc(text, n);
	dlr = channel_urlenc(dlrbuf, strlen(dlrbuf));
	if (to != NULL && etext != NULL && dlr != NULL) {
		len = strlen(c->kannel_sendsms_url) + strlen(to) +
		    strlen(etext) + strlen(dlr) + 96;
		if ((out->url = malloc(len)) != NULL)
			snprintf(out->url, len, "%s%sto=%s&text=%s"
			    "&charset=UTF-8&coding=%d&dlr-mask=31&dlr-url=%s",
			    c->kannel_sendsms_url,
			    strchr(c->kannel_sendsms_url, '?') != NULL ? "&" :
			    "?", to, etext, gsm7 ? 0 : 2, dlr);
	}
	free(to);
	free(etext);
	free(dlr);
	return out->url != NULL ? MJ_OK : MJ_ENOMEM;
}

/* sendsms answers "0: Accepted for delivery" (202) or an error status. */
static void
kannel_answer(long status, const char *body, struct send_answer *out)
{
	channel_answer_common(status, body, out);
}

static const char *
kannel_missing(const struct conf *c)
{
	return c->kannel_sendsms_url[0] == '\0' ? "kannel.sendsms_url" : NULL;
}

static const struct http_route webhooks[] = {
	{ "/sms/kannel", "GET POST", kannel_handle, 1 },
	{ NULL, NULL, NULL, 0 }
};

static const struct http_route reports[] = {
	{ "/sms/dlr", "GET", kannel_dlr, 0 },
	{ NULL, NULL, NULL, 0 }
};

/*
 * sendsms cuts silently past max-messages parts (10 here, 10 x 67 UCS-2
 * characters); longer texts go as several messages.
 */
const struct channel kannel_channel = {
	.name = "kannel",
	.medium = "sms",
	.webhooks = webhooks,
	.reports = reports,
	.part_max = 600,
	.request = kannel_request,
	.answer = kannel_answer,
	.missing = kannel_missing,
};
