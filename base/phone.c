/*
 * phone.c - a phone number as each provider writes it, to E.164.
 */
#include <stdio.h>
#include <string.h>

#include "base/phone.h"

int
phone_e164(const char *in, char *out, size_t outlen)
{
	char	digits[20];
	size_t	n = 0;
	int	plus = 0;

	if (in == NULL)
		return -1;
	while (*in == ' ')
		in++;
	if (*in == '+') {
		plus = 1;
		in++;
	} else if (in[0] == '0' && in[1] == '0') {
		plus = 1;
		in += 2;
	}
	for (; *in != '\0'; in++) {
		if (*in >= '0' && *in <= '9') {
			if (n + 1 >= sizeof(digits))
				return -1;
			digits[n++] = *in;
		} else if (*in != ' ' && *in != '-' && *in != '(' && *in != ')')
			return -1;
	}
	digits[n] = '\0';
	if (n == 9 && !plus)		/* local: 90 123 45 67 */
		return snprintf(out, outlen, "+998%s", digits) < (int)outlen ?
		    0 : -1;
	if (n < 7 || n > 15)
		return -1;
	return snprintf(out, outlen, "+%s", digits) < (int)outlen ? 0 : -1;
}

int
phone_uz(const char *in, char *out, size_t outlen)
{
	char	e[20];

	if (phone_e164(in, e, sizeof(e)) != 0 || strlen(e) != 13 ||
	    strncmp(e, "+998", 4) != 0)
		return -1;
	return snprintf(out, outlen, "%s", e) < (int)outlen ? 0 : -1;
}
