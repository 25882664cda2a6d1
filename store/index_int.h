/*
 * index_int.h - what the indexer's two sides share: index.c (SQLite) and
 * pg_index.c (PostgreSQL) fold a batch's messages per contact the same
 * way, and PostgreSQL's search cuts words with FTS5's tokenizer
 * (fts_tok.h).  Both live in the store's st->folds, kept between calls
 * and freed by store_folds_free().  Nothing outside store/ includes it.
 */
#ifndef STORE_INDEX_INT_H
#define STORE_INDEX_INT_H
#include <stdint.h>

#include "base/err.h"

struct store;
struct fts_tok;

/* One contact's messages of a batch, folded. */
struct fold {
	int64_t	 contact_id;	/* 0: free slot */
	int	 n;		/* messages */
	int64_t	 last_id, max_at;
	char	 channel[16];
	char	 lang[16];	/* the last non-NULL language, or "" */
	int	 has_lang;
	char	*body;		/* the last body */
	int	 any_in;
	char	 in_intent[32];	/* intent of the last inbound */
	int	 reset;		/* an inbound understood: streak restarted */
	int	 lead;		/* unknowns before that (or all of them) */
	int	 tail;		/* unknowns since */
	int	 human;		/* needs a human whatever the old streak */
	int	 review;	/* inbound up for review, not labelled */
};

/* One message as the fold reads it. */
struct fold_msg {
	int64_t		 id, contact_id, created_at;
	const char	*direction, *channel, *body;
	const char	*lang, *intent;		/* NULL: none */
	int		 review;	/* inbound, up for review, unlabelled */
};

#define BATCH_LIMIT	1000	/* messages folded at a time */

struct fold_table;

/* The store's table (made at first use), NULL when out of memory. */
struct fold_table *index_folds(struct store *);
/* msg into its contact's fold, as the trigger would apply it. */
enum mj_err	 index_fold_add(struct fold_table *, const struct fold_msg *);
/* The folds in use, in the order their contacts came first. */
int		 index_fold_count(const struct fold_table *);
const struct fold *index_fold_at(const struct fold_table *, int k);
/* Every fold back to free. */
void		 index_folds_clear(struct fold_table *);
/* The store's tokenizer (made at first use), NULL when it failed. */
struct fts_tok	*index_tok(struct store *);
#endif
