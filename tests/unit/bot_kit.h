/*
 * bot_kit.h - a real bot for the unit tests of bot/: a SQLite store in a
 * mkdtemp folder holding the eligibility data of data/ (the import every
 * data file takes) and the demo applications, the catalogues of locales/
 * and the patterns of intents/ (no model: cheap, and the same on every
 * machine).  Run from the top of the tree, as make test does.
 *
 * Replies are compared with the catalogue: kit_want() renders a message
 * the way the bot would, so a test states which message, in which
 * language, with which parameters, never the words themselves.
 */
#ifndef TESTS_BOT_KIT_H
#define TESTS_BOT_KIT_H
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tests/unit/pgtest.h"

#include "base/conf.h"
#include "bot/bot.h"
#include "bot/demo.h"
#include "bot/rules_data.h"
#include "intents/nlu.h"
#include "locales/catalog.h"
#include "locales/sms.h"
#include "store/store.h"

/* The demo's fixed applications (bot/demo.h). */
#define KIT_APP1	"AR-2025-000001"	/* child allowance, approved */
#define KIT_PHONE1	"+998901234567"
#define KIT_APP2	"AR-2025-000002"	/* material aid, in review */
#define KIT_PHONE2	"+998907654321"
#define KIT_STRANGER	"+998935550011"		/* applied for nothing */

struct kit {
	char		 dir[64];
	char		 db[256];	/* a SQLite path or a PostgreSQL URL */
	struct conf	 conf;
	struct store	*st;
	struct nlu	*nlu;
	struct catalog	*cat;
	struct bot	*bot;
	int64_t		 now;		/* advanced a minute a message */
	int		 seq;		/* channel message ids */
	struct bot_out	 out;		/* the last reply */
	enum mj_err	 rc;		/* and its result */
	char		 want[8][2048];	/* kit_want()'s results, in turn */
	int		 nwant;
};

/* 0, or -1 after saying why (the test cannot run). */
static inline int
kit_open(struct kit *k, const char *name)
{
	char	where[1024];

	memset(k, 0, sizeof(*k));
	snprintf(k->dir, sizeof(k->dir), "/tmp/%s_XXXXXX", name);
	if (mkdtemp(k->dir) == NULL)
		return -1;
	{
		char	path[160];

		snprintf(path, sizeof(path), "%s/m.db", k->dir);
		test_store_target(k->db, sizeof(k->db), path);
	}
	if (conf_load(&k->conf, "/dev/null", ".", where, sizeof(where)) == -1 ||
	    nlu_load(&k->nlu, "intents/patterns", where, sizeof(where)) !=
	    MJ_OK || catalog_load(&k->cat, "locales", where, sizeof(where)) !=
	    MJ_OK) {
		fprintf(stderr, "%s: %s\n", name, where);
		return -1;
	}
	if (store_open(&k->st, k->db) != MJ_OK ||
	    rules_data_seed(k->st, k->cat, k->conf.sms_budget, "data", where,
	    sizeof(where)) != MJ_OK || demo_fill(k->st, 20) != MJ_OK ||
	    bot_new(&k->bot, &k->conf, k->st, k->nlu, k->cat) != MJ_OK) {
		fprintf(stderr, "%s: no store (%s)\n", name, where);
		return -1;
	}
	/* 2025-06-02 10:00 in Tashkent: a weekday, outside quiet hours */
	k->now = 1748840400;
	return 0;
}

static inline void
kit_close(struct kit *k)
{
	char	side[300];

	bot_out_free(&k->out);
	bot_free(k->bot);
	store_close(k->st);
	nlu_free(k->nlu);
	catalog_free(k->cat);
	snprintf(side, sizeof(side), "%s/m.db", k->dir);
	unlink(side);
	snprintf(side, sizeof(side), "%s/m.db-wal", k->dir);
	unlink(side);
	snprintf(side, sizeof(side), "%s/m.db-shm", k->dir);
	unlink(side);
	rmdir(k->dir);
}

/*
 * One event from address on channel (phone: what the channel proves, or
 * NULL); the reply's text, "" for none.  A minute passes first, so the
 * per-sender limits never interfere.
 */
static inline const char *
kit_event(struct kit *k, enum bot_event ev, const char *channel,
    const char *address, const char *phone, const char *text)
{
	struct bot_in	in;
	char		id[24];

	bot_out_free(&k->out);
	k->now += 60;
	snprintf(id, sizeof(id), "kit-%d", ++k->seq);
	in = (struct bot_in){ .event = ev, .channel = channel,
	    .address = address, .phone = phone, .msg_id = id, .req = id,
	    .text = text, .len = strlen(text), .now = k->now };
	k->rc = bot_handle(k->bot, &in, &k->out);
	return k->out.text != NULL ? k->out.text : "";
}

static inline const char *
kit_say(struct kit *k, const char *channel, const char *address,
    const char *phone, const char *text)
{
	return kit_event(k, BOT_TEXT, channel, address, phone, text);
}

/*
 * msgid rendered in lang with its parameters (name, value, ..., NULL), as
 * a reply on channel carries it (SMS: made SMS-ready).  The result stays
 * valid for the next seven calls.
 */
static inline const char *
kit_want(struct kit *k, const char *channel, enum lang lang,
    const char *msgid, ...)
{
	struct msg_arg	 args[8];
	size_t		 n = 0;
	va_list		 ap;
	char		*s = NULL, *sms = NULL, *w = k->want[k->nwant++ % 8];

	va_start(ap, msgid);
	while (n < 8 && (args[n].name = va_arg(ap, const char *)) != NULL) {
		args[n].value = va_arg(ap, const char *);
		n++;
	}
	va_end(ap);
	w[0] = '\0';
	if (catalog_render(k->cat, lang, msgid, args, n, &s) != MJ_OK) {
		snprintf(w, 2048, "(no %s in %s)", msgid, lang_tag(lang));
		return w;
	}
	if (bot_channel_is_sms(channel) &&
	    sms_prepare(s, strlen(s), &sms) == MJ_OK)
		snprintf(w, 2048, "%s", sms);
	else
		snprintf(w, 2048, "%s", s);
	free(s);
	free(sms);
	return w;
}

/* A date as the catalogue of lang writes it. */
static inline const char *
kit_date(struct kit *k, enum lang lang, int y, int m, int d)
{
	char	*w = k->want[k->nwant++ % 8];

	if (catalog_date(k->cat, lang, y, m, d, w, 2048) != MJ_OK)
		snprintf(w, 2048, "(no date)");
	return w;
}

/* The first column of the first row of q, as text ("" for none). */
static inline const char *
kit_sql(struct kit *k, const char *q)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*w = k->want[k->nwant++ % 8];

	w[0] = '\0';
	if (test_pg()) {
		PGconn		*c = PQconnectdb(k->db);
		PGresult	*r = PQexec(c, q);

		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
		    !PQgetisnull(r, 0, 0))
			snprintf(w, 2048, "%s", PQgetvalue(r, 0, 0));
		else if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fprintf(stderr, "kit_sql: %s: %s\n", q,
			    PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
		return w;
	}
	if (sqlite3_open(k->db, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return w;
	}
	if (sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(w, 2048, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (st == NULL)
		fprintf(stderr, "kit_sql: %s: %s\n", q, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return w;
}

static inline long long
kit_count(struct kit *k, const char *q)
{
	return atoll(kit_sql(k, q));
}
#endif
