/*
 * pg_helpdesk.h - the help desk's conversations on PostgreSQL
 * (pg_helpdesk.c): each function is the store_hd_* of helpdesk.h of the
 * same name, with the same contract; helpdesk.c hands over to it when the
 * store is on PostgreSQL.
 */
#ifndef STORE_PG_HELPDESK_H
#define STORE_PG_HELPDESK_H
#include "store/helpdesk.h"

struct fts_tok;

enum mj_err	pg_hd_inbox(struct store *, const struct hd_filter *,
		    int (*fn)(void *, const struct hd_conv *), void *arg,
		    int *more);
enum mj_err	pg_hd_head(struct store *, int64_t contact_id,
		    struct hd_head *out);
enum mj_err	pg_hd_messages(struct store *, int64_t contact_id,
		    int64_t before_id, int limit,
		    int (*fn)(void *, const struct hd_msg *), void *arg);
enum mj_err	pg_hd_applications(struct store *, const char *phone,
		    int (*fn)(void *, const struct app_status *), void *arg);
enum mj_err	pg_hd_notes(struct store *, int64_t contact_id,
		    int (*fn)(void *, const struct hd_note *), void *arg);
enum mj_err	pg_hd_labels(struct store *, int64_t contact_id,
		    int (*fn)(void *, const char *), void *arg);
enum mj_err	pg_hd_note_add(struct store *, int64_t contact_id,
		    int64_t staff_id, const char *body, int64_t now,
		    int64_t *id);
enum mj_err	pg_hd_labels_set(struct store *, int64_t contact_id,
		    const char *const *labels, size_t n);
enum mj_err	pg_hd_take(struct store *, int64_t contact_id,
		    const char *username, int64_t until, int force,
		    int64_t now, int *conflict, char *holder, size_t holderlen);
enum mj_err	pg_hd_holder(struct store *, int64_t contact_id,
		    int64_t now, char *buf, size_t len);
enum mj_err	pg_hd_release(struct store *, int64_t contact_id,
		    const char *username, int force, int64_t now,
		    int *conflict);
enum mj_err	pg_hd_resolve(struct store *, int64_t contact_id,
		    const char *username, int resolved, int64_t now);
enum mj_err	pg_hd_label(struct store *, int64_t msg_id,
		    const char *intent, int64_t staff_id, int64_t now,
		    int64_t *contact_id, char *prev, size_t prevlen);
enum mj_err	pg_hd_labelled(struct store *,
		    int (*fn)(void *, const struct hd_labelled *), void *arg);

/*
 * The inbox's search query (FTS5's syntax as helpdesk.h's hd_filter.q
 * takes it: phrases, bare words, a trailing * for a prefix, AND, OR, NOT,
 * parentheses) as a tsquery's text, its words cut by tok as the index's
 * were, into a malloc'd *out; "" when it can match nothing (a phrase
 * without a word).  MJ_EINPUT: not a query FTS5 would take (or a part of
 * it this does not know: NEAR, column filters); MJ_ENOMEM.
 */
enum mj_err	pg_tsquery(struct fts_tok *tok, const char *q, char **out);
#endif
