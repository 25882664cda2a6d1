/*
 * outbox.c - the outbox sender thread (libcurl multi).
 *
 * One loop: take the due rows (oldest first), send those the rate limits
 * allow, wait in curl_multi_poll() for answers or a wake-up, record each
 * outcome in its own transaction.  A chat never has two requests in
 * flight, so its messages arrive in order.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "base/log.h"
#include "base/metrics.h"
#include "gateway/outbox.h"

#define BATCH		64	/* rows looked at per pass */
#define MAX_FLIGHT	32	/* requests in flight at once */
#define RESP_MAX	65536	/* bytes of a provider's answer kept */
#define TG_MAX_CHARS	4096	/* Telegram's limit of a message's text */
/*
 * Kannel's sendsms cuts silently past max-messages parts (10 here, 10 x 67
 * UCS-2 characters); longer texts go as several messages.
 */
#define SMS_MAX_CHARS	600
#define CHATS		4096	/* per-chat rate table (power of two) */

struct flight {
	struct outbox		*ob;
	struct outbox_item	 it;
	CURL			*easy;
	struct curl_slist	*hdrs;
	char			*body;		/* request body */
	char			 resp[RESP_MAX];
	size_t			 resp_len;
	int			 last_part;	/* this request sends the last */
	int			 used;
	enum { P_TELEGRAM, P_KANNEL, P_AGGREGATOR } prov;
};

struct chat_slot {
	char		 address[64];
	int64_t		 last_ms;	/* last send began */
	int		 busy;		/* a request in flight */
};

struct outbox {
	const struct conf	*conf;
	struct store		*st;
	CURLM			*multi;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	int			 stop;
	int64_t			 stop_ms;
	int			 woken;
	struct flight		 fl[MAX_FLIGHT];
	int			 inflight;
	struct chat_slot	 chats[CHATS];
	double			 tokens;	/* global bucket */
	int64_t			 tokens_ms;
	int64_t			 next_scan_ms;
	int64_t			 last_scan_ms;
	struct outbox_result	 done[BATCH + MAX_FLIGHT];	/* not recorded yet */
	size_t			 ndone;
};

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t
outbox_part(const char *text, size_t max, int part, size_t *off)
{
	size_t	start = 0, len = strlen(text);

	for (int p = 0; ; p++) {
		size_t	end, i, cut = 0, n = 0;

		while (start < len && (text[start] == '\n' ||
		    text[start] == ' '))
			start++;
		if (start >= len)
			return 0;
		/* The longest prefix of at most max code points. */
		for (i = start; i < len; i++) {
			if (((unsigned char)text[i] & 0xc0) != 0x80 &&
			    ++n > max)
				break;
		}
		end = i;
		if (end < len) {
			/* Prefer a paragraph, then a line, then a space. */
			const char *seps[] = { "\n\n", "\n", " " };

			for (int k = 0; k < 3 && cut == 0; k++)
				for (size_t j = end; j > start; j--)
					if (strncmp(text + j - 1, seps[k],
					    strlen(seps[k])) == 0 &&
					    j - 1 > start) {
						cut = j - 1;
						break;
					}
			if (cut != 0)
				end = cut;
		}
		if (p == part) {
			*off = start;
			while (end > start && (text[end - 1] == ' ' ||
			    text[end - 1] == '\n'))
				end--;
			return end - start;
		}
		start = end;
	}
}

static struct chat_slot *
chat_slot(struct outbox *ob, const char *address)
{
	uint64_t		 h = 1469598103934665603ULL;
	int64_t			 t = now_ms();
	struct chat_slot	*free_slot = NULL;

	for (const char *p = address; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	/* The chat's own slot wins over any free one on its probe path. */
	for (size_t k = 0; k < 16; k++) {
		struct chat_slot *cs = &ob->chats[(size_t)(h + k) &
		    (CHATS - 1)];

		if (strcmp(cs->address, address) == 0)
			return cs;
		/* An idle slot past its chat's interval is free. */
		if (free_slot == NULL && (cs->address[0] == '\0' ||
		    (!cs->busy && t - cs->last_ms >=
		    ob->conf->outbox_chat_interval_ms)))
			free_slot = cs;
	}
	if (free_slot != NULL) {
		snprintf(free_slot->address, sizeof(free_slot->address), "%s",
		    address);
		free_slot->last_ms = 0;
		free_slot->busy = 0;
	}
	return free_slot;	/* NULL: crowded; try again next pass */
}

static size_t
on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct flight	*f = arg;
	size_t		 len = size * n, room = RESP_MAX - 1 - f->resp_len;

	if (len > room)
		len = room;
	memcpy(f->resp + f->resp_len, ptr, len);
	f->resp_len += len;
	f->resp[f->resp_len] = '\0';
	return size * n;
}

static int
in_flight(struct outbox *ob, int64_t id)
{
	for (int i = 0; i < MAX_FLIGHT; i++)
		if (ob->fl[i].used && ob->fl[i].it.id == id)
			return 1;
	return 0;
}

/* Telegram sendMessage for part parts_sent of the row. */
static int
telegram_request(struct outbox *ob, struct flight *f)
{
	const struct conf	*c = ob->conf;
	char			 url[1024];
	size_t			 off = 0, n;
	json_t			*j;
	char			*part;

	if (c->telegram_token[0] == '\0')
		return -1;
	n = outbox_part(f->it.text, TG_MAX_CHARS, f->it.parts_sent, &off);
	if (n == 0)
		return -1;
	f->last_part = outbox_part(f->it.text, TG_MAX_CHARS,
	    f->it.parts_sent + 1, &(size_t){ 0 }) == 0;
	if ((part = strndup(f->it.text + off, n)) == NULL)
		return -1;
	j = json_pack("{s:s, s:s}", "chat_id", f->it.address, "text", part);
	free(part);
	if (j == NULL)
		return -1;
	/* The keyboard goes with the last part. */
	if (f->it.markup != NULL && f->last_part) {
		json_t *mk = json_loads(f->it.markup, 0, NULL);

		if (mk != NULL)
			json_object_set_new(j, "reply_markup", mk);
	}
	f->body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (f->body == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s/bot%s/sendMessage", c->telegram_api_base,
	    c->telegram_token);
	f->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(f->easy, CURLOPT_URL, url);
	curl_easy_setopt(f->easy, CURLOPT_POSTFIELDS, f->body);
	curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->hdrs);
	return 0;
}

static void	record(struct outbox *);

/* Queue an outcome; record() writes the queue in one transaction. */
static void
outcome(struct outbox *ob, const struct outbox_item *it, const char *state,
    const char *error, int64_t next_try_at)
{
	struct outbox_result	*r;

	if (ob->ndone == sizeof(ob->done) / sizeof(ob->done[0]))
		record(ob);
	r = &ob->done[ob->ndone++];
	memset(r, 0, sizeof(*r));
	r->id = it->id;
	r->msg_id = it->msg_id;
	r->attempts = it->attempts;
	r->parts_sent = it->parts_sent;
	r->state = state;
	snprintf(r->error, sizeof(r->error), "%s", error != NULL ? error : "");
	r->next_try_at = next_try_at;
}

static void
record(struct outbox *ob)
{
	if (ob->ndone > 0 &&
	    store_outbox_set(ob->st, ob->done, ob->ndone, now_ms() / 1000) !=
	    MJ_OK)
		log_err("outbox.record", "rows=%zu err=\"not recorded; they "
		    "will be sent again\"", ob->ndone);
	ob->ndone = 0;
}

/* "%2B998..." : percent-encode everything but unreserved characters. */
static char *
urlenc(CURL *h, const char *s, size_t len)
{
	char	*e = curl_easy_escape(h, s, (int)len), *copy;

	if (e == NULL)
		return NULL;
	copy = strdup(e);
	curl_free(e);
	return copy;
}

/*
 * Kannel sendsms (../shared/kannel/README.md section 4): UTF-8 text with
 * charset=UTF-8, coding=2 unless the text is GSM 7-bit, the plus of the
 * number encoded, and a dlr-url carrying our own message id (sendsms
 * returns none).
 */
static int
kannel_request(struct outbox *ob, struct flight *f)
{
	const struct conf	*c = ob->conf;
	size_t			 off = 0, n, len;
	char			*to, *text, *dlr, dlrbuf[700];
	int			 gsm7 = strcmp(f->it.encoding, "gsm7") == 0;

	if (c->kannel_sendsms_url[0] == '\0')
		return -1;
	n = outbox_part(f->it.text, SMS_MAX_CHARS, f->it.parts_sent, &off);
	if (n == 0)
		return -1;
	f->last_part = outbox_part(f->it.text, SMS_MAX_CHARS,
	    f->it.parts_sent + 1, &(size_t){ 0 }) == 0;
	snprintf(dlrbuf, sizeof(dlrbuf),
	    "%s/sms/dlr?via=sendsms&msgid=%lld&type=%%d", c->public_url,
	    (long long)f->it.msg_id);
	to = urlenc(f->easy, f->it.address, strlen(f->it.address));
	text = urlenc(f->easy, f->it.text + off, n);
	dlr = urlenc(f->easy, dlrbuf, strlen(dlrbuf));
	if (to != NULL && text != NULL && dlr != NULL) {
		len = strlen(c->kannel_sendsms_url) + strlen(to) + strlen(text) +
		    strlen(dlr) + 96;
		if ((f->body = malloc(len)) != NULL)
			snprintf(f->body, len, "%s%sto=%s&text=%s&charset=UTF-8"
			    "&coding=%d&dlr-mask=31&dlr-url=%s",
			    c->kannel_sendsms_url,
			    strchr(c->kannel_sendsms_url, '?') != NULL ? "&" : "?",
			    to, text, gsm7 ? 0 : 2, dlr);
	}
	free(to);
	free(text);
	free(dlr);
	if (f->body == NULL)
		return -1;
	/* The URL holds the credentials: it is never logged. */
	curl_easy_setopt(f->easy, CURLOPT_URL, f->body);
	curl_easy_setopt(f->easy, CURLOPT_HTTPGET, 1L);
	return 0;
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
 * The generic aggregator: the configured JSON template with {to} {text}
 * {id} {callback} filled in (JSON-escaped), POSTed with a bearer token.
 */
static int
aggregator_request(struct outbox *ob, struct flight *f)
{
	const struct conf	*c = ob->conf;
	const char		*t = c->agg_body;
	char			 id[32], cb[700], auth[300], *part;
	size_t			 off = 0, n, len = 0, cap = 0;

	if (c->agg_send_url[0] == '\0')
		return -1;
	n = outbox_part(f->it.text, SMS_MAX_CHARS, f->it.parts_sent, &off);
	if (n == 0 || (part = strndup(f->it.text + off, n)) == NULL)
		return -1;
	f->last_part = outbox_part(f->it.text, SMS_MAX_CHARS,
	    f->it.parts_sent + 1, &(size_t){ 0 }) == 0;
	snprintf(id, sizeof(id), "%lld", (long long)f->it.msg_id);
	snprintf(cb, sizeof(cb), "%s/sms/aggregator/dlr", c->public_url);
	while (*t != '\0') {
		const char	*v = NULL;
		size_t		 k = 0;

		if (strncmp(t, "{to}", 4) == 0)
			v = f->it.address, k = 4;
		else if (strncmp(t, "{text}", 6) == 0)
			v = part, k = 6;
		else if (strncmp(t, "{id}", 4) == 0)
			v = id, k = 4;
		else if (strncmp(t, "{callback}", 10) == 0)
			v = cb, k = 10;
		if (v != NULL) {
			if (json_inside(&f->body, &len, &cap, v) == -1)
				break;
			t += k;
			continue;
		}
		if (len + 2 > cap) {
			char *nb = realloc(f->body, cap + 256);

			if (nb == NULL)
				break;
			f->body = nb;
			cap += 256;
		}
		f->body[len++] = *t++;
		f->body[len] = '\0';
	}
	free(part);
	if (*t != '\0' || f->body == NULL)
		return -1;
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->agg_token);
	f->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	f->hdrs = curl_slist_append(f->hdrs, auth);
	curl_easy_setopt(f->easy, CURLOPT_URL, c->agg_send_url);
	curl_easy_setopt(f->easy, CURLOPT_POSTFIELDS, f->body);
	curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->hdrs);
	return 0;
}

static void
flight_clear(struct outbox *ob, struct flight *f)
{
	struct chat_slot *cs = chat_slot(ob, f->it.address);

	if (cs != NULL)
		cs->busy = 0;
	if (f->easy != NULL) {
		curl_multi_remove_handle(ob->multi, f->easy);
		curl_easy_cleanup(f->easy);
	}
	curl_slist_free_all(f->hdrs);
	free(f->body);
	store_outbox_item_free(&f->it);
	memset(f, 0, sizeof(*f));
	ob->inflight--;
}

/* Start one request; takes ownership of *it (cleared on return). */
static void
launch(struct outbox *ob, struct outbox_item *it, struct chat_slot *cs)
{
	struct flight	*f = NULL;
	int		 rc = -1;

	for (int i = 0; i < MAX_FLIGHT; i++)
		if (!ob->fl[i].used) {
			f = &ob->fl[i];
			break;
		}
	if (f == NULL) {
		store_outbox_item_free(it);
		return;
	}
	memset(f, 0, sizeof(*f));
	f->ob = ob;
	f->it = *it;
	f->used = 1;
	memset(it, 0, sizeof(*it));
	ob->inflight++;
	cs->busy = 1;
	cs->last_ms = now_ms();
	if ((f->easy = curl_easy_init()) == NULL)
		goto fail;
	curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(f->easy, CURLOPT_TIMEOUT,
	    (long)ob->conf->outbox_timeout_s);
	curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->easy, CURLOPT_PRIVATE, f);
	curl_easy_setopt(f->easy, CURLOPT_USERAGENT, "murojaat");
	if (strcmp(f->it.channel, "telegram") == 0) {
		f->prov = P_TELEGRAM;
		rc = telegram_request(ob, f);
	} else if (strcmp(f->it.channel, "sms") == 0) {
		const char *p = f->it.provider[0] != '\0' ? f->it.provider :
		    ob->conf->sms_provider;

		f->prov = strcmp(p, "aggregator") == 0 ? P_AGGREGATOR :
		    P_KANNEL;
		rc = f->prov == P_KANNEL ? kannel_request(ob, f) :
		    aggregator_request(ob, f);
	}
	if (rc == 0 && curl_multi_add_handle(ob->multi, f->easy) == CURLM_OK)
		return;
fail:
	log_err("outbox.launch", "id=%lld chan=%s err=\"cannot build the "
	    "request\"", (long long)f->it.id, f->it.channel);
	{
		/* Not a provider's fault: try again later, within limits. */
		int64_t t = now_ms() / 1000;

		f->it.attempts++;
		outcome(ob, &f->it, f->it.attempts >=
		    ob->conf->outbox_max_attempts ? "failed" : "pending",
		    "cannot build the request", t + 60);
	}
	flight_clear(ob, f);
}

/* Backoff: base 2 s doubling, capped, with full jitter over its upper half. */
static int64_t
backoff_s(const struct conf *c, int attempts)
{
	double	d = 2.0;

	for (int i = 1; i < attempts && d < c->outbox_backoff_cap_s; i++)
		d *= 2;
	if (d > c->outbox_backoff_cap_s)
		d = c->outbox_backoff_cap_s;
	d = d / 2 + (d / 2) * (randombytes_uniform(1001) / 1000.0);
	return (int64_t)(d + 0.5) < 1 ? 1 : (int64_t)(d + 0.5);
}

static void
finish(struct outbox *ob, struct flight *f, CURLcode cc)
{
	long		 status = 0;
	int64_t		 t = now_ms() / 1000, retry_after = -1;
	const char	*state, *why = NULL;
	char		 err[256] = "";
	json_t		*j = NULL;

	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		snprintf(err, sizeof(err), "%s", curl_easy_strerror(cc));
		why = err;
	} else if ((j = json_loads(f->resp, 0, NULL)) != NULL) {
		json_t *p = json_object_get(j, "parameters");
		const char *d = json_string_value(json_object_get(j,
		    "description"));

		if (json_is_integer(json_object_get(p, "retry_after")))
			retry_after = json_integer_value(json_object_get(p,
			    "retry_after"));
		if (d != NULL)
			snprintf(err, sizeof(err), "%ld %s", status, d);
	}
	if (err[0] == '\0')
		snprintf(err, sizeof(err), "HTTP %ld", status);
	why = err;
	if (cc == CURLE_OK && status >= 200 && status < 300) {
		f->it.parts_sent++;
		state = f->last_part ? "sent" : "pending";
		outcome(ob, &f->it, state, NULL, t);
		metrics_sent(metric_chan_of(f->it.channel));
		log_info("msg.out", "id=%lld chan=%s status=%ld part=%d state=%s",
		    (long long)f->it.id, f->it.channel, status,
		    f->it.parts_sent, state);
	} else if (status == 429) {
		/* Rate limited: wait as told; it is not the message's fault. */
		int64_t wait = retry_after > 0 ? retry_after : backoff_s(ob->conf,
		    f->it.attempts + 1);

		outcome(ob, &f->it, "pending", why, t + wait);
		log_warn("outbox.429", "id=%lld chan=%s retry_after=%lld",
		    (long long)f->it.id, f->it.channel, (long long)wait);
	} else if (status == 400 || (status == 403 && f->prov == P_TELEGRAM) ||
	    (status == 404 && f->prov == P_AGGREGATOR)) {
		/* Blocked by the user, chat not found, bad request: final. */
		f->it.attempts++;
		outcome(ob, &f->it, "failed", why, t);
		metrics_send_failed(metric_chan_of(f->it.channel));
		log_warn("outbox.failed", "id=%lld chan=%s status=%ld err=\"%s\"",
		    (long long)f->it.id, f->it.channel, status, why);
	} else {
		int64_t wait;

		f->it.attempts++;
		wait = backoff_s(ob->conf, f->it.attempts);
		state = f->it.attempts >= ob->conf->outbox_max_attempts ?
		    "failed" : "pending";
		outcome(ob, &f->it, state, why, t + wait);
		if (strcmp(state, "failed") == 0)
			metrics_send_failed(metric_chan_of(f->it.channel));
		else
			metrics_send_retry(metric_chan_of(f->it.channel));
		log_warn("outbox.retry", "id=%lld chan=%s status=%ld attempts=%d "
		    "wait_s=%lld state=%s err=\"%s\"", (long long)f->it.id,
		    f->it.channel, status, f->it.attempts, (long long)wait,
		    state, why);
	}
	json_decref(j);
	flight_clear(ob, f);
}

/* Refill the global bucket; 1 token a message, burst of one second. */
static void
refill(struct outbox *ob)
{
	int64_t	t = now_ms();

	ob->tokens += (double)(t - ob->tokens_ms) * ob->conf->outbox_rate /
	    1000.0;
	if (ob->tokens > ob->conf->outbox_rate)
		ob->tokens = ob->conf->outbox_rate;
	ob->tokens_ms = t;
}

/* Start what is due and allowed; returns ms until the next look. */
static int
scan(struct outbox *ob)
{
	struct outbox_item	 items[BATCH];
	size_t			 n = 0;
	int64_t			 t = now_ms();
	int			 wait = 1000, launched = 0;

	if (ob->inflight >= MAX_FLIGHT)
		return 50;
	refill(ob);
	if (ob->tokens < 1)
		return 1 + (int)((1 - ob->tokens) * 1000 / ob->conf->outbox_rate);
	if (store_outbox_due(ob->st, t / 1000, items, BATCH, &n) != MJ_OK)
		return 1000;
	for (size_t i = 0; i < n; i++) {
		struct chat_slot	*cs;
		int64_t			 gap;

		if (in_flight(ob, items[i].id) || ob->inflight >= MAX_FLIGHT ||
		    ob->tokens < 1 ||
		    (cs = chat_slot(ob, items[i].address)) == NULL ||
		    cs->busy) {
			store_outbox_item_free(&items[i]);
			if (wait > 50)
				wait = 50;
			continue;
		}
		gap = cs->last_ms + ob->conf->outbox_chat_interval_ms - t;
		if (gap > 0) {
			store_outbox_item_free(&items[i]);
			if (gap < wait)
				wait = (int)gap;
			continue;
		}
		ob->tokens -= 1;
		launch(ob, &items[i], cs);
		launched++;
	}
	if (n == BATCH && launched > 0)
		wait = 0;
	return wait;
}

static void *
run(void *arg)
{
	struct outbox	*ob = arg;
	int		 running = 0, wait = 0;

	pthread_setname_np(pthread_self(), "mj-outbox");
	for (;;) {
		CURLMsg	*m;
		int	 left, stop, woken;

		pthread_mutex_lock(&ob->lock);
		stop = ob->stop;
		woken = ob->woken;
		ob->woken = 0;
		pthread_mutex_unlock(&ob->lock);
		if (stop && ob->inflight == 0)
			break;
		if (stop && now_ms() - ob->stop_ms > 5000) {
			/* Unanswered: left pending, sent again after restart. */
			for (int i = 0; i < MAX_FLIGHT; i++)
				if (ob->fl[i].used)
					flight_clear(ob, &ob->fl[i]);
			break;
		}
		/* A wake-up brings the next look forward, to at most 2 ms
		 * after the last: under load, one look serves many replies. */
		if (woken && ob->last_scan_ms + 2 < ob->next_scan_ms)
			ob->next_scan_ms = ob->last_scan_ms + 2;
		if (!stop && now_ms() >= ob->next_scan_ms) {
			ob->last_scan_ms = now_ms();
			wait = scan(ob);
			ob->next_scan_ms = now_ms() + wait;
		}
		curl_multi_perform(ob->multi, &running);
		while ((m = curl_multi_info_read(ob->multi, &left)) != NULL) {
			struct flight *f = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    (char **)&f);
			if (f != NULL) {
				finish(ob, f, m->data.result);
				/* A slot is free: look again soon. */
				if (ob->next_scan_ms > now_ms() + 1)
					ob->next_scan_ms = now_ms() + 1;
			}
		}
		record(ob);
		wait = (int)(ob->next_scan_ms - now_ms());
		if (wait < 0)
			wait = 0;
		if (wait > 1000)
			wait = 1000;
		curl_multi_poll(ob->multi, NULL, 0, wait, NULL);
	}
	return NULL;
}

enum mj_err
outbox_start(struct outbox **out, const struct conf *conf, struct store *st)
{
	struct outbox	*ob;

	*out = NULL;
	if ((ob = calloc(1, sizeof(*ob))) == NULL)
		return MJ_ENOMEM;
	ob->conf = conf;
	ob->st = st;
	ob->tokens = conf->outbox_rate;
	ob->tokens_ms = now_ms();
	pthread_mutex_init(&ob->lock, NULL);
	if ((ob->multi = curl_multi_init()) == NULL) {
		free(ob);
		return MJ_ENOMEM;
	}
	if (pthread_create(&ob->thread, NULL, run, ob) != 0) {
		curl_multi_cleanup(ob->multi);
		free(ob);
		return MJ_EINTERNAL;
	}
	*out = ob;
	return MJ_OK;
}

void
outbox_wake(void *arg)
{
	struct outbox	*ob = arg;

	pthread_mutex_lock(&ob->lock);
	ob->woken = 1;
	pthread_mutex_unlock(&ob->lock);
	curl_multi_wakeup(ob->multi);
}

void
outbox_stop(struct outbox *ob)
{
	if (ob == NULL)
		return;
	pthread_mutex_lock(&ob->lock);
	ob->stop = 1;
	ob->stop_ms = now_ms();
	pthread_mutex_unlock(&ob->lock);
	curl_multi_wakeup(ob->multi);
	pthread_join(ob->thread, NULL);
	curl_multi_cleanup(ob->multi);
	pthread_mutex_destroy(&ob->lock);
	free(ob);
}
