/*
 * index.h - the help desk's conversation summaries, full-text index and
 * the dashboard's daily roll-up, brought up to date with the messages
 * stored since the last time (migrations 0007, 0012, 0017): with each
 * batch of the group commit, and in the background for whatever else
 * wrote messages.
 */
#ifndef STORE_INDEX_H
#define STORE_INDEX_H
#include "store/store.h"

/*
 * Index up to max new messages in one transaction (takes the lock);
 * *n says how many were indexed, the most of the three (0: all was up to
 * date).
 */
enum mj_err	store_index_pending(struct store *, int max, int *n);
/*
 * The summaries and the roll-up inside the caller's transaction (the
 * group commit's, so that each batch's summaries go with its messages):
 * under a savepoint, so that a failure undoes only the indexing, which
 * the indexer thread then does later.  The search index is left to
 * store_index_pending(): FTS5 writes a segment for each transaction that
 * touches it, and in chunks of hundreds of messages that costs a fraction
 * of a segment per batch (on PostgreSQL the search rows still go with the
 * batch).
 */
enum mj_err	store_index_here(struct store *, int max, int *n);
#endif
