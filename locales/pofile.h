/*
 * pofile.h - read one gettext PO file with libgettextpo into plain C data,
 * with the line of each entry (libgettextpo keeps only "#:" references, so
 * the lines come from a scan for the msgid keywords, matched in order).
 * Knows nothing of languages or placeholders; catalog.c checks those.
 */
#ifndef LOCALES_POFILE_H
#define LOCALES_POFILE_H
#include <stddef.h>
#include "base/err.h"
#include "locales/plural.h"

#define POFILE_MAXBYTES	(4u << 20)	/* a catalogue is ~10 KiB; refuse junk */

struct pofile_msg {
	char	*msgid;
	int	 plural;		/* has msgid_plural */
	int	 fuzzy;
	int	 nforms;		/* 1, or the number of msgstr[i] */
	char	*forms[PLURAL_MAX + 1];	/* msgstr or msgstr[i]; may be "" */
	size_t	 line;			/* of the msgid keyword */
};

struct pofile {
	char			*path;
	char			*plural_forms;	/* header field, NULL if absent */
	size_t			 header_line;	/* 1 when there is no header */
	struct pofile_msg	*msgs;		/* file order, header and obsolete left out */
	size_t			 n;
};

/*
 * Read path into *out (zeroed first).  Refuses: a file that cannot be read,
 * over POFILE_MAXBYTES, invalid UTF-8 or a NUL byte, a charset other than
 * UTF-8, any libgettextpo error (syntax, duplicate msgid), msgctxt, domains,
 * more than PLURAL_MAX + 1 forms.  Then MJ_EINPUT (MJ_ENOTFOUND when the file
 * is missing), where = "path:line: reason", and *out holds nothing.
 * pofile_clear() frees; it is fine on a zeroed or cleared struct.
 */
enum mj_err	pofile_read(struct pofile *out, const char *path,
		    char *where, size_t wherelen);
void		pofile_clear(struct pofile *);
/* where = "path:line: " and the formatted reason (the loaders' errors). */
void		pofile_say(char *where, size_t wherelen, const char *path,
		    size_t line, const char *fmt, ...)
		    __attribute__((format(printf, 5, 6)));

#endif
