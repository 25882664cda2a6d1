/*
 * corpus.h - labelled messages: the training data of the intent model.
 *
 * A corpus file is UTF-8 text, one message a line, four tab-separated
 * columns: text, lang (uz-Latn, uz-Cyrl, ru, en, or "-" when the text
 * cannot decide it), intent (an intent_name(); "off_topic" is read as
 * unknown) and entities (key=value joined by ";", may be empty).  Blank
 * lines and lines starting with "#" are skipped.  data/corpus/ holds the
 * project's files; the help desk adds the labels its agents give.
 */
#ifndef INTENTS_CORPUS_H
#define INTENTS_CORPUS_H
#include <stddef.h>

#include "base/err.h"
#include "intents/intent.h"

struct corpus_item {
	char		*text;		/* owned by the corpus */
	int		 lang;		/* LANG_*, or -1 for "-" */
	enum intent	 intent;
	char		*entities;	/* owned; "" when none */
};

struct corpus {
	struct corpus_item	*v;
	size_t			 n, cap;
};

/* An empty corpus (a plain struct: zero it, or call this). */
void		corpus_init(struct corpus *);
void		corpus_free(struct corpus *);	/* leaves it empty */

/*
 * Append every message of path.  A bad line makes it fail with where
 * holding "path:line: reason" (MJ_EINPUT), and nothing of that file is
 * kept; MJ_ENOTFOUND when it cannot be opened, MJ_ENOMEM.
 */
enum mj_err	corpus_read(struct corpus *, const char *path, char *where,
		    size_t wherelen);

/*
 * Append every *.tsv of dir, in name order (so a build is repeatable).
 * Errors as corpus_read; MJ_ENOTFOUND when dir has none.
 */
enum mj_err	corpus_read_dir(struct corpus *, const char *dir, char *where,
		    size_t wherelen);

/*
 * Append one message (copied).  lang is a tag or "-", intent a name or
 * "off_topic".  MJ_EINPUT with where telling why when a field is bad
 * (empty or over NLU_MAX_TEXT bytes, not UTF-8, a tab or newline inside).
 */
enum mj_err	corpus_add(struct corpus *, const char *text, const char *lang,
		    const char *intent, const char *entities, char *where,
		    size_t wherelen);

#endif
