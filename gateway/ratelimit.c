/*
 * ratelimit.c - per-address token buckets in a fixed open-addressed table
 * (see ratelimit.h).  A key may live in PROBE consecutive slots from its
 * hash; a new key takes a free one there or evicts the longest idle.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include <sodium.h>

#include "gateway/ratelimit.h"

#define PROBE	8

struct slot {
	unsigned char	key[16];	/* IPv4-mapped, or an IPv6 /64 */
	int64_t		last_ms;	/* 0: free */
	double		tokens;
	int		refused;	/* refusals since last let through */
};

struct ratelimit {
	pthread_mutex_t	 mu;
	double		 rate, burst;	/* tokens a ms, most tokens */
	struct slot	*slots;
	size_t		 mask;
	size_t		 used;
	unsigned char	 hkey[crypto_shorthash_KEYBYTES];
};

enum mj_err
ratelimit_new(struct ratelimit **out, int rate, int burst, size_t nslots)
{
	struct ratelimit	*rl;
	size_t			 n = 64;

	*out = NULL;
	while (n < nslots && n < ((size_t)1 << 24))
		n <<= 1;
	if ((rl = calloc(1, sizeof(*rl))) == NULL)
		return MJ_ENOMEM;
	if ((rl->slots = calloc(n, sizeof(*rl->slots))) == NULL) {
		free(rl);
		return MJ_ENOMEM;
	}
	pthread_mutex_init(&rl->mu, NULL);
	rl->mask = n - 1;
	rl->rate = rate > 0 ? rate / 1000.0 : 0;
	rl->burst = burst > 0 ? burst : 1;
	crypto_shorthash_keygen(rl->hkey);
	*out = rl;
	return MJ_OK;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->slots);
	free(rl);
}

int
ratelimit_key(const struct sockaddr *sa, unsigned char key[16])
{
	memset(key, 0, 16);
	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const void *)sa;

		key[10] = key[11] = 0xff;
		memcpy(key + 12, &in4->sin_addr, 4);
		return 1;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		/* An IPv4-mapped address is that IPv4 address. */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			memcpy(key, &in6->sin6_addr, 16);
		else
			memcpy(key, &in6->sin6_addr, 8);
		return 1;
	}
	return 0;
}

int
ratelimit_take(struct ratelimit *rl, const struct sockaddr *addr,
    int64_t now_ms, unsigned *retry_s, int *first)
{
	unsigned char	 key[16], h[crypto_shorthash_BYTES];
	struct slot	*s = NULL, *victim = NULL;
	size_t		 i0;
	int		 ok;

	*retry_s = 0;
	*first = 0;
	if (rl == NULL || rl->rate == 0 || !ratelimit_key(addr, key))
		return 1;
	crypto_shorthash(h, key, sizeof(key), rl->hkey);
	memcpy(&i0, h, sizeof(i0));
	if (now_ms < 1)
		now_ms = 1;
	pthread_mutex_lock(&rl->mu);
	for (size_t k = 0; k < PROBE; k++) {
		struct slot *c = &rl->slots[(i0 + k) & rl->mask];

		if (c->last_ms != 0 && memcmp(c->key, key, 16) == 0) {
			s = c;
			break;
		}
		if (victim == NULL || c->last_ms < victim->last_ms)
			victim = c;	/* a free slot (0) wins */
	}
	if (s == NULL) {
		s = victim;
		if (s->last_ms == 0)
			rl->used++;
		memcpy(s->key, key, 16);
		s->tokens = rl->burst;
		s->refused = 0;
	} else if (now_ms > s->last_ms) {
		s->tokens += (double)(now_ms - s->last_ms) * rl->rate;
		if (s->tokens > rl->burst)
			s->tokens = rl->burst;
	}
	s->last_ms = now_ms;
	if (s->tokens >= 1.0) {
		s->tokens -= 1.0;
		s->refused = 0;
		ok = 1;
	} else {
		double wait_ms = (1.0 - s->tokens) / rl->rate;

		*retry_s = (unsigned)ceil(wait_ms / 1000.0);
		if (*retry_s < 1)
			*retry_s = 1;
		*first = s->refused++ == 0;
		ok = 0;
	}
	pthread_mutex_unlock(&rl->mu);
	return ok;
}

size_t
ratelimit_used(struct ratelimit *rl)
{
	size_t	n;

	pthread_mutex_lock(&rl->mu);
	n = rl->used;
	pthread_mutex_unlock(&rl->mu);
	return n;
}
