/*
 * fts_tok.c - FTS5's unicode61 tokenizer called from C (fts_tok.h): an
 * in-memory SQLite connection hands out the fts5_api, whose tokenizer
 * object cuts the texts.  Nothing is stored in that connection.
 */
#include <stdint.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "base/log.h"
#include "store/fts_tok.h"

struct fts_tok {
	sqlite3		*db;		/* owns the tokenizer's module */
	fts5_tokenizer	 mod;
	Fts5Tokenizer	*tok;
};

/* The FTS5 API of db, as its documentation says to find it. */
static fts5_api *
fts5_of(sqlite3 *db)
{
	fts5_api	*api = NULL;
	sqlite3_stmt	*q = NULL;

	if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_pointer(q, 1, (void *)&api, "fts5_api_ptr", NULL);
		sqlite3_step(q);
	}
	sqlite3_finalize(q);
	return api;
}

enum mj_err
fts_tok_new(struct fts_tok **out)
{
	struct fts_tok	*t;
	fts5_api	*api;
	void		*ud = NULL;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return MJ_ENOMEM;
	if (sqlite3_open_v2(":memory:", &t->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    (api = fts5_of(t->db)) == NULL ||
	    api->xFindTokenizer(api, "unicode61", &ud, &t->mod) != SQLITE_OK ||
	    t->mod.xCreate(ud, NULL, 0, &t->tok) != SQLITE_OK) {
		log_err("store.fail", "op=fts_tok err=\"no FTS5 tokenizer\"");
		t->tok = NULL;
		fts_tok_free(t);
		return MJ_EDB;
	}
	*out = t;
	return MJ_OK;
}

void
fts_tok_free(struct fts_tok *t)
{
	if (t == NULL)
		return;
	if (t->tok != NULL)
		t->mod.xDelete(t->tok);
	sqlite3_close(t->db);
	free(t);
}

struct each {
	int	(*fn)(void *, const char *, size_t);
	void	*arg;
	int	 stopped;
};

static int
one(void *p, int flags, const char *tok, int n, int start, int end)
{
	struct each	*e = p;

	(void)flags;
	(void)start;
	(void)end;
	if (e->fn(e->arg, tok, (size_t)n) != 0) {
		e->stopped = 1;
		return SQLITE_DONE;	/* stops the tokenizer */
	}
	return SQLITE_OK;
}

enum mj_err
fts_tok_each(struct fts_tok *t, const char *text, size_t len,
    int (*fn)(void *, const char *, size_t), void *arg)
{
	struct each	e = { fn, arg, 0 };
	int		rc;

	if (len > (size_t)INT32_MAX)
		return MJ_ETOOBIG;
	rc = t->mod.xTokenize(t->tok, &e, FTS5_TOKENIZE_DOCUMENT, text,
	    (int)len, one);
	if (rc == SQLITE_OK || (rc == SQLITE_DONE && e.stopped))
		return MJ_OK;
	return rc == SQLITE_NOMEM ? MJ_ENOMEM : MJ_EDB;
}
