/*
 * fold.h - one spelling for names written many ways: a district typed in
 * Cyrillic or Latin, with or without its apostrophes, "Qo'qon", "Кўқон",
 * "Kokon".  The eligibility dialogue and the office import compare folded
 * names.
 */
#ifndef INTENTS_FOLD_H
#define INTENTS_FOLD_H
#include <stddef.h>

/*
 * Fold a place name, or a message, for matching spellings against each
 * other: Uzbek or Russian Cyrillic to Latin, lower case, apostrophes
 * dropped (oʻ o' o` -> o), q -> k, x -> h, every other character a single
 * space, no space at either end.  Into out (cap bytes, NUL-terminated);
 * returns the length, 0 when nothing is left or in is not valid UTF-8.
 */
size_t	fold_text(const char *in, char *out, size_t cap);
#endif
