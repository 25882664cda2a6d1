/*
 * utf8.h - tiny helpers for UTF-8 the caller has already validated
 * (u8_check), shared by the intents/ files.  Header-only, static inline.
 */
#ifndef INTENTS_UTF8_H
#define INTENTS_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Decode the code point at s[*i] (valid UTF-8, *i < n) and advance *i. */
static inline uint32_t
utf8_next(const char *s, size_t n, size_t *i)
{
	const unsigned char	*p = (const unsigned char *)s + *i;
	uint32_t		 c = p[0];
	size_t			 k = 1;

	if (c >= 0xF0 && *i + 3 < n) {
		c = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) |
		    ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
		k = 4;
	} else if (c >= 0xE0 && *i + 2 < n) {
		c = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) |
		    (p[2] & 0x3Fu);
		k = 3;
	} else if (c >= 0xC0 && *i + 1 < n) {
		c = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
		k = 2;
	} else if (c >= 0x80) {
		c = 0xFFFD;	/* truncated: cannot happen after u8_check */
	}
	*i += k;
	return c;
}

/* Bytes needed for c. */
static inline size_t
utf8_len(uint32_t c)
{
	return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/* Write c at out[*o] when it fits below cap; returns 0 when it does not. */
static inline int
utf8_put(char *out, size_t cap, size_t *o, uint32_t c)
{
	unsigned char	*p = (unsigned char *)out + *o;
	size_t		 k = utf8_len(c);

	if (*o + k > cap)
		return 0;
	switch (k) {
	case 1:
		p[0] = (unsigned char)c;
		break;
	case 2:
		p[0] = (unsigned char)(0xC0 | (c >> 6));
		p[1] = (unsigned char)(0x80 | (c & 0x3F));
		break;
	case 3:
		p[0] = (unsigned char)(0xE0 | (c >> 12));
		p[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		p[2] = (unsigned char)(0x80 | (c & 0x3F));
		break;
	default:
		p[0] = (unsigned char)(0xF0 | (c >> 18));
		p[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
		p[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
		p[3] = (unsigned char)(0x80 | (c & 0x3F));
	}
	*o += k;
	return 1;
}

static inline int
utf8_is_cyr(uint32_t c)
{
	return c >= 0x0400 && c <= 0x04FF;
}

static inline int
utf8_is_latin(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

/* ʻ (U+02BB, oʻ gʻ) and ʼ (U+02BC, tutuq): what normalisation leaves. */
#define UTF8_OKINA	0x02BBu
#define UTF8_TUTUQ	0x02BCu
#endif
