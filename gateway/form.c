/* form.c - reading a form-encoded body (form.h). */
#include <string.h>

#include "gateway/form.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode s[0..n) into buf; -1 when malformed or too long for cap. */
static int
decode(const char *s, size_t n, char *buf, size_t cap, size_t *len)
{
	size_t	o = 0;

	for (size_t i = 0; i < n; i++) {
		int	c = (unsigned char)s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%') {
			int hi, lo;

			if (i + 2 >= n)
				return -1;
			if ((hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		}
		if (c == '\0' || o + 1 >= cap)
			return -1;
		buf[o++] = (char)c;
	}
	buf[o] = '\0';
	if (len != NULL)
		*len = o;
	return 0;
}

int
form_field(const char *body, size_t blen, const char *name, char *buf,
    size_t cap, size_t *len)
{
	const char	*p = body, *end = body + blen;
	size_t		 nlen = strlen(name);
	int		 found = 0;
	char		 key[64];

	if (cap == 0 || memchr(body, '\0', blen) != NULL)
		return -1;
	buf[0] = '\0';
	if (len != NULL)
		*len = 0;
	while (p < end) {
		const char	*amp = memchr(p, '&', (size_t)(end - p));
		const char	*e = amp != NULL ? amp : end;
		const char	*eq = memchr(p, '=', (size_t)(e - p));
		const char	*kend = eq != NULL ? eq : e;
		size_t		 klen;

		/* The key, decoded too: "phone%4Eumber" is phoneNumber. */
		if (decode(p, (size_t)(kend - p), key, sizeof(key), &klen) ==
		    0 && klen == nlen && memcmp(key, name, nlen) == 0) {
			if (found++)
				return -1;
			if (eq == NULL)
				buf[0] = '\0';
			else if (decode(eq + 1, (size_t)(e - eq - 1), buf, cap,
			    len) == -1)
				return -1;
		}
		p = amp != NULL ? amp + 1 : end;
	}
	return found;
}
