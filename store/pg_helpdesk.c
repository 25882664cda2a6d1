/*
 * pg_helpdesk.c - the help desk's conversations on PostgreSQL
 * (pg_helpdesk.h): the inbox (summaries newest first with keyset paging,
 * the search of message_search's tsvectors, a contact by its own phone),
 * one conversation's head, messages, applications, notes and labels,
 * takeover and resolving, and agents' labels for teaching.
 *
 * As in helpdesk.c the inbox's SQL is built from fixed fragments chosen by
 * the filters present; parameters are numbered as they are added, every
 * value bound.  A search reads its matches newest first in chunks and
 * keeps the first of each conversation, as SQLite's loop over FTS5 does
 * (the query itself is turned into a tsquery by pg_tsquery.c).
 * Holding a conversation reads its holder FOR NO KEY UPDATE, so that two
 * nodes taking it at once decide one after the other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "store/fts_tok.h"
#include "store/helpdesk_int.h"
#include "store/index_int.h"
#include "store/pg_helpdesk.h"
#include "store/pg_int.h"
#include "store/store_int.h"

/* ---- the inbox */

/* SQL of fixed fragments and its parameters, numbered as added. */
struct sqlb {
	char		buf[3072];
	size_t		n;
	struct pgq	p;
};

static void
sq(struct sqlb *b, const char *s)
{
	if (b->n < sizeof(b->buf))
		b->n += (size_t)snprintf(b->buf + b->n, sizeof(b->buf) - b->n,
		    "%s", s);
}

/* "$k" for parameter k. */
static void
sq_ref(struct sqlb *b, int k)
{
	if (b->n < sizeof(b->buf))
		b->n += (size_t)snprintf(b->buf + b->n, sizeof(b->buf) - b->n,
		    "$%d", k);
}

/* A new text parameter, referred to here; its number. */
static int
sq_str(struct sqlb *b, const char *v)
{
	pgq_str(&b->p, v);
	sq_ref(b, b->p.n);
	return b->p.n;
}

static int
sq_int(struct sqlb *b, int64_t v)
{
	pgq_int(&b->p, v);
	sq_ref(b, b->p.n);
	return b->p.n;
}

/* What the inbox shows of a conversation: helpdesk.c's SNIPPET, DIRS. */
#define COLS_HEAD "SELECT c.contact_id, c.channel, k.address, " \
	"coalesce(k.phone, ''), c.lang, coalesce((SELECT body FROM messages " \
	"WHERE contact_id = c.contact_id AND direction = 'in' ORDER BY id " \
	"DESC LIMIT 1), (SELECT body FROM messages WHERE id = " \
	"c.last_msg_id), " \
	"c.snippet), c.last_in_intent, c.status, coalesce(k.held_by, ''), " \
	"c.last_at, k.held_until, c.last_msg_id, c.msgs, c.needs_human, "
#define COLS_TAIL ", c.review, EXISTS (SELECT 1 FROM messages WHERE " \
	"contact_id = c.contact_id AND direction = 'in'), coalesce((SELECT " \
	"direction FROM messages WHERE id = c.last_msg_id), '') "

/* The conversation filters every shape shares. */
static void
inbox_filters(struct sqlb *b, const struct hd_filter *f, int search)
{
	if (f->needs_human)
		sq(b, " AND c.needs_human = 1");
	if (f->unknown)
		sq(b, " AND c.last_in_intent = 'unknown'");
	if (f->review)
		sq(b, " AND c.review > 0");
	if (f->channel != NULL) {
		sq(b, " AND c.channel = ");
		sq_str(b, f->channel);
	}
	if (f->lang != NULL) {
		sq(b, " AND c.lang = ");
		sq_str(b, f->lang);
	}
	if (f->status == HD_OPEN) {
		sq(b, " AND c.status = 'open' AND k.held_until <= ");
		sq_int(b, f->now);
	} else if (f->status == HD_HELD) {
		sq(b, " AND k.held_until > ");
		sq_int(b, f->now);
	} else if (f->status == HD_RESOLVED)
		sq(b, " AND c.status = 'resolved'");
	if (f->from > 0) {
		sq(b, search ? " AND m.created_at >= " : " AND c.last_at >= ");
		sq_int(b, f->from);
	}
	if (f->to > 0) {
		sq(b, search ? " AND m.created_at < " : " AND c.last_at < ");
		sq_int(b, f->to);
	}
}

static void
conv_row(const PGresult *r, int i, struct hd_conv *c)
{
	c->contact_id = pg_int(r, i, 0);
	c->channel = pg_str(r, i, 1);
	c->address = pg_str(r, i, 2);
	c->phone = pg_str(r, i, 3);
	c->lang = pg_str(r, i, 4);
	c->snippet = pg_str(r, i, 5);
	c->last_in_intent = pg_str(r, i, 6);
	c->status = pg_str(r, i, 7);
	c->held_by = pg_str(r, i, 8);
	c->last_at = pg_int(r, i, 9);
	c->held_until = pg_int(r, i, 10);
	c->last_msg_id = pg_int(r, i, 11);
	c->msgs = (int)pg_int(r, i, 12);
	c->needs_human = (int)pg_int(r, i, 13);
	c->match_id = pg_int(r, i, 14);
	c->match = pg_str(r, i, 15);
	c->review = (int)pg_int(r, i, 16);
	c->snippet_in = pg_bool(r, i, 17);
	c->last_dir = pg_str(r, i, 18);
}

/* The list of conversations (no words searched), under st's lock. */
static enum mj_err
inbox_list(struct store *st, const struct hd_filter *f,
    int (*fn)(void *, const struct hd_conv *), void *arg, int *more)
{
	struct sqlb	b;
	PGresult	*r;
	int		 got = 0;

	b.n = 0;
	b.buf[0] = '\0';
	pgq_init(&b.p);
	sq(&b, COLS_HEAD "0, ''" COLS_TAIL);
	if (f->phone != NULL) {
		int	k;

		/* From the contacts with that number, by their indexes. */
		sq(&b, "FROM contacts k JOIN conversations c ON c.contact_id = "
		    "k.id WHERE (k.address = ");
		k = sq_str(&b, f->phone);
		sq(&b, " OR k.phone = ");
		sq_ref(&b, k);
		sq(&b, ")");
	} else
		sq(&b, "FROM conversations c JOIN contacts k ON k.id = "
		    "c.contact_id WHERE true");
	inbox_filters(&b, f, 0);
	if (f->cur_id > 0) {
		sq(&b, " AND (c.last_at, c.contact_id) < (");
		sq_int(&b, f->cur_at);
		sq(&b, ", ");
		sq_int(&b, f->cur_id);
		sq(&b, ")");
	}
	sq(&b, " ORDER BY c.last_at DESC, c.contact_id DESC LIMIT ");
	sq_int(&b, f->limit + 1);
	if ((r = pg_exec(st, "inbox", b.buf, &b.p)) == NULL)
		return MJ_EDB;
	for (int i = 0; i < PQntuples(r); i++) {
		struct hd_conv	c;

		if (got == f->limit) {
			*more = 1;
			break;
		}
		conv_row(r, i, &c);
		got++;
		if (fn(arg, &c) != 0)
			break;
	}
	PQclear(r);
	return MJ_OK;
}

#define SEARCH_CHUNK_MAX	1000	/* matches read at a time, at most */

/*
 * The conversations of the newest matching messages, under st's lock: the
 * matches newest first, a chunk at a time, each conversation once.
 */
static enum mj_err
inbox_search(struct store *st, const struct hd_filter *f,
    const char *tsq, int (*fn)(void *, const struct hd_conv *), void *arg,
    int *more)
{
	const char	*col = f->ids ? "ids" : "words";
	struct sqlb	 b;
	struct seen	 seen;
	int64_t		 cursor = f->cur_id > 0 ? f->cur_id : INT64_MAX;
	int		 k_q, k_cur, k_lim, got = 0, stop = 0;
	int		 chunk = f->limit + 1;

	seen.n = 0;
	b.n = 0;
	b.buf[0] = '\0';
	pgq_init(&b.p);
	sq(&b, COLS_HEAD "m.id, m.body" COLS_TAIL "FROM message_search s "
	    "JOIN messages m ON m.id = s.message_id "
	    "JOIN conversations c ON c.contact_id = m.contact_id "
	    "JOIN contacts k ON k.id = c.contact_id WHERE (s.");
	sq(&b, col);
	sq(&b, "_in @@ ");
	k_q = sq_str(&b, tsq);
	sq(&b, "::tsquery");
	if (f->replies) {
		/* Each row has words in the column of its direction only. */
		sq(&b, " OR s.");
		sq(&b, col);
		sq(&b, "_out @@ ");
		sq_ref(&b, k_q);
		sq(&b, "::tsquery");
	}
	sq(&b, ") AND s.message_id < ");
	k_cur = sq_int(&b, cursor);
	inbox_filters(&b, f, 1);
	sq(&b, " ORDER BY s.message_id DESC LIMIT ");
	k_lim = sq_int(&b, chunk);
	while (!stop) {
		PGresult	*r;
		int		 rows;

		/* The same statement and values, the next window. */
		snprintf(b.p.num[k_cur - 1], sizeof(b.p.num[0]), "%lld",
		    (long long)cursor);
		snprintf(b.p.num[k_lim - 1], sizeof(b.p.num[0]), "%d", chunk);
		if ((r = pg_exec(st, "inbox_search", b.buf, &b.p)) == NULL)
			return MJ_EDB;
		rows = PQntuples(r);
		for (int i = 0; i < rows && !stop; i++) {
			struct hd_conv	c;

			cursor = pg_int(r, i, 14);
			conv_row(r, i, &c);
			if (!seen_add(&seen, c.contact_id))
				continue;
			if (got == f->limit) {
				*more = 1;
				stop = 1;
				break;
			}
			got++;
			if (fn(arg, &c) != 0)
				stop = 1;
		}
		PQclear(r);
		if (rows < chunk)
			break;
		if (chunk < SEARCH_CHUNK_MAX)
			chunk = chunk * 4 < SEARCH_CHUNK_MAX ? chunk * 4 :
			    SEARCH_CHUNK_MAX;
	}
	return MJ_OK;
}

enum mj_err
pg_hd_inbox(struct store *st, const struct hd_filter *f,
    int (*fn)(void *, const struct hd_conv *), void *arg, int *more)
{
	struct fts_tok	*tok;
	char		*tsq = NULL;
	enum mj_err	 rc;

	st = store_reader(st);
	*more = 0;
	if (f->limit < 1 || f->limit > 200 || (f->q != NULL &&
	    f->phone != NULL))
		return MJ_EINPUT;
	pg_lock(st);
	if (f->q == NULL)
		rc = inbox_list(st, f, fn, arg, more);
	else if ((tok = index_tok(st)) == NULL)
		rc = MJ_ENOMEM;
	else if ((rc = pg_tsquery(tok, f->q, &tsq)) == MJ_EINPUT)
		/* The query is the caller's input: never in the log. */
		log_warn("store.inbox", "err=\"not a search query\" len=%zu",
		    strlen(f->q));
	else if (rc == MJ_OK && tsq[0] != '\0')
		rc = inbox_search(st, f, tsq, fn, arg, more);
	pg_unlock(st);
	free(tsq);
	return rc;
}

/* ---- one conversation */

enum mj_err
pg_hd_head(struct store *st, int64_t contact_id, struct hd_head *out)
{
	static const char *const q = "SELECT k.id, k.channel, k.address, "
	    "coalesce(k.phone, ''), k.lang, k.opted_out, "
	    "coalesce(k.held_by, ''), k.held_until, "
	    "coalesce(c.status, 'open'), coalesce(c.needs_human, 0), "
	    "coalesce(c.last_at, k.created_at), coalesce(c.resolved_at, 0), "
	    "coalesce(c.resolved_by, '') FROM contacts k LEFT JOIN "
	    "conversations c ON c.contact_id = k.id WHERE k.id = $1";
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_ENOTFOUND;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	pg_lock(st);
	if ((r = pg_exec(st, "hd_head", q, &p)) == NULL)
		rc = MJ_EDB;
	else if (PQntuples(r) > 0) {
		memset(out, 0, sizeof(*out));
		out->contact_id = pg_int(r, 0, 0);
		pg_copy(r, 0, 1, out->channel, sizeof(out->channel));
		pg_copy(r, 0, 2, out->address, sizeof(out->address));
		pg_copy(r, 0, 3, out->phone, sizeof(out->phone));
		pg_copy(r, 0, 4, out->lang, sizeof(out->lang));
		out->opted_out = (int)pg_int(r, 0, 5);
		pg_copy(r, 0, 6, out->held_by, sizeof(out->held_by));
		out->held_until = pg_int(r, 0, 7);
		pg_copy(r, 0, 8, out->status, sizeof(out->status));
		out->needs_human = (int)pg_int(r, 0, 9);
		out->last_at = pg_int(r, 0, 10);
		out->resolved_at = pg_int(r, 0, 11);
		pg_copy(r, 0, 12, out->resolved_by, sizeof(out->resolved_by));
		rc = MJ_OK;
	}
	PQclear(r);
	pg_unlock(st);
	return rc;
}

/*
 * A reader's listing: sql with p on store_reader(st), each row to
 * row(r, i, cb) until it returns non-zero.
 */
static enum mj_err
listing(struct store *st, const char *op, const char *sql,
    const struct pgq *p, int (*row)(const PGresult *, int, struct row_cb *),
    struct row_cb *cb)
{
	PGresult	*r;

	st = store_reader(st);
	pg_lock(st);
	r = pg_exec(st, op, sql, p);
	for (int i = 0; r != NULL && i < PQntuples(r); i++)
		if (row(r, i, cb) != 0)
			break;
	pg_unlock(st);
	if (r == NULL)
		return MJ_EDB;
	PQclear(r);
	return MJ_OK;
}

static int
msg_row(const PGresult *r, int i, struct row_cb *c)
{
	struct hd_msg	m = {
		.id = pg_int(r, i, 0),
		.direction = pg_str(r, i, 1), .channel = pg_str(r, i, 2),
		.body = pg_str(r, i, 3), .lang = pg_str(r, i, 4),
		.intent = pg_str(r, i, 5), .delivery = pg_str(r, i, 6),
		.encoding = pg_str(r, i, 7), .error = pg_str(r, i, 8),
		.segments = (int)pg_int(r, i, 9),
		.created_at = pg_int(r, i, 10),
		.source = pg_str(r, i, 11), .prob = pg_dbl(r, i, 12),
		.review = (int)pg_int(r, i, 13), .label = pg_str(r, i, 14),
		.label_by = pg_str(r, i, 15),
		.label_at = pg_int(r, i, 16),
		.outbox = pg_str(r, i, 17), .reason = pg_str(r, i, 18),
		.attempts = (int)pg_int(r, i, 19) };

	return ((int (*)(void *, const struct hd_msg *))c->fn)(c->arg, &m);
}

enum mj_err
pg_hd_messages(struct store *st, int64_t contact_id, int64_t before_id,
    int limit, int (*fn)(void *, const struct hd_msg *), void *arg)
{
	static const char *const q = "SELECT * FROM (SELECT m.id, "
	    "m.direction, m.channel, m.body, coalesce(m.lang, ''), "
	    "coalesce(m.intent, ''), m.delivery, coalesce(m.encoding, ''), "
	    "coalesce(o.last_error, ''), coalesce(m.segments, 0), "
	    "m.created_at, coalesce(m.nlu_source, ''), "
	    "coalesce(m.nlu_prob, 0), m.review, coalesce(l.intent, ''), "
	    "coalesce(s.username, ''), coalesce(l.labelled_at, 0), "
	    "coalesce(o.state, ''), coalesce(o.reason, ''), "
	    "coalesce(o.attempts, 0) "
	    "FROM messages m LEFT JOIN outbox o ON o.message_id = m.id "
	    "LEFT JOIN message_labels l ON l.message_id = m.id "
	    "LEFT JOIN staff s ON s.id = l.staff_id "
	    "WHERE m.contact_id = $1 AND m.id < $2 ORDER BY m.id DESC "
	    "LIMIT $3) x ORDER BY 1";
	struct row_cb	c = { (void (*)(void))fn, arg };
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	pgq_int(&p, before_id > 0 ? before_id : INT64_MAX);
	pgq_int(&p, limit);
	return listing(st, "hd_messages", q, &p, msg_row, &c);
}

static int
app_row(const PGresult *r, int i, struct row_cb *c)
{
	struct app_status	a;

	memset(&a, 0, sizeof(a));
	pg_copy(r, i, 0, a.number, sizeof(a.number));
	pg_copy(r, i, 1, a.programme, sizeof(a.programme));
	pg_copy(r, i, 2, a.status, sizeof(a.status));
	pg_copy(r, i, 3, a.phone, sizeof(a.phone));
	pg_copy(r, i, 4, a.pinfl_last4, sizeof(a.pinfl_last4));
	pg_copy(r, i, 5, a.submitted, sizeof(a.submitted));
	pg_copy(r, i, 6, a.decided, sizeof(a.decided));
	pg_copy(r, i, 7, a.payment, sizeof(a.payment));
	return ((int (*)(void *, const struct app_status *))c->fn)(c->arg, &a);
}

enum mj_err
pg_hd_applications(struct store *st, const char *phone,
    int (*fn)(void *, const struct app_status *), void *arg)
{
	static const char *const q = "SELECT number, programme, status, "
	    "applicant_phone, pinfl_last4, submitted_on, "
	    "coalesce(decided_on, ''), coalesce(payment_on, '') "
	    "FROM applications WHERE applicant_phone = $1 "
	    "ORDER BY submitted_on DESC, id DESC LIMIT 50";
	struct row_cb	c = { (void (*)(void))fn, arg };
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, phone);
	return listing(st, "hd_applications", q, &p, app_row, &c);
}

static int
note_row(const PGresult *r, int i, struct row_cb *c)
{
	struct hd_note	n = {
		.id = pg_int(r, i, 0),
		.username = pg_str(r, i, 1), .body = pg_str(r, i, 2),
		.created_at = pg_int(r, i, 3) };

	return ((int (*)(void *, const struct hd_note *))c->fn)(c->arg, &n);
}

enum mj_err
pg_hd_notes(struct store *st, int64_t contact_id,
    int (*fn)(void *, const struct hd_note *), void *arg)
{
	static const char *const q = "SELECT n.id, s.username, n.body, "
	    "n.created_at FROM notes n JOIN staff s ON s.id = n.staff_id "
	    "WHERE n.contact_id = $1 ORDER BY n.id";
	struct row_cb	c = { (void (*)(void))fn, arg };
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	return listing(st, "hd_notes", q, &p, note_row, &c);
}

static int
label_row(const PGresult *r, int i, struct row_cb *c)
{
	return ((int (*)(void *, const char *))c->fn)(c->arg, pg_str(r, i, 0));
}

enum mj_err
pg_hd_labels(struct store *st, int64_t contact_id,
    int (*fn)(void *, const char *), void *arg)
{
	/* C: byte order, as SQLite's BINARY collation sorts. */
	static const char *const q = "SELECT label FROM labels "
	    "WHERE contact_id = $1 ORDER BY label COLLATE \"C\"";
	struct row_cb	c = { (void (*)(void))fn, arg };
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	return listing(st, "hd_labels", q, &p, label_row, &c);
}

enum mj_err
pg_hd_note_add(struct store *st, int64_t contact_id, int64_t staff_id,
    const char *body, int64_t now, int64_t *id)
{
	struct pgq	p;
	int64_t		v = 0;
	enum mj_err	rc;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	pgq_int(&p, staff_id);
	pgq_str(&p, body);
	pgq_int(&p, now);
	rc = pg_one_int(st, "note_add", "INSERT INTO notes (contact_id, "
	    "staff_id, body, created_at) VALUES ($1, $2, $3, $4) "
	    "RETURNING id", &p, &v);
	if (rc == MJ_ENOTFOUND)
		rc = MJ_EDB;
	if (rc == MJ_OK && id != NULL)
		*id = v;
	return rc;
}

enum mj_err
pg_hd_labels_set(struct store *st, int64_t contact_id,
    const char *const *labels, size_t n)
{
	struct pgq	p;
	enum mj_err	rc;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	if ((rc = pg_do(st, "labels_del", "DELETE FROM labels WHERE "
	    "contact_id = $1", &p)) != MJ_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		pgq_init(&p);
		pgq_int(&p, contact_id);
		pgq_str(&p, labels[i]);
		if ((rc = pg_do(st, "label_add", "INSERT INTO labels "
		    "(contact_id, label) VALUES ($1, $2) ON CONFLICT DO "
		    "NOTHING", &p)) != MJ_OK)
			return rc;
	}
	return MJ_OK;
}

/*
 * The contact's holder ("" when free or expired at now), its row locked
 * until the transaction ends: a take or release on another node waits and
 * then sees this one's hold.  NO KEY: rows that refer to the contact
 * (messages, a first summary) are not held up.
 */
static enum mj_err
holder(struct store *st, int64_t contact_id, int64_t now, char *buf,
    size_t len)
{
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_ENOTFOUND;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	if ((r = pg_exec(st, "holder", "SELECT coalesce(held_by, ''), "
	    "held_until FROM contacts WHERE id = $1 FOR NO KEY UPDATE", &p)) ==
	    NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0) {
		if (pg_int(r, 0, 1) > now)
			pg_copy(r, 0, 0, buf, len);
		else
			snprintf(buf, len, "%s", "");
		rc = MJ_OK;
	}
	PQclear(r);
	return rc;
}

enum mj_err
pg_hd_holder(struct store *st, int64_t contact_id, int64_t now, char *buf,
    size_t len)
{
	return holder(st, contact_id, now, buf, len);
}

static enum mj_err
hold(struct store *st, int64_t contact_id, const char *username,
    int64_t until, int64_t now)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	pgq_str_null(&p, username);
	pgq_int(&p, until);
	pgq_int(&p, now);
	return pg_do(st, "hold", "UPDATE contacts SET held_by = $2, "
	    "held_until = $3, updated_at = $4 WHERE id = $1", &p);
}

static const struct hd_hold_ops holds = { holder, hold };

enum mj_err
pg_hd_take(struct store *st, int64_t contact_id, const char *username,
    int64_t until, int force, int64_t now, int *conflict, char *holder_out,
    size_t holderlen)
{
	return hd_take(&holds, st, contact_id, username, until, force, now,
	    conflict, holder_out, holderlen);
}

enum mj_err
pg_hd_release(struct store *st, int64_t contact_id, const char *username,
    int force, int64_t now, int *conflict)
{
	return hd_release(&holds, st, contact_id, username, force, now,
	    conflict);
}

enum mj_err
pg_hd_resolve(struct store *st, int64_t contact_id, const char *username,
    int resolved, int64_t now)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	pgq_int(&p, resolved);
	pgq_int(&p, now);
	pgq_str(&p, username);
	return pg_do(st, "resolve", "UPDATE conversations SET status = CASE "
	    "$2::integer WHEN 1 THEN 'resolved' ELSE 'open' END, "
	    "needs_human = CASE $2 WHEN 1 THEN 0 ELSE needs_human END, "
	    "unknown_streak = CASE $2 WHEN 1 THEN 0 ELSE unknown_streak END, "
	    "resolved_at = CASE $2 WHEN 1 THEN $3::bigint END, "
	    "resolved_by = CASE $2 WHEN 1 THEN $4::text END "
	    "WHERE contact_id = $1", &p);
}

/* ---- teaching */

enum mj_err
pg_hd_label(struct store *st, int64_t msg_id, const char *intent,
    int64_t staff_id, int64_t now, int64_t *contact_id, char *prev,
    size_t prevlen)
{
	static const char *const q_get = "SELECT m.contact_id, m.direction, "
	    "m.review, coalesce(l.intent, '') FROM messages m "
	    "LEFT JOIN message_labels l ON l.message_id = m.id "
	    "WHERE m.id = $1";
	/*
	 * Indexed: no longer queued.  The queue row is locked (an indexer
	 * taking it is waited for; one that comes later skips it and then
	 * sees this label), so that the message is counted in its summary
	 * exactly when the summary holds it.
	 */
	static const char *const q_queued = "SELECT count(*) FROM (SELECT 1 "
	    "FROM index_queue WHERE message_id = $1 FOR UPDATE) x";
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_ENOTFOUND;
	int64_t		 queued = 0;
	int		 review = 0, counted;

	*contact_id = 0;
	snprintf(prev, prevlen, "%s", "");
	pgq_init(&p);
	pgq_int(&p, msg_id);
	if ((rc = pg_one_int(st, "label_queued", q_queued, &p, &queued)) !=
	    MJ_OK)
		return rc == MJ_ENOTFOUND ? MJ_EDB : rc;
	if ((r = pg_exec(st, "label_get", q_get, &p)) == NULL)
		return MJ_EDB;
	rc = MJ_ENOTFOUND;
	if (PQntuples(r) > 0) {
		*contact_id = pg_int(r, 0, 0);
		rc = strcmp(pg_str(r, 0, 1), "in") == 0 ? MJ_OK : MJ_EINPUT;
		review = pg_int(r, 0, 2) != 0;
		pg_copy(r, 0, 3, prev, prevlen);
	}
	PQclear(r);
	if (rc != MJ_OK)
		return rc;
	/* The summary counts it until its first label. */
	counted = review && queued == 0 && prev[0] == '\0';
	pgq_init(&p);
	pgq_int(&p, msg_id);
	pgq_str(&p, intent);
	pgq_int(&p, staff_id);
	pgq_int(&p, now);
	if ((rc = pg_do(st, "label_set", "INSERT INTO message_labels "
	    "(message_id, intent, staff_id, labelled_at) VALUES ($1, $2, $3, "
	    "$4) ON CONFLICT (message_id) DO UPDATE SET intent = $2, "
	    "staff_id = $3, labelled_at = $4", &p)) != MJ_OK || !counted)
		return rc;
	pgq_init(&p);
	pgq_int(&p, *contact_id);
	return pg_do(st, "label_recount", "UPDATE conversations SET review = "
	    "greatest(review - 1, 0) WHERE contact_id = $1", &p);
}

static int
labelled_row(const PGresult *r, int i, struct row_cb *c)
{
	struct hd_labelled	l = {
		.id = pg_int(r, i, 0),
		.body = pg_str(r, i, 1), .lang = pg_str(r, i, 2),
		.intent = pg_str(r, i, 3) };

	return ((int (*)(void *, const struct hd_labelled *))c->fn)(c->arg,
	    &l);
}

enum mj_err
pg_hd_labelled(struct store *st,
    int (*fn)(void *, const struct hd_labelled *), void *arg)
{
	static const char *const q = "SELECT m.id, m.body, "
	    "coalesce(m.lang, ''), l.intent FROM message_labels l "
	    "JOIN messages m ON m.id = l.message_id WHERE m.direction = 'in' "
	    "ORDER BY l.message_id";
	struct row_cb	c = { (void (*)(void))fn, arg };

	return listing(st, "labelled", q, NULL, labelled_row, &c);
}
