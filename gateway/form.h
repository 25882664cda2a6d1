/*
 * form.h - application/x-www-form-urlencoded bodies, as USSD gateways
 * POST them ("sessionId=ATUid_1&phoneNumber=%2B998901234567&text=1*2").
 * No state: safe from any thread.
 */
#ifndef GATEWAY_FORM_H
#define GATEWAY_FORM_H
#include <stddef.h>

/*
 * The value of field name in body[0..blen), decoded ('+' a space, %XX a
 * byte), into buf (cap bytes with its NUL) and its length into *len (may
 * be NULL).  1 when found, 0 when absent; -1 when the body is malformed
 * (a bad %XX escape, a NUL byte, the field given twice) or the value does
 * not fit in buf.  Nothing checks that the value is text.
 */
int	form_field(const char *body, size_t blen, const char *name,
	    char *buf, size_t cap, size_t *len);
#endif
