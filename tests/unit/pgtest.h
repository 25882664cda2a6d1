/*
 * pgtest.h - a unit test's store on either backend.  test_store_target()
 * gives what store_open() is to open: the SQLite path it is handed, or,
 * when MUROJAAT_TEST_PG names a running throwaway cluster (the folder of
 * tests/pg/cluster.sh, its Unix socket), the URL of a new empty database
 * on it, one per call.  tests/run.sh runs the store's unit tests once on
 * each backend.
 */
#ifndef TESTS_PGTEST_H
#define TESTS_PGTEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

/* Whether this run is on PostgreSQL. */
static inline int
test_pg(void)
{
	const char	*d = getenv("MUROJAAT_TEST_PG");

	return d != NULL && d[0] != '\0';
}

static inline void
test_pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/*
 * Into buf: sqlite_path as it is, or a new database's URL.  Exits the
 * test (status 1, a failure line) when the cluster does not answer.
 */
static inline const char *
test_store_target(char *buf, size_t size, const char *sqlite_path)
{
	static int	 seq;
	const char	*dir = getenv("MUROJAAT_TEST_PG");
	char		 admin[512], sql[128], name[64];
	PGconn		*c;
	PGresult	*r;

	if (dir == NULL || dir[0] == '\0') {
		snprintf(buf, size, "%s", sqlite_path);
		return buf;
	}
	snprintf(admin, sizeof(admin), "postgresql:///postgres?host=%s&"
	    "user=postgres", dir);
	snprintf(name, sizeof(name), "t_%ld_%d", (long)getpid(), ++seq);
	c = PQconnectdb(admin);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pgtest: %s", PQerrorMessage(c));
		printf("0 passed, 1 failed\n");
		exit(1);
	}
	PQsetNoticeProcessor(c, test_pg_quiet, NULL);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", name);
	PQclear(PQexec(c, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "pgtest: %s", PQerrorMessage(c));
		printf("0 passed, 1 failed\n");
		exit(1);
	}
	PQclear(r);
	PQfinish(c);
	snprintf(buf, size, "postgresql:///%s?host=%s&user=postgres", name, dir);
	return buf;
}
#endif
