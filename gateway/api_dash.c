/*
 * api_dash.c - the help desk's dashboard (messages per day by channel,
 * intents, languages, unknown-intent rate, median reply times, SMS segments
 * sent, delivery failures, USSD sessions, the most frequent messages not
 * understood), the
 * canned replies from the catalogues, the SMS measure shown while typing,
 * and the audit log for supervisors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lang.h"
#include "base/mask.h"
#include "bot/dialogue.h"
#include "gateway/api_int.h"
#include "locales/catalog.h"
#include "locales/sms.h"
#include "store/helpdesk.h"

/* Reply times: seconds, by seconds, and how many replies took them. */
struct hist {
	int64_t	*secs, *times;
	size_t	 n, cap;
	int64_t	 replies;	/* the sum of times */
};

struct dash {
	json_t		*arr;
	int64_t		 total, unknown, segments, failed, review, ussd;
	struct hist	 bot, agent;
};

static int
day_row(void *arg, const struct hd_stat *s)
{
	struct dash	*d = arg;
	json_t		*o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}",
	    "day", s->k1, "channel", s->k2, "in", (json_int_t)s->v[0],
	    "out", (json_int_t)s->v[1], "segments", (json_int_t)s->v[2],
	    "failed", (json_int_t)s->v[3]);

	d->segments += s->v[2];
	d->failed += s->v[3];
	return o == NULL || json_array_append_new(d->arr, o) != 0;
}

static int
count_row(void *arg, const struct hd_stat *s)
{
	struct dash	*d = arg;
	json_t		*o = json_pack("{s:s, s:I}", "key", s->k1, "n",
	    (json_int_t)s->v[0]);

	d->total += s->v[0];
	if (strcmp(s->k1, "unknown") == 0)
		d->unknown += s->v[0];
	return o == NULL || json_array_append_new(d->arr, o) != 0;
}

static int
unknown_row(void *arg, const struct hd_stat *s)
{
	struct dash	*d = arg;
	int		 changed;
	char		*m = mask_text(s->k1, &changed);
	json_t		*o;

	if (m == NULL)
		return 1;
	/* The latest of them is the one labelled in one click. */
	o = json_pack("{s:o, s:I, s:I, s:s, s:f}", "text", api_str(m), "n",
	    (json_int_t)s->v[0], "message_id", (json_int_t)s->v[1],
	    "intent", s->k2 != NULL ? s->k2 : "", "prob", s->d);
	free(m);
	return o == NULL || json_array_append_new(d->arr, o) != 0;
}

static int
review_row(void *arg, const struct hd_stat *s)
{
	((struct dash *)arg)->review = s->v[0];
	return 0;
}

static int
ussd_row(void *arg, const struct hd_stat *s)
{
	((struct dash *)arg)->ussd = s->v[0];
	return 0;
}

/* Two lists by seconds, the bot's and the agents'. */
static int
secs_row(void *arg, const struct hd_stat *s)
{
	struct dash	*d = arg;
	struct hist	*h = strcmp(s->k1, "agent") == 0 ? &d->agent : &d->bot;

	if (h->n == h->cap) {
		size_t	 cap = h->cap == 0 ? 256 : h->cap * 2;
		int64_t	*n = realloc(h->secs, cap * sizeof(*n));

		if (n == NULL)
			return 1;
		h->secs = n;
		if ((n = realloc(h->times, cap * sizeof(*n))) == NULL)
			return 1;
		h->times = n;
		h->cap = cap;
	}
	h->secs[h->n] = s->v[0];
	h->times[h->n++] = s->v[1];
	h->replies += s->v[1];
	return 0;
}

/* The k-th reply time (from 0) in the sorted counts. */
static int64_t
nth(const struct hist *h, int64_t k)
{
	size_t	i;

	for (i = 0; i + 1 < h->n && k >= h->times[i]; i++)
		k -= h->times[i];
	return h->secs[i];
}

static json_t *
median(const struct hist *h)
{
	if (h->replies <= 0)
		return json_null();
	if (h->replies % 2 == 1)
		return json_real((double)nth(h, h->replies / 2));
	return json_real(((double)nth(h, h->replies / 2 - 1) +
	    (double)nth(h, h->replies / 2)) / 2.0);
}

enum MHD_Result
api_dashboard(struct api *a)
{
	struct dash	 d;
	json_t		*days, *intents, *langs, *top, *med_bot, *med_agent;
	const char	*v;
	long		 ndays = 14;
	int64_t		 to, from;
	enum mj_err	 rc;
	char		 detail[32];

	if ((v = http_arg(a->conn, "days", NULL)) != NULL && *v != '\0') {
		char *end;

		ndays = strtol(v, &end, 10);
		if (*end != '\0' || ndays < 1 || ndays > 366)
			return api_fail(a, 400, "bad_days", "days: 1..366");
	}
	/* Whole Tashkent days (UTC+5), today included. */
	to = (a->now + 5 * 3600) / 86400 * 86400 - 5 * 3600 + 86400;
	from = to - ndays * 86400;
	memset(&d, 0, sizeof(d));
	days = d.arr = json_array();
	rc = store_hd_stats(a->st, HD_STAT_DAYS, from, to, day_row, &d);
	intents = d.arr = json_array();
	if (rc == MJ_OK)
		rc = store_hd_stats(a->st, HD_STAT_INTENTS, from, to,
		    count_row, &d);
	langs = d.arr = json_array();
	if (rc == MJ_OK) {
		int64_t total = d.total, unknown = d.unknown;

		rc = store_hd_stats(a->st, HD_STAT_LANGS, from, to, count_row,
		    &d);
		d.total = total;
		d.unknown = unknown;
	}
	top = d.arr = json_array();
	if (rc == MJ_OK)
		rc = store_hd_stats(a->st, HD_STAT_UNKNOWN_TOP, from, to,
		    unknown_row, &d);
	if (rc == MJ_OK)
		rc = store_hd_stats(a->st, HD_STAT_REVIEW, from, to,
		    review_row, &d);
	if (rc == MJ_OK)
		rc = store_hd_stats(a->st, HD_STAT_USSD, from, to, ussd_row,
		    &d);
	med_bot = med_agent = NULL;
	if (rc == MJ_OK && (rc = store_hd_stats(a->st, HD_STAT_REPLY_SECS,
	    from, to, secs_row, &d)) == MJ_OK) {
		med_bot = median(&d.bot);
		med_agent = median(&d.agent);
	}
	free(d.bot.secs);
	free(d.bot.times);
	free(d.agent.secs);
	free(d.agent.times);
	if (rc != MJ_OK) {
		json_decref(days);
		json_decref(intents);
		json_decref(langs);
		json_decref(top);
		json_decref(med_bot);
		json_decref(med_agent);
		return api_fail_rc(a, rc);
	}
	snprintf(detail, sizeof(detail), "days=%ld", ndays);
	api_audit(a, "dashboard", 0, detail);
	return api_json(a, 200, json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, "
	    "s:I, s:I, s:I, s:f, s:{s:o, s:o}, s:I, s:I, s:I, s:I, s:I}",
	    "from", (json_int_t)from, "to", (json_int_t)to,
	    "days", days, "intents", intents, "langs", langs,
	    "unknown_top", top, "inbound", (json_int_t)d.total,
	    "unknown", (json_int_t)d.unknown, "segments_sent",
	    (json_int_t)d.segments, "unknown_rate", d.total > 0 ?
	    (double)d.unknown / (double)d.total : 0.0,
	    "reply_median_s", "bot", med_bot, "agent", med_agent,
	    "failed", (json_int_t)d.failed, "range_days", (json_int_t)ndays,
	    "review", (json_int_t)d.review, "ussd_sessions",
	    (json_int_t)d.ussd, "unknown_top_scan",
	    (json_int_t)HD_UNKNOWN_SCAN));
}

enum MHD_Result
api_canned(struct api *a)
{
	const struct catalog	*cat = bot_catalog(a->bot);
	json_t			*out = json_object();
	const char		*id;

	if (out == NULL)
		return api_fail_rc(a, MJ_ENOMEM);
	for (int l = 0; l < LANG__COUNT; l++) {
		json_t	*arr = json_array();

		for (size_t i = 0; (id = catalog_msgid_at(cat, i)) != NULL; i++) {
			char	*text = NULL;

			if (strncmp(id, "canned.", 7) != 0 ||
			    catalog_is_plural(cat, id) ||
			    catalog_render(cat, (enum lang)l, id, NULL, 0,
			    &text) != MJ_OK)
				continue;
			json_array_append_new(arr, json_pack("{s:s, s:o}",
			    "id", id + 7, "text", api_str(text)));
			free(text);
		}
		json_object_set_new(out, lang_tag((enum lang)l), arr);
	}
	return api_json(a, 200, out);
}

enum MHD_Result
api_measure(struct api *a)
{
	struct sms_info	 info;
	size_t		 len = 0;
	const char	*text = http_arg(a->conn, "text", &len);
	char		*ready = NULL;

	if (text == NULL || len > 4000)
		return api_fail(a, 400, "bad_text", "text: up to 4000 bytes");
	if (sms_prepare(text, len, &ready) != MJ_OK)
		return api_fail(a, 400, "bad_text", "text: valid UTF-8");
	sms_measure(ready, strlen(ready), &info);
	free(ready);
	return api_json(a, 200, json_pack("{s:i, s:s, s:I}", "segments",
	    info.segments, "encoding", info.coding == SMS_GSM7 ? "gsm7" :
	    "ucs2", "units", (json_int_t)info.units));
}

static int
audit_row(void *arg, const struct hd_audit *au)
{
	json_t	*arr = arg;
	json_t	*o = json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:s}",
	    "id", (json_int_t)au->id, "at", (json_int_t)au->at,
	    "username", au->username, "action", au->action,
	    "conversation", au->contact_id > 0 ?
	    json_integer(au->contact_id) : json_null(),
	    "detail", au->detail, "req", au->req, "ip", au->ip);

	return o == NULL || json_array_append_new(arr, o) != 0;
}

enum MHD_Result
api_audit_list(struct api *a)
{
	const char	*v;
	int64_t		 contact = 0, before = 0, from = 0, to = 0;
	long		 limit = 100;
	json_t		*arr;
	enum mj_err	 rc;

	if (!api_can_reveal(a))
		return api_fail(a, 403, "forbidden",
		    "the audit log is for supervisors");
	if ((v = http_arg(a->conn, "conversation", NULL)) != NULL && *v != '\0')
		contact = strtoll(v, NULL, 10);
	if ((v = http_arg(a->conn, "before", NULL)) != NULL && *v != '\0')
		before = strtoll(v, NULL, 10);
	if ((v = http_arg(a->conn, "limit", NULL)) != NULL && *v != '\0') {
		limit = strtol(v, NULL, 10);
		if (limit < 1 || limit > 500)
			return api_fail(a, 400, "bad_limit", "limit: 1..500");
	}
	if ((v = http_arg(a->conn, "from", NULL)) != NULL && *v != '\0' &&
	    (from = api_day(v)) < 0)
		return api_fail(a, 400, "bad_date", "from: YYYY-MM-DD");
	if ((v = http_arg(a->conn, "to", NULL)) != NULL && *v != '\0') {
		if ((to = api_day(v)) < 0)
			return api_fail(a, 400, "bad_date", "to: YYYY-MM-DD");
		to += 86400;		/* the whole day */
	}
	if ((arr = json_array()) == NULL)
		return api_fail_rc(a, MJ_ENOMEM);
	if ((rc = store_audit_range(a->st, contact, before, from, to,
	    (int)limit, audit_row, arr)) != MJ_OK) {
		json_decref(arr);
		return api_fail_rc(a, rc);
	}
	api_audit(a, "audit.view", contact, "");
	return api_json(a, 200, json_pack("{s:o}", "items", arr));
}
