/*
 * pg_staff.h - the PostgreSQL side of staff.c: accounts, sessions, login
 * throttling and the audit log, each pg_xxx() the store_xxx() of
 * store/helpdesk.h with the same contract, for a store opened on a
 * PostgreSQL URL.  Only staff.c includes it.
 */
#ifndef STORE_PG_STAFF_H
#define STORE_PG_STAFF_H
#include <stddef.h>
#include <stdint.h>

#include "store/helpdesk.h"

enum mj_err	pg_staff_add(struct store *, const char *username,
		    const char *role, const char *pw_hash, int64_t now);
enum mj_err	pg_staff_get(struct store *, const char *username,
		    struct hd_staff *out, char *hash, size_t hashlen);
/*
 * A change that may leave fewer enabled admins (disabled 1, a role) first
 * locks the enabled admins' rows, so that two nodes taking the last two
 * admins away at once are served one after the other and the second
 * counts what the first left (store_staff_admins()).
 */
enum mj_err	pg_staff_set(struct store *, const char *username,
		    int disabled, const char *pw_hash, const char *role,
		    int end_sessions);
/* Counted over the enabled admins' rows, locked until the transaction ends. */
enum mj_err	pg_staff_admins(struct store *, int64_t *n);
enum mj_err	pg_staff_list(struct store *, int64_t now,
		    int (*fn)(void *, const struct hd_staff *), void *arg);
enum mj_err	pg_session_add(struct store *, const char *token_hash,
		    int64_t staff_id, const char *csrf, int64_t now,
		    int64_t expires_at);
enum mj_err	pg_session_get(struct store *, const char *token_hash,
		    int64_t now, struct hd_staff *out, char *csrf,
		    size_t csrflen);
enum mj_err	pg_session_del(struct store *, const char *token_hash,
		    int64_t now);
/*
 * Holds key's transaction lock (an advisory lock) until the transaction
 * ends, so that a check of the failures and the failure it then counts
 * are one step across nodes: another node's check of the same key waits
 * and reads the count after it.
 */
enum mj_err	pg_login_failures(struct store *, const char *key,
		    int64_t now, int window_s, int *failures,
		    int64_t *window_start);
enum mj_err	pg_login_failed(struct store *, const char *key, int64_t now,
		    int window_s);
enum mj_err	pg_login_last(struct store *, const char *key, int64_t now);
enum mj_err	pg_login_mark(struct store *, const char *key, int64_t now);
enum mj_err	pg_login_undo(struct store *, const char *key);
enum mj_err	pg_login_clear(struct store *, const char *key);
enum mj_err	pg_audit_add(struct store *, const struct hd_audit *);
enum mj_err	pg_audit_range(struct store *, int64_t contact_id,
		    int64_t before_id, int64_t from, int64_t to, int limit,
		    int (*fn)(void *, const struct hd_audit *), void *arg);
#endif
