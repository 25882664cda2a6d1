/*
 * pcache.h - SQLite's own page cache with one needless scan taken out
 * (pcache.c).  Installed once, before SQLite starts, for every
 * connection of the process.
 */
#ifndef STORE_PCACHE_H
#define STORE_PCACHE_H

/* 0, or an SQLite error code when SQLite had already started. */
int	pcache_install(void);

/*
 * Since pcache_install(): the truncations passed to SQLite's cache
 * (pages at or past the limit may be there) and those skipped (none
 * can be).  For tests.
 */
void	pcache_counts(long *passed, long *skipped);
#endif
