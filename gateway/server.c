/*
 * server.c - libmicrohttpd server and router.  Bodies are collected into
 * struct req up to http.max_body (then 413); every request gets an id.
 * Per-address request rate (ratelimit.h, 429) and the slow-client deadline
 * (deadline.h) guard the edge.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <sodium.h>

#include "base/log.h"
#include "base/mask.h"
#include "base/metrics.h"
#include "gateway/api.h"
#include "gateway/channel.h"
#include "gateway/clientaddr.h"
#include "gateway/connlimit.h"
#include "gateway/deadline.h"
#include "gateway/ops.h"
#include "gateway/ratelimit.h"
#include "gateway/registry.h"
#include "gateway/server.h"

struct server {
	struct MHD_Daemon	*d;
	const struct conf	*conf;
	struct bot		*bot;
	int			 port;
	struct ratelimit	*rl;
	struct connlimit	*cl;	/* connections open per address */
	struct deadline		*dl;
	struct clientaddr	*ca;		/* trusted proxies */
	atomic_int		 active;	/* requests begun, not completed */
	_Atomic uint64_t	 req_seq;	/* req_id(): from a random start */
	atomic_int		 stopping;
};

static enum MHD_Result
healthz(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	(void)s;
	(void)r;
	(void)method;
	return http_reply(conn, MHD_HTTP_OK, "text/plain; charset=utf-8",
	    "ok\n", 3);
}

/* The server's own routes; the providers' are in the channel table. */
static const struct http_route routes[] = {
	{ "/healthz", "GET HEAD", healthz, 0 },
	{ "/readyz", "GET HEAD", ops_readyz, 0 },
	{ "/metrics", "GET", ops_metrics, 0 },
	{ "/api/applications/", "PUT", registry_put, 1 },
	{ "/api/", "GET POST", api_handle, 1 },
	{ "/", "GET HEAD", web_handle, 0 },
	{ NULL, NULL, NULL, 0 }
};

static void
resume(void *arg)
{
	struct req	*r = arg;

	MHD_resume_connection(r->conn);
}

enum mj_err
server_defer(struct server *s, struct MHD_Connection *conn, struct req *r,
    const struct bot_in *in)
{
	enum mj_err	rc;

	if ((rc = bot_job_new(s->bot, in, resume, r, &r->job)) != MJ_OK)
		return rc;
	r->conn = conn;
	MHD_suspend_connection(conn);
	bot_job_queue(s->bot, r->job);
	return MJ_OK;
}

int
server_stopping(const struct server *s)
{
	return atomic_load(&((struct server *)(uintptr_t)s)->stopping);
}

const struct conf *
server_conf(const struct server *s)
{
	return s->conf;
}

struct bot *
server_bot(const struct server *s)
{
	return s->bot;
}

void
server_client(const struct server *s, struct MHD_Connection *conn, char *buf,
    size_t len)
{
	clientaddr_get(s->ca, conn, buf, len);
}

int
server_port(const struct server *s)
{
	return s->port;
}

/* In list (NULL-path ended): an exact path, else the longest prefix. */
static const struct http_route *
route_in(const struct http_route *list, const char *url,
    const struct http_route *best, size_t *best_len)
{
	for (; list != NULL && list->path != NULL; list++) {
		const char	*p = list->path;
		size_t		 n = strlen(p);

		if (strcmp(url, p) == 0) {
			*best_len = (size_t)-1;
			return list;
		}
		if (n > 0 && p[n - 1] == '/' && strncmp(url, p, n) == 0 &&
		    n > *best_len) {
			best = list;
			*best_len = n;
		}
	}
	return best;
}

/*
 * An exact path, else the longest prefix route ("/api/applications/"),
 * among the server's routes and each channel's webhooks and reports.
 */
static const struct http_route *
route_of(const char *url)
{
	const struct http_route	*best = NULL;
	size_t			 best_len = 0;

	best = route_in(routes, url, best, &best_len);
	for (int i = 0; channels[i] != NULL && best_len != (size_t)-1; i++) {
		best = route_in(channels[i]->webhooks, url, best, &best_len);
		if (best_len != (size_t)-1)
			best = route_in(channels[i]->reports, url, best,
			    &best_len);
	}
	return best;
}

static int
method_allowed(const char *list, const char *method)
{
	size_t	n = strlen(method);

	for (const char *p = list; *p != '\0'; ) {
		size_t w = strcspn(p, " ");

		if (w == n && strncmp(p, method, n) == 0)
			return 1;
		p += w;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* Loopback (a proxy in front, a local check) is exempt unless configured. */
static int
rate_exempt(const struct conf *c, const struct sockaddr *sa)
{
	static const unsigned char v6lo[16] = { [15] = 1 };

	if (!c->http_rate_loopback || sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr.s_addr) >> 24) == 127;
	return sa->sa_family == AF_INET6 && memcmp(&((const struct
	    sockaddr_in6 *)(const void *)sa)->sin6_addr, v6lo, 16) == 0;
}

/* 1 when the client may go on; else the 429 is queued in *ret. */
static int
rate_ok(struct server *s, struct MHD_Connection *conn, enum MHD_Result *ret)
{
	const union MHD_ConnectionInfo	*ci;
	const struct sockaddr		*sa;
	struct MHD_Response		*resp;
	struct timespec			 ts;
	unsigned			 retry;
	int				 first;
	char				 ra[16];

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sa = ci != NULL ? ci->client_addr : NULL;
	if (rate_exempt(s->conf, sa))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ratelimit_take(s->rl, sa, (int64_t)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000, &retry, &first))
		return 1;
	if (first)
		log_warn("http.rate_limited", "retry_after=%u", retry);
	resp = MHD_create_response_from_buffer(18,
	    (void *)(uintptr_t)"too many requests\n", MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		*ret = MHD_NO;
		return 0;
	}
	snprintf(ra, sizeof(ra), "%u", retry);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain; charset=utf-8");
	http_harden(resp);
	*ret = MHD_queue_response(conn, MHD_HTTP_TOO_MANY_REQUESTS, resp);
	MHD_destroy_response(resp);
	return 0;
}

/* What the edge keeps per connection (MHD's socket context). */
struct conn {
	struct dl_conn	*dl;
	int		 nul_path;	/* this request's path has %00 */
	int		 counted;	/* in s->cl under key */
	unsigned char	 key[16];
};

static const struct sockaddr *
client_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return ci != NULL ? ci->client_addr : NULL;
}

/*
 * The accept policy: an address already holding http.conn_per_ip
 * connections gets no more (closed at once), so one client cannot take
 * every slot of http.max_conns.  Loopback is exempt with the rate limit.
 */
static enum MHD_Result
on_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct server	*s = cls;
	int		 first;

	(void)len;
	if (rate_exempt(s->conf, sa) || connlimit_room(s->cl, sa, &first))
		return MHD_YES;
	if (first)
		log_warn("http.conn_limited", "per_ip=%d",
		    s->conf->http_conn_per_ip);
	return MHD_NO;
}

/* A header's number of occurrences, case-insensitively. */
struct hcount {
	int	cl, te;
};

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct hcount	*n = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		n->cl++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		n->te++;
	return MHD_YES;
}

/*
 * One way to tell where the body ends: two Content-Lengths, or one beside
 * a Transfer-Encoding, could be read one way here and another by a proxy
 * in front (request smuggling), so such a request is refused.
 */
static int
framing_ok(struct MHD_Connection *conn)
{
	struct hcount	n = { 0, 0 };

	MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &n);
	return n.cl <= 1 && n.te <= 1 && !(n.cl > 0 && n.te > 0);
}

static struct conn *
conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **sctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct server			*s = cls;
	struct conn			*c = *sctx;
	const union MHD_ConnectionInfo	*ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci != NULL && (c = calloc(1, sizeof(*c))) != NULL) {
			c->dl = deadline_open(s->dl, ci->connect_fd);
			if (!rate_exempt(s->conf, client_of(conn)))
				c->counted = connlimit_open(s->cl,
				    client_of(conn), c->key);
		}
		*sctx = c;
	} else if (c != NULL) {
		deadline_close(s->dl, c->dl);
		if (c->counted)
			connlimit_close(s->cl, c->key);
		free(c);
		*sctx = NULL;
	}
}

/*
 * The raw URI, before libmicrohttpd decodes the path in place: a %00
 * there would cut the path short ("/healthz%00.png" routed as /healthz),
 * so such a request is refused.  Returns the request's initial context.
 */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct conn	*c = conn_of(conn);
	size_t		 n = strcspn(uri, "?#");

	(void)cls;
	if (c != NULL) {
		c->nul_path = 0;
		for (size_t i = 0; i + 3 <= n; i++)
			if (uri[i] == '%' && uri[i + 1] == '0' &&
			    uri[i + 2] == '0')
				c->nul_path = 1;
	}
	return NULL;
}


/*
 * A request's id: a 40-bit counter from a random start, mixed by steps
 * that are each one-to-one on 40 bits (x ^= x >> k; x *= odd), so that no
 * two of 2^40 requests share an id, without a system call per request.
 */
#define ID_MASK	((1ULL << 40) - 1)

static void
req_id(struct server *s, unsigned char out[5])
{
	uint64_t	z = atomic_fetch_add(&s->req_seq, 1) & ID_MASK;

	z ^= z >> 20;
	z = (z * 0x9e3779b97f4a7c15ULL) & ID_MASK;
	z ^= z >> 17;
	z = (z * 0xbf58476d1ce4e5b9ULL) & ID_MASK;
	z ^= z >> 21;
	for (int i = 0; i < 5; i++)
		out[i] = (unsigned char)(z >> (8 * i));
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **ctx)
{
	struct server		*s = cls;
	struct req		*r = *ctx;
	const struct http_route	*rt;

	(void)version;
	if (r == NULL) {
		unsigned char	rnd[5];
		enum MHD_Result	ret;

		/* Stopping: a new request is for later (providers retry). */
		if (atomic_load(&s->stopping))
			return http_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "stopping");
		if (!rate_ok(s, conn, &ret))
			return ret;
		if (conn_of(conn) != NULL && conn_of(conn)->nul_path)
			return http_error(conn, MHD_HTTP_BAD_REQUEST,
			    "NUL in path");
		if (!framing_ok(conn)) {
			log_warn("http.bad_framing", "path=%s", url);
			return http_error(conn, MHD_HTTP_BAD_REQUEST,
			    "two body lengths");
		}
		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		req_id(s, rnd);
		sodium_bin2hex(r->id, sizeof(r->id), rnd, sizeof(rnd));
		r->max = (size_t)s->conf->http_max_body;
		r->route = route_of(url);
		if ((r->url = strdup(url)) == NULL) {
			free(r);
			return MHD_NO;
		}
		atomic_fetch_add(&s->active, 1);
		clock_gettime(CLOCK_MONOTONIC, &r->t0);
		*ctx = r;
		return MHD_YES;
	}
	rt = r->route;
	if (*upload_len > 0) {
		/* Collect the body up to its ceiling; past it, drop it. */
		if (rt == NULL || !rt->wants_body || r->too_big ||
		    r->len + *upload_len > r->max) {
			r->too_big = 1;
			*upload_len = 0;
			return MHD_YES;
		}
		if (r->len + *upload_len + 1 > r->cap) {
			size_t	 cap = r->cap == 0 ? 4096 : r->cap;
			char	*nb;

			while (cap < r->len + *upload_len + 1)
				cap *= 2;
			if (cap > r->max + 1)
				cap = r->max + 1;
			if ((nb = realloc(r->body, cap)) == NULL)
				return MHD_NO;
			r->body = nb;
			r->cap = cap;
		}
		memcpy(r->body + r->len, upload, *upload_len);
		r->len += *upload_len;
		r->body[r->len] = '\0';
		*upload_len = 0;
		return MHD_YES;
	}
	if (conn_of(conn) != NULL)
		deadline_done(s->dl, conn_of(conn)->dl);
	if (rt == NULL)
		return http_error(conn, MHD_HTTP_NOT_FOUND, "not found");
	if (!method_allowed(rt->methods, method)) {
		struct MHD_Response	*resp;
		enum MHD_Result		 ret;

		resp = MHD_create_response_from_buffer(19,
		    (void *)(uintptr_t)"method not allowed\n",
		    MHD_RESPMEM_PERSISTENT);
		if (resp == NULL)
			return MHD_NO;
		MHD_add_response_header(resp, "Allow", rt->methods);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    "text/plain; charset=utf-8");
		http_harden(resp);
		ret = MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    resp);
		MHD_destroy_response(resp);
		return ret;
	}
	if (r->too_big) {
		log_warn("http.too_big", "req=%s path=%s max=%zu", r->id, url,
		    r->max);
		return http_error(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    "body too large");
	}
	return rt->fn(s, conn, r, method);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode toe)
{
	struct server	*s = cls;
	struct req	*r = *ctx;

	(void)toe;
	if (conn_of(conn) != NULL)
		deadline_rearm(s->dl, conn_of(conn)->dl);
	if (r == NULL)
		return;
	{
		struct timespec t1;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		metrics_request((double)(t1.tv_sec - r->t0.tv_sec) +
		    (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9, 0);
	}
	bot_job_free(r->job);	/* done: a suspended request never gets here */
	free(r->body);
	free(r->url);
	free(r);
	*ctx = NULL;
	atomic_fetch_sub(&s->active, 1);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	{
		/* MHD may quote what a client sent: no identifier in clear. */
		int	 changed;
		char	*m = mask_text(buf, &changed);

		log_warn("http.mhd", "msg=\"%s\"", m != NULL ? m : "-");
		free(m);
	}
}

/*
 * libmicrohttpd's last word before it aborts (an internal inconsistency):
 * in the log, so that a crash says where it came from.
 */
static void
on_mhd_panic(void *cls, const char *file, unsigned int line,
    const char *reason)
{
	(void)cls;
	log_err("http.mhd_panic", "file=%s line=%u reason=\"%s\"",
	    file != NULL ? file : "-", line, reason != NULL ? reason : "-");
	abort();
}

/*
 * Why the daemon would not start, said once on stderr.  libmicrohttpd's
 * errno is not kept past its clean-up, so a port held by another process
 * (a second serve) is found by binding it again, as the daemon does.
 */
static void
listen_failed(const struct conf *conf, const struct sockaddr_in *sin,
    int err)
{
	int	fd, one = 1, busy = err == EADDRINUSE;

	if (!busy && (fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) !=
	    -1) {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		busy = bind(fd, (const struct sockaddr *)sin, sizeof(*sin)) ==
		    -1 && errno == EADDRINUSE;
		close(fd);
	}
	if (busy)
		fprintf(stderr, "murojaat: port %d on %s is already in use "
		    "(another murojaat serve?): stop that one, or serve on "
		    "another port: MUROJAAT_PORT=%d murojaat serve (http.port "
		    "in murojaat.conf)\n", conf->http_port, conf->http_bind,
		    conf->http_port < 65535 ? conf->http_port + 1 :
		    conf->http_port - 1);
	else
		fprintf(stderr, "murojaat: cannot listen on %s:%d: %s\n",
		    conf->http_bind, conf->http_port, strerror(err));
}

enum mj_err
server_start(struct server **out, const struct conf *conf, struct bot *bot)
{
	struct server		*s;
	struct sockaddr_in	 sin;
	const union MHD_DaemonInfo *info;

	*out = NULL;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)conf->http_port);
	if (inet_pton(AF_INET, conf->http_bind, &sin.sin_addr) != 1) {
		fprintf(stderr, "murojaat: http.bind: \"%s\" is not an IPv4 "
		    "address\n", conf->http_bind);
		return MJ_ECONFIG;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return MJ_ENOMEM;
	MHD_set_panic_func(on_mhd_panic, NULL);
	{
		uint64_t	seq;

		randombytes_buf(&seq, sizeof(seq));
		atomic_init(&s->req_seq, seq);
	}
	s->conf = conf;
	s->bot = bot;
	{
		char		why[160];
		enum mj_err	rc;

		if ((rc = clientaddr_new(&s->ca, conf->http_trusted_proxies,
		    why, sizeof(why))) != MJ_OK) {
			if (rc == MJ_EINPUT)
				fprintf(stderr, "murojaat: %s\n", why);
			free(s);
			return rc == MJ_EINPUT ? MJ_ECONFIG : rc;
		}
	}
	if (ratelimit_new(&s->rl, conf->http_rate_per_ip, conf->http_rate_burst,
	    4096) != MJ_OK || connlimit_new(&s->cl, conf->http_conn_per_ip,
	    (size_t)conf->http_max_conns + 64) != MJ_OK ||
	    deadline_start(&s->dl, conf->http_request_timeout_s) != MJ_OK) {
		ratelimit_free(s->rl);
		clientaddr_free(s->ca);
		connlimit_free(s->cl);
		free(s);
		return MJ_ENOMEM;
	}
	/* epoll with a small thread pool: the cheapest per request here. */
	s->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC, (uint16_t)conf->http_port, on_accept, s,
	    on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)conf->http_threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)conf->http_max_conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)conf->http_timeout_s,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)conf->http_max_conns,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
	    MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		listen_failed(conf, &sin, errno);
		deadline_stop(s->dl);
		ratelimit_free(s->rl);
		clientaddr_free(s->ca);
		connlimit_free(s->cl);
		free(s);
		return MJ_ECONFIG;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info != NULL ? info->port : conf->http_port;
	*out = s;
	return MJ_OK;
}

void
server_stop(struct server *s)
{
	struct timespec	ts = { 0, 10 * 1000 * 1000 };

	if (s == NULL)
		return;
	atomic_store(&s->stopping, 1);
	/*
	 * Graceful: new requests are answered 503 (on_request), the requests
	 * in flight (some waiting for their commit) finish and are answered,
	 * then the daemon closes.  Not MHD_quiesce_daemon(): in
	 * libmicrohttpd 0.9.75 with a thread pool on epoll it races the
	 * workers over the listening socket and aborts ("Failed to remove
	 * listen FD from epoll set", seen in the e2e suite).
	 */
	for (int i = 0; i < 1000 && atomic_load(&s->active) > 0; i++)
		nanosleep(&ts, NULL);
	if (atomic_load(&s->active) > 0)
		log_warn("http.stop", "unfinished=%d", atomic_load(&s->active));
	MHD_stop_daemon(s->d);
	deadline_stop(s->dl);	/* after the daemon closed every connection */
	ratelimit_free(s->rl);
	clientaddr_free(s->ca);
	connlimit_free(s->cl);
	free(s);
}
