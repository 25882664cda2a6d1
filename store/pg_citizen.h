/*
 * pg_citizen.h - the PostgreSQL side of contacts.c, messages.c and sms.c
 * (pg_citizen.c, pg_sms.c): the citizen's path (contacts, applications,
 * messages, the outbox, delivery reports).  Each function has the contract of the store_*()
 * function of the same name (store.h, sms.h); what differs across nodes
 * is said here.
 */
#ifndef STORE_PG_CITIZEN_H
#define STORE_PG_CITIZEN_H
#include <stddef.h>
#include <stdint.h>

#include "store/sms.h"
#include "store/store.h"

/* Contacts: get and find lock the row (FOR UPDATE) until the commit. */
enum mj_err	pg_contact_get(struct store *, const char *channel,
		    const char *address, int64_t now, struct contact *out);
enum mj_err	pg_contact_save(struct store *, const struct contact *,
		    int64_t now);
enum mj_err	pg_contact_find(struct store *, const char *channel,
		    const char *address, struct contact *out);
enum mj_err	pg_contact_by_id(struct store *, int64_t id,
		    struct contact *out);
enum mj_err	pg_app_get(struct store *, const char *number,
		    struct app_status *out);
enum mj_err	pg_app_put(struct store *, const struct app_row *,
		    int64_t now);
int64_t		pg_app_count(struct store *);

/*
 * The message and its index_queue row; MJ_EINPUT for an inbound message
 * whose (channel, channel_msg_id) another transaction already stored.
 */
enum mj_err	pg_msg_add(struct store *, const struct msg_row *,
		    int64_t *id);
enum mj_err	pg_inbound_seen(struct store *, const char *channel,
		    const char *msg_id, int64_t since, int64_t *in_id,
		    char **reply);
enum mj_err	pg_outbox_add(struct store *, int64_t msg_id,
		    const char *channel, const char *address,
		    const char *state, const char *markup,
		    const char *provider, int64_t next_try_at, int64_t now);
enum mj_err	pg_outbox_recheck(struct store *, int64_t now);
/* Claims the rows for this store's node (a lease), see store.h. */
enum mj_err	pg_outbox_due(struct store *, int64_t now,
		    struct outbox_item *items, size_t max, size_t *n);
enum mj_err	pg_outbox_set(struct store *, const struct outbox_result *r,
		    size_t n, int64_t now);
enum mj_err	pg_outbox_node(struct store *, const char *name);
void		pg_outbox_pacing(struct store *, int lease_s,
		    int chat_interval_ms);

enum mj_err	pg_delivery_report(struct store *, int64_t msg_id,
		    const char *provider, const char *type,
		    const char *delivery, const char *detail, int retry,
		    int64_t now);
enum mj_err	pg_contact_for_phone(struct store *, const char *phone,
		    int64_t now, struct contact *out);
enum mj_err	pg_app_set_status(struct store *, const char *number,
		    const char *status, const char *decided,
		    const char *payment, const char *source, int64_t now,
		    int *changed, struct app_status *out);
enum mj_err	pg_cancel_notices(struct store *, int64_t contact_id);
enum mj_err	pg_outbox_stats(struct store *, int64_t now, int64_t *depth,
		    int64_t *oldest_age);
enum mj_err	pg_ping(struct store *);
#endif
