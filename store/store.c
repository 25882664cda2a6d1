/*
 * store.c - the connection behind store.h: one SQLite connection in WAL
 * mode, the numbered migrations, transactions, savepoints and store_sync(),
 * and the one statement cache every store file prepares through
 * (store_stmt(), store_int.h).  The records themselves are in contacts.c,
 * messages.c, staff.c, helpdesk.c, dash.c, programmes.c, sms.c and index.c.
 * Every value reaches SQL only as a bound parameter.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/log.h"
#include "store/migrations.h"
#include "store/pcache.h"
#include "store/pg_int.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/walvfs.h"

#define STMT_MIN	64	/* the cache's first size, in slots */
#define CKPT_PASSES	8	/* passive passes of one checkpoint, at most */
#define CKPT_REST	256	/* pages left for the short exclusive pass */
#define BUSY_WAIT_US	200	/* the writer's wait for the log, per try */
#define BUSY_MAX_MS	5000	/* and in all */

static int
mkdir_parent(const char *path)
{
	char	 buf[1024], *dir;

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	dir = dirname(buf);
	if (strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0)
		return 0;
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		if (errno == ENOENT && mkdir_parent(dir) == 0)
			return mkdir(dir, 0750) == -1 && errno != EEXIST ? -1 : 0;
		return -1;
	}
	return 0;
}

static const char SQL_BEGIN[] = "BEGIN IMMEDIATE";
static const char SQL_COMMIT[] = "COMMIT";
static const char SQL_SYNC_FULL[] = "PRAGMA synchronous = FULL";
static const char SQL_SYNC_NORMAL[] = "PRAGMA synchronous = NORMAL";
static const char SQL_MIG_APPLIED[] =
    "SELECT 1 FROM schema_migrations WHERE version = ?1";
static const char SQL_MIG_RECORD[] =
    "INSERT INTO schema_migrations (version, name, applied_at) "
    "VALUES (?1, ?2, strftime('%s', 'now'))";
static const char SQL_MIG_VERSION[] =
    "SELECT coalesce(max(version), 0) FROM schema_migrations";

/* What store_open() prepares besides contacts_sql and messages_sql. */
static const char *const store_sql[] = { SQL_BEGIN, SQL_COMMIT, NULL };

/* *yes: whether migration version is recorded.  MJ_EDB, logged. */
static enum mj_err
migration_applied(struct store *st, int version, int *yes)
{
	sqlite3_stmt	*q;
	int		 rc;

	PREP(q, SQL_MIG_APPLIED);
	sqlite3_bind_int(q, 1, version);
	rc = sqlite3_step(q);
	done(q);
	*yes = rc == SQLITE_ROW;
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? MJ_OK :
	    db_fail(st, "migration_applied");
}

/* Record m as applied (inside its transaction); SQLite's code. */
static int
migration_record(struct store *st, const struct migration *m)
{
	sqlite3_stmt	*q;
	int		 rc;

	if ((q = store_stmt(st, SQL_MIG_RECORD)) == NULL)
		return SQLITE_ERROR;
	sqlite3_bind_int(q, 1, m->version);
	bind_str(q, 2, m->name);
	rc = sqlite3_step(q);
	done(q);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Every migration not yet recorded, in order, each in its own transaction.
 * A migration is a script of several statements, so it goes through
 * sqlite3_exec(); it holds no values.
 */
static enum mj_err
migrate(struct store *st)
{
	char		*err = NULL;
	sqlite3_stmt	*q;
	int64_t		 have = 0;
	int		 top = 0;

	/* A database a newer program has migrated: this one must not run. */
	PREP(q, SQL_MIG_VERSION);
	if (step_int64(st, q, &have, "schema_version") == MJ_EDB) {
		done(q);
		return MJ_EDB;
	}
	done(q);
	for (size_t i = 0; i < migrations_count; i++)
		if (migrations[i].version > top)
			top = migrations[i].version;
	if (have > top) {
		log_err("store.open", "err=\"the database's schema is version "
		    "%lld, newer than this program's %d: run the newer program, "
		    "or restore a backup\"", (long long)have, top);
		return MJ_EDB;
	}
	for (size_t i = 0; i < migrations_count; i++) {
		const struct migration	*m = &migrations[i];
		int			 yes;

		if (migration_applied(st, m->version, &yes) != MJ_OK)
			return MJ_EDB;
		if (yes)
			continue;
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &err) !=
		    SQLITE_OK ||
		    sqlite3_exec(st->db, m->sql, NULL, NULL, &err) != SQLITE_OK ||
		    migration_record(st, m) != SQLITE_OK ||
		    sqlite3_exec(st->db, "COMMIT", NULL, NULL, &err) !=
		    SQLITE_OK) {
			log_err("store.migrate", "version=%d name=%s err=\"%s\"",
			    m->version, m->name, err != NULL ? err :
			    sqlite3_errmsg(st->db));
			sqlite3_free(err);
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return MJ_EDB;
		}
		log_info("store.migrate", "version=%d name=%s", m->version,
		    m->name);
	}
	return MJ_OK;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*q;
	int		 v = 0;

	if (st->pg != NULL)
		return pg_schema_version(st);
	if ((q = lock_stmt(st, SQL_MIG_VERSION)) == NULL)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	done(q);
	pthread_mutex_unlock(&st->lock);
	return v;
}

/* Prepare each statement of a NULL-terminated list into the cache. */
static enum mj_err
prepare_all(struct store *st, const char *const *list)
{
	for (; *list != NULL; list++)
		if (store_stmt(st, *list) == NULL)
			return MJ_EDB;
	return MJ_OK;
}

static int
busy_wait(void *arg, int tries)
{
	(void)arg;
	if ((long)tries * BUSY_WAIT_US >= BUSY_MAX_MS * 1000L)
		return 0;
	usleep(BUSY_WAIT_US);
	return 1;
}

/*
 * Once, before SQLite starts: no memory statistics, which the program
 * never reads and which cost a global mutex around every allocation of
 * every connection; and the page cache of pcache.c.
 */
static pthread_once_t	sqlite_once = PTHREAD_ONCE_INIT;

static void
sqlite_setup(void)
{
	if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK ||
	    pcache_install() != SQLITE_OK)
		log_warn("store.config", "err=\"SQLite started before its "
		    "configuration\"");
}

enum mj_err
store_open(struct store **out, const char *path)
{
	struct store	*st;
	char		*err = NULL;

	*out = NULL;
	pthread_once(&sqlite_once, sqlite_setup);
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return MJ_ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->wal_lock, NULL);
	st->wal_fd = -1;
	if (pg_url_is(path)) {
		if (pg_open(st, path) != MJ_OK) {
			store_close(st);
			return MJ_EDB;
		}
		*out = st;
		return MJ_OK;
	}
	if (mkdir_parent(path) == -1) {
		log_err("store.open", "path=\"%s\" err=\"cannot create its "
		    "folder: %s\"", path, strerror(errno));
		store_close(st);
		return MJ_EDB;
	}
	st->walvfs = walvfs_name() != NULL && strcmp(path, ":memory:") != 0;
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, st->walvfs ?
	    walvfs_name() : NULL) != SQLITE_OK) {
		log_err("store.open", "path=\"%s\" err=\"%s\"", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return MJ_EDB;
	}
	/*
	 * Waiting for the log (a checkpoint's last pass holds it briefly):
	 * in short steps, where SQLite's own wait sleeps up to 100 ms a try.
	 */
	sqlite3_busy_handler(st->db, busy_wait, NULL);
	/*
	 * WAL with synchronous=FULL: a reply acknowledged with 2xx must
	 * survive a power cut, not only a crash of the process.
	 */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
	    "PRAGMA temp_store = MEMORY; "
	    /* The writer's pages stay in memory: no read goes to the kernel. */
	    "PRAGMA cache_size = -65536; "
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL)", NULL, NULL, &err) != SQLITE_OK) {
		log_err("store.open", "path=\"%s\" err=\"%s\"", path, err);
		sqlite3_free(err);
		store_close(st);
		return MJ_EDB;
	}
	{
		const char	*f = sqlite3_db_filename(st->db, "main");

		if (f != NULL && f[0] != '\0' && asprintf(&st->wal_path,
		    "%s-wal", f) == -1) {
			st->wal_path = NULL;
			store_close(st);
			return MJ_ENOMEM;
		}
	}
	if (migrate(st) != MJ_OK || prepare_all(st, store_sql) != MJ_OK ||
	    prepare_all(st, contacts_sql) != MJ_OK ||
	    prepare_all(st, messages_sql) != MJ_OK) {
		store_close(st);
		return MJ_EDB;
	}
	*out = st;
	return MJ_OK;
}

/* The slot holding sql in the cache, or the free slot where it belongs. */
static struct stmt_slot *
stmt_slot(struct store *st, const char *sql, uint64_t h)
{
	return sqltab_slot(st->stmts, sizeof(*st->stmts), st->capstmts, sql,
	    h);
}

/* Twice the slots (STMT_MIN at first), every statement moved over. */
static int
stmt_grow(struct store *st)
{
	struct stmt_slot	*t;

	if ((t = sqltab_grow(st->stmts, sizeof(*t), &st->capstmts,
	    STMT_MIN)) == NULL)
		return -1;
	st->stmts = t;
	return 0;
}

sqlite3_stmt *
store_stmt(struct store *st, const char *sql)
{
	struct stmt_slot	*s;
	sqlite3_stmt		*q = NULL;
	uint64_t		 h = sqltab_hash(sql);
	char			*copy;

	if (st->capstmts > 0 &&
	    (s = stmt_slot(st, sql, h))->k.sql != NULL)
		return s->q;
	/* At most half full: probes stay short, a free slot always ends one. */
	if ((st->nstmts + 1) * 2 > st->capstmts && stmt_grow(st) == -1) {
		log_err("store.prepare", "n=%zu err=\"out of memory\"",
		    st->nstmts);
		return NULL;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q,
	    NULL) != SQLITE_OK || q == NULL) {
		/* Our own SQL text (values are bound): safe to show. */
		log_err("store.prepare", "sql=\"%.80s\" err=\"%s\"", sql,
		    q == NULL && sqlite3_errcode(st->db) == SQLITE_OK ?
		    "no statement" : sqlite3_errmsg(st->db));
		sqlite3_finalize(q);
		return NULL;
	}
	if ((copy = strdup(sql)) == NULL) {
		log_err("store.prepare", "n=%zu err=\"out of memory\"",
		    st->nstmts);
		sqlite3_finalize(q);
		return NULL;
	}
	s = stmt_slot(st, sql, h);
	s->k.sql = copy;
	s->k.hash = h;
	s->q = q;
	st->nstmts++;
	return q;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->capstmts; i++)
		if (st->stmts[i].k.sql != NULL) {
			sqlite3_finalize(st->stmts[i].q);
			free(st->stmts[i].k.sql);
		}
	free(st->stmts);
	for (size_t i = 0; i < st->nreaders; i++)
		store_close(st->readers[i]);
	free(st->readers);
	pg_close(st);
	sqlite3_close(st->db);
	if (st->wal_fd != -1)
		close(st->wal_fd);
	sqlite3_close(st->ckdb);
	store_progs_drop(st);
	store_folds_free(st);
	store_rollup_free(st);
	free(st->aliases);
	free(st->wal_path);
	pthread_mutex_destroy(&st->wal_lock);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

/* Run a statement without values or rows: MJ_EDB, logged, on failure. */
static enum mj_err
run_sql(struct store *st, const char *sql, const char *op)
{
	sqlite3_stmt	*q;

	PREP(q, sql);
	return step_done(st, q, op);
}

/* Back to commits that wait for the disk (under the lock). */
static void
restore_full(struct store *st)
{
	st->derived = 0;
	if (st->walvfs) {
		walvfs_defer(0);
		return;
	}
	if (run_sql(st, SQL_SYNC_FULL, "sync_full") != MJ_OK &&
	    sqlite3_exec(st->db, SQL_SYNC_FULL, NULL, NULL, NULL) != SQLITE_OK)
		/* Never leave the connection without durable commits. */
		log_err("store.sync_full", "err=\"%s\"",
		    sqlite3_errmsg(st->db));
}

enum mj_err
store_begin(struct store *st)
{
	pthread_mutex_lock(&st->lock);
	if (st->pg != NULL) {
		if (pg_begin(st) != MJ_OK) {
			pthread_mutex_unlock(&st->lock);
			return MJ_EDB;
		}
		st->in_tx = 1;
		return MJ_OK;
	}
	if (run_sql(st, SQL_BEGIN, "begin") != MJ_OK) {
		pthread_mutex_unlock(&st->lock);
		return MJ_EDB;
	}
	st->in_tx = 1;
	return MJ_OK;
}

enum mj_err
store_begin_derived(struct store *st)
{
	if (st->pg != NULL)	/* PostgreSQL's COMMIT is durable itself */
		return store_begin(st);
	pthread_mutex_lock(&st->lock);
	if (st->walvfs)
		walvfs_defer(1);	/* the log's sync only writes it */
	else if (run_sql(st, SQL_SYNC_NORMAL, "sync_normal") != MJ_OK) {
		pthread_mutex_unlock(&st->lock);
		return MJ_EDB;
	}
	st->derived = 1;
	if (run_sql(st, SQL_BEGIN, "begin") != MJ_OK) {
		restore_full(st);
		pthread_mutex_unlock(&st->lock);
		return MJ_EDB;
	}
	st->in_tx = 1;
	return MJ_OK;
}

/*
 * A derived transaction's commit writes the log without syncing it
 * (walvfs.c; or synchronous=NORMAL where that VFS is missing); an
 * fdatasync of the log here then makes every commit written before it as
 * durable as with synchronous=FULL.  Checkpoints sync the log themselves
 * before they copy it (store_checkpoint()).  The log is reopened when it
 * is no longer the file at its path.
 */
enum mj_err
store_sync(struct store *st)
{
	struct stat	 a, b;
	enum mj_err	 rc = MJ_OK;

	if (st->pg != NULL)	/* COMMIT returned after the server's flush */
		return MJ_OK;
	pthread_mutex_lock(&st->wal_lock);
	if (st->wal_path == NULL)
		goto out;	/* in memory: nothing to sync */
	if (stat(st->wal_path, &a) == -1) {
		log_err("store.sync", "op=stat errno=%d", errno);
		rc = MJ_EDB;
		goto out;
	}
	if (st->wal_fd != -1 && (fstat(st->wal_fd, &b) == -1 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
		close(st->wal_fd);
		st->wal_fd = -1;
	}
	if (st->wal_fd == -1 &&
	    (st->wal_fd = open(st->wal_path, O_RDWR | O_CLOEXEC)) == -1) {
		log_err("store.sync", "op=open errno=%d", errno);
		rc = MJ_EDB;
		goto out;
	}
	if (fdatasync(st->wal_fd) == -1) {
		log_err("store.sync", "op=fdatasync errno=%d", errno);
		rc = MJ_EDB;
	}
out:
	pthread_mutex_unlock(&st->wal_lock);
	return rc;
}

static int
on_wal(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store	*st = arg;

	(void)db;
	(void)name;
	__atomic_store_n(&st->wal_pages, pages, __ATOMIC_RELAXED);
	return SQLITE_OK;
}

int
store_wal_pages(struct store *st)
{
	return __atomic_load_n(&st->wal_pages, __ATOMIC_RELAXED);
}

void
store_checkpoint_own(struct store *st)
{
	pthread_mutex_lock(&st->lock);
	if (st->wal_path != NULL)
		sqlite3_wal_hook(st->db, on_wal, st);	/* no autocheckpoint */
	pthread_mutex_unlock(&st->lock);
}

/* One checkpoint of mode on ckdb: SQLITE_OK, SQLITE_BUSY, or -1 (logged). */
static int
ckpt_pass(struct store *st, int mode, int *ckpt)
{
	int	log = 0, rc;

	rc = sqlite3_wal_checkpoint_v2(st->ckdb, "main", mode, &log, ckpt);
	if (rc == SQLITE_OK || rc == SQLITE_BUSY)
		return rc;
	log_err("store.checkpoint", "op=%s err=\"%s\"", mode ==
	    SQLITE_CHECKPOINT_PASSIVE ? "passive" : "restart",
	    sqlite3_errmsg(st->ckdb));
	return -1;
}

enum mj_err
store_checkpoint(struct store *st, int min_pages, int *pages)
{
	const char	*path;
	int		 ckpt = 0, rc;

	*pages = store_wal_pages(st);
	if (st->wal_path == NULL || *pages < min_pages) {
		*pages = 0;
		return MJ_OK;
	}
	if (st->ckdb == NULL) {
		pthread_mutex_lock(&st->lock);
		path = sqlite3_db_filename(st->db, "main");
		rc = sqlite3_open_v2(path, &st->ckdb, SQLITE_OPEN_READWRITE |
		    SQLITE_OPEN_NOMUTEX, NULL);
		pthread_mutex_unlock(&st->lock);
		/* FULL: the log is synced before the copy, the database after. */
		if (rc != SQLITE_OK || sqlite3_exec(st->ckdb,
		    "PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK) {
			log_err("store.checkpoint", "op=open err=\"%s\"",
			    st->ckdb != NULL ? sqlite3_errmsg(st->ckdb) :
			    "out of memory");
			sqlite3_close(st->ckdb);
			st->ckdb = NULL;
			return MJ_EDB;
		}
	}
	/*
	 * The copy, beside the writer, in passes until what the writer added
	 * meanwhile is little.
	 */
	sqlite3_busy_timeout(st->ckdb, 0);
	for (int pass = 0; pass < CKPT_PASSES; pass++) {
		if ((rc = ckpt_pass(st, SQLITE_CHECKPOINT_PASSIVE, &ckpt)) ==
		    -1)
			return MJ_EDB;
		if (store_wal_pages(st) - ckpt <= CKPT_REST)
			break;
	}
	/*
	 * Those few pages with the writer held back (a commit waits for it,
	 * a millisecond or two): then the next commit starts the log again
	 * from its beginning.  Busy: next time.
	 */
	sqlite3_busy_handler(st->ckdb, busy_wait, NULL);
	if ((rc = ckpt_pass(st, SQLITE_CHECKPOINT_RESTART, &ckpt)) == -1)
		return MJ_EDB;
	if (rc == SQLITE_OK)
		__atomic_store_n(&st->wal_pages, 0, __ATOMIC_RELAXED);
	return MJ_OK;
}

enum mj_err
store_savepoint(struct store *st)
{
	if (st->pg != NULL)
		return pg_savepoint(st);
	return run_sql(st, "SAVEPOINT msg", "savepoint");
}

enum mj_err
store_savepoint_end(struct store *st, int keep)
{
	if (st->pg != NULL)
		return pg_savepoint_end(st, keep);
	if (!keep && run_sql(st, "ROLLBACK TO msg", "rollback_to") != MJ_OK)
		return MJ_EDB;
	return run_sql(st, "RELEASE msg", "release");
}

enum mj_err
store_end(struct store *st, int commit)
{
	enum mj_err	rc = MJ_OK;

	if (st->pg != NULL) {
		rc = pg_end(st, commit);
		st->in_tx = 0;
		pthread_mutex_unlock(&st->lock);
		return rc;
	}
	if (commit && run_sql(st, SQL_COMMIT, "commit") != MJ_OK)
		rc = MJ_EDB;
	if (!commit || rc != MJ_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
	if (st->derived)
		restore_full(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

int
store_retryable(struct store *st)
{
	return pg_retryable(st);
}

int
store_is_pg(const struct store *st)
{
	return st->pg != NULL;
}

enum mj_err
store_seed_lock(struct store *st, int take)
{
	return st->pg != NULL ? pg_seed_lock(st, take) : MJ_OK;
}
