/*
 * fts_tok.h - the words of a text as SQLite's FTS5 cuts them (its default
 * tokenizer, unicode61, as messages_fts and message_ids_fts use it): case
 * folded, diacritics removed, separators by Unicode category.
 * PostgreSQL's search rows (pg_index.c) and queries (pg_helpdesk.c) are
 * made of these tokens, so that a search finds the same messages on both
 * backends.  One tokenizer is not for two threads at once: each store
 * keeps its own (index_tok()) and uses it under the store's lock.
 */
#ifndef STORE_FTS_TOK_H
#define STORE_FTS_TOK_H
#include <stddef.h>

#include "base/err.h"

struct fts_tok;		/* opaque */

/* MJ_OK, or MJ_EDB (logged) when SQLite has no FTS5; *out NULL then. */
enum mj_err	fts_tok_new(struct fts_tok **out);
void		fts_tok_free(struct fts_tok *);	/* NULL is fine */
/*
 * Each token of text[0..len) to fn(arg, token, its length), in order; the
 * token is borrowed for the call.  fn returns non-zero to stop (not an
 * error).  MJ_ENOMEM or MJ_EDB when the tokenizer failed.
 */
enum mj_err	fts_tok_each(struct fts_tok *, const char *text, size_t len,
		    int (*fn)(void *, const char *, size_t), void *arg);
#endif
