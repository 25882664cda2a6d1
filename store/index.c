/*
 * index.c - the deferred indexer of index.h.
 *
 * The summary of a conversation is defined per message by the INSTEAD OF
 * trigger on message_feed (migrations 0007 and 0010).  Applying it message by
 * message rewrites the row and its seven indexes twice per exchange (the
 * question and its reply), so a batch is folded per contact first and
 * each contact's row is written once, with the same result: the trigger
 * stays as the definition (tests/unit/store_test.c compares the two).
 *
 * The search index (migrations 0012, 0016) follows its own cursor,
 * 'search': each body goes into messages_fts with its identifiers' digits
 * masked out (base/mask.c), and the identifiers' digits into
 * message_ids_fts, which only an identifier search reads; each into the
 * column of the message's direction.
 *
 * The summaries and the search index are derived from messages, so their
 * transaction does not wait for the disk: after a crash the same messages
 * are simply indexed again.
 *
 * On PostgreSQL pg_index.c does the same work from a queue instead of a
 * cursor (pg_index.h), with the folds below (index_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mask.h"
#include "store/fts_tok.h"
#include "store/index.h"
#include "store/index_int.h"
#include "store/pg_index.h"
#include "store/store_int.h"

#define FOLD_SLOTS	2048	/* > 2 x BATCH_LIMIT: short probes */

/*
 * The folds of one chunk, kept by the store from one call to the next:
 * each group commit indexes its batch, so a batch of a few messages must
 * not allocate and clear the whole table; only the slots it used are
 * applied and cleared.  A reader's store keeps only its tokenizer here.
 */
struct fold_table {
	struct fold	*slot;		/* FOLD_SLOTS; NULL until used */
	short		 used[BATCH_LIMIT];	/* slots in use, in order */
	int		 nused;
	struct fts_tok	*tok;		/* PostgreSQL's search: NULL until
					 * used */
};

struct fold_table *
index_folds(struct store *st)
{
	if (st->folds == NULL &&
	    (st->folds = calloc(1, sizeof(*st->folds))) == NULL)
		return NULL;
	return st->folds;
}

struct fts_tok *
index_tok(struct store *st)
{
	struct fold_table	*t = index_folds(st);

	if (t == NULL)
		return NULL;
	if (t->tok == NULL && fts_tok_new(&t->tok) != MJ_OK)
		return NULL;
	return t->tok;
}

static struct fold *
fold_slot(struct fold_table *t, int64_t contact_id)
{
	size_t	i = (size_t)((uint64_t)contact_id * 0x9e3779b97f4a7c15ULL >>
	    53) & (FOLD_SLOTS - 1);

	while (t->slot[i].contact_id != 0 &&
	    t->slot[i].contact_id != contact_id)
		i = (i + 1) & (FOLD_SLOTS - 1);
	if (t->slot[i].contact_id == 0) {
		t->slot[i].contact_id = contact_id;
		t->used[t->nused++] = (short)i;
	}
	return &t->slot[i];
}

void
index_folds_clear(struct fold_table *t)
{
	for (int k = 0; k < t->nused; k++) {
		free(t->slot[t->used[k]].body);
		memset(&t->slot[t->used[k]], 0, sizeof(t->slot[0]));
	}
	t->nused = 0;
}

int
index_fold_count(const struct fold_table *t)
{
	return t->nused;
}

const struct fold *
index_fold_at(const struct fold_table *t, int k)
{
	return &t->slot[t->used[k]];
}

void
store_folds_free(struct store *st)
{
	if (st->folds == NULL)
		return;
	if (st->folds->slot != NULL)
		index_folds_clear(st->folds);
	free(st->folds->slot);
	fts_tok_free(st->folds->tok);
	free(st->folds);
	st->folds = NULL;
}

enum mj_err
index_fold_add(struct fold_table *t, const struct fold_msg *m)
{
	struct fold	*f;
	char		*copy;

	if (t->slot == NULL &&
	    (t->slot = calloc(FOLD_SLOTS, sizeof(*t->slot))) == NULL)
		return MJ_ENOMEM;
	f = fold_slot(t, m->contact_id);
	if ((copy = strdup(m->body != NULL ? m->body : "")) == NULL)
		return MJ_ENOMEM;
	free(f->body);
	f->body = copy;
	f->n++;
	f->last_id = m->id;
	if (f->n == 1 || m->created_at > f->max_at)
		f->max_at = m->created_at;
	snprintf(f->channel, sizeof(f->channel), "%s",
	    m->channel != NULL ? m->channel : "");
	if (m->lang != NULL) {
		snprintf(f->lang, sizeof(f->lang), "%s", m->lang);
		f->has_lang = 1;
	}
	if (m->direction == NULL || strcmp(m->direction, "in") != 0)
		return MJ_OK;
	f->any_in = 1;
	f->review += m->review;
	snprintf(f->in_intent, sizeof(f->in_intent), "%s",
	    m->intent != NULL ? m->intent : "");
	if (m->intent != NULL && strcmp(m->intent, "human_operator") == 0)
		f->human = 1;
	if (m->intent != NULL && strcmp(m->intent, "unknown") == 0) {
		if (!f->reset)
			f->lead++;
		else if (f->tail++ >= 1)
			f->human = 1;	/* a second miss in a row */
	} else {
		f->reset = 1;
		f->tail = 0;
	}
	return MJ_OK;
}

/* Row q of index_batch()'s statement into its contact's fold. */
static enum mj_err
fold_add(struct fold_table *t, sqlite3_stmt *q)
{
	struct fold_msg	m = {
		.id = sqlite3_column_int64(q, 0),
		.contact_id = sqlite3_column_int64(q, 1),
		.direction = (const char *)sqlite3_column_text(q, 2),
		.channel = (const char *)sqlite3_column_text(q, 3),
		.lang = (const char *)sqlite3_column_text(q, 4),
		.intent = (const char *)sqlite3_column_text(q, 5),
		.body = (const char *)sqlite3_column_text(q, 6),
		.created_at = sqlite3_column_int64(q, 7),
		.review = sqlite3_column_int(q, 8) };

	return index_fold_add(t, &m);
}

/*
 * A contact's fold onto its row.  The old streak matters only for the
 * unknowns before the first understood message of the batch: with one
 * miss already behind, the first of them is the second in a row.
 */
static enum mj_err
fold_apply(struct store *st, const struct fold *f)
{
	static const char *const q_up = "INSERT INTO conversations "
	    "(contact_id, channel, lang, last_msg_id, last_at, snippet, "
	    "last_in_intent, msgs, unknown_streak, needs_human, review) "
	    "VALUES (?1, ?2, coalesce(?3, ''), ?4, ?5, substr(?6, 1, 160), "
	    "CASE WHEN ?7 THEN ?8 ELSE '' END, ?9, CASE WHEN ?10 THEN ?12 "
	    "ELSE ?11 END, ?13 OR ?11 >= 2, ?14) "
	    "ON CONFLICT (contact_id) DO UPDATE SET "
	    "channel = ?2, lang = coalesce(?3, lang), last_msg_id = ?4, "
	    "last_at = max(last_at, ?5), snippet = substr(?6, 1, 160), "
	    "last_in_intent = CASE WHEN ?7 THEN ?8 ELSE last_in_intent END, "
	    "msgs = msgs + ?9, "
	    "needs_human = CASE WHEN ?13 OR ?11 >= 2 OR (?11 >= 1 AND "
	    "unknown_streak >= 1) THEN 1 ELSE needs_human END, "
	    "unknown_streak = CASE WHEN ?10 THEN ?12 ELSE unknown_streak + ?11 "
	    "END, "
	    "status = CASE WHEN ?7 THEN 'open' ELSE status END, "
	    "review = review + ?14";
	sqlite3_stmt	*q;
	int		 rc;

	PREP(q, q_up);
	sqlite3_bind_int64(q, 1, f->contact_id);
	bind_str(q, 2, f->channel);
	bind_str(q, 3, f->has_lang ? f->lang : NULL);
	sqlite3_bind_int64(q, 4, f->last_id);
	sqlite3_bind_int64(q, 5, f->max_at);
	bind_str(q, 6, f->body);
	sqlite3_bind_int(q, 7, f->any_in);
	bind_str(q, 8, f->in_intent);
	sqlite3_bind_int(q, 9, f->n);
	sqlite3_bind_int(q, 10, f->reset);
	sqlite3_bind_int(q, 11, f->lead);
	sqlite3_bind_int(q, 12, f->tail);
	sqlite3_bind_int(q, 13, f->human);
	sqlite3_bind_int(q, 14, f->review);
	rc = sqlite3_step(q);
	done(q);
	return rc == SQLITE_DONE ? MJ_OK : db_fail(st, "index_fold");
}

static enum mj_err
index_batch(struct store *st, int64_t last, int max, struct fold_table *t,
    int *n, int64_t *upto)
{
	static const char *const q_new = "SELECT m.id, m.contact_id, "
	    "m.direction, m.channel, m.lang, m.intent, m.body, m.created_at, "
	    "m.direction = 'in' AND m.review = 1 AND NOT EXISTS (SELECT 1 "
	    "FROM message_labels l WHERE l.message_id = m.id) FROM messages m "
	    "WHERE m.id > ?1 ORDER BY m.id LIMIT ?2";
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int		 step;

	if ((q = store_stmt(st, q_new)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, last);
	sqlite3_bind_int(q, 2, max);
	while (rc == MJ_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
		rc = fold_add(t, q);
		*upto = sqlite3_column_int64(q, 0);
		(*n)++;
	}
	if (rc == MJ_OK && step != SQLITE_DONE)
		rc = db_fail(st, "index_read");
	done(q);
	for (int k = 0; rc == MJ_OK && k < t->nused; k++)
		rc = fold_apply(st, index_fold_at(t, k));
	return rc;
}

/*
 * Up to max messages after *last into the search index, each into the
 * column of its direction (migration 0016): in for the citizen's, out for
 * what was sent to them.
 */
static enum mj_err
index_search(struct store *st, int max, int64_t *last, int *n)
{
	static const char *const q_new = "SELECT id, body, direction = 'in' "
	    "FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2";
	static const char *const q_fts = "INSERT INTO messages_fts (rowid, "
	    "body_in, body_out) VALUES (?1, ?2, ?3)";
	static const char *const q_ids = "INSERT INTO message_ids_fts (rowid, "
	    "ids_in, ids_out) VALUES (?1, ?2, ?3)";
	sqlite3_stmt	*q, *fts, *ids;
	enum mj_err	 rc = MJ_OK;
	int		 step;
	char		 idt[1024];

	if ((q = store_stmt(st, q_new)) == NULL ||
	    (fts = store_stmt(st, q_fts)) == NULL ||
	    (ids = store_stmt(st, q_ids)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, *last);
	sqlite3_bind_int(q, 2, max);
	while (rc == MJ_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
		const char	*body = (const char *)sqlite3_column_text(q, 1);
		int64_t		 id = sqlite3_column_int64(q, 0);
		int		 col = sqlite3_column_int(q, 2) ? 2 : 3;
		char		*m;
		int		 changed;

		if (body == NULL)
			body = "";
		if ((m = mask_text_all(body, &changed)) == NULL) {
			rc = MJ_ENOMEM;
			break;
		}
		sqlite3_bind_int64(fts, 1, id);
		bind_str(fts, col, m);
		if (sqlite3_step(fts) != SQLITE_DONE)
			rc = db_fail(st, "index_fts");
		done(fts);
		free(m);
		/* Digits are masked only where there was an identifier. */
		if (changed)
			mask_ids(body, idt, sizeof(idt));
		if (rc == MJ_OK && changed && idt[0] != '\0') {
			sqlite3_bind_int64(ids, 1, id);
			bind_str(ids, col, idt);
			if (sqlite3_step(ids) != SQLITE_DONE)
				rc = db_fail(st, "index_ids");
			done(ids);
		}
		*last = id;
		(*n)++;
	}
	if (rc == MJ_OK && step != SQLITE_DONE)
		rc = db_fail(st, "index_read");
	done(q);
	return rc;
}

/* The search index's share of store_index_pending(), in its transaction. */
static enum mj_err
index_search_pending(struct store *st, int max, int *n)
{
	static const char *const q_last = "SELECT last_id FROM index_state "
	    "WHERE name = 'search'";
	static const char *const q_mark = "UPDATE index_state SET last_id = ?1 "
	    "WHERE name = 'search'";
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int64_t		 last = 0;

	*n = 0;
	if ((q = store_stmt(st, q_last)) == NULL)
		return MJ_EDB;
	if (sqlite3_step(q) == SQLITE_ROW)
		last = sqlite3_column_int64(q, 0);
	done(q);
	if ((rc = index_search(st, max, &last, n)) != MJ_OK || *n == 0)
		return rc;
	if ((q = store_stmt(st, q_mark)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, last);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_fail(st, "index_mark");
	done(q);
	return rc;
}

/*
 * The work of both entries below, in the caller's transaction; the search
 * index only when search is set.
 */
static enum mj_err
index_run(struct store *st, int max, int search, int *n)
{
	static const char *const q_last = "SELECT last_id FROM index_state "
	    "WHERE name = 'messages'";
	static const char *const q_mark = "UPDATE index_state SET last_id = ?1 "
	    "WHERE name = 'messages'";
	struct fold_table *t;
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int64_t		 last = 0, upto = 0;
	int		 searched = 0, rolled = 0;

	*n = 0;
	if ((t = index_folds(st)) == NULL)
		return MJ_ENOMEM;
	if ((q = store_stmt(st, q_last)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		last = sqlite3_column_int64(q, 0);
	done(q);
	/* In chunks the fold table holds. */
	while (rc == MJ_OK && *n < max) {
		int	chunk = max - *n < BATCH_LIMIT ? max - *n : BATCH_LIMIT;
		int	got = 0;

		rc = index_batch(st, last, chunk, t, &got, &upto);
		index_folds_clear(t);
		*n += got;
		last = upto;
		if (got < chunk)
			break;
	}
	if (rc == MJ_OK && search)
		rc = index_search_pending(st, max, &searched);
	if (rc == MJ_OK)
		rc = store_rollup_pending(st, max, &rolled);
	if (searched < rolled)
		searched = rolled;
	if (rc != MJ_OK || *n == 0)
		goto out;
	if ((q = store_stmt(st, q_mark)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	sqlite3_bind_int64(q, 1, upto);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_fail(st, "index_mark");
	done(q);
out:
	if (rc == MJ_OK && searched > *n)
		*n = searched;
	return rc;
}

enum mj_err
store_index_pending(struct store *st, int max, int *n)
{
	enum mj_err	rc;

	if (st->pg != NULL)
		return pg_index_pending(st, max, n);
	*n = 0;
	if ((rc = store_begin_derived(st)) != MJ_OK)
		return rc;
	rc = index_run(st, max, 1, n);
	if (store_end(st, rc == MJ_OK && *n > 0) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}

enum mj_err
store_index_here(struct store *st, int max, int *n)
{
	enum mj_err	rc;

	if (st->pg != NULL)
		return pg_index_here(st, max, n);
	*n = 0;
	if (store_savepoint(st) != MJ_OK)
		return MJ_EDB;
	rc = index_run(st, max, 0, n);
	if (store_savepoint_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc != MJ_OK)
		*n = 0;
	return rc;
}
