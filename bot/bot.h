/*
 * bot.h - the dialogue: one inbound message in, one reply out, remembered.
 * bot_handle() understands the text (intents/), decides what to answer from
 * the contact's state and the store, renders it from the catalogues
 * (locales/) in the citizen's language and script, and records the inbound
 * row, the dialogue state and the outbound row with its outbox entry in one
 * SQLite transaction.  Only after that commit does the caller answer 2xx.
 */
#ifndef BOT_BOT_H
#define BOT_BOT_H
#include <stddef.h>
#include <stdint.h>

#include "base/conf.h"
#include "base/err.h"
#include "base/lang.h"
#include "intents/nlu.h"
#include "locales/catalog.h"
#include "store/store.h"

struct bot;		/* opaque; borrows everything given to bot_new() */

enum mj_err	bot_new(struct bot **out, const struct conf *, struct store *,
		    const struct nlu *, const struct catalog *);
void		bot_free(struct bot *);	/* NULL is fine */

/* What happened: a text, or a channel event that carries no text. */
enum bot_event {
	BOT_TEXT = 0,
	BOT_START,		/* Telegram /start: greet, offer languages */
	BOT_HELP,		/* /help */
	BOT_LANG_MENU,		/* /lang: offer languages */
	BOT_LANG_PICK,		/* a language chosen from the keyboard */
	BOT_CONTACT,		/* the sender shared their own phone */
	BOT_CONTACT_OTHER,	/* a contact that is not the sender's */
	BOT_USSD		/* a USSD request: text is the session's
				 * inputs so far ("1*2"), or with ussd_input
				 * this request's alone; the reply is the
				 * screen, "CON ..." (more) or "END ..." */
};

struct bot_in {
	enum bot_event	 event;
	int		 lang_pick;	/* BOT_LANG_PICK: the LANG_* chosen */
	const char	*ui_lang;	/* the app's language tag, or NULL */
	const char	*channel;	/* "sms", "telegram", "chat", "ussd" */
	const char	*provider;	/* SMS: who carries replies; NULL */
	const char	*address;	/* where replies go: phone or chat id */
	const char	*phone;		/* phone the channel proves, or NULL */
	const char	*msg_id;	/* channel's message id, or NULL */
	int		 msg_id_window;	/* > 0: msg_id is made from the
					 * content ("h:HASH"), a duplicate
					 * only this many seconds */
	const char	*req;		/* request id minted at the edge */
	const char	*text;
	size_t		 len;
	int		 sync;		/* the reply goes back in the response */
	int64_t		 now;		/* unix seconds */
	/* BOT_USSD: */
	const char	*session;	/* the provider's session id */
	const char	*service;	/* the code dialled ("*384*1#"), or NULL */
	int		 ussd_input;	/* text is this request's input alone */
};

struct bot_out {
	char		*text;		/* malloc'd; NULL: no reply */
	char		*markup;	/* malloc'd keyboard JSON, or NULL */
	enum lang	 lang;
	enum intent	 intent;
	int		 duplicate;	/* re-delivery: the earlier reply */
	int		 gsm7;		/* SMS: 1 when GSM 03.38 7-bit */
	int		 segments;	/* SMS segments, 0 for other channels */
	int64_t		 msg_id;	/* the reply's row (0: none) */
	int		 ussd_new;	/* BOT_USSD: a session began */
};

/*
 * MJ_EINPUT: invalid UTF-8 or NUL bytes; MJ_ETOOBIG: text over the limit;
 * MJ_EDB: nothing was stored.  On MJ_OK out->text may still be NULL (no
 * reply is due).  Free out with bot_out_free() whatever the result.
 */
enum mj_err	bot_handle(struct bot *, const struct bot_in *,
		    struct bot_out *out);
void		bot_out_free(struct bot_out *);

/*
 * Group commit, for the webhooks: bot_job_new() copies the message and
 * understands it in the caller's thread (MJ_EINPUT, MJ_ETOOBIG: no job);
 * bot_job_queue() hands it to the writer thread (bot_start_writer), which
 * handles every queued message in one transaction and commits once (a
 * failed message makes it run the batch again with a savepoint per
 * message).  A syncer thread then makes the commits durable (one
 * fdatasync of the log for every batch since the last) and calls
 * done(arg) for each, from the syncer (or at once from bot_job_queue()
 * when no writer runs).  Only after done may the caller answer 2xx:
 * bot_job_result() tells the outcome (MJ_OK: committed and on disk) and
 * moves the reply into out.
 */
struct bot_job;
enum mj_err	bot_job_new(struct bot *, const struct bot_in *,
		    void (*done)(void *), void *arg, struct bot_job **out);
void		bot_job_queue(struct bot *, struct bot_job *);
enum mj_err	bot_job_result(struct bot_job *, struct bot_out *out);
void		bot_job_free(struct bot_job *);	/* NULL is fine */
enum mj_err	bot_start_writer(struct bot *);
/* Handle what is queued, then stop the writer; submit no more after. */
void		bot_stop_writer(struct bot *);

/*
 * Called (from the handling thread, once the commit is on disk) whenever a
 * reply was queued for the outbox sender; fn must be quick and
 * thread-safe.
 */
void		bot_on_queued(struct bot *, void (*fn)(void *), void *arg);

/*
 * A text not answering any message (a help-desk agent's reply, a notice):
 * an outbound row on the contact's own channel, queued in the outbox, in
 * one transaction; SMS text is made SMS-ready and measured, not shortened.
 * intent labels the row ("manual", "notice").  MJ_ENOTFOUND: no contact.
 */
enum mj_err	bot_send_text(struct bot *, int64_t contact_id,
		    const char *text, const char *intent, const char *req,
		    int64_t now, int64_t *msg_id);

/* What the bot was made with (borrowed). */
const struct conf	*bot_conf(const struct bot *);
struct store		*bot_store(const struct bot *);

/*
 * SMS-style channels get GSM-aware, budgeted replies.  A USSD contact is
 * one too: what is sent to it later (an agent's reply, a notice) cannot
 * go back over USSD and goes to its phone by SMS.
 */
int		bot_channel_is_sms(const char *channel);
#endif
