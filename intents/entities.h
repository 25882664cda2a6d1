/*
 * entities.h - application numbers, PINFL, phone numbers and plain numbers
 * in folded text (patterns.h: pat_fold), by hand-written scanners: these
 * forms are about digit counts and separators, which regexes say badly.
 *
 *   app_no  AR-2025-000001, ar 2025 1, ar2025000001, AR/2025/004512,
 *           АР-2025-000001 (Cyrillic look-alikes), 2025000001, 2025-004512
 *           (no prefix: exactly six serial digits).  Not dates, not phones.
 *   pinfl   14 digits, alone or in groups split by single spaces or dashes.
 *   phone   +998 90 123 45 67, 998901234567, (90) 123-45-67, 901234567
 *           (nine digits need a known operator or area code).
 *   number  the first plain amount or count left: 5, 2 500 000, 2.5, 2,5,
 *           3 mln, besh, пять, five (number and scale words come from the
 *           pattern files).  Not part of an entity above, not a date or
 *           a time, not an ordinal such as 15-mart.
 */
#ifndef INTENTS_ENTITIES_H
#define INTENTS_ENTITIES_H
#include <stddef.h>

#include "intents/intent.h"
#include "intents/patterns.h"

/* d[0..1]: the operator or area code of a local phone number ("90"). */
int	ent_operator_ok(const char *d);

/*
 * Fill r->app_no, pinfl, phone, has_number and number from t[0..n).  ps
 * supplies number and scale words (NULL: digits only).  Other fields of r
 * are left alone.
 */
void	ent_extract(const struct pat_set *ps, const char *t, size_t n,
	    struct nlu_result *r);

#endif
