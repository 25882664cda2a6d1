/*
 * catalog.h - the message catalogues: every text a citizen reads, in
 * uz-Latn, uz-Cyrl, ru and en, from locales/<tag>.po (gettext PO, what
 * translators' tools open).  msgids are symbolic keys ("status.pending");
 * texts carry {name} placeholders, and "{{" / "}}" for literal braces.
 *
 * Loaded once at start-up; read-only afterwards, so one catalogue is shared
 * by all threads without locks.  Rendering allocates only the result.
 * SMS alphabet and length are sms.h's business, not this one's.
 */
#ifndef LOCALES_CATALOG_H
#define LOCALES_CATALOG_H
#include <stddef.h>
#include "base/err.h"
#include "base/lang.h"

struct catalog;		/* opaque, read-only after load, shared by threads */

/*
 * Load dir/uz-Latn.po, uz-Cyrl.po, ru.po, en.po.  Every msgid present in any
 * must be in all four, non-empty (fuzzy entries count as missing), with
 * every {placeholder} of the uz-Latn entry and no other; plural entries
 * (msgid_plural) must be plural in all four with the language's number of
 * forms; each header must say charset=UTF-8 and carry the Plural-Forms of
 * plural_forms_header().  Otherwise *out is NULL and where holds
 * "file:line: message" (the service refuses to start): MJ_ENOTFOUND for a
 * missing file, MJ_EINPUT for the rest, MJ_ENOMEM.  where may be NULL.
 * Free with catalog_free (NULL is fine).
 */
enum mj_err	catalog_load(struct catalog **out, const char *dir,
		    char *where, size_t wherelen);
void		catalog_free(struct catalog *);

struct msg_arg {
	const char	*name;		/* placeholder name, without braces */
	const char	*value;		/* inserted as is */
};

/*
 * Render msgid in lang, substituting {name} from args; args the text does
 * not use are ignored.  *out is malloc'd, the caller frees it; on failure
 * it is NULL.  MJ_ENOTFOUND if no such msgid; MJ_EINTERNAL (logged) for a
 * placeholder with no arg, a NULL arg, a bad lang, or a plural msgid (use
 * catalog_render_n); MJ_ENOMEM.
 */
enum mj_err	catalog_render(const struct catalog *, enum lang,
		    const char *msgid, const struct msg_arg *args,
		    size_t nargs, char **out);
/*
 * Plural entries (msgid_plural): the form is picked by CLDR rules for the
 * language (plural.h); {n} is the count, printed in plain digits, and wins
 * over an arg named "n".  A non-plural msgid renders its one text, with
 * {n} available.  Errors as catalog_render.
 */
enum mj_err	catalog_render_n(const struct catalog *, enum lang,
		    const char *msgid, long n, const struct msg_arg *args,
		    size_t nargs, char **out);
/* 1 if msgid is in the catalogue (then it is in all four languages). */
int		catalog_has(const struct catalog *, const char *msgid);
/*
 * A date in the language's own form, from the entries "date.format"
 * ({year} {month} {day}; e.g. uz "{year}-yil {day}-{month}", ru
 * "{day} {month} {year} г.") and "month.1".."month.12" (the form used inside
 * a date: ru genitive "марта").  Into buf, always NUL-terminated when
 * len > 0.  MJ_EINPUT for a date that does not exist (years 1..9999),
 * MJ_ETOOBIG if buf is too small, MJ_ENOTFOUND if the entries are missing.
 */
enum mj_err	catalog_date(const struct catalog *, enum lang, int year,
		    int month, int day, char *buf, size_t len);
/*
 * The i-th msgid, in byte order, for reports such as sms-cost; NULL past
 * the end.  Borrowed from the catalogue: valid until catalog_free.
 */
const char	*catalog_msgid_at(const struct catalog *, size_t i);
/* 1 if msgid is a plural entry, 0 if not or unknown. */
int		catalog_is_plural(const struct catalog *, const char *msgid);

#endif
