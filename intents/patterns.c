/*
 * patterns.c - read, check and compile the pattern files; index trigger
 * words, evidence words and number words in one hash table keyed by the
 * folded word.  See patterns.h for the file format.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lang.h"
#include "base/log.h"
#include "intents/intent.h"
#include "intents/normalize.h"
#include "intents/patterns.h"
#include "intents/utf8.h"

#define MAX_LINE	4096
#define MAX_KEY		48	/* bytes of a trigger or word */

const char *const pat_program_names[PAT_NPROGRAMS + 1] = {
	"child_allowance", "material_aid", "social_registry", "disability",
	"youth_register", "women_register", "pension", NULL
};

struct pat_set {
	struct pat	*pats;
	size_t		 npats, patcap;
	struct pat_key	*keys;		/* open addressing, nslots a power of 2 */
	size_t		 nslots, nkeys;
	size_t		 maxkey;	/* longest key, bytes */
	int		*always;
	size_t		 nalways, alwayscap;
};

static unsigned long long
fnv_step(unsigned long long h, unsigned char c)
{
	return (h ^ c) * 0x100000001b3ULL;
}

#define FNV_INIT 0xcbf29ce484222325ULL

enum mj_err
pat_fold(const char *s, size_t len, char *out, size_t cap, size_t *outlen,
    unsigned *ncyr, unsigned *nlatn)
{
	struct norm_info ni;
	enum mj_err	 rc;
	size_t		 n, i = 0, o = 0;

	if ((rc = normalize_text(s, len, out, cap, &n, &ni)) != MJ_OK)
		return rc;
	while (i < n) {
		size_t		k = i;
		uint32_t	c = utf8_next(out, n, &k);

		if (c == UTF8_OKINA || c == UTF8_TUTUQ) {
			i = k;
			continue;
		}
		while (i < k)
			out[o++] = out[i++];
	}
	out[o] = '\0';
	*outlen = o;
	if (ncyr != NULL)
		*ncyr = ni.cyr;
	if (nlatn != NULL)
		*nlatn = ni.latn;
	return MJ_OK;
}

/* ---- hash ------------------------------------------------------------- */

static struct pat_key *
key_slot(const struct pat_set *ps, const char *s, size_t n,
    unsigned long long h)
{
	size_t	mask = ps->nslots - 1;

	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct pat_key	*k = &ps->keys[i];

		if (k->s == NULL)
			return k;
		if (k->h == h && k->len == n && memcmp(k->s, s, n) == 0)
			return k;
	}
}

static unsigned long long
hash_bytes(const char *s, size_t n)
{
	unsigned long long	h = FNV_INIT;

	for (size_t i = 0; i < n; i++)
		h = fnv_step(h, (unsigned char)s[i]);
	return h;
}

static int
grow(struct pat_set *ps)
{
	size_t		 nn = ps->nslots ? ps->nslots * 2 : 1024;
	struct pat_key	*old = ps->keys, *nk = calloc(nn, sizeof *nk);
	size_t		 on = ps->nslots;

	if (nk == NULL)
		return 0;
	ps->keys = nk;
	ps->nslots = nn;
	for (size_t i = 0; i < on; i++)
		if (old[i].s != NULL)
			*key_slot(ps, old[i].s, old[i].len, old[i].h) = old[i];
	free(old);
	return 1;
}

/* The key for s (folded), created when new; NULL when out of memory. */
static struct pat_key *
key_get(struct pat_set *ps, const char *s, size_t n)
{
	unsigned long long	 h = hash_bytes(s, n);
	struct pat_key		*k;
	char			*dup;

	if ((ps->nkeys + 1) * 2 > ps->nslots && !grow(ps))
		return NULL;
	k = key_slot(ps, s, n, h);
	if (k->s != NULL)
		return k;
	if ((dup = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(dup, s, n);
	dup[n] = '\0';
	memset(k, 0, sizeof *k);
	k->s = dup;
	k->len = n;
	k->h = h;
	ps->nkeys++;
	if (n > ps->maxkey)
		ps->maxkey = n;
	return k;
}

void
pat_keys_of_word(const struct pat_set *ps, const char *w, size_t n,
    void (*fn)(const struct pat_key *, int, void *), void *arg)
{
	unsigned long long	h = FNV_INIT;
	size_t			lim = n < ps->maxkey ? n : ps->maxkey;

	if (ps->nslots == 0)
		return;
	for (size_t i = 0; i < lim; i++) {
		struct pat_key	*k;

		h = fnv_step(h, (unsigned char)w[i]);
		/* Only at a character boundary. */
		if (i + 1 < n && ((unsigned char)w[i + 1] & 0xC0) == 0x80)
			continue;
		k = key_slot(ps, w, i + 1, h);
		if (k->s != NULL)
			fn(k, i + 1 == n, arg);
	}
}

const struct pat_key *
pat_key_find(const struct pat_set *ps, const char *w, size_t n)
{
	struct pat_key	*k;

	if (ps->nslots == 0 || n > ps->maxkey)
		return NULL;
	k = key_slot(ps, w, n, hash_bytes(w, n));
	return k->s != NULL ? k : NULL;
}

size_t
pat_count(const struct pat_set *ps)
{
	return ps->npats;
}

const struct pat *
pat_get(const struct pat_set *ps, size_t i)
{
	return &ps->pats[i];
}

const int *
pat_always(const struct pat_set *ps, size_t *n)
{
	*n = ps->nalways;
	return ps->always;
}

void
pat_free(struct pat_set *ps)
{
	if (ps == NULL)
		return;
	for (size_t i = 0; i < ps->npats; i++)
		pcre2_code_free(ps->pats[i].re);
	free(ps->pats);
	for (size_t i = 0; i < ps->nslots; i++) {
		free((char *)(uintptr_t)ps->keys[i].s);
		free(ps->keys[i].pats);
	}
	free(ps->keys);
	free(ps->always);
	free(ps);
}

/* ---- loading ---------------------------------------------------------- */

struct loader {
	struct pat_set	*ps;
	const char	*path;
	unsigned	 line;
	enum pat_lang	 lang;
	char		*where;
	size_t		 wherelen;
	/* Patterns of this load before sorting, with their keys' ids. */
};

static enum mj_err
fail(struct loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum mj_err
fail(struct loader *ld, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (ld->wherelen == 0)
		return MJ_ECONFIG;
	n = snprintf(ld->where, ld->wherelen, "%s:%u: ", ld->path, ld->line);
	if (n >= 0 && (size_t)n < ld->wherelen) {
		va_start(ap, fmt);
		vsnprintf(ld->where + n, ld->wherelen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MJ_ECONFIG;
}

/* Next whitespace-separated field of *p, NUL-terminated in place. */
static char *
field(char **p)
{
	char	*s = *p, *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return NULL;
	e = s;
	while (*e != '\0' && *e != ' ' && *e != '\t')
		e++;
	if (*e != '\0')
		*e++ = '\0';
	*p = e;
	return s;
}

/* Fold one word or trigger into buf; 0 when it is empty or too long. */
static int
fold_word(struct loader *ld, const char *w, char *buf, size_t cap,
    size_t *n, enum mj_err *rc)
{
	*rc = pat_fold(w, strlen(w), buf, cap, n, NULL, NULL);
	if (*rc == MJ_EINPUT) {
		*rc = fail(ld, "\"%s\": not valid UTF-8", w);
		return 0;
	}
	if (*rc != MJ_OK || *n == 0 || *n > MAX_KEY) {
		*rc = fail(ld, "\"%s\": empty or longer than %d bytes", w,
		    MAX_KEY);
		return 0;
	}
	return 1;
}

static enum mj_err
directive(struct loader *ld, char *rest, const char *name)
{
	char		*arg = field(&rest), *w, *end;
	double		 v;
	int		 nwords = 0;

	if (arg == NULL)
		return fail(ld, "%s: missing value", name);
	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || *end != '\0' || v < 0 || v > 1e12)
		return fail(ld, "%s: bad value \"%s\"", name, arg);
	if (strcmp(name, "@words") == 0 && (ld->lang == PL_COMMON ||
	    v < 1 || v > 10))
		return fail(ld, "@words: weight 1..10, and not in common.txt");
	while ((w = field(&rest)) != NULL) {
		char		 buf[6 * MAX_KEY + 1];
		size_t		 n, wl = strlen(w);
		int		 pref = wl > 1 && w[wl - 1] == '*';
		enum mj_err	 rc;
		struct pat_key	*k;

		if (w[0] == '#')
			break;
		if (pref)
			w[wl - 1] = '\0';
		if (!fold_word(ld, w, buf, sizeof buf, &n, &rc))
			return rc;
		if ((k = key_get(ld->ps, buf, n)) == NULL)
			return MJ_ENOMEM;
		if (strcmp(name, "@words") == 0) {
			if (pref)
				k->w_prefix[ld->lang] = (short)v;
			else
				k->w_exact[ld->lang] = (short)v;
		} else if (strcmp(name, "@number") == 0) {
			k->num = v;
			k->has_num = 1;
			k->num_prefix = (unsigned char)pref;
			k->plang_num = (unsigned char)ld->lang;
		} else {
			if (v < 2)
				return fail(ld, "@scale: factor must be 2 or more");
			k->scale = v;
			k->scale_prefix = (unsigned char)pref;
		}
		nwords++;
	}
	if (nwords == 0)
		return fail(ld, "%s: no words", name);
	return MJ_OK;
}

static int
add_int(int **v, size_t *n, size_t *cap, int x)
{
	if (*n == *cap) {
		size_t	 nc = *cap ? *cap * 2 : 8;
		int	*nv = realloc(*v, nc * sizeof *nv);

		if (nv == NULL)
			return 0;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = x;
	return 1;
}

static enum mj_err
parse_what(struct loader *ld, const char *what, struct pat *p)
{
	int	v;

	if (strncmp(what, "program:", 8) == 0) {
		for (v = 0; v < PAT_NPROGRAMS; v++)
			if (strcmp(what + 8, pat_program_names[v]) == 0)
				break;
		if (v == PAT_NPROGRAMS)
			return fail(ld, "unknown program \"%s\"", what + 8);
		p->kind = PAT_PROGRAM;
	} else if (strncmp(what, "choice:", 7) == 0) {
		if (strcmp(what + 7, "uz") == 0)
			v = PAT_CHOICE_UZ;
		else if ((v = lang_from_tag(what + 7)) < 0)
			return fail(ld, "unknown language \"%s\"", what + 7);
		p->kind = PAT_CHOICE;
	} else {
		if ((v = intent_from_name(what)) < 0)
			return fail(ld, "unknown intent \"%s\"", what);
		p->kind = PAT_INTENT;
	}
	p->value = v;
	return MJ_OK;
}

static enum mj_err
pattern_line(struct loader *ld, char *rest)
{
	struct pat_set	*ps = ld->ps;
	char		*what = field(&rest), *prio = field(&rest);
	char		*trig = field(&rest), *re, *hash, *end;
	char		 rebuf[MAX_LINE];
	struct pat	 p;
	size_t		 rl, o = 0, id = ps->npats;
	long		 pr;
	int		 err;
	PCRE2_SIZE	 off;
	enum mj_err	 rc;

	memset(&p, 0, sizeof p);
	if (what == NULL || prio == NULL || trig == NULL)
		return fail(ld, "want: what priority triggers regex  # comment");
	if ((rc = parse_what(ld, what, &p)) != MJ_OK)
		return rc;
	errno = 0;
	pr = strtol(prio, &end, 10);
	if (errno != 0 || *end != '\0' || pr < 0 || pr > 1000)
		return fail(ld, "priority \"%s\" is not 0..1000", prio);
	p.prio = (int)pr;
	p.lang = ld->lang;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	re = rest;
	/* The comment starts at the first " #"; write \x23 for a # in a
	 * regex that follows a space. */
	hash = strstr(re, " #");
	if (hash == NULL || hash == re)
		return fail(ld, hash == re ? "missing regex" :
		    "missing comment (\"  # why\") after the regex");
	rl = (size_t)(hash - re);
	while (rl > 0 && (re[rl - 1] == ' ' || re[rl - 1] == '\t'))
		rl--;
	/* Drop apostrophes: text is matched without them. */
	for (size_t i = 0; i < rl;) {
		size_t		k = i;
		uint32_t	c = utf8_next(re, rl, &k);

		if (c == '\'' || c == 0x2BB || c == 0x2BC || c == 0x2018 ||
		    c == 0x2019 || c == '`') {
			i = k;
			continue;
		}
		while (i < k)
			rebuf[o++] = re[i++];
	}
	rebuf[o] = '\0';
	p.re = pcre2_compile((PCRE2_SPTR)rebuf, o,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &err, &off, NULL);
	if (p.re == NULL) {
		PCRE2_UCHAR	msg[256];

		pcre2_get_error_message(err, msg, sizeof msg);
		return fail(ld, "regex: %s at offset %zu", (char *)msg,
		    (size_t)off);
	}
	if ((err = pcre2_jit_compile(p.re, PCRE2_JIT_COMPLETE)) != 0) {
		PCRE2_UCHAR	msg[256];

		pcre2_get_error_message(err, msg, sizeof msg);
		log_warn("intents.nojit", "file=%s line=%u err=\"%s\"",
		    ld->path, ld->line, (char *)msg);
	}
	if (ps->npats == ps->patcap) {
		size_t		 nc = ps->patcap ? ps->patcap * 2 : 64;
		struct pat	*np = realloc(ps->pats, nc * sizeof *np);

		if (np == NULL) {
			pcre2_code_free(p.re);
			return MJ_ENOMEM;
		}
		ps->pats = np;
		ps->patcap = nc;
	}
	ps->pats[ps->npats++] = p;

	/* Triggers. */
	for (char *t = trig, *comma; t != NULL; t = comma) {
		char		 buf[6 * MAX_KEY + 1];
		size_t		 n;
		struct pat_key	*k;

		if ((comma = strchr(t, ',')) != NULL)
			*comma++ = '\0';
		if (strcmp(t, "*") == 0) {
			if (!add_int(&ps->always, &ps->nalways, &ps->alwayscap,
			    (int)id))
				return MJ_ENOMEM;
			continue;
		}
		if (!fold_word(ld, t, buf, sizeof buf, &n, &rc))
			return rc;
		if ((k = key_get(ps, buf, n)) == NULL)
			return MJ_ENOMEM;
		if (k->npats == 0 || k->pats[k->npats - 1] != (int)id)
			if (!add_int(&k->pats, &k->npats, &k->patcap, (int)id))
				return MJ_ENOMEM;
	}
	return MJ_OK;
}

static enum mj_err
load_file(struct loader *ld)
{
	FILE		*f = fopen(ld->path, "r");
	char		 line[MAX_LINE];
	enum mj_err	 rc = MJ_OK;

	ld->line = 0;
	if (f == NULL)
		return fail(ld, "cannot open: %s", strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		size_t	 n = strlen(line);
		char	*p = line, *first;

		ld->line++;
		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
			rc = fail(ld, "line longer than %d bytes", MAX_LINE - 2);
			break;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (memchr(line, '\0', n) != NULL || strlen(line) != n) {
			rc = fail(ld, "NUL byte");
			break;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		if (*p == '@') {
			first = field(&p);
			if (strcmp(first, "@words") != 0 &&
			    strcmp(first, "@number") != 0 &&
			    strcmp(first, "@scale") != 0) {
				rc = fail(ld, "unknown directive \"%s\"", first);
				break;
			}
			rc = directive(ld, p, first);
		} else {
			rc = pattern_line(ld, p);
		}
		if (rc != MJ_OK)
			break;
	}
	if (rc == MJ_OK && ferror(f))
		rc = fail(ld, "read error");
	fclose(f);
	return rc;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort by priority, highest first, keeping file order; renumber keys. */
static enum mj_err
sort_patterns(struct pat_set *ps)
{
	size_t		 n = ps->npats;
	int		*order, *newid;
	struct pat	*np;

	if (n == 0)
		return MJ_OK;
	order = malloc(n * sizeof *order);
	newid = malloc(n * sizeof *newid);
	np = malloc(n * sizeof *np);
	if (order == NULL || newid == NULL || np == NULL) {
		free(order);
		free(newid);
		free(np);
		return MJ_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (int)i;
	/* Insertion sort: stable, and n is a few hundred. */
	for (size_t i = 1; i < n; i++) {
		int	x = order[i];
		size_t	j = i;

		while (j > 0 && ps->pats[order[j - 1]].prio < ps->pats[x].prio) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	for (size_t i = 0; i < n; i++) {
		np[i] = ps->pats[order[i]];
		newid[order[i]] = (int)i;
	}
	free(ps->pats);
	ps->pats = np;
	ps->patcap = n;
	for (size_t i = 0; i < ps->nslots; i++)
		for (size_t j = 0; j < ps->keys[i].npats; j++)
			ps->keys[i].pats[j] = newid[ps->keys[i].pats[j]];
	for (size_t j = 0; j < ps->nalways; j++)
		ps->always[j] = newid[ps->always[j]];
	free(order);
	free(newid);
	return MJ_OK;
}

enum mj_err
pat_load(struct pat_set **out, const char *dir, char *where, size_t wherelen)
{
	struct loader	 ld;
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL;
	size_t		 nnames = 0, cap = 0;
	enum mj_err	 rc = MJ_OK;

	*out = NULL;
	if (wherelen > 0)
		where[0] = '\0';
	memset(&ld, 0, sizeof ld);
	ld.where = where;
	ld.wherelen = wherelen;
	ld.path = dir;
	if ((d = opendir(dir)) == NULL)
		return fail(&ld, "cannot open directory: %s", strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t	n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".txt") != 0 ||
		    de->d_name[0] == '.')
			continue;
		if (nnames == cap) {
			size_t	  nc = cap ? cap * 2 : 8;
			char	**nn = realloc(names, nc * sizeof *nn);

			if (nn == NULL) {
				rc = MJ_ENOMEM;
				break;
			}
			names = nn;
			cap = nc;
		}
		if ((names[nnames] = strdup(de->d_name)) == NULL) {
			rc = MJ_ENOMEM;
			break;
		}
		nnames++;
	}
	closedir(d);
	if (rc == MJ_OK && nnames == 0)
		rc = fail(&ld, "no pattern files (*.txt)");
	if (rc == MJ_OK)
		qsort(names, nnames, sizeof *names, cmp_name);
	if (rc == MJ_OK && (ld.ps = calloc(1, sizeof *ld.ps)) == NULL)
		rc = MJ_ENOMEM;
	for (size_t i = 0; rc == MJ_OK && i < nnames; i++) {
		char	path[4096];
		char	stem[64];
		size_t	sl = strlen(names[i]) - 4;
		int	l;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		ld.path = path;
		ld.line = 0;
		snprintf(stem, sizeof stem, "%.*s", (int)(sl < 63 ? sl : 63),
		    names[i]);
		if (strcmp(stem, "common") == 0)
			ld.lang = PL_COMMON;
		else if ((l = lang_from_tag(stem)) == LANG_RU)
			ld.lang = PL_RU;
		else if (l == LANG_EN)
			ld.lang = PL_EN;
		else if (l == LANG_UZ_LATN)
			ld.lang = PL_UZ;
		else {
			rc = fail(&ld, "file name must be common, uz, ru or en");
			break;
		}
		rc = load_file(&ld);
		if (rc == MJ_ENOMEM && wherelen > 0)
			snprintf(where, wherelen, "%s: out of memory", path);
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	if (rc == MJ_OK)
		rc = sort_patterns(ld.ps);
	if (rc != MJ_OK) {
		pat_free(ld.ps);
		return rc;
	}
	*out = ld.ps;
	return MJ_OK;
}
