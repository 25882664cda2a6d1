/*
 * pg_tsquery.c - a help-desk search in FTS5's query syntax (what the
 * SQLite inbox hands to MATCH) turned into a PostgreSQL tsquery over
 * message_search's words (pg_helpdesk.h): phrases cut into words by
 * FTS5's own tokenizer (fts_tok.h), a trailing * a prefix, AND, OR, NOT
 * and parentheses as FTS5 reads them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/fts_tok.h"
#include "store/pg_helpdesk.h"

enum qtok { Q_END, Q_PHRASE, Q_AND, Q_OR, Q_NOT, Q_LP, Q_RP, Q_ERR };

struct qp {
	const char	*s;
	struct fts_tok	*tok;
	enum qtok	 t;		/* the token ahead */
	char		*phrase;	/* Q_PHRASE: its text, malloc'd */
	int		 star;		/* Q_PHRASE: a prefix */
	int		 after_phrase;	/* the last primary was a phrase */
	int		 err;		/* MJ_EINPUT or MJ_ENOMEM once failed */
};

/* FTS5's bareword characters. */
static int
bare(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_' || c == 0x1A;
}

static void
q_next(struct qp *p)
{
	const char	*s = p->s;
	size_t		 n = 0;

	free(p->phrase);
	p->phrase = NULL;
	p->star = 0;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '\0') {
		p->t = Q_END;
	} else if (*s == '(' || *s == ')') {
		p->t = *s == '(' ? Q_LP : Q_RP;
		s++;
	} else if (*s == '"') {
		const char	*e;

		if ((p->phrase = malloc(strlen(s))) == NULL) {
			p->err = MJ_ENOMEM;
			p->t = Q_ERR;
			return;
		}
		for (e = s + 1; *e != '\0'; e++) {
			if (*e == '"' && e[1] != '"')
				break;
			if (*e == '"')
				e++;
			p->phrase[n++] = *e;
		}
		p->phrase[n] = '\0';
		if (*e != '"') {
			p->t = Q_ERR;
			p->err = MJ_EINPUT;
			return;
		}
		s = e + 1;
		p->t = Q_PHRASE;
	} else if (bare((unsigned char)*s)) {
		while (bare((unsigned char)s[n]))
			n++;
		if ((n == 3 && strncmp(s, "AND", 3) == 0))
			p->t = Q_AND;
		else if (n == 2 && strncmp(s, "OR", 2) == 0)
			p->t = Q_OR;
		else if (n == 3 && strncmp(s, "NOT", 3) == 0)
			p->t = Q_NOT;
		else if (n == 4 && strncmp(s, "NEAR", 4) == 0 && s[4] == '(') {
			p->t = Q_ERR;
			p->err = MJ_EINPUT;
			return;
		} else if ((p->phrase = strndup(s, n)) == NULL) {
			p->err = MJ_ENOMEM;
			p->t = Q_ERR;
			return;
		} else
			p->t = Q_PHRASE;
		s += n;
	} else {
		p->t = Q_ERR;
		p->err = MJ_EINPUT;
		return;
	}
	if (p->t == Q_PHRASE) {
		const char	*a = s;

		while (*a == ' ' || *a == '\t')
			a++;
		if (*a == '*') {
			p->star = 1;
			s = a + 1;
		}
	}
	p->s = s;
}

/* a, op, b joined: "(a op b)"; NULL when out of memory. */
static char *
join(const char *a, const char *op, const char *b)
{
	size_t	 n = strlen(a) + strlen(op) + strlen(b) + 3;
	char	*s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "(%s%s%s)", a, op, b);
	return s;
}

/*
 * Join l and r (either NULL: a phrase without words, which FTS5 leaves
 * out); l and r are freed.  For NOT an empty right side leaves l, an
 * empty left side nothing.
 */
static char *
q_join(struct qp *p, char *l, const char *op, char *r, int not)
{
	char	*s;

	if (l == NULL || r == NULL) {
		s = l != NULL ? l : not ? NULL : r;
		free(s == l ? r : l);
		return s;
	}
	if ((s = join(l, op, r)) == NULL)
		p->err = MJ_ENOMEM;
	free(l);
	free(r);
	return s;
}

struct lexemes {
	char	*s;
	size_t	 n, cap;
	int	 count, oom;
};

static int
lex_add(void *arg, const char *tok, size_t n)
{
	struct lexemes	*x = arg;
	size_t		 need = x->n + 2 * n + 16;

	if (need > x->cap) {
		char	*s = realloc(x->s, need * 2);

		if (s == NULL) {
			x->oom = 1;
			return 1;
		}
		x->s = s;
		x->cap = need * 2;
	}
	if (x->count++ > 0) {
		memcpy(x->s + x->n, " <-> ", 5);
		x->n += 5;
	}
	x->s[x->n++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (tok[i] == '\'' || tok[i] == '\\')
			x->s[x->n++] = tok[i];
		x->s[x->n++] = tok[i];
	}
	x->s[x->n++] = '\'';
	x->s[x->n] = '\0';
	return 0;
}

/* The phrase ahead: its words one after the other; NULL: none. */
static char *
q_phrase(struct qp *p)
{
	struct lexemes	x = { NULL, 0, 0, 0, 0 };
	char		*s;
	enum mj_err	 rc;

	rc = fts_tok_each(p->tok, p->phrase, strlen(p->phrase), lex_add, &x);
	if (rc != MJ_OK || x.oom) {
		p->err = rc == MJ_OK ? MJ_ENOMEM : rc;
		free(x.s);
		return NULL;
	}
	if (x.count == 0)
		return NULL;
	if ((s = malloc(x.n + 8)) == NULL) {
		p->err = MJ_ENOMEM;
		free(x.s);
		return NULL;
	}
	snprintf(s, x.n + 8, "%s%s%s%s", x.count > 1 ? "(" : "", x.s,
	    p->star ? ":*" : "", x.count > 1 ? ")" : "");
	free(x.s);
	return s;
}

static char	*q_or(struct qp *);

static char *
q_primary(struct qp *p)
{
	char	*s;

	p->after_phrase = p->t == Q_PHRASE;
	if (p->t == Q_PHRASE) {
		s = q_phrase(p);
		q_next(p);
		return s;
	}
	if (p->t == Q_LP) {
		q_next(p);
		s = q_or(p);
		if (p->t != Q_RP) {
			if (p->err == 0)
				p->err = MJ_EINPUT;
			free(s);
			return NULL;
		}
		q_next(p);
		p->after_phrase = 0;
		return s;
	}
	if (p->err == 0)
		p->err = MJ_EINPUT;
	return NULL;
}

static char *
q_not(struct qp *p)
{
	char	*l = q_primary(p);

	while (p->err == 0 && p->t == Q_NOT) {
		q_next(p);
		l = q_join(p, l, " & !", q_primary(p), 1);
	}
	return l;
}

static char *
q_and(struct qp *p)
{
	char	*l = q_not(p);

	/* FTS5 ANDs two phrases side by side, never a parenthesis. */
	while (p->err == 0 && (p->t == Q_AND || (p->t == Q_PHRASE &&
	    p->after_phrase))) {
		if (p->t == Q_AND)
			q_next(p);
		l = q_join(p, l, " & ", q_not(p), 0);
	}
	return l;
}

static char *
q_or(struct qp *p)
{
	char	*l = q_and(p);

	while (p->err == 0 && p->t == Q_OR) {
		q_next(p);
		l = q_join(p, l, " | ", q_and(p), 0);
	}
	return l;
}

enum mj_err
pg_tsquery(struct fts_tok *tok, const char *q, char **out)
{
	struct qp	 p = { .s = q, .tok = tok };
	char		*s;

	*out = NULL;
	q_next(&p);
	s = q_or(&p);
	if (p.err == 0 && p.t != Q_END)
		p.err = MJ_EINPUT;
	free(p.phrase);
	if (p.err != 0) {
		free(s);
		return (enum mj_err)p.err;
	}
	if (s == NULL && (s = strdup("")) == NULL)
		return MJ_ENOMEM;
	*out = s;
	return MJ_OK;
}
