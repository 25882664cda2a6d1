/*
 * connlimit.c - connections open per address (see connlimit.h): an
 * open-addressed table with linear probing, twice as large as the most
 * connections open at once, so it never fills; an entry is removed (and
 * the run behind it shifted back) when its count drops to 0.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gateway/connlimit.h"
#include "gateway/ratelimit.h"

struct cslot {
	unsigned char	key[16];
	int		n;		/* open connections; 0: free */
	int		refused;	/* refusals since last let in */
};

struct connlimit {
	pthread_mutex_t	 mu;
	int		 per;
	struct cslot	*slots;
	size_t		 mask;
	unsigned char	 hkey[crypto_shorthash_KEYBYTES];
};

enum mj_err
connlimit_new(struct connlimit **out, int per, size_t conns)
{
	struct connlimit	*cl;
	size_t			 n = 64;

	*out = NULL;
	while (n < 2 * conns + 64 && n < ((size_t)1 << 24))
		n <<= 1;
	if ((cl = calloc(1, sizeof(*cl))) == NULL)
		return MJ_ENOMEM;
	if ((cl->slots = calloc(n, sizeof(*cl->slots))) == NULL) {
		free(cl);
		return MJ_ENOMEM;
	}
	pthread_mutex_init(&cl->mu, NULL);
	cl->per = per;
	cl->mask = n - 1;
	crypto_shorthash_keygen(cl->hkey);
	*out = cl;
	return MJ_OK;
}

void
connlimit_free(struct connlimit *cl)
{
	if (cl == NULL)
		return;
	pthread_mutex_destroy(&cl->mu);
	free(cl->slots);
	free(cl);
}

static size_t
home_of(const struct connlimit *cl, const unsigned char key[16])
{
	unsigned char	h[crypto_shorthash_BYTES];
	size_t		i;

	crypto_shorthash(h, key, 16, cl->hkey);
	memcpy(&i, h, sizeof(i));
	return i & cl->mask;
}

/* The slot of key, or the free one where it would go; NULL: table full. */
static struct cslot *
find(struct connlimit *cl, const unsigned char key[16])
{
	size_t	i = home_of(cl, key);

	for (size_t k = 0; k <= cl->mask; k++, i = (i + 1) & cl->mask) {
		struct cslot *s = &cl->slots[i];

		if (s->n == 0 || memcmp(s->key, key, 16) == 0)
			return s;
	}
	return NULL;
}

int
connlimit_room(struct connlimit *cl, const struct sockaddr *addr, int *first)
{
	unsigned char	 key[16];
	struct cslot	*s;
	int		 ok = 1;

	*first = 0;
	if (cl == NULL || cl->per == 0 || !ratelimit_key(addr, key))
		return 1;
	pthread_mutex_lock(&cl->mu);
	if ((s = find(cl, key)) != NULL && s->n >= cl->per) {
		*first = s->refused++ == 0;
		ok = 0;
	}
	pthread_mutex_unlock(&cl->mu);
	return ok;
}

int
connlimit_open(struct connlimit *cl, const struct sockaddr *addr,
    unsigned char key[16])
{
	struct cslot	*s;

	if (cl == NULL || cl->per == 0 || !ratelimit_key(addr, key))
		return 0;
	pthread_mutex_lock(&cl->mu);
	if ((s = find(cl, key)) != NULL) {
		if (s->n == 0) {
			memcpy(s->key, key, 16);
			s->refused = 0;
		} else if (s->n < cl->per)
			s->refused = 0;
		s->n++;
	}
	pthread_mutex_unlock(&cl->mu);
	return s != NULL;
}

void
connlimit_close(struct connlimit *cl, const unsigned char key[16])
{
	struct cslot	*s;
	size_t		 i, j;

	if (cl == NULL)
		return;
	pthread_mutex_lock(&cl->mu);
	if ((s = find(cl, key)) != NULL && s->n > 0 && --s->n == 0) {
		/* Shift back the entries after it whose home is at or before. */
		i = (size_t)(s - cl->slots);
		for (j = (i + 1) & cl->mask; cl->slots[j].n != 0;
		    j = (j + 1) & cl->mask) {
			size_t h = home_of(cl, cl->slots[j].key);

			if (((j - h) & cl->mask) >= ((j - i) & cl->mask)) {
				cl->slots[i] = cl->slots[j];
				memset(&cl->slots[j], 0, sizeof(cl->slots[j]));
				i = j;
			}
		}
	}
	pthread_mutex_unlock(&cl->mu);
}
