/*
 * plural.h - CLDR plural categories for the four languages, and which
 * msgstr[i] of a PO plural entry each one selects.
 *
 * The forms are chosen here, in C, by the CLDR rules (plurals.xml); the PO
 * header's Plural-Forms is only checked against plural_forms_header() at
 * load, so that translators' tools and this code cannot disagree.
 *   en, uz-Latn, uz-Cyrl: one (n = 1), other           -> msgstr[0], [1]
 *   ru: one (1, 21, 101), few (2-4, 22-24), many (0, 5-20, 11-14, 100)
 *                                                      -> msgstr[0], [1], [2]
 * CLDR's ru "other" is for fractions, which a long count never is.
 * Negative counts use their absolute value, as CLDR's operand n does.
 */
#ifndef LOCALES_PLURAL_H
#define LOCALES_PLURAL_H
#include "base/lang.h"

#define PLURAL_MAX	3	/* most msgstr[] forms of any language */

/* Number of msgstr[] forms a plural entry has in this language. */
int		 plural_nforms(enum lang);
/* Index of the msgstr[] form for count n: 0 .. plural_nforms() - 1. */
int		 plural_index(enum lang, long n);
/* CLDR category name of n: "one", "few", "many" or "other".  Static. */
const char	*plural_category(enum lang, long n);
/* The Plural-Forms header value the language's PO file must carry.  Static. */
const char	*plural_forms_header(enum lang);

#endif
