/*
 * ussd_at.h - what ussd_at.c (USSD through Africa's Talking) shows beyond
 * its channel: reading one request, so that its tests and fuzz target
 * read requests exactly as the webhook does.
 */
#ifndef GATEWAY_USSD_AT_H
#define GATEWAY_USSD_AT_H
#include <stddef.h>

#include "bot/ussd.h"

#define USSD_AT_SESSION_MAX	100	/* bytes of a session id */
#define USSD_AT_SERVICE_MAX	32	/* bytes of a dialled code */

/* One request's fields, checked. */
struct ussd_at_req {
	char	session[USSD_AT_SESSION_MAX + 1];
	char	phone[20];			/* E.164 */
	char	service[USSD_AT_SERVICE_MAX + 1];	/* "" if none */
	char	text[USSD_TEXT_MAX + 1];	/* the inputs so far */
	size_t	len;
};

/*
 * The form body[0..len) as Africa's Talking posts it into *q: NULL when
 * it is a request, else why not (for the 400): a missing or malformed
 * sessionId or phoneNumber, a serviceCode that is not one, a text that is
 * malformed, longer than USSD_TEXT_MAX, not UTF-8 or with control bytes.
 * networkCode is not read.
 */
const char	*ussd_at_parse(const char *body, size_t len,
		    struct ussd_at_req *q);
#endif
