/* mask.c - masking of phones and PINFLs for the help desk (see mask.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mask.h"

const char *
mask_phone(const char *phone, char *buf, size_t len)
{
	size_t	n, o = 0;

	if (len == 0)
		return buf;
	if (phone == NULL || *phone == '\0') {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	n = strlen(phone);
	if (n == 13 && strncmp(phone, "+998", 4) == 0 &&
	    strspn(phone + 1, "0123456789") == 12) {
		snprintf(buf, len, "+998 %.2s *** ** %.2s", phone + 4,
		    phone + 11);
		return buf;
	}
	/* Anything else (a chat id, a foreign number): the last two stay. */
	for (size_t i = 0; i < n && o + 1 < len; i++) {
		char c = phone[i];

		buf[o++] = (c >= '0' && c <= '9') ? (i + 2 < n ? '*' : c) :
		    (c == '+' ? '+' : '*');
	}
	buf[o] = '\0';
	return buf;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_sep(char c)
{
	return c == ' ' || c == '-' || c == '(' || c == ')' || c == '.';
}

/* A run of digits and separators this many digits long is personal. */
static int
personal(const char *digits, size_t nd)
{
	if (nd == 14)
		return 1;				/* PINFL */
	if (nd == 12 && strncmp(digits, "998", 3) == 0)
		return 1;				/* +998 XX XXX XX XX */
	if (nd == 9 && strncmp(digits, "20", 2) != 0)
		return 1;				/* XX XXX XX XX */
	return 0;
}

char *
mask_text(const char *text, int *changed)
{
	size_t	 n = strlen(text), i = 0;
	char	*out;

	*changed = 0;
	if ((out = strdup(text)) == NULL)
		return NULL;
	while (i < n) {
		char	digits[32];
		size_t	start, end, nd = 0, last = 0;

		if (!is_digit(text[i]) || (i > 0 && (is_digit(text[i - 1]) ||
		    (text[i - 1] >= 'A' && text[i - 1] <= 'Z') ||
		    (text[i - 1] >= 'a' && text[i - 1] <= 'z')))) {
			i++;
			continue;
		}
		start = end = i;
		/* digits, allowing one separator between groups */
		while (end < n && (is_digit(text[end]) || (is_sep(text[end]) &&
		    end + 1 < n && is_digit(text[end + 1]) && nd > 0))) {
			if (is_digit(text[end])) {
				if (nd < sizeof(digits))
					digits[nd] = text[end];
				nd++;
				last = end;
			}
			end++;
		}
		if (nd <= sizeof(digits) && personal(digits, nd) &&
		    !(last + 1 < n && (is_digit(text[last + 1]) ||
		    (text[last + 1] >= 'A' && text[last + 1] <= 'Z') ||
		    (text[last + 1] >= 'a' && text[last + 1] <= 'z')))) {
			size_t	seen = 0, keep_head = nd == 12 ? 5 : 0;

			for (size_t k = start; k <= last; k++)
				if (is_digit(text[k])) {
					if (seen >= keep_head && seen + 2 < nd)
						out[k] = '*';
					seen++;
				}
			*changed = 1;
		}
		i = end > i ? end : i + 1;
	}
	return out;
}
