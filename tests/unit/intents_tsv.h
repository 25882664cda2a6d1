/*
 * intents_tsv.h - shared by the intents/ tests: read a TSV fixture line by
 * line and render an nlu_result's entities the way fixtures spell them:
 * key=value joined by ';' in the order app_no, pinfl, phone, program,
 * number, then choice (the lang_choice tag, language_change only).
 */
#ifndef TESTS_INTENTS_TSV_H
#define TESTS_INTENTS_TSV_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lang.h"
#include "intents/nlu.h"

static inline void
tsv_entities(const struct nlu_result *r, char *buf, size_t len)
{
	size_t	o = 0;

	buf[0] = '\0';
#define TSV_ADD(...) do {						\
	int n_ = snprintf(buf + o, len - o, __VA_ARGS__);		\
	if (n_ > 0 && (size_t)n_ < len - o) o += (size_t)n_;		\
} while (0)
	if (r->app_no[0])
		TSV_ADD("%sapp_no=%s", o ? ";" : "", r->app_no);
	if (r->pinfl[0])
		TSV_ADD("%spinfl=%s", o ? ";" : "", r->pinfl);
	if (r->phone[0])
		TSV_ADD("%sphone=%s", o ? ";" : "", r->phone);
	if (r->program[0])
		TSV_ADD("%sprogram=%s", o ? ";" : "", r->program);
	if (r->has_number)
		TSV_ADD("%snumber=%.15g", o ? ";" : "", r->number);
	if (r->intent == INTENT_LANGUAGE_CHANGE && r->lang_choice >= 0)
		TSV_ADD("%schoice=%s", o ? ";" : "",
		    lang_tag((enum lang)r->lang_choice));
#undef TSV_ADD
}

/*
 * Split a line into at most max tab-separated fields in place; a trailing
 * newline is dropped.  Returns the number of fields.  Blank lines and lines
 * starting with '#' give 0.
 */
static inline int
tsv_split(char *line, char **f, int max)
{
	size_t	n = strlen(line);
	int	k = 0;

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0 || line[0] == '#')
		return 0;
	f[k++] = line;
	for (char *p = line; *p != '\0' && k < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[k++] = p + 1;
		}
	for (int i = k; i < max; i++)
		f[i] = line + n;	/* "" */
	return k;
}
#endif
