/* clientaddr_test.c - trusted proxies and the client they name: CIDRs of
 * both families, X-Real-IP, the right-most untrusted X-Forwarded-For, and
 * headers from anyone else ignored. */
#include "check.h"
#include "gateway/clientaddr.h"

static const char *
pick(const struct clientaddr *c, const char *peer, const char *real,
    const char *xff)
{
	static char	buf[CLIENTADDR_LEN];

	clientaddr_pick(c, peer, real, xff, buf, sizeof(buf));
	return buf;
}

int
main(void)
{
	struct clientaddr	*c, *none;
	char			 why[160];
	static const char *const bad[] = { "127.0.0.1/33", "10.0.0.0/",
	    "::1/129", "localhost", "1.2.3", "10.0.0.0/8x", "/8" };

	CHECK_INT(clientaddr_new(&none, "", why, sizeof(why)), MJ_OK);
	CHECK_INT(clientaddr_new(&c, "127.0.0.1, 10.0.0.0/8 fd00::/8,::1",
	    why, sizeof(why)), MJ_OK);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct clientaddr *x = (struct clientaddr *)1;

		CHECK_INT(clientaddr_new(&x, bad[i], why, sizeof(why)),
		    MJ_EINPUT);
		CHECK(x == NULL);
		CHECK(strstr(why, "http.trusted_proxies") != NULL);
	}

	/* membership */
	CHECK_INT(clientaddr_trusted(c, "127.0.0.1"), 1);
	CHECK_INT(clientaddr_trusted(c, "127.0.0.2"), 0);
	CHECK_INT(clientaddr_trusted(c, "10.200.3.4"), 1);
	CHECK_INT(clientaddr_trusted(c, "11.0.0.1"), 0);
	CHECK_INT(clientaddr_trusted(c, "fd12:3456::1"), 1);
	CHECK_INT(clientaddr_trusted(c, "fe80::1"), 0);
	CHECK_INT(clientaddr_trusted(c, "::1"), 1);
	CHECK_INT(clientaddr_trusted(c, "::ffff:10.1.2.3"), 1);
	CHECK_INT(clientaddr_trusted(none, "127.0.0.1"), 0);

	/* nobody trusted: the headers are anyone's words */
	CHECK_STR(pick(none, "127.0.0.1", "203.0.113.7", "198.51.100.1"),
	    "127.0.0.1");
	/* a peer that is not a proxy cannot name another client */
	CHECK_STR(pick(c, "192.0.2.50", "203.0.113.7", "198.51.100.1"),
	    "192.0.2.50");
	/* from the proxy: X-Real-IP */
	CHECK_STR(pick(c, "127.0.0.1", "203.0.113.7", NULL), "203.0.113.7");
	CHECK_STR(pick(c, "127.0.0.1", " 2001:db8::7 ", NULL), "2001:db8::7");
	/* X-Forwarded-For: the right-most address that is not a proxy; what
	 * the client wrote left of it is ignored */
	CHECK_STR(pick(c, "127.0.0.1", NULL, "1.1.1.1, 203.0.113.9"),
	    "203.0.113.9");
	CHECK_STR(pick(c, "127.0.0.1", NULL,
	    "1.1.1.1, 203.0.113.9, 10.0.0.5"), "203.0.113.9");
	CHECK_STR(pick(c, "127.0.0.1", "10.0.0.5",
	    "203.0.113.9,10.0.0.5"), "203.0.113.9");
	/* garbage or nothing: the proxy itself */
	CHECK_STR(pick(c, "127.0.0.1", "not an address", NULL), "127.0.0.1");
	CHECK_STR(pick(c, "127.0.0.1", NULL, "1.1.1.1, junk, 10.0.0.5"),
	    "127.0.0.1");
	CHECK_STR(pick(c, "127.0.0.1", NULL, "10.0.0.5"), "127.0.0.1");
	CHECK_STR(pick(c, "127.0.0.1", NULL, ""), "127.0.0.1");
	clientaddr_free(c);
	clientaddr_free(none);
	return check_done("clientaddr_test");
}
