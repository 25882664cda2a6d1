/*
 * contacts.c - contacts (one per channel address, with the dialogue's
 * state and rate windows), applications with their status history, and
 * programme rows for the demo and the importer.  Statements come from the
 * store's cache; every value is a bound parameter.
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_citizen.h"
#include "store/store.h"
#include "store/store_int.h"

/* What contact_row() reads, in its order. */
#define CONTACT_COLS "id, channel, address, coalesce(phone, ''), lang, " \
	"opted_out, state, state_data, state_at, misses, misses_since, " \
	"lang_chosen, held_until, rate_min_start, rate_min_count, " \
	"rate_day_start, rate_day_count, rate_warned, lang_cyrl, lang_latn"
/* What store_contact_save() writes besides the phone. */
#define CONTACT_SET "lang = ?3, opted_out = ?4, state = ?5, " \
	"state_data = ?6, state_at = ?7, misses = ?8, misses_since = ?9, " \
	"updated_at = ?10, lang_chosen = ?11, rate_min_start = ?12, " \
	"rate_min_count = ?13, rate_day_start = ?14, rate_day_count = ?15, " \
	"rate_warned = ?16, lang_cyrl = ?17, lang_latn = ?18, " \
	"opted_out_at = CASE WHEN ?4 = 1 AND " \
	"opted_out = 0 THEN ?10 WHEN ?4 = 0 THEN NULL ELSE opted_out_at END " \
	"WHERE id = ?1"

static const char SQL_CONTACT_GET[] = "SELECT " CONTACT_COLS
    " FROM contacts WHERE channel = ?1 AND address = ?2";
static const char SQL_CONTACT_BY_ID[] = "SELECT " CONTACT_COLS
    " FROM contacts WHERE id = ?1";
/* Returns what SQL_CONTACT_GET would read (the schema's defaults). */
static const char SQL_CONTACT_NEW[] = "INSERT INTO contacts (channel, "
    "address, created_at, updated_at) VALUES (?1, ?2, ?3, ?3) RETURNING "
    CONTACT_COLS;
static const char SQL_CONTACT_SAVE[] = "UPDATE contacts SET "
    "phone = nullif(?2, ''), " CONTACT_SET;
/* The same when the phone did not change: its index is left alone. */
static const char SQL_CONTACT_SAVE_SAME[] = "UPDATE contacts SET "
    CONTACT_SET;
static const char SQL_APP_GET[] = "SELECT number, programme, status, "
    "applicant_phone, pinfl_last4, submitted_on, coalesce(decided_on, ''), "
    "coalesce(payment_on, '') FROM applications WHERE number = ?1";
static const char SQL_APP_STATUS_OF[] = "SELECT id, status FROM "
    "applications WHERE number = ?1";
static const char SQL_APP_INSERT[] = "INSERT INTO applications (number, "
    "programme, status, applicant_phone, pinfl_hash, pinfl_last4, region, "
    "district, submitted_on, decided_on, payment_on, updated_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char SQL_APP_UPDATE[] = "UPDATE applications SET "
    "programme = ?2, status = ?3, applicant_phone = ?4, pinfl_hash = ?5, "
    "pinfl_last4 = ?6, region = ?7, district = ?8, submitted_on = ?9, "
    "decided_on = ?10, payment_on = ?11, updated_at = ?12 WHERE number = ?1";
static const char SQL_HISTORY_ADD[] = "INSERT INTO application_history "
    "(application_id, status, on_date, source) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_APP_COUNT[] = "SELECT count(*) FROM applications";

const char *const contacts_sql[] = {
	SQL_CONTACT_GET, SQL_CONTACT_BY_ID, SQL_CONTACT_NEW, SQL_CONTACT_SAVE,
	SQL_CONTACT_SAVE_SAME, SQL_APP_GET, SQL_APP_STATUS_OF, SQL_APP_INSERT,
	SQL_APP_UPDATE, SQL_HISTORY_ADD, SQL_APP_COUNT,
	NULL
};

/* Run a bound contact query (SQL_CONTACT_GET, _BY_ID or _NEW). */
static enum mj_err
contact_row(struct store *st, sqlite3_stmt *q, struct contact *c)
{
	enum mj_err	 rc = MJ_ENOTFOUND;

	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(q, 0);
		col_copy(q, 1, c->channel, sizeof(c->channel));
		col_copy(q, 2, c->address, sizeof(c->address));
		col_copy(q, 3, c->phone, sizeof(c->phone));
		memcpy(c->phone_read, c->phone, sizeof(c->phone_read));
		col_copy(q, 4, c->lang, sizeof(c->lang));
		c->opted_out = sqlite3_column_int(q, 5);
		col_copy(q, 6, c->state, sizeof(c->state));
		col_copy(q, 7, c->state_data, sizeof(c->state_data));
		c->state_at = sqlite3_column_int64(q, 8);
		c->misses = sqlite3_column_int(q, 9);
		c->misses_since = sqlite3_column_int64(q, 10);
		c->lang_chosen = sqlite3_column_int(q, 11);
		c->held_until = sqlite3_column_int64(q, 12);
		c->rate_min_start = sqlite3_column_int64(q, 13);
		c->rate_min_count = sqlite3_column_int(q, 14);
		c->rate_day_start = sqlite3_column_int64(q, 15);
		c->rate_day_count = sqlite3_column_int(q, 16);
		c->rate_warned = sqlite3_column_int(q, 17);
		col_copy(q, 18, c->lang_cyrl, sizeof(c->lang_cyrl));
		col_copy(q, 19, c->lang_latn, sizeof(c->lang_latn));
		rc = MJ_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "contact_get");
	}
	done(q);
	return rc;
}

enum mj_err
store_contact_by_id(struct store *st, int64_t id, struct contact *c)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_contact_by_id(st, id, c);
	PREP(q, SQL_CONTACT_BY_ID);
	sqlite3_bind_int64(q, 1, id);
	return contact_row(st, q, c);
}

enum mj_err
store_contact_get(struct store *st, const char *channel, const char *address,
    int64_t now, struct contact *out)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_contact_get(st, channel, address, now, out);
	PREP(q, SQL_CONTACT_GET);
	bind_str(q, 1, channel);
	bind_str(q, 2, address);
	if ((rc = contact_row(st, q, out)) != MJ_ENOTFOUND)
		return rc;
	PREP(q, SQL_CONTACT_NEW);
	bind_str(q, 1, channel);
	bind_str(q, 2, address);
	sqlite3_bind_int64(q, 3, now);
	rc = contact_row(st, q, out);
	return rc == MJ_ENOTFOUND ? db_fail(st, "contact_new") : rc;
}

enum mj_err
store_contact_find(struct store *st, const char *channel, const char *address,
    struct contact *out)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_contact_find(st, channel, address, out);
	PREP(q, SQL_CONTACT_GET);
	bind_str(q, 1, channel);
	bind_str(q, 2, address);
	return contact_row(st, q, out);
}

enum mj_err
store_contact_save(struct store *st, const struct contact *c, int64_t now)
{
	int		 same = strcmp(c->phone, c->phone_read) == 0;
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_contact_save(st, c, now);
	PREP(q, same ? SQL_CONTACT_SAVE_SAME : SQL_CONTACT_SAVE);
	sqlite3_bind_int64(q, 1, c->id);
	if (!same)
		bind_str(q, 2, c->phone);
	bind_str(q, 3, c->lang);
	sqlite3_bind_int(q, 4, c->opted_out);
	bind_str(q, 5, c->state);
	bind_str(q, 6, c->state_data);
	sqlite3_bind_int64(q, 7, c->state_at);
	sqlite3_bind_int(q, 8, c->misses);
	sqlite3_bind_int64(q, 9, c->misses_since);
	sqlite3_bind_int64(q, 10, now);
	sqlite3_bind_int(q, 11, c->lang_chosen);
	sqlite3_bind_int64(q, 12, c->rate_min_start);
	sqlite3_bind_int(q, 13, c->rate_min_count);
	sqlite3_bind_int64(q, 14, c->rate_day_start);
	sqlite3_bind_int(q, 15, c->rate_day_count);
	sqlite3_bind_int(q, 16, c->rate_warned);
	bind_str(q, 17, c->lang_cyrl);
	bind_str(q, 18, c->lang_latn);
	return step_done(st, q, "contact_save");
}

enum mj_err
store_app_get(struct store *st, const char *number, struct app_status *out)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;

	if (st->pg != NULL)
		return pg_app_get(st, number, out);
	PREP(q, SQL_APP_GET);
	bind_str(q, 1, number);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		memset(out, 0, sizeof(*out));
		col_copy(q, 0, out->number, sizeof(out->number));
		col_copy(q, 1, out->programme, sizeof(out->programme));
		col_copy(q, 2, out->status, sizeof(out->status));
		col_copy(q, 3, out->phone, sizeof(out->phone));
		col_copy(q, 4, out->pinfl_last4, sizeof(out->pinfl_last4));
		col_copy(q, 5, out->submitted, sizeof(out->submitted));
		col_copy(q, 6, out->decided, sizeof(out->decided));
		col_copy(q, 7, out->payment, sizeof(out->payment));
		rc = MJ_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "app_get");
	}
	done(q);
	return rc;
}

enum mj_err
store_app_put(struct store *st, const struct app_row *a, int64_t now)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;
	int64_t		 id = 0;
	int		 changed = 1, insert = 1;

	if (st->pg != NULL)
		return pg_app_put(st, a, now);
	PREP(q, SQL_APP_STATUS_OF);
	bind_str(q, 1, a->number);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		id = sqlite3_column_int64(q, 0);
		changed = strcmp(col_text(q, 1), a->status) != 0;
		insert = 0;
		break;
	case SQLITE_DONE:
		break;
	default:
		done(q);
		return db_fail(st, "app_status_of");
	}
	done(q);
	PREP(q, insert ? SQL_APP_INSERT : SQL_APP_UPDATE);
	bind_str(q, 1, a->number);
	bind_str(q, 2, a->programme);
	bind_str(q, 3, a->status);
	bind_str(q, 4, a->phone);
	bind_str(q, 5, a->pinfl_hash);
	bind_str(q, 6, a->pinfl_last4);
	bind_str(q, 7, a->region);
	bind_str(q, 8, a->district);
	bind_str(q, 9, a->submitted);
	bind_str(q, 10, a->decided);
	bind_str(q, 11, a->payment);
	sqlite3_bind_int64(q, 12, now);
	if ((rc = step_done(st, q, "app_put")) != MJ_OK)
		return rc;
	if (insert)
		id = sqlite3_last_insert_rowid(st->db);
	if (!changed)
		return MJ_OK;
	PREP(q, SQL_HISTORY_ADD);
	sqlite3_bind_int64(q, 1, id);
	bind_str(q, 2, a->status);
	bind_str(q, 3, a->decided != NULL ? a->decided : a->submitted);
	bind_str(q, 4, a->source);
	return step_done(st, q, "history_add");
}

int64_t
store_app_count(struct store *st)
{
	sqlite3_stmt	*q;
	int64_t		 n = 0;

	if (st->pg != NULL)
		return pg_app_count(st);
	if ((q = lock_stmt(st, SQL_APP_COUNT)) == NULL)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	done(q);
	pthread_mutex_unlock(&st->lock);
	return n;
}
