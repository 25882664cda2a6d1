/*
 * ussd_at.c - USSD through Africa's Talking, and every gateway of its
 * shape (https://developers.africastalking.com/docs/ussd/overview):
 *   POST /ussd/africastalking   a form with sessionId, serviceCode,
 *                               phoneNumber, networkCode and text, where
 *                               text is every input of the session so far
 *                               joined by '*' ("" first, then "1", then
 *                               "1*2"); answered text/plain "CON ..."
 *                               (show, wait for input) or "END ..." (show,
 *                               close)
 * The menus, the session and the rows are bot/'s (BOT_USSD); this file
 * reads the request and answers.  USSD has no delivery reports and nothing
 * is sent to it later: what a USSD contact is sent afterwards goes by SMS
 * (channel.c).  A provider that hands over one input at a time (Kannel
 * with SMPP's ussd_service_op and its_session_info) is one more file of
 * this shape, with bot_in.ussd_input set.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <unistr.h>

#include "base/log.h"
#include "base/metrics.h"
#include "base/phone.h"
#include "bot/ussd.h"
#include "gateway/channel.h"
#include "gateway/form.h"
#include "gateway/server.h"
#include "gateway/ussd_at.h"

#define PROVIDER	"africastalking"

/* A session id as gateways make them ("ATUid_0d1f..."): no odd bytes. */
static int
session_ok(const char *s)
{
	size_t	n = strlen(s);

	return n > 0 && n <= USSD_AT_SESSION_MAX && strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    "_.:-") == n;
}

/* Inputs are typed on a keypad; any other text is valid UTF-8 at least. */
static int
text_ok(const char *s, size_t n)
{
	if (u8_check((const uint8_t *)s, n) != NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

const char *
ussd_at_parse(const char *body, size_t len, struct ussd_at_req *q)
{
	char	phone[64];
	size_t	n;
	int	got;

	memset(q, 0, sizeof(*q));
	if ((got = form_field(body, len, "sessionId", q->session,
	    sizeof(q->session), NULL)) == -1 || (got == 1 &&
	    !session_ok(q->session)))
		return "sessionId is not a session id";
	if (got == 0)
		return "missing field sessionId";
	if ((got = form_field(body, len, "phoneNumber", phone, sizeof(phone),
	    NULL)) == 0)
		return "missing field phoneNumber";
	if (got == -1 || phone_e164(phone, q->phone, sizeof(q->phone)) == -1)
		return "phoneNumber is not a phone number";
	if (form_field(body, len, "serviceCode", q->service,
	    sizeof(q->service), &n) == -1 || strspn(q->service,
	    "0123456789*#") != n)
		return "serviceCode is not a USSD code";
	if (form_field(body, len, "text", q->text, sizeof(q->text),
	    &q->len) == -1)
		return "text is malformed or too long";
	if (!text_ok(q->text, q->len))
		return "text is not valid text";
	return NULL;
}

static enum MHD_Result
at_handle(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const struct conf	*c = server_conf(s);
	const char		*ctype, *why;
	struct ussd_at_req	*q;
	struct bot_in		 in;
	struct bot_out		 out;
	enum mj_err		 rc;
	enum MHD_Result		 ret;
	char			 id[USSD_AT_SESSION_MAX + 64];

	(void)method;
	if (r->job != NULL) {
		/* Resumed: the screen is stored (or it failed); answer now. */
		rc = bot_job_result(r->job, &out);
		bot_job_free(r->job);
		r->job = NULL;
		goto answer;
	}
	if (c->ussd_token[0] != '\0' && !http_secret_equal(c->ussd_token,
	    http_arg(conn, "token", NULL))) {
		log_warn("ussd.auth", "req=%s result=refused", r->id);
		return http_error(conn, MHD_HTTP_UNAUTHORIZED, "unauthorized");
	}
	ctype = http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ctype != NULL && strncasecmp(ctype,
	    "application/x-www-form-urlencoded", 33) != 0)
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "not a form (application/x-www-form-urlencoded)");
	if ((q = malloc(sizeof(*q))) == NULL)
		return MHD_NO;
	if ((why = ussd_at_parse(r->body != NULL ? r->body : "", r->len,
	    q)) != NULL) {
		log_warn("ussd.bad_request", "req=%s why=\"%s\"", r->id, why);
		free(q);
		return http_error(conn, MHD_HTTP_BAD_REQUEST, why);
	}
	ussd_request_id(PROVIDER, q->session, q->phone, q->text, q->len, id,
	    sizeof(id));
	in = (struct bot_in){ .event = BOT_USSD, .channel = "ussd",
	    .provider = PROVIDER, .address = q->phone, .phone = q->phone,
	    .msg_id = id, .req = r->id, .text = q->text, .len = q->len,
	    .sync = 1, .now = (int64_t)time(NULL), .session = q->session,
	    .service = q->service[0] != '\0' ? q->service : NULL };
	rc = server_defer(s, conn, r, &in);
	free(q);
	if (rc == MJ_OK)
		return MHD_YES;		/* answered when stored */
	memset(&out, 0, sizeof(out));
answer:
	if (rc != MJ_OK || out.text == NULL) {
		bot_out_free(&out);
		return http_error(conn, http_status_unstored(rc),
		    "temporarily unavailable");
	}
	if (out.ussd_new && !out.duplicate)
		metrics_ussd_session();
	ret = http_reply(conn, MHD_HTTP_OK, "text/plain; charset=utf-8",
	    out.text, strlen(out.text));
	bot_out_free(&out);
	return ret;
}

static const struct http_route webhooks[] = {
	{ "/ussd/africastalking", "POST", at_handle, 1 },
	{ NULL, NULL, NULL, 0 }
};

/* Sessions only: nothing is sent to USSD afterwards (see channel.c). */
const struct channel ussd_at_channel = {
	.name = PROVIDER,
	.medium = "ussd",
	.webhooks = webhooks,
};
