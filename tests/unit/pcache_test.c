/*
 * pcache_test.c - store/pcache.c: the truncations it skips are those that
 * could drop nothing, and a database written through it (page splits,
 * rollbacks that shrink it, savepoints undone, a cache smaller than the
 * data) reads back exactly what was committed, and passes SQLite's own
 * integrity check.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/pcache.h"
#include "tests/unit/check.h"

static sqlite3	*db;

static int
exec(const char *sql)
{
	char	*err = NULL;
	int	 rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, err != NULL ? err : "?");
		sqlite3_free(err);
	}
	return rc;
}

static long long
one(const char *sql)
{
	sqlite3_stmt	*q;
	long long	 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static char *
text(const char *sql)
{
	sqlite3_stmt	*q;
	char		*v = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v;
}

static uint64_t	x = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* n rows with random keys (index pages split everywhere), in one go. */
static int
insert(int n, int pad)
{
	sqlite3_stmt	*q;
	int		 rc = SQLITE_OK;

	if (sqlite3_prepare_v2(db, "INSERT INTO t (k, v, pad) VALUES "
	    "(?1, ?2, zeroblob(?3))", -1, &q, NULL) != SQLITE_OK)
		return SQLITE_ERROR;
	for (int i = 0; i < n && rc == SQLITE_OK; i++) {
		uint64_t	k = rnd();

		sqlite3_bind_int64(q, 1, (sqlite3_int64)(k >> 1));
		sqlite3_bind_int64(q, 2, (sqlite3_int64)(k % 1000));
		sqlite3_bind_int(q, 3, pad);
		rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return rc;
}

int
main(void)
{
	char		 dir[] = "/tmp/mj-pcache-XXXXXX", path[64];
	long		 passed0, skipped0, passed, skipped;
	long long	 rows = 0, sum = 0, pages;
	char		*ok;

	/* Before SQLite starts; a second time it refuses. */
	CHECK_INT(pcache_install(), SQLITE_OK);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK(pcache_install() != SQLITE_OK);
	CHECK_INT(exec("PRAGMA journal_mode = WAL; PRAGMA cache_size = -8192; "
	    "CREATE TABLE t (id INTEGER PRIMARY KEY, k INTEGER, v INTEGER, "
	    "pad BLOB); CREATE INDEX t_k ON t(k); CREATE INDEX t_v ON t(v, k)"),
	    SQLITE_OK);

	/*
	 * Committed batches with random keys: the index pages split and
	 * the splits swap pages through the lock-byte page's number.  No
	 * page is ever past the end at a commit, so the wrapper lets almost
	 * none of the truncations through.
	 */
	pcache_counts(&passed0, &skipped0);
	for (int b = 0; b < 200; b++) {
		CHECK_INT(exec("BEGIN IMMEDIATE"), SQLITE_OK);
		CHECK_INT(insert(100, 40), SQLITE_OK);
		CHECK_INT(exec("COMMIT"), SQLITE_OK);
	}
	rows = 20000;
	pcache_counts(&passed, &skipped);
	CHECK(skipped - skipped0 >= 200);
	CHECK(passed - passed0 <= 2);
	CHECK_INT(one("SELECT count(*) FROM t"), rows);
	ok = text("PRAGMA integrity_check");
	CHECK_STR(ok, "ok");
	free(ok);
	sum = one("SELECT sum(v) FROM t");

	/*
	 * A transaction that grows the file by hundreds of pages, then is
	 * rolled back: those pages are past the end now, so the truncation
	 * goes through and drops them.  Growing again must not find them.
	 */
	for (int r = 0; r < 20; r++) {
		pages = one("PRAGMA page_count");
		pcache_counts(&passed0, &skipped0);
		CHECK_INT(exec("BEGIN IMMEDIATE"), SQLITE_OK);
		CHECK_INT(insert(500, 2000), SQLITE_OK);
		CHECK(one("PRAGMA page_count") > pages + 200);
		CHECK_INT(exec("ROLLBACK"), SQLITE_OK);
		pcache_counts(&passed, &skipped);
		CHECK(passed > passed0);
		CHECK_INT(one("PRAGMA page_count"), pages);
		CHECK_INT(one("SELECT count(*) FROM t"), rows);
		CHECK_INT(one("SELECT sum(v) FROM t"), sum);

		/* Then a savepoint undone inside a committed transaction. */
		CHECK_INT(exec("BEGIN IMMEDIATE"), SQLITE_OK);
		CHECK_INT(insert(50, 100), SQLITE_OK);
		CHECK_INT(exec("SAVEPOINT s"), SQLITE_OK);
		CHECK_INT(insert(300, 1500), SQLITE_OK);
		CHECK_INT(exec("ROLLBACK TO s; RELEASE s"), SQLITE_OK);
		CHECK_INT(exec("COMMIT"), SQLITE_OK);
		rows += 50;
		CHECK_INT(one("SELECT count(*) FROM t"), rows);
		sum = one("SELECT sum(v) FROM t");
	}
	ok = text("PRAGMA integrity_check");
	CHECK_STR(ok, "ok");
	free(ok);

	/* What a fresh connection (an empty cache) reads is the same. */
	CHECK_INT(sqlite3_close(db), SQLITE_OK);
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(one("SELECT count(*) FROM t"), rows);
	CHECK_INT(one("SELECT sum(v) FROM t"), sum);
	CHECK_INT(one("SELECT count(*) FROM t INDEXED BY t_k WHERE k >= 0"),
	    rows);
	ok = text("PRAGMA integrity_check");
	CHECK_STR(ok, "ok");
	free(ok);
	CHECK_INT(sqlite3_close(db), SQLITE_OK);

	snprintf(path, sizeof(path), "%s/t.db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/t.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return check_done("pcache_test");
}
