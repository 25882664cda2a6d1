/*
 * clientaddr.c - the trusted proxies and the client they name (see
 * clientaddr.h).  Addresses are compared as bytes: IPv4 as 4, IPv6 as 16,
 * and an IPv4-mapped IPv6 address ("::ffff:10.0.0.1") as its IPv4 form.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "gateway/clientaddr.h"

#define MAX_NETS	64

struct net {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];
	int		 bits;		/* prefix length */
};

struct clientaddr {
	struct net	 nets[MAX_NETS];
	size_t		 n;
};

/* Text to family and bytes; 0 when it is not an address. */
static int
parse_addr(const char *s, unsigned char out[16])
{
	if (inet_pton(AF_INET, s, out) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, out) != 1)
		return 0;
	/* ::ffff:a.b.c.d is the IPv4 client of a dual-stack socket. */
	if (memcmp(out, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
		memmove(out, out + 12, 4);
		return AF_INET;
	}
	return AF_INET6;
}

static int
net_has(const struct net *n, int family, const unsigned char *a)
{
	int	full = n->bits / 8, rest = n->bits % 8;

	if (n->family != family || memcmp(n->addr, a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((n->addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

enum mj_err
clientaddr_new(struct clientaddr **out, const char *list, char *why,
    size_t whylen)
{
	struct clientaddr	*c;
	const char		*p = list != NULL ? list : "";

	*out = NULL;
	snprintf(why, whylen, "%s", "");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return MJ_ENOMEM;
	while (*p != '\0') {
		char		 item[80], *slash, *end;
		size_t		 len = strcspn(p, ", \t");
		struct net	*n;
		long		 bits;

		if (len == 0) {
			p++;
			continue;
		}
		if (len >= sizeof(item) || c->n == MAX_NETS) {
			snprintf(why, whylen, "http.trusted_proxies: %s",
			    len >= sizeof(item) ? "an entry is too long" :
			    "more than 64 entries");
			free(c);
			return MJ_EINPUT;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		p += len;
		n = &c->nets[c->n];
		if ((slash = strchr(item, '/')) != NULL)
			*slash = '\0';
		n->family = parse_addr(item, n->addr);
		n->bits = n->family == AF_INET ? 32 : 128;
		if (n->family != 0 && slash != NULL) {
			bits = strtol(slash + 1, &end, 10);
			if (slash[1] < '0' || slash[1] > '9' || *end != '\0' ||
			    bits > n->bits)
				n->family = 0;
			else
				n->bits = (int)bits;
		}
		if (n->family == 0) {
			if (slash != NULL)
				*slash = '/';
			snprintf(why, whylen, "http.trusted_proxies: \"%s\" is "
			    "not an address or CIDR", item);
			free(c);
			return MJ_EINPUT;
		}
		c->n++;
	}
	*out = c;
	return MJ_OK;
}

void
clientaddr_free(struct clientaddr *c)
{
	free(c);
}

int
clientaddr_trusted(const struct clientaddr *c, const char *addr)
{
	unsigned char	a[16];
	int		family;

	if (c == NULL || addr == NULL || (family = parse_addr(addr, a)) == 0)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (net_has(&c->nets[i], family, a))
			return 1;
	return 0;
}

/* The canonical text of addr into buf; 0 when it is not an address. */
static int
canonical(const char *addr, char *buf, size_t len)
{
	unsigned char	a[16];
	int		family = parse_addr(addr, a);

	return family != 0 && inet_ntop(family, a, buf, (socklen_t)len) !=
	    NULL;
}

/* An address from s[0..n), blanks trimmed, into buf; 0 when invalid. */
static int
token(const char *s, size_t n, char *buf, size_t len)
{
	char	item[CLIENTADDR_LEN + 8];

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(item))
		return 0;
	memcpy(item, s, n);
	item[n] = '\0';
	return canonical(item, buf, len);
}

void
clientaddr_pick(const struct clientaddr *c, const char *peer,
    const char *real_ip, const char *xff, char *buf, size_t len)
{
	char	a[CLIENTADDR_LEN];

	snprintf(buf, len, "%s", peer);
	if (!clientaddr_trusted(c, peer))
		return;
	if (real_ip != NULL && token(real_ip, strlen(real_ip), a,
	    sizeof(a)) && !clientaddr_trusted(c, a)) {
		snprintf(buf, len, "%s", a);
		return;
	}
	/* Right to left: each trusted proxy appended the one before it. */
	for (size_t end = xff != NULL ? strlen(xff) : 0; end > 0;) {
		size_t	start = end;

		while (start > 0 && xff[start - 1] != ',')
			start--;
		if (!token(xff + start, end - start, a, sizeof(a)))
			return;		/* garbage: trust nothing left of it */
		if (!clientaddr_trusted(c, a)) {
			snprintf(buf, len, "%s", a);
			return;
		}
		end = start > 0 ? start - 1 : 0;
	}
}

void
clientaddr_get(const struct clientaddr *c, struct MHD_Connection *conn,
    char *buf, size_t len)
{
	const union MHD_ConnectionInfo	*ci;
	char				 peer[CLIENTADDR_LEN] = "-";
	const struct sockaddr		*sa;

	ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && (sa = ci->client_addr) != NULL) {
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)
			    (const void *)sa)->sin_addr, peer, sizeof(peer));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			    (const void *)sa)->sin6_addr, peer, sizeof(peer));
	}
	clientaddr_pick(c, peer, MHD_lookup_connection_value(conn,
	    MHD_HEADER_KIND, "X-Real-IP"), MHD_lookup_connection_value(conn,
	    MHD_HEADER_KIND, "X-Forwarded-For"), buf, len);
}
