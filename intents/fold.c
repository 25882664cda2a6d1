/*
 * fold.c - folding names for matching (fold.h).
 */
#include <stdlib.h>
#include <string.h>

#include "intents/fold.h"
#include "intents/translit.h"

/* The apostrophes people write oʻ gʻ and the tutuq with (LANGUAGE.md 3). */
static size_t
apostrophe(const unsigned char *s)
{
	if (s[0] == '\'' || s[0] == '`')
		return 1;
	if (s[0] == 0xc2 && s[1] == 0xb4)			/* ´ */
		return 2;
	if (s[0] == 0xca && (s[1] == 0xbb || s[1] == 0xbc))	/* ʻ ʼ */
		return 2;
	if (s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0x98 || s[2] == 0x99))
		return 3;					/* ‘ ’ */
	return 0;
}

size_t
fold_text(const char *in, char *out, size_t cap)
{
	char			*latn = NULL;
	const unsigned char	*s;
	size_t			 o = 0, n;
	int			 space = 0;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	if (translit_to_latn(in, strlen(in), &latn) != MJ_OK)
		return 0;
	for (s = (const unsigned char *)latn; *s != '\0'; ) {
		unsigned char c = *s;

		if ((n = apostrophe(s)) > 0) {
			s += n;
			continue;
		}
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (c == 'q')
				c = 'k';
			else if (c == 'x')
				c = 'h';
			if (space && o > 0 && o + 1 < cap)
				out[o++] = ' ';
			space = 0;
			if (o + 1 < cap)
				out[o++] = (char)c;
			s++;
			continue;
		}
		space = 1;
		/* Skip the whole UTF-8 sequence. */
		s++;
		while ((*s & 0xc0) == 0x80)
			s++;
	}
	out[o] = '\0';
	free(latn);
	return o;
}
