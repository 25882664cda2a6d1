/*
 * check.h - the unit tests' few macros.  A failed check prints file:line and
 * both values; check_done() prints "N passed, N failed" and returns the
 * exit status.  Log lines go to a file (check_logged() below).
 */
#ifndef TESTS_CHECK_H
#define TESTS_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

static int check_passed, check_failed;

#define CHECK(cond) do {						\
	if (cond) check_passed++;					\
	else { check_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ == w_) check_passed++;					\
	else { check_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s = %lld, want %lld\n",	\
		    __FILE__, __LINE__, #got, g_, w_); }		\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) check_passed++; \
	else { check_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s = \"%s\", want \"%s\"\n", \
		    __FILE__, __LINE__, #got, g_ ? g_ : "(null)",	\
		    w_ ? w_ : "(null)"); }				\
} while (0)

/* Fields of one TSV line, split in place; comments and blanks give 0. */
static inline int
check_tsv_fields(char *line, char **f, int max)
{
	int	n = 0;

	line[strcspn(line, "\n")] = '\0';
	if (line[0] == '#' || line[0] == '\0')
		return 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

/*
 * The log lines a test causes (migrations, and the errors its negative
 * cases provoke on purpose) go to NAME.log beside the test's binary, not
 * to the terminal; check_logged() finds one there.  A test that reads
 * stderr itself defines CHECK_LOG_STDERR before including this file.
 */
#ifndef CHECK_LOG_STDERR
static char check_log_path[4096];

__attribute__((constructor)) static void
check_log_to_file(void)
{
	FILE	*f;

	snprintf(check_log_path, sizeof(check_log_path), "%s.log",
	    program_invocation_name);
	if ((f = fopen(check_log_path, "w")) != NULL)
		fclose(f);
	if (log_to_file(check_log_path) == -1) {
		fprintf(stderr, "%s: %s; log lines stay on stderr\n",
		    check_log_path, strerror(errno));
		check_log_path[0] = '\0';
	}
}

/* 1 if a line logged so far contains needle. */
static inline int
check_logged(const char *needle)
{
	char	line[2400];
	FILE	*f = fopen(check_log_path, "r");
	int	found = 0;

	if (f == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, needle) != NULL;
	fclose(f);
	return found;
}
#endif

static inline int
check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	return check_failed == 0 ? 0 : 1;
}
#endif
