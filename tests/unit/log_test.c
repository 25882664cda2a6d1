/* log_test.c - masking of personal data, escaping of log lines. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#define CHECK_LOG_STDERR	/* test_escaping reads stderr itself */
#include "check.h"

static void
test_masks(void)
{
	char	b[32];

	CHECK_STR(log_mask_phone("+998901234567", b, sizeof(b)),
	    "+99890*****67");
	CHECK_STR(log_mask_phone("998901234567", b, sizeof(b)),
	    "99890*****67");
	CHECK_STR(log_mask_phone(NULL, b, sizeof(b)), "-");
	CHECK_STR(log_mask_phone("", b, sizeof(b)), "-");
	CHECK_STR(log_mask_phone("+1\n2", b, sizeof(b)), "+*?2");
	CHECK_STR(log_mask_pinfl("31505901234321", b, sizeof(b)),
	    "31**********21");
	/* a tiny buffer is still terminated */
	CHECK_STR(log_mask_phone("+998901234567", b, 4), "+99");
}

static void
test_escaping(void)
{
	char	path[] = "/tmp/log_testXXXXXX", buf[512];
	int	fd = mkstemp(path), saved = dup(2);
	ssize_t	n;

	CHECK(fd >= 0);
	dup2(fd, 2);
	log_info("test.ev", "text=\"%s\"", "a\nlvl=error ev=forged\x01");
	log_debug("test.hidden", "x=%d", 1);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(path);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(strstr(buf, "lvl=info ev=test.ev ") != NULL);
	CHECK(strstr(buf, "a\\nlvl=error ev=forged\\x01") != NULL);
	CHECK(strchr(buf, '\n') == buf + n - 1);	/* one line */
	CHECK(strstr(buf, "test.hidden") == NULL);
}

int
main(void)
{
	test_masks();
	test_escaping();
	return check_done("log_test");
}
