/*
 * kannel.h - Kannel's text decoding, for the webhook (kannel.c: the
 * channel: webhook, delivery reports, sendsms) and its tests.
 * Kannel calls GET /sms/kannel
 * (get-url with from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C...) or
 * POST /sms/kannel (post-url: the text is the body, the sender in
 * X-Kannel-From).  The reply goes back in the response body as
 * text/plain; charset=utf-8, with X-Kannel-Coding: 2 whenever it is not
 * pure GSM 03.38, or Kannel would turn Cyrillic into '?'.
 * See ../shared/kannel/README.md sections 2 and 3.
 */
#ifndef GATEWAY_KANNEL_H
#define GATEWAY_KANNEL_H
#include <stddef.h>

#include "base/err.h"

/*
 * The text of an SMS: raw[0..rawlen) in charset (Kannel's %C, or NULL/""
 * to go by coding, Kannel's %c: "2" is UTF-16BE, else UTF-8; UCS-2 is read
 * as UTF-16BE; 8-BIT and binary are not text).  *out is a malloc'd,
 * NUL-terminated UTF-8 copy the caller frees, NULL on failure.  MJ_EINPUT:
 * invalid in its charset, a NUL, or an unknown charset; MJ_ETOOBIG: over
 * 4096 bytes of UTF-8 (or over twice that raw).
 */
enum mj_err	kannel_decode_text(const char *raw, size_t rawlen,
		    const char *charset, const char *coding, char **out);

/*
 * The charset named in a Content-Type ("text/plain; charset="UTF-16BE""),
 * copied into buf; NULL when there is none or it does not fit.
 */
const char	*kannel_content_charset(const char *ctype, char *buf,
		    size_t len);
#endif
