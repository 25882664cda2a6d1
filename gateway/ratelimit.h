/*
 * ratelimit.h - requests per client address, a token bucket each: rate a
 * second, up to burst at once.  IPv4 by address, IPv6 by /64 (one host
 * holds a whole /64).  The table has a fixed number of slots, so memory is
 * bounded whatever the number of clients: when the slots a key may use are
 * taken, the one idle longest is reused (its client starts again with a
 * full bucket, which errs on the side of letting through).  Keys are
 * hashed with a random SipHash key, so no one can aim at one slot.
 * Thread-safe: one mutex, held for a few hundred nanoseconds.
 */
#ifndef GATEWAY_RATELIMIT_H
#define GATEWAY_RATELIMIT_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/err.h"

struct ratelimit;	/* opaque */

/*
 * rate requests a second (0: no limit), burst at once (>= 1), slots
 * entries (rounded up to a power of two, at least 64).  MJ_ENOMEM.
 */
enum mj_err	ratelimit_new(struct ratelimit **out, int rate, int burst,
		    size_t slots);
void		ratelimit_free(struct ratelimit *);	/* NULL is fine */

/*
 * Take one token for addr at now_ms (a monotonic clock).  1: go on.
 * 0: over the rate; *retry_s is when a token will be there (>= 1 s), and
 * *first is 1 for the first refusal since the client was last let through
 * (log that one, not the flood).  A NULL or unknown-family addr goes on.
 */
int		ratelimit_take(struct ratelimit *, const struct sockaddr *addr,
		    int64_t now_ms, unsigned *retry_s, int *first);

/*
 * The key an address is counted under: IPv4 (or IPv4-mapped) as
 * ::ffff:a.b.c.d, IPv6 its /64.  0 when addr is NULL or of another family.
 */
int		ratelimit_key(const struct sockaddr *addr, unsigned char key[16]);

/* Addresses in use, for tests and metrics. */
size_t		ratelimit_used(struct ratelimit *);
#endif
