/*
 * mockbot.c - the Telegram Bot API as make bench's outbox sender meets it:
 * POST /bot<TOKEN>/sendMessage answered {"ok":true,"result":{...}} with a
 * new message_id, on loopback.  A stand-in for an external service, in C
 * so that on a 2-core machine it takes little of the CPU the benchmark
 * measures murojaat with (the Python mock of the end-to-end tests took
 * about a third of a core).  GET /stats answers how many sendMessage
 * calls came.
 *   mockbot PORT TOKEN
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "tests/bench/serve.h"

static const char	*token;
static atomic_long	 calls;

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum MHD_Result
answer(struct MHD_Connection *conn, unsigned status, const char *body)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 ret;

	resp = MHD_create_response_from_buffer(strlen(body),
	    (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **ctx)
{
	static int	 marker;
	char		 prefix[160], body[256];
	long		 n;
	long long	 t;

	(void)cls;
	(void)version;
	(void)upload;
	if (*ctx == NULL) {
		*ctx = &marker;
		return MHD_YES;
	}
	if (*upload_len > 0) {
		*upload_len = 0;	/* the message itself is not looked at */
		return MHD_YES;
	}
	if (strcmp(method, "GET") == 0 && strcmp(url, "/stats") == 0) {
		snprintf(body, sizeof(body), "%ld\n", atomic_load(&calls));
		return answer(conn, MHD_HTTP_OK, body);
	}
	snprintf(prefix, sizeof(prefix), "/bot%s/", token);
	if (strncmp(url, prefix, strlen(prefix)) != 0)
		return answer(conn, MHD_HTTP_NOT_FOUND, "{\"ok\":false,"
		    "\"error_code\":404,\"description\":\"Not Found\"}");
	if (strcmp(url + strlen(prefix), "sendMessage") != 0)
		return answer(conn, MHD_HTTP_OK, "{\"ok\":true,\"result\":true}");
	n = atomic_fetch_add(&calls, 1) + 1;
	t = now_ms();
	snprintf(body, sizeof(body), "{\"ok\":true,\"result\":{\"message_id\":"
	    "%ld,\"date\":%lld,\"chat\":{\"id\":0,\"type\":\"private\"}}}", n,
	    t / 1000);
	return answer(conn, MHD_HTTP_OK, body);
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: mockbot PORT TOKEN\n");
		return 2;
	}
	token = argv[2];
	return serve_loopback("mockbot", argv[1], MHD_USE_TURBO, 1, on_request);
}
