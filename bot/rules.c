/*
 * rules.c - evaluation of eligibility criteria over answers (see rules.h).
 * Money is whole soums; the derived income per person is rounded down to
 * a whole soum before it is compared, as it is shown.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bot/rules.h"

static const char *const fact_names[FACT__COUNT] = {
	[FACT_MEMBERS] = "members",
	[FACT_INCOME3M] = "income3m",
	[FACT_CHILDREN] = "children",
	[FACT_UNDER3] = "under3",
	[FACT_AGE] = "age",
	[FACT_DISABILITY] = "disability_group",
	[FACT_REGISTRY] = "registry",
	[FACT_INCOME_PC] = "income_pc",
};

static const char *const op_names[OP__COUNT] = {
	[OP_LT] = "lt", [OP_LE] = "le", [OP_GT] = "gt", [OP_GE] = "ge",
	[OP_EQ] = "eq", [OP_NE] = "ne", [OP_BETWEEN] = "between",
	[OP_IN] = "in",
};

const char *
rules_fact_name(enum rules_fact f)
{
	return (int)f >= 0 && f < FACT__COUNT ? fact_names[f] : NULL;
}

int
rules_fact_from_name(const char *s)
{
	for (int i = 0; i < FACT__COUNT; i++)
		if (strcmp(fact_names[i], s) == 0)
			return i;
	return -1;
}

const char *
rules_op_name(enum rules_op o)
{
	return (int)o >= 0 && o < OP__COUNT ? op_names[o] : NULL;
}

int
rules_op_from_name(const char *s)
{
	for (int i = 0; i < OP__COUNT; i++)
		if (strcmp(op_names[i], s) == 0)
			return i;
	return -1;
}

void
rules_answer_set(struct rules_answers *a, enum rules_fact f, double v)
{
	if ((int)f < 0 || f >= FACT__COUNT)
		return;
	a->has[f] = 1;
	a->v[f] = v;
	if (a->has[FACT_MEMBERS] && a->has[FACT_INCOME3M] &&
	    a->v[FACT_MEMBERS] >= 1) {
		a->has[FACT_INCOME_PC] = 1;
		a->v[FACT_INCOME_PC] = floor(a->v[FACT_INCOME3M] /
		    a->v[FACT_MEMBERS] / 3.0);
	}
}

static const char *const doubt_names[DOUBT__COUNT] = {
	[DOUBT_NONE] = "", [DOUBT_WHOLE] = "whole", [DOUBT_LOW] = "low",
	[DOUBT_HIGH] = "high", [DOUBT_OTHER] = "other", [DOUBT_ZERO] = "zero",
};

const char *
rules_doubt_name(enum rules_doubt d)
{
	return (int)d >= 0 && d < DOUBT__COUNT ? doubt_names[d] : NULL;
}

/* A count: within lo..hi and whole. */
static enum rules_doubt
count(double v, double lo, double hi)
{
	return v < lo ? DOUBT_LOW : v > hi ? DOUBT_HIGH :
	    v != floor(v) ? DOUBT_WHOLE : DOUBT_NONE;
}

enum rules_doubt
rules_answer_doubt(enum rules_fact f, double v, const struct rules_answers *a)
{
	enum rules_doubt	d;

	if (isnan(v))
		return DOUBT_LOW;
	if (isinf(v))
		return v < 0 ? DOUBT_LOW : DOUBT_HIGH;
	switch (f) {
	case FACT_MEMBERS:
		if ((d = count(v, 1, 40)) == DOUBT_NONE &&
		    a->has[FACT_CHILDREN] && v <= a->v[FACT_CHILDREN])
			d = DOUBT_OTHER;
		return d;
	case FACT_CHILDREN:
		if ((d = count(v, 0, 30)) == DOUBT_NONE &&
		    a->has[FACT_MEMBERS] && v >= a->v[FACT_MEMBERS])
			d = DOUBT_OTHER;
		return d;
	case FACT_UNDER3:
		if ((d = count(v, 0, 15)) == DOUBT_NONE &&
		    a->has[FACT_CHILDREN] && v > a->v[FACT_CHILDREN])
			d = DOUBT_OTHER;
		return d;
	case FACT_INCOME3M:
		/* "6" is not an income; "6 mln" is. */
		return v == 0 ? DOUBT_ZERO : v < 1000 ? DOUBT_LOW :
		    v > 1e10 ? DOUBT_HIGH : DOUBT_NONE;
	case FACT_AGE:
		return count(v, 0, 120);
	case FACT_DISABILITY:
		return count(v, 0, 3);		/* 0: no group set */
	case FACT_REGISTRY:
		return count(v, 1, 4);
	default:
		return DOUBT_OTHER;		/* derived: never asked */
	}
}

int
rules_answer_ok(enum rules_fact f, double v, const struct rules_answers *a)
{
	enum rules_doubt	d = rules_answer_doubt(f, v, a);

	return d == DOUBT_NONE || d == DOUBT_ZERO;
}

int
rules_zero_ok(enum rules_fact f)
{
	return f == FACT_CHILDREN || f == FACT_UNDER3 || f == FACT_INCOME3M ||
	    f == FACT_DISABILITY;
}

enum rules_result
rules_check(const struct rules_crit *c, const struct rules_answers *a)
{
	double	x, lim = c->value;
	int	pass;

	if ((int)c->fact < 0 || c->fact >= FACT__COUNT || !a->has[c->fact])
		return RESULT_MISSING;
	x = a->v[c->fact];
	switch (c->op) {
	case OP_LT:
		pass = x < lim;
		break;
	case OP_LE:
		pass = x <= lim;
		break;
	case OP_GT:
		pass = x > lim;
		break;
	case OP_GE:
		pass = x >= lim;
		break;
	case OP_EQ:
		pass = x == lim;
		break;
	case OP_NE:
		pass = x != lim;
		break;
	case OP_BETWEEN:
		pass = x >= lim && x <= c->value2;
		break;
	case OP_IN:
		pass = 0;
		for (size_t i = 0; i < c->nvals && i < RULES_MAX_VALS; i++)
			if (x == c->vals[i])
				pass = 1;
		break;
	default:
		return RESULT_MISSING;
	}
	if (pass)
		return RESULT_PASS;
	if (c->unsure > 0) {
		if ((c->op == OP_LT || c->op == OP_LE) && x < lim * c->unsure)
			return RESULT_UNSURE;
		if ((c->op == OP_GT || c->op == OP_GE) && x > lim * c->unsure)
			return RESULT_UNSURE;
	}
	return RESULT_FAIL;
}

static void
amount(const struct rules_amount *am, const struct rules_answers *a,
    long long *lo, long long *hi)
{
	long long	base, n;

	*lo = *hi = 0;
	switch (am->kind) {
	case AMOUNT_FIXED:
		*lo = *hi = am->fixed;
		return;
	case AMOUNT_PER_CHILD:
		if (!a->has[FACT_CHILDREN] || a->v[FACT_CHILDREN] < 1)
			return;
		n = (long long)a->v[FACT_CHILDREN];
		base = (n >= 2 ? am->second : 0) +
		    (n >= 3 ? (n - 2) * am->further : 0);
		if (a->has[FACT_UNDER3]) {
			*lo = *hi = base + (a->v[FACT_UNDER3] >= 1 &&
			    am->first_under3 > 0 ? am->first_under3 :
			    am->first);
			return;
		}
		*lo = base + am->first;
		*hi = base + (am->first_under3 > am->first ?
		    am->first_under3 : am->first);
		return;
	default:
		return;
	}
}

void
rules_evaluate(const struct rules_crit *c, size_t n,
    const struct rules_amount *am, const struct rules_answers *a,
    struct rules_outcome *out)
{
	int	first_unsure = -1;

	memset(out, 0, sizeof(*out));
	out->crit = -1;
	out->verdict = VERDICT_UNSURE;
	out->result = RESULT_MISSING;
	for (size_t i = 0; i < n; i++) {
		enum rules_result r = rules_check(&c[i], a);

		if (r == RESULT_FAIL) {
			out->verdict = VERDICT_NO;
			out->crit = (int)i;
			out->result = r;
			return;
		}
		if (r != RESULT_PASS && first_unsure < 0) {
			first_unsure = (int)i;
			out->result = r;
		}
	}
	if (first_unsure >= 0) {
		out->crit = first_unsure;
	} else if (n > 0) {
		out->verdict = VERDICT_YES;
		out->crit = (int)n - 1;
		out->result = RESULT_PASS;
	}
	if (am != NULL)
		amount(am, a, &out->amount_min, &out->amount_max);
}
