/*
 * mask.h - personal data as the help desk shows it to a role that need not
 * see it: "+998901234567" -> "+998 90 *** ** 67", and every identifier
 * written inside a text masked by one table (mask.c): phones in any
 * writing, PINFLs, passports, card and account numbers, any other long
 * number.  Application numbers (AR-2025-000001) are not personal and stay.
 * No state: safe from any thread.
 *
 * What "no identifier survives" means, precisely (tests/fuzz/mask_fuzz.c
 * checks it for any input):
 *   - a digit is an ASCII digit 0-9;
 *   - a separator is one of space, tab, '.', '-', '(', ')', '/', '+';
 *   - a run is a maximal sequence of digits in which each digit follows
 *     the previous one after at most MASK_SEPS separators (so
 *     "+998 (90) 765-43-21", "90  765  43  21" and "90.765.43.21" are one
 *     run each); a run may be glued to letters ("pinfl31205678901234");
 *   - an application number is "AR" or Cyrillic "АР" (any case, not glued
 *     to a letter or digit before it), up to MASK_SEPS of separators, '#'
 *     or '№', then a year 20xx, up to MASK_SEPS separators and a serial of
 *     1-6 digits (or the ten digits glued: "ar2025000001"), or ten digits
 *     20xxxxxxxx standing alone; none may run on into another digit.
 *     mask_app_no() finds them, and they are taken out before runs are
 *     counted;
 * then no run of MASK_RUN or more digits is left in mask_text()'s result.
 */
#ifndef BASE_MASK_H
#define BASE_MASK_H
#include <stddef.h>

#define MASK_RUN	7	/* digits: a run this long is masked */
#define MASK_SEPS	3	/* separators at most between two digits */

/* An address or phone into buf (always NUL-terminated); returns buf. */
const char	*mask_phone(const char *phone, char *buf, size_t len);

/* What the table recognises, for tests and the log. */
enum mask_kind {
	MASK_NONE = 0,
	MASK_PHONE,	/* 12 digits from 998: "+998 90 *** ** 67" */
	MASK_LOCAL,	/* 9 digits, a local phone: "*******67" */
	MASK_PINFL,	/* 14 digits */
	MASK_PASSPORT,	/* two letters and 7 digits: "AA*****67" */
	MASK_CARD,	/* 13-19 digits passing Luhn: the last four stay */
	MASK_ACCOUNT,	/* 20 digits, a bank account */
	MASK_NUMBER	/* any other run of MASK_RUN or more digits */
};
const char	*mask_kind_name(enum mask_kind);

/*
 * A copy of text (malloc'd, NULL when out of memory) with every
 * identifier's digits replaced by '*' but for its last two (a card's last
 * four, a phone's "998 90" too).  Only ASCII digits change, one byte for
 * one, so the text keeps its length in bytes and in characters.
 * *changed is 1 when something was masked.
 */
char		*mask_text(const char *text, int *changed);
/*
 * The same with every digit of every identifier replaced: the text a
 * search index for a role that sees masks may hold (nothing of an
 * identifier can be matched in it).
 */
char		*mask_text_all(const char *text, int *changed);
/*
 * The kind of the first identifier in text (MASK_NONE if none), and in
 * digits (size >= 24, may be NULL) its digits, for a search by identifier.
 */
enum mask_kind	 mask_first(const char *text, char *digits, size_t len);
/*
 * The digits of every identifier in text into out (always NUL-terminated),
 * space-separated, a phone both as 998XXXXXXXXX and as its nine local
 * digits: the tokens of a search index by identifier.  Identifiers that do
 * not fit are left out.
 */
void		 mask_ids(const char *text, char *out, size_t len);
/*
 * Each identifier of text to fn in order: its kind and the offsets of its
 * first and last digit.  fn returns non-zero to stop.
 */
void		 mask_each(const char *text, int (*fn)(void *, enum mask_kind,
		    size_t first, size_t last), void *arg);
/* Bytes of the application number starting at text[at] (after its
 * prefix: at is its first digit), 0 when there is none. */
size_t		 mask_app_no(const char *text, size_t n, size_t at);
#endif
