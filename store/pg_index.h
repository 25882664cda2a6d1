/*
 * pg_index.h - the indexer of index.h on PostgreSQL (pg_index.c).  Each
 * message is queued in index_queue in its own transaction; the indexer
 * takes queued rows (DELETE ... RETURNING) and writes, for them, the
 * conversation summaries (index.c's fold, one upsert per contact in
 * ascending contact order, so that two nodes never wait on each other in
 * a cycle), the search rows of message_search (the tokens of FTS5's
 * tokenizer, fts_tok.h, as tsvectors with positions) and the roll-up
 * (pg_rollup_ids()).  Called by index.c's public functions.
 */
#ifndef STORE_PG_INDEX_H
#define STORE_PG_INDEX_H
#include <stddef.h>

#include "base/err.h"

struct store;
struct fts_tok;

/*
 * store_index_pending(): up to max queued messages no other node is
 * indexing (FOR UPDATE SKIP LOCKED), BATCH_LIMIT (index_int.h) to a
 * transaction of its own; then,
 * if that emptied the queue as this node saw it, the messages other nodes
 * were indexing meanwhile are waited for (their summaries are committed
 * when this returns), and whatever is left is taken.  Takes the lock.
 */
enum mj_err	pg_index_pending(struct store *, int max, int *n);
/*
 * store_index_here(): the messages of the caller's transaction
 * (pg_txn_msgs()), up to max, under a savepoint.
 */
enum mj_err	pg_index_here(struct store *, int max, int *n);

/*
 * A tsvector literal of text's tokens (tok), with positions from 1, into
 * a malloc'd *out ("" when it has none).  MJ_ENOMEM, MJ_EDB.
 */
enum mj_err	pg_tsvector(struct fts_tok *, const char *text, char **out);
#endif
