/*
 * connlimit.h - simultaneous connections per client address (IPv4 by
 * address, IPv6 by /64, as ratelimit.h), so one address cannot hold every
 * slot of http.max_conns.  A fixed table sized for the most connections
 * the server keeps, so memory is bounded; an entry lives while its address
 * has a connection open.  Thread-safe: one mutex.
 */
#ifndef GATEWAY_CONNLIMIT_H
#define GATEWAY_CONNLIMIT_H
#include <stddef.h>
#include <sys/socket.h>

#include "base/err.h"

struct connlimit;	/* opaque */

/* per connections an address may hold (0: no cap), for up to conns open. */
enum mj_err	connlimit_new(struct connlimit **out, int per, size_t conns);
void		connlimit_free(struct connlimit *);	/* NULL is fine */

/*
 * 1 when addr holds fewer than per connections now (the accept policy
 * asks); 0 otherwise, and *first is 1 for the first refusal since the
 * address was last let in (log that one, not the flood).
 */
int		connlimit_room(struct connlimit *, const struct sockaddr *addr,
		    int *first);
/*
 * Count one connection of addr opened: 1 when counted, and key holds what
 * to hand connlimit_close() at its end; 0 when not counted (a NULL or
 * unknown-family address, no cap, a full table).
 */
int		connlimit_open(struct connlimit *, const struct sockaddr *addr,
		    unsigned char key[16]);
void		connlimit_close(struct connlimit *, const unsigned char key[16]);
#endif
