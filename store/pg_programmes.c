/*
 * pg_programmes.c - programmes.h on PostgreSQL: programmes, their texts and
 * criteria, settings, offices and district spellings.  What programmes.c
 * keeps in memory (the last programmes read, the spellings) is kept here
 * too, in the same fields of struct store, and dropped when rules_version
 * (migration 0005: moved by a trigger on every write of these tables, by
 * any node) no longer holds the value it was read at.  Lists are ordered
 * COLLATE "C", byte order, as SQLite's BINARY orders them, whatever the
 * cluster's collation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"
#include "store/pg_programmes.h"
#include "store/programmes_int.h"
#include "store/store_int.h"

static const char SQL_PROG_PUT[] =
    "INSERT INTO programmes (code, amount_min, amount_max, period_months, "
    "documents, apply_via, decision, legal_basis, source, general, ask, "
    "amount_kind, amount_fixed, amount_first, amount_first_under3, "
    "amount_second, amount_further, amount_since, updated_at) VALUES ($1, "
    "nullif($2::bigint, 0), nullif($3::bigint, 0), $4, '', '', NULL, $5, "
    "$6, $7, $8, $9, $10, $11, $12, $13, $14, nullif($15, ''), $16) "
    "ON CONFLICT (code) DO UPDATE SET amount_min = excluded.amount_min, "
    "amount_max = excluded.amount_max, "
    "period_months = excluded.period_months, "
    "legal_basis = excluded.legal_basis, source = excluded.source, "
    "general = excluded.general, ask = excluded.ask, "
    "amount_kind = excluded.amount_kind, "
    "amount_fixed = excluded.amount_fixed, "
    "amount_first = excluded.amount_first, "
    "amount_first_under3 = excluded.amount_first_under3, "
    "amount_second = excluded.amount_second, "
    "amount_further = excluded.amount_further, "
    "amount_since = excluded.amount_since, updated_at = excluded.updated_at";
static const char SQL_TEXTS_DEL[] =
    "DELETE FROM programme_texts WHERE code = $1";
static const char SQL_TEXT_PUT[] =
    "INSERT INTO programme_texts (code, lang, field, text) "
    "VALUES ($1, $2, $3, $4)";
static const char SQL_RULES_DEL[] =
    "DELETE FROM programme_rules WHERE code = $1";
static const char SQL_RULE_PUT[] =
    "INSERT INTO programme_rules (code, pos, fact, op, value, value2, ref, "
    "factor, unsure, vals, reason) VALUES ($1, $2, $3, $4, $5, $6, "
    "nullif($7, ''), $8, nullif($9::float8, 0), nullif($10, ''), $11)";
static const char SQL_PROG_GET[] =
    "SELECT code, general, ask, amount_kind, amount_fixed, amount_first, "
    "amount_first_under3, amount_second, amount_further, "
    "coalesce(amount_since, ''), coalesce(period_months, 0), "
    "coalesce(legal_basis, ''), coalesce(source, '') FROM programmes p "
    "WHERE code = $1 AND EXISTS (SELECT 1 FROM programme_texts t "
    "WHERE t.code = p.code)";
static const char SQL_TEXTS_GET[] =
    "SELECT lang, field, text FROM programme_texts WHERE code = $1";
static const char SQL_RULES_GET[] =
    "SELECT fact, op, coalesce(value, 0), coalesce(value2, 0), "
    "coalesce(ref, ''), factor, coalesce(unsure, 0), coalesce(vals, ''), "
    "reason FROM programme_rules WHERE code = $1 ORDER BY pos";
static const char SQL_CODES[] =
    "SELECT code FROM programmes p WHERE EXISTS (SELECT 1 FROM "
    "programme_texts t WHERE t.code = p.code) ORDER BY general = 0, "
    "general, code COLLATE \"C\"";
static const char SQL_GENERAL[] =
    "SELECT code FROM programmes p WHERE general > 0 AND EXISTS (SELECT 1 "
    "FROM programme_texts t WHERE t.code = p.code) ORDER BY general, "
    "code COLLATE \"C\"";
static const char SQL_SET_PUT[] =
    "INSERT INTO settings (key, value, year, unit, source) VALUES ($1, $2, "
    "nullif($3::integer, 0), $4, $5) ON CONFLICT (key) DO UPDATE SET "
    "value = excluded.value, year = excluded.year, unit = excluded.unit, "
    "source = excluded.source";
static const char SQL_SET_GET[] =
    "SELECT key, value, coalesce(year, 0), coalesce(unit, ''), "
    "coalesce(source, '') FROM settings WHERE key = $1";
static const char SQL_SET_AT[] =
    "SELECT key, value, coalesce(year, 0), coalesce(unit, ''), "
    "coalesce(source, '') FROM settings ORDER BY key COLLATE \"C\" "
    "LIMIT 1 OFFSET $1";
static const char SQL_OFFICE_PUT[] =
    "INSERT INTO offices (district, region, days, opens, closes, phone, "
    "indicative, source) VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7, "
    "$8) ON CONFLICT (district) DO UPDATE SET region = excluded.region, "
    "days = excluded.days, opens = excluded.opens, "
    "closes = excluded.closes, phone = excluded.phone, "
    "indicative = excluded.indicative, source = excluded.source";
static const char SQL_OTEXT_DEL[] =
    "DELETE FROM office_texts WHERE district = $1";
static const char SQL_OTEXT_PUT[] =
    "INSERT INTO office_texts (district, lang, name, address, landmark) "
    "VALUES ($1, $2, $3, $4, $5)";
static const char SQL_ALIAS_DEL[] =
    "DELETE FROM office_aliases WHERE district = $1";
static const char SQL_ALIAS_PUT[] =
    "INSERT INTO office_aliases (alias, district) VALUES ($1, $2) "
    "ON CONFLICT DO NOTHING";
static const char SQL_OFFICE_GET[] =
    "SELECT district, region, days, opens, closes, coalesce(phone, ''), "
    "indicative, coalesce(source, '') FROM offices WHERE district = $1";
static const char SQL_OFFICE_REGION[] =
    "SELECT district FROM offices WHERE region = $1 "
    "ORDER BY district COLLATE \"C\" LIMIT 1";
static const char SQL_OFFICE_AT[] =
    "SELECT district FROM offices ORDER BY district COLLATE \"C\" "
    "LIMIT 1 OFFSET $1";
static const char SQL_OTEXTS_GET[] =
    "SELECT lang, name, address, landmark FROM office_texts "
    "WHERE district = $1";
static const char SQL_OFFICE_EDIT[] =
    "UPDATE offices SET days = $2, opens = $3, closes = $4, "
    "phone = nullif($5, ''), indicative = $6, source = $7 "
    "WHERE district = $1";
static const char SQL_OTEXT_EDIT[] =
    "UPDATE office_texts SET address = $3, landmark = $4 "
    "WHERE district = $1 AND lang = $2";
static const char SQL_ALIASES_OF[] =
    "SELECT alias FROM office_aliases WHERE district = $1 "
    "ORDER BY alias COLLATE \"C\"";
static const char SQL_ALIASES[] =
    "SELECT alias, district FROM office_aliases "
    "ORDER BY district COLLATE \"C\", alias COLLATE \"C\"";
static const char SQL_PHONE_DISTRICT[] =
    "SELECT region, district FROM applications WHERE applicant_phone = $1 "
    "ORDER BY submitted_on COLLATE \"C\" DESC, id DESC LIMIT 1";
static const char SQL_VERSION[] =
    "SELECT v FROM rules_version WHERE id = 1";

/*
 * The eligibility data's version as this transaction sees it; -1 when it
 * could not be read (then nothing is kept in memory).
 */
static int64_t
rules_version(struct store *st)
{
	int64_t	v = -1;

	if (pg_one_int(st, "rules_version", SQL_VERSION, NULL, &v) != MJ_OK)
		return -1;
	return v;
}

enum mj_err
pg_rules_put(struct store *st, const struct prog_def *p, int64_t now)
{
	const struct rules_amount *a = &p->amount;
	long long		 lo, hi;
	struct pgq		 q;
	enum mj_err		 rc;

	store_progs_drop(st);
	prog_amount_range(a, &lo, &hi);
	pgq_init(&q);
	pgq_str(&q, p->code);
	pgq_int(&q, lo);
	pgq_int(&q, hi);
	pgq_int(&q, p->period_months);
	pgq_str(&q, p->legal_basis);
	pgq_str(&q, p->source);
	pgq_int(&q, p->general);
	pgq_str(&q, p->ask);
	pgq_str(&q, prog_kind_name(a->kind));
	pgq_int(&q, a->fixed);
	pgq_int(&q, a->first);
	pgq_int(&q, a->first_under3);
	pgq_int(&q, a->second);
	pgq_int(&q, a->further);
	pgq_str(&q, p->amount_since);
	pgq_int(&q, now);
	if ((rc = pg_do(st, "rules_put", SQL_PROG_PUT, &q)) != MJ_OK)
		return rc;
	pgq_init(&q);
	pgq_str(&q, p->code);
	if ((rc = pg_do(st, "rules_texts_del", SQL_TEXTS_DEL, &q)) != MJ_OK)
		return rc;
	for (int l = 0; l < LANG__COUNT; l++)
		for (int f = 0; f < PF__COUNT; f++) {
			if (p->text[l][f][0] == '\0')
				continue;
			pgq_init(&q);
			pgq_str(&q, p->code);
			pgq_str(&q, lang_tag((enum lang)l));
			pgq_str(&q, prog_field_name((enum prog_field)f));
			pgq_str(&q, p->text[l][f]);
			if ((rc = pg_do(st, "rules_text_put", SQL_TEXT_PUT,
			    &q)) != MJ_OK)
				return rc;
		}
	pgq_init(&q);
	pgq_str(&q, p->code);
	if ((rc = pg_do(st, "rules_del", SQL_RULES_DEL, &q)) != MJ_OK)
		return rc;
	for (size_t i = 0; i < p->ncrit && i < RULES_MAX_CRIT; i++) {
		const struct crit_def *c = &p->crit[i];

		pgq_init(&q);
		pgq_str(&q, p->code);
		pgq_int(&q, (int64_t)i);
		pgq_str(&q, c->fact);
		pgq_str(&q, c->op);
		pgq_dbl(&q, c->value);
		pgq_dbl(&q, c->value2);
		pgq_str(&q, c->ref);
		pgq_dbl(&q, c->factor);
		pgq_dbl(&q, c->unsure);
		pgq_str(&q, c->vals);
		pgq_str(&q, c->reason);
		if ((rc = pg_do(st, "rule_put", SQL_RULE_PUT, &q)) != MJ_OK)
			return rc;
	}
	return MJ_OK;
}

static enum mj_err
rules_read(struct store *st, const char *code, struct prog_def *p)
{
	struct pgq	 q;
	PGresult	*r;
	int		 n;

	memset(p, 0, sizeof(*p));
	pgq_init(&q);
	pgq_str(&q, code);
	if ((r = pg_exec(st, "rules_get", SQL_PROG_GET, &q)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return MJ_ENOTFOUND;
	}
	pg_copy(r, 0, 0, p->code, sizeof(p->code));
	p->general = (int)pg_int(r, 0, 1);
	pg_copy(r, 0, 2, p->ask, sizeof(p->ask));
	p->amount.kind = prog_kind_of(pg_str(r, 0, 3));
	p->amount.fixed = pg_int(r, 0, 4);
	p->amount.first = pg_int(r, 0, 5);
	p->amount.first_under3 = pg_int(r, 0, 6);
	p->amount.second = pg_int(r, 0, 7);
	p->amount.further = pg_int(r, 0, 8);
	pg_copy(r, 0, 9, p->amount_since, sizeof(p->amount_since));
	p->period_months = (int)pg_int(r, 0, 10);
	pg_copy(r, 0, 11, p->legal_basis, sizeof(p->legal_basis));
	pg_copy(r, 0, 12, p->source, sizeof(p->source));
	PQclear(r);

	if ((r = pg_exec(st, "rules_texts_get", SQL_TEXTS_GET, &q)) == NULL)
		return MJ_EDB;
	n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		int	l = lang_from_tag(pg_str(r, i, 0)),
			f = prog_field_of(pg_str(r, i, 1));

		if (l >= 0 && f >= 0)
			pg_copy(r, i, 2, p->text[l][f], sizeof(p->text[l][f]));
	}
	PQclear(r);

	if ((r = pg_exec(st, "rules_rules_get", SQL_RULES_GET, &q)) == NULL)
		return MJ_EDB;
	n = PQntuples(r);
	for (int i = 0; i < n && p->ncrit < RULES_MAX_CRIT; i++) {
		struct crit_def *c = &p->crit[p->ncrit++];

		pg_copy(r, i, 0, c->fact, sizeof(c->fact));
		pg_copy(r, i, 1, c->op, sizeof(c->op));
		c->value = pg_dbl(r, i, 2);
		c->value2 = pg_dbl(r, i, 3);
		pg_copy(r, i, 4, c->ref, sizeof(c->ref));
		c->factor = pg_dbl(r, i, 5);
		c->unsure = pg_dbl(r, i, 6);
		pg_copy(r, i, 7, c->vals, sizeof(c->vals));
		pg_copy(r, i, 8, c->reason, sizeof(c->reason));
	}
	PQclear(r);
	return MJ_OK;
}

/*
 * As programmes.c: the last few programmes read stay in memory while
 * rules_version stays where it was when they were read.  The version is
 * read before the rows, so rows kept are never older than their version.
 */
enum mj_err
pg_rules_get(struct store *st, const char *code, struct prog_def *p)
{
	return prog_get_kept(st, code, p, rules_version(st), rules_read);
}

static enum mj_err
code_list(struct store *st, const char *sql, char *buf, size_t len)
{
	PGresult	*r;
	size_t		 o = 0;
	int		 n;

	buf[0] = '\0';
	if ((r = pg_exec(st, "rules_codes", sql, NULL)) == NULL)
		return MJ_EDB;
	n = PQntuples(r);
	for (int i = 0; i < n; i++)
		prog_list_add(buf, len, &o, pg_str(r, i, 0), ';');
	PQclear(r);
	return MJ_OK;
}

enum mj_err
pg_rules_codes(struct store *st, char *buf, size_t len)
{
	return code_list(st, SQL_CODES, buf, len);
}

enum mj_err
pg_rules_general(struct store *st, char *buf, size_t len)
{
	return code_list(st, SQL_GENERAL, buf, len);
}

enum mj_err
pg_rules_setting_put(struct store *st, const struct setting *s)
{
	struct pgq	q;

	pgq_init(&q);
	pgq_str(&q, s->key);
	pgq_dbl(&q, s->value);
	pgq_int(&q, s->year);
	pgq_str(&q, s->unit);
	pgq_str(&q, s->source);
	return pg_do(st, "setting_put", SQL_SET_PUT, &q);
}

static enum mj_err
setting_row(struct store *st, const char *sql, const struct pgq *q,
    struct setting *s)
{
	PGresult	*r;
	enum mj_err	 rc = MJ_ENOTFOUND;

	memset(s, 0, sizeof(*s));
	if ((r = pg_exec(st, "setting_get", sql, q)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0) {
		pg_copy(r, 0, 0, s->key, sizeof(s->key));
		s->value = pg_dbl(r, 0, 1);
		s->year = (int)pg_int(r, 0, 2);
		pg_copy(r, 0, 3, s->unit, sizeof(s->unit));
		pg_copy(r, 0, 4, s->source, sizeof(s->source));
		rc = MJ_OK;
	}
	PQclear(r);
	return rc;
}

enum mj_err
pg_rules_setting_get(struct store *st, const char *key, struct setting *s)
{
	struct pgq	q;

	pgq_init(&q);
	pgq_str(&q, key);
	return setting_row(st, SQL_SET_GET, &q, s);
}

enum mj_err
pg_rules_setting_at(struct store *st, int i, struct setting *s)
{
	struct pgq	q;

	if (i < 0)		/* SQLite reads a negative OFFSET as none */
		i = 0;
	pgq_init(&q);
	pgq_int(&q, i);
	return setting_row(st, SQL_SET_AT, &q, s);
}

enum mj_err
pg_rules_office_put(struct store *st, const struct office *o,
    const char *spellings)
{
	struct pgq	 q;
	enum mj_err	 rc;
	char		 al[2048], *save = NULL, *a;

	free(st->aliases);	/* read again next time */
	st->aliases = NULL;
	pgq_init(&q);
	pgq_str(&q, o->district);
	pgq_str(&q, o->region);
	pgq_str(&q, o->days);
	pgq_str(&q, o->opens);
	pgq_str(&q, o->closes);
	pgq_str(&q, o->phone);
	pgq_int(&q, o->indicative);
	pgq_str(&q, o->source);
	if ((rc = pg_do(st, "office_put", SQL_OFFICE_PUT, &q)) != MJ_OK)
		return rc;
	pgq_init(&q);
	pgq_str(&q, o->district);
	if ((rc = pg_do(st, "office_texts_del", SQL_OTEXT_DEL, &q)) != MJ_OK ||
	    (rc = pg_do(st, "office_aliases_del", SQL_ALIAS_DEL, &q)) != MJ_OK)
		return rc;
	for (int l = 0; l < LANG__COUNT; l++) {
		if (o->name[l][0] == '\0')
			continue;
		pgq_init(&q);
		pgq_str(&q, o->district);
		pgq_str(&q, lang_tag((enum lang)l));
		pgq_str(&q, o->name[l]);
		pgq_str(&q, o->address[l]);
		pgq_str(&q, o->landmark[l]);
		if ((rc = pg_do(st, "office_text_put", SQL_OTEXT_PUT, &q)) !=
		    MJ_OK)
			return rc;
	}
	snprintf(al, sizeof(al), "%s", spellings != NULL ? spellings : "");
	for (a = strtok_r(al, "|", &save); a != NULL;
	    a = strtok_r(NULL, "|", &save)) {
		pgq_init(&q);
		pgq_str(&q, a);
		pgq_str(&q, o->district);
		if ((rc = pg_do(st, "office_alias_put", SQL_ALIAS_PUT, &q)) !=
		    MJ_OK)
			return rc;
	}
	return MJ_OK;
}

enum mj_err
pg_rules_office_edit(struct store *st, const struct office *o)
{
	struct pgq	 q;
	PGresult	*r;
	int		 changed;
	enum mj_err	 rc;

	pgq_init(&q);
	pgq_str(&q, o->district);
	pgq_str(&q, o->days);
	pgq_str(&q, o->opens);
	pgq_str(&q, o->closes);
	pgq_str(&q, o->phone);
	pgq_int(&q, o->indicative);
	pgq_str(&q, o->source);
	if ((r = pg_exec(st, "office_edit", SQL_OFFICE_EDIT, &q)) == NULL)
		return MJ_EDB;
	changed = atoi(PQcmdTuples(r));
	PQclear(r);
	if (changed == 0)
		return MJ_ENOTFOUND;
	for (int l = 0; l < LANG__COUNT; l++) {
		pgq_init(&q);
		pgq_str(&q, o->district);
		pgq_str(&q, lang_tag((enum lang)l));
		pgq_str(&q, o->address[l]);
		pgq_str(&q, o->landmark[l]);
		if ((rc = pg_do(st, "office_text_edit", SQL_OTEXT_EDIT, &q)) !=
		    MJ_OK)
			return rc;
	}
	return MJ_OK;
}

enum mj_err
pg_rules_office_get(struct store *st, const char *district,
    struct office *o)
{
	struct pgq	 q;
	PGresult	*r;
	size_t		 len = 0;
	int		 n;

	memset(o, 0, sizeof(*o));
	pgq_init(&q);
	pgq_str(&q, district);
	if ((r = pg_exec(st, "office_get", SQL_OFFICE_GET, &q)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return MJ_ENOTFOUND;
	}
	pg_copy(r, 0, 0, o->district, sizeof(o->district));
	pg_copy(r, 0, 1, o->region, sizeof(o->region));
	pg_copy(r, 0, 2, o->days, sizeof(o->days));
	pg_copy(r, 0, 3, o->opens, sizeof(o->opens));
	pg_copy(r, 0, 4, o->closes, sizeof(o->closes));
	pg_copy(r, 0, 5, o->phone, sizeof(o->phone));
	o->indicative = (int)pg_int(r, 0, 6);
	pg_copy(r, 0, 7, o->source, sizeof(o->source));
	PQclear(r);

	if ((r = pg_exec(st, "office_texts_get", SQL_OTEXTS_GET, &q)) == NULL)
		return MJ_EDB;
	n = PQntuples(r);
	for (int i = 0; i < n; i++) {
		int	l = lang_from_tag(pg_str(r, i, 0));

		if (l < 0)
			continue;
		pg_copy(r, i, 1, o->name[l], sizeof(o->name[l]));
		pg_copy(r, i, 2, o->address[l], sizeof(o->address[l]));
		pg_copy(r, i, 3, o->landmark[l], sizeof(o->landmark[l]));
	}
	PQclear(r);

	if ((r = pg_exec(st, "office_aliases_of", SQL_ALIASES_OF, &q)) == NULL)
		return MJ_EDB;
	n = PQntuples(r);
	for (int i = 0; i < n; i++)
		prog_list_add(o->aliases, sizeof(o->aliases), &len,
		    pg_str(r, i, 0), '|');
	PQclear(r);
	return MJ_OK;
}

/* The office whose district the first row of sql names. */
static enum mj_err
office_by(struct store *st, const char *sql, const struct pgq *q,
    struct office *o)
{
	PGresult	*r;
	char		 district[32];

	if ((r = pg_exec(st, "office_by", sql, q)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return MJ_ENOTFOUND;
	}
	pg_copy(r, 0, 0, district, sizeof(district));
	PQclear(r);
	return pg_rules_office_get(st, district, o);
}

enum mj_err
pg_rules_office_in_region(struct store *st, const char *region,
    struct office *o)
{
	struct pgq	q;

	pgq_init(&q);
	pgq_str(&q, region);
	return office_by(st, SQL_OFFICE_REGION, &q, o);
}

enum mj_err
pg_rules_office_at(struct store *st, int i, struct office *o)
{
	struct pgq	q;

	if (i < 0)		/* SQLite reads a negative OFFSET as none */
		i = 0;
	pgq_init(&q);
	pgq_int(&q, i);
	return office_by(st, SQL_OFFICE_AT, &q, o);
}

/*
 * As programmes.c: the spellings stay in memory while rules_version stays
 * where it was when they were read (an office written on any node moves
 * it; pg_rules_office_put() here drops them at once).
 */
enum mj_err
pg_rules_aliases(struct store *st, char **out)
{
	PGresult	*r;
	char		*buf, *b;
	size_t		 cap = 1;
	int64_t		 v = rules_version(st);
	enum mj_err	 rc;
	int		 n;

	if ((rc = prog_aliases_kept(st, v, out)) != MJ_ENOTFOUND)
		return rc;
	if ((r = pg_exec(st, "aliases", SQL_ALIASES, NULL)) == NULL)
		return MJ_EDB;
	n = PQntuples(r);
	for (int i = 0; i < n; i++)
		cap += strlen(pg_str(r, i, 0)) + strlen(pg_str(r, i, 1)) + 2;
	if ((buf = malloc(cap)) == NULL) {
		PQclear(r);
		return MJ_ENOMEM;
	}
	b = buf;
	*b = '\0';
	for (int i = 0; i < n; i++)
		b += snprintf(b, cap - (size_t)(b - buf), "%s\t%s\n",
		    pg_str(r, i, 0), pg_str(r, i, 1));
	PQclear(r);
	prog_aliases_keep(st, v, buf);
	*out = buf;
	return MJ_OK;
}

enum mj_err
pg_rules_phone_district(struct store *st, const char *phone, char *region,
    size_t rlen, char *district, size_t dlen)
{
	struct pgq	 q;
	PGresult	*r;
	enum mj_err	 rc = MJ_ENOTFOUND;

	pgq_init(&q);
	pgq_str(&q, phone);
	if ((r = pg_exec(st, "phone_district", SQL_PHONE_DISTRICT, &q)) ==
	    NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0) {
		pg_copy(r, 0, 0, region, rlen);
		pg_copy(r, 0, 1, district, dlen);
		rc = MJ_OK;
	}
	PQclear(r);
	return rc;
}
