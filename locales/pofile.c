/*
 * pofile.c - one PO file into struct pofile (see pofile.h).
 * libgettextpo does the parsing; this file adds what it does not give:
 * entry line numbers, a UTF-8 check, and errors as "path:line: reason".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gettext-po.h>
#include <unistr.h>

#include "base/log.h"
#include "locales/pofile.h"

/*
 * libgettextpo's handlers take no user pointer, and a fatal one must not
 * return; loading happens once at start-up, but keep it per thread anyway.
 */
struct xctx {
	char	 msg[512];	/* first error, "path:line: text" */
	int	 failed;
	jmp_buf	 jb;
};
static _Thread_local struct xctx *xcur;

static void
xrecord(int severity, const char *file, size_t line, const char *text)
{
	struct xctx	*x = xcur;
	size_t		 n;

	if (x == NULL)
		return;
	if (severity == PO_SEVERITY_WARNING) {
		log_warn("catalog.po_warning", "file=\"%s\" line=%zu msg=\"%s\"",
		    file ? file : "-", line, text ? text : "");
		return;
	}
	if (!x->failed) {
		x->failed = 1;
		if (file != NULL && line != (size_t)-1)
			snprintf(x->msg, sizeof x->msg, "%s:%zu: %s", file, line,
			    text ? text : "error");
		else
			snprintf(x->msg, sizeof x->msg, "%s:0: %s",
			    file ? file : "?", text ? text : "error");
		n = strlen(x->msg);
		while (n > 0 && x->msg[n - 1] == '\n')	/* multiline texts */
			x->msg[--n] = '\0';
	}
	if (severity == PO_SEVERITY_FATAL_ERROR)
		longjmp(x->jb, 1);
}

static void
xerror(int severity, po_message_t m, const char *file, size_t line,
    size_t col, int multiline, const char *text)
{
	(void)m;
	(void)col;
	(void)multiline;
	xrecord(severity, file, line, text);
}

static void
xerror2(int severity, po_message_t m1, const char *file1, size_t line1,
    size_t col1, int ml1, const char *text1, po_message_t m2,
    const char *file2, size_t line2, size_t col2, int ml2, const char *text2)
{
	(void)m1; (void)col1; (void)ml1;
	(void)m2; (void)file2; (void)line2; (void)col2; (void)ml2; (void)text2;
	xrecord(severity, file1, line1, text1);
}

static const struct po_xerror_handler xhandler = { xerror, xerror2 };

/*
 * libgettextpo 0.21 never frees the file name its lexer copies in
 * lex_start (a few bytes per file read, once at start-up).  Tell
 * LeakSanitizer, so sanitizer builds stay clean; inert in other builds.
 */
const char	*__lsan_default_suppressions(void);
const char	*__lsan_default_options(void);

/* Keep the "Suppressions used" table out of every test's output. */
const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}

const char *
__lsan_default_suppressions(void)
{
	/* With the default fast unwinder the stack stops at xmalloc. */
	return "leak:libgettextpo_lex_start\n"
	    "leak:libgettextpo_xmalloc\n";
}

void
pofile_say(char *where, size_t wherelen, const char *path, size_t line,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (where == NULL || wherelen == 0)
		return;
	n = snprintf(where, wherelen, "%s:%zu: ", path, line);
	if (n < 0 || (size_t)n >= wherelen)
		return;
	va_start(ap, fmt);
	vsnprintf(where + n, wherelen - (size_t)n, fmt, ap);
	va_end(ap);
}

static size_t
line_of(const char *buf, size_t off)
{
	size_t	line = 1;

	for (size_t i = 0; i < off; i++)
		if (buf[i] == '\n')
			line++;
	return line;
}

/* Whole file into memory, NUL-terminated; caps at POFILE_MAXBYTES. */
static enum mj_err
slurp(const char *path, char **out, size_t *outlen, char *where,
    size_t wherelen)
{
	FILE	*f;
	char	*buf;
	size_t	 n;
	int	 saved;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL) {
		saved = errno;
		pofile_say(where, wherelen, path, 0, "cannot open: %s", strerror(saved));
		return saved == ENOENT ? MJ_ENOTFOUND : MJ_EINPUT;
	}
	if ((buf = malloc(POFILE_MAXBYTES + 1)) == NULL) {
		fclose(f);
		pofile_say(where, wherelen, path, 0, "out of memory");
		return MJ_ENOMEM;
	}
	n = fread(buf, 1, POFILE_MAXBYTES + 1, f);
	if (ferror(f)) {
		saved = errno;
		fclose(f);
		free(buf);
		pofile_say(where, wherelen, path, 0, "cannot read: %s", strerror(saved));
		return MJ_EINPUT;
	}
	fclose(f);
	if (n > POFILE_MAXBYTES) {
		free(buf);
		pofile_say(where, wherelen, path, 0, "larger than %u bytes",
		    POFILE_MAXBYTES);
		return MJ_ETOOBIG;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return MJ_OK;
}

/* Lines whose first keyword is msgid: one per live entry, in file order. */
static enum mj_err
msgid_lines(const char *buf, size_t len, size_t **out, size_t *nout)
{
	size_t	*v = NULL, n = 0, cap = 0, line = 1;
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *q = p;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (end - q > 5 && strncmp(q, "msgid", 5) == 0 &&
		    (q[5] == ' ' || q[5] == '\t' || q[5] == '"')) {
			if (n == cap) {
				size_t	 ncap = cap ? cap * 2 : 64;
				size_t	*nv = realloc(v, ncap * sizeof *v);

				if (nv == NULL) {
					free(v);
					return MJ_ENOMEM;
				}
				v = nv;
				cap = ncap;
			}
			v[n++] = line;
		}
		if ((q = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p = q + 1;
		line++;
	}
	*out = v;
	*nout = n;
	return MJ_OK;
}

void
pofile_clear(struct pofile *pf)
{
	if (pf == NULL)
		return;
	for (size_t i = 0; i < pf->n; i++) {
		free(pf->msgs[i].msgid);
		for (int k = 0; k < pf->msgs[i].nforms; k++)
			free(pf->msgs[i].forms[k]);
	}
	free(pf->msgs);
	free(pf->path);
	free(pf->plural_forms);
	memset(pf, 0, sizeof *pf);
}

static int
charset_is_utf8(const char *header)
{
	char	*ct = po_header_field(header, "Content-Type");
	char	*cs;
	int	 ok = 0;

	if (ct != NULL && (cs = strcasestr(ct, "charset=")) != NULL) {
		cs += strlen("charset=");
		ok = strncasecmp(cs, "UTF-8", 5) == 0 &&
		    (cs[5] == '\0' || cs[5] == ';' || cs[5] == ' ' ||
		    cs[5] == '\n');
	}
	free(ct);
	return ok;
}

/*
 * Copies one live, non-header message into *dst.  On failure what was
 * copied stays in *dst for pofile_clear().
 */
static enum mj_err
take(struct pofile_msg *dst, po_message_t m)
{
	const char	*s;

	memset(dst, 0, sizeof *dst);
	if (po_message_msgctxt(m) != NULL)
		return MJ_EINPUT;
	if ((dst->msgid = strdup(po_message_msgid(m))) == NULL)
		return MJ_ENOMEM;
	dst->fuzzy = po_message_is_fuzzy(m);
	if (po_message_msgid_plural(m) != NULL) {
		dst->plural = 1;
		while ((s = po_message_msgstr_plural(m, dst->nforms)) != NULL) {
			if (dst->nforms == PLURAL_MAX + 1)
				return MJ_ETOOBIG;
			if ((dst->forms[dst->nforms] = strdup(s)) == NULL)
				return MJ_ENOMEM;
			dst->nforms++;
		}
	} else {
		if ((dst->forms[0] = strdup(po_message_msgstr(m))) == NULL)
			return MJ_ENOMEM;
		dst->nforms = 1;
	}
	return MJ_OK;
}

/*
 * Split from pofile_read so that nothing volatile lives across setjmp.
 * nlive counts the live messages, header included, like lines[].
 */
static enum mj_err
walk(struct pofile *pf, po_file_t po, const size_t *lines, size_t nlines,
    size_t nlive, char *where, size_t wherelen)
{
	const char * const	*dom = po_file_domains(po);
	const char		*header;
	po_message_iterator_t	 it;
	po_message_t		 m;
	size_t			 k = 0;
	enum mj_err		 rc = MJ_OK;
	int			 ok;

	if (dom != NULL && dom[0] != NULL &&
	    (dom[1] != NULL || strcmp(dom[0], "messages") != 0)) {
		pofile_say(where, wherelen, pf->path, 1,
		    "domain directives are not supported");
		return MJ_EINPUT;
	}
	header = po_file_domain_header(po, NULL);
	if (header == NULL) {
		pofile_say(where, wherelen, pf->path, 1,
		    "no header entry (msgid \"\" with Content-Type and "
		    "Plural-Forms)");
		return MJ_EINPUT;
	}
	ok = charset_is_utf8(header);
	if (ok)
		pf->plural_forms = po_header_field(header, "Plural-Forms");
	/* libgettextpo hands out a copy here, despite the const. */
	free((char *)(uintptr_t)header);
	if (!ok) {
		pofile_say(where, wherelen, pf->path, 1,
		    "header Content-Type must say charset=UTF-8");
		return MJ_EINPUT;
	}
	if ((pf->msgs = calloc(nlive ? nlive : 1, sizeof *pf->msgs)) == NULL)
		return MJ_ENOMEM;

	it = po_message_iterator(po, NULL);
	while (rc == MJ_OK && (m = po_next_message(it)) != NULL) {
		size_t	line;

		if (po_message_is_obsolete(m))
			continue;
		/* Lines pair up only when the counts agree; else 0 = unknown. */
		line = nlines == nlive ? lines[k] : 0;
		k++;
		if (po_message_msgid(m)[0] == '\0') {
			pf->header_line = line;
			continue;
		}
		if (pf->n == nlive) {	/* cannot happen: counted above */
			rc = MJ_EINTERNAL;
			break;
		}
		rc = take(&pf->msgs[pf->n], m);
		pf->msgs[pf->n++].line = line;	/* counted, so cleared on failure */
		if (rc == MJ_ETOOBIG) {
			pofile_say(where, wherelen, pf->path, line,
			    "msgid \"%s\": more than %d plural forms",
			    po_message_msgid(m), PLURAL_MAX);
			rc = MJ_EINPUT;
		} else if (rc == MJ_ENOMEM) {
			pofile_say(where, wherelen, pf->path, line, "out of memory");
		} else if (rc == MJ_EINPUT) {
			pofile_say(where, wherelen, pf->path, line,
			    "msgid \"%s\": msgctxt is not supported",
			    po_message_msgid(m));
		}
	}
	po_message_iterator_free(it);
	if (rc == MJ_OK && pf->header_line == 0)
		pf->header_line = 1;
	return rc;
}

static size_t
count_live(po_file_t po)
{
	po_message_iterator_t	it = po_message_iterator(po, NULL);
	po_message_t		m;
	size_t			n = 0;

	while ((m = po_next_message(it)) != NULL)
		if (!po_message_is_obsolete(m))
			n++;
	po_message_iterator_free(it);
	return n;
}

static enum mj_err read_po(struct pofile *, const char *, size_t *const,
    const size_t, struct xctx *, char *, size_t);

enum mj_err
pofile_read(struct pofile *out, const char *path, char *where,
    size_t wherelen)
{
	struct xctx	*prev = xcur;
	char		*buf = NULL;
	const char	*bad;
	size_t		 len = 0, *lines = NULL, nlines = 0;
	enum mj_err	 rc;

	memset(out, 0, sizeof *out);
	if (where != NULL && wherelen > 0)
		where[0] = '\0';
	if ((rc = slurp(path, &buf, &len, where, wherelen)) != MJ_OK)
		return rc;
	if ((bad = memchr(buf, '\0', len)) != NULL) {
		pofile_say(where, wherelen, path, line_of(buf, (size_t)(bad - buf)),
		    "NUL byte");
		free(buf);
		return MJ_EINPUT;
	}
	if ((bad = (const char *)u8_check((const uint8_t *)buf, len)) != NULL) {
		pofile_say(where, wherelen, path, line_of(buf, (size_t)(bad - buf)),
		    "invalid UTF-8");
		free(buf);
		return MJ_EINPUT;
	}
	rc = msgid_lines(buf, len, &lines, &nlines);
	free(buf);
	if (rc != MJ_OK) {
		pofile_say(where, wherelen, path, 0, "out of memory");
		return rc;
	}
	if ((out->path = strdup(path)) == NULL) {
		free(lines);
		return MJ_ENOMEM;
	}

	/* Fixed before setjmp, so a longjmp cannot leave them stale. */
	return read_po(out, path, lines, nlines, prev, where, wherelen);
}

static enum mj_err
read_po(struct pofile *out, const char *path, size_t *const kept,
    const size_t nkept, struct xctx *prev, char *where, size_t wherelen)
{
	struct xctx	 x;
	po_file_t	 po;
	enum mj_err	 rc;

	memset(&x, 0, sizeof x);
	xcur = &x;
	if (setjmp(x.jb) != 0) {
		/* A fatal libgettextpo error; what it allocated is lost. */
		xcur = prev;
		free(kept);
		pofile_clear(out);
		if (where != NULL && wherelen > 0)
			snprintf(where, wherelen, "%s", x.msg);
		return MJ_EINPUT;
	}
	po = po_file_read(path, &xhandler);
	xcur = prev;
	if (po == NULL || x.failed) {
		if (where != NULL && wherelen > 0) {
			if (x.failed)
				snprintf(where, wherelen, "%s", x.msg);
			else
				pofile_say(where, wherelen, path, 0,
				    "libgettextpo could not read it");
		}
		if (po != NULL)
			po_file_free(po);
		free(kept);
		pofile_clear(out);
		return MJ_EINPUT;
	}
	rc = walk(out, po, kept, nkept, count_live(po), where, wherelen);
	po_file_free(po);
	free(kept);
	if (rc != MJ_OK)
		pofile_clear(out);
	return rc;
}
