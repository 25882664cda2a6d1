/* connlimit_test.c - connections per address: the cap, the first refusal,
 * IPv6 by /64, and the table against a plain count through many opens and
 * closes (entries removed by shifting back must stay findable). */
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "check.h"
#include "gateway/connlimit.h"

#define SA(x)	((const struct sockaddr *)(const void *)&(x))
#define NADDR	300
#define NOPEN	2000

static struct sockaddr_in
v4n(unsigned n)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };

	sin.sin_addr.s_addr = htonl(0xc6336400u + n);	/* 198.51.100.0 + n */
	return sin;
}

int
main(void)
{
	struct connlimit	*cl;
	struct sockaddr_in	 a = v4n(7), b = v4n(8);
	struct sockaddr_in6	 c = { .sin6_family = AF_INET6 },
				 d = { .sin6_family = AF_INET6 };
	unsigned char		 ka[3][16], kb[16], kc[2][16];
	static unsigned char	 keys[NOPEN][16];
	static int		 who[NOPEN], count[NADDR];
	int			 first, open = 0;

	CHECK_INT(connlimit_new(&cl, 3, 100), MJ_OK);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(connlimit_room(cl, SA(a), &first), 1);
		CHECK_INT(connlimit_open(cl, SA(a), ka[i]), 1);
	}
	CHECK_INT(connlimit_room(cl, SA(a), &first), 0);
	CHECK_INT(first, 1);
	CHECK_INT(connlimit_room(cl, SA(a), &first), 0);
	CHECK_INT(first, 0);			/* logged once, not per try */
	CHECK_INT(connlimit_room(cl, SA(b), &first), 1);	/* others go on */
	CHECK_INT(connlimit_open(cl, SA(b), kb), 1);
	connlimit_close(cl, ka[0]);
	CHECK_INT(connlimit_room(cl, SA(a), &first), 1);
	connlimit_close(cl, ka[1]);
	connlimit_close(cl, ka[2]);
	connlimit_close(cl, kb);
	/* IPv6: one /64 is one client */
	inet_pton(AF_INET6, "2001:db8:1:2::1", &c.sin6_addr);
	inet_pton(AF_INET6, "2001:db8:1:2::ffff", &d.sin6_addr);
	CHECK_INT(connlimit_open(cl, SA(c), kc[0]), 1);
	CHECK_INT(connlimit_open(cl, SA(d), kc[1]), 1);
	CHECK_INT(connlimit_open(cl, SA(c), kb), 1);
	CHECK_INT(connlimit_room(cl, SA(d), &first), 0);
	connlimit_close(cl, kc[0]);
	connlimit_close(cl, kc[1]);
	connlimit_close(cl, kb);
	CHECK_INT(connlimit_room(cl, NULL, &first), 1);
	CHECK_INT(connlimit_open(cl, NULL, kb), 0);
	connlimit_free(cl);

	/* Against a plain count: random opens and closes over many addresses. */
	CHECK_INT(connlimit_new(&cl, 4, NOPEN), MJ_OK);
	srand(14);
	for (int step = 0; step < 200000; step++) {
		if (open < NOPEN && (open == 0 || rand() % 2)) {
			unsigned		 n = (unsigned)rand() % NADDR;
			struct sockaddr_in	 x = v4n(n);
			int			 room = connlimit_room(cl, SA(x),
						    &first);

			if (room != (count[n] < 4)) {
				CHECK_INT(room, count[n] < 4);
				break;
			}
			if (!room)
				continue;
			CHECK_INT(connlimit_open(cl, SA(x), keys[open]), 1);
			who[open++] = (int)n;
			count[n]++;
		} else {
			int	i = rand() % open;

			connlimit_close(cl, keys[i]);
			count[who[i]]--;
			memcpy(keys[i], keys[open - 1], 16);
			who[i] = who[--open];
		}
	}
	for (int n = 0; n < NADDR; n++) {
		struct sockaddr_in	x = v4n((unsigned)n);

		CHECK_INT(connlimit_room(cl, SA(x), &first), count[n] < 4);
	}
	connlimit_free(cl);

	/* per 0: no cap */
	CHECK_INT(connlimit_new(&cl, 0, 10), MJ_OK);
	for (int i = 0; i < 100; i++)
		CHECK_INT(connlimit_room(cl, SA(a), &first), 1);
	CHECK_INT(connlimit_open(cl, SA(a), kb), 0);
	connlimit_free(cl);
	return check_done("connlimit_test");
}
