/*
 * rules_data.h - eligibility data files in and out of the store:
 *   programmes  JSON (data/programmes.json): figures with year and source,
 *               each programme's texts in the four languages, questions,
 *               amount rule and criteria;
 *   offices     TSV (data/offices.tsv): Inson centres by district, names
 *               and addresses in the four languages, hours, spellings
 *               (read and written by offices.h; the import and export
 *               here hand them over).
 * An import is one transaction: it is checked whole (known facts and
 * operators, figures that exist, texts in every language, every reply the
 * data can produce within the SMS budget) and either all of it goes in or
 * nothing does.  The running service reads the store on each message, so
 * an import takes effect without a restart.
 */
#ifndef BOT_RULES_DATA_H
#define BOT_RULES_DATA_H
#include <stdio.h>

#include "base/conf.h"
#include "base/err.h"
#include "bot/rules.h"
#include "locales/catalog.h"
#include "store/programmes.h"
#include "store/store.h"

/*
 * Import path (".tsv": offices, offices_import(); otherwise programmes
 * JSON).  budget is the SMS segments a reply may use (cat NULL: replies
 * are not measured).  On failure nothing changed and where holds "path:
 * reason" (MJ_EINPUT bad data, MJ_ETOOBIG over the budget, MJ_ENOTFOUND
 * no file, MJ_EDB, MJ_ENOMEM).
 */
enum mj_err	rules_data_import(struct store *, const struct catalog *,
		    int budget, const char *path, char *where,
		    size_t wherelen);

/* Write the programmes (JSON) to f; the offices: offices_export(). */
enum mj_err	rules_data_export(struct store *, FILE *f);

/*
 * When the store has no eligibility data yet (no "mce" figure), import
 * dir/programmes.json and dir/offices.tsv.  MJ_OK when there was nothing
 * to do.  Data over a smaller budget than it was written for goes in with
 * a warning (replies are then shortened with "more"); other errors as
 * rules_data_import (where filled).
 */
enum mj_err	rules_data_seed(struct store *, const struct catalog *,
		    int budget, const char *dir, char *where,
		    size_t wherelen);

/*
 * `murojaat rules import FILE | export [--offices]`: argv[0] is the
 * subcommand.  Returns the exit status; messages on stderr.
 */
int		rules_data_cmd(struct store *, const struct catalog *,
		    const struct conf *, int argc, char **argv);
/* Resolve a programme's criteria (figures by name); MJ_ENOTFOUND names
 * a missing figure in what (may be NULL). */
enum mj_err	rules_resolve(struct store *, const struct prog_def *,
		    struct rules_crit *out, size_t *n, char *what,
		    size_t whatlen);
#endif
