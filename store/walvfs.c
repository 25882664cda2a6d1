/*
 * walvfs.c - the writer's file layer: SQLite's unix files, but the
 * write-ahead log is written a transaction at a time.
 *
 * SQLite writes each page of a commit to the log with two pwrite() calls
 * (the frame's header, then the page), so a batch of messages that dirties
 * fifty pages costs a hundred system calls, and on a virtual machine a
 * system call is dear.  Here the log's writes gather in a buffer while
 * they follow each other in the file, and reach the kernel in one write at
 * the commit (SQLite's sync of the log, with synchronous=FULL), or before
 * anything reads, sizes, truncates or closes the log, or when the buffer
 * is full.  Other connections read the log only after the commit has
 * published its frames, which is after the sync, so they always find them.
 *
 * The group commit then asks for no fsync at that point: inside
 * walvfs_defer(1) the log's sync writes and returns, and store_sync()
 * makes every commit durable with one fdatasync before anyone is answered.
 * Every other transaction, and every checkpoint (on its own connection),
 * syncs for real.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/walvfs.h"

#define BUF_CAP		(1024 * 1024)
/* The unix file writes at most 0x1ffff bytes a call (it masks the size). */
#define WRITE_MAX	(124 * 1024)

struct wfile {
	sqlite3_file	 base;
	sqlite3_file	*real;		/* the unix file, right after us */
	int		 wal;		/* the write-ahead log */
	unsigned char	*buf;		/* the log's pending writes */
	size_t		 len;
	sqlite3_int64	 at;		/* the file offset of buf[0] */
};

static sqlite3_vfs		 vfs;
static sqlite3_vfs		*root;
static _Thread_local int	 deferred;

void
walvfs_defer(int on)
{
	deferred = on;
}

static int
flush(struct wfile *f)
{
	size_t	done = 0, n;
	int	rc = SQLITE_OK;

	while (rc == SQLITE_OK && done < f->len) {
		n = f->len - done < WRITE_MAX ? f->len - done : WRITE_MAX;
		rc = f->real->pMethods->xWrite(f->real, f->buf + done, (int)n,
		    f->at + (sqlite3_int64)done);
		done += n;
	}
	f->len = 0;
	return rc;
}

static int
w_close(sqlite3_file *p)
{
	struct wfile	*f = (struct wfile *)p;
	int		 rc = flush(f), rc2;

	rc2 = f->real->pMethods->xClose(f->real);
	free(f->buf);
	f->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
w_read(sqlite3_file *p, void *out, int amt, sqlite3_int64 off)
{
	struct wfile	*f = (struct wfile *)p;
	int		 rc;

	if ((rc = flush(f)) != SQLITE_OK)
		return rc;
	return f->real->pMethods->xRead(f->real, out, amt, off);
}

static int
w_write(sqlite3_file *p, const void *data, int amt, sqlite3_int64 off)
{
	struct wfile	*f = (struct wfile *)p;
	int		 rc;

	if (!f->wal || f->buf == NULL)
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	/* Only a write that follows the buffer in the file joins it. */
	if (f->len > 0 && (off != f->at + (sqlite3_int64)f->len ||
	    (size_t)amt > BUF_CAP - f->len) && (rc = flush(f)) != SQLITE_OK)
		return rc;
	if ((size_t)amt > WRITE_MAX)
		return f->real->pMethods->xWrite(f->real, data, amt, off);
	if (f->len == 0)
		f->at = off;
	memcpy(f->buf + f->len, data, (size_t)amt);
	f->len += (size_t)amt;
	return SQLITE_OK;
}

static int
w_truncate(sqlite3_file *p, sqlite3_int64 size)
{
	struct wfile	*f = (struct wfile *)p;
	int		 rc;

	if ((rc = flush(f)) != SQLITE_OK)
		return rc;
	return f->real->pMethods->xTruncate(f->real, size);
}

static int
w_sync(sqlite3_file *p, int flags)
{
	struct wfile	*f = (struct wfile *)p;
	int		 rc;

	if ((rc = flush(f)) != SQLITE_OK)
		return rc;
	if (f->wal && deferred)
		return SQLITE_OK;	/* store_sync() does it */
	return f->real->pMethods->xSync(f->real, flags);
}

static int
w_size(sqlite3_file *p, sqlite3_int64 *size)
{
	struct wfile	*f = (struct wfile *)p;
	int		 rc;

	if ((rc = flush(f)) != SQLITE_OK)
		return rc;
	return f->real->pMethods->xFileSize(f->real, size);
}

static int
w_lock(sqlite3_file *p, int level)
{
	return ((struct wfile *)p)->real->pMethods->xLock(
	    ((struct wfile *)p)->real, level);
}

static int
w_unlock(sqlite3_file *p, int level)
{
	return ((struct wfile *)p)->real->pMethods->xUnlock(
	    ((struct wfile *)p)->real, level);
}

static int
w_reserved(sqlite3_file *p, int *out)
{
	return ((struct wfile *)p)->real->pMethods->xCheckReservedLock(
	    ((struct wfile *)p)->real, out);
}

static int
w_fcntl(sqlite3_file *p, int op, void *arg)
{
	struct wfile	*f = (struct wfile *)p;
	int		 rc;

	if ((rc = flush(f)) != SQLITE_OK)
		return rc;
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int
w_sector(sqlite3_file *p)
{
	return ((struct wfile *)p)->real->pMethods->xSectorSize(
	    ((struct wfile *)p)->real);
}

static int
w_caps(sqlite3_file *p)
{
	return ((struct wfile *)p)->real->pMethods->xDeviceCharacteristics(
	    ((struct wfile *)p)->real);
}

static int
w_shm_map(sqlite3_file *p, int pg, int pgsz, int extend, void volatile **pp)
{
	return ((struct wfile *)p)->real->pMethods->xShmMap(
	    ((struct wfile *)p)->real, pg, pgsz, extend, pp);
}

static int
w_shm_lock(sqlite3_file *p, int offset, int n, int flags)
{
	return ((struct wfile *)p)->real->pMethods->xShmLock(
	    ((struct wfile *)p)->real, offset, n, flags);
}

static void
w_shm_barrier(sqlite3_file *p)
{
	((struct wfile *)p)->real->pMethods->xShmBarrier(
	    ((struct wfile *)p)->real);
}

static int
w_shm_unmap(sqlite3_file *p, int del)
{
	return ((struct wfile *)p)->real->pMethods->xShmUnmap(
	    ((struct wfile *)p)->real, del);
}

static int
w_fetch(sqlite3_file *p, sqlite3_int64 off, int amt, void **pp)
{
	return ((struct wfile *)p)->real->pMethods->xFetch(
	    ((struct wfile *)p)->real, off, amt, pp);
}

static int
w_unfetch(sqlite3_file *p, sqlite3_int64 off, void *pg)
{
	return ((struct wfile *)p)->real->pMethods->xUnfetch(
	    ((struct wfile *)p)->real, off, pg);
}

static const sqlite3_io_methods methods = {
	3, w_close, w_read, w_write, w_truncate, w_sync, w_size, w_lock,
	w_unlock, w_reserved, w_fcntl, w_sector, w_caps, w_shm_map,
	w_shm_lock, w_shm_barrier, w_shm_unmap, w_fetch, w_unfetch
};

static int
w_open(sqlite3_vfs *v, const char *name, sqlite3_file *p, int flags,
    int *out_flags)
{
	struct wfile	*f = (struct wfile *)p;
	int		 rc;

	(void)v;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	if ((flags & SQLITE_OPEN_WAL) &&
	    (f->buf = malloc(BUF_CAP)) == NULL)
		return SQLITE_NOMEM;
	rc = root->xOpen(root, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK || f->real->pMethods == NULL) {
		free(f->buf);
		f->buf = NULL;
		return rc;
	}
	f->wal = (flags & SQLITE_OPEN_WAL) != 0;
	/* As old as the unix file's methods: SQLite asks them for v3. */
	f->base.pMethods = f->real->pMethods->iVersion >= 3 ? &methods : NULL;
	if (f->base.pMethods == NULL) {
		f->real->pMethods->xClose(f->real);
		free(f->buf);
		f->buf = NULL;
		return SQLITE_CANTOPEN;
	}
	return SQLITE_OK;
}

static int
v_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	(void)v;
	return root->xDelete(root, name, sync_dir);
}

static int
v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return root->xAccess(root, name, flags, out);
}

static int
v_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return root->xFullPathname(root, name, n, out);
}

static void *
v_dlopen(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return root->xDlOpen(root, name);
}

static void
v_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	root->xDlError(root, n, out);
}

static void
(*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return root->xDlSym(root, h, sym);
}

static void
v_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	root->xDlClose(root, h);
}

static int
v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return root->xRandomness(root, n, out);
}

static int
v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return root->xSleep(root, us);
}

static int
v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return root->xCurrentTime(root, out);
}

static int
v_lasterr(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return root->xGetLastError != NULL ? root->xGetLastError(root, n, out) :
	    0;
}

static int
v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return root->xCurrentTimeInt64(root, out);
}

static pthread_once_t	once = PTHREAD_ONCE_INIT;
static int		registered;

static void
reg(void)
{
	if ((root = sqlite3_vfs_find(NULL)) == NULL || root->iVersion < 2)
		return;
	vfs = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = (int)sizeof(struct wfile) + root->szOsFile,
		.mxPathname = root->mxPathname,
		.zName = WALVFS_NAME,
		.xOpen = w_open, .xDelete = v_delete, .xAccess = v_access,
		.xFullPathname = v_fullpath, .xDlOpen = v_dlopen,
		.xDlError = v_dlerror, .xDlSym = v_dlsym,
		.xDlClose = v_dlclose, .xRandomness = v_random,
		.xSleep = v_sleep, .xCurrentTime = v_time,
		.xGetLastError = v_lasterr, .xCurrentTimeInt64 = v_time64
	};
	registered = sqlite3_vfs_register(&vfs, 0) == SQLITE_OK;
}

const char *
walvfs_name(void)
{
	pthread_once(&once, reg);
	return registered ? WALVFS_NAME : NULL;
}
