/*
 * deadline.h - how long a client may take to send one request, head and
 * body.  libmicrohttpd's own timeout (http.timeout) counts only silence,
 * so a client that sends a byte a second keeps a connection forever; this
 * gives each request a deadline from the moment the connection could start
 * it, and a watchdog thread shuts down the socket of a request not fully in
 * by then (libmicrohttpd then closes the connection as the client's).
 * Time spent answering does not count.
 */
#ifndef GATEWAY_DEADLINE_H
#define GATEWAY_DEADLINE_H
#include "base/err.h"

struct deadline;	/* opaque: the watchdog and its connections */
struct dl_conn;		/* one connection's deadline */

/* Start the watchdog; timeout_s >= 1.  MJ_ENOMEM, MJ_EINTERNAL. */
enum mj_err	deadline_start(struct deadline **out, int timeout_s);
/* Stop and join the watchdog; close every connection first.  NULL ok. */
void		deadline_stop(struct deadline *);

/*
 * A connection on socket fd opened: its first request is due within the
 * timeout.  NULL when out of memory (that connection goes unguarded).
 * deadline_close must come before fd is closed, so that the watchdog never
 * shuts down a socket number already given to someone else.
 */
struct dl_conn	*deadline_open(struct deadline *, int fd);
void		 deadline_close(struct deadline *, struct dl_conn *);
/* The whole request is in: no deadline while it is answered.  NULL ok. */
void		 deadline_done(struct deadline *, struct dl_conn *);
/* Answered: the next request on the connection is due from now.  NULL ok. */
void		 deadline_rearm(struct deadline *, struct dl_conn *);
/* Connections cut so far. */
unsigned long	 deadline_cut(struct deadline *);
#endif
