/*
 * offices.h - the Inson social-service centres between their data file
 * and the store: TSV (data/offices.tsv), one centre a district, its name
 * and address in the four languages, days and hours, phone, source, and
 * the spellings of the district a citizen may write ("Xiva", "Хива
 * тумани").  An import is one transaction, checked row by row (every
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
#endif
