/*
 * helpdesk.c - the help desk's conversations: the inbox (one summary row per
 * conversation, newest first, keyset paging, FTS5 search of the citizens'
 * messages or of all, a contact by its own phone), one
 * conversation's head, messages, applications, notes and labels, takeover
 * and resolving, and agents' labels for teaching.  Staff and audit are in
 * staff.c, the dashboard in dash.c.
 *
 * The inbox query is built from a fixed set of fragments chosen by which
 * filters are present (so each shape can use its own index); each shape is
 * a statement of the store's cache like any other.  Every value is a
 * bound parameter.  A store on PostgreSQL is served by pg_helpdesk.c.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/mask.h"
#include "store/helpdesk.h"
#include "store/helpdesk_int.h"
#include "store/pg_helpdesk.h"
#include "store/store_int.h"

static const char SQL_HEAD[] =
    "SELECT k.id, k.channel, k.address, coalesce(k.phone, ''), "
    "k.lang, k.opted_out, coalesce(k.held_by, ''), k.held_until, "
    "coalesce(c.status, 'open'), coalesce(c.needs_human, 0), "
    "coalesce(c.last_at, k.created_at), coalesce(c.resolved_at, 0), "
    "coalesce(c.resolved_by, '') FROM contacts k LEFT JOIN "
    "conversations c ON c.contact_id = k.id WHERE k.id = ?1";

static const char SQL_MSGS[] =
    "SELECT * FROM (SELECT m.id, m.direction, m.channel, "
    "m.body, coalesce(m.lang, ''), coalesce(m.intent, ''), m.delivery, "
    "coalesce(m.encoding, ''), coalesce(o.last_error, ''), "
    "coalesce(m.segments, 0), m.created_at, coalesce(m.nlu_source, ''), "
    "coalesce(m.nlu_prob, 0), m.review, coalesce(l.intent, ''), "
    "coalesce(s.username, ''), coalesce(l.labelled_at, 0), "
    "coalesce(o.state, ''), coalesce(o.reason, ''), coalesce(o.attempts, 0) "
    "FROM messages m LEFT JOIN outbox o ON o.message_id = m.id "
    "LEFT JOIN message_labels l ON l.message_id = m.id "
    "LEFT JOIN staff s ON s.id = l.staff_id "
    "WHERE m.contact_id = ?1 AND m.id < ?2 ORDER BY m.id DESC "
    "LIMIT ?3) ORDER BY 1";

static const char SQL_APPS[] =
    "SELECT number, programme, status, applicant_phone, "
    "pinfl_last4, submitted_on, coalesce(decided_on, ''), "
    "coalesce(payment_on, '') FROM applications "
    "WHERE applicant_phone = ?1 ORDER BY submitted_on DESC, id DESC "
    "LIMIT 50";

static const char SQL_NOTES[] =
    "SELECT n.id, s.username, n.body, n.created_at FROM notes n "
    "JOIN staff s ON s.id = n.staff_id WHERE n.contact_id = ?1 "
    "ORDER BY n.id";

static const char SQL_LABELS[] =
    "SELECT label FROM labels WHERE contact_id = ?1 "
    "ORDER BY label";

static const char SQL_NOTE_ADD[] =
    "INSERT INTO notes (contact_id, staff_id, body, "
    "created_at) VALUES (?1, ?2, ?3, ?4)";

static const char SQL_LABELS_DEL[] =
    "DELETE FROM labels WHERE contact_id = ?1";

static const char SQL_LABEL_ADD[] =
    "INSERT OR IGNORE INTO labels (contact_id, label) "
    "VALUES (?1, ?2)";

static const char SQL_HOLDER[] =
    "SELECT coalesce(held_by, ''), held_until FROM contacts "
    "WHERE id = ?1";

static const char SQL_HOLD[] =
    "UPDATE contacts SET held_by = nullif(?2, ''), "
    "held_until = ?3, updated_at = ?4 WHERE id = ?1";

static const char SQL_RESOLVE[] =
    "UPDATE conversations SET status = CASE ?2 WHEN 1 THEN "
    "'resolved' ELSE 'open' END, needs_human = CASE ?2 WHEN 1 THEN 0 "
    "ELSE needs_human END, unknown_streak = CASE ?2 WHEN 1 THEN 0 "
    "ELSE unknown_streak END, resolved_at = CASE ?2 WHEN 1 THEN ?3 "
    "END, resolved_by = CASE ?2 WHEN 1 THEN ?4 END "
    "WHERE contact_id = ?1";

/* Whether it counts in its summary: indexed, for review, unlabelled. */
static const char SQL_TEACH_GET[] =
    "SELECT m.contact_id, m.direction, m.review AND m.id <= "
    "coalesce((SELECT last_id FROM index_state WHERE name = "
    "'messages'), 0), coalesce(l.intent, '') FROM messages m "
    "LEFT JOIN message_labels l ON l.message_id = m.id WHERE m.id = ?1";

static const char SQL_TEACH_SET[] =
    "INSERT INTO message_labels (message_id, intent, "
    "staff_id, labelled_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
    "(message_id) DO UPDATE SET intent = ?2, staff_id = ?3, "
    "labelled_at = ?4";

static const char SQL_TEACH_RECOUNT[] =
    "UPDATE conversations SET review = max(review - 1, "
    "0) WHERE contact_id = ?1";

static const char SQL_TEACH_LIST[] =
    "SELECT m.id, m.body, coalesce(m.lang, ''), l.intent "
    "FROM message_labels l JOIN messages m ON m.id = l.message_id "
    "WHERE m.direction = 'in' ORDER BY l.message_id";

/* Inbox shapes: one bit per filter present. */
enum {
	F_HUMAN = 1 << 0, F_UNKNOWN = 1 << 1, F_CHANNEL = 1 << 2,
	F_LANG = 1 << 3, F_OPEN = 1 << 4, F_HELD = 1 << 5,
	F_RESOLVED = 1 << 6, F_FROM = 1 << 7, F_TO = 1 << 8,
	F_CURSOR = 1 << 9, F_SEARCH = 1 << 10, F_REVIEW = 1 << 11,
	F_IDS = 1 << 12, F_PHONE = 1 << 13
};

/*
 * The inbox shows what the citizen wrote last (the bot's or an agent's
 * last message only where the citizen wrote nothing, as after a notice),
 * whole, and the whole match: the caller
 * masks them first and cuts after (conversations.snippet is cut already,
 * and a cut can split an identifier the mask would then not see).
 */
#define SNIPPET	"coalesce((SELECT body FROM messages WHERE contact_id = " \
		"c.contact_id AND direction = 'in' ORDER BY id DESC LIMIT 1), " \
		"(SELECT body FROM messages WHERE id = c.last_msg_id), " \
		"c.snippet)"
/* Whether the snippet is the citizen's, and who wrote last. */
#define DIRS	"EXISTS (SELECT 1 FROM messages WHERE contact_id = " \
		"c.contact_id AND direction = 'in'), coalesce((SELECT " \
		"direction FROM messages WHERE id = c.last_msg_id), '')"

/* The SQL of one inbox shape into buf. */
static void
inbox_sql(unsigned shape, char *buf, size_t len)
{
	size_t	n;

	if (shape & F_SEARCH)
		n = (size_t)snprintf(buf, len, "SELECT c.contact_id, c.channel, "
		    "k.address, coalesce(k.phone, ''), c.lang, " SNIPPET ", "
		    "c.last_in_intent, c.status, coalesce(k.held_by, ''), "
		    "c.last_at, k.held_until, c.last_msg_id, c.msgs, "
		    "c.needs_human, m.id, m.body, c.review, " DIRS " "
		    "FROM %s f JOIN messages m ON m.id = f.rowid "
		    "JOIN conversations c ON c.contact_id = m.contact_id "
		    "JOIN contacts k ON k.id = c.contact_id "
		    "WHERE %s MATCH ?9", (shape & F_IDS) ? "message_ids_fts" :
		    "messages_fts", (shape & F_IDS) ? "message_ids_fts" :
		    "messages_fts");
	else if (shape & F_PHONE)
		/* From the contacts with that number, by their indexes. */
		n = (size_t)snprintf(buf, len, "SELECT c.contact_id, c.channel, "
		    "k.address, coalesce(k.phone, ''), c.lang, " SNIPPET ", "
		    "c.last_in_intent, c.status, coalesce(k.held_by, ''), "
		    "c.last_at, k.held_until, c.last_msg_id, c.msgs, "
		    "c.needs_human, 0, '', c.review, " DIRS " "
		    "FROM contacts k CROSS JOIN conversations c "
		    "ON c.contact_id = k.id "
		    "WHERE (k.address = ?9 OR k.phone = ?9)");
	else
		n = (size_t)snprintf(buf, len, "SELECT c.contact_id, c.channel, "
		    "k.address, coalesce(k.phone, ''), c.lang, " SNIPPET ", "
		    "c.last_in_intent, c.status, coalesce(k.held_by, ''), "
		    "c.last_at, k.held_until, c.last_msg_id, c.msgs, "
		    "c.needs_human, 0, '', c.review, " DIRS " "
		    "FROM conversations c "
		    "JOIN contacts k ON k.id = c.contact_id WHERE 1");
#define ADD(bit, frag) \
	if ((shape & (bit)) && n < len) \
		n += (size_t)snprintf(buf + n, len - n, "%s", frag)
	ADD(F_HUMAN, " AND c.needs_human = 1");
	ADD(F_UNKNOWN, " AND c.last_in_intent = 'unknown'");
	ADD(F_REVIEW, " AND c.review > 0");
	ADD(F_CHANNEL, " AND c.channel = ?1");
	ADD(F_LANG, " AND c.lang = ?2");
	ADD(F_OPEN, " AND c.status = 'open' AND k.held_until <= ?3");
	ADD(F_HELD, " AND c.contact_id IN (SELECT id FROM contacts "
	    "WHERE held_until > ?3)");
	ADD(F_RESOLVED, " AND c.status = 'resolved'");
	if (shape & F_SEARCH) {
		ADD(F_FROM, " AND m.created_at >= ?4");
		ADD(F_TO, " AND m.created_at < ?5");
		ADD(F_CURSOR, " AND f.rowid < ?7");
		ADD(F_SEARCH, " ORDER BY f.rowid DESC");
	} else {
		ADD(F_FROM, " AND c.last_at >= ?4");
		ADD(F_TO, " AND c.last_at < ?5");
		ADD(F_CURSOR, " AND (c.last_at, c.contact_id) < (?6, ?7)");
		if (n < len)
			snprintf(buf + n, len - n, " ORDER BY c.last_at DESC, "
			    "c.contact_id DESC LIMIT ?8");
	}
#undef ADD
}

/*
 * The search as the index reads it: the caller's query limited to the
 * citizens' column, or to none with replies (migration 0016).
 */
static int
match_expr(const struct hd_filter *f, char *buf, size_t len)
{
	int	n;

	if (f->replies)
		n = snprintf(buf, len, "%s", f->q);
	else
		n = snprintf(buf, len, "%s : (%s)", f->ids ? "ids_in" :
		    "body_in", f->q);
	return n >= 0 && (size_t)n < len ? 0 : -1;
}

enum mj_err
store_hd_inbox(struct store *st, const struct hd_filter *f,
    int (*fn)(void *, const struct hd_conv *), void *arg, int *more)
{
	sqlite3_stmt	*q;
	char		 text[2048] = "", match[1024];
	unsigned	 shape = 0;
	struct seen	 seen;
	enum mj_err	 rc = MJ_OK;
	int		 s, got = 0, limit = f->limit;

	if (st->pg != NULL)
		return pg_hd_inbox(st, f, fn, arg, more);
	st = store_reader(st);
	*more = 0;
	if (limit < 1 || limit > 200 || (f->q != NULL && f->phone != NULL) ||
	    (f->q != NULL && match_expr(f, match, sizeof(match)) != 0))
		return MJ_EINPUT;
	seen.n = 0;
	shape |= f->needs_human ? F_HUMAN : 0;
	shape |= f->unknown ? F_UNKNOWN : 0;
	shape |= f->review ? F_REVIEW : 0;
	shape |= f->channel != NULL ? F_CHANNEL : 0;
	shape |= f->lang != NULL ? F_LANG : 0;
	shape |= f->status == HD_OPEN ? F_OPEN : 0;
	shape |= f->status == HD_HELD ? F_HELD : 0;
	shape |= f->status == HD_RESOLVED ? F_RESOLVED : 0;
	shape |= f->from > 0 ? F_FROM : 0;
	shape |= f->to > 0 ? F_TO : 0;
	shape |= f->cur_id > 0 ? F_CURSOR : 0;
	shape |= f->q != NULL ? F_SEARCH : 0;
	shape |= f->q != NULL && f->ids ? F_IDS : 0;
	shape |= f->phone != NULL ? F_PHONE : 0;
	inbox_sql(shape, text, sizeof(text));
	if ((q = lock_stmt(st, text)) == NULL)
		return MJ_EDB;
	bind_str(q, 1, f->channel);
	bind_str(q, 2, f->lang);
	if (shape & (F_OPEN | F_HELD))
		sqlite3_bind_int64(q, 3, f->now);
	if (shape & F_FROM)
		sqlite3_bind_int64(q, 4, f->from);
	if (shape & F_TO)
		sqlite3_bind_int64(q, 5, f->to);
	if (shape & F_CURSOR) {
		if (!(shape & F_SEARCH))
			sqlite3_bind_int64(q, 6, f->cur_at);
		sqlite3_bind_int64(q, 7, f->cur_id);
	}
	if (!(shape & F_SEARCH))
		sqlite3_bind_int(q, 8, limit + 1);
	else
		bind_str(q, 9, match);
	if (shape & F_PHONE)
		bind_str(q, 9, f->phone);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		struct hd_conv	c;

		c.contact_id = sqlite3_column_int64(q, 0);
		if ((shape & F_SEARCH) && !seen_add(&seen, c.contact_id))
			continue;
		if (got == limit) {
			*more = 1;
			break;
		}
		c.channel = col_text(q, 1);
		c.address = col_text(q, 2);
		c.phone = col_text(q, 3);
		c.lang = col_text(q, 4);
		c.snippet = col_text(q, 5);
		c.last_in_intent = col_text(q, 6);
		c.status = col_text(q, 7);
		c.held_by = col_text(q, 8);
		c.last_at = sqlite3_column_int64(q, 9);
		c.held_until = sqlite3_column_int64(q, 10);
		c.last_msg_id = sqlite3_column_int64(q, 11);
		c.msgs = sqlite3_column_int(q, 12);
		c.needs_human = sqlite3_column_int(q, 13);
		c.match_id = sqlite3_column_int64(q, 14);
		c.match = col_text(q, 15);
		c.review = sqlite3_column_int(q, 16);
		c.snippet_in = sqlite3_column_int(q, 17);
		c.last_dir = col_text(q, 18);
		got++;
		if (fn(arg, &c) != 0)
			break;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE) {
		/* A malformed MATCH expression is the caller's input. */
		rc = (shape & F_SEARCH) && s == SQLITE_ERROR ? MJ_EINPUT :
		    db_fail(st, "inbox");
		if (rc == MJ_EINPUT) {
			/* FTS5 quotes the query back: mask it. */
			int	 changed;
			char	*m = mask_text(sqlite3_errmsg(st->db),
			    &changed);

			log_warn("store.inbox", "err=\"%s\"",
			    m != NULL ? m : "-");
			free(m);
		}
	}
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* ---- one conversation */

enum mj_err
store_hd_head(struct store *st, int64_t contact_id, struct hd_head *out)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;

	if (st->pg != NULL)
		return pg_hd_head(st, contact_id, out);
	if ((q = lock_stmt(st, SQL_HEAD)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, contact_id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		memset(out, 0, sizeof(*out));
		out->contact_id = sqlite3_column_int64(q, 0);
		col_copy(q, 1, out->channel, sizeof(out->channel));
		col_copy(q, 2, out->address, sizeof(out->address));
		col_copy(q, 3, out->phone, sizeof(out->phone));
		col_copy(q, 4, out->lang, sizeof(out->lang));
		out->opted_out = sqlite3_column_int(q, 5);
		col_copy(q, 6, out->held_by, sizeof(out->held_by));
		out->held_until = sqlite3_column_int64(q, 7);
		col_copy(q, 8, out->status, sizeof(out->status));
		out->needs_human = sqlite3_column_int(q, 9);
		out->last_at = sqlite3_column_int64(q, 10);
		out->resolved_at = sqlite3_column_int64(q, 11);
		col_copy(q, 12, out->resolved_by, sizeof(out->resolved_by));
		rc = MJ_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "hd_head");
	}
	done(q);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
msg_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;
	struct hd_msg	 m = {
		.id = sqlite3_column_int64(q, 0),
		.direction = col_text(q, 1), .channel = col_text(q, 2),
		.body = col_text(q, 3), .lang = col_text(q, 4),
		.intent = col_text(q, 5), .delivery = col_text(q, 6),
		.encoding = col_text(q, 7), .error = col_text(q, 8),
		.segments = sqlite3_column_int(q, 9),
		.created_at = sqlite3_column_int64(q, 10),
		.source = col_text(q, 11), .prob = sqlite3_column_double(q, 12),
		.review = sqlite3_column_int(q, 13), .label = col_text(q, 14),
		.label_by = col_text(q, 15),
		.label_at = sqlite3_column_int64(q, 16),
		.outbox = col_text(q, 17), .reason = col_text(q, 18),
		.attempts = sqlite3_column_int(q, 19) };

	return ((int (*)(void *, const struct hd_msg *))c->fn)(c->arg, &m);
}

enum mj_err
store_hd_messages(struct store *st, int64_t contact_id, int64_t before_id,
    int limit, int (*fn)(void *, const struct hd_msg *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_hd_messages(st, contact_id, before_id, limit, fn,
		    arg);
	st = store_reader(st);
	if ((q = lock_stmt(st, SQL_MSGS)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, contact_id);
	sqlite3_bind_int64(q, 2, before_id > 0 ? before_id : INT64_MAX);
	sqlite3_bind_int(q, 3, limit);
	rc = step_each(st, q, "hd_messages", msg_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
app_row(sqlite3_stmt *q, void *p)
{
	struct row_cb		*c = p;
	struct app_status	 a;

	memset(&a, 0, sizeof(a));
	col_copy(q, 0, a.number, sizeof(a.number));
	col_copy(q, 1, a.programme, sizeof(a.programme));
	col_copy(q, 2, a.status, sizeof(a.status));
	col_copy(q, 3, a.phone, sizeof(a.phone));
	col_copy(q, 4, a.pinfl_last4, sizeof(a.pinfl_last4));
	col_copy(q, 5, a.submitted, sizeof(a.submitted));
	col_copy(q, 6, a.decided, sizeof(a.decided));
	col_copy(q, 7, a.payment, sizeof(a.payment));
	return ((int (*)(void *, const struct app_status *))c->fn)(c->arg, &a);
}

enum mj_err
store_hd_applications(struct store *st, const char *phone,
    int (*fn)(void *, const struct app_status *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_hd_applications(st, phone, fn, arg);
	st = store_reader(st);
	if ((q = lock_stmt(st, SQL_APPS)) == NULL)
		return MJ_EDB;
	bind_str(q, 1, phone);
	rc = step_each(st, q, "hd_applications", app_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
note_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;
	struct hd_note	 n = {
		.id = sqlite3_column_int64(q, 0),
		.username = col_text(q, 1), .body = col_text(q, 2),
		.created_at = sqlite3_column_int64(q, 3) };

	return ((int (*)(void *, const struct hd_note *))c->fn)(c->arg, &n);
}

enum mj_err
store_hd_notes(struct store *st, int64_t contact_id,
    int (*fn)(void *, const struct hd_note *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_hd_notes(st, contact_id, fn, arg);
	st = store_reader(st);
	if ((q = lock_stmt(st, SQL_NOTES)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, contact_id);
	rc = step_each(st, q, "hd_notes", note_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

static int
label_row(sqlite3_stmt *q, void *p)
{
	struct row_cb	*c = p;

	return ((int (*)(void *, const char *))c->fn)(c->arg, col_text(q, 0));
}

enum mj_err
store_hd_labels(struct store *st, int64_t contact_id,
    int (*fn)(void *, const char *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_hd_labels(st, contact_id, fn, arg);
	st = store_reader(st);
	if ((q = lock_stmt(st, SQL_LABELS)) == NULL)
		return MJ_EDB;
	sqlite3_bind_int64(q, 1, contact_id);
	rc = step_each(st, q, "hd_labels", label_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

enum mj_err
store_hd_note_add(struct store *st, int64_t contact_id, int64_t staff_id,
    const char *body, int64_t now, int64_t *id)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_hd_note_add(st, contact_id, staff_id, body, now, id);
	PREP(q, SQL_NOTE_ADD);
	sqlite3_bind_int64(q, 1, contact_id);
	sqlite3_bind_int64(q, 2, staff_id);
	bind_str(q, 3, body);
	sqlite3_bind_int64(q, 4, now);
	if ((rc = step_done(st, q, "note_add")) == MJ_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

enum mj_err
store_hd_labels_set(struct store *st, int64_t contact_id,
    const char *const *labels, size_t n)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_hd_labels_set(st, contact_id, labels, n);
	PREP(q, SQL_LABELS_DEL);
	sqlite3_bind_int64(q, 1, contact_id);
	if ((rc = step_done(st, q, "labels_del")) != MJ_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		PREP(q, SQL_LABEL_ADD);
		sqlite3_bind_int64(q, 1, contact_id);
		bind_str(q, 2, labels[i]);
		if ((rc = step_done(st, q, "label_add")) != MJ_OK)
			return rc;
	}
	return MJ_OK;
}

/* The contact's holder ("" when free or expired at now). */
static enum mj_err
holder(struct store *st, int64_t contact_id, int64_t now, char *buf,
    size_t len)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;

	PREP(q, SQL_HOLDER);
	sqlite3_bind_int64(q, 1, contact_id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		if (sqlite3_column_int64(q, 1) > now)
			col_copy(q, 0, buf, len);
		else
			snprintf(buf, len, "%s", "");
		rc = MJ_OK;
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "holder");
	}
	done(q);
	return rc;
}

enum mj_err
store_hd_holder(struct store *st, int64_t contact_id, int64_t now, char *buf,
    size_t len)
{
	if (st->pg != NULL)
		return pg_hd_holder(st, contact_id, now, buf, len);
	return holder(st, contact_id, now, buf, len);
}

static enum mj_err
hold(struct store *st, int64_t contact_id, const char *username,
    int64_t until, int64_t now)
{
	sqlite3_stmt	*q;

	PREP(q, SQL_HOLD);
	sqlite3_bind_int64(q, 1, contact_id);
	bind_str(q, 2, username);
	sqlite3_bind_int64(q, 3, until);
	sqlite3_bind_int64(q, 4, now);
	return step_done(st, q, "hold");
}

static const struct hd_hold_ops holds = { holder, hold };

enum mj_err
store_hd_take(struct store *st, int64_t contact_id, const char *username,
    int64_t until, int force, int64_t now, int *conflict, char *holder_out,
    size_t holderlen)
{
	if (st->pg != NULL)
		return pg_hd_take(st, contact_id, username, until, force, now,
		    conflict, holder_out, holderlen);
	return hd_take(&holds, st, contact_id, username, until, force, now,
	    conflict, holder_out, holderlen);
}

enum mj_err
hd_take(const struct hd_hold_ops *ops, struct store *st, int64_t contact_id,
    const char *username, int64_t until, int force, int64_t now,
    int *conflict, char *holder_out, size_t holderlen)
{
	char		who[64];
	enum mj_err	rc;

	*conflict = 0;
	snprintf(holder_out, holderlen, "%s", "");
	if ((rc = ops->holder(st, contact_id, now, who, sizeof(who))) != MJ_OK)
		return rc;
	if (who[0] != '\0' && strcasecmp(who, username) != 0 && !force) {
		*conflict = 1;
		snprintf(holder_out, holderlen, "%s", who);
		return MJ_OK;
	}
	snprintf(holder_out, holderlen, "%s", who);
	return ops->hold(st, contact_id, username, until, now);
}

enum mj_err
store_hd_release(struct store *st, int64_t contact_id, const char *username,
    int force, int64_t now, int *conflict)
{
	if (st->pg != NULL)
		return pg_hd_release(st, contact_id, username, force, now,
		    conflict);
	return hd_release(&holds, st, contact_id, username, force, now,
	    conflict);
}

enum mj_err
hd_release(const struct hd_hold_ops *ops, struct store *st,
    int64_t contact_id, const char *username, int force, int64_t now,
    int *conflict)
{
	char		who[64];
	enum mj_err	rc;

	*conflict = 0;
	if ((rc = ops->holder(st, contact_id, now, who, sizeof(who))) != MJ_OK)
		return rc;
	if (who[0] != '\0' && strcasecmp(who, username) != 0 && !force) {
		*conflict = 1;
		return MJ_OK;
	}
	return ops->hold(st, contact_id, "", 0, now);
}

enum mj_err
store_hd_resolve(struct store *st, int64_t contact_id, const char *username,
    int resolved, int64_t now)
{
	sqlite3_stmt	*q;

	if (st->pg != NULL)
		return pg_hd_resolve(st, contact_id, username, resolved, now);
	PREP(q, SQL_RESOLVE);
	sqlite3_bind_int64(q, 1, contact_id);
	sqlite3_bind_int(q, 2, resolved);
	sqlite3_bind_int64(q, 3, now);
	bind_str(q, 4, username);
	return step_done(st, q, "resolve");
}

/* ---- teaching */

enum mj_err
store_hd_label(struct store *st, int64_t msg_id, const char *intent,
    int64_t staff_id, int64_t now, int64_t *contact_id, char *prev,
    size_t prevlen)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc = MJ_ENOTFOUND;
	int		 counted = 0;

	if (st->pg != NULL)
		return pg_hd_label(st, msg_id, intent, staff_id, now,
		    contact_id, prev, prevlen);
	*contact_id = 0;
	snprintf(prev, prevlen, "%s", "");
	PREP(q, SQL_TEACH_GET);
	sqlite3_bind_int64(q, 1, msg_id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		*contact_id = sqlite3_column_int64(q, 0);
		rc = strcmp(col_text(q, 1), "in") == 0 ? MJ_OK : MJ_EINPUT;
		col_copy(q, 3, prev, prevlen);
		/* The summary counts it until its first label. */
		counted = sqlite3_column_int(q, 2) && prev[0] == '\0';
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = db_fail(st, "label_get");
	}
	done(q);
	if (rc != MJ_OK)
		return rc;
	PREP(q, SQL_TEACH_SET);
	sqlite3_bind_int64(q, 1, msg_id);
	bind_str(q, 2, intent);
	sqlite3_bind_int64(q, 3, staff_id);
	sqlite3_bind_int64(q, 4, now);
	if ((rc = step_done(st, q, "label_set")) != MJ_OK || !counted)
		return rc;
	PREP(q, SQL_TEACH_RECOUNT);
	sqlite3_bind_int64(q, 1, *contact_id);
	return step_done(st, q, "label_recount");
}

static int
labelled_row(sqlite3_stmt *q, void *p)
{
	struct row_cb		*c = p;
	struct hd_labelled	 l = {
		.id = sqlite3_column_int64(q, 0),
		.body = col_text(q, 1), .lang = col_text(q, 2),
		.intent = col_text(q, 3) };

	return ((int (*)(void *, const struct hd_labelled *))c->fn)(c->arg,
	    &l);
}

enum mj_err
store_hd_labelled(struct store *st,
    int (*fn)(void *, const struct hd_labelled *), void *arg)
{
	sqlite3_stmt	*q;
	struct row_cb	 c = { (void (*)(void))fn, arg };
	enum mj_err	 rc;

	if (st->pg != NULL)
		return pg_hd_labelled(st, fn, arg);
	st = store_reader(st);
	if ((q = lock_stmt(st, SQL_TEACH_LIST)) == NULL)
		return MJ_EDB;
	rc = step_each(st, q, "labelled", labelled_row, &c);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

