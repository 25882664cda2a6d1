/*
 * commit.c - the group commit.  Webhooks queue their messages' jobs; a
 * writer thread runs each batch's steps (bot.c) in one transaction and
 * commits once, a syncer thread makes the commits durable with one
 * fdatasync of the log for every batch since the last, and only then is
 * each job answered (done), so a 2xx always means stored.  Each batch
 * brings the help desk's summaries and search index up to date in its own
 * transaction; an indexer thread catches up with whatever else wrote
 * messages, and a checkpointer copies the log into the database, so that
 * no commit ever does.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/metrics.h"
#include "bot/bot_int.h"
#include "store/index.h"

#define BATCH_MAX	256	/* messages in one transaction */
#define INDEX_MAX	2000	/* messages a batch indexes, at most */
#define INDEX_CHUNK	64	/* the indexer's, in one transaction */

/* The line a message leaves in the log, after its commit. */
static void
log_step(const struct bot_in *in, const struct bot_out *out,
    const struct nlu_result *r, enum lang lang, const char *event,
    const struct timespec *t0)
{
	struct timespec	t1;
	char		masked[24];

	if (strcmp(event, "msg.dup") != 0)
		metrics_inbound(metric_chan_of(in->channel), (int)r->intent,
		    (int)r->lang);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info(event, "req=%s chan=%s from=%s lang=%s intent=%s len=%zu "
	    "segments=%d us=%ld", in->req, in->channel,
	    log_mask_phone(in->phone != NULL ? in->phone : in->address, masked,
	    sizeof(masked)), lang_tag(lang), intent_name(r->intent), in->len,
	    out->segments, (long)((t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000));
}

void
bot_job_queue(struct bot *b, struct bot_job *j)
{
	pthread_mutex_lock(&b->qlock);
	if (b->qstop || !b->writer_on) {
		/* No writer (a command, or shutting down): do it here. */
		pthread_mutex_unlock(&b->qlock);
		commit_run(b, j);
		return;
	}
	*b->qtail = j;
	b->qtail = &j->next;
	pthread_cond_signal(&b->qcond);
	pthread_mutex_unlock(&b->qlock);
}

#define RETRY_MAX	4	/* runs of a batch whose failure may pass */
#define RETRY_WAIT_MS	25	/* before the first rerun; doubles */

/*
 * A batch's steps in one transaction.  First without savepoints: if a
 * step fails, the whole transaction is undone and the batch runs again
 * with a savepoint per message, so that only the failed one is lost.
 * The commit does not wait for the disk: batch_finish() does, after
 * store_sync(), before anyone is answered.  Returns 1 when the failure
 * may pass if the whole batch runs again (store_retryable(): PostgreSQL's
 * connection lost, a deadlock or a serialization failure), with nothing
 * of the batch kept.
 */
static int
batch_once(struct bot *b, struct bot_job *list)
{
	struct bot_job	*j;
	enum mj_err	 rc;
	int		 fast = 1, n;

again:
	if ((rc = store_begin_derived(b->st)) != MJ_OK) {
		for (j = list; j != NULL; j = j->next)
			j->rc = rc;
		return store_retryable(b->st);
	}
	for (j = list; j != NULL; j = j->next) {
		if (!fast && (j->rc = store_savepoint(b->st)) != MJ_OK)
			continue;
		b->careful = !fast;
		j->rc = bot_step(b, &j->in, &j->r, &j->out, &j->lang, &j->event);
		if (j->rc != MJ_OK && store_retryable(b->st)) {
			/* The transaction itself is gone: all of it again. */
			store_end(b->st, 0);
			for (j = list; j != NULL; j = j->next) {
				bot_out_free(&j->out);
				j->rc = MJ_EDB;
			}
			return 1;
		}
		if (fast && j->rc != MJ_OK) {
			log_info("batch.careful", "req=%s err=\"%s\"", j->in.req,
			    mj_strerror(j->rc));
			store_end(b->st, 0);
			for (j = list; j != NULL; j = j->next)
				bot_out_free(&j->out);
			fast = 0;
			goto again;
		}
		if (!fast && store_savepoint_end(b->st, j->rc == MJ_OK) !=
		    MJ_OK && j->rc == MJ_OK) {
			bot_out_free(&j->out);
			j->rc = MJ_EDB;
		}
	}
	/*
	 * The batch's conversation summaries and search entries, in its
	 * transaction: one writer, so the help desk's indexing never holds
	 * a message up.  Failing, it is undone alone; the indexer retries.
	 */
	if (store_index_here(b->st, INDEX_MAX, &n) != MJ_OK)
		log_warn("index.batch", "err=\"left to the indexer\"");
	if (store_end(b->st, 1) != MJ_OK) {
		/* Nothing of the batch is stored: none may be acknowledged. */
		for (j = list; j != NULL; j = j->next)
			if (j->rc == MJ_OK) {
				bot_out_free(&j->out);
				j->rc = MJ_EDB;
			}
		/*
		 * A connection lost during COMMIT leaves its outcome unknown:
		 * running the batch again is safe, since a message stored
		 * after all is found by its id (dedupe) and answered with its
		 * stored reply.
		 */
		return store_retryable(b->st);
	}
	return 0;
}

/*
 * batch_once(), run again after a short wait while its failure may pass;
 * a database that stays away fails the batch (the webhooks answer 503 and
 * the providers deliver again later).
 */
static void
batch_commit(struct bot *b, struct bot_job *list)
{
	struct timespec	ts;
	long		wait = RETRY_WAIT_MS;

	for (int i = 1; batch_once(b, list) && i < RETRY_MAX; i++) {
		log_warn("batch.retry", "try=%d wait_ms=%ld", i + 1, wait);
		ts.tv_sec = 0;
		ts.tv_nsec = wait * 1000000L;
		nanosleep(&ts, NULL);
		wait *= 2;
	}
}

/* After store_sync() said sync_rc: answer the batch. */
static void
batch_finish(struct bot *b, struct bot_job *list, enum mj_err sync_rc)
{
	struct bot_job	*j, *next;
	int		 queued = 0;

	for (j = list; j != NULL; j = j->next) {
		if (j->rc != MJ_OK)
			continue;
		if (sync_rc != MJ_OK) {
			/* Stored, but not surely: the sender will retry. */
			bot_out_free(&j->out);
			j->rc = sync_rc;
			continue;
		}
		queued |= !j->in.sync && !j->out.duplicate;
		log_step(&j->in, &j->out, &j->r, j->lang, j->event, &j->t0);
	}
	if (queued && b->queued != NULL)
		b->queued(b->queued_arg);
	for (j = list; j != NULL; j = next) {
		next = j->next;
		j->next = NULL;
		j->done(j->arg);	/* the job may be freed from here on */
	}
}

void
commit_run(struct bot *b, struct bot_job *list)
{
	batch_commit(b, list);
	batch_finish(b, list, store_sync(b->st));
}

static void *
writer(void *arg)
{
	struct bot	*b = arg;

	pthread_setname_np(pthread_self(), "mj-writer");
	for (;;) {
		struct bot_job	*list, **tail;
		int		 n = 0;

		pthread_mutex_lock(&b->qlock);
		while (b->qhead == NULL && !b->qstop)
			pthread_cond_wait(&b->qcond, &b->qlock);
		if (b->qhead == NULL) {
			pthread_mutex_unlock(&b->qlock);
			break;
		}
		/* Take up to BATCH_MAX; the rest waits for the next round. */
		list = b->qhead;
		tail = &b->qhead;
		while (*tail != NULL && n < BATCH_MAX) {
			tail = &(*tail)->next;
			n++;
		}
		b->qhead = *tail;
		*tail = NULL;
		if (b->qhead == NULL)
			b->qtail = &b->qhead;
		pthread_mutex_unlock(&b->qlock);
		batch_commit(b, list);
		/* The syncer answers it; the next batch goes on meanwhile. */
		pthread_mutex_lock(&b->qlock);
		*b->stail = list;
		while (*b->stail != NULL)
			b->stail = &(*b->stail)->next;
		pthread_cond_signal(&b->scond);
		pthread_mutex_unlock(&b->qlock);
	}
	return NULL;
}

/*
 * One fdatasync of the log for every batch committed since the last one:
 * the disk's wait overlaps the writer's next transaction.
 */
static void *
syncer(void *arg)
{
	struct bot	*b = arg;

	pthread_setname_np(pthread_self(), "mj-syncer");
	for (;;) {
		struct bot_job	*list;

		pthread_mutex_lock(&b->qlock);
		while (b->shead == NULL && !b->sstop)
			pthread_cond_wait(&b->scond, &b->qlock);
		list = b->shead;
		b->shead = NULL;
		b->stail = &b->shead;
		pthread_mutex_unlock(&b->qlock);
		if (list == NULL)
			break;	/* stopped, and nothing waits */
		batch_finish(b, list, store_sync(b->st));
	}
	return NULL;
}

/* Wait ms, or until the writer stops: 1 when it stops. */
static int
nap(struct bot *b, long ms)
{
	struct timespec	until;
	int		stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += ms * 1000 * 1000;
	while (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&b->qlock);
	if (!b->qstop)
		pthread_cond_timedwait(&b->icond, &b->qlock, &until);
	stop = b->qstop;
	pthread_mutex_unlock(&b->qlock);
	return stop;
}

/*
 * Each batch brings its summaries and roll-up up to date (batch_commit);
 * this builds the search index, and catches up with what else wrote
 * messages (agents' replies, notices, a failed batch's indexing), ten
 * times a second, in chunks of INDEX_CHUNK messages with a pause between
 * them: each chunk's transaction holds the store, and the writer's next
 * batch goes first.
 */
static void *
indexer(void *arg)
{
	struct bot	*b = arg;
	int		 n, stop = 0;

	pthread_setname_np(pthread_self(), "mj-indexer");
	while (!stop) {
		while (store_index_pending(b->st, INDEX_CHUNK, &n) == MJ_OK &&
		    n == INDEX_CHUNK && !(stop = nap(b, 2)))
			;
		if (!stop)
			stop = nap(b, 100);
	}
	store_index_pending(b->st, 1000000, &n);
	return NULL;
}

/*
 * Checkpoints of the log, away from the writer: a commit never copies
 * pages into the database or waits for its fsync (store_checkpoint()).
 * Under load, once the log holds CKPT_PAGES: each checkpoint ends with a
 * short pass that holds the writer back (and syncs the database), so the
 * bigger the log may grow, the fewer requests wait on one.  When no
 * commit came for a second, whatever the log holds.
 */
#define CKPT_PAGES	65536	/* 256 MiB of log with 4 KiB pages */
#define CKPT_QUIET	20	/* naps of 50 ms without a commit */

static void *
checkpointer(void *arg)
{
	struct bot	*b = arg;
	int		 pages, last = -1, quiet = 0, stop = 0;

	pthread_setname_np(pthread_self(), "mj-ckpt");
	while (!stop) {
		int	now = store_wal_pages(b->st);

		quiet = now == last ? quiet + 1 : 0;
		last = now;
		store_checkpoint(b->st, quiet >= CKPT_QUIET ? 1 : CKPT_PAGES,
		    &pages);
		if (pages > 0)
			last = -1;
		stop = nap(b, 50);
	}
	return NULL;
}

static void
stop_syncer(struct bot *b)
{
	pthread_mutex_lock(&b->qlock);
	b->sstop = 1;
	pthread_cond_signal(&b->scond);
	pthread_mutex_unlock(&b->qlock);
	pthread_join(b->syncer, NULL);
}

enum mj_err
bot_start_writer(struct bot *b)
{
	int	ni;

	if (b->writer_on)
		return MJ_OK;
	b->qstop = 0;
	b->sstop = 0;
	if (pthread_create(&b->syncer, NULL, syncer, b) != 0)
		return MJ_EINTERNAL;
	if (pthread_create(&b->writer, NULL, writer, b) != 0) {
		stop_syncer(b);
		return MJ_EINTERNAL;
	}
	store_checkpoint_own(b->st);
	if ((ni = pthread_create(&b->indexer, NULL, indexer, b) == 0) &&
	    pthread_create(&b->ckpt, NULL, checkpointer, b) == 0) {
		b->writer_on = 1;
		return MJ_OK;
	}
	pthread_mutex_lock(&b->qlock);
	b->qstop = 1;
	pthread_cond_signal(&b->qcond);
	pthread_cond_broadcast(&b->icond);
	pthread_mutex_unlock(&b->qlock);
	pthread_join(b->writer, NULL);
	stop_syncer(b);
	if (ni)
		pthread_join(b->indexer, NULL);
	return MJ_EINTERNAL;
}

void
bot_stop_writer(struct bot *b)
{
	if (!b->writer_on)
		return;
	pthread_mutex_lock(&b->qlock);
	b->qstop = 1;
	pthread_cond_signal(&b->qcond);
	pthread_cond_broadcast(&b->icond);
	pthread_mutex_unlock(&b->qlock);
	pthread_join(b->writer, NULL);
	stop_syncer(b);		/* after the writer: what it committed is answered */
	pthread_join(b->indexer, NULL);
	pthread_join(b->ckpt, NULL);
	b->writer_on = 0;
}
