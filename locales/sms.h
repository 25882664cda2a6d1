/*
 * sms.h - what a text costs as SMS, and making it cheaper.
 *
 * GSM 03.38 7-bit (basic table; the extension table ^ { } \ [ ~ ] | € and
 * form feed cost 2 septets) gives 160 septets in one SMS, 153 per part of a
 * concatenated one; anything else goes as UCS-2: 70 UTF-16 units, 67 per
 * part.  A 2-septet extension character and a UTF-16 surrogate pair are
 * never split between parts, so counts can exceed ceil(units / 153 or 67).
 * Kannel must be told the coding (0 or 2); see shared/kannel/README.md.
 *
 * All functions take UTF-8; invalid bytes count as one UCS-2 unit each
 * when measuring and are refused (MJ_EINPUT) when producing text.
 * No state: safe from any thread.
 */
#ifndef LOCALES_SMS_H
#define LOCALES_SMS_H
#include <stddef.h>
#include "base/err.h"

enum sms_coding { SMS_GSM7 = 0, SMS_UCS2 = 2 };	/* = Kannel's coding values */

struct sms_info {
	enum sms_coding	coding;
	size_t		units;	/* septets (GSM-7, extension chars count 2) or
				 * UTF-16 code units (UCS-2; non-BMP counts 2) */
	int		segments; /* 160/153 or 70/67; 0 for empty text */
};

void		sms_measure(const char *utf8, size_t len, struct sms_info *out);

/*
 * Make a reply SMS-ready and cheap: NFC, then Uzbek apostrophe letters and
 * signs (ʻ U+02BB, ʼ U+02BC, ‘ ’ ‚ ‛ ′ ` ´) -> ASCII ', « » “ ” „ ″ -> ",
 * — – ‐ ‑ ‒ − -> -, … -> ..., NBSP and other spaces, tab -> space,
 * zero-width characters dropped; so Latin text stays GSM-7.  Cyrillic stays
 * as is.  *out is malloc'd (caller frees), NULL on failure: MJ_EINPUT for
 * invalid UTF-8 or a NUL byte, MJ_ENOMEM.
 */
enum mj_err	sms_prepare(const char *utf8, size_t len, char **out);

/*
 * Fit a prepared text into budget segments.  Leading and trailing
 * whitespace is dropped.  If it fits: *head = copy, *rest = NULL.
 * Otherwise *head = the longest prefix ending at a sentence boundary (after
 * . ! ? or at a line break; else at a word boundary; never mid-word, never
 * mid-UTF-8) such that head + " " + more_hint fits in budget segments, in
 * the coding the whole would have (UCS-2 if the text or hint needs it);
 * *rest = the remainder, trimmed, to be offered on request.  Both malloc'd,
 * caller frees.  more_hint may be NULL or "" (then no " " either).
 * MJ_EINPUT for NULL text, budget < 1 or invalid UTF-8; MJ_ETOOBIG when not
 * even the first word fits beside the hint; MJ_ENOMEM.  On failure both are
 * NULL.
 */
enum mj_err	sms_fit(const char *text, int budget, const char *more_hint,
		    char **head, char **rest);

/* 1 if every char is in the GSM 03.38 basic or extension table. */
int		sms_is_gsm7(const char *utf8, size_t len);

#endif
