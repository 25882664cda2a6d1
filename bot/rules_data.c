/*
 * rules_data.c - programmes (JSON, jansson) between the data file and the
 * store, checked whole before they are committed (see rules_data.h); the
 * offices' TSV is offices.c's, and the import and export commands hand
 * .tsv files to it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/log.h"
#include "bot/elig_text.h"
#include "bot/offices.h"
#include "bot/rules.h"
#include "bot/rules_data.h"
#include "store/programmes.h"

#define FORMAT	"murojaat-rules/1"

/* Copy a JSON string member; 0 when absent (then dst is ""). */
static int
get_str(json_t *o, const char *key, char *dst, size_t len, char *err,
    size_t errlen)
{
	json_t	*v = json_object_get(o, key);

	dst[0] = '\0';
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s: not a string", key);
		return -1;
	}
	if (strlen(json_string_value(v)) >= len) {
		snprintf(err, errlen, "%s: longer than %zu bytes", key,
		    len - 1);
		return -1;
	}
	snprintf(dst, len, "%s", json_string_value(v));
	return 1;
}

static int
get_num(json_t *o, const char *key, double *out, char *err, size_t errlen)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v) || !isfinite(json_number_value(v))) {
		snprintf(err, errlen, "%s: not a number", key);
		return -1;
	}
	*out = json_number_value(v);
	return 1;
}

static int
get_money(json_t *o, const char *key, long long *out, char *err,
    size_t errlen)
{
	double	v = 0;
	int	rc = get_num(o, key, &v, err, errlen);

	if (rc == 1 && (v < 0 || v > 1e12 || v != floor(v))) {
		snprintf(err, errlen, "%s: not whole soums", key);
		return -1;
	}
	*out = rc == 1 ? (long long)v : 0;
	return rc;
}

static int
parse_setting(json_t *j, struct setting *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	if (!json_is_object(j)) {
		snprintf(err, errlen, "not an object");
		return -1;
	}
	if (get_str(j, "key", s->key, sizeof(s->key), err, errlen) != 1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "key: missing");
		return -1;
	}
	if (get_num(j, "value", &s->value, err, errlen) != 1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: value: missing", s->key);
		return -1;
	}
	{
		double y = 0;

		if (get_num(j, "year", &y, err, errlen) < 0)
			return -1;
		s->year = (int)y;
	}
	if (get_str(j, "unit", s->unit, sizeof(s->unit), err, errlen) < 0 ||
	    get_str(j, "source", s->source, sizeof(s->source), err,
	    errlen) < 0)
		return -1;
	return 0;
}

static int
parse_crit(json_t *j, struct crit_def *c, char *err, size_t errlen)
{
	json_t	*vals;
	int	 op, fact;

	memset(c, 0, sizeof(*c));
	c->factor = 1;
	if (!json_is_object(j)) {
		snprintf(err, errlen, "criterion: not an object");
		return -1;
	}
	if (get_str(j, "fact", c->fact, sizeof(c->fact), err, errlen) != 1 ||
	    (fact = rules_fact_from_name(c->fact)) < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "fact \"%s\": not one of members, "
			    "income3m, children, under3, age, "
			    "disability_group, registry, income_pc", c->fact);
		return -1;
	}
	if (get_str(j, "op", c->op, sizeof(c->op), err, errlen) != 1 ||
	    (op = rules_op_from_name(c->op)) < 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "op \"%s\": not one of lt, le, gt, "
			    "ge, eq, ne, between, in", c->op);
		return -1;
	}
	if (get_str(j, "reason", c->reason, sizeof(c->reason), err,
	    errlen) != 1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: reason: missing", c->fact);
		return -1;
	}
	if (get_str(j, "ref", c->ref, sizeof(c->ref), err, errlen) < 0 ||
	    get_num(j, "value", &c->value, err, errlen) < 0 ||
	    get_num(j, "value2", &c->value2, err, errlen) < 0 ||
	    get_num(j, "factor", &c->factor, err, errlen) < 0 ||
	    get_num(j, "unsure", &c->unsure, err, errlen) < 0)
		return -1;
	if (c->factor <= 0 || c->unsure < 0) {
		snprintf(err, errlen, "%s: factor and unsure must be positive",
		    c->fact);
		return -1;
	}
	if ((vals = json_object_get(j, "values")) != NULL) {
		size_t	i, o = 0;
		json_t	*v;

		if (!json_is_array(vals) || json_array_size(vals) == 0 ||
		    json_array_size(vals) > RULES_MAX_VALS) {
			snprintf(err, errlen, "%s: values: 1 to %d numbers",
			    c->fact, RULES_MAX_VALS);
			return -1;
		}
		json_array_foreach(vals, i, v) {
			if (!json_is_number(v)) {
				snprintf(err, errlen, "%s: values: not a number",
				    c->fact);
				return -1;
			}
			o += (size_t)snprintf(c->vals + o, sizeof(c->vals) - o,
			    "%s%g", o > 0 ? ";" : "", json_number_value(v));
			if (o >= sizeof(c->vals)) {
				snprintf(err, errlen, "%s: values: too long",
				    c->fact);
				return -1;
			}
		}
	}
	if (op == OP_IN && c->vals[0] == '\0') {
		snprintf(err, errlen, "%s: op in needs values", c->fact);
		return -1;
	}
	return 0;
}

static int
parse_amount(json_t *j, struct prog_def *p, char *err, size_t errlen)
{
	char	kind[16];

	if (j == NULL || json_is_null(j))
		return 0;
	if (!json_is_object(j)) {
		snprintf(err, errlen, "amount: not an object");
		return -1;
	}
	if (get_str(j, "kind", kind, sizeof(kind), err, errlen) < 0)
		return -1;
	if (strcmp(kind, "fixed") == 0)
		p->amount.kind = AMOUNT_FIXED;
	else if (strcmp(kind, "per_child") == 0)
		p->amount.kind = AMOUNT_PER_CHILD;
	else if (strcmp(kind, "none") == 0 || kind[0] == '\0')
		p->amount.kind = AMOUNT_NONE;
	else {
		snprintf(err, errlen, "amount: kind \"%s\": not fixed, "
		    "per_child or none", kind);
		return -1;
	}
	if (get_money(j, "value", &p->amount.fixed, err, errlen) < 0 ||
	    get_money(j, "first", &p->amount.first, err, errlen) < 0 ||
	    get_money(j, "first_under3", &p->amount.first_under3, err,
	    errlen) < 0 ||
	    get_money(j, "second", &p->amount.second, err, errlen) < 0 ||
	    get_money(j, "further", &p->amount.further, err, errlen) < 0 ||
	    get_str(j, "since", p->amount_since, sizeof(p->amount_since), err,
	    errlen) < 0)
		return -1;
	if ((p->amount.kind == AMOUNT_FIXED && p->amount.fixed <= 0) ||
	    (p->amount.kind == AMOUNT_PER_CHILD && p->amount.first <= 0)) {
		snprintf(err, errlen, "amount: %s needs %s", kind,
		    p->amount.kind == AMOUNT_FIXED ? "value" : "first");
		return -1;
	}
	return 0;
}

static int
parse_programme(json_t *j, struct prog_def *p, char *err, size_t errlen)
{
	json_t		*v, *texts;
	size_t		 i, o = 0;
	double		 d;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(j)) {
		snprintf(err, errlen, "not an object");
		return -1;
	}
	if (get_str(j, "code", p->code, sizeof(p->code), err, errlen) != 1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "code: missing");
		return -1;
	}
	if (get_num(j, "general", &d, err, errlen) == 1)
		p->general = (int)d;
	else if (err[0] != '\0')
		return -1;
	if (get_num(j, "period_months", &d, err, errlen) == 1)
		p->period_months = (int)d;
	else if (err[0] != '\0')
		return -1;
	if (get_str(j, "legal_basis", p->legal_basis, sizeof(p->legal_basis),
	    err, errlen) < 0 || get_str(j, "source", p->source,
	    sizeof(p->source), err, errlen) < 0 ||
	    parse_amount(json_object_get(j, "amount"), p, err, errlen) < 0)
		return -1;
	if ((v = json_object_get(j, "ask")) != NULL) {
		json_t *f;

		if (!json_is_array(v)) {
			snprintf(err, errlen, "ask: not an array");
			return -1;
		}
		json_array_foreach(v, i, f) {
			int fact = json_is_string(f) ?
			    rules_fact_from_name(json_string_value(f)) : -1;

			if (fact < 0 || fact >= FACT__ASKED) {
				snprintf(err, errlen, "ask[%zu]: not a fact that "
				    "can be asked", i);
				return -1;
			}
			o += (size_t)snprintf(p->ask + o, sizeof(p->ask) - o,
			    "%s%s", o > 0 ? ";" : "", json_string_value(f));
			if (o >= sizeof(p->ask)) {
				snprintf(err, errlen, "ask: too many");
				return -1;
			}
		}
	}
	if ((v = json_object_get(j, "criteria")) != NULL) {
		json_t *c;

		if (!json_is_array(v) ||
		    json_array_size(v) > RULES_MAX_CRIT) {
			snprintf(err, errlen, "criteria: an array of at most %d",
			    RULES_MAX_CRIT);
			return -1;
		}
		json_array_foreach(v, i, c) {
			char e[200] = "";

			if (parse_crit(c, &p->crit[i], e, sizeof(e)) < 0) {
				snprintf(err, errlen, "criteria[%zu]: %s", i, e);
				return -1;
			}
			p->ncrit++;
		}
	}
	if ((texts = json_object_get(j, "texts")) == NULL ||
	    !json_is_object(texts)) {
		snprintf(err, errlen, "texts: missing");
		return -1;
	}
	for (int l = 0; l < LANG__COUNT; l++) {
		json_t *t = json_object_get(texts, lang_tag((enum lang)l));

		if (t == NULL || !json_is_object(t)) {
			snprintf(err, errlen, "texts: %s missing",
			    lang_tag((enum lang)l));
			return -1;
		}
		for (int f = 0; f < PF__COUNT; f++) {
			char e[160] = "";

			if (get_str(t, prog_field_name((enum prog_field)f),
			    p->text[l][f], sizeof(p->text[l][f]), e,
			    sizeof(e)) != 1) {
				snprintf(err, errlen, "texts: %s: %s",
				    lang_tag((enum lang)l), e[0] != '\0' ? e :
				    prog_field_name((enum prog_field)f));
				if (e[0] == '\0')
					strncat(err, ": missing", errlen -
					    strlen(err) - 1);
				return -1;
			}
		}
	}
	return 0;
}

/* Every reply p can give, in every language, within budget. */
static enum mj_err
check_programme(struct store *st, const struct catalog *cat, int budget,
    const struct prog_def *p, char *err, size_t errlen)
{
	struct rules_crit	crit[RULES_MAX_CRIT];
	size_t			ncrit;
	char			what[120] = "";
	enum mj_err		rc;

	if ((rc = rules_resolve(st, p, crit, &ncrit, what,
	    sizeof(what))) != MJ_OK) {
		snprintf(err, errlen, "%s: not found", what);
		return MJ_EINPUT;
	}
	for (size_t i = 0; i < ncrit; i++) {
		int asked = crit[i].fact == FACT_INCOME_PC ?
		    strstr(p->ask, "members") != NULL &&
		    strstr(p->ask, "income3m") != NULL :
		    strstr(p->ask, rules_fact_name(crit[i].fact)) != NULL;

		if (!asked)
			log_warn("rules.unasked", "programme=%s fact=%s "
			    "why=\"never asked: always cannot tell\"", p->code,
			    rules_fact_name(crit[i].fact));
	}
	if (cat == NULL)
		return MJ_OK;
	for (int l = 0; l < LANG__COUNT; l++) {
		int seg = elig_worst_segments(cat, (enum lang)l, p, crit,
		    ncrit, what, sizeof(what));

		if (seg < 0) {
			snprintf(err, errlen, "%s: %s cannot be rendered "
			    "(catalogue entry missing?)", lang_tag((enum lang)l),
			    what);
			return MJ_EINPUT;
		}
		if (seg > budget) {
			snprintf(err, errlen, "%s: %s needs %d SMS segments "
			    "(budget %d): shorten the texts",
			    lang_tag((enum lang)l), what, seg, budget);
			return MJ_ETOOBIG;
		}
	}
	return MJ_OK;
}

static enum mj_err
import_json(struct store *st, const struct catalog *cat, int budget,
    const char *path, char *where, size_t wherelen)
{
	json_error_t	 je;
	json_t		*root, *arr, *v, *fmt;
	struct prog_def	*p = NULL;
	char		 err[400] = "";
	enum mj_err	 rc = MJ_EINPUT;
	size_t		 i;
	int64_t		 now = (int64_t)time(NULL);

	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &je)) ==
	    NULL) {
		snprintf(where, wherelen, "%s:%d: %s", path, je.line, je.text);
		return errno == ENOENT ? MJ_ENOTFOUND : MJ_EINPUT;
	}
	if (!json_is_object(root) || (fmt = json_object_get(root, "format")) ==
	    NULL || !json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), FORMAT) != 0) {
		snprintf(where, wherelen, "%s: format: not \"%s\"", path, FORMAT);
		json_decref(root);
		return MJ_EINPUT;
	}
	if ((p = malloc(sizeof(*p))) == NULL) {
		json_decref(root);
		return MJ_ENOMEM;
	}
	if ((rc = store_begin(st)) != MJ_OK)
		goto out;
	rc = MJ_EINPUT;
	arr = json_object_get(root, "settings");
	if (arr != NULL && !json_is_array(arr)) {
		snprintf(where, wherelen, "%s: settings: not an array", path);
		goto end;
	}
	json_array_foreach(arr, i, v) {
		struct setting s;

		err[0] = '\0';
		if (parse_setting(v, &s, err, sizeof(err)) < 0) {
			snprintf(where, wherelen, "%s: settings[%zu]: %s", path,
			    i, err);
			goto end;
		}
		if ((rc = store_rules_setting_put(st, &s)) != MJ_OK)
			goto end;
		rc = MJ_EINPUT;
	}
	arr = json_object_get(root, "programmes");
	if (arr == NULL || !json_is_array(arr)) {
		snprintf(where, wherelen, "%s: programmes: not an array", path);
		goto end;
	}
	json_array_foreach(arr, i, v) {
		err[0] = '\0';
		if (parse_programme(v, p, err, sizeof(err)) < 0) {
			snprintf(where, wherelen, "%s: programmes[%zu]%s%s: %s",
			    path, i, p->code[0] != '\0' ? " " : "", p->code, err);
			goto end;
		}
		if ((rc = store_rules_put(st, p, now)) != MJ_OK)
			goto end;
	}
	/* Checked after all are in: a figure may come later in the file. */
	json_array_foreach(arr, i, v) {
		char code[24];

		get_str(v, "code", code, sizeof(code), err, sizeof(err));
		if ((rc = store_rules_get(st, code, p)) != MJ_OK)
			goto end;
		err[0] = '\0';
		if ((rc = check_programme(st, cat, budget, p, err,
		    sizeof(err))) != MJ_OK) {
			snprintf(where, wherelen, "%s: %s: %s", path, code, err);
			goto end;
		}
	}
	rc = MJ_OK;
end:
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_EDB && where[0] == '\0')
		snprintf(where, wherelen, "%s: the store failed (see the log)",
		    path);
out:
	free(p);
	json_decref(root);
	return rc;
}

enum mj_err
rules_data_import(struct store *st, const struct catalog *cat, int budget,
    const char *path, char *where, size_t wherelen)
{
	size_t	n = strlen(path);

	where[0] = '\0';
	if (n > 4 && strcmp(path + n - 4, ".tsv") == 0)
		return offices_import(st, cat, budget, path, where, wherelen);
	return import_json(st, cat, budget, path, where, wherelen);
}

/* A number as JSON: an integer when it is one. */
static json_t *
num(double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *
programme_json(const struct prog_def *p)
{
	json_t	*o = json_object(), *ask = json_array(), *crit = json_array(),
		*texts = json_object(), *am = json_object();
	char	 buf[sizeof(p->ask)], *s, *save = NULL;

	json_object_set_new(o, "code", json_string(p->code));
	if (p->general > 0)
		json_object_set_new(o, "general", json_integer(p->general));
	snprintf(buf, sizeof(buf), "%s", p->ask);
	for (s = strtok_r(buf, ";", &save); s != NULL;
	    s = strtok_r(NULL, ";", &save))
		json_array_append_new(ask, json_string(s));
	json_object_set_new(o, "ask", ask);
	switch (p->amount.kind) {
	case AMOUNT_FIXED:
		json_object_set_new(am, "kind", json_string("fixed"));
		json_object_set_new(am, "value", json_integer(p->amount.fixed));
		break;
	case AMOUNT_PER_CHILD:
		json_object_set_new(am, "kind", json_string("per_child"));
		json_object_set_new(am, "first", json_integer(p->amount.first));
		json_object_set_new(am, "first_under3",
		    json_integer(p->amount.first_under3));
		json_object_set_new(am, "second", json_integer(p->amount.second));
		json_object_set_new(am, "further",
		    json_integer(p->amount.further));
		break;
	default:
		json_object_set_new(am, "kind", json_string("none"));
	}
	if (p->amount_since[0] != '\0')
		json_object_set_new(am, "since", json_string(p->amount_since));
	json_object_set_new(o, "amount", am);
	json_object_set_new(o, "period_months", json_integer(p->period_months));
	for (size_t i = 0; i < p->ncrit; i++) {
		const struct crit_def	*c = &p->crit[i];
		json_t			*j = json_object();

		json_object_set_new(j, "fact", json_string(c->fact));
		json_object_set_new(j, "op", json_string(c->op));
		if (c->ref[0] != '\0') {
			json_object_set_new(j, "ref", json_string(c->ref));
			json_object_set_new(j, "factor", num(c->factor));
		} else
			json_object_set_new(j, "value", num(c->value));
		if (strcmp(c->op, "between") == 0)
			json_object_set_new(j, "value2", num(c->value2));
		if (c->unsure > 0)
			json_object_set_new(j, "unsure", num(c->unsure));
		if (c->vals[0] != '\0') {
			double	 vals[RULES_MAX_VALS];
			json_t	*va = json_array();
			char	*end;
			const char *q = c->vals;
			size_t	 n = 0;

			while (*q != '\0' && n < RULES_MAX_VALS) {
				vals[n] = strtod(q, &end);
				if (end == q)
					break;
				json_array_append_new(va, num(vals[n++]));
				q = end + strspn(end, "; ");
			}
			json_object_set_new(j, "values", va);
		}
		json_object_set_new(j, "reason", json_string(c->reason));
		json_array_append_new(crit, j);
	}
	json_object_set_new(o, "criteria", crit);
	for (int l = 0; l < LANG__COUNT; l++) {
		json_t *t = json_object();

		for (int f = 0; f < PF__COUNT; f++)
			json_object_set_new(t, prog_field_name((enum prog_field)f),
			    json_string(p->text[l][f]));
		json_object_set_new(texts, lang_tag((enum lang)l), t);
	}
	json_object_set_new(o, "texts", texts);
	json_object_set_new(o, "legal_basis", json_string(p->legal_basis));
	json_object_set_new(o, "source", json_string(p->source));
	return o;
}

enum mj_err
rules_data_export(struct store *st, FILE *f)
{
	json_t		*root = json_object(), *sets = json_array(),
			*progs = json_array();
	struct prog_def	*p;
	struct setting	 s;
	char		 codes[2048], *c, *save = NULL;
	enum mj_err	 rc;

	if ((p = malloc(sizeof(*p))) == NULL) {
		json_decref(root);
		json_decref(sets);
		json_decref(progs);
		return MJ_ENOMEM;
	}
	json_object_set_new(root, "format", json_string(FORMAT));
	if ((rc = store_begin(st)) != MJ_OK)
		goto fail;
	for (int i = 0; (rc = store_rules_setting_at(st, i, &s)) == MJ_OK;
	    i++) {
		json_t *j = json_object();

		json_object_set_new(j, "key", json_string(s.key));
		json_object_set_new(j, "value", num(s.value));
		if (s.year > 0)
			json_object_set_new(j, "year", json_integer(s.year));
		json_object_set_new(j, "unit", json_string(s.unit));
		json_object_set_new(j, "source", json_string(s.source));
		json_array_append_new(sets, j);
	}
	if (rc != MJ_ENOTFOUND ||
	    (rc = store_rules_codes(st, codes, sizeof(codes))) != MJ_OK) {
		store_end(st, 0);
		goto fail;
	}
	for (c = strtok_r(codes, ";", &save); c != NULL;
	    c = strtok_r(NULL, ";", &save)) {
		if ((rc = store_rules_get(st, c, p)) != MJ_OK) {
			store_end(st, 0);
			goto fail;
		}
		json_array_append_new(progs, programme_json(p));
	}
	store_end(st, 0);
	json_object_set_new(root, "settings", sets);
	json_object_set_new(root, "programmes", progs);
	sets = progs = NULL;
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
	    fputc('\n', f) != EOF ? MJ_OK : MJ_EINTERNAL;
fail:
	json_decref(sets);
	json_decref(progs);
	json_decref(root);
	free(p);
	return rc;
}


enum mj_err
rules_data_seed(struct store *st, const struct catalog *cat, int budget,
    const char *dir, char *where, size_t wherelen)
{
	struct setting	s;
	char		path[1024];
	enum mj_err	rc;

	where[0] = '\0';
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	rc = store_rules_setting_get(st, "mce", &s);
	store_end(st, 0);
	if (rc != MJ_ENOTFOUND)
		return rc;
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, i == 0 ?
		    "programmes.json" : "offices.tsv");
		rc = rules_data_import(st, cat, budget, path, where, wherelen);
		if (rc == MJ_ETOOBIG) {
			/*
			 * A smaller sms.budget than the data was written for:
			 * start anyway; long replies are shortened with "more".
			 */
			log_warn("rules.over_budget", "why=\"%s\"", where);
			rc = rules_data_import(st, NULL, budget, path, where,
			    wherelen);
		}
		if (rc != MJ_OK)
			return rc;
	}
	log_info("rules.seeded", "dir=\"%s\"", dir);
	return MJ_OK;
}

int
rules_data_cmd(struct store *st, const struct catalog *cat,
    const struct conf *conf, int argc, char **argv)
{
	char		where[1024];
	enum mj_err	rc;

	if (argc >= 2 && strcmp(argv[0], "import") == 0) {
		for (int i = 1; i < argc; i++) {
			if ((rc = rules_data_import(st, cat, conf->sms_budget,
			    argv[i], where, sizeof(where))) != MJ_OK) {
				fprintf(stderr, "murojaat rules import: %s\n",
				    where[0] != '\0' ? where : mj_strerror(rc));
				return 1;
			}
			fprintf(stderr, "murojaat rules import: %s: imported\n",
			    argv[i]);
		}
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "export") == 0) {
		int offices = argc >= 2 && strcmp(argv[1], "--offices") == 0;

		rc = offices ? offices_export(st, stdout) :
		    rules_data_export(st, stdout);
		if (rc != MJ_OK) {
			fprintf(stderr, "murojaat rules export: %s\n",
			    mj_strerror(rc));
			return 1;
		}
		return fflush(stdout) == 0 ? 0 : 1;
	}
	fprintf(stderr, "usage: murojaat rules import FILE...  (programmes "
	    ".json or offices .tsv)\n"
	    "       murojaat rules export [--offices]\n");
	return 2;
}

/* "1;2;3" into vals; the count. */
static size_t
parse_vals(const char *s, double *vals, size_t max)
{
	size_t	n = 0;
	char	*end;

	while (*s != '\0' && n < max) {
		double v = strtod(s, &end);

		if (end == s)
			break;
		vals[n++] = v;
		s = end;
		while (*s == ';' || *s == ' ' || *s == ',')
			s++;
	}
	return n;
}

enum mj_err
rules_resolve(struct store *st, const struct prog_def *p,
    struct rules_crit *out, size_t *n, char *what, size_t whatlen)
{
	enum mj_err	rc;

	*n = 0;
	for (size_t i = 0; i < p->ncrit && i < RULES_MAX_CRIT; i++) {
		const struct crit_def	*c = &p->crit[i];
		struct rules_crit	*r = &out[*n];
		int			 f = rules_fact_from_name(c->fact),
					 o = rules_op_from_name(c->op);
		double			 factor = c->factor != 0 ? c->factor : 1;

		if (f < 0 || o < 0) {
			if (what != NULL)
				snprintf(what, whatlen, "%s: %s %s", p->code,
				    c->fact, c->op);
			return MJ_EINPUT;
		}
		memset(r, 0, sizeof(*r));
		r->fact = (enum rules_fact)f;
		r->op = (enum rules_op)o;
		r->value = c->value;
		r->value2 = c->value2;
		if (c->ref[0] != '\0') {
			struct setting s;

			if ((rc = store_rules_setting_get(st, c->ref, &s)) !=
			    MJ_OK) {
				if (what != NULL)
					snprintf(what, whatlen, "%s: figure %s",
					    p->code, c->ref);
				return rc;
			}
			r->value = s.value * factor;
		}
		r->unsure = c->unsure;
		r->nvals = parse_vals(c->vals, r->vals, RULES_MAX_VALS);
		snprintf(r->reason, sizeof(r->reason), "%s", c->reason);
		(*n)++;
	}
	return MJ_OK;
}
