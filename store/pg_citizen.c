/*
 * pg_citizen.c - the citizen's path on PostgreSQL (the side of contacts.c
 * and messages.c; sms.c's is pg_sms.c).  Where several nodes share the
 * database the database decides: a contact's row is locked (FOR NO KEY
 * UPDATE) by the transaction that handles its message, so the per-sender
 * counters kept in it hold across nodes; a redelivered webhook is stored
 * once, by the unique index messages_inbound_dedupe (ON CONFLICT DO
 * NOTHING); the outbox's rows are claimed with a lease (FOR UPDATE SKIP
 * LOCKED) so that one node sends each, and a node that died mid-send
 * loses its rows when the lease ends.  Values are always bound.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "store/pg_citizen.h"
#include "store/pg_int.h"

#define LEASE_S_DEFAULT	60

/*
 * The outbox sender's settings (store_outbox_pacing()): one sender runs
 * per process, so they are the process's.
 */
static atomic_int	lease_secs = LEASE_S_DEFAULT;
static atomic_int	chat_gap_ms;
static char		node_name[128];	/* store_outbox_node(), set once */

/* The database's clock in ms: one clock for every node's pacing. */
#define DB_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

/* What contact_of() reads, in its order. */
#define CONTACT_COLS "id, channel, address, coalesce(phone, ''), lang, " \
	"opted_out, state, state_data, state_at, misses, misses_since, " \
	"lang_chosen, held_until, rate_min_start, rate_min_count, " \
	"rate_day_start, rate_day_count, rate_warned, lang_cyrl, lang_latn"
#define CONTACT_SET "lang = $3, opted_out = $4::integer, state = $5, " \
	"state_data = $6, state_at = $7, misses = $8, misses_since = $9, " \
	"updated_at = $10::bigint, lang_chosen = $11, rate_min_start = $12, " \
	"rate_min_count = $13, rate_day_start = $14, rate_day_count = $15, " \
	"rate_warned = $16, lang_cyrl = $17, lang_latn = $18, " \
	"opted_out_at = CASE WHEN $4::integer = 1 AND opted_out = 0 THEN " \
	"$10::bigint WHEN $4::integer = 0 THEN NULL ELSE opted_out_at END " \
	"WHERE id = $1"

static const char SQL_CONTACT_LOCK[] = "SELECT " CONTACT_COLS
    " FROM contacts WHERE channel = $1 AND address = $2 FOR NO KEY UPDATE";
static const char SQL_CONTACT_BY_ID[] = "SELECT " CONTACT_COLS
    " FROM contacts WHERE id = $1";
/* A new row is the inserting transaction's own: locked until its end. */
static const char SQL_CONTACT_NEW[] = "INSERT INTO contacts (channel, "
    "address, created_at, updated_at) VALUES ($1, $2, $3, $3) "
    "ON CONFLICT (channel, address) DO NOTHING RETURNING " CONTACT_COLS;
static const char SQL_CONTACT_SAVE[] = "UPDATE contacts SET "
    "phone = nullif($2, ''), " CONTACT_SET;
/* The same when the phone did not change ($2 unused: bound NULL). */
static const char SQL_CONTACT_SAVE_SAME[] = "UPDATE contacts SET "
    CONTACT_SET " AND $2::text IS NULL";

static enum mj_err
contact_of(struct store *st, const char *op, const char *sql,
    const struct pgq *p, struct contact *c)
{
	PGresult	*r = pg_exec(st, op, sql, p);

	if (r == NULL)
		return MJ_EDB;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return MJ_ENOTFOUND;
	}
	memset(c, 0, sizeof(*c));
	c->id = pg_int(r, 0, 0);
	pg_copy(r, 0, 1, c->channel, sizeof(c->channel));
	pg_copy(r, 0, 2, c->address, sizeof(c->address));
	pg_copy(r, 0, 3, c->phone, sizeof(c->phone));
	memcpy(c->phone_read, c->phone, sizeof(c->phone_read));
	pg_copy(r, 0, 4, c->lang, sizeof(c->lang));
	c->opted_out = (int)pg_int(r, 0, 5);
	pg_copy(r, 0, 6, c->state, sizeof(c->state));
	pg_copy(r, 0, 7, c->state_data, sizeof(c->state_data));
	c->state_at = pg_int(r, 0, 8);
	c->misses = (int)pg_int(r, 0, 9);
	c->misses_since = pg_int(r, 0, 10);
	c->lang_chosen = (int)pg_int(r, 0, 11);
	c->held_until = pg_int(r, 0, 12);
	c->rate_min_start = pg_int(r, 0, 13);
	c->rate_min_count = (int)pg_int(r, 0, 14);
	c->rate_day_start = pg_int(r, 0, 15);
	c->rate_day_count = (int)pg_int(r, 0, 16);
	c->rate_warned = (int)pg_int(r, 0, 17);
	pg_copy(r, 0, 18, c->lang_cyrl, sizeof(c->lang_cyrl));
	pg_copy(r, 0, 19, c->lang_latn, sizeof(c->lang_latn));
	PQclear(r);
	return MJ_OK;
}

enum mj_err
pg_contact_by_id(struct store *st, int64_t id, struct contact *c)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, id);
	return contact_of(st, "contact_by_id", SQL_CONTACT_BY_ID, &p, c);
}

enum mj_err
pg_contact_find(struct store *st, const char *channel, const char *address,
    struct contact *out)
{
	struct pgq	p;

	pgq_init(&p);
	pgq_str(&p, channel);
	pgq_str(&p, address);
	return contact_of(st, "contact_get", SQL_CONTACT_LOCK, &p, out);
}

/*
 * Locked in every case: the row found (FOR NO KEY UPDATE), or ours because we
 * inserted it.  Two nodes creating one contact at once: the second's
 * insert waits for the first's commit and does nothing; its second look
 * (a new snapshot) then finds the row and waits for the lock.
 */
enum mj_err
pg_contact_get(struct store *st, const char *channel, const char *address,
    int64_t now, struct contact *out)
{
	struct pgq	p;
	enum mj_err	rc;

	if ((rc = pg_contact_find(st, channel, address, out)) != MJ_ENOTFOUND)
		return rc;
	pgq_init(&p);
	pgq_str(&p, channel);
	pgq_str(&p, address);
	pgq_int(&p, now);
	if ((rc = contact_of(st, "contact_new", SQL_CONTACT_NEW, &p, out)) !=
	    MJ_ENOTFOUND)
		return rc;
	if ((rc = pg_contact_find(st, channel, address, out)) == MJ_ENOTFOUND) {
		log_err("store.fail", "op=contact_new sqlstate=none err=\"the "
		    "contact was neither inserted nor found\"");
		rc = MJ_EDB;
	}
	return rc;
}

enum mj_err
pg_contact_save(struct store *st, const struct contact *c, int64_t now)
{
	int		same = strcmp(c->phone, c->phone_read) == 0;
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, c->id);
	if (same)
		pgq_null(&p);
	else
		pgq_str(&p, c->phone);
	pgq_str(&p, c->lang);
	pgq_int(&p, c->opted_out);
	pgq_str(&p, c->state);
	pgq_str(&p, c->state_data);
	pgq_int(&p, c->state_at);
	pgq_int(&p, c->misses);
	pgq_int(&p, c->misses_since);
	pgq_int(&p, now);
	pgq_int(&p, c->lang_chosen);
	pgq_int(&p, c->rate_min_start);
	pgq_int(&p, c->rate_min_count);
	pgq_int(&p, c->rate_day_start);
	pgq_int(&p, c->rate_day_count);
	pgq_int(&p, c->rate_warned);
	pgq_str(&p, c->lang_cyrl);
	pgq_str(&p, c->lang_latn);
	return pg_do(st, "contact_save", same ? SQL_CONTACT_SAVE_SAME :
	    SQL_CONTACT_SAVE, &p);
}

/* Applications. */

static const char SQL_APP_GET[] = "SELECT number, programme, status, "
    "applicant_phone, pinfl_last4, submitted_on, coalesce(decided_on, ''), "
    "coalesce(payment_on, '') FROM applications WHERE number = $1";

static void
app_of(const PGresult *r, struct app_status *out)
{
	memset(out, 0, sizeof(*out));
	pg_copy(r, 0, 0, out->number, sizeof(out->number));
	pg_copy(r, 0, 1, out->programme, sizeof(out->programme));
	pg_copy(r, 0, 2, out->status, sizeof(out->status));
	pg_copy(r, 0, 3, out->phone, sizeof(out->phone));
	pg_copy(r, 0, 4, out->pinfl_last4, sizeof(out->pinfl_last4));
	pg_copy(r, 0, 5, out->submitted, sizeof(out->submitted));
	pg_copy(r, 0, 6, out->decided, sizeof(out->decided));
	pg_copy(r, 0, 7, out->payment, sizeof(out->payment));
}

enum mj_err
pg_app_get(struct store *st, const char *number, struct app_status *out)
{
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_ENOTFOUND;

	pgq_init(&p);
	pgq_str(&p, number);
	if ((r = pg_exec(st, "app_get", SQL_APP_GET, &p)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0) {
		app_of(r, out);
		rc = MJ_OK;
	}
	PQclear(r);
	return rc;
}

/* The columns both statements of pg_app_put() bind, $1..$12. */
static void
app_params(struct pgq *p, const struct app_row *a, int64_t now)
{
	pgq_init(p);
	pgq_str(p, a->number);
	pgq_str(p, a->programme);
	pgq_str(p, a->status);
	pgq_str(p, a->phone);
	pgq_str(p, a->pinfl_hash);
	pgq_str(p, a->pinfl_last4);
	pgq_str(p, a->region);
	pgq_str(p, a->district);
	pgq_str(p, a->submitted);
	pgq_str(p, a->decided);
	pgq_str(p, a->payment);
	pgq_int(p, now);
}

/*
 * The row is locked before it is compared, so that two importers of one
 * number add one history row for one change.
 */
enum mj_err
pg_app_put(struct store *st, const struct app_row *a, int64_t now)
{
	static const char q_lock[] = "SELECT id, status FROM applications "
	    "WHERE number = $1 FOR UPDATE";
	static const char q_ins[] = "INSERT INTO applications (number, "
	    "programme, status, applicant_phone, pinfl_hash, pinfl_last4, "
	    "region, district, submitted_on, decided_on, payment_on, "
	    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
	    "$11, $12) ON CONFLICT (number) DO NOTHING RETURNING id";
	static const char q_upd[] = "UPDATE applications SET programme = $2, "
	    "status = $3, applicant_phone = $4, pinfl_hash = $5, "
	    "pinfl_last4 = $6, region = $7, district = $8, submitted_on = $9, "
	    "decided_on = $10, payment_on = $11, updated_at = $12 "
	    "WHERE number = $1";
	static const char q_hist[] = "INSERT INTO application_history "
	    "(application_id, status, on_date, source) VALUES ($1, $2, $3, $4)";
	struct pgq	 p;
	PGresult	*r;
	int64_t		 id = 0;
	int		 changed = 1, found = 0;

	for (int tries = 0; tries < 2 && !found && id == 0; tries++) {
		pgq_init(&p);
		pgq_str(&p, a->number);
		if ((r = pg_exec(st, "app_status_of", q_lock, &p)) == NULL)
			return MJ_EDB;
		if (PQntuples(r) > 0) {
			id = pg_int(r, 0, 0);
			changed = strcmp(pg_str(r, 0, 1), a->status) != 0;
			found = 1;
		}
		PQclear(r);
		if (found)
			break;
		app_params(&p, a, now);
		if ((r = pg_exec(st, "app_put", q_ins, &p)) == NULL)
			return MJ_EDB;
		if (PQntuples(r) > 0)
			id = pg_int(r, 0, 0);
		PQclear(r);
		/* No row: another node inserted it meanwhile; look again. */
	}
	if (id == 0) {
		log_err("store.fail", "op=app_put sqlstate=none err=\"the "
		    "application was neither inserted nor found\"");
		return MJ_EDB;
	}
	if (found) {
		app_params(&p, a, now);
		if (pg_do(st, "app_put", q_upd, &p) != MJ_OK)
			return MJ_EDB;
	}
	if (!changed)
		return MJ_OK;
	pgq_init(&p);
	pgq_int(&p, id);
	pgq_str(&p, a->status);
	pgq_str(&p, a->decided != NULL ? a->decided : a->submitted);
	pgq_str(&p, a->source);
	return pg_do(st, "history_add", q_hist, &p);
}

int64_t
pg_app_count(struct store *st)
{
	int64_t	n = 0;

	pg_lock(st);
	if (pg_one_int(st, "app_count", "SELECT count(*) FROM applications",
	    NULL, &n) != MJ_OK)
		n = 0;
	pg_unlock(st);
	return n;
}

/* Messages. */

/*
 * The message and its index_queue row in one statement.  The conflict
 * target is the partial unique index messages_inbound_dedupe: only an
 * inbound row with a channel_msg_id can meet it.  When the conflicting row
 * is another transaction's, not yet committed, PostgreSQL waits for it:
 * committed, this inserts nothing; rolled back, this row goes in.
 */
static const char SQL_MSG_ADD[] = "WITH m AS (INSERT INTO messages "
    "(contact_id, direction, channel, channel_msg_id, req, reply_to, body, "
    "lang, intent, entities, delivery, encoding, segments, created_at, "
    "nlu_source, nlu_prob, review) VALUES ($1, $2, $3, $4, $5, "
    "nullif($6::bigint, 0), $7, $8, $9, $10, $11, $12, "
    "nullif($13::integer, 0), $14, $15, $16, $17) "
    "ON CONFLICT (channel, channel_msg_id) WHERE direction = 'in' AND "
    "channel_msg_id IS NOT NULL DO NOTHING RETURNING id), "
    "q AS (INSERT INTO index_queue (message_id) SELECT id FROM m) "
    "SELECT id FROM m";

enum mj_err
pg_msg_add(struct store *st, const struct msg_row *m, int64_t *id)
{
	struct pgq	 p;
	PGresult	*r;
	int64_t		 got;

	pgq_init(&p);
	pgq_int(&p, m->contact_id);
	pgq_str(&p, m->direction);
	pgq_str(&p, m->channel);
	pgq_str(&p, m->channel_msg_id);
	pgq_str(&p, m->req);
	pgq_int(&p, m->reply_to);
	pgq_str(&p, m->body);
	pgq_str(&p, m->lang);
	pgq_str(&p, m->intent);
	pgq_str(&p, m->entities);
	pgq_str(&p, m->delivery);
	pgq_str(&p, m->encoding);
	pgq_int(&p, m->segments);
	pgq_int(&p, m->created_at);
	pgq_str(&p, m->nlu_source);
	if (m->nlu_source != NULL)
		pgq_dbl(&p, m->nlu_prob);
	else
		pgq_null(&p);
	pgq_int(&p, m->review);
	if ((r = pg_exec(st, "msg_add", SQL_MSG_ADD, &p)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) == 0) {
		/* Another node stored this inbound message: see store.h. */
		PQclear(r);
		return MJ_EINPUT;
	}
	got = pg_int(r, 0, 0);
	PQclear(r);
	pg_txn_msg(st, got);
	if (id != NULL)
		*id = got;
	return MJ_OK;
}

/* The inbound row and the first reply to it, in one look. */
#define SEEN_COLS "SELECT i.id, (SELECT r.body FROM messages r WHERE " \
	"r.reply_to = i.id AND r.direction = 'out' ORDER BY r.id LIMIT 1) " \
	"FROM messages i "
static const char SQL_INBOUND_SEEN[] = SEEN_COLS "WHERE i.channel = $1 "
    "AND i.channel_msg_id = $2 AND i.direction = 'in'";
/*
 * A content-made id "h:HASH" is stored "h:HASH:SECONDS": a prefix, read
 * with starts_with() (no collation can reorder it), among the recent rows.
 */
static const char SQL_INBOUND_SEEN_SINCE[] = SEEN_COLS "WHERE i.channel = $1 "
    "AND starts_with(i.channel_msg_id, $2 || ':') AND i.direction = 'in' "
    "AND i.created_at >= $3 ORDER BY i.id DESC LIMIT 1";

enum mj_err
pg_inbound_seen(struct store *st, const char *channel, const char *msg_id,
    int64_t since, int64_t *in_id, char **reply)
{
	struct pgq	 p;
	PGresult	*r;
	enum mj_err	 rc = MJ_ENOTFOUND;

	*reply = NULL;
	pgq_init(&p);
	pgq_str(&p, channel);
	pgq_str(&p, msg_id);
	if (since >= 0)
		pgq_int(&p, since);
	if ((r = pg_exec(st, "inbound_seen", since < 0 ? SQL_INBOUND_SEEN :
	    SQL_INBOUND_SEEN_SINCE, &p)) == NULL)
		return MJ_EDB;
	if (PQntuples(r) > 0) {
		rc = MJ_OK;
		*in_id = pg_int(r, 0, 0);
		if (!pg_isnull(r, 0, 1) && (*reply = pg_dup(r, 0, 1)) == NULL)
			rc = MJ_ENOMEM;
	}
	PQclear(r);
	return rc;
}

/* The outbox. */

enum mj_err
pg_outbox_add(struct store *st, int64_t msg_id, const char *channel,
    const char *address, const char *state, const char *markup,
    const char *provider, int64_t next_try_at, int64_t now)
{
	static const char q[] = "INSERT INTO outbox (message_id, channel, "
	    "address, state, next_try_at, created_at, markup, sent_at, "
	    "provider) VALUES ($1, $2, $3, $4, $5, $6::bigint, $7, "
	    "CASE WHEN $4 = 'sync' THEN $6::bigint END, $8)";
	struct pgq	p;

	pgq_init(&p);
	pgq_int(&p, msg_id);
	pgq_str(&p, channel);
	pgq_str(&p, address);
	pgq_str(&p, state);
	pgq_int(&p, next_try_at);
	pgq_int(&p, now);
	pgq_str(&p, markup);
	pgq_str(&p, provider);
	return pg_do(st, "outbox_add", q, &p);
}

enum mj_err
pg_outbox_recheck(struct store *st, int64_t now)
{
	static const char q[] = "UPDATE outbox SET next_try_at = $1 "
	    "WHERE state = 'pending' AND reason = 'no_provider' AND "
	    "next_try_at > $1";
	struct pgq	p;
	enum mj_err	rc;

	pgq_init(&p);
	pgq_int(&p, now);
	pg_lock(st);
	rc = pg_do(st, "outbox_recheck", q, &p);
	pg_unlock(st);
	return rc;
}

void
pg_outbox_pacing(struct store *st, int lease_s, int chat_interval_ms)
{
	(void)st;
	atomic_store(&lease_secs, lease_s > 0 ? lease_s : LEASE_S_DEFAULT);
	atomic_store(&chat_gap_ms, chat_interval_ms > 0 ? chat_interval_ms :
	    0);
}

/*
 * This store's name in outbox.lease_node: the node's name when it was
 * given (store_outbox_node()), else the process (host:pid) and the store,
 * so that two stores of one process (the tests' two nodes) are two owners.
 */
static void
node_of(const struct store *st, char *buf, size_t size)
{
	uint64_t	h = (uint64_t)(uintptr_t)st * 0x9e3779b97f4a7c15ULL;

	if (node_name[0] != '\0')
		snprintf(buf, size, "%s", node_name);
	else
		snprintf(buf, size, "%s/%08x", pg_node(), (unsigned)(h >> 32));
}

enum mj_err
pg_outbox_node(struct store *st, const char *name)
{
	struct pgq	p;
	enum mj_err	rc;

	snprintf(node_name, sizeof(node_name), "%s", name);
	pgq_init(&p);
	pgq_str(&p, node_name);
	pg_lock(st);
	rc = pg_do(st, "outbox_node", "UPDATE outbox SET lease_node = NULL, "
	    "lease_until = 0 WHERE lease_node = $1 AND state = 'pending'", &p);
	pg_unlock(st);
	return rc;
}

/*
 * Claim up to $2 due rows for node $3 until $1 + $4.  A row is free when
 * no live lease holds it, or when the lease is this node's own (rows the
 * sender looked at and left for the next pass; its in_flight() knows the
 * ones under way).  A row waits while its chat has another row under
 * another node's live lease, or was sent to within $5 ms (chat_sends, on
 * the database's clock).  SKIP LOCKED: rows another transaction holds
 * (a node recording its outcomes) are left for the next pass.
 */
static const char SQL_OUTBOX_CLAIM[] = "UPDATE outbox o SET "
    "lease_node = $3, lease_until = $1::bigint + $4::bigint "
    "FROM messages m WHERE m.id = o.message_id AND o.id IN ("
    "SELECT c.id FROM outbox c WHERE c.state = 'pending' AND "
    "c.next_try_at <= $1 AND (c.lease_until < $1 OR c.lease_node = $3) "
    "AND NOT EXISTS (SELECT 1 FROM outbox b WHERE b.state = 'pending' AND "
    "b.channel = c.channel AND b.address = c.address AND b.id <> c.id AND "
    "b.lease_until >= $1 AND b.lease_node IS DISTINCT FROM $3) "
    "AND NOT EXISTS (SELECT 1 FROM chat_sends s WHERE $5::bigint > 0 AND "
    "s.channel = c.channel AND s.address = c.address AND "
    "s.last_ms > " DB_NOW_MS " - $5::bigint) "
    "ORDER BY c.id LIMIT $2 FOR UPDATE OF c SKIP LOCKED) "
    "RETURNING o.id, o.message_id, o.channel, o.address, m.body, o.markup, "
    "o.attempts, o.parts_sent, coalesce(m.encoding, ''), "
    "coalesce(o.provider, ''), m.req, coalesce(o.reason, ''), "
    "coalesce(m.segments, 0)";
/*
 * Claims of all nodes take turns (a lock held to the claim's commit), so
 * each sees the leases of those before it: a chat is never claimed by two
 * nodes at once.  A claim is one short statement.
 */
static const char SQL_OUTBOX_TURN[] = "SELECT pg_advisory_xact_lock("
    "hashtext('murojaat.outbox.claim'))";

static int
by_id(const void *a, const void *b)
{
	const struct outbox_item	*x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

enum mj_err
pg_outbox_due(struct store *st, int64_t now, struct outbox_item *items,
    size_t max, size_t *n)
{
	struct pgq	 p;
	PGresult	*r = NULL;
	enum mj_err	 rc;
	char		 node[128];
	int		 rows;

	*n = 0;
	if (max == 0)
		return MJ_OK;
	node_of(st, node, sizeof(node));
	pgq_init(&p);
	pgq_int(&p, now);
	pgq_int(&p, (int64_t)max);
	pgq_str(&p, node);
	pgq_int(&p, atomic_load(&lease_secs));
	pgq_int(&p, atomic_load(&chat_gap_ms));
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	if (pg_do(st, "outbox_turn", SQL_OUTBOX_TURN, NULL) != MJ_OK ||
	    (r = pg_exec(st, "outbox_due", SQL_OUTBOX_CLAIM, &p)) == NULL) {
		store_end(st, 0);
		return MJ_EDB;
	}
	rows = PQntuples(r);
	for (int i = 0; i < rows && *n < max; i++) {
		struct outbox_item	*it = &items[*n];

		memset(it, 0, sizeof(*it));
		it->id = pg_int(r, i, 0);
		it->msg_id = pg_int(r, i, 1);
		pg_copy(r, i, 2, it->channel, sizeof(it->channel));
		pg_copy(r, i, 3, it->address, sizeof(it->address));
		it->text = strdup(pg_str(r, i, 4));
		it->markup = pg_dup(r, i, 5);
		it->attempts = (int)pg_int(r, i, 6);
		it->parts_sent = (int)pg_int(r, i, 7);
		pg_copy(r, i, 8, it->encoding, sizeof(it->encoding));
		pg_copy(r, i, 9, it->provider, sizeof(it->provider));
		pg_copy(r, i, 10, it->req, sizeof(it->req));
		pg_copy(r, i, 11, it->reason, sizeof(it->reason));
		it->segments = (int)pg_int(r, i, 12);
		if (it->text == NULL ||
		    (!pg_isnull(r, i, 5) && it->markup == NULL)) {
			store_outbox_item_free(it);
			rc = MJ_ENOMEM;
			break;
		}
		(*n)++;
	}
	PQclear(r);
	if (rc != MJ_OK) {
		/* Undo the claim: nothing is handed out. */
		store_end(st, 0);
		for (size_t i = 0; i < *n; i++)
			store_outbox_item_free(&items[i]);
		*n = 0;
		return rc;
	}
	if (store_end(st, 1) != MJ_OK) {
		for (size_t i = 0; i < *n; i++)
			store_outbox_item_free(&items[i]);
		*n = 0;
		return MJ_EDB;
	}
	qsort(items, *n, sizeof(*items), by_id);	/* oldest first */
	return MJ_OK;
}

/*
 * One outcome: the row (its lease ends), the chat's last send when it was
 * sent, and its message's delivery (a report that came first stands).
 */
static const char SQL_OUTBOX_SET[] = "WITH o AS (UPDATE outbox SET "
    "state = $2, attempts = $3, parts_sent = $4, next_try_at = $5, "
    "last_error = $6, sent_at = CASE WHEN $2 = 'sent' THEN $7::bigint "
    "ELSE sent_at END, reason = $8, lease_node = NULL, lease_until = 0 "
    "WHERE id = $1 RETURNING channel, address, state), "
    "s AS (INSERT INTO chat_sends (channel, address, last_ms) "
    "SELECT channel, address, " DB_NOW_MS " FROM o WHERE state = 'sent' "
    "ON CONFLICT (channel, address) DO UPDATE SET last_ms = "
    "greatest(chat_sends.last_ms, excluded.last_ms)) "
    "UPDATE messages SET delivery = $10 WHERE id = $9 AND "
    "($10 <> 'sent' OR delivery NOT IN ('delivered', 'buffered', 'failed'))";

enum mj_err
pg_outbox_set(struct store *st, const struct outbox_result *r, size_t n,
    int64_t now)
{
	enum mj_err	rc;

	if (n == 0)
		return MJ_OK;
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	for (size_t i = 0; i < n && rc == MJ_OK; i++) {
		struct pgq	p;

		pgq_init(&p);
		pgq_int(&p, r[i].id);
		pgq_str(&p, r[i].state);
		pgq_int(&p, r[i].attempts);
		pgq_int(&p, r[i].parts_sent);
		pgq_int(&p, r[i].next_try_at);
		pgq_str_null(&p, r[i].error);
		pgq_int(&p, now);
		pgq_str(&p, r[i].reason);
		pgq_int(&p, r[i].msg_id);
		pgq_str(&p, strcmp(r[i].state, "pending") == 0 ? "queued" :
		    r[i].state);
		rc = pg_do(st, "outbox_set", SQL_OUTBOX_SET, &p);
	}
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}
