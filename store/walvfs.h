/*
 * walvfs.h - the writer connection's file layer (walvfs.c): the unix
 * files of SQLite, with the write-ahead log written one transaction at a
 * time, and its sync left to store_sync() inside the group commit.
 */
#ifndef STORE_WALVFS_H
#define STORE_WALVFS_H

#define WALVFS_NAME	"murojaat-wal"

/* The VFS's name for sqlite3_open_v2(), registered on first use; NULL:
 * none (then the default VFS serves, with no change but speed). */
const char	*walvfs_name(void);

/*
 * In this thread, until walvfs_defer(0): a commit's sync of the log only
 * writes it out; the caller makes it durable with store_sync() before it
 * tells anyone.  For the group commit and the derived indexes only.
 */
void		walvfs_defer(int on);
#endif
