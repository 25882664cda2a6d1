/*
 * http.c - answering helpers shared by the routes, and the one table from
 * mj_err to HTTP status.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "gateway/http.h"

#define AGAIN	"temporarily unavailable"

static const struct {
	unsigned	 status;
	const char	*reason;
} statuses[] = {
	[MJ_OK] =		{ MHD_HTTP_OK, "ok" },
	[MJ_ENOMEM] =		{ MHD_HTTP_SERVICE_UNAVAILABLE, AGAIN },
	[MJ_EINPUT] =		{ MHD_HTTP_BAD_REQUEST, "bad request" },
	[MJ_ETOOBIG] =		{ MHD_HTTP_CONTENT_TOO_LARGE, "too large" },
	[MJ_ENOTFOUND] =	{ MHD_HTTP_NOT_FOUND, "not found" },
	[MJ_EDB] =		{ MHD_HTTP_SERVICE_UNAVAILABLE, AGAIN },
	[MJ_EUPSTREAM] =	{ MHD_HTTP_SERVICE_UNAVAILABLE, AGAIN },
	[MJ_ECONFIG] =		{ MHD_HTTP_SERVICE_UNAVAILABLE, AGAIN },
	[MJ_EINTERNAL] =	{ MHD_HTTP_SERVICE_UNAVAILABLE, AGAIN },
};

unsigned
http_status(enum mj_err rc)
{
	if ((unsigned)rc >= sizeof(statuses) / sizeof(statuses[0]))
		rc = MJ_EINTERNAL;
	return statuses[rc].status;
}

unsigned
http_status_unstored(enum mj_err rc)
{
	return rc == MJ_EINPUT || rc == MJ_ETOOBIG ? http_status(rc) :
	    http_status(MJ_EINTERNAL);
}

const char *
http_reason(enum mj_err rc)
{
	if ((unsigned)rc >= sizeof(statuses) / sizeof(statuses[0]))
		rc = MJ_EINTERNAL;
	return statuses[rc].reason;
}

enum MHD_Result
http_fail(struct MHD_Connection *conn, enum mj_err rc, const char *reason)
{
	return http_error(conn, http_status(rc), reason != NULL ? reason :
	    http_reason(rc));
}

void
http_harden(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'none'; frame-ancestors 'none'");
}

enum MHD_Result
http_reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
    const char *text, size_t len)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)text,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	http_harden(resp);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
http_error(struct MHD_Connection *conn, unsigned status, const char *reason)
{
	char	buf[256];
	size_t	n;

	n = (size_t)snprintf(buf, sizeof(buf), "%s\n", reason);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return http_reply(conn, status, "text/plain; charset=utf-8", buf, n);
}

const char *
http_arg(struct MHD_Connection *conn, const char *name, size_t *len)
{
	const char	*v = NULL;
	size_t		 n = 0;

	if (MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, name,
	    strlen(name), &v, &n) != MHD_YES)
		return NULL;
	if (len != NULL)
		*len = n;
	return v != NULL ? v : "";
}

const char *
http_header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

int
http_secret_equal(const char *want, const char *got)
{
	unsigned char	hw[32], hg[32];

	if (want == NULL || got == NULL)
		return 0;
	crypto_generichash(hw, sizeof(hw), (const unsigned char *)want,
	    strlen(want), NULL, 0);
	crypto_generichash(hg, sizeof(hg), (const unsigned char *)got,
	    strlen(got), NULL, 0);
	return sodium_memcmp(hw, hg, sizeof(hw)) == 0;
}
