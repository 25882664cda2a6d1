/*
 * sqltab_int.h - the table both statement caches keep their statements
 * in, keyed by SQL text: store.c's (SQLite statements) and pg.c's (the
 * names of statements prepared on a PostgreSQL connection).  Open
 * addressing with linear probing over cap slots, cap a power of two; each
 * slot is the cache's own struct whose first member is a struct sql_key.
 * The caller keeps the table at most half full, so a probe always ends
 * at a free slot.  Nothing outside store/ includes it.
 */
#ifndef STORE_SQLTAB_INT_H
#define STORE_SQLTAB_INT_H
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The first member of every slot. */
struct sql_key {
	char		*sql;		/* the cache's copy; NULL: a free slot */
	uint64_t	 hash;		/* sqltab_hash(sql) */
};

/*
 * FNV-1a of the SQL text's length and of its first and last 48 bytes: a
 * lookup happens for every statement run, and hashing the whole text of
 * a long statement cost more than running a short one.  Statements that
 * agree on all three only share a probe sequence; the key is the whole
 * text (sqltab_slot() compares it).
 */
#define SQLTAB_ENDS	48

static inline uint64_t
sqltab_hash(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	size_t		 n = strlen(s), i;

	for (i = 0; i < sizeof(n); i++)
		h = (h ^ ((n >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
	for (i = 0; i < n && i < SQLTAB_ENDS; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	for (i = n > SQLTAB_ENDS ? n - SQLTAB_ENDS : n; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * The slot (of size bytes) holding sql, whose hash is h, in t of cap
 * slots, or the free slot where it belongs.
 */
static inline void *
sqltab_slot(void *t, size_t size, size_t cap, const char *sql, uint64_t h)
{
	size_t	i = (size_t)h & (cap - 1);

	for (;;) {
		struct sql_key	*k = (struct sql_key *)(void *)((char *)t +
				    i * size);

		if (k->sql == NULL || (k->hash == h &&
		    strcmp(k->sql, sql) == 0))
			return k;
		i = (i + 1) & (cap - 1);
	}
}

/*
 * A table of twice the slots of t (min when *cap is 0), every slot in use
 * moved over and t freed; *cap is its size.  NULL when out of memory: t
 * and *cap are left as they were.
 */
static inline void *
sqltab_grow(void *t, size_t size, size_t *cap, size_t min)
{
	size_t	 nc = *cap == 0 ? min : *cap * 2;
	char	*n;

	if (nc > SIZE_MAX / size || (n = calloc(nc, size)) == NULL)
		return NULL;
	for (size_t i = 0; i < *cap; i++) {
		struct sql_key	*k = (struct sql_key *)(void *)((char *)t +
				    i * size);

		if (k->sql != NULL)
			memcpy(sqltab_slot(n, size, nc, k->sql, k->hash), k,
			    size);
	}
	free(t);
	*cap = nc;
	return n;
}
#endif
