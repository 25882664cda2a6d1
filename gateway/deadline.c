/*
 * deadline.c - the slow-client watchdog (see deadline.h): a list of open
 * connections with their due time, swept five times a second.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "base/log.h"
#include "gateway/deadline.h"

#define SWEEP_MS	200

struct dl_conn {
	struct dl_conn	*prev, *next;
	int		 fd;
	int64_t		 due_ms;	/* 0: none (being answered, or cut) */
};

struct deadline {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 th;
	int		 stop;
	int64_t		 timeout_ms;
	struct dl_conn	*head;
	unsigned long	 cut;
};

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
watch(void *arg)
{
	struct deadline	*d = arg;

	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		struct timespec	ts;
		int64_t		now = now_ms();

		for (struct dl_conn *c = d->head; c != NULL; c = c->next) {
			if (c->due_ms == 0 || now < c->due_ms)
				continue;
			/* The fd is still libmicrohttpd's: close comes after
			 * deadline_close, which waits for this lock. */
			shutdown(c->fd, SHUT_RDWR);
			c->due_ms = 0;
			d->cut++;
			log_warn("http.slow_client", "fd=%d timeout_ms=%lld",
			    c->fd, (long long)d->timeout_ms);
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SWEEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&d->cv, &d->mu, &ts);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

enum mj_err
deadline_start(struct deadline **out, int timeout_s)
{
	struct deadline	*d;

	*out = NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return MJ_ENOMEM;
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	d->timeout_ms = (int64_t)(timeout_s > 0 ? timeout_s : 1) * 1000;
	if ((errno = pthread_create(&d->th, NULL, watch, d)) != 0) {
		log_err("http.deadline", "err=\"cannot start the watchdog\"");
		pthread_cond_destroy(&d->cv);
		pthread_mutex_destroy(&d->mu);
		free(d);
		return MJ_EINTERNAL;
	}
	*out = d;
	return MJ_OK;
}

void
deadline_stop(struct deadline *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	d->stop = 1;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->th, NULL);
	while (d->head != NULL) {	/* not expected: all closed before */
		struct dl_conn *c = d->head;

		d->head = c->next;
		free(c);
	}
	pthread_cond_destroy(&d->cv);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

struct dl_conn *
deadline_open(struct deadline *d, int fd)
{
	struct dl_conn	*c;

	if (d == NULL || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	pthread_mutex_lock(&d->mu);
	c->due_ms = now_ms() + d->timeout_ms;
	c->next = d->head;
	if (d->head != NULL)
		d->head->prev = c;
	d->head = c;
	pthread_mutex_unlock(&d->mu);
	return c;
}

void
deadline_close(struct deadline *d, struct dl_conn *c)
{
	if (d == NULL || c == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		d->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&d->mu);
	free(c);
}

void
deadline_done(struct deadline *d, struct dl_conn *c)
{
	if (d == NULL || c == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	c->due_ms = 0;
	pthread_mutex_unlock(&d->mu);
}

void
deadline_rearm(struct deadline *d, struct dl_conn *c)
{
	if (d == NULL || c == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	c->due_ms = now_ms() + d->timeout_ms;
	pthread_mutex_unlock(&d->mu);
}

unsigned long
deadline_cut(struct deadline *d)
{
	unsigned long	n;

	pthread_mutex_lock(&d->mu);
	n = d->cut;
	pthread_mutex_unlock(&d->mu);
	return n;
}
