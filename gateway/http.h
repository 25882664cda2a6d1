/*
 * http.h - what every route of the HTTP edge shares: the per-request state
 * (everything one request allocates hangs off struct req and is freed in one
 * place, the completion callback) and small helpers to answer.
 */
#ifndef GATEWAY_HTTP_H
#define GATEWAY_HTTP_H
#include <stddef.h>
#include <time.h>

#include <microhttpd.h>

#include "base/err.h"

struct server;
struct bot_job;

struct req {
	char		 id[16];	/* request id, logged and stored */
	char		*url;		/* the path, decoded; freed with req */
	struct bot_job	*job;		/* in the group commit (server_defer) */
	struct MHD_Connection *conn;	/* suspended while the job runs */
	struct timespec	 t0;		/* first byte, for the histogram */
	char		*body;		/* NUL-terminated, len bytes */
	size_t		 len;
	size_t		 cap;
	size_t		 max;		/* ceiling set when created */
	int		 too_big;
	const void	*route;
};

/*
 * One route: the server's own (server.c) and each provider's (channel.h).
 * fn answers the request, once its body is in (only when wants_body).
 */
typedef enum MHD_Result (*http_route_fn)(struct server *,
    struct MHD_Connection *, struct req *, const char *method);
struct http_route {
	const char	*path;		/* ending in '/': a prefix */
	const char	*methods;	/* space-separated */
	http_route_fn	 fn;
	int		 wants_body;
};

/*
 * The one table from mj_err to HTTP status, for every route.  What the
 * client sent: MJ_EINPUT 400, MJ_ETOOBIG 413, MJ_ENOTFOUND 404.  What
 * failed here (MJ_ENOMEM, MJ_EDB, MJ_EUPSTREAM, MJ_ECONFIG, MJ_EINTERNAL):
 * 503, try again later, which webhook senders do.  MJ_OK: 200.  A route
 * that answers otherwise says so beside the call.
 */
unsigned	http_status(enum mj_err);
/*
 * For a message a sender handed over that was not stored: the table's
 * status for the text's faults (MJ_EINPUT, MJ_ETOOBIG); any other failure
 * is ours, MJ_ENOTFOUND included (404 in the table), so 503 and the sender
 * delivers again.
 */
unsigned	http_status_unstored(enum mj_err);
/* A short reason for machines to go with it: "temporarily unavailable". */
const char	*http_reason(enum mj_err);
/* http_error() with the table's status; reason NULL: the table's. */
enum MHD_Result	http_fail(struct MHD_Connection *, enum mj_err,
		    const char *reason);

/*
 * The headers every answer of ours carries (webhooks, errors, the API):
 * nosniff, no framing, no referrer, nothing to load.  The help desk's
 * pages add their own, wider Content-Security-Policy instead (web.c).
 */
void		http_harden(struct MHD_Response *);
/* Answer with a copy of text (Content-Type given); MHD_NO on failure. */
enum MHD_Result	http_reply(struct MHD_Connection *, unsigned status,
		    const char *ctype, const char *text, size_t len);
/* A short plain-text error for machines, e.g. "missing parameter from". */
enum MHD_Result	http_error(struct MHD_Connection *, unsigned status,
		    const char *reason);
/*
 * A query argument with its length (NUL bytes survive); NULL when absent.
 * *len may be NULL.
 */
const char	*http_arg(struct MHD_Connection *, const char *name,
		    size_t *len);
const char	*http_header(struct MHD_Connection *, const char *name);
/*
 * 1 when got (NULL: absent) equals the configured secret want.  Both are
 * hashed first, so the comparison's time says nothing of either's length.
 */
int		http_secret_equal(const char *want, const char *got);
#endif
