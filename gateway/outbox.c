/*
 * outbox.c - the outbox sender thread (libcurl multi).
 *
 * One loop: take the due rows (oldest first), send those the rate limits
 * allow, wait in curl_multi_poll() for answers or a wake-up, record each
 * outcome in its own transaction.  A chat never has two requests in
 * flight, so its messages arrive in order.  What a request holds and what
 * an answer means is each provider's, behind the channel table
 * (channel.h); this file names none.  A provider on this machine (deliver)
 * is handed the part at once, and its answer read the same way.
 *
 * Every row not sent says why in outbox.reason: no_provider (not
 * configured: it waits, no attempt counted, and goes once one is),
 * retrying, gave_up, refused, unreachable.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "base/log.h"
#include "base/metrics.h"
#include "gateway/channel.h"
#include "gateway/outbox.h"

#define BATCH		64	/* rows looked at per pass */
#define MAX_FLIGHT	32	/* requests in flight at once */
/*
 * Outcomes are recorded in one transaction once RECORD_MIN have come or
 * the oldest is RECORD_MS old, and always before the next look at what is
 * due (a row sent but not recorded is still pending in the store).
 */
#define RECORD_MIN	32
#define RECORD_MS	5
/* The request that wrote an item's message, for its log lines. */
#define REQ(it)		((it)->req[0] != '\0' ? (it)->req : "-")
#define RESP_MAX	65536	/* bytes of a provider's answer kept */
#define CHATS		4096	/* per-chat rate table (power of two) */
/*
 * A row whose provider is not configured waits this long between looks;
 * the configuration is read at start-up, and outbox_start() makes every
 * such row due again.
 */
#define WAIT_PROVIDER_S	3600

struct flight {
	struct outbox		*ob;
	struct outbox_item	 it;
	const struct channel	*ch;		/* who carries it */
	CURL			*easy;
	struct send_req		 q;		/* what is sent */
	struct curl_slist	*hdrs;		/* q's headers, for curl */
	char			 resp[RESP_MAX];
	size_t			 resp_len;
	int			 last_part;	/* this request sends the last */
	int			 used;
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
	CURL			*idle[MAX_FLIGHT];	/* each slot's handle,
							 * kept between sends */
	int			 inflight;
	struct chat_slot	 chats[CHATS];
	double			 tokens;	/* global bucket */
	int64_t			 tokens_ms;
	int64_t			 next_scan_ms;
	int64_t			 last_scan_ms;
	struct outbox_result	 done[BATCH + MAX_FLIGHT];	/* not recorded yet */
	size_t			 ndone;
	int64_t			 done_ms;	/* when the first of them came */
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

static void	record(struct outbox *);

/* Queue an outcome; record() writes the queue in one transaction. */
static void
outcome(struct outbox *ob, const struct outbox_item *it, const char *state,
    const char *error, const char *reason, int64_t next_try_at)
{
	struct outbox_result	*r;

	if (ob->ndone == sizeof(ob->done) / sizeof(ob->done[0]))
		record(ob);
	if (ob->ndone == 0)
		ob->done_ms = now_ms();
	r = &ob->done[ob->ndone++];
	memset(r, 0, sizeof(*r));
	r->id = it->id;
	r->msg_id = it->msg_id;
	r->attempts = it->attempts;
	r->parts_sent = it->parts_sent;
	r->state = state;
	snprintf(r->error, sizeof(r->error), "%s", error != NULL ? error : "");
	r->reason = reason;
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

static void
flight_clear(struct outbox *ob, struct flight *f)
{
	struct chat_slot *cs = chat_slot(ob, f->it.address);

	if (cs != NULL)
		cs->busy = 0;
	if (f->easy != NULL) {
		/* Kept for the slot's next send: no allocation per message. */
		curl_multi_remove_handle(ob->multi, f->easy);
		curl_easy_reset(f->easy);
		if (ob->idle[f - ob->fl] == NULL)
			ob->idle[f - ob->fl] = f->easy;
		else
			curl_easy_cleanup(f->easy);
	}
	curl_slist_free_all(f->hdrs);
	send_req_free(&f->q);
	store_outbox_item_free(&f->it);
	memset(f, 0, sizeof(*f));
	ob->inflight--;
}

/* The row's next part: its start in *off, its length (0: none left). */
static size_t
next_part(struct flight *f, size_t *off)
{
	size_t	n;

	*off = 0;
	n = outbox_part(f->it.text, f->ch->part_max, f->it.parts_sent, off);
	f->last_part = outbox_part(f->it.text, f->ch->part_max,
	    f->it.parts_sent + 1, &(size_t){ 0 }) == 0;
	return n;
}

/* The channel's request for the row's next part, set on f->easy. */
static enum mj_err
build(struct outbox *ob, struct flight *f)
{
	size_t		off, n;
	enum mj_err	rc;

	if ((n = next_part(f, &off)) == 0)
		return MJ_EINTERNAL;
	if ((rc = f->ch->request(ob->conf, &f->it, f->it.text + off, n,
	    f->last_part, &f->q)) != MJ_OK)
		return rc;
	for (int i = 0; i < SEND_HEADERS && f->q.headers[i] != NULL; i++) {
		struct curl_slist *h = curl_slist_append(f->hdrs,
		    f->q.headers[i]);

		if (h == NULL)
			return MJ_ENOMEM;
		f->hdrs = h;
	}
	curl_easy_setopt(f->easy, CURLOPT_URL, f->q.url);
	if (f->q.body != NULL)
		curl_easy_setopt(f->easy, CURLOPT_POSTFIELDS, f->q.body);
	else
		curl_easy_setopt(f->easy, CURLOPT_HTTPGET, 1L);
	if (f->hdrs != NULL)
		curl_easy_setopt(f->easy, CURLOPT_HTTPHEADER, f->hdrs);
	return MJ_OK;
}

/*
 * The row could not be handed to a provider.  Not configured: it waits,
 * without counting an attempt, said once in the log per row.  No channel
 * carries it: it fails.  Else (memory): try again later, within limits.
 */
static void
not_handed(struct outbox *ob, struct flight *f, enum mj_err rc)
{
	int64_t		 t = now_ms() / 1000;
	const char	*miss;
	char		 err[160];
	int		 gave_up;

	if (f->ch == NULL) {
		f->it.attempts++;
		snprintf(err, sizeof(err), "no provider carries channel %s",
		    f->it.channel);
		outcome(ob, &f->it, "failed", err, "unreachable", t);
		metrics_send_failed(metric_chan_of(f->it.channel));
		log_warn("outbox.failed", "req=%s id=%lld chan=%s err=\"%s\"",
		    REQ(&f->it), (long long)f->it.id, f->it.channel, err);
		return;
	}
	if (rc == MJ_ECONFIG) {
		miss = channel_missing(f->ch, ob->conf);
		snprintf(err, sizeof(err), "%s is not set", miss != NULL ?
		    miss : f->ch->name);
		if (strcmp(f->it.reason, "no_provider") != 0)
			log_warn("outbox.waiting", "req=%s id=%lld chan=%s "
			    "via=%s missing=%s why=\"not sent: it waits in the "
			    "outbox until a provider is configured\"",
			    REQ(&f->it), (long long)f->it.id, f->it.channel,
			    f->ch->name, miss != NULL ? miss : "-");
		ob->tokens += 1;	/* nothing went out */
		outcome(ob, &f->it, "pending", err, "no_provider",
		    t + WAIT_PROVIDER_S);
		return;
	}
	log_err("outbox.launch", "req=%s id=%lld chan=%s err=\"cannot build "
	    "the request\"", REQ(&f->it), (long long)f->it.id, f->it.channel);
	f->it.attempts++;
	gave_up = f->it.attempts >= ob->conf->outbox_max_attempts;
	outcome(ob, &f->it, gave_up ? "failed" : "pending",
	    "cannot build the request", gave_up ? "gave_up" : "retrying",
	    t + 60);
}

static void	settle(struct outbox *, struct flight *, long,
		    const struct send_answer *);

/* A provider on this machine: hand the part over now. */
static void
hand_over(struct outbox *ob, struct flight *f)
{
	struct send_answer	a;
	size_t			off, n;
	enum mj_err		rc = MJ_EINTERNAL;

	if ((n = next_part(f, &off)) > 0)
		rc = f->ch->deliver(ob->conf, &f->it, f->it.text + off, n,
		    f->last_part, &a);
	if (rc != MJ_OK)
		not_handed(ob, f, rc);
	else
		settle(ob, f, 0, &a);
}

/* Start one request; takes ownership of *it (cleared on return). */
static void
launch(struct outbox *ob, struct outbox_item *it, struct chat_slot *cs)
{
	struct flight	*f = NULL;
	enum mj_err	 rc = MJ_ENOMEM;

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
	if ((f->ch = channel_for(ob->conf, &f->it)) == NULL) {
		not_handed(ob, f, MJ_ECONFIG);
		flight_clear(ob, f);
		return;
	}
	if (f->ch->deliver != NULL) {
		hand_over(ob, f);
		flight_clear(ob, f);
		return;
	}
	if ((f->easy = ob->idle[f - ob->fl]) != NULL)
		ob->idle[f - ob->fl] = NULL;
	else
		f->easy = curl_easy_init();
	if (f->easy != NULL) {
		curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(f->easy, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(f->easy, CURLOPT_TIMEOUT,
		    (long)ob->conf->outbox_timeout_s);
		curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
		curl_easy_setopt(f->easy, CURLOPT_PRIVATE, f);
		curl_easy_setopt(f->easy, CURLOPT_USERAGENT, "murojaat");
		rc = build(ob, f);
		if (rc == MJ_OK && curl_multi_add_handle(ob->multi, f->easy) !=
		    CURLM_OK)
			rc = MJ_EINTERNAL;
	}
	if (rc == MJ_OK)
		return;
	not_handed(ob, f, rc);
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

/* Record what the provider's answer means for the row. */
static void
settle(struct outbox *ob, struct flight *f, long status,
    const struct send_answer *a)
{
	int64_t		 t = now_ms() / 1000;
	const char	*state;

	if (a->result == SEND_SENT) {
		f->it.parts_sent++;
		state = f->last_part ? "sent" : "pending";
		outcome(ob, &f->it, state, NULL, NULL, t);
		metrics_sent(metric_chan_of(f->it.channel));
		log_info("msg.out", "req=%s id=%lld chan=%s via=%s status=%ld "
		    "part=%d state=%s ext=%s", REQ(&f->it), (long long)f->it.id,
		    f->it.channel,
		    f->ch->name, status, f->it.parts_sent, state,
		    a->provider_id[0] != '\0' ? a->provider_id : "-");
	} else if (a->result == SEND_RETRY && a->throttled) {
		/* Rate limited: wait as told; it is not the message's fault. */
		int64_t wait = a->retry_after_s > 0 ? a->retry_after_s :
		    backoff_s(ob->conf, f->it.attempts + 1);

		outcome(ob, &f->it, "pending", a->error, NULL, t + wait);
		log_warn("outbox.429", "req=%s id=%lld chan=%s retry_after=%lld",
		    REQ(&f->it), (long long)f->it.id, f->it.channel,
		    (long long)wait);
	} else if (a->result == SEND_FAILED) {
		/* Refused for good (blocked, no such chat, bad request). */
		f->it.attempts++;
		outcome(ob, &f->it, "failed", a->error, a->unreachable ?
		    "unreachable" : "refused", t);
		metrics_send_failed(metric_chan_of(f->it.channel));
		log_warn("outbox.failed", "req=%s id=%lld chan=%s status=%ld "
		    "err=\"%s\"", REQ(&f->it), (long long)f->it.id,
		    f->it.channel, status, a->error);
	} else {
		int64_t wait;

		f->it.attempts++;
		wait = backoff_s(ob->conf, f->it.attempts);
		state = f->it.attempts >= ob->conf->outbox_max_attempts ?
		    "failed" : "pending";
		outcome(ob, &f->it, state, a->error, strcmp(state, "failed") ==
		    0 ? "gave_up" : "retrying", t + wait);
		if (strcmp(state, "failed") == 0)
			metrics_send_failed(metric_chan_of(f->it.channel));
		else
			metrics_send_retry(metric_chan_of(f->it.channel));
		log_warn("outbox.retry", "req=%s id=%lld chan=%s status=%ld "
		    "attempts=%d wait_s=%lld state=%s err=\"%s\"", REQ(&f->it),
		    (long long)f->it.id,
		    f->it.channel, status, f->it.attempts, (long long)wait,
		    state, a->error);
	}
}

static void
finish(struct outbox *ob, struct flight *f, CURLcode cc)
{
	long			 status = 0;
	struct send_answer	 a;

	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
	if (cc == CURLE_OK)
		f->ch->answer(status, f->resp, &a);
	else {
		/* Cut short: a status that came still says whose fault it
		 * is, but nothing was surely accepted. */
		f->ch->answer(status, "", &a);
		if (a.result == SEND_SENT)
			a.result = SEND_RETRY;
		a.retry_after_s = 0;
		snprintf(a.error, sizeof(a.error), "%s",
		    curl_easy_strerror(cc));
	}
	settle(ob, f, status, &a);
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
	record(ob);
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
		if (stop && ob->inflight == 0) {
			record(ob);
			break;
		}
		if (stop && now_ms() - ob->stop_ms > 5000) {
			/* Unanswered: left pending, sent again after restart. */
			for (int i = 0; i < MAX_FLIGHT; i++)
				if (ob->fl[i].used)
					flight_clear(ob, &ob->fl[i]);
			record(ob);
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
		if (ob->ndone > 0 && (stop || ob->ndone >= RECORD_MIN ||
		    now_ms() - ob->done_ms >= RECORD_MS))
			record(ob);
		wait = (int)(ob->next_scan_ms - now_ms());
		if (ob->ndone > 0 && ob->done_ms + RECORD_MS - now_ms() < wait)
			wait = (int)(ob->done_ms + RECORD_MS - now_ms());
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
	/* Nodes sharing a PostgreSQL database: leases and per-chat pacing. */
	store_outbox_pacing(st, conf->outbox_lease_s,
	    conf->outbox_chat_interval_ms);
	{
		char	host[64] = "", node[128];

		gethostname(host, sizeof(host) - 1);
		snprintf(node, sizeof(node), "%s:%d", host, conf->http_port);
		if (store_outbox_node(st, node) != MJ_OK)
			log_warn("outbox.node", "err=\"this node's earlier "
			    "leases are left to run out\"");
	}
	/* The configuration may name a provider those rows waited for. */
	if (store_outbox_recheck(st, (int64_t)time(NULL)) != MJ_OK)
		log_warn("outbox.recheck", "err=\"rows waiting for a provider "
		    "are looked at within the hour\"");
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
	for (int i = 0; i < MAX_FLIGHT; i++)
		if (ob->idle[i] != NULL)
			curl_easy_cleanup(ob->idle[i]);
	curl_multi_cleanup(ob->multi);
	pthread_mutex_destroy(&ob->lock);
	free(ob);
}
