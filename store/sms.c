/* sms.c - delivery reports and applicants' contacts (SQLite). */
#include <string.h>

#include "store/pg_citizen.h"
#include "store/sms.h"
#include "store/sms_int.h"
#include "store/store_int.h"

enum mj_err
store_delivery_report(struct store *st, int64_t msg_id, const char *provider,
    const char *type, const char *delivery, const char *detail, int retry,
    int64_t now)
{
	static const char *const q_cur = "SELECT delivery FROM messages "
	    "WHERE id = ?1 AND direction = 'out'";
	static const char *const q_rep = "INSERT INTO delivery_reports "
	    "(message_id, provider, type, detail, received_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5)";
	static const char *const q_set = "UPDATE messages SET delivery = ?2 "
	    "WHERE id = ?1";
	static const char *const q_retry = "UPDATE outbox SET state = "
	    "CASE WHEN attempts + 1 >= 3 THEN 'failed' ELSE 'pending' END, "
	    "attempts = attempts + 1, parts_sent = 0, next_try_at = ?2 + 30, "
	    "last_error = ?3, reason = CASE WHEN attempts + 1 >= 3 THEN "
	    "'gave_up' ELSE 'retrying' END WHERE message_id = ?1 "
	    "RETURNING state";
	sqlite3_stmt	*q;
	enum mj_err	 rc;
	char		 cur[16] = "";
	const char	*now_state = delivery;

	if (st->pg != NULL)
		return pg_delivery_report(st, msg_id, provider, type, delivery,
		    detail, retry, now);
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	if ((q = store_stmt(st, q_cur)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	sqlite3_bind_int64(q, 1, msg_id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		col_copy(q, 0, cur, sizeof(cur));
		break;
	case SQLITE_DONE:
		rc = MJ_ENOTFOUND;
		break;
	default:
		rc = db_fail(st, "dlr_cur");
	}
	done(q);
	if (rc != MJ_OK)
		goto out;
	if ((q = store_stmt(st, q_rep)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	sqlite3_bind_int64(q, 1, msg_id);
	bind_str(q, 2, provider);
	bind_str(q, 3, type);
	bind_str(q, 4, detail);
	sqlite3_bind_int64(q, 5, now);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_fail(st, "dlr_add");
	done(q);
	if (rc != MJ_OK)
		goto out;
	switch (sms_dlr_of(cur, delivery, retry)) {
	case SMS_DLR_RETRY:
		if ((q = store_stmt(st, q_retry)) == NULL) {
			rc = MJ_EDB;
			goto out;
		}
		sqlite3_bind_int64(q, 1, msg_id);
		sqlite3_bind_int64(q, 2, now);
		bind_str(q, 3, detail != NULL ? detail : type);
		now_state = sms_retry_state(sqlite3_step(q) == SQLITE_ROW ?
		    col_text(q, 0) : NULL);
		done(q);
		break;
	case SMS_DLR_KEEP:
		goto out;
	case SMS_DLR_SET:
		break;
	}
	if ((q = store_stmt(st, q_set)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	sqlite3_bind_int64(q, 1, msg_id);
	bind_str(q, 2, now_state);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_fail(st, "dlr_set");
	done(q);
out:
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}

enum mj_err
store_contact_for_phone(struct store *st, const char *phone, int64_t now,
    struct contact *out)
{
	static const char *const q_find = "SELECT channel, address FROM "
	    "contacts WHERE phone = ?1 OR (channel = 'sms' AND address = ?1) "
	    "ORDER BY updated_at DESC, id DESC LIMIT 1";
	sqlite3_stmt	*q;
	char		 channel[16] = "sms", address[64];
	int		 step;

	if (st->pg != NULL)
		return pg_contact_for_phone(st, phone, now, out);
	snprintf(address, sizeof(address), "%s", phone);
	PREP(q, q_find);
	bind_str(q, 1, phone);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW) {
		col_copy(q, 0, channel, sizeof(channel));
		col_copy(q, 1, address, sizeof(address));
	}
	done(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return db_fail(st, "contact_for_phone");
	if (store_contact_get(st, channel, address, now, out) != MJ_OK)
		return MJ_EDB;
	if (strcmp(channel, "sms") == 0 && out->phone[0] == '\0')
		snprintf(out->phone, sizeof(out->phone), "%s", phone);
	return MJ_OK;
}

enum mj_err
store_app_set_status(struct store *st, const char *number, const char *status,
    const char *decided, const char *payment, const char *source, int64_t now,
    int *changed, struct app_status *out)
{
	static const char *const q_upd = "UPDATE applications SET "
	    "status = ?2, decided_on = coalesce(?3, decided_on), "
	    "payment_on = coalesce(?4, payment_on), updated_at = ?5 "
	    "WHERE number = ?1";
	static const char *const q_hist = "INSERT INTO application_history "
	    "(application_id, status, on_date, source) SELECT id, ?2, "
	    "coalesce(?3, date(?4, 'unixepoch', '+5 hours')), ?5 "
	    "FROM applications WHERE number = ?1";
	struct app_status	 cur;
	sqlite3_stmt		*q;
	enum mj_err		 rc;

	if (st->pg != NULL)
		return pg_app_set_status(st, number, status, decided, payment,
		    source, now, changed, out);
	*changed = 0;
	if ((rc = store_app_get(st, number, &cur)) != MJ_OK)
		return rc;
	*changed = strcmp(cur.status, status) != 0;
	PREP(q, q_upd);
	bind_str(q, 1, number);
	bind_str(q, 2, status);
	bind_str(q, 3, decided);
	bind_str(q, 4, payment);
	sqlite3_bind_int64(q, 5, now);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_fail(st, "app_set_status");
	done(q);
	if (rc == MJ_OK && *changed) {
		PREP(q, q_hist);
		bind_str(q, 1, number);
		bind_str(q, 2, status);
		bind_str(q, 3, decided);
		sqlite3_bind_int64(q, 4, now);
		bind_str(q, 5, source);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = db_fail(st, "app_history");
		done(q);
	}
	if (rc == MJ_OK)
		rc = store_app_get(st, number, out);
	return rc;
}

enum mj_err
store_cancel_notices(struct store *st, int64_t contact_id)
{
	static const char *const q_cancel = "UPDATE outbox SET state = "
	    "'failed', last_error = 'opted out' WHERE state = 'pending' AND "
	    "message_id IN (SELECT id FROM messages WHERE contact_id = ?1 AND "
	    "direction = 'out' AND intent = 'notice')";
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;

	if (st->pg != NULL)
		return pg_cancel_notices(st, contact_id);
	PREP(q, q_cancel);
	sqlite3_bind_int64(q, 1, contact_id);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_fail(st, "cancel_notices");
	done(q);
	return rc;
}

enum mj_err
store_outbox_stats(struct store *st, int64_t now, int64_t *depth,
    int64_t *oldest_age)
{
	static const char *const q_stats = "SELECT count(*), "
	    "coalesce(min(created_at), 0) FROM outbox WHERE state = 'pending'";
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;

	if (st->pg != NULL)
		return pg_outbox_stats(st, now, depth, oldest_age);
	*depth = 0;
	*oldest_age = 0;
	pthread_mutex_lock(&st->lock);
	if ((q = store_stmt(st, q_stats)) == NULL)
		rc = MJ_EDB;
	else {
		if (sqlite3_step(q) == SQLITE_ROW) {
			*depth = sqlite3_column_int64(q, 0);
			if (*depth > 0)
				*oldest_age = now - sqlite3_column_int64(q, 1);
		} else
			rc = db_fail(st, "outbox_stats");
		done(q);
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum mj_err
store_ping(struct store *st)
{
	static const char *const q_ping = "SELECT 1";
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_EDB;

	if (st->pg != NULL)
		return pg_ping(st);
	pthread_mutex_lock(&st->lock);
	if ((q = store_stmt(st, q_ping)) != NULL) {
		if (sqlite3_step(q) == SQLITE_ROW)
			rc = MJ_OK;
		done(q);
	}
	pthread_mutex_unlock(&st->lock);
	return rc;
}
