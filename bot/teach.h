/*
 * teach.h - what agents teach the bot: the labels they may give a
 * citizen's message (an intent, or off_topic), and those labels written
 * out as a corpus file (intents/corpus.h: text, lang, intent, entities)
 * with phones, application numbers and PINFLs replaced by placeholders of
 * the same shape, so the model learns from them without personal data.
 * The labels themselves are stored by store_hd_label() (store_helpdesk.h).
 */
#ifndef BOT_TEACH_H
#define BOT_TEACH_H
#include <stddef.h>
#include <stdio.h>

#include "base/conf.h"
#include "base/err.h"
#include "intents/nlu.h"
#include "store/store.h"

#define TEACH_OFF_TOPIC	"off_topic"	/* corpus.h reads it as unknown */

/*
 * The labels an agent may give, in a fixed order: every intent but
 * unknown, then off_topic.  NULL past the last; static strings.
 */
const char	*teach_label_at(size_t i);
/* 1 when name is one of them. */
int		 teach_label_ok(const char *name);

/*
 * The placeholders, as the entity scanners read them: the same class
 * (a PINFL's first digit 1-6, a phone's known operator code, an
 * application number's year 20xx and a serial above 0).
 */
#define TEACH_APP_NO	"AR-2000-000001"
#define TEACH_PINFL	"30000000000000"
#define TEACH_PHONE	"+998900000000"

/*
 * A copy of text (malloc'd; NULL when out of memory) with each
 * application number, PINFL, phone number and any other number of ten
 * or more digits (nine when glued to a word: "pinfl3123...") and each
 * passport number (base/mask.c's table: "AA1234567") overwritten
 * digit by digit with a placeholder's digits (zeros for the others):
 * separators and digit-run lengths stay, so features built from the
 * shape of the text do not change.  *changed is 1 when something was.
 */
char		*teach_scrub(const char *text, int *changed);

struct teach_export_stats {
	size_t	written;	/* rows */
	size_t	skipped;	/* empty, too long, or (with nl) still holding
				 * an entity the scrub missed: left out */
};

/*
 * Write every labelled message to f as a corpus file (a comment line
 * first).  With nl each scrubbed text is understood again: the entities
 * column is what nl finds, and a row in which nl still finds a real
 * phone, PINFL or application number is left out.  Without nl the
 * entities column stays empty.  MJ_EDB, MJ_ENOMEM; MJ_EINTERNAL when f
 * cannot be written (logged).  Nothing is logged of a message but its id.
 */
enum mj_err	teach_export(struct store *, const struct nlu *nl, FILE *f,
		    struct teach_export_stats *out);

/*
 * murojaat corpus export [--out FILE]: the labels as teach_export()
 * writes them, to stdout or atomically to FILE.  Opens the store and the
 * patterns of c itself.  Returns the process exit code (0, 1 on failure,
 * 2 for bad usage), saying why on stderr.
 */
int		 teach_cmd_corpus(const struct conf *c, int argc, char **argv);

#endif
