/*
 * mask.h - personal data as the help desk shows it to a role that need not
 * see it: "+998901234567" -> "+998 90 *** ** 67"; phone numbers and PINFLs
 * written inside a message are masked the same way, application numbers
 * are left alone.  No state: safe from any thread.
 */
#ifndef BASE_MASK_H
#define BASE_MASK_H
#include <stddef.h>

/* An address or phone into buf (always NUL-terminated); returns buf. */
const char	*mask_phone(const char *phone, char *buf, size_t len);
/*
 * A copy of text (malloc'd, NULL when out of memory) with every phone
 * number (12 digits from 998, or 9 local digits) and every PINFL (14
 * digits) cut to its last two digits; digits may be split by spaces,
 * dashes or brackets.  *changed is 1 when something was masked.
 */
char		*mask_text(const char *text, int *changed);
#endif
