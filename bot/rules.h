/*
 * rules.h - eligibility criteria over a citizen's answers, as data.  Pure
 * functions: no store, no catalogue, so every boundary can be tested from
 * a table (tests/fixtures/eligibility/rules.tsv).
 *
 * A programme has criteria ("income per person < the minimum consumer
 * expenditure", "children under 18 >= 1") and an amount rule.  Answers are
 * facts, each known or not.  rules_evaluate() says likely eligible, not
 * eligible or cannot tell, which criterion decided it, and the expected
 * amount.  Thresholds that name a figure (the minimum consumer expenditure)
 * are resolved by the caller before evaluation.
 */
#ifndef BOT_RULES_H
#define BOT_RULES_H
#include <stddef.h>

#include "store/programmes.h"

/* What a citizen can be asked, and what is derived from it. */
enum rules_fact {
	FACT_MEMBERS = 0,	/* people in the family, the citizen included */
	FACT_INCOME3M,		/* family's total income, last 3 months, soums */
	FACT_CHILDREN,		/* children under 18 */
	FACT_UNDER3,		/* of them, under 3 */
	FACT_AGE,		/* the citizen's age, years */
	FACT_DISABILITY,	/* disability group 1..3, 0 none */
	FACT_REGISTRY,		/* registry category 1..4 (rules_test, data) */
	FACT_INCOME_PC,		/* derived: income3m / members / 3 */
	FACT__COUNT
};
#define FACT__ASKED	FACT_INCOME_PC	/* facts before it can be asked */

/* "members", "income3m", ... "income_pc"; NULL out of range. */
const char	*rules_fact_name(enum rules_fact);
/* The fact of a name, or -1. */
int		 rules_fact_from_name(const char *);

enum rules_op {
	OP_LT = 0, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_BETWEEN, OP_IN,
	OP__COUNT
};
const char	*rules_op_name(enum rules_op);
int		 rules_op_from_name(const char *);

/* One criterion, its threshold already resolved to a number. */
struct rules_crit {
	enum rules_fact	 fact;
	enum rules_op	 op;
	double		 value;		/* the limit (between: lower bound) */
	double		 value2;	/* between: upper bound, inclusive */
	double		 unsure;	/* 0: none; lt/le: a failed answer
					 * below value * unsure is "cannot
					 * tell"; gt/ge: above value * unsure */
	double		 vals[RULES_MAX_VALS];	/* op in */
	size_t		 nvals;
	char		 reason[24];	/* picks the explaining sentence */
};

struct rules_answers {
	int	has[FACT__COUNT];
	double	v[FACT__COUNT];
};

/* Set a fact; income_pc follows whenever members and income3m are known. */
void	rules_answer_set(struct rules_answers *, enum rules_fact, double);

/* What is wrong with an answer, so that the re-ask can say it. */
enum rules_doubt {
	DOUBT_NONE = 0,		/* an answer */
	DOUBT_WHOLE,		/* a count with a fraction: 2.5 people */
	DOUBT_LOW,		/* below the fact's range: 0 people, 6 soums */
	DOUBT_HIGH,		/* above it: 41 people, age 121, group 4 */
	DOUBT_OTHER,		/* against an earlier answer: as many children
				 * as family members, more under 3 than
				 * children */
	DOUBT_ZERO,		/* no income at all: possible, but asked once
				 * to confirm */
	DOUBT__COUNT
};
/* "", "whole", "low", "high", "other", "zero"; NULL out of range. */
const char	*rules_doubt_name(enum rules_doubt);

/*
 * Whether v is a plausible answer for fact, given the answers so far:
 * family members 1..40 and more than the children, children 0..30 and
 * fewer than the members, under 3: 0..15 and at most the children, age
 * 0..120, disability group 0..3, registry category 1..4, each a whole
 * number; an income from 1000 soums to 10 billion, or 0 (DOUBT_ZERO).
 * The first thing wrong, in that order: the range, wholeness, the others.
 */
enum rules_doubt rules_answer_doubt(enum rules_fact, double v,
	    const struct rules_answers *);
/* Whether v may be taken at all: no doubt, or only DOUBT_ZERO. */
int	rules_answer_ok(enum rules_fact, double v, const struct rules_answers *);
/* Whether 0 is an answer to fact (else a bare "0" leaves the dialogue). */
int	rules_zero_ok(enum rules_fact);

enum rules_verdict { VERDICT_NO = 0, VERDICT_UNSURE, VERDICT_YES };
enum rules_result { RESULT_PASS = 0, RESULT_FAIL, RESULT_UNSURE,
	RESULT_MISSING };

struct rules_outcome {
	enum rules_verdict	 verdict;
	int			 crit;		/* the deciding criterion, -1 */
	enum rules_result	 result;	/* its result */
	long long		 amount_min;	/* 0: no amount */
	long long		 amount_max;
};

/*
 * Evaluate: any failed criterion makes "no" (the first one explains it);
 * otherwise any "cannot tell" or missing answer makes "cannot tell" (the
 * first explains it); otherwise "yes", explained by the last criterion.
 * No criteria at all is "cannot tell" with crit -1.  The amount is given
 * for "yes" and "cannot tell".
 */
void	rules_evaluate(const struct rules_crit *, size_t ncrit,
	    const struct rules_amount *, const struct rules_answers *,
	    struct rules_outcome *out);

/* One criterion alone. */
enum rules_result rules_check(const struct rules_crit *,
	    const struct rules_answers *);

#endif
