/*
 * pg_sms.c - sms.c on PostgreSQL (pg_citizen.h): delivery reports, an
 * applicant's contact by phone, registry status updates, notices
 * cancelled, the outbox's figures and the health check.  A report locks
 * its message's row first, so that two nodes with reports of one message
 * compare ranks one after the other.  Values are always bound.
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_citizen.h"
#include "store/pg_int.h"
#include "store/sms_int.h"

/*
 * The message's row is locked first: two nodes with reports of one
 * message compare ranks one after the other.
 */
enum mj_err
pg_delivery_report(struct store *st, int64_t msg_id, const char *provider,
    const char *type, const char *delivery, const char *detail, int retry,
    int64_t now)
{
	static const char q_cur[] = "SELECT delivery FROM messages "
	    "WHERE id = $1 AND direction = 'out' FOR UPDATE";
	static const char q_rep[] = "INSERT INTO delivery_reports "
	    "(message_id, provider, type, detail, received_at) "
	    "VALUES ($1, $2, $3, $4, $5)";
	static const char q_set[] = "UPDATE messages SET delivery = $2 "
	    "WHERE id = $1";
	static const char q_retry[] = "UPDATE outbox SET state = "
	    "CASE WHEN attempts + 1 >= 3 THEN 'failed' ELSE 'pending' END, "
	    "attempts = attempts + 1, parts_sent = 0, next_try_at = $2::bigint + 30, "
	    "last_error = $3, reason = CASE WHEN attempts + 1 >= 3 THEN "
	    "'gave_up' ELSE 'retrying' END, lease_node = NULL, lease_until = 0 "
	    "WHERE message_id = $1 RETURNING state";
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc;
	char		 cur[16] = "";
	const char	*now_state = delivery;

	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	pgq_init(&p);
	pgq_int(&p, msg_id);
	if ((r = pg_exec(st, "dlr_cur", q_cur, &p)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	if (PQntuples(r) > 0)
		pg_copy(r, 0, 0, cur, sizeof(cur));
	else
		rc = MJ_ENOTFOUND;
	PQclear(r);
	if (rc != MJ_OK)
		goto out;
	pgq_init(&p);
	pgq_int(&p, msg_id);
	pgq_str(&p, provider);
	pgq_str(&p, type);
	pgq_str(&p, detail);
	pgq_int(&p, now);
	if ((rc = pg_do(st, "dlr_add", q_rep, &p)) != MJ_OK)
		goto out;
	switch (sms_dlr_of(cur, delivery, retry)) {
	case SMS_DLR_RETRY:
		pgq_init(&p);
		pgq_int(&p, msg_id);
		pgq_int(&p, now);
		pgq_str(&p, detail != NULL ? detail : type);
		if ((r = pg_exec(st, "dlr_retry", q_retry, &p)) == NULL) {
			rc = MJ_EDB;
			goto out;
		}
		now_state = sms_retry_state(PQntuples(r) > 0 ?
		    pg_str(r, 0, 0) : NULL);
		PQclear(r);
		break;
	case SMS_DLR_KEEP:
		goto out;
	case SMS_DLR_SET:
		break;
	}
	pgq_init(&p);
	pgq_int(&p, msg_id);
	pgq_str(&p, now_state);
	rc = pg_do(st, "dlr_set", q_set, &p);
out:
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}

enum mj_err
pg_contact_for_phone(struct store *st, const char *phone, int64_t now,
    struct contact *out)
{
	static const char q_find[] = "SELECT channel, address FROM contacts "
	    "WHERE phone = $1 OR (channel = 'sms' AND address = $1) "
	    "ORDER BY updated_at DESC, id DESC LIMIT 1";
	struct pgq	 p;
	PGresult	*r;
	char		 channel[16] = "sms", address[64];

	snprintf(address, sizeof(address), "%s", phone);
	pgq_init(&p);
	pgq_str(&p, phone);
	if ((r = pg_exec(st, "contact_for_phone", q_find, &p)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0) {
		pg_copy(r, 0, 0, channel, sizeof(channel));
		pg_copy(r, 0, 1, address, sizeof(address));
	}
	PQclear(r);
	if (pg_contact_get(st, channel, address, now, out) != MJ_OK)
		return MJ_EDB;
	if (strcmp(channel, "sms") == 0 && out->phone[0] == '\0')
		snprintf(out->phone, sizeof(out->phone), "%s", phone);
	return MJ_OK;
}

/*
 * The row is locked and its status read in the statement that changes it,
 * so that two nodes with one registry update add one history row.  The
 * day of a change without a decision date is Tashkent's (UTC+5, no DST).
 */
enum mj_err
pg_app_set_status(struct store *st, const char *number, const char *status,
    const char *decided, const char *payment, const char *source, int64_t now,
    int *changed, struct app_status *out)
{
	static const char q_upd[] = "UPDATE applications a SET status = $2, "
	    "decided_on = coalesce($3, a.decided_on), "
	    "payment_on = coalesce($4, a.payment_on), updated_at = $5 "
	    "FROM (SELECT id, status FROM applications WHERE number = $1 "
	    "FOR UPDATE) old WHERE a.id = old.id RETURNING a.id, old.status";
	static const char q_hist[] = "INSERT INTO application_history "
	    "(application_id, status, on_date, source) VALUES ($1, $2, "
	    "coalesce($3, to_char(to_timestamp($4::bigint) AT TIME ZONE 'UTC' "
	    "+ interval '5 hours', 'YYYY-MM-DD')), $5)";
	struct pgq	 p;
	PGresult	*r;
	int64_t		 id;

	*changed = 0;
	pgq_init(&p);
	pgq_str(&p, number);
	pgq_str(&p, status);
	pgq_str(&p, decided);
	pgq_str(&p, payment);
	pgq_int(&p, now);
	if ((r = pg_exec(st, "app_set_status", q_upd, &p)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return MJ_ENOTFOUND;
	}
	id = pg_int(r, 0, 0);
	*changed = strcmp(pg_str(r, 0, 1), status) != 0;
	PQclear(r);
	if (*changed) {
		pgq_init(&p);
		pgq_int(&p, id);
		pgq_str(&p, status);
		pgq_str(&p, decided);
		pgq_int(&p, now);
		pgq_str(&p, source);
		if (pg_do(st, "app_history", q_hist, &p) != MJ_OK)
			return MJ_EDB;
	}
	return pg_app_get(st, number, out);
}

enum mj_err
pg_cancel_notices(struct store *st, int64_t contact_id)
{
	static const char q[] = "UPDATE outbox SET state = 'failed', "
	    "last_error = 'opted out', lease_node = NULL, lease_until = 0 "
	    "WHERE state = 'pending' AND message_id IN (SELECT id FROM "
	    "messages WHERE contact_id = $1 AND direction = 'out' AND "
	    "intent = 'notice')";
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, contact_id);
	return pg_do(st, "cancel_notices", q, &p);
}

enum mj_err
pg_outbox_stats(struct store *st, int64_t now, int64_t *depth,
    int64_t *oldest_age)
{
	static const char q[] = "SELECT count(*), coalesce(min(created_at), 0) "
	    "FROM outbox WHERE state = 'pending'";
	PGresult	*r;
	enum mj_err	 rc = MJ_EDB;

	*depth = 0;
	*oldest_age = 0;
	pg_lock(st);
	if ((r = pg_exec(st, "outbox_stats", q, NULL)) != NULL) {
		if (PQntuples(r) > 0) {
			*depth = pg_int(r, 0, 0);
			if (*depth > 0)
				*oldest_age = now - pg_int(r, 0, 1);
			rc = MJ_OK;
		}
		PQclear(r);
	}
	pg_unlock(st);
	return rc;
}

/* On the writer's connection: a broken one is opened again (pg_exec). */
enum mj_err
pg_ping(struct store *st)
{
	enum mj_err	rc;

	pg_lock(st);
	rc = pg_do(st, "ping", "SELECT 1", NULL);
	pg_unlock(st);
	return rc;
}
