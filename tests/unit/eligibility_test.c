/*
 * eligibility_test.c - bot/eligibility.c's dialogue, turn by turn through
 * the real pipeline (bot_kit.h): the general check asks its questions in
 * order, an implausible answer is asked again saying what is wrong, and
 * the verdict is the one the rules give for the answers as they were
 * finally taken; a second implausible answer ends the dialogue, and so
 * does a bare "0" where 0 is no answer.
 */
#include "bot/elig_text.h"
#include "bot/rules.h"
#include "bot_kit.h"
#include "check.h"
#include "store/programmes.h"

#define CHAT	"8001"

static const char *
state(struct kit *k, const char *chat)
{
	char	q[160];

	snprintf(q, sizeof(q), "SELECT state FROM contacts WHERE address = "
	    "'%s'", chat);
	return kit_sql(k, q);
}

/* The verdict on code for these answers, as elig_text.h writes it. */
static void
verdict_of(struct kit *k, const char *code, const struct rules_answers *a,
    enum rules_verdict want, char *buf, size_t len)
{
	struct prog_def		*p = calloc(1, sizeof(*p));
	struct rules_crit	 crit[RULES_MAX_CRIT];
	struct rules_outcome	 o;
	size_t			 n = 0;

	buf[0] = '\0';
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK_INT(store_begin(k->st), MJ_OK);
	CHECK_INT(store_rules_get(k->st, code, p), MJ_OK);
	CHECK_INT(rules_resolve(k->st, p, crit, &n, NULL, 0), MJ_OK);
	store_end(k->st, 0);
	rules_evaluate(crit, n, &p->amount, a, &o);
	CHECK_INT(o.verdict, want);
	CHECK_INT(elig_verdict(k->cat, LANG_UZ_LATN, p, crit, &o, a, buf, len),
	    MJ_OK);
	free(p);
}

static void
test_to_verdict(struct kit *k)
{
	struct rules_answers	a;
	char			want[ELIG_TEXT_MAX];
	const char		*got;

	got = kit_say(k, "telegram", CHAT, NULL, "nafaqa olishim mumkinmi");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN,
	    "elig.general.members", NULL));
	CHECK_STR(state(k, CHAT), "elig");
	got = kit_say(k, "telegram", CHAT, NULL, "4");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN,
	    "elig.q.children", NULL));
	/* As many children as family members cannot be: asked again. */
	got = kit_say(k, "telegram", CHAT, NULL, "30");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN,
	    "elig.bad.children.other", "value", "30", "limit", "4", NULL));
	CHECK_STR(state(k, CHAT), "elig");
	got = kit_say(k, "telegram", CHAT, NULL, "2");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN,
	    "elig.q.income3m", NULL));
	/* Each answer is recorded as one, not as a message not understood. */
	CHECK_STR(kit_sql(k, "SELECT intent || '/' || nlu_source FROM "
	    "messages WHERE direction = 'in' ORDER BY id DESC LIMIT 1"),
	    "eligibility/dialogue");
	got = kit_say(k, "telegram", CHAT, NULL, "3 mln");
	/*
	 * 3 000 000 over 3 months for 4 people is under the minimum
	 * consumer expenditure: likely yes, the child allowance first, for
	 * the two children taken (not the thirty).
	 */
	memset(&a, 0, sizeof(a));
	rules_answer_set(&a, FACT_MEMBERS, 4);
	rules_answer_set(&a, FACT_CHILDREN, 2);
	rules_answer_set(&a, FACT_INCOME3M, 3000000);
	verdict_of(k, "child_allowance", &a, VERDICT_YES, want, sizeof(want));
	CHECK(want[0] != '\0');
	CHECK_STR(got, want);
	CHECK_STR(state(k, CHAT), "");
	/* Over: a number now is no answer to anything. */
	got = kit_say(k, "telegram", CHAT, NULL, "5");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN, "unknown", NULL));
}

static void
test_no(struct kit *k)
{
	struct rules_answers	a;
	char			want[ELIG_TEXT_MAX];
	const char		*got;

	kit_say(k, "telegram", "8002", NULL, "nafaqa olishim mumkinmi");
	kit_say(k, "telegram", "8002", NULL, "2");
	kit_say(k, "telegram", "8002", NULL, "1");
	got = kit_say(k, "telegram", "8002", NULL, "300 mln");
	memset(&a, 0, sizeof(a));
	rules_answer_set(&a, FACT_MEMBERS, 2);
	rules_answer_set(&a, FACT_CHILDREN, 1);
	rules_answer_set(&a, FACT_INCOME3M, 300000000);
	verdict_of(k, "child_allowance", &a, VERDICT_NO, want, sizeof(want));
	CHECK_STR(got, want);
}

static void
test_reask_once(struct kit *k)
{
	const char	*got;

	kit_say(k, "telegram", "8003", NULL, "nafaqa olishim mumkinmi");
	/* 41 people in one family: asked again, once. */
	got = kit_say(k, "telegram", "8003", NULL, "41");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN,
	    "elig.bad.members.high", "value", "41", NULL));
	got = kit_say(k, "telegram", "8003", NULL, "2.5");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN, "elig.giveup",
	    NULL));
	CHECK_STR(state(k, "8003"), "");

	/* A bare 0 where 0 is no answer leaves the dialogue. */
	kit_say(k, "telegram", "8004", NULL, "nafaqa olishim mumkinmi");
	got = kit_say(k, "telegram", "8004", NULL, "0");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN, "elig.cancelled",
	    NULL));
	CHECK_STR(state(k, "8004"), "");
}

int
main(void)
{
	struct kit	k;

	if (kit_open(&k, "eligibility_test") == -1)
		return 2;
	test_to_verdict(&k);
	test_no(&k);
	test_reask_once(&k);
	kit_close(&k);
	return check_done("eligibility_test");
}
