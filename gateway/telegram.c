/*
 * telegram.c - POST /telegram/webhook.  The secret token header is
 * compared in constant time; the Update is parsed with jansson (it rejects
 * invalid UTF-8, \u0000 and duplicate keys, and bounds nesting), and
 * update_id is the message id that makes re-deliveries harmless.
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

#include "bot/keyboard.h"
#include "bot/log.h"
#include "gateway/kannel.h"
#include "gateway/server.h"
#include "gateway/telegram.h"

static int
secret_ok(const char *want, const char *got)
{
	unsigned char	hw[32], hg[32];

	if (got == NULL)
		return 0;
	/* Hash both so that the comparison's time says nothing of length. */
	crypto_generichash(hw, sizeof(hw), (const unsigned char *)want,
	    strlen(want), NULL, 0);
	crypto_generichash(hg, sizeof(hg), (const unsigned char *)got,
	    strlen(got), NULL, 0);
	return sodium_memcmp(hw, hg, sizeof(hw)) == 0;
}

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

enum MHD_Result
telegram_handle(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const struct conf	*conf = server_conf(s);
	const char		*ctype, *text = NULL, *data = NULL,
				*ui = NULL, *kind;
	json_t			*u, *msg, *from, *chat, *contact, *cq;
	json_error_t		 jerr;
	json_int_t		 update_id, chat_id, from_id;
	struct bot_in		 in;
	struct bot_out		 out;
	char			 idbuf[32], addr[32], phone[20];
	enum mj_err		 rc;
	enum MHD_Result		 ret;

	(void)method;
	if (conf->telegram_token[0] == '\0' || conf->telegram_secret[0] == '\0') {
		log_warn("telegram.off", "req=%s why=\"%s is not set\"", r->id,
		    conf->telegram_token[0] == '\0' ? "telegram.token" :
		    "telegram.secret");
		return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "telegram is not configured");
	}
	if (!secret_ok(conf->telegram_secret, http_header(conn,
	    "X-Telegram-Bot-Api-Secret-Token"))) {
		log_warn("telegram.secret", "req=%s result=refused", r->id);
		return http_error(conn, MHD_HTTP_UNAUTHORIZED, "wrong secret");
	}
	ctype = http_header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)
		return http_error(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		    "expected application/json");
	u = json_loadb(r->body != NULL ? r->body : "", r->len,
	    JSON_REJECT_DUPLICATES, &jerr);
	if (u == NULL || !json_is_object(u)) {
		log_warn("telegram.bad_json", "req=%s line=%d col=%d err=\"%s\"",
		    r->id, jerr.line, jerr.column, u == NULL ? jerr.text :
		    "not an object");
		json_decref(u);
		return http_error(conn, MHD_HTTP_BAD_REQUEST, "malformed JSON");
	}
	if (!json_is_integer(json_object_get(u, "update_id"))) {
		json_decref(u);
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "update_id missing");
	}
	update_id = json_integer_value(json_object_get(u, "update_id"));
	snprintf(idbuf, sizeof(idbuf), "%" JSON_INTEGER_FORMAT, update_id);
	memset(&in, 0, sizeof(in));
	in.event = BOT_TEXT;
	kind = "message";
	if ((msg = json_object_get(u, "message")) == NULL &&
	    (msg = json_object_get(u, "edited_message")) != NULL)
		kind = "edited_message";
	cq = json_object_get(u, "callback_query");
	if (json_is_object(cq)) {
		kind = "callback_query";
		from = json_object_get(cq, "from");
		msg = json_object_get(cq, "message");
		data = json_string_value(json_object_get(cq, "data"));
		if ((in.lang_pick = keyboard_lang_pick(data)) < 0) {
			json_decref(u);
			return ok_empty(conn);	/* not ours: ignored */
		}
		in.event = BOT_LANG_PICK;
		text = data;
	} else if (json_is_object(msg))
		from = json_object_get(msg, "from");
	else {
		/* channel_post, my_chat_member, ...: acknowledged, ignored */
		json_decref(u);
		return ok_empty(conn);
	}
	chat = json_object_get(msg, "chat");
	if (!json_is_object(chat) || !json_is_integer(json_object_get(chat,
	    "id")) || !json_is_object(from) ||
	    !json_is_integer(json_object_get(from, "id"))) {
		json_decref(u);
		return http_error(conn, MHD_HTTP_BAD_REQUEST,
		    "message without chat.id or from.id");
	}
	if (json_string_value(json_object_get(chat, "type")) != NULL &&
	    strcmp(json_string_value(json_object_get(chat, "type")),
	    "private") != 0) {
		json_decref(u);
		return ok_empty(conn);
	}
	chat_id = json_integer_value(json_object_get(chat, "id"));
	from_id = json_integer_value(json_object_get(from, "id"));
	ui = json_string_value(json_object_get(from, "language_code"));
	snprintf(addr, sizeof(addr), "%" JSON_INTEGER_FORMAT, chat_id);
	if (in.event == BOT_TEXT) {
		contact = json_object_get(msg, "contact");
		text = json_string_value(json_object_get(msg, "text"));
		if (json_is_object(contact)) {
			json_t *uid = json_object_get(contact, "user_id");

			/* Only the sender's own number proves who they are. */
			if (json_is_integer(uid) &&
			    json_integer_value(uid) == from_id &&
			    kannel_phone(json_string_value(json_object_get(
			    contact, "phone_number")), phone,
			    sizeof(phone)) == 0) {
				in.event = BOT_CONTACT;
				in.phone = phone;
			} else
				in.event = BOT_CONTACT_OTHER;
			text = in.event == BOT_CONTACT ? "[contact: own]" :
			    "[contact: other]";
		} else if (text == NULL) {
			/* a sticker, photo, voice...: acknowledged, ignored */
			json_decref(u);
			return ok_empty(conn);
		} else if (is_command(text, "/start"))
			in.event = BOT_START;
		else if (is_command(text, "/help"))
			in.event = BOT_HELP;
		else if (is_command(text, "/lang"))
			in.event = BOT_LANG_MENU;
	}
	in.ui_lang = ui;
	in.channel = "telegram";
	in.address = addr;
	in.msg_id = idbuf;
	in.req = r->id;
	in.text = text;
	in.len = strlen(text);
	in.sync = 0;
	in.now = (int64_t)time(NULL);
	rc = bot_handle(server_bot(s), &in, &out);
	log_debug("telegram.update", "req=%s kind=%s event=%d rc=%d", r->id,
	    kind, (int)in.event, (int)rc);
	json_decref(u);	/* text, ui and data pointed into it */
	bot_out_free(&out);
	switch (rc) {
	case MJ_OK:
		ret = ok_empty(conn);
		break;
	case MJ_EINPUT:
		ret = http_error(conn, MHD_HTTP_BAD_REQUEST, "bad text");
		break;
	case MJ_ETOOBIG:
		ret = http_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    "text too long");
		break;
	default:
		/* Not stored: Telegram will deliver the update again. */
		ret = http_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "try again");
	}
	return ret;
}

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
