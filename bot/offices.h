/*
 * offices.h - the Inson social-service centres between their data file
 * and the store: TSV (data/offices.tsv), one centre a district, its name
 * and address in the four languages, days and hours, phone, source, and
 * the spellings of the district a citizen may write ("Xiva", "Хива
 * тумани"), and per language a landmark near the centre.  An import is one transaction, checked row by row (every
 * office reply within the SMS budget in every language): all of it goes
 * in or nothing does.  eligibility.c answers the office questions from
 * what is stored.
 */
#ifndef BOT_OFFICES_H
#define BOT_OFFICES_H
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"
#include "locales/catalog.h"
#include "store/programmes.h"
#include "store/store.h"

/*
 * Import the TSV file path (a header row names the columns).  budget is
 * the SMS segments an office reply may use (cat NULL: not measured).  On
 * failure nothing changed and where holds "path:line: reason" (MJ_EINPUT
 * bad data, MJ_ETOOBIG over the budget, MJ_ENOTFOUND no file, MJ_EDB,
 * MJ_ENOMEM).
 */
enum mj_err	offices_import(struct store *, const struct catalog *,
		    int budget, const char *path, char *where,
		    size_t wherelen);
/* Write the offices to f as the same TSV, header first. */
enum mj_err	offices_export(struct store *, FILE *f);

/* "HH:MM", 00:00 to 23:59. */
int		offices_time_ok(const char *);
/* A day "1".."7" (1 is Monday) or a range "1-5" (from <= to). */
int		offices_days_ok(const char *);
/*
 * A phone as +998 and nine digits ("+998 62 224-56-78" too: spaces,
 * dashes and brackets are dropped) into out as "+998622245678"; "" stays
 * "" (no phone known).  -1 if it is anything else or out is too small;
 * in and out may be the same buffer.
 */
int		offices_phone_norm(const char *in, char *out, size_t len);
/*
 * Check an office as the TSV and the help desk give it: days, opens before
 * closes, the phone (normalised in place), an address for every language
 * it is named in, no control characters in the texts.  -1 with the field
 * ("phone", "address.ru"...) and a reason in err.
 */
int		offices_check(struct office *, char *field, size_t fieldlen,
		    char *err, size_t errlen);
/*
 * A correction from the help desk, inside the caller's transaction: o
 * checked (offices_check()), its reply measured in every language against
 * budget SMS segments (seg[] gets each language's count), then stored
 * (store_rules_office_edit()).  MJ_EINPUT (bad field) or MJ_ETOOBIG (over
 * the budget: field names the language) with field and err set;
 * MJ_ENOTFOUND, MJ_EDB.
 */
enum mj_err	offices_edit(struct store *, const struct catalog *,
		    int budget, struct office *o, int seg[LANG__COUNT],
		    char *field, size_t fieldlen, char *err, size_t errlen);
#endif
