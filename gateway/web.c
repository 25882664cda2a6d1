/*
 * web.c - the help desk's static pages from web.dir: known file types only,
 * no way out of the folder (no "..", no hidden files, no symlinks followed
 * at the last step), ETag revalidation, and the security headers a page
 * needs: CSP default-src 'self', X-Frame-Options DENY, nosniff.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "gateway/api.h"
#include "gateway/server.h"

#define WEB_MAX_FILE	(4 * 1024 * 1024)

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *
type_of(const char *path)
{
	const char	*dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* Letters, digits, '-', '_', '.', '/'; no empty, dot-led or ".." part. */
static int
path_ok(const char *p)
{
	if (*p != '/' || strlen(p) > 200)
		return 0;
	for (const char *s = p; *s != '\0'; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '/'))
			return 0;
		if (c == '/' && (s[1] == '/' || s[1] == '.'))
			return 0;
	}
	return 1;
}

static void
page_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
	    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	/* No build step, so no hashed names: revalidate by ETag each time. */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
}

static enum MHD_Result
not_found(struct MHD_Connection *conn)
{
	return http_error(conn, MHD_HTTP_NOT_FOUND, "not found");
}

enum MHD_Result
web_handle(struct server *s, struct MHD_Connection *conn, struct req *r,
    const char *method)
{
	const struct conf	*conf = server_conf(s);
	const char		*url = r->url != NULL ? r->url : "/";
	const char		*type, *inm;
	char			 path[1024], etag[64];
	struct stat		 sb;
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;
	int			 fd;

	(void)method;
	if (strcmp(url, "/") == 0)
		url = "/index.html";
	if (!path_ok(url) || (type = type_of(url)) == NULL)
		return not_found(conn);
	if ((size_t)snprintf(path, sizeof(path), "%s%s", conf->web_dir, url) >=
	    sizeof(path))
		return not_found(conn);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return not_found(conn);
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > WEB_MAX_FILE) {
		close(fd);
		return not_found(conn);
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)sb.st_mtime, (unsigned long long)sb.st_size);
	inm = http_header(conn, "If-None-Match");
	if (inm != NULL && strcmp(inm, etag) == 0) {
		close(fd);
		if ((resp = MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT)) == NULL)
			return MHD_NO;
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		page_headers(resp);
		ret = MHD_queue_response(conn, MHD_HTTP_NOT_MODIFIED, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	/* MHD closes fd with the response. */
	if ((resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd)) ==
	    NULL) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	page_headers(resp);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}
