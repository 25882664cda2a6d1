/*
 * rules_test.c - eligibility rules over answers, from tables:
 *   tests/fixtures/eligibility/rules.tsv    every programme of data/, its
 *       boundaries and missing answers, and each operator alone;
 *   tests/fixtures/eligibility/answers.tsv  how answers are read (the NLU's
 *       number, then rules_answer_ok);
 *   tests/fixtures/eligibility/doubts.tsv  what is wrong with an answer
 *       (rules_answer_doubt);
 * and the data itself: data/programmes.json and data/offices.tsv import
 * (which measures every reply against 2 SMS segments), a bad file changes
 * nothing, export then import gives the same, spellings fold together.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/elig_text.h"
#include "bot/rules.h"
#include "bot/rules_data.h"
#include "check.h"
#include "intents/fold.h"
#include "intents/nlu.h"
#include "locales/catalog.h"
#include "store/programmes.h"
#include "store/store.h"
#include "tests/unit/pgtest.h"

#define RULES_TSV	"tests/fixtures/eligibility/rules.tsv"
#define ANSWERS_TSV	"tests/fixtures/eligibility/answers.tsv"
#define DOUBTS_TSV	"tests/fixtures/eligibility/doubts.tsv"

static const char *const verdicts[] = { "no", "unsure", "yes" };
static const char *const results[] = { "pass", "fail", "unsure", "missing" };

static void
parse_answers(char *s, struct rules_answers *a)
{
	char	*kv, *save = NULL;

	memset(a, 0, sizeof(*a));
	for (kv = strtok_r(s, ",", &save); kv != NULL;
	    kv = strtok_r(NULL, ",", &save)) {
		char	*eq = strchr(kv, '=');
		int	 f;

		if (eq == NULL)
			continue;
		*eq = '\0';
		if ((f = rules_fact_from_name(kv)) < 0) {
			fprintf(stderr, "unknown fact %s\n", kv);
			check_failed++;
			continue;
		}
		rules_answer_set(a, (enum rules_fact)f, strtod(eq + 1, NULL));
	}
}

/* "crit:FACT:OP:VALUE[:VALUE2[:UNSURE]]" */
static int
inline_crit(const char *spec, struct rules_crit *c)
{
	char	buf[128], *p[6], *save = NULL;
	int	n = 0, f, o;

	snprintf(buf, sizeof(buf), "%s", spec + 5);
	for (char *t = strtok_r(buf, ":", &save); t != NULL && n < 6;
	    t = strtok_r(NULL, ":", &save))
		p[n++] = t;
	if (n < 3 || (f = rules_fact_from_name(p[0])) < 0 ||
	    (o = rules_op_from_name(p[1])) < 0)
		return -1;
	memset(c, 0, sizeof(*c));
	c->fact = (enum rules_fact)f;
	c->op = (enum rules_op)o;
	snprintf(c->reason, sizeof(c->reason), "t");
	if (c->op == OP_IN) {
		char *v, *s2 = NULL;

		for (v = strtok_r(p[2], ";", &s2); v != NULL &&
		    c->nvals < RULES_MAX_VALS; v = strtok_r(NULL, ";", &s2))
			c->vals[c->nvals++] = strtod(v, NULL);
	} else
		c->value = strtod(p[2], NULL);
	if (n > 3)
		c->value2 = strtod(p[3], NULL);
	if (n > 4)
		c->unsure = strtod(p[4], NULL);
	return 0;
}

static void
test_rules_table(struct store *st)
{
	FILE		*f = fopen(RULES_TSV, "r");
	char		 line[512];
	int		 lineno = 0, cases = 0;
	struct prog_def	*p = malloc(sizeof(*p));

	CHECK(f != NULL && p != NULL);
	if (f == NULL || p == NULL) {
		free(p);
		if (f != NULL)
			fclose(f);
		return;
	}
	CHECK_INT(store_begin(st), MJ_OK);
	while (fgets(line, sizeof(line), f) != NULL) {
		char			*col[6] = { 0 }, *s = line, want[48],
					 got[48];
		struct rules_crit	 crit[RULES_MAX_CRIT];
		struct rules_answers	 a;
		struct rules_outcome	 o;
		size_t			 ncrit = 0;
		int			 n = 0;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		while (n < 6) {
			col[n++] = s;
			if ((s = strchr(s, '\t')) == NULL)
				break;
			*s++ = '\0';
		}
		if (n != 6) {
			fprintf(stderr, "%s:%d: want 6 columns, got %d\n",
			    RULES_TSV, lineno, n);
			check_failed++;
			continue;
		}
		memset(p, 0, sizeof(*p));
		if (strncmp(col[0], "crit:", 5) == 0) {
			if (inline_crit(col[0], &crit[0]) == 0)
				ncrit = 1;
			else {
				fprintf(stderr, "%s:%d: bad criterion\n",
				    RULES_TSV, lineno);
				check_failed++;
				continue;
			}
		} else if (store_rules_get(st, col[0], p) != MJ_OK ||
		    rules_resolve(st, p, crit, &ncrit, NULL, 0) !=
		    MJ_OK) {
			fprintf(stderr, "%s:%d: no programme %s\n", RULES_TSV,
			    lineno, col[0]);
			check_failed++;
			continue;
		}
		parse_answers(col[1], &a);
		rules_evaluate(crit, ncrit, &p->amount, &a, &o);
		snprintf(want, sizeof(want), "%s %s %s %s", col[2], col[3],
		    col[4], col[5]);
		snprintf(got, sizeof(got), "%s %s%s%s %lld %lld",
		    verdicts[o.verdict], o.crit >= 0 ? crit[o.crit].reason :
		    "-", o.crit >= 0 ? "." : "", o.crit >= 0 ?
		    results[o.result] : "", o.amount_min, o.amount_max);
		if (strcmp(want, got) == 0)
			check_passed++;
		else {
			check_failed++;
			fprintf(stderr, "%s:%d: FAIL: got \"%s\", want \"%s\"\n",
			    RULES_TSV, lineno, got, want);
		}
		cases++;
	}
	store_end(st, 0);
	fclose(f);
	free(p);
	CHECK(cases >= 40);
}

static void
test_answers_table(void)
{
	FILE			*f = fopen(ANSWERS_TSV, "r");
	struct nlu		*nl = NULL;
	char			 line[256], where[512];
	int			 lineno = 0;

	CHECK(f != NULL);
	CHECK_INT(nlu_load(&nl, "intents/patterns", where, sizeof where),
	    MJ_OK);
	if (f == NULL || nl == NULL) {
		if (f != NULL)
			fclose(f);
		nlu_free(nl);
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char			*text = line, *fact, *want;
		struct nlu_result	 r;
		struct rules_answers	 a;
		int			 fi, ok;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((fact = strchr(text, '\t')) == NULL ||
		    (want = strchr(fact + 1, '\t')) == NULL) {
			fprintf(stderr, "%s:%d: want 3 columns\n", ANSWERS_TSV,
			    lineno);
			check_failed++;
			continue;
		}
		*fact++ = '\0';
		*want++ = '\0';
		fi = rules_fact_from_name(fact);
		memset(&a, 0, sizeof(a));
		nlu_understand(nl, text, strlen(text), &r);
		ok = fi >= 0 && r.has_number &&
		    rules_answer_ok((enum rules_fact)fi, r.number, &a);
		if (strcmp(want, "-") == 0 ? !ok : ok &&
		    r.number == strtod(want, NULL))
			check_passed++;
		else {
			check_failed++;
			fprintf(stderr, "%s:%d: FAIL: \"%s\" as %s: got %s%g, "
			    "want %s\n", ANSWERS_TSV, lineno, text, fact,
			    ok ? "" : "unreadable ", r.has_number ? r.number :
			    NAN, want);
		}
	}
	fclose(f);
	nlu_free(nl);
}

static void
test_doubts_table(void)
{
	FILE	*f = fopen(DOUBTS_TSV, "r");
	char	 line[256], *col[4];
	int	 lineno = 0, cases = 0;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct rules_answers	 a;
		const char		*got;
		int			 fi;

		lineno++;
		if (check_tsv_fields(line, col, 4) != 4)
			continue;
		if (strcmp(col[0], "-") == 0)
			memset(&a, 0, sizeof(a));
		else
			parse_answers(col[0], &a);
		if ((fi = rules_fact_from_name(col[1])) < 0) {
			fprintf(stderr, "%s:%d: unknown fact %s\n", DOUBTS_TSV,
			    lineno, col[1]);
			check_failed++;
			continue;
		}
		got = rules_doubt_name(rules_answer_doubt((enum rules_fact)fi,
		    strtod(col[2], NULL), &a));
		if (got[0] == '\0')
			got = "ok";
		if (strcmp(got, col[3]) == 0)
			check_passed++;
		else {
			fprintf(stderr, "%s:%d: FAIL: %s = %s after %s: got %s, "
			    "want %s\n", DOUBTS_TSV, lineno, col[1], col[2],
			    col[0], got, col[3]);
			check_failed++;
		}
		cases++;
	}
	fclose(f);
	CHECK(cases >= 30);
	/* No income is possible: taken once confirmed, unlike the rest. */
	{
		struct rules_answers	none;

		memset(&none, 0, sizeof(none));
		CHECK(rules_answer_ok(FACT_INCOME3M, 0, &none));
		CHECK(!rules_answer_ok(FACT_INCOME3M, 6, &none));
	}
	CHECK(rules_doubt_name((enum rules_doubt)99) == NULL);
}

static void
test_answer_rules(void)
{
	struct rules_answers a;

	memset(&a, 0, sizeof(a));
	rules_answer_set(&a, FACT_MEMBERS, 4);
	CHECK(rules_answer_ok(FACT_CHILDREN, 3, &a));
	CHECK(!rules_answer_ok(FACT_CHILDREN, 4, &a));	/* an adult too */
	rules_answer_set(&a, FACT_CHILDREN, 2);
	CHECK(rules_answer_ok(FACT_UNDER3, 2, &a));
	CHECK(!rules_answer_ok(FACT_UNDER3, 3, &a));
	CHECK(!rules_answer_ok(FACT_MEMBERS, 2, &a));	/* fewer than kids */
	CHECK(!rules_answer_ok(FACT_INCOME3M, NAN, &a));
	CHECK(!rules_answer_ok(FACT_INCOME3M, -5, &a));
	CHECK(!rules_answer_ok(FACT_INCOME3M, 2e10, &a));
	CHECK(!rules_answer_ok(FACT_INCOME_PC, 5, &a));	/* derived */
	CHECK(rules_zero_ok(FACT_CHILDREN));
	CHECK(!rules_zero_ok(FACT_MEMBERS));
	CHECK(!rules_zero_ok(FACT_AGE));
	/* income per person is rounded down to the soum */
	rules_answer_set(&a, FACT_INCOME3M, 100);
	CHECK_INT((long long)a.v[FACT_INCOME_PC], 8);
	CHECK_STR(rules_fact_name(FACT_INCOME_PC), "income_pc");
	CHECK(rules_fact_name((enum rules_fact)99) == NULL);
	CHECK_INT(rules_op_from_name("between"), OP_BETWEEN);
	CHECK_INT(rules_op_from_name("lte"), -1);
}

static void
test_fold(void)
{
	static const char *const pairs[][2] = {
		{ "Qoʻshkoʻpir", "koshkopir" }, { "Qo'shko'pir", "koshkopir" },
		{ "Қўшкўпир", "koshkopir" }, { "Кошкупыр", "koshkupir" },
		{ "Ургенч", "urgench" }, { "Хива", "hiva" }, { "Xiva", "hiva" },
		{ "Tuproqqalʼa", "tuprokkala" }, { "Тупроққалъа", "tuprokkala" },
		{ "  Gurlan   tumani! ", "gurlan tumani" }, { "Ҳазорасп", "hazorasp" },
		{ "Bog`ot", "bogot" }, { "—", "" },
	};
	char	out[64];

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		fold_text(pairs[i][0], out, sizeof(out));
		CHECK_STR(out, pairs[i][1]);
	}
	CHECK_INT(fold_text("\xff", out, sizeof(out)), 0);
	/* a small buffer is cut, never overrun */
	CHECK_INT(fold_text("Yangibozor", out, 5), 4);
	CHECK_STR(out, "yang");
}

/* What every programme and office reply costs, per language. */
static void
test_budget(struct store *st, const struct catalog *cat)
{
	struct prog_def		*p = malloc(sizeof(*p));
	struct office		*o = malloc(sizeof(*o));
	struct rules_crit	 crit[RULES_MAX_CRIT];
	size_t			 ncrit;
	char			 codes[512], *c, *save = NULL, what[128];
	int			 n = 0;

	CHECK(p != NULL && o != NULL);
	if (p == NULL || o == NULL) {
		free(p);
		free(o);
		return;
	}
	CHECK_INT(store_begin(st), MJ_OK);
	CHECK_INT(store_rules_codes(st, codes, sizeof(codes)), MJ_OK);
	for (c = strtok_r(codes, ";", &save); c != NULL;
	    c = strtok_r(NULL, ";", &save)) {
		CHECK_INT(store_rules_get(st, c, p), MJ_OK);
		CHECK_INT(rules_resolve(st, p, crit, &ncrit, NULL, 0),
		    MJ_OK);
		for (int l = 0; l < LANG__COUNT; l++) {
			int seg = elig_worst_segments(cat, (enum lang)l, p, crit,
			    ncrit, what, sizeof(what));

			printf("budget %-16s %-7s %d segments (worst: %s)\n", c,
			    lang_tag((enum lang)l), seg, what);
			CHECK(seg >= 1 && seg <= 2);
		}
		n++;
	}
	CHECK_INT(n, 7);
	for (int i = 0; store_rules_office_at(st, i, o) == MJ_OK; i++)
		for (int l = 0; l < LANG__COUNT; l++) {
			int seg = elig_office_segments(cat, (enum lang)l, o);

			CHECK(seg >= 1 && seg <= 2);
		}
	store_end(st, 0);
	free(p);
	free(o);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
test_import_export(struct store *st, const struct catalog *cat,
    const char *dir)
{
	char		 path[512], path2[512], where[512], *a = NULL, *b = NULL;
	size_t		 na = 0, nb = 0;
	FILE		*f;
	struct setting	 s;

	/* export, import the export, export again: the same */
	snprintf(path, sizeof(path), "%s/export.json", dir);
	snprintf(path2, sizeof(path2), "%s/export2.json", dir);
	f = open_memstream(&a, &na);
	CHECK_INT(rules_data_export(st, f), MJ_OK);
	fclose(f);
	write_file(path, a);
	CHECK_INT(rules_data_import(st, cat, 2, path, where, sizeof(where)),
	    MJ_OK);
	f = open_memstream(&b, &nb);
	CHECK_INT(rules_data_export(st, f), MJ_OK);
	fclose(f);
	CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
	free(b);
	b = NULL;
	/* a changed threshold goes in */
	{
		char *at = a != NULL ? strstr(a, "\"value\": 715000") : NULL;

		CHECK(at != NULL);
		if (at != NULL) {
			memcpy(at, "\"value\": 915000", 15);
			write_file(path2, a);
			CHECK_INT(rules_data_import(st, cat, 2, path2, where,
			    sizeof(where)), MJ_OK);
			store_begin(st);
			CHECK_INT(store_rules_setting_get(st, "mce", &s), MJ_OK);
			store_end(st, 0);
			CHECK(s.value == 915000);
			CHECK_INT(s.year, 2026);
		}
	}
	free(a);
	/* bad files change nothing and say where */
	write_file(path, "{\"format\": \"murojaat-rules/1\", \"settings\": "
	    "[{\"key\": \"mce\", \"value\": 1}], \"programmes\": [{\"code\": "
	    "\"child_allowance\", \"criteria\": [{\"fact\": \"wealth\", "
	    "\"op\": \"lt\", \"reason\": \"x\"}], \"texts\": {}}]}");
	CHECK_INT(rules_data_import(st, cat, 2, path, where, sizeof(where)),
	    MJ_EINPUT);
	CHECK(strstr(where, "wealth") != NULL);
	store_begin(st);
	CHECK_INT(store_rules_setting_get(st, "mce", &s), MJ_OK);
	store_end(st, 0);
	CHECK(s.value == 915000);
	write_file(path, "{\"format\": \"murojaat-rules/1\", \"programmes\": [");
	CHECK_INT(rules_data_import(st, cat, 2, path, where, sizeof(where)),
	    MJ_EINPUT);
	write_file(path, "{\"format\": \"other\"}");
	CHECK_INT(rules_data_import(st, cat, 2, path, where, sizeof(where)),
	    MJ_EINPUT);
	snprintf(path, sizeof(path), "%s/none.json", dir);
	CHECK_INT(rules_data_import(st, cat, 2, path, where, sizeof(where)),
	    MJ_ENOTFOUND);
	/* a text over the SMS budget is refused */
	f = open_memstream(&a, &na);
	rules_data_export(st, f);
	fclose(f);
	{
		char *at = a != NULL ? strstr(a, "\"Пособие на детей\"") : NULL;

		CHECK(at != NULL);
		if (at != NULL) {
			char	*big = malloc(strlen(a) + 400);
			size_t	 pre = (size_t)(at - a);

			snprintf(big, strlen(a) + 400, "%.*s\"%s\"%s", (int)pre,
			    a, "Пособие на детей из малообеспеченных семей по "
			    "решению Единого реестра социальной защиты",
			    at + strlen("\"Пособие на детей\""));
			snprintf(path, sizeof(path), "%s/long.json", dir);
			write_file(path, big);
			free(big);
			CHECK_INT(rules_data_import(st, cat, 2, path, where,
			    sizeof(where)), MJ_ETOOBIG);
			CHECK(strstr(where, "ru") != NULL);
		}
	}
	free(a);
	/* offices: a bad row */
	snprintf(path, sizeof(path), "%s/offices.tsv", dir);
	write_file(path, "district\tregion\tdays\topens\tcloses\t"
	    "name.uz-Latn\tname.uz-Cyrl\tname.ru\tname.en\taddress.uz-Latn\t"
	    "address.uz-Cyrl\taddress.ru\taddress.en\n"
	    "x\ty\t1-5\t9am\t18:00\ta\tb\tc\td\te\tf\tg\th\n");
	CHECK_INT(rules_data_import(st, cat, 2, path, where, sizeof(where)),
	    MJ_EINPUT);
	CHECK(strstr(where, ":2:") != NULL);
}

/* A programme read in a transaction of its own. */
static enum mj_err
get_in_tx(struct store *st, const char *code, struct prog_def *p)
{
	enum mj_err	rc;

	if (store_begin(st) != MJ_OK)
		return MJ_EDB;
	rc = store_rules_get(st, code, p);
	store_end(st, 0);
	return rc;
}

/*
 * PostgreSQL: two stores on one database stand for two nodes.  A node
 * keeps the programmes it read in memory; a change another node commits
 * is what it answers with next, a change still under way is not, and a
 * change rolled back is never answered with, not even after another
 * node's commit moved the data's version on.
 */
static void
test_two_nodes(struct store *a, const char *url)
{
	struct store	*b = NULL;
	struct prog_def	*p = malloc(sizeof(*p)), *q = malloc(sizeof(*q));
	int		 period;

	CHECK(p != NULL && q != NULL);
	CHECK_INT(store_open(&b, url), MJ_OK);
	if (p == NULL || q == NULL || b == NULL)
		goto out;
	CHECK_INT(get_in_tx(b, "child_allowance", p), MJ_OK);
	CHECK_INT(get_in_tx(b, "child_allowance", q), MJ_OK);
	CHECK(memcmp(p, q, sizeof(*p)) == 0);
	period = p->period_months;

	/* a changes it: b answers with the old until a commits */
	*q = *p;
	q->period_months = period + 5;
	snprintf(q->text[LANG_EN][PF_NAME], sizeof(q->text[0][0]),
	    "Child allowance, changed");
	CHECK_INT(store_begin(a), MJ_OK);
	CHECK_INT(store_rules_put(a, q, 1), MJ_OK);
	CHECK_INT(get_in_tx(b, "child_allowance", q), MJ_OK);
	CHECK_INT(q->period_months, period);
	CHECK_INT(store_end(a, 1), MJ_OK);
	CHECK_INT(get_in_tx(b, "child_allowance", q), MJ_OK);
	CHECK_INT(q->period_months, period + 5);
	CHECK_STR(q->text[LANG_EN][PF_NAME], "Child allowance, changed");

	/* b changes it, reads its change, rolls back; then a commits */
	q->period_months = 99;
	CHECK_INT(store_begin(b), MJ_OK);
	CHECK_INT(store_rules_put(b, q, 2), MJ_OK);
	CHECK_INT(store_rules_get(b, "child_allowance", q), MJ_OK);
	CHECK_INT(q->period_months, 99);
	store_end(b, 0);
	q->period_months = period + 6;
	CHECK_INT(store_begin(a), MJ_OK);
	CHECK_INT(store_rules_put(a, q, 3), MJ_OK);
	CHECK_INT(store_end(a, 1), MJ_OK);
	CHECK_INT(get_in_tx(b, "child_allowance", q), MJ_OK);
	CHECK_INT(q->period_months, period + 6);

	/* a setting b changes is what a reads (settings are not kept) */
	{
		struct setting s, t;

		CHECK_INT(store_begin(a), MJ_OK);
		CHECK_INT(store_rules_setting_get(a, "mce", &s), MJ_OK);
		store_end(a, 0);
		t = s;
		t.value = s.value + 1;
		CHECK_INT(store_begin(b), MJ_OK);
		CHECK_INT(store_rules_setting_put(b, &t), MJ_OK);
		CHECK_INT(store_end(b, 1), MJ_OK);
		CHECK_INT(store_begin(a), MJ_OK);
		CHECK_INT(store_rules_setting_get(a, "mce", &t), MJ_OK);
		store_end(a, 0);
		CHECK(t.value == s.value + 1);
		CHECK_INT(store_begin(b), MJ_OK);
		CHECK_INT(store_rules_setting_put(b, &s), MJ_OK);
		CHECK_INT(store_end(b, 1), MJ_OK);
	}

	/* as it was, read by both */
	CHECK_INT(store_begin(b), MJ_OK);
	CHECK_INT(store_rules_put(b, p, 4), MJ_OK);
	CHECK_INT(store_end(b, 1), MJ_OK);
	CHECK_INT(get_in_tx(a, "child_allowance", q), MJ_OK);
	CHECK(memcmp(p, q, sizeof(*p)) == 0);
	CHECK_INT(get_in_tx(b, "child_allowance", q), MJ_OK);
	CHECK(memcmp(p, q, sizeof(*p)) == 0);
out:
	store_close(b);
	free(p);
	free(q);
}

int
main(void)
{
	char		 dir[] = "/tmp/rules_test.XXXXXX", db[600], where[512],
			 url[600];
	struct store	*st = NULL;
	struct catalog	*cat = NULL;

	test_answer_rules();
	test_fold();
	test_answers_table();
	test_doubts_table();
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/t.db", dir);
	CHECK_INT(catalog_load(&cat, "locales", where, sizeof(where)), MJ_OK);
	CHECK_INT(store_open(&st, test_store_target(url, sizeof(url), db)),
	    MJ_OK);
	if (st != NULL && cat != NULL) {
		CHECK_INT(rules_data_seed(st, cat, 2, "data", where,
		    sizeof(where)), MJ_OK);
		if (where[0] != '\0')
			fprintf(stderr, "seed: %s\n", where);
		/* seeding twice does nothing */
		CHECK_INT(rules_data_seed(st, cat, 2, "/nonexistent", where,
		    sizeof(where)), MJ_OK);
		test_rules_table(st);
		test_budget(st, cat);
		test_import_export(st, cat, dir);
		if (test_pg())
			test_two_nodes(st, url);
	}
	store_close(st);
	catalog_free(cat);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			check_failed++;
	}
	return check_done("rules_test");
}
