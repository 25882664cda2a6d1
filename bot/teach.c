/*
 * teach.c - agents' labels as training data (see teach.h): the labels an
 * agent may give, the scrub that replaces personal data by placeholders of
 * the same shape, the corpus writer and `murojaat corpus export`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/lang.h"
#include "base/log.h"
#include "base/mask.h"
#include "bot/teach.h"
#include "intents/entities.h"
#include "store/helpdesk.h"

#define EXPORT_MAX	1000000		/* labels written at the most */

const char *
teach_label_at(size_t i)
{
	if (i + 1 < (size_t)INTENT__COUNT)
		return intent_name((enum intent)(i + 1));
	if (i + 1 == (size_t)INTENT__COUNT)
		return TEACH_OFF_TOPIC;
	return NULL;
}

int
teach_label_ok(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, TEACH_OFF_TOPIC) == 0)
		return 1;
	return intent_from_name(name) > INTENT_UNKNOWN;
}

/* ---- the scrub */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_ascii_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Between the digit groups of one number: "90 123-45-67", "(90) 123". */
static int
is_sep(char c)
{
	return c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' ||
	    c == '/';
}

/*
 * "ar", "AR" or Cyrillic "ар"/"АР" ending just before t[end] (after at
 * most three separators, "#" or "№" among them): an application prefix.
 */
static int
app_prefix(const char *t, size_t end)
{
	size_t	k = end;
	int	seps = 0;

	while (k > 0 && seps < 3 && (is_sep(t[k - 1]) || t[k - 1] == '#')) {
		k--;
		seps++;
	}
	if (k >= 3 && memcmp(t + k - 3, "\xe2\x84\x96", 3) == 0)	/* № */
		k -= 3;
	while (k > 0 && t[k - 1] == ' ')
		k--;
	if (k >= 2 && (t[k - 2] == 'a' || t[k - 2] == 'A') &&
	    (t[k - 1] == 'r' || t[k - 1] == 'R'))
		return k == 2 || !is_ascii_alnum(t[k - 3]);
	if (k >= 4 && (memcmp(t + k - 4, "\xd0\xb0\xd1\x80", 4) == 0 ||
	    memcmp(t + k - 4, "\xd0\x90\xd0\xa0", 4) == 0))
		return 1;
	return 0;
}

enum kind { K_NONE, K_APP, K_PINFL, K_PHONE, K_LOCAL, K_OTHER };

static enum kind
classify(const char *d, size_t nd, int prefixed)
{
	int	year = nd >= 4 && d[0] == '2' && d[1] == '0';

	if (year && ((prefixed && nd >= 5 && nd <= 10) || nd == 10))
		return K_APP;
	if (nd == 14)
		return K_PINFL;
	if (nd == 12 && memcmp(d, "998", 3) == 0)
		return K_PHONE;
	if (nd == 9 && ent_operator_ok(d))
		return K_LOCAL;
	return nd >= 10 ? K_OTHER : K_NONE;
}

/* The k-th of nd digits of a placeholder of kind. */
static char
placeholder_digit(enum kind kind, size_t k, size_t nd)
{
	switch (kind) {
	case K_APP:		/* year 2000, serial 0...01 */
		return k == 0 ? '2' : k == nd - 1 ? '1' : '0';
	case K_PINFL:
		return k == 0 ? TEACH_PINFL[0] : '0';
	case K_PHONE:		/* 998 90 000 00 00 */
		return k < 3 ? "998"[k] : k < 5 ? "90"[k - 3] : '0';
	case K_LOCAL:		/* 90 000 00 00 */
		return k < 2 ? "90"[k] : '0';
	default:
		return '0';
	}
}

/*
 * What base/mask.c recognises that the scrub's own classes do not: a
 * passport (two letters and seven digits) becomes zeros.  The rest of the
 * masking table does not fit a corpus: it would blank amounts and dates
 * ("3 000 000 so'm", "15.03.2025"), which the model reads, and
 * application numbers, which become a placeholder here.
 */
struct passports {
	const char	*text;
	char		*out;
	int		 changed;
};

static int
passport_zero(void *arg, enum mask_kind kind, size_t first, size_t last)
{
	struct passports	*x = arg;

	if (kind != MASK_PASSPORT)
		return 0;
	for (size_t j = first; j <= last; j++)
		if (is_digit(x->text[j]))
			x->out[j] = '0';
	x->changed = 1;
	return 0;
}

char *
teach_scrub(const char *text, int *changed)
{
	size_t	 n = strlen(text), i = 0;
	char	*out;

	*changed = 0;
	if ((out = strdup(text)) == NULL)
		return NULL;
	while (i < n) {
		char		digits[32];
		size_t		end, nd = 0, last = i;
		enum kind	kind;
		int		glued;

		if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) {
			i++;
			continue;
		}
		/* Glued to a word ("pinfl3123...") it is no entity, but long
		 * digits are personal all the same. */
		glued = i > 0 && is_ascii_alnum(text[i - 1]) &&
		    !app_prefix(text, i);
		/* Digits, up to two separators between groups. */
		for (end = i; end < n; ) {
			size_t s = 0;

			if (is_digit(text[end])) {
				if (nd < sizeof(digits))
					digits[nd] = text[end];
				nd++;
				last = end++;
				continue;
			}
			while (s < 2 && end + s < n && is_sep(text[end + s]))
				s++;
			if (s == 0 || end + s >= n || !is_digit(text[end + s]))
				break;
			end += s;
		}
		if (glued)
			kind = nd >= 9 ? K_OTHER : K_NONE;
		else
			kind = nd <= sizeof(digits) ? classify(digits, nd,
			    app_prefix(text, i)) : K_OTHER;
		/* A number that runs on into a word is a code, not ours. */
		if (kind != K_NONE && kind != K_OTHER && last + 1 < n &&
		    is_ascii_alnum(text[last + 1]))
			kind = K_OTHER;
		if (kind != K_NONE) {
			size_t k = 0;

			for (size_t j = i; j <= last; j++)
				if (is_digit(text[j]))
					out[j] = placeholder_digit(kind, k++, nd);
			*changed = 1;
		}
		i = last + 1;
	}
	{
		struct passports x = { text, out, 0 };

		mask_each(text, passport_zero, &x);
		*changed |= x.changed;
	}
	return out;
}

/* ---- the corpus writer */

struct row {
	int64_t	 id;
	char	*text, *lang, *intent;
};

struct rows {
	struct row	*v;
	size_t		 n, cap;
	int		 err;		/* MJ_ENOMEM, MJ_ETOOBIG */
};

static void
rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].text);
		free(r->v[i].lang);
		free(r->v[i].intent);
	}
	free(r->v);
}

/* Copy each label out, so the store's lock is not held while we work. */
static int
collect(void *arg, const struct hd_labelled *l)
{
	struct rows	*r = arg;
	struct row	*x;

	if (r->n == EXPORT_MAX) {
		r->err = MJ_ETOOBIG;
		return 1;
	}
	if (r->n == r->cap) {
		size_t		 cap = r->cap == 0 ? 256 : r->cap * 2;
		struct row	*v = realloc(r->v, cap * sizeof(*v));

		if (v == NULL) {
			r->err = MJ_ENOMEM;
			return 1;
		}
		r->v = v;
		r->cap = cap;
	}
	x = &r->v[r->n];
	x->id = l->id;
	x->text = strdup(l->body);
	x->lang = strdup(l->lang);
	x->intent = strdup(l->intent);
	if (x->text == NULL || x->lang == NULL || x->intent == NULL) {
		free(x->text);
		free(x->lang);
		free(x->intent);
		r->err = MJ_ENOMEM;
		return 1;
	}
	r->n++;
	return 0;
}

/* One line, trimmed: tabs and line breaks become spaces. */
static void
one_line(char *s)
{
	size_t	n, i = 0;

	for (char *p = s; *p != '\0'; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	while (s[i] == ' ')
		i++;
	memmove(s, s + i, n - i + 1);
}

/* The entities column as the corpus spells it (intents_tsv.h's order). */
static void
entities(const struct nlu_result *r, const char *intent, char *buf,
    size_t len)
{
	size_t	o = 0;

#define ADD(...) do {							\
	int n_ = snprintf(buf + o, len - o, __VA_ARGS__);		\
	if (n_ > 0 && (size_t)n_ < len - o)				\
		o += (size_t)n_;					\
} while (0)
	buf[0] = '\0';
	if (r->app_no[0] != '\0')
		ADD("%sapp_no=%s", o ? ";" : "", r->app_no);
	if (r->pinfl[0] != '\0')
		ADD("%spinfl=%s", o ? ";" : "", r->pinfl);
	if (r->phone[0] != '\0')
		ADD("%sphone=%s", o ? ";" : "", r->phone);
	if (r->program[0] != '\0')
		ADD("%sprogram=%s", o ? ";" : "", r->program);
	if (r->has_number)
		ADD("%snumber=%.15g", o ? ";" : "", r->number);
	if (strcmp(intent, "language_change") == 0 && r->lang_choice >= 0 &&
	    r->lang_choice < LANG__COUNT)
		ADD("%schoice=%s", o ? ";" : "",
		    lang_tag((enum lang)r->lang_choice));
#undef ADD
}

/* Whether nl still finds personal data other than the placeholders. */
static int
leaks(const struct nlu_result *r)
{
	return (r->app_no[0] != '\0' && strcmp(r->app_no, TEACH_APP_NO) != 0) ||
	    (r->pinfl[0] != '\0' && strcmp(r->pinfl, TEACH_PINFL) != 0) ||
	    (r->phone[0] != '\0' && strcmp(r->phone, TEACH_PHONE) != 0);
}

enum mj_err
teach_export(struct store *st, const struct nlu *nl, FILE *f,
    struct teach_export_stats *out)
{
	struct rows	rows = { 0 };
	enum mj_err	rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_hd_labelled(st, collect, &rows)) == MJ_OK &&
	    rows.err != 0)
		rc = (enum mj_err)rows.err;
	if (rc != MJ_OK) {
		rows_free(&rows);
		return rc;
	}
	fprintf(f, "# help-desk labels: text<TAB>lang<TAB>intent<TAB>"
	    "entities; phones, PINFLs and application numbers replaced\n");
	for (size_t i = 0; i < rows.n; i++) {
		const struct row	*x = &rows.v[i];
		struct nlu_result	 r;
		char			*text, ents[256] = "";
		int			 changed, l = lang_from_tag(x->lang);

		if ((text = teach_scrub(x->text, &changed)) == NULL) {
			rc = MJ_ENOMEM;
			break;
		}
		one_line(text);
		if (text[0] == '\0' || strlen(text) > NLU_MAX_TEXT) {
			out->skipped++;
			free(text);
			continue;
		}
		if (nl != NULL) {
			if (nlu_understand(nl, text, strlen(text), &r) != MJ_OK ||
			    leaks(&r)) {
				log_warn("teach.skip", "message=%lld why=\"%s\"",
				    (long long)x->id, "personal data the scrub "
				    "did not replace, or not understood");
				out->skipped++;
				free(text);
				continue;
			}
			entities(&r, x->intent, ents, sizeof(ents));
		}
		fprintf(f, "%s\t%s\t%s\t%s\n", text, l >= 0 ?
		    lang_tag((enum lang)l) : "-", x->intent, ents);
		out->written++;
		free(text);
	}
	rows_free(&rows);
	if (rc == MJ_OK && (fflush(f) != 0 || ferror(f))) {
		log_err("teach.write", "err=\"%s\"", "cannot write the corpus");
		rc = MJ_EINTERNAL;
	}
	return rc;
}

/* ---- murojaat corpus export [--out FILE] */

int
teach_cmd_corpus(const struct conf *c, int argc, char **argv)
{
	const char			*path = NULL;
	char				 tmp[1100], where[1024];
	struct store			*st = NULL;
	struct nlu			*nl = NULL;
	struct teach_export_stats	 s;
	FILE				*f = stdout;
	enum mj_err			 rc;

	if (argc < 1 || strcmp(argv[0], "export") != 0 || (argc != 1 &&
	    !(argc == 3 && strcmp(argv[1], "--out") == 0))) {
		fprintf(stderr, "usage: murojaat corpus export [--out FILE]\n");
		return 2;
	}
	if (argc == 3)
		path = argv[2];
	if (nlu_load(&nl, c->intents_dir, where, sizeof(where)) != MJ_OK) {
		fprintf(stderr, "murojaat: %s\n", where);
		return 1;
	}
	if (store_open(&st, conf_store(c)) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot open the database %s (see the "
		    "log line above)\n", conf_store_name(c));
		nlu_free(nl);
		return 1;
	}
	if (path != NULL) {
		/* Written beside, then renamed: a reader never sees half. */
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		if ((f = fopen(tmp, "w")) == NULL) {
			fprintf(stderr, "murojaat: cannot write %s\n", tmp);
			store_close(st);
			nlu_free(nl);
			return 1;
		}
	}
	rc = teach_export(st, nl, f, &s);
	if (path != NULL) {
		if (fclose(f) != 0 && rc == MJ_OK)
			rc = MJ_EINTERNAL;
		if (rc == MJ_OK && rename(tmp, path) != 0)
			rc = MJ_EINTERNAL;
		if (rc != MJ_OK)
			unlink(tmp);
	}
	store_close(st);
	nlu_free(nl);
	if (rc != MJ_OK) {
		fprintf(stderr, "murojaat: corpus export: %s\n",
		    mj_strerror(rc));
		return 1;
	}
	fprintf(stderr, "murojaat: %zu labelled messages written, %zu left "
	    "out\n", s.written, s.skipped);
	return 0;
}
