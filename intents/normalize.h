/*
 * normalize.h - the one spelling of a message every later step reads.
 *
 * NFC, Unicode case folding (libunistring), every apostrophe form
 * (' ` ´ ʻ ʼ ‘ ’ ʹ ʽ ′) folded to ʻ after o/g and to ʼ elsewhere, dashes and
 * minus signs to '-', zero-width and bidi controls dropped, any run of
 * white space or control bytes to one ' ', ends trimmed, non-ASCII decimal
 * digits to ASCII, and inside a word that mixes scripts the look-alike
 * letters of the minority script replaced by the majority's (a Cyrillic
 * "а" typed into "arizа").  Transliteration is not done here.
 */
#ifndef INTENTS_NORMALIZE_H
#define INTENTS_NORMALIZE_H
#include <stddef.h>

#include "base/err.h"

/* Facts learnt on the way, for language detection. */
struct norm_info {
	unsigned	cyr;	/* Cyrillic letters */
	unsigned	latn;	/* Latin letters */
};

/*
 * Normalise in[0..len) into out (cap bytes, NUL-terminated on success) and
 * store the length, without the NUL, in *outlen.  info may be NULL.
 * MJ_EINPUT: invalid UTF-8 or a NUL byte.  MJ_ETOOBIG: out too small (the
 * result is at most 6 * len + 1 bytes).  MJ_ENOMEM.  On failure out holds
 * nothing useful.
 */
enum mj_err	normalize_text(const char *in, size_t len, char *out,
		    size_t cap, size_t *outlen, struct norm_info *info);

#endif
