/*
 * migrations.h - the numbered SQL migrations, embedded at build time from
 * store/migrations/NNNN_name.sql (tools/embed-sql.sh).  store_open() applies
 * those not yet recorded in schema_migrations, in order, each in its own
 * transaction.
 */
#ifndef STORE_MIGRATIONS_H
#define STORE_MIGRATIONS_H
#include <stddef.h>

struct migration {
	int		 version;
	const char	*name;
	const char	*sql;
};

extern const struct migration	migrations[];
extern const size_t		migrations_count;
/* PostgreSQL's own, from store/migrations-pg/ (store/pg.c). */
extern const struct migration	pg_migrations[];
extern const size_t		pg_migrations_count;
#endif
