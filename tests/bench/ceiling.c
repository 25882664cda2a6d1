/*
 * ceiling.c - the least a libmicrohttpd server can do per request: read the
 * body and answer a fixed reply, with the same threading as murojaat serve
 * (epoll, a pool of 2).  make bench loads it beside the real pipeline; the
 * ratio of the two is how much of this machine's ceiling murojaat reaches.
 *   ceiling PORT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

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
	struct MHD_Daemon	*d;
	sigset_t		 set;
	int			 sig;

	if (argc != 2) {
		fprintf(stderr, "usage: ceiling PORT\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, (uint16_t)atoi(argv[1]),
	    NULL, NULL, on_request, NULL, MHD_OPTION_THREAD_POOL_SIZE, 2u,
	    MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "ceiling: cannot listen on %s\n", argv[1]);
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
