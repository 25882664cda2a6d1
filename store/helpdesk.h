/*
 * helpdesk.h - the help desk's SQL: staff accounts, sessions, login
 * throttling, the audit log, the inbox (one summary row per conversation,
 * kept by triggers on messages; keyset paging newest first; FTS5 search),
 * the conversation view, notes, labels, takeover and the dashboard.
 *
 * Two kinds of call, as in store.h:
 *   "inside a transaction": the caller holds store_begin()/store_end(), so
 *   an action and its audit row commit together;
 *   the rest take the store's lock themselves and read.
 * Listing calls hand each row to a callback; the row's strings are borrowed
 * from SQLite and valid only during that call.  A callback returning
 * non-zero stops the listing (not an error).  The lock is held meanwhile,
 * so callbacks only copy.
 */
#ifndef STORE_STORE_HELPDESK_H
#define STORE_STORE_HELPDESK_H
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/store.h"

/* ---- staff, sessions, throttling, audit */

struct hd_staff {
	int64_t	id;
	char	username[64];
	char	role[16];		/* agent, supervisor, admin */
	int	disabled;
	int64_t	created_at;		/* store_staff_list() only: */
	int64_t	last_login;		/* 0: never */
	int	sessions;		/* live now */
};

/* Inside a transaction.  MJ_EINPUT: the name is taken. */
enum mj_err	store_staff_add(struct store *, const char *username,
		    const char *role, const char *pw_hash, int64_t now);
/* The account and its password hash (into hash); MJ_ENOTFOUND if none. */
enum mj_err	store_staff_get(struct store *, const char *username,
		    struct hd_staff *out, char *hash, size_t hashlen);
/*
 * Inside a transaction: change an account (disabled -1, pw_hash NULL, role
 * NULL: kept) and with end_sessions end every session it has.
 * MJ_ENOTFOUND if there is no such account.
 */
enum mj_err	store_staff_set(struct store *, const char *username,
		    int disabled, const char *pw_hash, const char *role,
		    int end_sessions);
/* Inside a transaction: *n, the accounts that are admin and not disabled. */
enum mj_err	store_staff_admins(struct store *, int64_t *n);
/* Every account, by name; fn returns non-zero to stop. */
enum mj_err	store_staff_list(struct store *, int64_t now,
		    int (*fn)(void *, const struct hd_staff *), void *arg);
/* Inside a transaction. */
enum mj_err	store_session_add(struct store *, const char *token_hash,
		    int64_t staff_id, const char *csrf, int64_t now,
		    int64_t expires_at);
/*
 * The live session of token_hash and its account (not disabled, not
 * expired at now); csrf into csrf.  MJ_ENOTFOUND otherwise.
 */
enum mj_err	store_session_get(struct store *, const char *token_hash,
		    int64_t now, struct hd_staff *out, char *csrf,
		    size_t csrflen);
/* Inside a transaction: forget the session; also drops expired ones. */
enum mj_err	store_session_del(struct store *, const char *token_hash,
		    int64_t now);

/*
 * Inside a transaction.  Failures counted for key in the window that began
 * at *window_start (a window older than window_s counts 0).
 */
enum mj_err	store_login_failures(struct store *, const char *key,
		    int64_t now, int window_s, int *failures,
		    int64_t *window_start);
/* Inside a transaction: one more failure (a new window if the old ended). */
enum mj_err	store_login_failed(struct store *, const char *key,
		    int64_t now, int window_s);
/*
 * Inside a transaction: a row whose window_start is the time of the last
 * event (now), read back with store_login_failures.
 */
enum mj_err	store_login_last(struct store *, const char *key, int64_t now);
/* Inside a transaction: a store_login_last row's time moves on to now. */
enum mj_err	store_login_mark(struct store *, const char *key, int64_t now);
/* Inside a transaction: one failure fewer (an attempt that succeeded). */
enum mj_err	store_login_undo(struct store *, const char *key);
enum mj_err	store_login_clear(struct store *, const char *key);

struct hd_audit {
	int64_t		 id;
	int64_t		 at;
	int64_t		 staff_id;	/* 0: none (a failed login) */
	const char	*username;
	const char	*action;
	int64_t		 contact_id;	/* 0: none */
	const char	*detail;	/* never a body; a phone or an
					   identifier only as the query of a
					   search by it */
	const char	*req;
	const char	*ip;
};
/* Inside a transaction. */
enum mj_err	store_audit_add(struct store *, const struct hd_audit *);
/*
 * Newest first, ids below before_id (0: from the newest), contact_id 0 for
 * every conversation, at most limit rows.
 */
enum mj_err	store_audit_list(struct store *, int64_t contact_id,
		    int64_t before_id, int limit,
		    int (*fn)(void *, const struct hd_audit *), void *arg);
/*
 * The same, of the rows written at from <= at < to (unix seconds; to 0:
 * no end).  A range with fewer than limit rows reads the rows after it.
 */
enum mj_err	store_audit_range(struct store *, int64_t contact_id,
		    int64_t before_id, int64_t from, int64_t to, int limit,
		    int (*fn)(void *, const struct hd_audit *), void *arg);

/* ---- inbox */

enum hd_status { HD_ANY = 0, HD_OPEN, HD_HELD, HD_RESOLVED };

struct hd_filter {
	int		 needs_human;	/* 1: only those */
	int		 unknown;	/* 1: last inbound not understood */
	int		 review;	/* 1: with messages to label */
	const char	*channel;	/* NULL: any */
	const char	*lang;		/* NULL: any */
	enum hd_status	 status;
	int64_t		 from, to;	/* last activity in [from, to); 0: open */
	const char	*q;		/* full-text query (FTS5 syntax, already
					   made safe by the caller); NULL: none */
	int		 ids;		/* 1: q searches the identifiers' digits,
					   not the text with them masked */
	int		 replies;	/* 1: q searches the messages sent to
					   the citizens too; 0: only theirs */
	const char	*phone;		/* E.164: only the contact whose own
					   number it is (contacts.address, or
					   the verified contacts.phone), never a
					   number inside a text; NULL: none.
					   Not with q (MJ_EINPUT) */
	int64_t		 cur_at;	/* keyset cursor: strictly older than */
	int64_t		 cur_id;	/* (cur_at, cur_id); cur_id 0: none.
					   With q: cur_id is a message id */
	int		 limit;		/* 1..200 */
	int64_t		 now;
};

struct hd_conv {
	int64_t		 contact_id;
	const char	*channel, *address, *phone, *lang,
			*snippet,	/* the citizen's last message (else
					 * the last one), whole */
			*last_in_intent, *status, *held_by;
	int64_t		 last_at, held_until, last_msg_id;
	int		 msgs, needs_human;
	int		 review;	/* messages to label */
	int		 snippet_in;	/* snippet is the citizen's */
	const char	*last_dir;	/* the last message's: "in", "out" */
	int64_t		 match_id;	/* with q: the matching message */
	const char	*match;		/* its body, whole; "" without q */
};
/*
 * Conversations newest first (with q: by newest matching message, each
 * conversation once per call).  *more is 1 when another page follows.
 */
enum mj_err	store_hd_inbox(struct store *, const struct hd_filter *,
		    int (*fn)(void *, const struct hd_conv *), void *arg,
		    int *more);

/* ---- one conversation */

struct hd_head {
	int64_t	contact_id;
	char	channel[16];
	char	address[64];
	char	phone[20];
	char	lang[12];
	int	opted_out;
	char	held_by[64];
	int64_t	held_until;
	char	status[12];
	int	needs_human;
	int64_t	last_at;
	int64_t	resolved_at;
	char	resolved_by[64];
};
/* MJ_ENOTFOUND: no such contact. */
enum mj_err	store_hd_head(struct store *, int64_t contact_id,
		    struct hd_head *out);

struct hd_msg {
	int64_t		 id;
	const char	*direction, *channel, *body, *lang, *intent,
			*delivery, *encoding, *error;
	int		 segments;
	int64_t		 created_at;
	const char	*source;	/* what understood it ("" outbound) */
	double		 prob;		/* the model's probability */
	int		 review;	/* up for review */
	const char	*label;		/* an agent's label, or "" */
	const char	*label_by;	/* who gave it */
	int64_t		 label_at;
	const char	*outbox;	/* its outbox row's state, "" for none */
	const char	*reason;	/* why not sent (outbox.reason), or "" */
	int		 attempts;	/* the outbox's failed tries */
};
/* Oldest first, the latest limit messages with ids below before_id. */
enum mj_err	store_hd_messages(struct store *, int64_t contact_id,
		    int64_t before_id, int limit,
		    int (*fn)(void *, const struct hd_msg *), void *arg);
/* Applications whose applicant phone is phone, newest first. */
enum mj_err	store_hd_applications(struct store *, const char *phone,
		    int (*fn)(void *, const struct app_status *), void *arg);

struct hd_note {
	int64_t		 id;
	const char	*username, *body;
	int64_t		 created_at;
};
enum mj_err	store_hd_notes(struct store *, int64_t contact_id,
		    int (*fn)(void *, const struct hd_note *), void *arg);
enum mj_err	store_hd_labels(struct store *, int64_t contact_id,
		    int (*fn)(void *, const char *), void *arg);

/* Inside a transaction, each: */
enum mj_err	store_hd_note_add(struct store *, int64_t contact_id,
		    int64_t staff_id, const char *body, int64_t now,
		    int64_t *id);
enum mj_err	store_hd_labels_set(struct store *, int64_t contact_id,
		    const char *const *labels, size_t n);
/*
 * Hold the contact for username until until.  If someone else holds it
 * (and !force) nothing changes, *holder gets their name and *conflict 1.
 * MJ_ENOTFOUND: no such contact.
 */
enum mj_err	store_hd_take(struct store *, int64_t contact_id,
		    const char *username, int64_t until, int force,
		    int64_t now, int *conflict, char *holder, size_t holderlen);
/*
 * Inside a transaction: who holds the conversation at now into buf ("" when
 * nobody, or the hold ran out).  MJ_ENOTFOUND: no such contact.
 */
enum mj_err	store_hd_holder(struct store *, int64_t contact_id,
		    int64_t now, char *buf, size_t len);
/* Let go; someone else's hold only with force (else *conflict 1). */
enum mj_err	store_hd_release(struct store *, int64_t contact_id,
		    const char *username, int force, int64_t now,
		    int *conflict);
/* resolved 1: resolved (and no longer needs a human); 0: open again. */
enum mj_err	store_hd_resolve(struct store *, int64_t contact_id,
		    const char *username, int resolved, int64_t now);

/* ---- teaching: agents label citizens' messages with their intent */

/*
 * Inside a transaction: label inbound message msg_id with intent (an
 * intent's name or "off_topic"; the caller checks it) by staff_id at now,
 * replacing an earlier label, and recount the messages its conversation
 * has left to label.  *contact_id gets the conversation, prev the earlier
 * label ("" when none).  MJ_ENOTFOUND: no such message; MJ_EINPUT: not a
 * citizen's message.
 */
enum mj_err	store_hd_label(struct store *, int64_t msg_id,
		    const char *intent, int64_t staff_id, int64_t now,
		    int64_t *contact_id, char *prev, size_t prevlen);

struct hd_labelled {
	int64_t		 id;
	const char	*body;
	const char	*lang;		/* as stored with the message */
	const char	*intent;	/* the label */
};
/* Every labelled message, oldest first. */
enum mj_err	store_hd_labelled(struct store *,
		    int (*fn)(void *, const struct hd_labelled *), void *arg);

/* ---- dashboard */

#define HD_UNKNOWN_SCAN	2000	/* messages the top list is drawn from */

enum hd_stat_kind {
	HD_STAT_DAYS,		/* k1 day, k2 channel; v0 in, v1 out,
				   v2 SMS segments out, v3 failed */
	HD_STAT_INTENTS,	/* k1 intent; v0 inbound messages */
	HD_STAT_LANGS,		/* k1 lang; v0 inbound messages */
	HD_STAT_UNKNOWN_TOP,	/* messages to label, the same text
				   together, the most frequent first: k1
				   body (lower case); v0 times, v1 the
				   latest one's id; k2 its intent, d the
				   model's probability.  A text labelled
				   once is left out.  Counted among the
				   latest HD_UNKNOWN_SCAN messages up for
				   review in the range. */
	HD_STAT_REPLY_SECS,	/* k1 "bot" or "agent"; v0 seconds, v1
				   replies that took them; by seconds */
	HD_STAT_REVIEW,		/* v0 messages to label */
	HD_STAT_USSD		/* v0 USSD sessions with a message */
};
struct hd_stat {
	const char	*k1, *k2;
	int64_t		 v[4];
	double		 d;
};
/*
 * Messages created in [from, to).  Whole Tashkent days (from and to at
 * midnight, UTC+5) are read from the daily roll-up, with the same answer.
 */
enum mj_err	store_hd_stats(struct store *, enum hd_stat_kind,
		    int64_t from, int64_t to,
		    int (*fn)(void *, const struct hd_stat *), void *arg);
#endif
