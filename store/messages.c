/*
 * messages.c - messages in and out, the duplicate check on a channel's
 * message id, and the outbox the sender delivers from.  Statements come
 * from the store's cache; every value is a bound parameter.
 */
#include <stdlib.h>
#include <string.h>

#include "store/pg_citizen.h"
#include "store/store.h"
#include "store/store_int.h"

static const char SQL_MSG_ADD[] = "INSERT INTO messages (contact_id, "
    "direction, channel, channel_msg_id, req, reply_to, body, lang, intent, "
    "entities, delivery, encoding, segments, created_at, nlu_source, "
    "nlu_prob, review) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, "
    "?9, ?10, ?11, ?12, nullif(?13, 0), ?14, ?15, ?16, ?17)";
static const char SQL_INBOUND_SEEN[] = "SELECT id FROM messages WHERE "
    "channel = ?1 AND channel_msg_id = ?2 AND direction = 'in'";
/* A content-made id "h:HASH" is stored "h:HASH:SECONDS" (see bot_in). */
static const char SQL_INBOUND_SEEN_SINCE[] = "SELECT id FROM messages "
    "WHERE channel = ?1 AND channel_msg_id > ?2 || ':' AND channel_msg_id < "
    "?2 || ';' AND direction = 'in' AND created_at >= ?3 ORDER BY id DESC "
    "LIMIT 1";
static const char SQL_REPLY_OF[] = "SELECT body FROM messages WHERE "
    "reply_to = ?1 AND direction = 'out' ORDER BY id LIMIT 1";
static const char SQL_OUTBOX_ADD[] = "INSERT INTO outbox (message_id, "
    "channel, address, state, next_try_at, created_at, markup, sent_at, "
    "provider) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
    "CASE ?4 WHEN 'sync' THEN ?6 END, ?8)";
static const char SQL_OUTBOX_DUE[] = "SELECT o.id, o.message_id, "
    "o.channel, o.address, m.body, o.markup, o.attempts, o.parts_sent, "
    "coalesce(m.encoding, ''), coalesce(o.provider, ''), m.req, "
    "coalesce(o.reason, ''), coalesce(m.segments, 0) FROM outbox o "
    "INDEXED BY outbox_pending "
    "JOIN messages m ON m.id = o.message_id WHERE o.state = 'pending' "
    "AND o.next_try_at <= ?1 ORDER BY o.id LIMIT ?2";
static const char SQL_OUTBOX_SET[] = "UPDATE outbox SET state = ?2, "
    "attempts = ?3, parts_sent = ?4, next_try_at = ?5, last_error = ?6, "
    "sent_at = CASE ?2 WHEN 'sent' THEN ?7 ELSE sent_at END, reason = ?8 "
    "WHERE id = ?1";
/* Rows that waited for a provider are looked at again at once. */
static const char SQL_OUTBOX_WAITING[] = "UPDATE outbox SET next_try_at = ?1 "
    "WHERE state = 'pending' AND reason = 'no_provider' AND next_try_at > ?1";
/* A delivery report may come before the send is recorded. */
static const char SQL_MSG_DELIVERY[] = "UPDATE messages SET delivery = ?2 "
    "WHERE id = ?1 AND (?2 <> 'sent' OR delivery NOT IN ('delivered', "
    "'buffered', 'failed'))";

const char *const messages_sql[] = {
	SQL_MSG_ADD, SQL_INBOUND_SEEN, SQL_INBOUND_SEEN_SINCE, SQL_REPLY_OF, SQL_OUTBOX_ADD,
	SQL_OUTBOX_DUE, SQL_OUTBOX_SET, SQL_OUTBOX_WAITING, SQL_MSG_DELIVERY, NULL
};

enum mj_err
store_msg_add(struct store *st, const struct msg_row *m, int64_t *id)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_msg_add(st, m, id);
	PREP(q, SQL_MSG_ADD);
	sqlite3_bind_int64(q, 1, m->contact_id);
	bind_str(q, 2, m->direction);
	bind_str(q, 3, m->channel);
	bind_str(q, 4, m->channel_msg_id);
	bind_str(q, 5, m->req);
	sqlite3_bind_int64(q, 6, m->reply_to);
	bind_str(q, 7, m->body);
	bind_str(q, 8, m->lang);
	bind_str(q, 9, m->intent);
	bind_str(q, 10, m->entities);
	bind_str(q, 11, m->delivery);
	bind_str(q, 12, m->encoding);
	sqlite3_bind_int(q, 13, m->segments);
	sqlite3_bind_int64(q, 14, m->created_at);
	bind_str(q, 15, m->nlu_source);
	if (m->nlu_source != NULL)
		sqlite3_bind_double(q, 16, m->nlu_prob);
	sqlite3_bind_int(q, 17, m->review);
	rc = step_done(st, q, "msg_add");
	if (rc == MJ_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

/* since < 0: the exact id; else a content-made id seen since then. */
static enum mj_err
inbound_seen(struct store *st, const char *channel, const char *msg_id,
    int64_t since, int64_t *in_id, char **reply)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;
	int64_t		 id = 0;

	if (st->pg != NULL)
		return pg_inbound_seen(st, channel, msg_id, since, in_id, reply);
	*reply = NULL;
	PREP(q, since < 0 ? SQL_INBOUND_SEEN : SQL_INBOUND_SEEN_SINCE);
	bind_str(q, 1, channel);
	bind_str(q, 2, msg_id);
	if (since >= 0)
		sqlite3_bind_int64(q, 3, since);
	rc = step_int64(st, q, &id, "inbound_seen");
	done(q);
	if (rc != MJ_OK)
		return rc;
	*in_id = id;
	PREP(q, SQL_REPLY_OF);
	sqlite3_bind_int64(q, 1, id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		if ((*reply = strdup(col_text(q, 0))) == NULL)
			rc = MJ_ENOMEM;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "reply_of");
	}
	done(q);
	return rc;
}

enum mj_err
store_inbound_seen(struct store *st, const char *channel,
    const char *channel_msg_id, int64_t *in_id, char **reply)
{
	return inbound_seen(st, channel, channel_msg_id, -1, in_id, reply);
}

enum mj_err
store_inbound_seen_since(struct store *st, const char *channel,
    const char *hash_id, int64_t since, int64_t *in_id, char **reply)
{
	return inbound_seen(st, channel, hash_id, since < 0 ? 0 : since, in_id,
	    reply);
}

enum mj_err
store_outbox_add(struct store *st, int64_t msg_id, const char *channel,
    const char *address, const char *state, const char *markup,
    const char *provider, int64_t next_try_at, int64_t now)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_outbox_add(st, msg_id, channel, address, state, markup,
		    provider, next_try_at, now);
	PREP(q, SQL_OUTBOX_ADD);
	sqlite3_bind_int64(q, 1, msg_id);
	bind_str(q, 2, channel);
	bind_str(q, 3, address);
	bind_str(q, 4, state);
	sqlite3_bind_int64(q, 5, next_try_at);
	sqlite3_bind_int64(q, 6, now);
	bind_str(q, 7, markup);
	bind_str(q, 8, provider);
	return step_done(st, q, "outbox_add");
}

enum mj_err
store_outbox_recheck(struct store *st, int64_t now)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_outbox_recheck(st, now);
	if ((q = lock_stmt(st, SQL_OUTBOX_WAITING)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, now);
	rc = sqlite3_step(q) == SQLITE_DONE ? MJ_OK : db_fail(st,
	    "outbox_recheck");
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

void
store_outbox_item_free(struct outbox_item *it)
{
	if (it == NULL)
		return;
	free(it->text);
	free(it->markup);
	it->text = NULL;
	it->markup = NULL;
}

enum mj_err
store_outbox_due(struct store *st, int64_t now, struct outbox_item *items,
    size_t max, size_t *n)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_OK;
	int		 step = SQLITE_DONE;

	if (st->pg != NULL)
		return pg_outbox_due(st, now, items, max, n);
	*n = 0;
	if ((q = lock_stmt(st, SQL_OUTBOX_DUE)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)max);
	while (*n < max && (step = sqlite3_step(q)) == SQLITE_ROW) {
		struct outbox_item	*it = &items[*n];
		const unsigned char	*mk = sqlite3_column_text(q, 5);

		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(q, 0);
		it->msg_id = sqlite3_column_int64(q, 1);
		col_copy(q, 2, it->channel, sizeof(it->channel));
		col_copy(q, 3, it->address, sizeof(it->address));
		it->text = strdup(col_text(q, 4));
		it->markup = mk != NULL ? strdup((const char *)mk) : NULL;
		it->attempts = sqlite3_column_int(q, 6);
		it->parts_sent = sqlite3_column_int(q, 7);
		col_copy(q, 8, it->encoding, sizeof(it->encoding));
		col_copy(q, 9, it->provider, sizeof(it->provider));
		col_copy(q, 10, it->req, sizeof(it->req));
		col_copy(q, 11, it->reason, sizeof(it->reason));
		it->segments = sqlite3_column_int(q, 12);
		if (it->text == NULL || (mk != NULL && it->markup == NULL)) {
			store_outbox_item_free(it);
			rc = MJ_ENOMEM;
			break;
		}
		(*n)++;
	}
	if (rc == MJ_OK && *n < max && step != SQLITE_DONE)
		rc = db_fail(st, "outbox_due");
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* One outcome: its outbox row, and its message's delivery. */
static enum mj_err
outbox_set_one(struct store *st, const struct outbox_result *r, int64_t now)
{
	const char	*delivery = strcmp(r->state, "pending") == 0 ?
			    "queued" : r->state;
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	PREP(q, SQL_OUTBOX_SET);
	sqlite3_bind_int64(q, 1, r->id);
	bind_str(q, 2, r->state);
	sqlite3_bind_int(q, 3, r->attempts);
	sqlite3_bind_int(q, 4, r->parts_sent);
	sqlite3_bind_int64(q, 5, r->next_try_at);
	bind_str(q, 6, r->error[0] != '\0' ? r->error : NULL);
	sqlite3_bind_int64(q, 7, now);
	bind_str(q, 8, r->reason);
	if ((rc = step_done(st, q, "outbox_set")) != MJ_OK)
		return rc;
	PREP(q, SQL_MSG_DELIVERY);
	sqlite3_bind_int64(q, 1, r->msg_id);
	bind_str(q, 2, delivery);
	return step_done(st, q, "msg_delivery");
}

enum mj_err
store_outbox_set(struct store *st, const struct outbox_result *r, size_t n,
    int64_t now)
{
	enum mj_err	rc;

	if (st->pg != NULL)
		return pg_outbox_set(st, r, n, now);
	if (n == 0)
		return MJ_OK;
	/*
	 * As the group commit does: the commit only writes the log, and its
	 * fdatasync comes after, outside the store's lock, so the writer's
	 * next batch never waits on the sender's disk.
	 */
	if ((rc = store_begin_derived(st)) != MJ_OK)
		return rc;
	for (size_t i = 0; i < n && rc == MJ_OK; i++)
		rc = outbox_set_one(st, &r[i], now);
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_OK)
		rc = store_sync(st);
	return rc;
}

/* One sender per process on SQLite: nothing to share, nothing to set. */
void
store_outbox_pacing(struct store *st, int lease_s, int chat_interval_ms)
{
	if (st->pg != NULL)
		pg_outbox_pacing(st, lease_s, chat_interval_ms);
}

enum mj_err
store_outbox_node(struct store *st, const char *name)
{
	return st->pg != NULL ? pg_outbox_node(st, name) : MJ_OK;
}
