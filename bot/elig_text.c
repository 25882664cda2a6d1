/*
 * elig_text.c - eligibility replies from catalogue parts and programme
 * texts (see elig_text.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/elig_text.h"
#include "locales/sms.h"

const char *
elig_prog_text(const struct prog_def *p, enum lang l, enum prog_field f)
{
	if ((int)l < 0 || l >= LANG__COUNT || (int)f < 0 || f >= PF__COUNT)
		return "";
	if (p->text[l][f][0] != '\0')
		return p->text[l][f];
	return p->text[LANG_UZ_LATN][f];
}

void
elig_money(const struct catalog *cat, enum lang l, long long v, char *buf,
    size_t len)
{
	char		 digits[32], *sep = NULL;
	size_t		 nd, o = 0, sl;
	const char	*g;

	if (len == 0)
		return;
	if (catalog_render(cat, l, "number.group", NULL, 0, &sep) != MJ_OK)
		sep = NULL;
	g = sep != NULL ? sep : " ";
	sl = strlen(g);
	snprintf(digits, sizeof(digits), "%lld", v < 0 ? 0 : v);
	nd = strlen(digits);
	for (size_t i = 0; i < nd && o + 1 < len; i++) {
		if (i > 0 && (nd - i) % 3 == 0 && o + sl + 1 < len) {
			memcpy(buf + o, g, sl);
			o += sl;
		}
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	free(sep);
}

/* Render msgid and append it to buf after a space; MJ_ETOOBIG past len. */
static enum mj_err
add(const struct catalog *cat, enum lang l, const char *msgid,
    const struct msg_arg *args, size_t nargs, char *buf, size_t len)
{
	char		*s = NULL;
	size_t		 o = strlen(buf), n;
	enum mj_err	 rc;

	if ((rc = catalog_render(cat, l, msgid, args, nargs, &s)) != MJ_OK)
		return rc;
	n = strlen(s);
	if (o + (o > 0) + n + 1 > len) {
		free(s);
		return MJ_ETOOBIG;
	}
	if (o > 0)
		buf[o++] = ' ';
	memcpy(buf + o, s, n + 1);
	free(s);
	return MJ_OK;
}

static int
is_money(enum rules_fact f)
{
	return f == FACT_INCOME3M || f == FACT_INCOME_PC;
}

static void
value_str(const struct catalog *cat, enum lang l, enum rules_fact f,
    double v, char *buf, size_t len)
{
	if (is_money(f))
		elig_money(cat, l, (long long)floor(v), buf, len);
	else
		snprintf(buf, len, "%lld", (long long)floor(v));
}

static const char *const result_names[] = {
	"pass", "fail", "unsure", "missing"
};

enum mj_err
elig_verdict(const struct catalog *cat, enum lang l, const struct prog_def *p,
    const struct rules_crit *crit, const struct rules_outcome *o,
    const struct rules_answers *a, char *buf, size_t len)
{
	static const char *const heads[] = {
		"elig.head.no", "elig.head.unsure", "elig.head.yes"
	};
	static const char *const nexts[] = {
		"elig.next.no", "elig.next.unsure", "elig.next.yes"
	};
	char		 value[48] = "", limit[48] = "", limit2[48] = "",
			 amount[48], id[64];
	enum mj_err	 rc;

	if (len == 0)
		return MJ_ETOOBIG;
	buf[0] = '\0';
	{
		struct msg_arg arg[] = {
			{ "programme", elig_prog_text(p, l, PF_NAME) } };

		if ((rc = add(cat, l, heads[o->verdict], arg, 1, buf, len)) !=
		    MJ_OK)
			return rc;
	}
	if (o->crit >= 0) {
		const struct rules_crit *c = &crit[o->crit];
		struct msg_arg args[] = {
			{ "value", value }, { "limit", limit },
			{ "limit2", limit2 } };

		if (a->has[c->fact])
			value_str(cat, l, c->fact, a->v[c->fact], value,
			    sizeof(value));
		value_str(cat, l, c->fact, c->value, limit, sizeof(limit));
		value_str(cat, l, c->fact, c->value2, limit2, sizeof(limit2));
		snprintf(id, sizeof(id), "elig.why.%s.%s", c->reason,
		    result_names[o->result]);
		if (!catalog_has(cat, id))
			snprintf(id, sizeof(id), "elig.why.any.%s",
			    result_names[o->result]);
		if ((rc = add(cat, l, id, args, 3, buf, len)) != MJ_OK)
			return rc;
	}
	if (o->verdict == VERDICT_YES && o->amount_max > 0) {
		struct msg_arg args[] = { { "amount", amount } };

		elig_money(cat, l, o->amount_min, amount, sizeof(amount));
		if ((rc = add(cat, l, o->amount_min == o->amount_max ?
		    "elig.amount.exact" : "elig.amount.from", args, 1, buf,
		    len)) != MJ_OK)
			return rc;
	}
	{
		struct msg_arg arg[] = {
			{ "apply", elig_prog_text(p, l, PF_APPLY) } };

		return add(cat, l, nexts[o->verdict], arg, 1, buf, len);
	}
}

enum mj_err
elig_documents(const struct catalog *cat, enum lang l,
    const struct prog_def *p, char *buf, size_t len)
{
	struct msg_arg args[] = {
		{ "programme", elig_prog_text(p, l, PF_NAME) },
		{ "documents", elig_prog_text(p, l, PF_DOCUMENTS) },
		{ "apply", elig_prog_text(p, l, PF_APPLY) },
		{ "timeline", elig_prog_text(p, l, PF_TIMELINE) } };

	if (len == 0)
		return MJ_ETOOBIG;
	buf[0] = '\0';
	return add(cat, l, "elig.documents", args, 4, buf, len);
}

enum mj_err
elig_info(const struct catalog *cat, enum lang l, const struct prog_def *p,
    char *buf, size_t len)
{
	struct msg_arg args[] = {
		{ "programme", elig_prog_text(p, l, PF_NAME) },
		{ "who", elig_prog_text(p, l, PF_WHO) },
		{ "apply", elig_prog_text(p, l, PF_APPLY) } };

	if (len == 0)
		return MJ_ETOOBIG;
	buf[0] = '\0';
	return add(cat, l, "elig.info", args, 3, buf, len);
}

/*
 * The days an office is open in l: "elig.days.1-5" when the catalogue has
 * the range, else its first and last day ("elig.day.N") joined by "-";
 * the code itself if neither renders.  A malloc'd string or NULL.
 */
static char *
office_days(const struct catalog *cat, enum lang l, const char *code)
{
	char	 id[48], *a = NULL, *b = NULL, *out = NULL;
	size_t	 n;

	snprintf(id, sizeof(id), "elig.days.%s", code);
	if (catalog_render(cat, l, id, NULL, 0, &out) == MJ_OK)
		return out;
	snprintf(id, sizeof(id), "elig.day.%c", code[0]);
	if (code[0] == '\0' || catalog_render(cat, l, id, NULL, 0, &a) != MJ_OK)
		return strdup(code);
	if (code[1] != '-')
		return a;
	snprintf(id, sizeof(id), "elig.day.%c", code[2]);
	if (catalog_render(cat, l, id, NULL, 0, &b) != MJ_OK) {
		free(a);
		return strdup(code);
	}
	n = strlen(a) + strlen(b) + 2;
	if ((out = malloc(n)) != NULL)
		snprintf(out, n, "%s-%s", a, b);
	free(a);
	free(b);
	return out;
}

enum mj_err
elig_office(const struct catalog *cat, enum lang l, const struct office *o,
    char *buf, size_t len)
{
	char		*days;
	enum mj_err	 rc;
	int		 li = (int)l >= 0 && l < LANG__COUNT ? (int)l : 0;
	const char	*name = o->name[li][0] != '\0' ? o->name[li] :
			    o->name[LANG_UZ_LATN],
			*addr = o->address[li][0] != '\0' ? o->address[li] :
			    o->address[LANG_UZ_LATN],
			*mark = o->landmark[li][0] != '\0' ? o->landmark[li] :
			    o->landmark[LANG_UZ_LATN];

	if (len == 0)
		return MJ_ETOOBIG;
	buf[0] = '\0';
	if ((days = office_days(cat, l, o->days)) == NULL)
		return MJ_ENOMEM;
	{
		struct msg_arg args[] = {
			{ "district", name }, { "address", addr },
			{ "landmark", mark }, { "days", days },
			{ "open", o->opens }, { "close", o->closes },
			{ "phone", o->phone } };

		rc = add(cat, l, "elig.office", args, 2, buf, len);
		if (rc == MJ_OK && mark[0] != '\0')
			rc = add(cat, l, "elig.office.landmark", args + 2, 1,
			    buf, len);
		if (rc == MJ_OK)
			rc = add(cat, l, "elig.office.hours", args + 3, 3, buf,
			    len);
		if (rc == MJ_OK && o->phone[0] != '\0')
			rc = add(cat, l, "elig.office.phone", args + 6, 1, buf,
			    len);
	}
	free(days);
	return rc;
}

static int
segments(const char *text)
{
	char		*sms = NULL;
	struct sms_info	 si;

	if (sms_prepare(text, strlen(text), &sms) != MJ_OK)
		return -1;
	sms_measure(sms, strlen(sms), &si);
	free(sms);
	return si.segments;
}

/* Keep the worst; -1 stays. */
static void
worse(int *worst, int seg, char *what, size_t whatlen, const char *label)
{
	if (*worst < 0)
		return;
	if (seg < 0) {
		*worst = -1;
		snprintf(what, whatlen, "%s", label);
		return;
	}
	if (seg > *worst) {
		*worst = seg;
		snprintf(what, whatlen, "%s", label);
	}
}

int
elig_worst_segments(const struct catalog *cat, enum lang l,
    const struct prog_def *p, const struct rules_crit *crit, size_t ncrit,
    char *what, size_t whatlen)
{
	char			 buf[ELIG_TEXT_MAX], label[96], first[24];
	struct rules_answers	 a;
	struct rules_outcome	 o;
	int			 worst = 0;

	what[0] = '\0';
	/* The longest answers the dialogue accepts. */
	memset(&a, 0, sizeof(a));
	rules_answer_set(&a, FACT_MEMBERS, 1);
	rules_answer_set(&a, FACT_INCOME3M, 1e10);
	rules_answer_set(&a, FACT_CHILDREN, 30);
	rules_answer_set(&a, FACT_AGE, 120);
	rules_answer_set(&a, FACT_DISABILITY, 3);
	rules_answer_set(&a, FACT_REGISTRY, 4);
	memset(&o, 0, sizeof(o));
	{
		/* Amount: the widest range the rule gives. */
		struct rules_answers	many = a;
		struct rules_outcome	t;

		rules_evaluate(NULL, 0, &p->amount, &many, &t);
		o.amount_min = t.amount_min;
		o.amount_max = t.amount_max;
		if (o.amount_max > 0 && o.amount_min == o.amount_max &&
		    p->amount.kind == AMOUNT_PER_CHILD)
			o.amount_max++;
	}
	for (size_t i = 0; i < ncrit; i++) {
		for (int r = RESULT_PASS; r <= RESULT_MISSING; r++) {
			struct rules_answers	 w = a;
			const struct rules_crit	*c = &crit[i];

			/* The longest value that still gives this result. */
			if ((r == RESULT_PASS || r == RESULT_UNSURE) &&
			    (c->op == OP_LT || c->op == OP_LE))
				w.v[c->fact] = r == RESULT_UNSURE &&
				    c->unsure > 0 ? c->value * c->unsure :
				    c->value;
			else if (r == RESULT_PASS && c->op == OP_BETWEEN)
				w.v[c->fact] = c->value2;
			else if (r == RESULT_PASS && c->op == OP_EQ)
				w.v[c->fact] = c->value;
			o.crit = (int)i;
			o.result = (enum rules_result)r;
			o.verdict = r == RESULT_FAIL ? VERDICT_NO :
			    r == RESULT_PASS ? VERDICT_YES : VERDICT_UNSURE;
			snprintf(label, sizeof(label), "verdict %s %s",
			    crit[i].reason, r == RESULT_PASS ? "pass" :
			    r == RESULT_FAIL ? "fail" : r == RESULT_UNSURE ?
			    "unsure" : "missing");
			worse(&worst, elig_verdict(cat, l, p, crit, &o, &w, buf,
			    sizeof(buf)) == MJ_OK ? segments(buf) : -1, what,
			    whatlen, label);
		}
	}
	if (ncrit == 0)
		worse(&worst, elig_info(cat, l, p, buf, sizeof(buf)) == MJ_OK ?
		    segments(buf) : -1, what, whatlen, "elig.info");
	worse(&worst, elig_documents(cat, l, p, buf, sizeof(buf)) == MJ_OK ?
	    segments(buf) : -1, what, whatlen, "elig.documents");
	/* The first question names the programme. */
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(p->ask, ";"),
	    p->ask);
	if (first[0] != '\0') {
		char		 id[48], *s = NULL;
		struct msg_arg	 arg[] = {
			{ "programme", elig_prog_text(p, l, PF_NAME) } };

		snprintf(id, sizeof(id), "elig.start.%s", first);
		snprintf(label, sizeof(label), "%s", id);
		worse(&worst, catalog_render(cat, l, id, arg, 1, &s) == MJ_OK ?
		    segments(s) : -1, what, whatlen, label);
		free(s);
	}
	return worst;
}

int
elig_office_segments(const struct catalog *cat, enum lang l,
    const struct office *o)
{
	char	buf[ELIG_TEXT_MAX];

	if (elig_office(cat, l, o, buf, sizeof(buf)) != MJ_OK)
		return -1;
	return segments(buf);
}
