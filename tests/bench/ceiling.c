/*
 * ceiling.c - the least a libmicrohttpd server can do per request: read the
 * body and answer a fixed reply, with the same threading as murojaat serve
 * (epoll, a pool of 2), on loopback.  make bench loads it beside the real pipeline; the
 * ratio of the two is how much of this machine's ceiling murojaat reaches.
 *   ceiling PORT
 */
#include <stdint.h>
#include <stdio.h>

#include <microhttpd.h>

#include "tests/bench/serve.h"

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **ctx)
{
	static int		 marker;
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	if (*ctx == NULL) {
		*ctx = &marker;
		return MHD_YES;
	}
	if (*upload_len > 0) {
		*upload_len = 0;	/* read and dropped */
		return MHD_YES;
	}
	resp = MHD_create_response_from_buffer(3, (void *)(uintptr_t)"ok\n",
	    MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(resp, "Content-Type",
	    "text/plain; charset=utf-8");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ceiling PORT\n");
		return 2;
	}
	return serve_loopback("ceiling", argv[1], 0, 2, on_request);
}
