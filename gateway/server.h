/*
 * server.h - the HTTP edge: libmicrohttpd with an epoll thread pool, the
 * router, per-request state and limits (body size, connections, timeouts).
 * Routes: its own (health, readiness, metrics, the registry, the help
 * desk and its pages) and every channel's webhooks and delivery reports
 * (channel.h).
 */
#ifndef GATEWAY_SERVER_H
#define GATEWAY_SERVER_H
#include <stddef.h>

#include "base/conf.h"
#include "base/err.h"
#include "bot/bot.h"

struct server;		/* opaque */

/* Listen on conf's address and port; MJ_ECONFIG when it cannot bind. */
enum mj_err	server_start(struct server **out, const struct conf *,
		    struct bot *);
/* Stop accepting, finish requests in flight, free. NULL is fine. */
void		server_stop(struct server *);
/* The port actually bound (conf's, or the kernel's pick for 0). */
int		server_port(const struct server *);

/*
 * Hand a message to the group commit (bot_job_new/bot_job_queue) and
 * suspend the connection until it is stored; the route is then called
 * again with r->job set and done (take it with bot_job_result, free it
 * with bot_job_free and set r->job to NULL).  MJ_OK: return MHD_YES now;
 * MJ_EINPUT, MJ_ETOOBIG, MJ_ENOMEM: nothing was queued, answer the error.
 */
struct req;
struct MHD_Connection;
enum mj_err	server_defer(struct server *, struct MHD_Connection *,
		    struct req *, const struct bot_in *);

/* 1 once server_stop() began (readiness says no). */
int		server_stopping(const struct server *);

/* What a route sees of the server. */
const struct conf	*server_conf(const struct server *);
struct bot		*server_bot(const struct server *);
/*
 * The request's client address into buf (CLIENTADDR_LEN bytes at least):
 * the peer, or the client a trusted proxy names (gateway/clientaddr.h).
 */
void			 server_client(const struct server *,
			    struct MHD_Connection *, char *buf, size_t len);
#endif
