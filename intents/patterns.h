/*
 * patterns.h - the pattern files: load, compile with the PCRE2 JIT, and the
 * word index that tells which few patterns a message is worth trying.
 *
 * One file per language in a directory: uz.txt (Uzbek, written in Latin;
 * Cyrillic messages are transliterated before they meet it), ru.txt
 * (Cyrillic and Russian typed in Latin), en.txt, and common.txt (codes and
 * words shared by every language, such as STOP).  Line formats:
 *
 *   # a comment
 *   <what> <priority> <triggers> <regex>  # <why>   (the comment is required)
 *   @words <weight> <word> ...     language evidence; word* = any ending
 *   @number <value> <word> ...     a number word ("besh" = 5)
 *   @scale <factor> <word> ...     a multiplier after a number ("mln")
 *
 * <what> is an intent name, program:<name> or choice:<lang tag> (the
 * language asked for by language_change; choice:uz keeps the message's
 * script).  <triggers>
 * is a comma-separated list of word beginnings, or "*" for "always try";
 * the regex is tried only when a word of the message starts with one of
 * them.  Text is matched after normalisation with every apostrophe removed
 * (o'zbek -> ozbek), so an apostrophe written in a regex, trigger or word is
 * dropped when the file is read.  Regexes compile with UTF, UCP and
 * CASELESS.
 */
#ifndef INTENTS_PATTERNS_H
#define INTENTS_PATTERNS_H
#include <stddef.h>

#include "base/err.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Evidence slots: which language a word or pattern belongs to. */
enum pat_lang { PL_UZ = 0, PL_RU, PL_EN, PL__COUNT, PL_COMMON = PL__COUNT };

enum pat_kind { PAT_INTENT, PAT_PROGRAM, PAT_CHOICE };

struct pat {
	pcre2_code	*re;
	enum pat_kind	 kind;
	int		 value;		/* intent, program index or LANG_* */
	int		 prio;
	enum pat_lang	 lang;		/* file it came from */
};

/* choice:uz - Uzbek in the script the message is written in. */
#define PAT_CHOICE_UZ	LANG__COUNT

struct pat_key {
	const char	*s;
	size_t		 len;
	unsigned long long h;
	short		 w_exact[PL__COUNT];	/* evidence when equal */
	short		 w_prefix[PL__COUNT];	/* evidence as a beginning */
	int		*pats;			/* patterns it wakes (prefix) */
	size_t		 npats, patcap;
	double		 num;			/* @number value */
	double		 scale;			/* @scale factor, 0 when none */
	unsigned char	 has_num, num_prefix, scale_prefix;
	unsigned char	 plang_num;		/* lang of the @number line */
};

struct pat_set;		/* opaque, read-only after pat_load() */

/* Program names, in the order of struct pat.value for PAT_PROGRAM. */
extern const char *const pat_program_names[];
#define PAT_NPROGRAMS 7

/*
 * Load every *.txt in dir.  On failure *out is NULL and where holds
 * "file:line: reason" (MJ_ECONFIG), or the failing file for MJ_ENOMEM.
 */
enum mj_err	pat_load(struct pat_set **out, const char *dir, char *where,
		    size_t wherelen);
void		pat_free(struct pat_set *);	/* NULL is fine */

size_t		 pat_count(const struct pat_set *);
const struct pat *pat_get(const struct pat_set *, size_t i);
/* Ids of the patterns tried for every message ("*" triggers). */
const int	*pat_always(const struct pat_set *, size_t *n);

/*
 * Call fn for every key that is a beginning of w[0..n) (a word of the
 * message without apostrophes), with exact set when it is all of it.
 */
void		pat_keys_of_word(const struct pat_set *, const char *w, size_t n,
		    void (*fn)(const struct pat_key *, int exact, void *),
		    void *arg);
/* The key equal to w[0..n), or NULL. */
const struct pat_key *pat_key_find(const struct pat_set *, const char *w,
		    size_t n);

/*
 * Normalise s for matching: normalize_text() and then every apostrophe
 * removed.  out gets at most 6 * len + 1 bytes.  Shared by the loader and
 * nlu_understand() so that both sides spell words alike.
 */
enum mj_err	pat_fold(const char *s, size_t len, char *out, size_t cap,
		    size_t *outlen, unsigned *ncyr, unsigned *nlatn);

#endif
