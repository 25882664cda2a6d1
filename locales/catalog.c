/*
 * catalog.c - load the four PO files, check them against each other, and
 * render messages (see catalog.h).  PO parsing is pofile.c's; plural
 * choice is plural.c's.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "locales/catalog.h"
#include "locales/plural.h"
#include "locales/pofile.h"

struct centry {
	char	*msgid;
	int	 plural;
	int	 nforms[LANG__COUNT];
	char	*forms[LANG__COUNT][PLURAL_MAX];
};

struct catalog {
	struct centry	*e;	/* sorted by msgid, strcmp order */
	size_t		 n;
};

/* ---- placeholders: "{name}", "{{" and "}}" ---- */

enum tok { TOK_END, TOK_TEXT, TOK_NAME, TOK_BAD };

static int
name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* Next token of a template at *pp: literal text, a placeholder name, or bad. */
static enum tok
next_tok(const char **pp, const char **s, size_t *n)
{
	const char	*p = *pp, *q;

	*s = p;
	*n = 0;
	if (*p == '\0')
		return TOK_END;
	if (p[0] == '{' && p[1] == '{') {
		*n = 1;
		*pp = p + 2;
		return TOK_TEXT;
	}
	if (p[0] == '}' && p[1] == '}') {
		*s = p + 1;
		*n = 1;
		*pp = p + 2;
		return TOK_TEXT;
	}
	if (p[0] == '}')
		return TOK_BAD;
	if (p[0] == '{') {
		if (!name_start(p[1]))
			return TOK_BAD;
		for (q = p + 1; name_char(*q); q++)
			;
		if (*q != '}')
			return TOK_BAD;
		*s = p + 1;
		*n = (size_t)(q - p - 1);
		*pp = q + 1;
		return TOK_NAME;
	}
	q = p + strcspn(p, "{}");
	*n = (size_t)(q - p);
	*pp = q;
	return TOK_TEXT;
}

/* 1 if template t has placeholder name[0..n). */
static int
has_name(const char *t, const char *name, size_t n)
{
	const char	*s;
	size_t		 len;
	enum tok	 k;

	while ((k = next_tok(&t, &s, &len)) != TOK_END && k != TOK_BAD)
		if (k == TOK_NAME && len == n && memcmp(s, name, n) == 0)
			return 1;
	return 0;
}

/* ---- load ---- */


static int
cmp_msg(const void *a, const void *b)
{
	const struct pofile_msg *const *x = a, *const *y = b;

	return strcmp((*x)->msgid, (*y)->msgid);
}

/* A file's messages, sorted by msgid, for lookups while checking. */
struct index {
	const struct pofile_msg	**v;
	size_t			  n;
};

static enum mj_err
index_build(struct index *ix, const struct pofile *pf)
{
	ix->n = pf->n;
	if ((ix->v = calloc(pf->n ? pf->n : 1, sizeof *ix->v)) == NULL)
		return MJ_ENOMEM;
	for (size_t i = 0; i < pf->n; i++)
		ix->v[i] = &pf->msgs[i];
	qsort(ix->v, ix->n, sizeof *ix->v, cmp_msg);
	return MJ_OK;
}

static const struct pofile_msg *
index_find(const struct index *ix, const char *msgid)
{
	struct pofile_msg		 key;
	const struct pofile_msg		*kp = &key;
	const struct pofile_msg *const	*hit;

	key.msgid = (char *)(uintptr_t)msgid;	/* only read by cmp_msg */
	hit = bsearch(&kp, ix->v, ix->n, sizeof *ix->v, cmp_msg);
	return hit ? *hit : NULL;
}

/* "sans whitespace and trailing ';'" equality, for Plural-Forms. */
static int
same_expr(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\t' || *a == '\n' ||
		    (*a == ';' && strspn(a, "; \t\n") == strlen(a)))
			a++;
		while (*b == ' ' || *b == '\t' || *b == '\n' ||
		    (*b == ';' && strspn(b, "; \t\n") == strlen(b)))
			b++;
		if (*a != *b)
			return 0;
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
}

static enum mj_err
check_header(const struct pofile *pf, enum lang l, char *where,
    size_t wherelen)
{
	if (pf->plural_forms == NULL ||
	    !same_expr(pf->plural_forms, plural_forms_header(l))) {
		pofile_say(where, wherelen, pf->path, pf->header_line,
		    "header Plural-Forms must be \"%s\" (forms are chosen by "
		    "CLDR rules in locales/plural.c)", plural_forms_header(l));
		return MJ_EINPUT;
	}
	return MJ_OK;
}

/* Each form well-formed, with exactly the uz-Latn entry's placeholders. */
static enum mj_err
check_placeholders(const struct pofile *pf, const struct pofile_msg *m,
    const struct pofile *src, const struct pofile_msg *ref, char *where,
    size_t wherelen)
{
	const char	*t, *s;
	size_t		 n;
	enum tok	 k;

	for (int f = 0; f < m->nforms; f++) {
		t = m->forms[f];
		while ((k = next_tok(&t, &s, &n)) != TOK_END) {
			if (k == TOK_BAD) {
				pofile_say(where, wherelen, pf->path, m->line,
				    "msgid \"%s\": stray brace in \"%.20s\" "
				    "(write {name}, or {{ and }} for braces)",
				    m->msgid, t);
				return MJ_EINPUT;
			}
			if (k != TOK_NAME)
				continue;
			for (int g = 0; g < ref->nforms; g++)
				if (has_name(ref->forms[g], s, n))
					goto known;
			pofile_say(where, wherelen, pf->path, m->line,
			    "msgid \"%s\": placeholder {%.*s} is not in %s",
			    m->msgid, (int)n, s, src->path);
			return MJ_EINPUT;
known:			;
		}
		/* Every placeholder of every uz-Latn form must be here. */
		for (int g = 0; g < ref->nforms; g++) {
			t = ref->forms[g];
			while ((k = next_tok(&t, &s, &n)) != TOK_END &&
			    k != TOK_BAD) {
				if (k != TOK_NAME || has_name(m->forms[f], s, n))
					continue;
				if (pf == src)
					pofile_say(where, wherelen, pf->path, m->line,
					    "msgid \"%s\": placeholder {%.*s} "
					    "missing from a plural form",
					    m->msgid, (int)n, s);
				else
					pofile_say(where, wherelen, pf->path, m->line,
					    "msgid \"%s\": placeholder {%.*s} "
					    "missing (%s has it)", m->msgid,
					    (int)n, s, src->path);
				return MJ_EINPUT;
			}
		}
	}
	return MJ_OK;
}

/* The entry m of file pf (language l) against its uz-Latn entry ref. */
static enum mj_err
check_entry(const struct pofile *pf, enum lang l, const struct pofile_msg *m,
    const struct pofile *src, const struct pofile_msg *ref, char *where,
    size_t wherelen)
{
	if (m->fuzzy) {
		pofile_say(where, wherelen, pf->path, m->line,
		    "msgid \"%s\": translation is fuzzy (counts as missing)",
		    m->msgid);
		return MJ_EINPUT;
	}
	if (m->plural != ref->plural) {
		pofile_say(where, wherelen, pf->path, m->line,
		    "msgid \"%s\": %s here but %s in %s", m->msgid,
		    m->plural ? "plural" : "not plural",
		    ref->plural ? "plural" : "not plural", src->path);
		return MJ_EINPUT;
	}
	if (m->plural && m->nforms != plural_nforms(l)) {
		pofile_say(where, wherelen, pf->path, m->line,
		    "msgid \"%s\": %d plural forms, %s needs %d", m->msgid,
		    m->nforms, lang_tag(l), plural_nforms(l));
		return MJ_EINPUT;
	}
	for (int f = 0; f < m->nforms; f++)
		if (m->forms[f][0] == '\0') {
			pofile_say(where, wherelen, pf->path, m->line,
			    "msgid \"%s\": empty translation", m->msgid);
			return MJ_EINPUT;
		}
	return check_placeholders(pf, m, src, ref, where, wherelen);
}

static enum mj_err
check_all(const struct pofile *po, const struct index *ix, char *where,
    size_t wherelen)
{
	const struct pofile		*src = &po[LANG_UZ_LATN];
	const struct pofile_msg		*m, *ref;
	enum mj_err			 rc;

	/* Every uz-Latn entry, in file order, in every language. */
	for (size_t i = 0; i < src->n; i++) {
		ref = &src->msgs[i];
		for (int l = 0; l < LANG__COUNT; l++) {
			m = l == LANG_UZ_LATN ? ref : index_find(&ix[l],
			    ref->msgid);
			if (m == NULL) {
				pofile_say(where, wherelen, src->path, ref->line,
				    "msgid \"%s\" is missing from %s",
				    ref->msgid, po[l].path);
				return MJ_EINPUT;
			}
			rc = check_entry(&po[l], (enum lang)l, m, src, ref,
			    where, wherelen);
			if (rc != MJ_OK)
				return rc;
		}
	}
	/* And nothing elsewhere that uz-Latn lacks. */
	for (int l = 0; l < LANG__COUNT; l++)
		for (size_t i = 0; i < po[l].n; i++)
			if (index_find(&ix[LANG_UZ_LATN],
			    po[l].msgs[i].msgid) == NULL) {
				pofile_say(where, wherelen, po[l].path,
				    po[l].msgs[i].line,
				    "msgid \"%s\" is missing from %s",
				    po[l].msgs[i].msgid, src->path);
				return MJ_EINPUT;
			}
	return MJ_OK;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct centry	*x = a, *y = b;

	return strcmp(x->msgid, y->msgid);
}

void
catalog_free(struct catalog *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].msgid);
		for (int l = 0; l < LANG__COUNT; l++)
			for (int f = 0; f < c->e[i].nforms[l]; f++)
				free(c->e[i].forms[l][f]);
	}
	free(c->e);
	free(c);
}

/* Moves the checked strings out of the pofiles into a new catalogue. */
static enum mj_err
build(struct catalog **out, struct pofile *po, const struct index *ix)
{
	struct pofile		*src = &po[LANG_UZ_LATN];
	struct catalog		*c;
	struct pofile_msg	*m;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return MJ_ENOMEM;
	if ((c->e = calloc(src->n ? src->n : 1, sizeof *c->e)) == NULL) {
		free(c);
		return MJ_ENOMEM;
	}
	for (size_t i = 0; i < src->n; i++) {
		struct centry	*e = &c->e[c->n++];

		e->msgid = src->msgs[i].msgid;
		src->msgs[i].msgid = NULL;
		e->plural = src->msgs[i].plural;
		for (int l = 0; l < LANG__COUNT; l++) {
			m = l == LANG_UZ_LATN ? &src->msgs[i] :
			    (struct pofile_msg *)(uintptr_t)index_find(&ix[l],
			    e->msgid);
			e->nforms[l] = m->nforms;
			for (int f = 0; f < m->nforms; f++) {
				e->forms[l][f] = m->forms[f];
				m->forms[f] = NULL;
			}
		}
	}
	qsort(c->e, c->n, sizeof *c->e, cmp_entry);
	*out = c;
	return MJ_OK;
}

enum mj_err
catalog_load(struct catalog **out, const char *dir, char *where,
    size_t wherelen)
{
	struct pofile	 po[LANG__COUNT];
	struct index	 ix[LANG__COUNT];
	char		 path[4096];
	enum mj_err	 rc = MJ_OK;

	*out = NULL;
	memset(po, 0, sizeof po);
	memset(ix, 0, sizeof ix);
	if (where != NULL && wherelen > 0)
		where[0] = '\0';
	if (dir == NULL || *dir == '\0')
		dir = ".";
	for (int l = 0; l < LANG__COUNT && rc == MJ_OK; l++) {
		int	n = snprintf(path, sizeof path, "%s/%s.po", dir,
			    lang_tag((enum lang)l));

		if (n < 0 || (size_t)n >= sizeof path) {
			pofile_say(where, wherelen, dir, 0, "directory name too long");
			rc = MJ_EINPUT;
			break;
		}
		rc = pofile_read(&po[l], path, where, wherelen);
		if (rc == MJ_OK)
			rc = check_header(&po[l], (enum lang)l, where,
			    wherelen);
		if (rc == MJ_OK)
			rc = index_build(&ix[l], &po[l]);
	}
	if (rc == MJ_OK)
		rc = check_all(po, ix, where, wherelen);
	if (rc == MJ_OK)
		rc = build(out, po, ix);
	if (rc == MJ_ENOMEM && where != NULL && wherelen > 0 && !where[0])
		snprintf(where, wherelen, "%s:0: out of memory", dir);
	for (int l = 0; l < LANG__COUNT; l++) {
		free(ix[l].v);
		pofile_clear(&po[l]);
	}
	return rc;
}

/* ---- render ---- */

static const struct centry *
find(const struct catalog *c, const char *msgid)
{
	struct centry	key;

	if (c == NULL || msgid == NULL)
		return NULL;
	key.msgid = (char *)(uintptr_t)msgid;	/* only read by cmp_entry */
	return bsearch(&key, c->e, c->n, sizeof *c->e, cmp_entry);
}

int
catalog_has(const struct catalog *c, const char *msgid)
{
	return find(c, msgid) != NULL;
}

int
catalog_is_plural(const struct catalog *c, const char *msgid)
{
	const struct centry	*e = find(c, msgid);

	return e != NULL && e->plural;
}

const char *
catalog_msgid_at(const struct catalog *c, size_t i)
{
	if (c == NULL || i >= c->n)
		return NULL;
	return c->e[i].msgid;
}

/* The value of placeholder name[0..n): the count for "n", else an arg. */
static const char *
lookup(const char *name, size_t n, const char *count,
    const struct msg_arg *args, size_t nargs)
{
	if (count != NULL && n == 1 && name[0] == 'n')
		return count;
	for (size_t i = 0; i < nargs; i++)
		if (args[i].name != NULL && strlen(args[i].name) == n &&
		    memcmp(args[i].name, name, n) == 0)
			return args[i].value;
	return NULL;
}

/* Two passes over the template: measure, then write. */
static enum mj_err
expand(const char *tmpl, const char *msgid, enum lang l, const char *count,
    const struct msg_arg *args, size_t nargs, char **out)
{
	const char	*t, *s, *v;
	size_t		 n, len = 0;
	char		*buf, *w;
	enum tok	 k;

	for (t = tmpl; (k = next_tok(&t, &s, &n)) != TOK_END; ) {
		if (k == TOK_BAD) {	/* refused at load */
			log_err("catalog.render", "msgid=%s lang=%s "
			    "err=\"stray brace\"", msgid, lang_tag(l));
			return MJ_EINTERNAL;
		}
		if (k == TOK_NAME) {
			if ((v = lookup(s, n, count, args, nargs)) == NULL) {
				log_err("catalog.render", "msgid=%s lang=%s "
				    "err=\"no value for placeholder\" "
				    "name=\"%.*s\"", msgid, lang_tag(l),
				    (int)n, s);
				return MJ_EINTERNAL;
			}
			n = strlen(v);
		}
		if (len + n < len)
			return MJ_ETOOBIG;
		len += n;
	}
	if ((buf = malloc(len + 1)) == NULL)
		return MJ_ENOMEM;
	w = buf;
	for (t = tmpl; (k = next_tok(&t, &s, &n)) != TOK_END; ) {
		if (k == TOK_NAME) {
			s = lookup(s, n, count, args, nargs);
			n = strlen(s);
		}
		memcpy(w, s, n);
		w += n;
	}
	*w = '\0';
	*out = buf;
	return MJ_OK;
}

static enum mj_err
render(const struct catalog *c, enum lang l, const char *msgid,
    const long *count, const struct msg_arg *args, size_t nargs, char **out)
{
	const struct centry	*e;
	char			 num[32];
	int			 f = 0;

	if (out == NULL)
		return MJ_EINTERNAL;
	*out = NULL;
	if ((int)l < 0 || l >= LANG__COUNT) {
		log_err("catalog.render", "msgid=%s lang=%d err=\"bad lang\"",
		    msgid ? msgid : "-", (int)l);
		return MJ_EINTERNAL;
	}
	if (nargs > 0 && args == NULL) {
		log_err("catalog.render", "msgid=%s err=\"NULL args\"",
		    msgid ? msgid : "-");
		return MJ_EINTERNAL;
	}
	for (size_t i = 0; i < nargs; i++)
		if (args[i].name == NULL || args[i].value == NULL) {
			log_err("catalog.render", "msgid=%s err=\"NULL arg\" "
			    "i=%zu", msgid ? msgid : "-", i);
			return MJ_EINTERNAL;
		}
	if ((e = find(c, msgid)) == NULL)
		return MJ_ENOTFOUND;
	if (e->plural) {
		if (count == NULL) {
			log_err("catalog.render", "msgid=%s lang=%s "
			    "err=\"plural msgid without a count\"", msgid,
			    lang_tag(l));
			return MJ_EINTERNAL;
		}
		f = plural_index(l, *count);
		if (f >= e->nforms[l])	/* checked at load */
			return MJ_EINTERNAL;
	}
	if (count != NULL)
		snprintf(num, sizeof num, "%ld", *count);
	return expand(e->forms[l][f], msgid, l, count ? num : NULL, args,
	    nargs, out);
}

enum mj_err
catalog_render(const struct catalog *c, enum lang l, const char *msgid,
    const struct msg_arg *args, size_t nargs, char **out)
{
	return render(c, l, msgid, NULL, args, nargs, out);
}

enum mj_err
catalog_render_n(const struct catalog *c, enum lang l, const char *msgid,
    long n, const struct msg_arg *args, size_t nargs, char **out)
{
	return render(c, l, msgid, &n, args, nargs, out);
}

/* ---- dates ---- */

static int
days_in(int year, int month)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

enum mj_err
catalog_date(const struct catalog *c, enum lang l, int year, int month,
    int day, char *buf, size_t len)
{
	char		 key[16], ys[16], ds[16], *mname = NULL, *res = NULL;
	struct msg_arg	 args[3];
	enum mj_err	 rc;
	size_t		 n;

	if (buf == NULL || len == 0)
		return MJ_ETOOBIG;
	buf[0] = '\0';
	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > days_in(year, month))
		return MJ_EINPUT;
	snprintf(key, sizeof key, "month.%d", month);
	if ((rc = catalog_render(c, l, key, NULL, 0, &mname)) != MJ_OK)
		return rc;
	snprintf(ys, sizeof ys, "%d", year);
	snprintf(ds, sizeof ds, "%d", day);
	args[0] = (struct msg_arg){ "year", ys };
	args[1] = (struct msg_arg){ "month", mname };
	args[2] = (struct msg_arg){ "day", ds };
	rc = catalog_render(c, l, "date.format", args, 3, &res);
	free(mname);
	if (rc != MJ_OK)
		return rc;
	n = strlen(res);
	if (n >= len)
		rc = MJ_ETOOBIG;
	else
		memcpy(buf, res, n + 1);
	free(res);
	return rc;
}
