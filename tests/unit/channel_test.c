/*
 * channel_test.c - the channel table (gateway/channel.c): which provider
 * carries an outbox row, the request each builds for one part, and how
 * each reads its answer (sent, throttled, retried, refused for good);
 * what each lacks, the fallback to a configured provider, and the file
 * provider's lines.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/conf.h"
#include "check.h"
#include "gateway/channel.h"

static struct outbox_item
item(const char *channel, const char *provider, const char *address)
{
	struct outbox_item	it;

	memset(&it, 0, sizeof(it));
	it.id = 7;
	it.msg_id = 42;
	snprintf(it.channel, sizeof(it.channel), "%s", channel);
	snprintf(it.provider, sizeof(it.provider), "%s", provider);
	snprintf(it.address, sizeof(it.address), "%s", address);
	return it;
}

static void
test_table(struct conf *c)
{
	struct outbox_item	it;

	/* Every route belongs to one channel; names are unique. */
	for (int i = 0; channels[i] != NULL; i++) {
		int sends = strcmp(channels[i]->medium, "ussd") != 0;

		/* USSD providers only call us; every other one sends. */
		CHECK(channels[i]->webhooks != NULL);
		/* One way to send: an HTTP request and its answer, or a
		 * hand-over on this machine. */
		CHECK_INT(channels[i]->request != NULL ||
		    channels[i]->deliver != NULL, sends);
		CHECK_INT(channels[i]->answer != NULL, channels[i]->request !=
		    NULL);
		CHECK(channels[i]->request == NULL ||
		    channels[i]->deliver == NULL);
		CHECK_INT(channels[i]->part_max > 0, sends);
		for (int j = i + 1; channels[j] != NULL; j++)
			CHECK(strcmp(channels[i]->name, channels[j]->name) != 0);
	}
	it = item("telegram", "", "12345");
	CHECK(channel_for(c, &it) == &telegram_channel);
	snprintf(c->sms_provider, sizeof(c->sms_provider), "kannel");
	it = item("sms", "", "+998901234567");
	CHECK(channel_for(c, &it) == &kannel_channel);
	it = item("sms", "aggregator", "+998901234567");
	CHECK(channel_for(c, &it) == &aggregator_channel);
	snprintf(c->sms_provider, sizeof(c->sms_provider), "aggregator");
	it = item("sms", "", "+998901234567");
	CHECK(channel_for(c, &it) == &aggregator_channel);
	it = item("sms", "kannel", "+998901234567");
	CHECK(channel_for(c, &it) == &kannel_channel);
	/* An unknown provider goes by the medium's first channel. */
	it = item("sms", "smpp", "+998901234567");
	CHECK(channel_for(c, &it) == &kannel_channel);
	/* A USSD contact is sent to by SMS (an agent's reply, a notice). */
	it = item("ussd", "", "+998901234567");
	CHECK(channel_for(c, &it) == &aggregator_channel);
	it = item("ussd", "kannel", "+998901234567");
	CHECK(channel_for(c, &it) == &kannel_channel);
	it = item("ussd", "africastalking", "+998901234567");
	CHECK(channel_for(c, &it) == &kannel_channel);
	it = item("nothing", "", "+998901234567");
	CHECK(channel_for(c, &it) == NULL);
	CHECK_INT(telegram_channel.part_max, 4096);
	CHECK_INT(kannel_channel.part_max, 600);
	it = item("sms", "file", "+998901234567");
	CHECK(channel_for(c, &it) == &smsfile_channel);
}

/* What each lacks; a row's unconfigured provider gives way to the default. */
static void
test_missing(struct conf *c)
{
	struct outbox_item	it;

	memset(c, 0, sizeof(*c));
	CHECK_STR(channel_missing(&kannel_channel, c), "kannel.sendsms_url");
	CHECK_STR(channel_missing(&aggregator_channel, c),
	    "aggregator.send_url");
	CHECK_STR(channel_missing(&telegram_channel, c), "telegram.token");
	CHECK(channel_missing(&smsfile_channel, c) == NULL);
	CHECK(channel_missing(NULL, c) == NULL);
	snprintf(c->sms_provider, sizeof(c->sms_provider), "kannel");
	CHECK(channel_default(c, "sms") == &kannel_channel);
	CHECK(channel_default(c, "telegram") == &telegram_channel);
	/* Nothing configured: the row's own provider, to say what it lacks. */
	it = item("sms", "kannel", "+998901234567");
	CHECK(channel_for(c, &it) == &kannel_channel);
	/* A default that is configured takes the rows of one that is not. */
	snprintf(c->sms_provider, sizeof(c->sms_provider), "file");
	CHECK(channel_default(c, "sms") == &smsfile_channel);
	CHECK(channel_for(c, &it) == &smsfile_channel);
	snprintf(c->sms_provider, sizeof(c->sms_provider), "aggregator");
	snprintf(c->agg_send_url, sizeof(c->agg_send_url), "http://agg/send");
	CHECK(channel_for(c, &it) == &aggregator_channel);
	/* ... but a configured row provider keeps its rows. */
	snprintf(c->kannel_sendsms_url, sizeof(c->kannel_sendsms_url),
	    "http://k/cgi-bin/sendsms");
	CHECK(channel_for(c, &it) == &kannel_channel);
	CHECK(channel_missing(&kannel_channel, c) == NULL);
	memset(c, 0, sizeof(*c));
}

/* The file provider: one line per message, mode 0600, text escaped. */
static void
test_smsfile(struct conf *c)
{
	char			 dir[] = "/tmp/channel_test.XXXXXX", path[512];
	char			 buf[512];
	struct outbox_item	 it;
	struct send_answer	 a;
	struct stat		 sb;
	FILE			*f;
	size_t			 n;

	memset(c, 0, sizeof(*c));
	CHECK(mkdtemp(dir) != NULL);
	snprintf(c->db_path, sizeof(c->db_path), "%s/murojaat.db", dir);
	CHECK_STR(smsfile_path(c, path, sizeof(path)),
	    strcat(strcpy(buf, dir), "/outbox-sms.log"));
	snprintf(c->db_path, sizeof(c->db_path), "murojaat.db");
	CHECK_STR(smsfile_path(c, buf, sizeof(buf)), "outbox-sms.log");
	snprintf(c->sms_file, sizeof(c->sms_file), "%s", path);
	CHECK_STR(smsfile_path(c, buf, sizeof(buf)), path);
	it = item("sms", "file", "+998901234567");
	it.segments = 2;
	CHECK_INT(smsfile_channel.deliver(c, &it, "Salom\tdunyo\nikki\\", 17,
	    1, &a), MJ_OK);
	CHECK_INT(a.result, SEND_SENT);
	it.segments = 1;
	CHECK_INT(smsfile_channel.deliver(c, &it, "ikkinchi", 8, 1, &a), MJ_OK);
	CHECK_INT(a.result, SEND_SENT);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	f = fopen(path, "r");
	CHECK(f != NULL);
	n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f != NULL)
		fclose(f);
	/* 2025-03-02T10:41:07Z: 20 characters, then the rest */
	CHECK_INT(n, 2 * 21 + strlen("+998901234567\t2\tSalom\\tdunyo\\nikki"
	    "\\\\\n") + strlen("+998901234567\t1\tikkinchi\n"));
	CHECK(n > 21 && buf[4] == '-' && buf[10] == 'T' && buf[19] == 'Z' &&
	    buf[20] == '\t');
	CHECK(strncmp(buf + 21, "+998901234567\t2\tSalom\\tdunyo\\nikki"
	    "\\\\\n", 37) == 0);
	CHECK(strstr(buf, "\t+998901234567\t1\tikkinchi\n") != NULL);
	/* A file that cannot be opened: not sent, tried again later. */
	snprintf(c->sms_file, sizeof(c->sms_file), "%s/no/such/dir/x.log", dir);
	CHECK_INT(smsfile_channel.deliver(c, &it, "x", 1, 1, &a), MJ_OK);
	CHECK_INT(a.result, SEND_RETRY);
	CHECK(strstr(a.error, "No such file or directory") != NULL);
	unlink(path);
	rmdir(dir);
	memset(c, 0, sizeof(*c));
}

/* channel_urlenc() encodes as curl_easy_escape() does. */
static void
test_urlenc(void)
{
	const char	*in[] = { "+998 90", "a-b.c_d~e", "oʻzbek & Ўзбек",
			    "http://x/sms/dlr?msgid=1&type=%d", "" };
	CURL		*h = curl_easy_init();

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char	*mine = channel_urlenc(in[i], strlen(in[i]));
		char	*theirs = curl_easy_escape(h, in[i], (int)strlen(in[i]));

		CHECK_STR(mine, theirs);
		free(mine);
		curl_free(theirs);
	}
	curl_easy_cleanup(h);
}

static void
test_requests(struct conf *c)
{
	struct outbox_item	it;
	struct send_req		q;

	snprintf(c->telegram_api_base, sizeof(c->telegram_api_base),
	    "http://127.0.0.1:1");
	snprintf(c->telegram_token, sizeof(c->telegram_token), "1:tok");
	it = item("telegram", "", "12345");
	it.markup = strdup("{\"remove_keyboard\":true}");
	CHECK_INT(telegram_channel.request(c, &it, "salom dunyo", 5, 0, &q),
	    MJ_OK);
	CHECK_STR(q.url, "http://127.0.0.1:1/bot1:tok/sendMessage");
	CHECK_STR(q.body, "{\"chat_id\":\"12345\",\"text\":\"salom\"}");
	CHECK_STR(q.headers[0], "Content-Type: application/json");
	CHECK(q.headers[1] == NULL);
	send_req_free(&q);
	/* The keyboard goes with the last part. */
	CHECK_INT(telegram_channel.request(c, &it, "dunyo", 5, 1, &q), MJ_OK);
	CHECK_STR(q.body, "{\"chat_id\":\"12345\",\"text\":\"dunyo\","
	    "\"reply_markup\":{\"remove_keyboard\":true}}");
	send_req_free(&q);
	free(it.markup);
	c->telegram_token[0] = '\0';
	it = item("telegram", "", "12345");
	CHECK_INT(telegram_channel.request(c, &it, "x", 1, 1, &q), MJ_ECONFIG);
	CHECK(q.url == NULL && q.body == NULL);

	snprintf(c->kannel_sendsms_url, sizeof(c->kannel_sendsms_url),
	    "http://k/cgi-bin/sendsms?username=u&password=p");
	snprintf(c->public_url, sizeof(c->public_url), "http://me");
	it = item("sms", "", "+998901234567");
	snprintf(it.encoding, sizeof(it.encoding), "gsm7");
	CHECK_INT(kannel_channel.request(c, &it, "a b", 3, 1, &q), MJ_OK);
	CHECK_STR(q.url, "http://k/cgi-bin/sendsms?username=u&password=p"
	    "&to=%2B998901234567&text=a%20b&charset=UTF-8&coding=0"
	    "&dlr-mask=31&dlr-url=http%3A%2F%2Fme%2Fsms%2Fdlr%3Fvia%3Dsendsms"
	    "%26msgid%3D42%26type%3D%25d");
	CHECK(q.body == NULL);	/* a GET */
	CHECK(q.headers[0] == NULL);
	send_req_free(&q);
	snprintf(it.encoding, sizeof(it.encoding), "ucs2");
	CHECK_INT(kannel_channel.request(c, &it, "ж", 2, 1, &q), MJ_OK);
	CHECK(strstr(q.url, "&text=%D0%B6&charset=UTF-8&coding=2&") != NULL);
	send_req_free(&q);

	snprintf(c->agg_send_url, sizeof(c->agg_send_url), "http://agg/send");
	snprintf(c->agg_token, sizeof(c->agg_token), "T0K");
	snprintf(c->agg_body, sizeof(c->agg_body), "{\"to\":\"{to}\","
	    "\"text\":\"{text}\",\"ref\":\"{id}\",\"cb\":\"{callback}\"}");
	CHECK_INT(aggregator_channel.request(c, &it, "\"hi\"\n", 5, 1, &q),
	    MJ_OK);
	CHECK_STR(q.url, "http://agg/send");
	CHECK_STR(q.body, "{\"to\":\"+998901234567\",\"text\":\"\\\"hi\\\"\\n\","
	    "\"ref\":\"42\",\"cb\":\"http://me/sms/aggregator/dlr\"}");
	CHECK_STR(q.headers[0], "Content-Type: application/json");
	CHECK_STR(q.headers[1], "Authorization: Bearer T0K");
	send_req_free(&q);
}

static void
test_answers(void)
{
	struct send_answer	a;

	telegram_channel.answer(200, "{\"ok\":true,\"result\":"
	    "{\"message_id\":99}}", &a);
	CHECK_INT(a.result, SEND_SENT);
	CHECK_STR(a.provider_id, "99");
	CHECK_STR(a.error, "");
	telegram_channel.answer(429, "{\"ok\":false,\"description\":"
	    "\"Too Many Requests\",\"parameters\":{\"retry_after\":7}}", &a);
	CHECK_INT(a.result, SEND_RETRY);
	CHECK_INT(a.throttled, 1);
	CHECK_INT(a.retry_after_s, 7);
	CHECK_STR(a.error, "429 Too Many Requests");
	telegram_channel.answer(403, "{\"ok\":false,\"description\":"
	    "\"Forbidden: bot was blocked by the user\"}", &a);
	CHECK_INT(a.result, SEND_FAILED);
	CHECK_INT(a.unreachable, 1);
	CHECK_STR(a.error, "403 Forbidden: bot was blocked by the user");
	telegram_channel.answer(400, "{}", &a);
	CHECK_INT(a.result, SEND_FAILED);
	CHECK_INT(a.unreachable, 0);
	CHECK_STR(a.error, "HTTP 400");
	telegram_channel.answer(502, "<html>", &a);
	CHECK_INT(a.result, SEND_RETRY);
	CHECK_INT(a.throttled, 0);
	CHECK_STR(a.error, "HTTP 502");

	kannel_channel.answer(202, "0: Accepted for delivery", &a);
	CHECK_INT(a.result, SEND_SENT);
	CHECK_STR(a.provider_id, "");
	kannel_channel.answer(403, "Authorization failed", &a);
	CHECK_INT(a.result, SEND_RETRY);	/* only Telegram's 403 is final */
	kannel_channel.answer(404, "", &a);
	CHECK_INT(a.result, SEND_RETRY);
	kannel_channel.answer(429, "", &a);
	CHECK_INT(a.throttled, 1);
	CHECK_INT(a.retry_after_s, 0);	/* our backoff */

	aggregator_channel.answer(404, "{\"description\":\"no such number\"}",
	    &a);
	CHECK_INT(a.result, SEND_FAILED);
	CHECK_INT(a.unreachable, 1);
	CHECK_STR(a.error, "404 no such number");
	aggregator_channel.answer(403, "", &a);
	CHECK_INT(a.result, SEND_RETRY);
	aggregator_channel.answer(200, "{\"id\":\"x\"}", &a);
	CHECK_INT(a.result, SEND_SENT);
}

int
main(void)
{
	struct conf	c;

	memset(&c, 0, sizeof(c));
	test_table(&c);
	test_urlenc();
	test_requests(&c);
	test_answers();
	test_missing(&c);
	test_smsfile(&c);
	return check_done("channel_test");
}
