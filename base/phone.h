/*
 * phone.h - one way to read a phone number.  Kannel sends "%p" as the
 * operator gives it ("+998901234567", "998901234567", "00998..."), Telegram
 * a contact's "phone_number" with or without "+", staff type "90 123 45 67".
 */
#ifndef BASE_PHONE_H
#define BASE_PHONE_H
#include <stddef.h>

/*
 * Normalise a number to E.164 in out (size >= 17): "+998901234567",
 * "998901234567", "00998901234567", "901234567" (a local Uzbek number);
 * spaces, dashes and brackets are ignored.  -1 when it is not a phone
 * number.
 */
int	phone_e164(const char *in, char *out, size_t outlen);
/*
 * The same when in is one Uzbek number and nothing else, as staff type
 * it: "998901234567", "+998 90 123-45-67", "(90) 123-45-67",
 * "901234567"; -1 for anything else (a shorter or longer number, another
 * country, letters).
 */
int	phone_uz(const char *in, char *out, size_t outlen);
#endif
