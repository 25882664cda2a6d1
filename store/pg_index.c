/*
 * pg_index.c - the help desk's indexer on PostgreSQL (pg_index.h).
 *
 * SQLite follows a cursor, "every message up to id N"; identities of
 * several nodes commit out of order, so PostgreSQL queues each message in
 * index_queue with its own transaction and the indexer deletes the rows it
 * takes: a message is indexed by the transaction that deleted its row, and
 * by no other.  The summaries are index.c's folds; the search rows hold
 * the same tokens as SQLite's messages_fts and message_ids_fts (the body
 * with every identifier masked, the identifiers' digits apart), in the
 * column of the message's direction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/mask.h"
#include "store/fts_tok.h"
#include "store/index_int.h"
#include "store/pg_index.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "store/store_int.h"

#define TS_POS_MAX	16383	/* PostgreSQL's highest position */
#define TS_LEX_MAX	2046	/* bytes of a lexeme (PostgreSQL: < 2 KiB) */

/* A string that grows; oom once an allocation failed. */
struct sbuf {
	char	*p;
	size_t	 n, cap;
	int	 oom;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t	 cap = b->cap ? b->cap : 256;
		char	*p;

		while (cap < b->n + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

struct tsv {
	struct sbuf	b;
	int		pos;
};

/* One token as 'lexeme':position, quotes and backslashes escaped. */
static int
tsv_token(void *arg, const char *tok, size_t n)
{
	struct tsv	*t = arg;
	char		 num[16];

	if (n == 0)
		return 0;
	if (n > TS_LEX_MAX) {		/* cut at a character's start */
		n = TS_LEX_MAX;
		while (n > 0 && ((unsigned char)tok[n] & 0xC0) == 0x80)
			n--;
	}
	if (t->pos < TS_POS_MAX)
		t->pos++;
	if (t->b.n > 0)
		sb_add(&t->b, " ", 1);
	sb_add(&t->b, "'", 1);
	for (size_t i = 0; i < n; i++) {
		if (tok[i] == '\'' || tok[i] == '\\')
			sb_add(&t->b, &tok[i], 1);
		sb_add(&t->b, &tok[i], 1);
	}
	snprintf(num, sizeof(num), "':%d", t->pos);
	sb_add(&t->b, num, strlen(num));
	return t->b.oom;
}

enum mj_err
pg_tsvector(struct fts_tok *tok, const char *text, char **out)
{
	struct tsv	t = { { NULL, 0, 0, 0 }, 0 };
	enum mj_err	rc;

	*out = NULL;
	sb_add(&t.b, "", 0);
	rc = fts_tok_each(tok, text, strlen(text), tsv_token, &t);
	if (rc == MJ_OK && t.b.oom)
		rc = MJ_ENOMEM;
	if (rc != MJ_OK) {
		free(t.b.p);
		return rc;
	}
	*out = t.b.p;
	return MJ_OK;
}

/* message's search row: its masked words, its identifiers' digits. */
static enum mj_err
search_row(struct store *st, struct fts_tok *tok, int64_t id,
    int64_t contact_id, const char *body, int in)
{
	static const char *const q_ins = "INSERT INTO message_search "
	    "(message_id, contact_id, words_in, words_out, ids_in, ids_out) "
	    "VALUES ($1, $2, $3::tsvector, $4::tsvector, $5::tsvector, "
	    "$6::tsvector) ON CONFLICT (message_id) DO NOTHING";
	char		*masked, *words = NULL, *ids = NULL, idt[1024] = "";
	int		 changed;
	struct pgq	 p;
	enum mj_err	 rc;

	if ((masked = mask_text_all(body, &changed)) == NULL)
		return MJ_ENOMEM;
	rc = pg_tsvector(tok, masked, &words);
	free(masked);
	/* Digits are masked only where there was an identifier. */
	if (rc == MJ_OK && changed) {
		mask_ids(body, idt, sizeof(idt));
		if (idt[0] != '\0')
			rc = pg_tsvector(tok, idt, &ids);
	}
	if (rc == MJ_OK) {
		pgq_init(&p);
		pgq_int(&p, id);
		pgq_int(&p, contact_id);
		pgq_str(&p, in ? words : NULL);
		pgq_str(&p, in ? NULL : words);
		pgq_str(&p, in ? ids : NULL);
		pgq_str(&p, in ? NULL : ids);
		rc = pg_do(st, "index_search", q_ins, &p);
	}
	free(words);
	free(ids);
	return rc;
}

/*
 * A contact's fold onto its row: index.c's upsert.  Batches of several
 * nodes may come out of id order, so the fields of "the last message"
 * move only for a newer one.
 */
static enum mj_err
fold_apply(struct store *st, const struct fold *f)
{
	static const char *const q_up = "INSERT INTO conversations "
	    "(contact_id, channel, lang, last_msg_id, last_at, snippet, "
	    "last_in_intent, msgs, unknown_streak, needs_human, review) "
	    "VALUES ($1::bigint, $2::text, coalesce($3::text, ''), "
	    "$4::bigint, $5::bigint, substr($6::text, 1, 160), "
	    "CASE WHEN $7::boolean THEN $8::text ELSE '' END, $9::integer, "
	    "CASE WHEN $10::boolean THEN $12::integer ELSE $11::integer END, "
	    "CASE WHEN $13::boolean OR $11 >= 2 THEN 1 ELSE 0 END, "
	    "$14::integer) "
	    "ON CONFLICT (contact_id) DO UPDATE SET "
	    "channel = $2, "
	    "lang = CASE WHEN $4 > conversations.last_msg_id THEN "
	    "coalesce($3, conversations.lang) ELSE conversations.lang END, "
	    "last_msg_id = greatest(conversations.last_msg_id, $4), "
	    "last_at = greatest(conversations.last_at, $5), "
	    "snippet = CASE WHEN $4 > conversations.last_msg_id THEN "
	    "substr($6, 1, 160) ELSE conversations.snippet END, "
	    "last_in_intent = CASE WHEN $7 AND $4 > conversations.last_msg_id "
	    "THEN $8 ELSE conversations.last_in_intent END, "
	    "msgs = conversations.msgs + $9, "
	    "needs_human = CASE WHEN $13 OR $11 >= 2 OR ($11 >= 1 AND "
	    "conversations.unknown_streak >= 1) THEN 1 ELSE "
	    "conversations.needs_human END, "
	    "unknown_streak = CASE WHEN $10 THEN $12 ELSE "
	    "conversations.unknown_streak + $11 END, "
	    "status = CASE WHEN $7 THEN 'open' ELSE conversations.status END, "
	    "review = conversations.review + $14";
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, f->contact_id);
	pgq_str(&p, f->channel);
	pgq_str(&p, f->has_lang ? f->lang : NULL);
	pgq_int(&p, f->last_id);
	pgq_int(&p, f->max_at);
	pgq_str(&p, f->body);
	pgq_int(&p, f->any_in);
	pgq_str(&p, f->in_intent);
	pgq_int(&p, f->n);
	pgq_int(&p, f->reset);
	pgq_int(&p, f->lead);
	pgq_int(&p, f->tail);
	pgq_int(&p, f->human);
	pgq_int(&p, f->review);
	return pg_do(st, "index_fold", q_up, &p);
}

/* ids as a bigint[] parameter, malloc'd. */
static char *
ids_param(const int64_t *ids, size_t n)
{
	size_t	 size = n * 21 + 3;
	char	*buf = malloc(size);

	if (buf != NULL && pgq_ids(buf, size, ids, n) == NULL) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/*
 * Summaries, search rows and roll-up of n messages whose queue rows the
 * caller's transaction took (n <= BATCH_LIMIT).
 */
static enum mj_err
index_ids(struct store *st, const int64_t *ids, size_t n)
{
	static const char *const q_msgs = "SELECT m.id, m.contact_id, "
	    "m.direction, m.channel, m.lang, m.intent, m.body, m.created_at, "
	    "(m.direction = 'in' AND m.review = 1 AND NOT EXISTS (SELECT 1 "
	    "FROM message_labels l WHERE l.message_id = m.id))::integer "
	    "FROM messages m WHERE m.id = ANY($1::bigint[]) "
	    "ORDER BY m.contact_id, m.id";
	struct fold_table	*t;
	struct fts_tok		*tok;
	struct pgq		 p;
	PGresult		*r;
	char			*arr;
	enum mj_err		 rc = MJ_OK;

	if (n == 0)
		return MJ_OK;
	if ((t = index_folds(st)) == NULL || (tok = index_tok(st)) == NULL)
		return MJ_ENOMEM;
	if ((arr = ids_param(ids, n)) == NULL)
		return MJ_ENOMEM;
	pgq_init(&p);
	pgq_fresh(&p);
	pgq_str(&p, arr);
	r = pg_exec(st, "index_read", q_msgs, &p);
	free(arr);
	if (r == NULL)
		return MJ_EDB;
	/* By contact, then id: the folds come in ascending contact order. */
	for (int i = 0; rc == MJ_OK && i < PQntuples(r); i++) {
		struct fold_msg	m = {
			.id = pg_int(r, i, 0), .contact_id = pg_int(r, i, 1),
			.direction = pg_str(r, i, 2),
			.channel = pg_str(r, i, 3),
			.lang = pg_isnull(r, i, 4) ? NULL : pg_str(r, i, 4),
			.intent = pg_isnull(r, i, 5) ? NULL : pg_str(r, i, 5),
			.body = pg_str(r, i, 6),
			.created_at = pg_int(r, i, 7),
			.review = (int)pg_int(r, i, 8) };

		rc = index_fold_add(t, &m);
		if (rc == MJ_OK)
			rc = search_row(st, tok, m.id, m.contact_id, m.body,
			    strcmp(m.direction, "in") == 0);
	}
	PQclear(r);
	for (int k = 0; rc == MJ_OK && k < index_fold_count(t); k++)
		rc = fold_apply(st, index_fold_at(t, k));
	index_folds_clear(t);
	if (rc == MJ_OK)
		rc = pg_rollup_ids(st, ids, n);
	return rc;
}

/* The ids a DELETE ... RETURNING message_id took, into ids (*n). */
static enum mj_err
taken(struct store *st, const char *op, const char *sql,
    const struct pgq *p, int64_t *ids, size_t *n)
{
	PGresult	*r = pg_exec(st, op, sql, p);

	*n = 0;
	if (r == NULL)
		return MJ_EDB;
	for (int i = 0; i < PQntuples(r) && *n < BATCH_LIMIT; i++)
		ids[(*n)++] = pg_int(r, i, 0);
	PQclear(r);
	return MJ_OK;
}

/*
 * One transaction taking up to max (<= BATCH_LIMIT) queued rows: skip
 * (SKIP LOCKED) the rows other nodes are indexing, or wait for them.  One
 * chunk a transaction, so that its contacts are written in one ascending
 * order.
 */
static enum mj_err
pending_tx(struct store *st, int max, int skip, int *n)
{
	static const char *const q_skip = "DELETE FROM index_queue WHERE "
	    "message_id IN (SELECT message_id FROM index_queue ORDER BY "
	    "message_id LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING message_id";
	static const char *const q_wait = "DELETE FROM index_queue WHERE "
	    "message_id IN (SELECT message_id FROM index_queue ORDER BY "
	    "message_id LIMIT $1 FOR UPDATE) RETURNING message_id";
	int64_t		*ids;
	size_t		 got = 0;
	struct pgq	 p;
	enum mj_err	 rc;

	*n = 0;
	if ((ids = malloc(BATCH_LIMIT * sizeof(*ids))) == NULL)
		return MJ_ENOMEM;
	if ((rc = store_begin_derived(st)) != MJ_OK) {
		free(ids);
		return rc;
	}
	pgq_init(&p);
	pgq_int(&p, max);
	rc = taken(st, "index_take", skip ? q_skip : q_wait, &p, ids, &got);
	if (rc == MJ_OK)
		rc = index_ids(st, ids, got);
	free(ids);
	if (store_end(st, rc == MJ_OK && got > 0) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_OK)
		*n = (int)got;
	return rc;
}

/* Chunks until max rows or the queue (as pending_tx() sees it) ends. */
static enum mj_err
pending_all(struct store *st, int max, int skip, int *n)
{
	enum mj_err	rc = MJ_OK;

	while (rc == MJ_OK && *n < max) {
		int	chunk = max - *n < BATCH_LIMIT ? max - *n : BATCH_LIMIT;
		int	got = 0;

		rc = pending_tx(st, chunk, skip, &got);
		*n += got;
		if (got < chunk)
			break;
	}
	return rc;
}

enum mj_err
pg_index_pending(struct store *st, int max, int *n)
{
	enum mj_err	rc;
	int64_t		left = 0;

	*n = 0;
	if ((rc = pending_all(st, max, 1, n)) != MJ_OK || *n >= max)
		return rc;
	/*
	 * Rows still queued are another node's, being indexed now (or
	 * queued since): wait for them, so that a read after this call
	 * sees every message committed before it.
	 */
	pg_lock(st);
	rc = pg_one_int(st, "index_left", "SELECT EXISTS (SELECT 1 FROM "
	    "index_queue)", NULL, &left);
	pg_unlock(st);
	if (rc != MJ_OK || left == 0)
		return rc;
	return pending_all(st, max, 0, n);
}

enum mj_err
pg_index_here(struct store *st, int max, int *n)
{
	static const char *const q_take = "DELETE FROM index_queue WHERE "
	    "message_id = ANY($1::bigint[]) RETURNING message_id";
	const int64_t	*mine;
	int64_t		*ids = NULL;
	size_t		 nmine, done = 0;
	enum mj_err	 rc = MJ_OK;

	*n = 0;
	mine = pg_txn_msgs(st, &nmine);
	if (max <= 0 || nmine == 0)
		return MJ_OK;
	if ((size_t)max < nmine)
		nmine = (size_t)max;	/* the rest stays queued */
	if ((ids = malloc(BATCH_LIMIT * sizeof(*ids))) == NULL)
		return MJ_ENOMEM;
	if (store_savepoint(st) != MJ_OK) {
		free(ids);
		return MJ_EDB;
	}
	while (rc == MJ_OK && done < nmine) {
		size_t		 chunk = nmine - done < BATCH_LIMIT ?
				    nmine - done : BATCH_LIMIT;
		size_t		 got = 0;
		char		*arr = ids_param(mine + done, chunk);
		struct pgq	 p;

		if (arr == NULL) {
			rc = MJ_ENOMEM;
			break;
		}
		pgq_init(&p);
		pgq_fresh(&p);
		pgq_str(&p, arr);
		rc = taken(st, "index_take", q_take, &p, ids, &got);
		free(arr);
		if (rc == MJ_OK)
			rc = index_ids(st, ids, got);
		*n += (int)got;
		done += chunk;
	}
	free(ids);
	if (store_savepoint_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc != MJ_OK)
		*n = 0;
	return rc;
}
