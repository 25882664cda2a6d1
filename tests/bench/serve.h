/*
 * serve.h - what make bench's two stand-in servers (ceiling.c, mockbot.c)
 * share: listen on loopback only with libmicrohttpd's epoll thread(s),
 * say "listening" on stdout, and serve until SIGTERM or SIGINT.
 */
#ifndef TESTS_BENCH_SERVE_H
#define TESTS_BENCH_SERVE_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

/* The exit status: 0 once stopped, 1 when the port cannot be had. */
static inline int
serve_loopback(const char *name, const char *port, unsigned flags,
    unsigned threads, MHD_AccessHandlerCallback handler)
{
	struct MHD_Daemon	*d;
	struct sockaddr_in	 sa;
	sigset_t		 set;
	int			 sig;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | flags,
	    (uint16_t)atoi(port), NULL, NULL, handler, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "%s: cannot listen on 127.0.0.1:%s\n", name,
		    port);
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
#endif
