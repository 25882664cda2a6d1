/*
 * pcache.c - SQLite's default page cache, wrapped to skip truncations
 * that cannot remove anything.
 *
 * At the end of every transaction the pager asks its cache to drop the
 * pages past the end of the database.  SQLite's cache (pcache1) remembers
 * the highest page number it ever held and, when that is beyond the
 * limit, scans its whole hash table.  A page split that puts the new
 * pages in order (balance_nonroot) swaps two pages through the number of
 * the lock-byte page, 1 GiB into the file (262145 with 4 KiB pages), so
 * after almost any transaction that splits a page the highest number is
 * that one, and the commit scans every page of the cache: with the
 * writer's 64 MiB cache that was a sixth of the writer's time (perf, on
 * the path of /sms/kannel).
 *
 * Here each cache also keeps its own highest page number, not counting
 * the swap's passing visits to that page, and how many pages sit there
 * now.  A truncation that can find no page goes no further; any other is
 * passed on as before.  Every other call goes straight to SQLite's cache.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "store/pcache.h"

struct cache {
	sqlite3_pcache	*inner;
	unsigned	 maxkey;	/* no page above it, bar at swapkey */
	unsigned	 swapkey;	/* the lock-byte page's number */
	unsigned	 atswap;	/* pages there now */
};

static sqlite3_pcache_methods2	inner;
static atomic_long		n_passed, n_skipped;

static int
c_init(void *arg)
{
	(void)arg;
	return inner.xInit(inner.pArg);
}

static void
c_shutdown(void *arg)
{
	(void)arg;
	if (inner.xShutdown != NULL)
		inner.xShutdown(inner.pArg);
}

static sqlite3_pcache *
c_create(int page, int extra, int purgeable)
{
	struct cache	*c;

	if (page <= 0 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if ((c->inner = inner.xCreate(page, extra, purgeable)) == NULL) {
		free(c);
		return NULL;
	}
	c->swapkey = 0x40000000u / (unsigned)page + 1;
	return (sqlite3_pcache *)(void *)c;
}

#define C(p)	((struct cache *)(void *)(p))

static void
c_cachesize(sqlite3_pcache *p, int n)
{
	inner.xCachesize(C(p)->inner, n);
}

static int
c_pagecount(sqlite3_pcache *p)
{
	return inner.xPagecount(C(p)->inner);
}

static sqlite3_pcache_page *
c_fetch(sqlite3_pcache *p, unsigned key, int create)
{
	sqlite3_pcache_page	*pg = inner.xFetch(C(p)->inner, key, create);

	/* Counted even when it fails: a bound too high is only slower. */
	if (create && key > C(p)->maxkey)
		C(p)->maxkey = key;
	return pg;
}

static void
c_unpin(sqlite3_pcache *p, sqlite3_pcache_page *pg, int discard)
{
	inner.xUnpin(C(p)->inner, pg, discard);
}

static void
c_rekey(sqlite3_pcache *p, sqlite3_pcache_page *pg, unsigned from,
    unsigned to)
{
	struct cache	*c = C(p);

	inner.xRekey(c->inner, pg, from, to);
	if (from == c->swapkey && c->atswap > 0)
		c->atswap--;
	if (to == c->swapkey)
		c->atswap++;
	else if (to > c->maxkey)
		c->maxkey = to;
}

static void
c_truncate(sqlite3_pcache *p, unsigned limit)
{
	struct cache	*c = C(p);

	if (c->maxkey < limit && (c->atswap == 0 || c->swapkey < limit)) {
		atomic_fetch_add_explicit(&n_skipped, 1, memory_order_relaxed);
		return;
	}
	atomic_fetch_add_explicit(&n_passed, 1, memory_order_relaxed);
	inner.xTruncate(c->inner, limit);
	if (limit > 0 && c->maxkey >= limit)
		c->maxkey = limit - 1;
	if (c->swapkey >= limit)
		c->atswap = 0;
}

static void
c_destroy(sqlite3_pcache *p)
{
	inner.xDestroy(C(p)->inner);
	free(C(p));
}

static void
c_shrink(sqlite3_pcache *p)
{
	if (inner.xShrink != NULL)
		inner.xShrink(C(p)->inner);
}

int
pcache_install(void)
{
	static sqlite3_pcache_methods2	m = {
		.iVersion = 1,
		.xInit = c_init,
		.xShutdown = c_shutdown,
		.xCreate = c_create,
		.xCachesize = c_cachesize,
		.xPagecount = c_pagecount,
		.xFetch = c_fetch,
		.xUnpin = c_unpin,
		.xRekey = c_rekey,
		.xTruncate = c_truncate,
		.xDestroy = c_destroy,
		.xShrink = c_shrink,
	};
	int	rc;

	if ((rc = sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &inner)) !=
	    SQLITE_OK)
		return rc;
	if (inner.xInit == NULL || inner.xCreate == NULL)
		return SQLITE_ERROR;
	return sqlite3_config(SQLITE_CONFIG_PCACHE2, &m);
}

void
pcache_counts(long *passed, long *skipped)
{
	*passed = atomic_load(&n_passed);
	*skipped = atomic_load(&n_skipped);
}
