/* store_index.c - the deferred indexer of store_index.h. */
#include "bot/store_index.h"
#include "bot/store_int.h"

enum mj_err
store_index_pending(struct store *st, int max, int *n)
{
	static const char *const q_last = "SELECT last_id FROM index_state "
	    "WHERE name = 'messages'";
	static const char *const q_feed = "INSERT INTO message_feed SELECT id, "
	    "contact_id, direction, channel, lang, intent, body, created_at "
	    "FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2";
	static const char *const q_span = "SELECT count(*), coalesce(max(id), "
	    "0) FROM (SELECT id FROM messages WHERE id > ?1 ORDER BY id "
	    "LIMIT ?2)";
	static const char *const q_mark = "UPDATE index_state SET last_id = ?1 "
	    "WHERE name = 'messages'";
	sqlite3_stmt	*q;
	enum mj_err	 rc;
	int64_t		 last = 0, upto = 0;

	*n = 0;
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	if ((q = store_cached(st, q_last)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	if (sqlite3_step(q) == SQLITE_ROW)
		last = sqlite3_column_int64(q, 0);
	done(q);
	/* What this batch covers (an INSTEAD OF insert counts no changes). */
	if ((q = store_cached(st, q_span)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	sqlite3_bind_int64(q, 1, last);
	sqlite3_bind_int(q, 2, max);
	if (sqlite3_step(q) == SQLITE_ROW) {
		*n = sqlite3_column_int(q, 0);
		upto = sqlite3_column_int64(q, 1);
	} else
		rc = db_fail(st, "index_span");
	done(q);
	if (rc != MJ_OK || *n == 0)
		goto out;
	if ((q = store_cached(st, q_feed)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	sqlite3_bind_int64(q, 1, last);
	sqlite3_bind_int(q, 2, max);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_fail(st, "index_feed");
	done(q);
	if (rc != MJ_OK)
		goto out;
	if ((q = store_cached(st, q_mark)) == NULL) {
		rc = MJ_EDB;
		goto out;
	}
	sqlite3_bind_int64(q, 1, upto);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_fail(st, "index_mark");
	done(q);
out:
	if (store_end(st, rc == MJ_OK && *n > 0) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}
