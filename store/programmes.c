/*
 * programmes.c - the SQLite side of programmes.h: programmes, their texts
 * and criteria, settings, offices and district spellings.  Statements come
 * from store_stmt(); every value is a bound parameter.  On a store opened on
 * PostgreSQL each function hands over to pg_programmes.c.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg_programmes.h"
#include "store/programmes.h"
#include "store/programmes_int.h"
#include "store/store_int.h"

static const char *const field_names[PF__COUNT] = {
	"name", "who", "documents", "apply", "timeline"
};

const char *
prog_field_name(enum prog_field f)
{
	return (int)f >= 0 && f < PF__COUNT ? field_names[f] : NULL;
}

static const char SQL_PROG_PUT[] =
    "INSERT INTO programmes (code, amount_min, amount_max, period_months, "
    "documents, apply_via, decision, legal_basis, source, general, ask, "
    "amount_kind, amount_fixed, amount_first, amount_first_under3, "
    "amount_second, amount_further, amount_since, updated_at) VALUES (?1, "
    "nullif(?2, 0), nullif(?3, 0), ?4, '', '', NULL, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, nullif(?15, ''), ?16) ON CONFLICT (code) DO "
    "UPDATE SET amount_min = excluded.amount_min, "
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
    "DELETE FROM programme_texts WHERE code = ?1";
static const char SQL_TEXT_PUT[] =
    "INSERT INTO programme_texts (code, lang, field, text) "
    "VALUES (?1, ?2, ?3, ?4)";
static const char SQL_RULES_DEL[] =
    "DELETE FROM programme_rules WHERE code = ?1";
static const char SQL_RULE_PUT[] =
    "INSERT INTO programme_rules (code, pos, fact, op, value, value2, ref, "
    "factor, unsure, vals, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
    "nullif(?7, ''), ?8, nullif(?9, 0), nullif(?10, ''), ?11)";
static const char SQL_PROG_GET[] =
    "SELECT code, general, ask, amount_kind, amount_fixed, amount_first, "
    "amount_first_under3, amount_second, amount_further, "
    "coalesce(amount_since, ''), coalesce(period_months, 0), "
    "coalesce(legal_basis, ''), coalesce(source, '') FROM programmes "
    "WHERE code = ?1 AND EXISTS (SELECT 1 FROM programme_texts t "
    "WHERE t.code = programmes.code)";
static const char SQL_TEXTS_GET[] =
    "SELECT lang, field, text FROM programme_texts WHERE code = ?1";
static const char SQL_RULES_GET[] =
    "SELECT fact, op, coalesce(value, 0), coalesce(value2, 0), "
    "coalesce(ref, ''), factor, coalesce(unsure, 0), coalesce(vals, ''), "
    "reason FROM programme_rules WHERE code = ?1 ORDER BY pos";
static const char SQL_CODES[] =
    "SELECT code FROM programmes p WHERE EXISTS (SELECT 1 FROM "
    "programme_texts t WHERE t.code = p.code) ORDER BY general = 0, "
    "general, code";
static const char SQL_GENERAL[] =
    "SELECT code FROM programmes p WHERE general > 0 AND EXISTS (SELECT 1 "
    "FROM programme_texts t WHERE t.code = p.code) ORDER BY general, code";
static const char SQL_SET_PUT[] =
    "INSERT INTO settings (key, value, year, unit, source) VALUES (?1, ?2, "
    "nullif(?3, 0), ?4, ?5) ON CONFLICT (key) DO UPDATE SET "
    "value = excluded.value, year = excluded.year, unit = excluded.unit, "
    "source = excluded.source";
static const char SQL_SET_GET[] =
    "SELECT key, value, coalesce(year, 0), coalesce(unit, ''), "
    "coalesce(source, '') FROM settings WHERE key = ?1";
static const char SQL_SET_AT[] =
    "SELECT key, value, coalesce(year, 0), coalesce(unit, ''), "
    "coalesce(source, '') FROM settings ORDER BY key LIMIT 1 OFFSET ?1";
static const char SQL_OFFICE_PUT[] =
    "INSERT INTO offices (district, region, days, opens, closes, phone, "
    "indicative, source) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, ''), ?7, "
    "?8) ON CONFLICT (district) DO UPDATE SET region = excluded.region, "
    "days = excluded.days, opens = excluded.opens, "
    "closes = excluded.closes, phone = excluded.phone, "
    "indicative = excluded.indicative, source = excluded.source";
static const char SQL_OTEXT_DEL[] =
    "DELETE FROM office_texts WHERE district = ?1";
static const char SQL_OTEXT_PUT[] =
    "INSERT INTO office_texts (district, lang, name, address, landmark) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char SQL_ALIAS_DEL[] =
    "DELETE FROM office_aliases WHERE district = ?1";
static const char SQL_ALIAS_PUT[] =
    "INSERT OR IGNORE INTO office_aliases (alias, district) VALUES (?1, ?2)";
static const char SQL_OFFICE_GET[] =
    "SELECT district, region, days, opens, closes, coalesce(phone, ''), "
    "indicative, coalesce(source, '') FROM offices WHERE district = ?1";
static const char SQL_OFFICE_REGION[] =
    "SELECT district FROM offices WHERE region = ?1 ORDER BY district "
    "LIMIT 1";
static const char SQL_OFFICE_AT[] =
    "SELECT district FROM offices ORDER BY district LIMIT 1 OFFSET ?1";
static const char SQL_OTEXTS_GET[] =
    "SELECT lang, name, address, landmark FROM office_texts "
    "WHERE district = ?1";
static const char SQL_OFFICE_EDIT[] =
    "UPDATE offices SET days = ?2, opens = ?3, closes = ?4, "
    "phone = nullif(?5, ''), indicative = ?6, source = ?7 "
    "WHERE district = ?1";
static const char SQL_OTEXT_EDIT[] =
    "UPDATE office_texts SET address = ?3, landmark = ?4 "
    "WHERE district = ?1 AND lang = ?2";
static const char SQL_ALIASES_OF[] =
    "SELECT alias FROM office_aliases WHERE district = ?1 ORDER BY alias";
static const char SQL_ALIASES[] =
    "SELECT alias, district FROM office_aliases ORDER BY district, alias";
static const char SQL_PHONE_DISTRICT[] =
    "SELECT region, district FROM applications WHERE applicant_phone = ?1 "
    "ORDER BY submitted_on DESC, id DESC LIMIT 1";

enum mj_err
store_rules_put(struct store *st, const struct prog_def *p, int64_t now)
{
	sqlite3_stmt		*q;
	const struct rules_amount *a = &p->amount;
	long long		 lo, hi;
	enum mj_err		 rc;

	if (st->pg != NULL)
		return pg_rules_put(st, p, now);

	store_progs_drop(st);
	prog_amount_range(a, &lo, &hi);
	PREP(q, SQL_PROG_PUT);
	bind_str(q, 1, p->code);
	sqlite3_bind_int64(q, 2, lo);
	sqlite3_bind_int64(q, 3, hi);
	sqlite3_bind_int(q, 4, p->period_months);
	bind_str(q, 5, p->legal_basis);
	bind_str(q, 6, p->source);
	sqlite3_bind_int(q, 7, p->general);
	bind_str(q, 8, p->ask);
	bind_str(q, 9, prog_kind_name(a->kind));
	sqlite3_bind_int64(q, 10, a->fixed);
	sqlite3_bind_int64(q, 11, a->first);
	sqlite3_bind_int64(q, 12, a->first_under3);
	sqlite3_bind_int64(q, 13, a->second);
	sqlite3_bind_int64(q, 14, a->further);
	bind_str(q, 15, p->amount_since);
	sqlite3_bind_int64(q, 16, now);
	if ((rc = step_done(st, q, "rules_put")) != MJ_OK)
		return rc;
	PREP(q, SQL_TEXTS_DEL);
	bind_str(q, 1, p->code);
	if ((rc = step_done(st, q, "rules_texts_del")) != MJ_OK)
		return rc;
	for (int l = 0; l < LANG__COUNT; l++)
		for (int f = 0; f < PF__COUNT; f++) {
			if (p->text[l][f][0] == '\0')
				continue;
			PREP(q, SQL_TEXT_PUT);
			bind_str(q, 1, p->code);
			bind_str(q, 2, lang_tag((enum lang)l));
			bind_str(q, 3, field_names[f]);
			bind_str(q, 4, p->text[l][f]);
			if ((rc = step_done(st, q, "rules_text_put")) != MJ_OK)
				return rc;
		}
	PREP(q, SQL_RULES_DEL);
	bind_str(q, 1, p->code);
	if ((rc = step_done(st, q, "rules_del")) != MJ_OK)
		return rc;
	for (size_t i = 0; i < p->ncrit && i < RULES_MAX_CRIT; i++) {
		const struct crit_def *c = &p->crit[i];

		PREP(q, SQL_RULE_PUT);
		bind_str(q, 1, p->code);
		sqlite3_bind_int(q, 2, (int)i);
		bind_str(q, 3, c->fact);
		bind_str(q, 4, c->op);
		sqlite3_bind_double(q, 5, c->value);
		sqlite3_bind_double(q, 6, c->value2);
		bind_str(q, 7, c->ref);
		sqlite3_bind_double(q, 8, c->factor);
		sqlite3_bind_double(q, 9, c->unsure);
		bind_str(q, 10, c->vals);
		bind_str(q, 11, c->reason);
		if ((rc = step_done(st, q, "rule_put")) != MJ_OK)
			return rc;
	}
	return MJ_OK;
}

/* PRAGMA data_version: moves when another connection commits; -1: unknown. */
static int64_t
data_version(struct store *st)
{
	static const char *const q_dv = "PRAGMA data_version";
	sqlite3_stmt	*q;
	int64_t		 dv = -1;

	if ((q = store_stmt(st, q_dv)) != NULL) {
		if (sqlite3_step(q) == SQLITE_ROW)
			dv = sqlite3_column_int64(q, 0);
		done(q);
	}
	return dv;
}

void
store_progs_drop(struct store *st)
{
	for (int i = 0; i < st->nprogs; i++)
		free(st->progs[i]);
	st->nprogs = 0;
}

static enum mj_err	rules_read(struct store *, const char *,
			    struct prog_def *);

/*
 * A message about a programme reads it whole (row, texts, criteria): the
 * last few read stay in memory until `rules import` (another connection:
 * data_version moves) or store_rules_put() here changes them.
 */
enum mj_err
store_rules_get(struct store *st, const char *code, struct prog_def *p)
{
	if (st->pg != NULL)
		return pg_rules_get(st, code, p);
	return prog_get_kept(st, code, p, data_version(st), rules_read);
}

enum mj_err
prog_get_kept(struct store *st, const char *code, struct prog_def *p,
    int64_t v, enum mj_err (*read)(struct store *, const char *,
    struct prog_def *))
{
	struct prog_def	*c;
	enum mj_err	 rc;

	if (v == -1 || v != st->progs_dv) {
		store_progs_drop(st);
		st->progs_dv = v;
	}
	for (int i = 0; i < st->nprogs; i++)
		if (strcmp(((struct prog_def *)st->progs[i])->code, code) == 0) {
			memcpy(p, st->progs[i], sizeof(*p));
			return MJ_OK;
		}
	if ((rc = read(st, code, p)) == MJ_OK && v != -1 &&
	    st->nprogs < STORE_PROGS && (c = malloc(sizeof(*c))) != NULL) {
		memcpy(c, p, sizeof(*c));
		st->progs[st->nprogs++] = c;
	}
	return rc;
}

static enum mj_err
rules_read(struct store *st, const char *code, struct prog_def *p)
{
	sqlite3_stmt	*q;
	char		 kind[16];
	int		 rc;

	memset(p, 0, sizeof(*p));
	PREP(q, SQL_PROG_GET);
	bind_str(q, 1, code);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		col_copy(q, 0, p->code, sizeof(p->code));
		p->general = sqlite3_column_int(q, 1);
		col_copy(q, 2, p->ask, sizeof(p->ask));
		col_copy(q, 3, kind, sizeof(kind));
		p->amount.kind = prog_kind_of(kind);
		p->amount.fixed = sqlite3_column_int64(q, 4);
		p->amount.first = sqlite3_column_int64(q, 5);
		p->amount.first_under3 = sqlite3_column_int64(q, 6);
		p->amount.second = sqlite3_column_int64(q, 7);
		p->amount.further = sqlite3_column_int64(q, 8);
		col_copy(q, 9, p->amount_since, sizeof(p->amount_since));
		p->period_months = sqlite3_column_int(q, 10);
		col_copy(q, 11, p->legal_basis, sizeof(p->legal_basis));
		col_copy(q, 12, p->source, sizeof(p->source));
	}
	done(q);
	if (rc == SQLITE_DONE)
		return MJ_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return db_fail(st, "rules_get");
	PREP(q, SQL_TEXTS_GET);
	bind_str(q, 1, code);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char	*lt = (const char *)sqlite3_column_text(q, 0);
		int		 l = lt != NULL ? lang_from_tag(lt) : -1,
				 f = prog_field_of((const char *)
				    sqlite3_column_text(q, 1));

		if (l >= 0 && f >= 0)
			col_copy(q, 2, p->text[l][f], sizeof(p->text[l][f]));
	}
	done(q);
	if (rc != SQLITE_DONE)
		return db_fail(st, "rules_texts_get");
	PREP(q, SQL_RULES_GET);
	bind_str(q, 1, code);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW &&
	    p->ncrit < RULES_MAX_CRIT) {
		struct crit_def *c = &p->crit[p->ncrit++];

		col_copy(q, 0, c->fact, sizeof(c->fact));
		col_copy(q, 1, c->op, sizeof(c->op));
		c->value = sqlite3_column_double(q, 2);
		c->value2 = sqlite3_column_double(q, 3);
		col_copy(q, 4, c->ref, sizeof(c->ref));
		c->factor = sqlite3_column_double(q, 5);
		c->unsure = sqlite3_column_double(q, 6);
		col_copy(q, 7, c->vals, sizeof(c->vals));
		col_copy(q, 8, c->reason, sizeof(c->reason));
	}
	done(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(st, "rules_rules_get");
	return MJ_OK;
}

static enum mj_err
code_list(struct store *st, const char *sql_text, char *buf, size_t len)
{
	sqlite3_stmt	*q;
	size_t		 o = 0;
	int		 rc;

	buf[0] = '\0';
	PREP(q, sql_text);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		prog_list_add(buf, len, &o, col_text(q, 0), ';');
	done(q);
	return rc == SQLITE_DONE ? MJ_OK : db_fail(st, "rules_codes");
}

enum mj_err
store_rules_codes(struct store *st, char *buf, size_t len)
{
	if (st->pg != NULL)
		return pg_rules_codes(st, buf, len);
	return code_list(st, SQL_CODES, buf, len);
}

enum mj_err
store_rules_general(struct store *st, char *buf, size_t len)
{
	if (st->pg != NULL)
		return pg_rules_general(st, buf, len);
	return code_list(st, SQL_GENERAL, buf, len);
}

enum mj_err
store_rules_setting_put(struct store *st, const struct setting *s)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_rules_setting_put(st, s);

	PREP(q, SQL_SET_PUT);
	bind_str(q, 1, s->key);
	sqlite3_bind_double(q, 2, s->value);
	sqlite3_bind_int(q, 3, s->year);
	bind_str(q, 4, s->unit);
	bind_str(q, 5, s->source);
	return step_done(st, q, "setting_put");
}

static enum mj_err
setting_row(struct store *st, sqlite3_stmt *q, struct setting *s)
{
	int	rc = sqlite3_step(q);

	memset(s, 0, sizeof(*s));
	if (rc == SQLITE_ROW) {
		col_copy(q, 0, s->key, sizeof(s->key));
		s->value = sqlite3_column_double(q, 1);
		s->year = sqlite3_column_int(q, 2);
		col_copy(q, 3, s->unit, sizeof(s->unit));
		col_copy(q, 4, s->source, sizeof(s->source));
	}
	done(q);
	if (rc == SQLITE_ROW)
		return MJ_OK;
	return rc == SQLITE_DONE ? MJ_ENOTFOUND : db_fail(st, "setting_get");
}

enum mj_err
store_rules_setting_get(struct store *st, const char *key, struct setting *s)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_rules_setting_get(st, key, s);

	PREP(q, SQL_SET_GET);
	bind_str(q, 1, key);
	return setting_row(st, q, s);
}

enum mj_err
store_rules_setting_at(struct store *st, int i, struct setting *s)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_rules_setting_at(st, i, s);

	PREP(q, SQL_SET_AT);
	sqlite3_bind_int(q, 1, i);
	return setting_row(st, q, s);
}

enum mj_err
store_rules_office_put(struct store *st, const struct office *o,
    const char *spellings)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;
	char		 al[2048], *save = NULL, *a;

	if (st->pg != NULL)
		return pg_rules_office_put(st, o, spellings);

	free(st->aliases);	/* read again next time */
	st->aliases = NULL;
	PREP(q, SQL_OFFICE_PUT);
	bind_str(q, 1, o->district);
	bind_str(q, 2, o->region);
	bind_str(q, 3, o->days);
	bind_str(q, 4, o->opens);
	bind_str(q, 5, o->closes);
	bind_str(q, 6, o->phone);
	sqlite3_bind_int(q, 7, o->indicative);
	bind_str(q, 8, o->source);
	if ((rc = step_done(st, q, "office_put")) != MJ_OK)
		return rc;
	PREP(q, SQL_OTEXT_DEL);
	bind_str(q, 1, o->district);
	if ((rc = step_done(st, q, "office_texts_del")) != MJ_OK)
		return rc;
	PREP(q, SQL_ALIAS_DEL);
	bind_str(q, 1, o->district);
	if ((rc = step_done(st, q, "office_aliases_del")) != MJ_OK)
		return rc;
	for (int l = 0; l < LANG__COUNT; l++) {
		if (o->name[l][0] == '\0')
			continue;
		PREP(q, SQL_OTEXT_PUT);
		bind_str(q, 1, o->district);
		bind_str(q, 2, lang_tag((enum lang)l));
		bind_str(q, 3, o->name[l]);
		bind_str(q, 4, o->address[l]);
		bind_str(q, 5, o->landmark[l]);
		if ((rc = step_done(st, q, "office_text_put")) != MJ_OK)
			return rc;
	}
	snprintf(al, sizeof(al), "%s", spellings != NULL ? spellings : "");
	for (a = strtok_r(al, "|", &save); a != NULL;
	    a = strtok_r(NULL, "|", &save)) {
		PREP(q, SQL_ALIAS_PUT);
		bind_str(q, 1, a);
		bind_str(q, 2, o->district);
		if ((rc = step_done(st, q, "office_alias_put")) != MJ_OK)
			return rc;
	}
	return MJ_OK;
}

enum mj_err
store_rules_office_edit(struct store *st, const struct office *o)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_rules_office_edit(st, o);

	PREP(q, SQL_OFFICE_EDIT);
	bind_str(q, 1, o->district);
	bind_str(q, 2, o->days);
	bind_str(q, 3, o->opens);
	bind_str(q, 4, o->closes);
	bind_str(q, 5, o->phone);
	sqlite3_bind_int(q, 6, o->indicative);
	bind_str(q, 7, o->source);
	if ((rc = step_done(st, q, "office_edit")) != MJ_OK)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return MJ_ENOTFOUND;
	for (int l = 0; l < LANG__COUNT; l++) {
		PREP(q, SQL_OTEXT_EDIT);
		bind_str(q, 1, o->district);
		bind_str(q, 2, lang_tag((enum lang)l));
		bind_str(q, 3, o->address[l]);
		bind_str(q, 4, o->landmark[l]);
		if ((rc = step_done(st, q, "office_text_edit")) != MJ_OK)
			return rc;
	}
	return MJ_OK;
}

enum mj_err
store_rules_office_get(struct store *st, const char *district,
    struct office *o)
{
	sqlite3_stmt	*q;
	size_t		 n = 0;
	int		 rc;

	if (st->pg != NULL)
		return pg_rules_office_get(st, district, o);

	memset(o, 0, sizeof(*o));
	PREP(q, SQL_OFFICE_GET);
	bind_str(q, 1, district);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		col_copy(q, 0, o->district, sizeof(o->district));
		col_copy(q, 1, o->region, sizeof(o->region));
		col_copy(q, 2, o->days, sizeof(o->days));
		col_copy(q, 3, o->opens, sizeof(o->opens));
		col_copy(q, 4, o->closes, sizeof(o->closes));
		col_copy(q, 5, o->phone, sizeof(o->phone));
		o->indicative = sqlite3_column_int(q, 6);
		col_copy(q, 7, o->source, sizeof(o->source));
	}
	done(q);
	if (rc == SQLITE_DONE)
		return MJ_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return db_fail(st, "office_get");
	PREP(q, SQL_OTEXTS_GET);
	bind_str(q, 1, district);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *lt = (const char *)sqlite3_column_text(q, 0);
		int l = lt != NULL ? lang_from_tag(lt) : -1;

		if (l < 0)
			continue;
		col_copy(q, 1, o->name[l], sizeof(o->name[l]));
		col_copy(q, 2, o->address[l], sizeof(o->address[l]));
		col_copy(q, 3, o->landmark[l], sizeof(o->landmark[l]));
	}
	done(q);
	if (rc != SQLITE_DONE)
		return db_fail(st, "office_texts_get");
	PREP(q, SQL_ALIASES_OF);
	bind_str(q, 1, district);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		prog_list_add(o->aliases, sizeof(o->aliases), &n,
		    col_text(q, 0), '|');
	done(q);
	return rc == SQLITE_DONE ? MJ_OK : db_fail(st, "office_aliases_of");
}

static enum mj_err
office_by(struct store *st, const char *sql_text, const char *s, int i,
    struct office *o)
{
	sqlite3_stmt	*q;
	char		 district[32];
	int		 rc;

	PREP(q, sql_text);
	if (s != NULL)
		bind_str(q, 1, s);
	else
		sqlite3_bind_int(q, 1, i);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		col_copy(q, 0, district, sizeof(district));
	done(q);
	if (rc == SQLITE_DONE)
		return MJ_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return db_fail(st, "office_by");
	return store_rules_office_get(st, district, o);
}

enum mj_err
store_rules_office_in_region(struct store *st, const char *region,
    struct office *o)
{
	if (st->pg != NULL)
		return pg_rules_office_in_region(st, region, o);
	return office_by(st, SQL_OFFICE_REGION, region, 0, o);
}

enum mj_err
store_rules_office_at(struct store *st, int i, struct office *o)
{
	if (st->pg != NULL)
		return pg_rules_office_at(st, i, o);
	return office_by(st, SQL_OFFICE_AT, NULL, i, o);
}

/*
 * The aliases are read on every short message nobody understood, and
 * change only by `rules import` (another connection: data_version moves)
 * or store_rules_office_put() here (which drops the copy).
 */
enum mj_err
store_rules_aliases(struct store *st, char **out)
{
	sqlite3_stmt	*q;
	char		*buf = NULL, *nb;
	size_t		 n = 0, cap = 0;
	int64_t		 dv;
	enum mj_err	 kept;
	int		 rc;

	if (st->pg != NULL)
		return pg_rules_aliases(st, out);

	dv = data_version(st);
	if ((kept = prog_aliases_kept(st, dv, out)) != MJ_ENOTFOUND)
		return kept;
	PREP(q, SQL_ALIASES);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(q, 0),
		    *d = (const char *)sqlite3_column_text(q, 1);
		size_t need = strlen(a != NULL ? a : "") +
		    strlen(d != NULL ? d : "") + 3;

		if (n + need > cap) {
			cap = (cap + need) * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				done(q);
				return MJ_ENOMEM;
			}
			buf = nb;
		}
		n += (size_t)snprintf(buf + n, cap - n, "%s\t%s\n",
		    a != NULL ? a : "", d != NULL ? d : "");
	}
	done(q);
	if (rc != SQLITE_DONE) {
		free(buf);
		return db_fail(st, "aliases");
	}
	if (buf == NULL && (buf = strdup("")) == NULL)
		return MJ_ENOMEM;
	prog_aliases_keep(st, dv, buf);
	*out = buf;
	return MJ_OK;
}

enum mj_err
prog_aliases_kept(struct store *st, int64_t v, char **out)
{
	*out = NULL;
	if (st->aliases == NULL || v == -1 || v != st->aliases_dv)
		return MJ_ENOTFOUND;
	return (*out = strdup(st->aliases)) != NULL ? MJ_OK : MJ_ENOMEM;
}

void
prog_aliases_keep(struct store *st, int64_t v, const char *buf)
{
	free(st->aliases);
	st->aliases = v != -1 ? strdup(buf) : NULL;
	st->aliases_dv = v;
}

enum mj_err
store_rules_phone_district(struct store *st, const char *phone, char *region,
    size_t rlen, char *district, size_t dlen)
{
	sqlite3_stmt	*q;
	int		 rc;

	if (st->pg != NULL)
		return pg_rules_phone_district(st, phone, region, rlen, district,
		    dlen);

	PREP(q, SQL_PHONE_DISTRICT);
	bind_str(q, 1, phone);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		col_copy(q, 0, region, rlen);
		col_copy(q, 1, district, dlen);
	}
	done(q);
	if (rc == SQLITE_ROW)
		return MJ_OK;
	return rc == SQLITE_DONE ? MJ_ENOTFOUND : db_fail(st, "phone_district");
}
