/*
 * elig_text.h - the eligibility replies put together from the catalogue
 * (locales/, "elig.*") and a programme's own texts (store_rules.h): the
 * verdict, the documents reply, the office reply.  Shared by the dialogue
 * (eligibility.c) and by `rules import`, which measures every reply a
 * programme or office can produce against the SMS budget before it lets
 * the data in.  No text of its own: only which catalogue entries, in what
 * order, joined by single spaces.
 */
#ifndef BOT_ELIG_TEXT_H
#define BOT_ELIG_TEXT_H
#include <stddef.h>

#include "base/err.h"
#include "base/lang.h"
#include "bot/rules.h"
#include "locales/catalog.h"
#include "store/programmes.h"

#define ELIG_TEXT_MAX	1024	/* fits contact.state_data */

/* v as the language groups digits ("412 000", en "412,000"). */
void		elig_money(const struct catalog *, enum lang, long long v,
		    char *buf, size_t len);

/*
 * The verdict on p for these answers: head, the reason in one sentence,
 * the amount when the rules give one, the next step.  crit are p's
 * resolved criteria (what o->crit indexes).  Into buf (NUL-terminated).
 * MJ_ENOTFOUND when a catalogue entry is missing, MJ_ETOOBIG past len,
 * MJ_ENOMEM.
 */
enum mj_err	elig_verdict(const struct catalog *, enum lang,
		    const struct prog_def *p, const struct rules_crit *crit,
		    const struct rules_outcome *o,
		    const struct rules_answers *a, char *buf, size_t len);

/* "{programme}: documents, where to apply, timeline" ("elig.documents"). */
enum mj_err	elig_documents(const struct catalog *, enum lang,
		    const struct prog_def *p, char *buf, size_t len);

/* A programme without questions: who is eligible, where to apply. */
enum mj_err	elig_info(const struct catalog *, enum lang,
		    const struct prog_def *p, char *buf, size_t len);

/*
 * An Inson centre: its district and address, the landmark when it has one,
 * days and hours, the phone when it has one ("elig.office", ".landmark",
 * ".hours", ".phone"); days not in the catalogue as a range are its first
 * and last day ("elig.day.N").
 */
enum mj_err	elig_office(const struct catalog *, enum lang,
		    const struct office *o, char *buf, size_t len);

/* A programme's text in lang, falling back to uz-Latn, then "". */
const char	*elig_prog_text(const struct prog_def *, enum lang,
		    enum prog_field);

/*
 * Every reply p can give in lang, with the longest values its answers
 * allow, measured after SMS preparation: the most segments any needs, and
 * which (worst, a msgid-like label, into whatlen).  -1 on a render error
 * (what names it).
 */
int		elig_worst_segments(const struct catalog *, enum lang,
		    const struct prog_def *p, const struct rules_crit *crit,
		    size_t ncrit, char *what, size_t whatlen);
/* The same for an office reply. */
int		elig_office_segments(const struct catalog *, enum lang,
		    const struct office *o);
#endif
