/*
 * bot_int.h - what bot.c, dialogue.c and commit.c share: the bot itself,
 * the job one message becomes, and the steps each file gives the others.
 * Only bot/ includes it.
 *
 * One message: bot.c makes the job (understanding outside the store's
 * lock) and, inside the transaction, runs its step, which asks dialogue.c
 * for the reply; commit.c queues jobs, commits them in batches, waits for
 * the disk and answers.
 */
#ifndef BOT_BOT_INT_H
#define BOT_BOT_INT_H
#include <pthread.h>
#include <time.h>

#include "bot/bot.h"
#include "bot/dialogue.h"

struct bot_job {
	struct bot_in		 in;		/* strings point into buf */
	char			*buf;
	struct nlu_result	 r;
	struct bot_out		 out;
	enum mj_err		 rc;
	enum lang		 lang;
	const char		*event;
	struct timespec		 t0;
	void			(*done)(void *);
	void			*arg;
	struct bot_job		*next;
};

struct bot {
	const struct conf	*conf;
	struct store		*st;
	const struct nlu	*nlu;
	const struct catalog	*cat;
	enum lang		 cyrl_default;	/* lang.cyrillic_default */
	void			(*queued)(void *);
	void			*queued_arg;
	/* the group-commit writer */
	pthread_t		 writer;
	int			 writer_on;
	int			 careful;	/* commit.c's rerun: a savepoint
						 * per message (bot_step()) */
	pthread_mutex_t		 qlock;
	pthread_cond_t		 qcond;
	pthread_cond_t		 icond;		/* wakes the indexer to stop */
	struct bot_job		*qhead, **qtail;
	int			 qstop;
	pthread_t		 indexer;
	pthread_t		 ckpt;		/* checkpoints the log */
	/* committed batches waiting for the log to reach the disk */
	pthread_t		 syncer;
	pthread_cond_t		 scond;
	struct bot_job		*shead, **stail;
	int			 sstop;
};

/* bot.c */

/*
 * One message's step inside the caller's transaction: dedupe, contact,
 * decision, rendering and the rows.  On failure the caller rolls back
 * what this step wrote and out is freed here.  *lang_out and *event feed
 * the log line written after the commit.
 */
enum mj_err	bot_step(struct bot *, const struct bot_in *,
		    struct nlu_result *, struct bot_out *out,
		    enum lang *lang_out, const char **event);

/* dialogue.c: every call may change the contact, nothing else. */

/* The reply's language, remembered in the contact; r->lang follows it. */
enum lang	dialogue_lang(const struct bot *, const struct bot_in *,
		    struct nlu_result *r, struct contact *);
/* Per-sender limits: 0 within, 1 over them (say so), 2 again (silent). */
int		dialogue_rate(const struct bot *, struct contact *,
		    int64_t now);
/*
 * A message nobody understood that only names a district ("Xiva"): 1 when
 * it is an office question, then r->intent says so and, unless the
 * citizen chose one, *lang and r->lang become the script's language the
 * contact had before this message (was_cyrl, was_latn).
 */
int		dialogue_place(struct bot *, const struct bot_in *,
		    struct nlu_result *r, struct contact *, enum lang *lang,
		    struct answer *, const char *was_cyrl,
		    const char *was_latn);
/* Decide the answer; may change the contact (state, language, misses). */
enum mj_err	dialogue_decide(struct bot *, const struct bot_in *,
		    const struct nlu_result *, struct contact *,
		    enum lang *lang, struct answer *);
/*
 * Render the answer into out (text, Telegram markup, SMS coding and
 * segments); an SMS over the budget keeps its rest in the contact for "1".
 */
enum mj_err	dialogue_render(struct bot *, const struct bot_in *,
		    struct contact *, enum lang, const struct answer *,
		    enum intent, struct bot_out *out);

/* ussd_bot.c */

/*
 * A USSD request's step inside the caller's transaction, after its
 * deduplication: the session, the screen, the rows (bot.c's bot_step for
 * BOT_USSD).  On failure out is freed.
 */
enum mj_err	ussd_step(struct bot *, const struct bot_in *,
		    struct nlu_result *, struct bot_out *out,
		    enum lang *lang_out);

/* commit.c */

/* One batch on the caller's thread, answered (done) when durable. */
void		commit_run(struct bot *, struct bot_job *list);
#endif
