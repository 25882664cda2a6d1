/*
 * index.h - the help desk's conversation summaries and full-text
 * index, brought up to date with the messages stored since the last time
 * (migration 0007): in batches, off the path that answers citizens.
 */
#ifndef STORE_INDEX_H
#define STORE_INDEX_H
#include "store/store.h"

/*
 * Index up to max new messages in one transaction (takes the lock);
 * *n says how many were indexed (0: all was up to date).
 */
enum mj_err	store_index_pending(struct store *, int max, int *n);
#endif
