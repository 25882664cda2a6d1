/* outbox_test.c - splitting a long text into Telegram-sized parts, and the
 * backoff's bounds. */
#include <stdlib.h>

#include "check.h"
#include "gateway/outbox.c"

static void
parts_of(const char *text, size_t max, char out[][64], int *n)
{
	size_t	off, len;

	*n = 0;
	while ((len = outbox_part(text, max, *n, &off)) > 0 && *n < 16) {
		snprintf(out[*n], 64, "%.*s", (int)len, text + off);
		(*n)++;
	}
}

int
main(void)
{
	char		 p[16][64];
	int		 n;
	struct conf	 c;
	char		*big;

	parts_of("short", 10, p, &n);
	CHECK_INT(n, 1);
	CHECK_STR(p[0], "short");
	parts_of("one two three four", 9, p, &n);
	CHECK_INT(n, 3);
	CHECK_STR(p[0], "one two");
	CHECK_STR(p[1], "three");
	CHECK_STR(p[2], "four");
	/* a paragraph break is preferred to a space */
	parts_of("aaa bbb\n\nccc ddd eee", 16, p, &n);
	CHECK_INT(n, 2);
	CHECK_STR(p[0], "aaa bbb");
	CHECK_STR(p[1], "ccc ddd eee");
	/* code points, not bytes: 5 Cyrillic letters are 10 bytes */
	parts_of("ариза ҳолат", 6, p, &n);
	CHECK_INT(n, 2);
	CHECK_STR(p[0], "ариза");
	CHECK_STR(p[1], "ҳолат");
	/* a word longer than max is cut, never lost */
	parts_of("abcdefghij", 4, p, &n);
	CHECK_INT(n, 3);
	CHECK_STR(p[0], "abcd");
	CHECK_STR(p[2], "ij");
	parts_of("", 4, p, &n);
	CHECK_INT(n, 0);

	/* 10,000 characters in words: parts of at most 4096, nothing lost */
	big = malloc(10001);
	for (int i = 0; i < 10000; i++)
		big[i] = i % 7 == 6 ? ' ' : 'a' + i % 7;
	big[10000] = '\0';
	{
		size_t off, len, total = 0;
		int k = 0;

		while ((len = outbox_part(big, 4096, k, &off)) > 0) {
			CHECK(len <= 4096);
			CHECK(big[off] != ' ');
			total += len;
			k++;
		}
		CHECK_INT(k, 3);
		CHECK(total >= 10000 - 3 * 2);
	}
	free(big);

	memset(&c, 0, sizeof(c));
	c.outbox_backoff_cap_s = 600;
	for (int a = 1; a < 40; a++) {
		int64_t d = backoff_s(&c, a);

		CHECK(d >= 1 && d <= 600);
	}
	CHECK(backoff_s(&c, 1) <= 2);
	CHECK(backoff_s(&c, 30) >= 300);
	return check_done("outbox_test");
}
