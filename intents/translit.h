/*
 * translit.h - Uzbek Cyrillic <-> Latin by the 1995 official rules
 * (LANGUAGE.md section 2): е -> ye at a word's start and after a vowel,
 * ъ or ь; ц -> ts after a vowel inside a word, s elsewhere; ъ -> ʼ (dropped
 * after ў and before е ё ю я); ь dropped; сҳ -> sʼh; ў ғ -> oʻ gʻ; щ -> sh,
 * ы -> i; capitals: Ш -> Sh in a title-case word, SH in an all-caps one.
 *
 * Latin -> Cyrillic has no lexicon, so it takes the defaults: e -> э at a
 * word's start and after a vowel, yo/ya/yu -> ё я ю, ts -> тс, sʼh -> сҳ.
 * Codes written in Latin (AR-2025-000001, SMS, STOP, anything with digits,
 * web or mail addresses, words with c/w that Uzbek does not use) are left
 * alone.  Letters of the other script pass through unchanged.
 */
#ifndef INTENTS_TRANSLIT_H
#define INTENTS_TRANSLIT_H
#include <stddef.h>

#include "base/err.h"

/*
 * Transliterate in[0..len) (UTF-8, NFC applied first) into a malloc'd,
 * NUL-terminated string in *out that the caller frees.  MJ_EINPUT for
 * invalid UTF-8 or a NUL byte, MJ_ENOMEM; on failure *out is NULL.
 */
enum mj_err	translit_to_latn(const char *in, size_t len, char **out);
enum mj_err	translit_to_cyrl(const char *in, size_t len, char **out);

/* For translit_latn_buf: write oʻ gʻ as o g and drop the tutuq. */
#define TRANSLIT_NOAPOS	0x1

/*
 * The Cyrillic -> Latin step on text already valid UTF-8 and NFC, into out
 * (cap bytes, NUL-terminated).  2 * len + 1 bytes always suffice.  Returns
 * the length written, or (size_t)-1 when cap is too small.
 */
size_t		translit_latn_buf(const char *in, size_t len, char *out,
		    size_t cap, int flags);

#endif
