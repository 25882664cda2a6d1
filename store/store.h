/*
 * store.h - every SQL statement of murojaat lives behind this header, so a
 * second backend can stand beside SQLite without touching the dialogue or the
 * gateway.  One struct store is one SQLite connection in WAL mode with its
 * prepared statements; it is shared by threads, which take turns through
 * store_begin()/store_end() (a mutex held for the whole transaction).
 * Strings handed in are copied (SQLITE_TRANSIENT); strings handed out are
 * copied into the caller's structs.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H
#include <stdint.h>

#include <stddef.h>
#include <stdio.h>

#include "base/err.h"

struct store;		/* opaque */

/*
 * Open (creating the file and its folder when missing), switch to WAL and
 * apply the pending migrations.  On failure *out is NULL and the reason is
 * logged.
 */
enum mj_err	store_open(struct store **out, const char *path);
void		store_close(struct store *);	/* NULL is fine */
/*
 * Give the store n read connections for the help desk's listings,
 * searches and statistics (store/readers.c), so that they neither wait for
 * the webhooks' writer nor hold it up; each of their queries stops with
 * MJ_EDB after limit_ms (0: no limit).  Call once after store_open(),
 * before the store is shared; n = 0 or a database in memory: the writer's
 * connection reads too.  A store without readers behaves as before.
 */
enum mj_err	store_open_readers(struct store *, int n, int limit_ms);
/*
 * path is a SQLite file, or a PostgreSQL URL ("postgresql://...", or a
 * libpq conninfo "host=... dbname=..."): then every function below runs on
 * PostgreSQL (store/pg*.c), with the same meaning.
 */
int		store_is_pg(const struct store *);
/*
 * After a failure (MJ_EDB): whether it may pass if the whole transaction
 * is run again - PostgreSQL's connection lost (it is opened again, with a
 * backoff), a serialization failure (40001) or a deadlock (40P01).
 * Always 0 on SQLite.
 */
int		store_retryable(struct store *);
/*
 * Several nodes starting at once on an empty database: demo seeding under
 * a lock of the database (an advisory lock; nothing on SQLite).  take 1,
 * then 0 when done.
 */
enum mj_err	store_seed_lock(struct store *, int take);
/* The highest migration applied; takes the store's lock itself. */
int		store_schema_version(struct store *);

/*
 * A write transaction: store_begin() takes the store's lock and begins
 * IMMEDIATE; store_end(st, commit) commits (commit != 0) or rolls back and
 * releases the lock.  A failed commit rolls back and returns MJ_EDB.
 */
enum mj_err	store_begin(struct store *);
enum mj_err	store_end(struct store *, int commit);

/*
 * A write transaction whose commit does not wait for the disk: for what
 * can be rebuilt from durable rows (the help desk's summaries), or when
 * the caller makes the commit durable itself with store_sync() before it
 * tells anyone.  Ended by store_end().
 */
enum mj_err	store_begin_derived(struct store *);

/*
 * Make every commit so far durable (fdatasync of the write-ahead log):
 * needs no lock, so one call covers many commits while the next
 * transaction runs.  MJ_EDB when the disk refused.
 */
enum mj_err	store_sync(struct store *);

/*
 * Checkpoints off the writer's path.  store_checkpoint_own() stops commits
 * from checkpointing the log themselves (SQLite's default, which puts the
 * copy and an fsync of the database inside a commit); from then on the
 * caller's own thread calls store_checkpoint() now and then.  When the log
 * holds at least min_pages pages it copies them into the database on a
 * connection of its own while the writer goes on (passive), then restarts
 * the log with a short exclusive pass over the few pages written meanwhile,
 * so that the log is reused rather than growing.  *pages: how many pages
 * the log held (0: nothing to do).
 */
void		store_checkpoint_own(struct store *);
enum mj_err	store_checkpoint(struct store *, int min_pages, int *pages);
/* Pages in the log after the last commit (0 on PostgreSQL). */
int		store_wal_pages(struct store *);

/*
 * Inside a transaction: a savepoint around one message's writes, so that a
 * failed message leaves nothing while the others of its batch commit.
 * store_savepoint_end(st, keep): keep (release) or undo (roll back to it).
 */
enum mj_err	store_savepoint(struct store *);
enum mj_err	store_savepoint_end(struct store *, int keep);

struct contact {
	int64_t	id;
	char	channel[16];
	char	address[64];
	char	phone[20];		/* verified E.164 or "" */
	char	lang[12];		/* the conversation's: the last reply's */
	int	lang_chosen;		/* lang was chosen, not detected */
	char	lang_cyrl[12];		/* last in Cyrillic: uz-Cyrl, ru or "" */
	char	lang_latn[12];		/* last in Latin: uz-Latn, en or "" */
	int	opted_out;
	char	state[32];
	char	state_data[1024];
	int64_t	state_at;
	int	misses;
	int64_t	misses_since;
	int64_t	held_until;		/* an agent holds it until then */
	int64_t	rate_min_start;		/* per-sender rate windows */
	int	rate_min_count;
	int64_t	rate_day_start;
	int	rate_day_count;
	int	rate_warned;		/* told once; silent since */
	char	phone_read[20];		/* phone as read: unchanged is not
					 * written (nor its index entry) */
};
/*
 * Inside a transaction: the contact, created (lang "uz-Latn") if new.
 * On PostgreSQL get and find lock the contact's row until the transaction
 * ends, so that nodes handling one sender's messages take turns and the
 * counters kept in the row (rate windows, misses) add up across nodes.
 */
enum mj_err	store_contact_get(struct store *, const char *channel,
		    const char *address, int64_t now, struct contact *out);
enum mj_err	store_contact_save(struct store *, const struct contact *,
		    int64_t now);
/* Inside a transaction: the contact, never created; MJ_ENOTFOUND if none. */
enum mj_err	store_contact_find(struct store *, const char *channel,
		    const char *address, struct contact *out);
/* Inside a transaction: the contact with this id; MJ_ENOTFOUND if none. */
enum mj_err	store_contact_by_id(struct store *, int64_t id,
		    struct contact *out);

struct app_status {
	char	number[16];
	char	programme[24];
	char	status[20];
	char	phone[20];
	char	pinfl_last4[5];
	char	submitted[11];
	char	decided[11];		/* "" when not decided */
	char	payment[11];		/* "" when not paid yet */
};
/* MJ_ENOTFOUND when there is no such number. */
enum mj_err	store_app_get(struct store *, const char *number,
		    struct app_status *out);

struct msg_row {
	int64_t		 contact_id;
	const char	*direction;	/* "in" or "out" */
	const char	*channel;
	const char	*channel_msg_id;	/* NULL: none */
	const char	*req;
	int64_t		 reply_to;	/* 0: none */
	const char	*body;
	const char	*lang;
	const char	*intent;
	const char	*entities;
	const char	*delivery;
	const char	*encoding;	/* NULL unless SMS */
	int		 segments;	/* 0 unless SMS */
	int64_t		 created_at;
	/* inbound only (NULL, 0 otherwise): */
	const char	*nlu_source;	/* what understood it: pattern, model,
					 * rule, dialogue (an answer inside a
					 * dialogue), none */
	double		 nlu_prob;	/* the model's probability, 0..1 */
	int		 review;	/* 1: up for review in the help desk */
};
/*
 * Inside a transaction: the message (and, on PostgreSQL, its place in the
 * help desk's index queue).  MJ_EINPUT (PostgreSQL only): an inbound
 * message of this (channel, channel_msg_id) is already stored: another
 * node took it; look it up with store_inbound_seen*() and answer the
 * stored reply.  Nothing is stored then.  On SQLite, one writer checks
 * store_inbound_seen*() first and the unique index refuses a repeat with
 * MJ_EDB.
 */
enum mj_err	store_msg_add(struct store *, const struct msg_row *,
		    int64_t *id);

/*
 * Duplicate delivery: the inbound row of (channel, channel_msg_id) and the
 * text of the reply given to it (*reply malloc'd, NULL when there was none).
 * MJ_ENOTFOUND when this message id has not been seen.
 */
enum mj_err	store_inbound_seen(struct store *, const char *channel,
		    const char *channel_msg_id, int64_t *in_id, char **reply);
/*
 * The same for a message id made from its content ("h:HASH"), stored as
 * "h:HASH:SECONDS": seen only when stored at or after since (unix seconds),
 * so the same text later is a new message.
 */
enum mj_err	store_inbound_seen_since(struct store *, const char *channel,
		    const char *hash_id, int64_t since, int64_t *in_id,
		    char **reply);

/*
 * An outbox row for outbound message msg_id: "pending" (the sender will
 * deliver it) or "sync" (it went back in the webhook's response).  markup
 * is channel-specific (a Telegram reply_markup JSON) or NULL; provider
 * names who carries an SMS ("kannel", "aggregator"; NULL: the default).
 */
enum mj_err	store_outbox_add(struct store *, int64_t msg_id,
		    const char *channel, const char *address,
		    const char *state, const char *markup,
		    const char *provider, int64_t next_try_at, int64_t now);

/* A row the sender is to deliver; text and markup are malloc'd. */
struct outbox_item {
	int64_t	 id;
	int64_t	 msg_id;
	char	 channel[16];
	char	 address[64];
	char	*text;
	char	*markup;		/* NULL: none */
	int	 attempts;
	int	 parts_sent;		/* of a text sent in several parts */
	char	 encoding[8];		/* SMS: gsm7 or ucs2; "" otherwise */
	char	 provider[16];		/* "" for the channel's default */
	char	 req[16];		/* the request that wrote the message
					 * (messages.req), for the log */
	char	 reason[16];		/* why the last try did not send it
					 * (outbox.reason), "" when none */
	int	 segments;		/* SMS: the message's segments */
};
void		store_outbox_item_free(struct outbox_item *);
/*
 * Up to max pending rows due at now, oldest first, into items (*n of
 * them; free each with store_outbox_item_free).  Takes the lock itself.
 * On PostgreSQL the rows are claimed for this store's node until now plus
 * the lease (store_outbox_pacing()): another node gets none of them until
 * store_outbox_set() records them or the lease ends (the node died
 * mid-send).  This node gets its own claimed rows again, as SQLite gives
 * every due row: the sender skips the ones it has under way.  A row whose
 * chat has a row under another node's live lease, or was sent to within
 * the chat interval (on the database's clock), waits.
 */
enum mj_err	store_outbox_due(struct store *, int64_t now,
		    struct outbox_item *items, size_t max, size_t *n);
/*
 * Rows waiting for a provider (reason no_provider) become due at now: at
 * start-up, when the configuration may have named one.  Takes the lock.
 */
enum mj_err	store_outbox_recheck(struct store *, int64_t now);
/* One attempt's outcome, for store_outbox_set(). */
struct outbox_result {
	int64_t		 id;
	int64_t		 msg_id;
	int		 attempts;	/* as they now are */
	int		 parts_sent;
	const char	*state;		/* "sent", "failed" (permanent), or
					   "pending" (retry at next_try_at) */
	char		 error[160];	/* "" when none */
	const char	*reason;	/* why not sent (migration 0015's
					   codes), NULL when nothing is wrong */
	int64_t		 next_try_at;
};
/*
 * Record n outcomes in one transaction; each message's delivery follows
 * its row's state.  On PostgreSQL a row's lease ends, and a row sent
 * marks its chat's last send for the pacing across nodes.
 */
enum mj_err	store_outbox_set(struct store *,
		    const struct outbox_result *r, size_t n, int64_t now);
/*
 * The outbox sender's terms on PostgreSQL, for the process (one sender
 * each): a node owns a row it claimed for lease_s seconds (default 60),
 * and a chat gets one row every chat_interval_ms across all nodes
 * (default 0: no pacing in the database).  Nothing on SQLite.
 */
void		store_outbox_pacing(struct store *, int lease_s,
		    int chat_interval_ms);
/*
 * This node's name in the outbox's leases on PostgreSQL ("host:port": the
 * same across restarts of one node, different for each node), and the
 * leases an earlier run of this node left (it died mid-send) released at
 * once, rather than when they end.  Nothing on SQLite.
 */
enum mj_err	store_outbox_node(struct store *, const char *name);

/* Demo and import rows (inside a transaction). */

struct app_row {
	const char	*number, *programme, *status, *phone, *pinfl_hash,
			*pinfl_last4, *region, *district, *submitted,
			*decided, *payment;	/* decided/payment NULL: none */
	const char	*source;	/* history: demo, import, api */
};
/* Insert or update by number; a change of status adds a history row. */
enum mj_err	store_app_put(struct store *, const struct app_row *,
		    int64_t now);
/* Number of applications (for start-up messages and tests). */
int64_t		store_app_count(struct store *);

/*
 * murojaat store copy (store/copy.c): the SQLite store at sqlite_path,
 * migrated to its newest schema first, into the PostgreSQL database at url
 * (a URL or conninfo), which must hold no application, contact, message
 * nor staff row yet; its migrations are applied first.  One transaction:
 * every table in foreign-key order with its ids, each identity's sequence
 * set past the highest id, every message queued in index_queue so that the
 * help desk's summaries, search rows and roll-ups are rebuilt (they are
 * not copied), then the row counts of both sides compared.  report gets a
 * line "TABLE N -> N" per table, a progress line every 100,000 rows and a
 * final line; never a row's values nor the URL's password.  MJ_OK when
 * every count matches and the transaction committed; otherwise the target
 * is left as it was and why holds the reason: MJ_EINPUT (url is no
 * PostgreSQL URL, or the target is not empty), MJ_ENOTFOUND (no SQLite
 * file at sqlite_path), MJ_EDB (either database failed, or a column has
 * no place in PostgreSQL's schema), MJ_EINTERNAL (the counts differ).
 */
enum mj_err	store_copy(const char *sqlite_path, const char *url,
		    FILE *report, char *why, size_t whylen);
#endif
