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
 * The same inside the caller's transaction (the group commit's, so that
 * each batch's summaries and search entries go with its messages): under
 * a savepoint, so that a failure undoes only the indexing, which the
 * indexer thread then does later.
 */
enum mj_err	store_index_here(struct store *, int max, int *n);
#endif
