/*
 * server.c - libmicrohttpd server and router.  Bodies are collected into
 * struct req up to http.max_body (then 413); every request gets an id.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <sodium.h>

#include "bot/log.h"
#include "gateway/kannel.h"
#include "gateway/server.h"
#include "gateway/telegram.h"

struct server {
	struct MHD_Daemon	*d;
	const struct conf	*conf;
	struct bot		*bot;
	int			 port;
};

typedef enum MHD_Result (*route_fn)(struct server *, struct MHD_Connection *,
    struct req *, const char *method);

struct route {
	const char	*path;
	const char	*methods;	/* space-separated */
	route_fn	 fn;
	int		 wants_body;
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

static const struct route routes[] = {
	{ "/healthz", "GET HEAD", healthz, 0 },
	{ "/sms/kannel", "GET POST", kannel_handle, 1 },
	{ "/telegram/webhook", "POST", telegram_handle, 1 },
};

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

int
server_port(const struct server *s)
{
	return s->port;
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

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **ctx)
{
	struct server		*s = cls;
	struct req		*r = *ctx;
	const struct route	*rt;

	(void)version;
	if (r == NULL) {
		unsigned char	rnd[5];

		if ((r = calloc(1, sizeof(*r))) == NULL)
			return MHD_NO;
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(r->id, sizeof(r->id), rnd, sizeof(rnd));
		r->max = (size_t)s->conf->http_max_body;
		for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
			if (strcmp(url, routes[i].path) == 0)
				r->route = &routes[i];
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
	struct req	*r = *ctx;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	free(r->body);
	free(r);
	*ctx = NULL;
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_warn("http.mhd", "msg=\"%s\"", buf);
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
	s->conf = conf;
	s->bot = bot;
	/* epoll with a small thread pool: the cheapest per request here. */
	s->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
	    MHD_USE_ERROR_LOG, (uint16_t)conf->http_port, NULL, NULL,
	    on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)conf->http_threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)conf->http_max_conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)conf->http_timeout_s,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)conf->http_max_conns,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		fprintf(stderr, "murojaat: cannot listen on %s:%d: %s\n",
		    conf->http_bind, conf->http_port, strerror(errno));
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
	if (s == NULL)
		return;
	MHD_stop_daemon(s->d);
	free(s);
}
