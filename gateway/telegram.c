/*
 * telegram.c - the Telegram Bot API channel.
 *   POST /telegram/webhook   the secret token header is compared in
 *                            constant time; the Update is parsed with
 *                            jansson (it rejects invalid UTF-8, \u0000 and
 *                            duplicate keys, and bounds nesting), and
 *                            update_id is the message id that makes
 *                            re-deliveries harmless
 *   sending                  sendMessage, a part of at most 4096
 *                            characters, the keyboard with the last
 *   set-up                   `murojaat telegram set-webhook | info`
 * Private chats only: in a group, a status must not be told to everyone.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "base/log.h"
#include "base/mask.h"
#include "base/phone.h"
#include "bot/keyboard.h"
#include "gateway/channel.h"
#include "gateway/server.h"
#include "gateway/telegram.h"

/* "/start", "/start@murojaat_bot", "/start payload" */
static int
is_command(const char *text, const char *cmd)
{
	size_t	n = strlen(cmd);

	return strncasecmp(text, cmd, n) == 0 &&
	    (text[n] == '\0' || text[n] == ' ' || text[n] == '@');
}

static enum MHD_Result
ok_empty(struct MHD_Connection *conn)
{
	return http_reply(conn, MHD_HTTP_OK, "application/json", "{}", 2);
}

/* Fail with a reason for the 400 answer; nothing of the parse survives. */
static enum mj_err
refuse(struct tg_update *out, json_t *u, const char *why)
{
	json_decref(u);
	out->doc = NULL;
	out->why = why;
	return MJ_EINPUT;
}

/* Acknowledge and do nothing: an update that is not for the bot. */
static enum mj_err
ignore(struct tg_update *out, json_t *u)
{
	json_decref(u);
	out->doc = NULL;
	out->ignore = 1;
	return MJ_OK;
}

enum mj_err
telegram_parse_update(const char *body, size_t len, struct tg_update *out)
{
	const char	*text = NULL, *data = NULL, *ctype;
	json_t		*u, *msg, *from, *chat, *contact, *cq;
	json_error_t	 jerr;
	json_int_t	 from_id;

	memset(out, 0, sizeof(*out));
	out->event = BOT_TEXT;
	out->kind = "message";
	u = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (u == NULL || !json_is_object(u)) {
		out->err_line = jerr.line;
		out->err_col = jerr.column;
		snprintf(out->err_text, sizeof(out->err_text), "%s",
		    u == NULL ? jerr.text : "not an object");
		return refuse(out, u, "malformed JSON");
	}
	if (!json_is_integer(json_object_get(u, "update_id")))
		return refuse(out, u, "update_id missing");
	out->update_id = json_integer_value(json_object_get(u, "update_id"));
	snprintf(out->id, sizeof(out->id), "%" JSON_INTEGER_FORMAT,
	    (json_int_t)out->update_id);
	if ((msg = json_object_get(u, "message")) == NULL &&
	    (msg = json_object_get(u, "edited_message")) != NULL)
		out->kind = "edited_message";
	cq = json_object_get(u, "callback_query");
	if (json_is_object(cq)) {
		out->kind = "callback_query";
		from = json_object_get(cq, "from");
		msg = json_object_get(cq, "message");
		data = json_string_value(json_object_get(cq, "data"));
		if ((out->lang_pick = keyboard_lang_pick(data)) < 0)
			return ignore(out, u);	/* not ours */
		out->event = BOT_LANG_PICK;
		text = data;
	} else if (json_is_object(msg))
		from = json_object_get(msg, "from");
	else	/* channel_post, my_chat_member, ... */
		return ignore(out, u);
	chat = json_object_get(msg, "chat");
	if (!json_is_object(chat) || !json_is_integer(json_object_get(chat,
	    "id")) || !json_is_object(from) ||
	    !json_is_integer(json_object_get(from, "id")))
		return refuse(out, u, "message without chat.id or from.id");
	ctype = json_string_value(json_object_get(chat, "type"));
	if (ctype != NULL && strcmp(ctype, "private") != 0)
		return ignore(out, u);
	out->chat_id = json_integer_value(json_object_get(chat, "id"));
	from_id = json_integer_value(json_object_get(from, "id"));
	out->ui_lang = json_string_value(json_object_get(from,
	    "language_code"));
	snprintf(out->addr, sizeof(out->addr), "%" JSON_INTEGER_FORMAT,
	    (json_int_t)out->chat_id);
	if (out->event == BOT_TEXT) {
		contact = json_object_get(msg, "contact");
		text = json_string_value(json_object_get(msg, "text"));
		if (json_is_object(contact)) {
			json_t *uid = json_object_get(contact, "user_id");

			/* Only the sender's own number proves who they are. */
			if (json_is_integer(uid) &&
			    json_integer_value(uid) == from_id &&
			    phone_e164(json_string_value(json_object_get(
			    contact, "phone_number")), out->phone,
			    sizeof(out->phone)) == 0)
				out->event = BOT_CONTACT;
			else
				out->event = BOT_CONTACT_OTHER;
			text = out->event == BOT_CONTACT ? "[contact: own]" :
			    "[contact: other]";
		} else if (text == NULL)
			return ignore(out, u);	/* sticker, photo, voice... */
		else if (is_command(text, "/start"))
			out->event = BOT_START;
		else if (is_command(text, "/help"))
			out->event = BOT_HELP;
		else if (is_command(text, "/lang"))
			out->event = BOT_LANG_MENU;
	}
	out->text = text;
	out->len = strlen(text);
	out->doc = u;
	return MJ_OK;
}

void
telegram_update_free(struct tg_update *up)
{
	if (up == NULL)
		return;
	json_decref(up->doc);
	up->doc = NULL;
	up->text = NULL;
	up->ui_lang = NULL;
}

static enum MHD_Result
telegram_handle(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const struct conf	*conf = server_conf(s);
	const char		*ctype;
	struct tg_update	 up;
	struct bot_in		 in;
	struct bot_out		 out;
	enum mj_err		 rc;

	(void)method;
	if (conf->telegram_token[0] == '\0' || conf->telegram_secret[0] == '\0') {
		log_warn("telegram.off", "req=%s why=\"%s is not set\"", r->id,
		    conf->telegram_token[0] == '\0' ? "telegram.token" :
		    "telegram.secret");
		return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "telegram is not configured");
	}
	if (!http_secret_equal(conf->telegram_secret, http_header(conn,
	    "X-Telegram-Bot-Api-Secret-Token"))) {
		log_warn("telegram.secret", "req=%s result=refused", r->id);
		return http_error(conn, MHD_HTTP_UNAUTHORIZED, "wrong secret");
	}
	if (r->job != NULL) {
		/* Resumed: the update is stored (or failed); answer now. */
		rc = bot_job_result(r->job, &out);
		bot_job_free(r->job);
		r->job = NULL;
		bot_out_free(&out);
		goto answer;
	}
	ctype = http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)
		return http_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		    "expected application/json");
	if (telegram_parse_update(r->body, r->len, &up) != MJ_OK) {
		if (up.err_text[0] != '\0') {
			/* jansson quotes the text near the fault: mask it */
			int	 changed;
			char	*m = mask_text(up.err_text, &changed);

			log_warn("telegram.bad_json", "req=%s line=%d col=%d "
			    "err=\"%s\"", r->id, up.err_line, up.err_col,
			    m != NULL ? m : "-");
			free(m);
		}
		return http_error(conn, MHD_HTTP_BAD_REQUEST, up.why);
	}
	if (up.ignore)
		return ok_empty(conn);
	memset(&in, 0, sizeof(in));
	in.event = up.event;
	in.lang_pick = up.lang_pick;
	in.phone = up.event == BOT_CONTACT ? up.phone : NULL;
	in.ui_lang = up.ui_lang;
	in.channel = "telegram";
	in.address = up.addr;
	in.msg_id = up.id;
	in.req = r->id;
	in.text = up.text;
	in.len = up.len;
	in.sync = 0;
	in.now = (int64_t)time(NULL);
	rc = server_defer(s, conn, r, &in);
	log_debug("telegram.update", "req=%s kind=%s event=%d rc=%d", r->id,
	    up.kind, (int)in.event, (int)rc);
	telegram_update_free(&up);	/* the job copied what it needs */
	if (rc == MJ_OK)
		return MHD_YES;		/* answered when stored */
answer:
	if (rc == MJ_OK)
		return ok_empty(conn);
	if (http_status_unstored(rc) >= 500)
		/* Not stored: Telegram will deliver the update again.  The
		 * webhook has always answered that with 500, not the 503 of
		 * the table; Telegram retries either. */
		return http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "try again");
	return http_fail(conn, rc, rc == MJ_EINPUT ? "bad text" :
	    "text too long");
}

/* sendMessage of one part; the keyboard goes with the last part. */
static enum mj_err
telegram_request(const struct conf *c, const struct outbox_item *it,
    const char *text, size_t n, int last, struct send_req *out)
{
	char	 url[1024], *part;
	json_t	*j;

	memset(out, 0, sizeof(*out));
	if (c->telegram_token[0] == '\0')
		return MJ_ECONFIG;
	if ((part = strndup(text, n)) == NULL)
		return MJ_ENOMEM;
	j = json_pack("{s:s, s:s}", "chat_id", it->address, "text", part);
	free(part);
	if (j == NULL)
		return MJ_ENOMEM;
	if (it->markup != NULL && last) {
		json_t *mk = json_loads(it->markup, 0, NULL);

		if (mk != NULL)
			json_object_set_new(j, "reply_markup", mk);
	}
	out->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	snprintf(url, sizeof(url), "%s/bot%s/sendMessage", c->telegram_api_base,
	    c->telegram_token);
	out->url = strdup(url);
	out->headers[0] = strdup("Content-Type: application/json");
	sodium_memzero(url, sizeof(url));
	if (out->body == NULL || out->url == NULL || out->headers[0] == NULL) {
		send_req_free(out);
		return MJ_ENOMEM;
	}
	return MJ_OK;
}

/*
 * 403: the user blocked the bot; sending again will not help.  The
 * provider's id is result.message_id.
 */
static void
telegram_answer(long status, const char *body, struct send_answer *out)
{
	json_t	*j, *id;

	channel_answer_common(status, body, out);
	if (status == 403) {
		out->result = SEND_FAILED;
		out->unreachable = 1;
	}
	if (out->result != SEND_SENT ||
	    (j = json_loads(body != NULL ? body : "", 0, NULL)) == NULL)
		return;
	id = json_object_get(json_object_get(j, "result"), "message_id");
	if (json_is_integer(id))
		snprintf(out->provider_id, sizeof(out->provider_id),
		    "%" JSON_INTEGER_FORMAT, json_integer_value(id));
	json_decref(j);
}

static const char *
telegram_missing(const struct conf *c)
{
	return c->telegram_token[0] == '\0' ? "telegram.token" : NULL;
}

static const struct http_route webhooks[] = {
	{ "/telegram/webhook", "POST", telegram_handle, 1 },
	{ NULL, NULL, NULL, 0 }
};

const struct channel telegram_channel = {
	.name = "telegram",
	.medium = "telegram",
	.webhooks = webhooks,
	.reports = NULL,	/* the Bot API tells no delivery */
	.part_max = 4096,	/* the Bot API's limit of a message's text */
	.request = telegram_request,
	.answer = telegram_answer,
	.missing = telegram_missing,
};

static size_t
collect(char *ptr, size_t size, size_t n, void *arg)
{
	char	**buf = arg;
	size_t	  have = *buf != NULL ? strlen(*buf) : 0, add = size * n;
	char	 *nb;

	if (have + add > 1 << 20)
		return 0;
	if ((nb = realloc(*buf, have + add + 1)) == NULL)
		return 0;
	memcpy(nb + have, ptr, add);
	nb[have + add] = '\0';
	*buf = nb;
	return add;
}

/* One Bot API call; prints the result, never the token. */
static int
api_call(const struct conf *c, const char *method, json_t *params)
{
	CURL			*h;
	struct curl_slist	*hdrs;
	char			 url[1024], *body, *resp = NULL;
	long			 status = 0;
	CURLcode		 cc;
	json_t			*j;
	int			 rc = 1;

	snprintf(url, sizeof(url), "%s/bot%s/%s", c->telegram_api_base,
	    c->telegram_token, method);
	body = json_dumps(params, JSON_COMPACT);
	if (body == NULL || (h = curl_easy_init()) == NULL) {
		free(body);
		return 1;
	}
	hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	free(body);
	if (cc != CURLE_OK) {
		fprintf(stderr, "murojaat telegram %s: %s\n", method,
		    curl_easy_strerror(cc));
		free(resp);
		return 1;
	}
	j = resp != NULL ? json_loads(resp, 0, NULL) : NULL;
	if (j != NULL && json_is_true(json_object_get(j, "ok"))) {
		char *pretty = json_dumps(json_object_get(j, "result"),
		    JSON_INDENT(2) | JSON_ENCODE_ANY);

		printf("%s\n", pretty != NULL ? pretty : "true");
		free(pretty);
		rc = 0;
	} else
		fprintf(stderr, "murojaat telegram %s: HTTP %ld: %s\n", method,
		    status, j != NULL && json_string_value(json_object_get(j,
		    "description")) != NULL ? json_string_value(
		    json_object_get(j, "description")) : "no answer");
	json_decref(j);
	free(resp);
	return rc;
}

int
telegram_cmd(const struct conf *c, int argc, char **argv)
{
	json_t	*p;
	int	 rc;

	if (c->telegram_token[0] == '\0') {
		fprintf(stderr, "murojaat telegram: no token: set "
		    "MUROJAAT_TELEGRAM_TOKEN or telegram.token_file\n");
		return 1;
	}
	if (argc >= 2 && strcmp(argv[0], "set-webhook") == 0) {
		if (c->telegram_secret[0] == '\0') {
			fprintf(stderr, "murojaat telegram: no webhook secret: "
			    "set MUROJAAT_TELEGRAM_SECRET\n");
			return 1;
		}
		p = json_pack("{s:s, s:s, s:[s,s,s]}", "url", argv[1],
		    "secret_token", c->telegram_secret, "allowed_updates",
		    "message", "edited_message", "callback_query");
		rc = p != NULL ? api_call(c, "setWebhook", p) : 1;
		json_decref(p);
		return rc;
	}
	if (argc >= 1 && strcmp(argv[0], "info") == 0) {
		p = json_object();
		rc = api_call(c, "getWebhookInfo", p);
		json_decref(p);
		return rc;
	}
	fprintf(stderr, "usage: murojaat telegram set-webhook URL | info\n");
	return 2;
}
