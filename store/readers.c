/*
 * readers.c - read connections for the help desk.  The webhooks' writer
 * holds the store's lock for every batch; an agent's date-bounded search
 * over a million messages used to hold that same lock for a second and
 * stall the SMS webhook behind it.  In WAL mode a second connection reads
 * the last commit without waiting for the writer and without stopping it,
 * so the help desk's listings, searches and statistics run on their own
 * connections (query_only), each query with a time limit.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/pg_int.h"
#include "store/store_int.h"

struct store *
store_reader(struct store *st)
{
	unsigned	i;

	if (st->nreaders == 0)
		return st;
	i = __atomic_fetch_add(&st->next_reader, 1, __ATOMIC_RELAXED);
	return st->readers[i % st->nreaders];
}

/* SQLite asks while a query runs: non-zero stops it (SQLITE_INTERRUPT). */
static int
over_time(void *arg)
{
	struct store	*r = arg;
	struct timespec	 ts;

	if (r->deadline_ms == 0)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 >
	    r->deadline_ms;
}

static struct store *
reader_open(const char *path, int limit_ms)
{
	struct store	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->wal_lock, NULL);
	r->wal_fd = -1;
	r->limit_ms = limit_ms;
	if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(r->db, "PRAGMA query_only = ON; "
	    "PRAGMA temp_store = MEMORY", NULL, NULL, NULL) != SQLITE_OK) {
		log_err("store.reader", "path=\"%s\" err=\"%s\"", path,
		    r->db != NULL ? sqlite3_errmsg(r->db) : "out of memory");
		store_close(r);
		return NULL;
	}
	sqlite3_busy_timeout(r->db, 5000);
	if (limit_ms > 0)
		sqlite3_progress_handler(r->db, 1000, over_time, r);
	return r;
}

enum mj_err
store_open_readers(struct store *st, int n, int limit_ms)
{
	const char	*path;

	if (st->pg != NULL)
		return st->nreaders > 0 ? MJ_EINPUT :
		    pg_open_readers(st, n, limit_ms);
	path = sqlite3_db_filename(st->db, "main");
	if (n <= 0 || path == NULL || path[0] == '\0')
		return MJ_OK;		/* in memory: the writer reads too */
	if (st->nreaders > 0)
		return MJ_EINPUT;
	if ((st->readers = calloc((size_t)n, sizeof(*st->readers))) == NULL)
		return MJ_ENOMEM;
	for (; st->nreaders < (size_t)n; st->nreaders++)
		if ((st->readers[st->nreaders] = reader_open(path, limit_ms)) ==
		    NULL)
			return MJ_EDB;	/* store_close() closes those opened */
	log_info("store.readers", "n=%d limit_ms=%d", n, limit_ms);
	return MJ_OK;
}
