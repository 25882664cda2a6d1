/* ratelimit_test.c - token buckets per address: burst, rate, Retry-After,
 * IPv6 by /64, bounded table. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "check.h"
#include "gateway/ratelimit.h"

static struct sockaddr_in
v4(const char *a)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };

	inet_pton(AF_INET, a, &sin.sin_addr);
	return sin;
}

static struct sockaddr_in6
v6(const char *a)
{
	struct sockaddr_in6	sin6 = { .sin6_family = AF_INET6 };

	inet_pton(AF_INET6, a, &sin6.sin6_addr);
	return sin6;
}

#define SA(x)	((const struct sockaddr *)(const void *)&(x))

int
main(void)
{
	struct ratelimit	*rl;
	struct sockaddr_in	 a = v4("203.0.113.7"), b = v4("203.0.113.8");
	struct sockaddr_in6	 c = v6("2001:db8:1:2::1"), d = v6("2001:db8:1:2::ffff"),
				 e = v6("2001:db8:1:3::1"), m = v6("::ffff:203.0.113.7");
	unsigned		 retry;
	int			 first, ok = 0;

	CHECK_INT(ratelimit_new(&rl, 10, 5, 100), MJ_OK);
	for (int i = 0; i < 5; i++)
		ok += ratelimit_take(rl, SA(a), 1000, &retry, &first);
	CHECK_INT(ok, 5);				/* the burst */
	CHECK_INT(ratelimit_take(rl, SA(a), 1000, &retry, &first), 0);
	CHECK_INT(retry, 1);
	CHECK_INT(first, 1);
	CHECK_INT(ratelimit_take(rl, SA(a), 1010, &retry, &first), 0);
	CHECK_INT(first, 0);				/* log once */
	CHECK_INT(ratelimit_take(rl, SA(m), 1020, &retry, &first), 0);
	CHECK_INT(ratelimit_take(rl, SA(b), 1020, &retry, &first), 1);
	CHECK_INT(ratelimit_take(rl, SA(a), 1120, &retry, &first), 1);	/* 10/s */
	CHECK_INT(ratelimit_take(rl, SA(a), 1120, &retry, &first), 0);
	CHECK_INT(ratelimit_take(rl, SA(a), 60000, &retry, &first), 1);
	/* the bucket refills to the burst, no further */
	ok = 0;
	for (int i = 0; i < 10; i++)
		ok += ratelimit_take(rl, SA(a), 60000, &retry, &first);
	CHECK_INT(ok, 4);
	/* one IPv6 /64 is one client */
	ok = 0;
	for (int i = 0; i < 3; i++) {
		ok += ratelimit_take(rl, SA(c), 2000, &retry, &first);
		ok += ratelimit_take(rl, SA(d), 2000, &retry, &first);
	}
	CHECK_INT(ok, 5);
	CHECK_INT(ratelimit_take(rl, SA(e), 2000, &retry, &first), 1);
	/* no address, or a family without one: let through */
	CHECK_INT(ratelimit_take(rl, NULL, 2000, &retry, &first), 1);
	ratelimit_free(rl);

	/* a slow rate says how long to wait */
	CHECK_INT(ratelimit_new(&rl, 1, 1, 64), MJ_OK);
	CHECK_INT(ratelimit_take(rl, SA(a), 5000, &retry, &first), 1);
	CHECK_INT(ratelimit_take(rl, SA(a), 5100, &retry, &first), 0);
	CHECK_INT(retry, 1);
	ratelimit_free(rl);

	/* a million addresses: the table stays its size */
	CHECK_INT(ratelimit_new(&rl, 5, 1, 1000), MJ_OK);
	for (uint32_t i = 0; i < 1000000; i++) {
		struct sockaddr_in x = { .sin_family = AF_INET,
		    .sin_addr.s_addr = htonl(0x0a000000u + i) };

		ratelimit_take(rl, SA(x), 1000 + i / 1000, &retry, &first);
	}
	CHECK(ratelimit_used(rl) <= 1024);
	CHECK(ratelimit_used(rl) >= 900);
	/* and a recent client is still remembered */
	CHECK_INT(ratelimit_take(rl, SA(a), 3000, &retry, &first), 1);
	CHECK_INT(ratelimit_take(rl, SA(a), 3000, &retry, &first), 0);
	ratelimit_free(rl);

	/* rate 0: no limit */
	CHECK_INT(ratelimit_new(&rl, 0, 1, 64), MJ_OK);
	ok = 0;
	for (int i = 0; i < 1000; i++)
		ok += ratelimit_take(rl, SA(a), 1000, &retry, &first);
	CHECK_INT(ok, 1000);
	ratelimit_free(rl);
	return check_done("ratelimit_test");
}
