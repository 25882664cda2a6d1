/*
 * store.c - the SQLite backend of store.h: one connection in WAL mode,
 * numbered migrations, statements prepared once in store_open() and reused.
 * Every value reaches SQL only as a bound parameter.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/log.h"
#include "store/migrations.h"
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

static const char *const sql[Q__COUNT] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_CONTACT_GET] = "SELECT " CONTACT_COLS " FROM contacts "
	    "WHERE channel = ?1 AND address = ?2",
	[Q_CONTACT_BY_ID] = "SELECT " CONTACT_COLS " FROM contacts "
	    "WHERE id = ?1",
	/* Returns what Q_CONTACT_GET would read (the schema's defaults). */
	[Q_CONTACT_NEW] = "INSERT INTO contacts (channel, address, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, ?3) RETURNING " CONTACT_COLS,
	[Q_CONTACT_SAVE] = "UPDATE contacts SET phone = nullif(?2, ''), "
	    CONTACT_SET,
	/* The same when the phone did not change: its index is left alone. */
	[Q_CONTACT_SAVE_SAME] = "UPDATE contacts SET " CONTACT_SET,
	[Q_APP_GET] = "SELECT number, programme, status, applicant_phone, "
	    "pinfl_last4, submitted_on, coalesce(decided_on, ''), "
	    "coalesce(payment_on, '') FROM applications WHERE number = ?1",
	[Q_APP_STATUS_OF] = "SELECT id, status FROM applications "
	    "WHERE number = ?1",
	[Q_APP_INSERT] = "INSERT INTO applications (number, programme, status, "
	    "applicant_phone, pinfl_hash, pinfl_last4, region, district, "
	    "submitted_on, decided_on, payment_on, updated_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[Q_APP_UPDATE] = "UPDATE applications SET programme = ?2, status = ?3, "
	    "applicant_phone = ?4, pinfl_hash = ?5, pinfl_last4 = ?6, "
	    "region = ?7, district = ?8, submitted_on = ?9, decided_on = ?10, "
	    "payment_on = ?11, updated_at = ?12 WHERE number = ?1",
	[Q_HISTORY_ADD] = "INSERT INTO application_history (application_id, "
	    "status, on_date, source) VALUES (?1, ?2, ?3, ?4)",
	[Q_APP_COUNT] = "SELECT count(*) FROM applications",
	[Q_MSG_ADD] = "INSERT INTO messages (contact_id, direction, channel, "
	    "channel_msg_id, req, reply_to, body, lang, intent, entities, "
	    "delivery, encoding, segments, created_at, nlu_source, nlu_prob, "
	    "review) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, 0), ?7, ?8, ?9, "
	    "?10, ?11, ?12, nullif(?13, 0), ?14, ?15, ?16, ?17)",
	[Q_INBOUND_SEEN] = "SELECT id FROM messages WHERE channel = ?1 AND "
	    "channel_msg_id = ?2 AND direction = 'in'",
	[Q_REPLY_OF] = "SELECT body FROM messages WHERE reply_to = ?1 AND "
	    "direction = 'out' ORDER BY id LIMIT 1",
	[Q_OUTBOX_ADD] = "INSERT INTO outbox (message_id, channel, address, "
	    "state, next_try_at, created_at, markup, sent_at, provider) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE ?4 WHEN 'sync' THEN ?6 END, ?8)",
	[Q_OUTBOX_DUE] = "SELECT o.id, o.message_id, o.channel, o.address, "
	    "m.body, o.markup, o.attempts, o.parts_sent, "
	    "coalesce(m.encoding, ''), coalesce(o.provider, '') FROM outbox o "
	    "INDEXED BY outbox_pending "
	    "JOIN messages m ON m.id = o.message_id WHERE o.state = 'pending' "
	    "AND o.next_try_at <= ?1 ORDER BY o.id LIMIT ?2",
	[Q_OUTBOX_SET] = "UPDATE outbox SET state = ?2, attempts = ?3, "
	    "parts_sent = ?4, next_try_at = ?5, last_error = ?6, "
	    "sent_at = CASE ?2 WHEN 'sent' THEN ?7 ELSE sent_at END "
	    "WHERE id = ?1",
	/* A delivery report may come before the send is recorded. */
	[Q_MSG_DELIVERY] = "UPDATE messages SET delivery = ?2 WHERE id = ?1 "
	    "AND (?2 <> 'sent' OR delivery NOT IN ('delivered', 'buffered', "
	    "'failed'))",
	[Q_PROGRAMME_PUT] = "INSERT INTO programmes (code, amount_min, "
	    "amount_max, period_months, documents, apply_via, decision, "
	    "legal_basis, source) VALUES (?1, nullif(?2, 0), nullif(?3, 0), "
	    "?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (code) DO UPDATE SET "
	    "amount_min = excluded.amount_min, amount_max = excluded.amount_max, "
	    "period_months = excluded.period_months, "
	    "documents = excluded.documents, apply_via = excluded.apply_via, "
	    "decision = excluded.decision, legal_basis = excluded.legal_basis, "
	    "source = excluded.source",
};

/* Run a statement that returns no rows. */
static enum mj_err
step_done(struct store *st, enum stmt which, const char *op)
{
	sqlite3_stmt	*q = st->q[which];
	int		 rc = sqlite3_step(q);

	done(q);
	if (rc != SQLITE_DONE)
		return db_fail(st, op);
	return MJ_OK;
}

static int
mkdir_parent(const char *path)
{
	char	 buf[1024], *dir;

	if (strlen(path) >= sizeof(buf))
		return -1;
	strcpy(buf, path);
	dir = dirname(buf);
	if (strcmp(dir, ".") == 0 || strcmp(dir, "/") == 0)
		return 0;
	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		if (errno == ENOENT && mkdir_parent(dir) == 0)
			return mkdir(dir, 0750) == -1 && errno != EEXIST ? -1 : 0;
		return -1;
	}
	return 0;
}

static int
migration_applied(struct store *st, int version)
{
	sqlite3_stmt	*q;
	int		 yes = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM schema_migrations "
	    "WHERE version = ?1", -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int(q, 1, version);
	yes = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return yes;
}

/* Every migration not yet recorded, in order, each in its own transaction. */
static enum mj_err
migrate(struct store *st)
{
	char		*err = NULL;

	for (size_t i = 0; i < migrations_count; i++) {
		const struct migration	*m = &migrations[i];
		char			 rec[256];

		if (migration_applied(st, m->version))
			continue;
		snprintf(rec, sizeof(rec), "INSERT INTO schema_migrations "
		    "(version, name, applied_at) VALUES (%d, '%s', "
		    "strftime('%%s', 'now'))", m->version, m->name);
		if (sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &err) !=
		    SQLITE_OK ||
		    sqlite3_exec(st->db, m->sql, NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(st->db, rec, NULL, NULL, &err) != SQLITE_OK ||
		    sqlite3_exec(st->db, "COMMIT", NULL, NULL, &err) !=
		    SQLITE_OK) {
			log_err("store.migrate", "version=%d name=%s err=\"%s\"",
			    m->version, m->name, err != NULL ? err : "?");
			sqlite3_free(err);
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return MJ_EDB;
		}
		log_info("store.migrate", "version=%d name=%s", m->version,
		    m->name);
	}
	return MJ_OK;
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt	*q;
	int		 v = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(version), 0) "
	    "FROM schema_migrations", -1, &q, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

enum mj_err
store_open(struct store **out, const char *path)
{
	struct store	*st;
	char		*err = NULL;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return MJ_ENOMEM;
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->wal_lock, NULL);
	st->wal_fd = -1;
	if (mkdir_parent(path) == -1) {
		log_err("store.open", "path=\"%s\" err=\"cannot create its "
		    "folder: %s\"", path, strerror(errno));
		free(st);
		return MJ_EDB;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_err("store.open", "path=\"%s\" err=\"%s\"", path,
		    st->db != NULL ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return MJ_EDB;
	}
	sqlite3_busy_timeout(st->db, 5000);
	/*
	 * WAL with synchronous=FULL: a reply acknowledged with 2xx must
	 * survive a power cut, not only a crash of the process.
	 */
	if (sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
	    "PRAGMA temp_store = MEMORY; "
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL)", NULL, NULL, &err) != SQLITE_OK) {
		log_err("store.open", "path=\"%s\" err=\"%s\"", path, err);
		sqlite3_free(err);
		store_close(st);
		return MJ_EDB;
	}
	{
		const char	*f = sqlite3_db_filename(st->db, "main");

		if (f != NULL && f[0] != '\0' && asprintf(&st->wal_path,
		    "%s-wal", f) == -1) {
			st->wal_path = NULL;
			store_close(st);
			return MJ_ENOMEM;
		}
	}
	if (migrate(st) != MJ_OK) {
		store_close(st);
		return MJ_EDB;
	}
	for (int i = 0; i < Q__COUNT; i++)
		if (sqlite3_prepare_v3(st->db, sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->q[i], NULL) != SQLITE_OK) {
			log_err("store.prepare", "stmt=%d err=\"%s\"", i,
			    sqlite3_errmsg(st->db));
			store_close(st);
			return MJ_EDB;
		}
	*out = st;
	return MJ_OK;
}

sqlite3_stmt *
store_cached(struct store *st, const char *sql_text)
{
	sqlite3_stmt	*q;

	for (int i = 0; i < st->ncache; i++)
		if (st->cache[i].sql == sql_text)
			return st->cache[i].q;
	if (sqlite3_prepare_v3(st->db, sql_text, -1, SQLITE_PREPARE_PERSISTENT,
	    &q, NULL) != SQLITE_OK) {
		log_err("store.prepare", "err=\"%s\"", sqlite3_errmsg(st->db));
		return NULL;
	}
	if (st->ncache == (int)(sizeof(st->cache) / sizeof(st->cache[0]))) {
		/* Full: still correct, only not reused. */
		log_warn("store.cache_full", "n=%d", st->ncache);
		sqlite3_finalize(q);
		return NULL;
	}
	st->cache[st->ncache].sql = sql_text;
	st->cache[st->ncache].q = q;
	st->ncache++;
	return q;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].q);
	for (int i = 0; i < Q__COUNT; i++)
		sqlite3_finalize(st->q[i]);
	store_hd_close(st);
	sqlite3_close(st->db);
	if (st->wal_fd != -1)
		close(st->wal_fd);
	free(st->aliases);
	free(st->wal_path);
	pthread_mutex_destroy(&st->wal_lock);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

/* Back to commits that wait for the disk (under the lock). */
static void
restore_full(struct store *st)
{
	static const char *const q_full = "PRAGMA synchronous = FULL";
	sqlite3_stmt	*q = store_cached(st, q_full);

	st->derived = 0;
	if (q == NULL || sqlite3_step(q) != SQLITE_DONE) {
		/* Never leave the connection without durable commits. */
		if (q != NULL)
			done(q);
		if (sqlite3_exec(st->db, q_full, NULL, NULL, NULL) != SQLITE_OK)
			log_err("store.sync_full", "err=\"%s\"",
			    sqlite3_errmsg(st->db));
		return;
	}
	done(q);
}

enum mj_err
store_begin(struct store *st)
{
	pthread_mutex_lock(&st->lock);
	if (step_done(st, Q_BEGIN, "begin") != MJ_OK) {
		pthread_mutex_unlock(&st->lock);
		return MJ_EDB;
	}
	st->in_tx = 1;
	return MJ_OK;
}

enum mj_err
store_begin_derived(struct store *st)
{
	static const char *const q_normal = "PRAGMA synchronous = NORMAL";
	sqlite3_stmt	*q;

	pthread_mutex_lock(&st->lock);
	if ((q = store_cached(st, q_normal)) == NULL ||
	    sqlite3_step(q) != SQLITE_DONE) {
		if (q != NULL)
			done(q);
		pthread_mutex_unlock(&st->lock);
		return db_fail(st, "sync_normal");
	}
	done(q);
	st->derived = 1;
	if (step_done(st, Q_BEGIN, "begin") != MJ_OK) {
		restore_full(st);
		pthread_mutex_unlock(&st->lock);
		return MJ_EDB;
	}
	st->in_tx = 1;
	return MJ_OK;
}

/*
 * WAL mode with synchronous=NORMAL syncs the log before a checkpoint and
 * when the log is reused, so after an fdatasync of the log here every
 * commit written before it is as durable as with synchronous=FULL.  The
 * log is reopened when it is no longer the file at its path.
 */
enum mj_err
store_sync(struct store *st)
{
	struct stat	 a, b;
	enum mj_err	 rc = MJ_OK;

	pthread_mutex_lock(&st->wal_lock);
	if (st->wal_path == NULL)
		goto out;	/* in memory: nothing to sync */
	if (stat(st->wal_path, &a) == -1) {
		log_err("store.sync", "op=stat errno=%d", errno);
		rc = MJ_EDB;
		goto out;
	}
	if (st->wal_fd != -1 && (fstat(st->wal_fd, &b) == -1 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
		close(st->wal_fd);
		st->wal_fd = -1;
	}
	if (st->wal_fd == -1 &&
	    (st->wal_fd = open(st->wal_path, O_RDWR | O_CLOEXEC)) == -1) {
		log_err("store.sync", "op=open errno=%d", errno);
		rc = MJ_EDB;
		goto out;
	}
	if (fdatasync(st->wal_fd) == -1) {
		log_err("store.sync", "op=fdatasync errno=%d", errno);
		rc = MJ_EDB;
	}
out:
	pthread_mutex_unlock(&st->wal_lock);
	return rc;
}

enum mj_err
store_savepoint(struct store *st)
{
	static const char *const q_sp = "SAVEPOINT msg";
	sqlite3_stmt	*q = store_cached(st, q_sp);
	int		 rc;

	if (q == NULL)
		return MJ_EDB;
	rc = sqlite3_step(q);
	done(q);
	return rc == SQLITE_DONE ? MJ_OK : db_fail(st, "savepoint");
}

enum mj_err
store_savepoint_end(struct store *st, int keep)
{
	static const char *const q_rel = "RELEASE msg";
	static const char *const q_undo = "ROLLBACK TO msg";
	sqlite3_stmt	*q;
	int		 rc;

	if (!keep) {
		if ((q = store_cached(st, q_undo)) == NULL)
			return MJ_EDB;
		rc = sqlite3_step(q);
		done(q);
		if (rc != SQLITE_DONE)
			return db_fail(st, "rollback_to");
	}
	if ((q = store_cached(st, q_rel)) == NULL)
		return MJ_EDB;
	rc = sqlite3_step(q);
	done(q);
	return rc == SQLITE_DONE ? MJ_OK : db_fail(st, "release");
}

enum mj_err
store_end(struct store *st, int commit)
{
	enum mj_err	rc = MJ_OK;

	if (commit && step_done(st, Q_COMMIT, "commit") != MJ_OK)
		rc = MJ_EDB;
	if (!commit || rc != MJ_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_tx = 0;
	if (st->derived)
		restore_full(st);
	pthread_mutex_unlock(&st->lock);
	return rc;
}

/* Run a bound contact query (Q_CONTACT_GET or Q_CONTACT_BY_ID). */
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

static enum mj_err
contact_read(struct store *st, const char *channel, const char *address,
    struct contact *c)
{
	bind_str(st->q[Q_CONTACT_GET], 1, channel);
	bind_str(st->q[Q_CONTACT_GET], 2, address);
	return contact_row(st, st->q[Q_CONTACT_GET], c);
}

enum mj_err
store_contact_by_id(struct store *st, int64_t id, struct contact *c)
{
	sqlite3_bind_int64(st->q[Q_CONTACT_BY_ID], 1, id);
	return contact_row(st, st->q[Q_CONTACT_BY_ID], c);
}

enum mj_err
store_contact_get(struct store *st, const char *channel, const char *address,
    int64_t now, struct contact *out)
{
	enum mj_err	 rc;

	rc = contact_read(st, channel, address, out);
	if (rc != MJ_ENOTFOUND)
		return rc;
	bind_str(st->q[Q_CONTACT_NEW], 1, channel);
	bind_str(st->q[Q_CONTACT_NEW], 2, address);
	sqlite3_bind_int64(st->q[Q_CONTACT_NEW], 3, now);
	rc = contact_row(st, st->q[Q_CONTACT_NEW], out);
	return rc == MJ_ENOTFOUND ? db_fail(st, "contact_new") : rc;
}

enum mj_err
store_contact_save(struct store *st, const struct contact *c, int64_t now)
{
	int		 same = strcmp(c->phone, c->phone_read) == 0;
	sqlite3_stmt	*q = st->q[same ? Q_CONTACT_SAVE_SAME : Q_CONTACT_SAVE];

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
	return step_done(st, same ? Q_CONTACT_SAVE_SAME : Q_CONTACT_SAVE,
	    "contact_save");
}

enum mj_err
store_app_get(struct store *st, const char *number, struct app_status *out)
{
	sqlite3_stmt	*q = st->q[Q_APP_GET];
	enum mj_err	 rc = MJ_ENOTFOUND;

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
store_msg_add(struct store *st, const struct msg_row *m, int64_t *id)
{
	sqlite3_stmt	*q = st->q[Q_MSG_ADD];
	enum mj_err	 rc;

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
	rc = step_done(st, Q_MSG_ADD, "msg_add");
	if (rc == MJ_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

enum mj_err
store_inbound_seen(struct store *st, const char *channel,
    const char *channel_msg_id, int64_t *in_id, char **reply)
{
	sqlite3_stmt	*q = st->q[Q_INBOUND_SEEN];
	enum mj_err	 rc;
	int64_t		 id = 0;

	*reply = NULL;
	bind_str(q, 1, channel);
	bind_str(q, 2, channel_msg_id);
	rc = step_int64(st, q, &id, "inbound_seen");
	done(q);
	if (rc != MJ_OK)
		return rc;
	*in_id = id;
	q = st->q[Q_REPLY_OF];
	sqlite3_bind_int64(q, 1, id);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		if ((*reply = strdup((const char *)sqlite3_column_text(q, 0))) ==
		    NULL)
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
store_outbox_add(struct store *st, int64_t msg_id, const char *channel,
    const char *address, const char *state, const char *markup,
    const char *provider, int64_t next_try_at, int64_t now)
{
	sqlite3_stmt	*q = st->q[Q_OUTBOX_ADD];

	bind_str(q, 8, provider);
	bind_str(q, 7, markup);
	sqlite3_bind_int64(q, 1, msg_id);
	bind_str(q, 2, channel);
	bind_str(q, 3, address);
	bind_str(q, 4, state);
	sqlite3_bind_int64(q, 5, next_try_at);
	sqlite3_bind_int64(q, 6, now);
	return step_done(st, Q_OUTBOX_ADD, "outbox_add");
}

enum mj_err
store_programme_put(struct store *st, const struct programme_row *p)
{
	sqlite3_stmt	*q = st->q[Q_PROGRAMME_PUT];

	bind_str(q, 1, p->code);
	sqlite3_bind_int64(q, 2, p->amount_min);
	sqlite3_bind_int64(q, 3, p->amount_max);
	sqlite3_bind_int(q, 4, p->period_months);
	bind_str(q, 5, p->documents);
	bind_str(q, 6, p->apply_via);
	bind_str(q, 7, p->decision);
	bind_str(q, 8, p->legal_basis);
	bind_str(q, 9, p->source);
	return step_done(st, Q_PROGRAMME_PUT, "programme_put");
}

enum mj_err
store_app_put(struct store *st, const struct app_row *a, int64_t now)
{
	sqlite3_stmt	*q = st->q[Q_APP_STATUS_OF];
	enum stmt	 which = Q_APP_INSERT;
	enum mj_err	 rc;
	int64_t		 id = 0;
	int		 changed = 1;

	bind_str(q, 1, a->number);
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		id = sqlite3_column_int64(q, 0);
		changed = strcmp((const char *)sqlite3_column_text(q, 1),
		    a->status) != 0;
		which = Q_APP_UPDATE;
		break;
	case SQLITE_DONE:
		break;
	default:
		done(q);
		return db_fail(st, "app_status_of");
	}
	done(q);
	q = st->q[which];
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
	if ((rc = step_done(st, which, "app_put")) != MJ_OK)
		return rc;
	if (which == Q_APP_INSERT)
		id = sqlite3_last_insert_rowid(st->db);
	if (!changed)
		return MJ_OK;
	q = st->q[Q_HISTORY_ADD];
	sqlite3_bind_int64(q, 1, id);
	bind_str(q, 2, a->status);
	bind_str(q, 3, a->decided != NULL ? a->decided : a->submitted);
	bind_str(q, 4, a->source);
	return step_done(st, Q_HISTORY_ADD, "history_add");
}

int64_t
store_app_count(struct store *st)
{
	sqlite3_stmt	*q = st->q[Q_APP_COUNT];
	int64_t		 n = 0;

	pthread_mutex_lock(&st->lock);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	done(q);
	pthread_mutex_unlock(&st->lock);
	return n;
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
	sqlite3_stmt	*q = st->q[Q_OUTBOX_DUE];
	enum mj_err	 rc = MJ_OK;
	int		 step = SQLITE_DONE;

	*n = 0;
	pthread_mutex_lock(&st->lock);
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
		it->text = strdup((const char *)sqlite3_column_text(q, 4));
		it->markup = mk != NULL ? strdup((const char *)mk) : NULL;
		it->attempts = sqlite3_column_int(q, 6);
		it->parts_sent = sqlite3_column_int(q, 7);
		col_copy(q, 8, it->encoding, sizeof(it->encoding));
		col_copy(q, 9, it->provider, sizeof(it->provider));
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

enum mj_err
store_outbox_set(struct store *st, const struct outbox_result *r, size_t n,
    int64_t now)
{
	sqlite3_stmt	*q;
	enum mj_err	 rc;

	if (n == 0)
		return MJ_OK;
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	for (size_t i = 0; i < n && rc == MJ_OK; i++) {
		const char *delivery = strcmp(r[i].state, "pending") == 0 ?
		    "queued" : r[i].state;

		q = st->q[Q_OUTBOX_SET];
		sqlite3_bind_int64(q, 1, r[i].id);
		bind_str(q, 2, r[i].state);
		sqlite3_bind_int(q, 3, r[i].attempts);
		sqlite3_bind_int(q, 4, r[i].parts_sent);
		sqlite3_bind_int64(q, 5, r[i].next_try_at);
		bind_str(q, 6, r[i].error[0] != '\0' ? r[i].error : NULL);
		sqlite3_bind_int64(q, 7, now);
		if ((rc = step_done(st, Q_OUTBOX_SET, "outbox_set")) != MJ_OK)
			break;
		q = st->q[Q_MSG_DELIVERY];
		sqlite3_bind_int64(q, 1, r[i].msg_id);
		bind_str(q, 2, delivery);
		rc = step_done(st, Q_MSG_DELIVERY, "msg_delivery");
	}
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}
