/*
 * clientaddr.h - who the client of a request is.  Behind a reverse proxy
 * every connection comes from the proxy; the proxy names the client in
 * X-Real-IP and X-Forwarded-For.  Those headers are believed only when the
 * connection comes from an address of http.trusted_proxies: anyone else
 * could write them.  The help desk's login throttle and audit rows use the
 * answer.
 */
#ifndef GATEWAY_CLIENTADDR_H
#define GATEWAY_CLIENTADDR_H
#include <stddef.h>

#include "base/err.h"

struct MHD_Connection;
struct clientaddr;		/* opaque: the trusted proxies */

/* The longest address written, with its NUL (an IPv6 address). */
#define CLIENTADDR_LEN	46

/*
 * The trusted proxies from list: addresses or CIDRs ("127.0.0.1",
 * "10.0.0.0/8", "::1", "fd00::/8"), separated by commas or spaces; ""
 * trusts nobody.  On MJ_EINPUT *out is NULL and why says which entry is
 * wrong; free with clientaddr_free (NULL is fine).
 */
enum mj_err	clientaddr_new(struct clientaddr **out, const char *list,
		    char *why, size_t whylen);
void		clientaddr_free(struct clientaddr *);

/* 1 when addr (text) is one of the trusted proxies. */
int		clientaddr_trusted(const struct clientaddr *, const char *addr);

/*
 * The client, as text into buf (at least CLIENTADDR_LEN): peer itself
 * unless peer is trusted; then X-Real-IP when it is a valid address that is
 * not itself a trusted proxy, else the right-most address of
 * X-Forwarded-For that is not a trusted proxy (the ones left of it are the
 * client's own words), else peer.  real_ip and xff may be NULL.
 */
void		clientaddr_pick(const struct clientaddr *, const char *peer,
		    const char *real_ip, const char *xff, char *buf,
		    size_t len);

/* clientaddr_pick() for a libmicrohttpd connection; "-" when unknown. */
void		clientaddr_get(const struct clientaddr *,
		    struct MHD_Connection *, char *buf, size_t len);
#endif
