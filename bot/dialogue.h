/*
 * dialogue.h - what dialogue.c shares with the files that hold one topic of
 * the conversation each (eligibility.c: eligibility, documents, offices).  A
 * turn is one inbound message being answered: the topic reads the message
 * and the contact, may change the contact's state, and fills the answer (a
 * catalogue message id with parameters, or a verbatim text).  Everything
 * happens inside the message's transaction; a topic uses the store only
 * through store/store.h.
 */
#ifndef BOT_DIALOGUE_H
#define BOT_DIALOGUE_H
#include "bot/bot.h"
#include "bot/keyboard.h"
#include "bot/rules.h"

#define ANSWER_MAX_ARGS	8

/* What to answer: a message id and its parameters. */
struct answer {
	char		 msgid[48];
	struct msg_arg	 args[ANSWER_MAX_ARGS];
	size_t		 nargs;
	char		 vals[ANSWER_MAX_ARGS][160];
	const char	*verbatim;	/* send this text as it is */
	enum keyboard	 kb;
	enum intent	 answers;	/* the message answered this topic's
					 * dialogue (a number, a digit from a
					 * menu, "1" for more): it is recorded
					 * with this intent, never as not
					 * understood.  INTENT_UNKNOWN: no */
};

struct turn {
	struct bot			*b;
	const struct bot_in		*in;
	const struct nlu_result		*r;
	struct contact			*c;
	enum lang			*lang;	/* the reply's language */
	struct answer			*a;
};

void	answer_say(struct answer *, const char *msgid);
/* Add a parameter (copied; silently ignored past ANSWER_MAX_ARGS). */
void	answer_arg(struct answer *, const char *name, const char *value);
/* A 'YYYY-MM-DD' date as the language writes it. */
void	answer_date(const struct turn *, const char *name, const char *ymd);
/* Render msgid in the turn's language into buf ("" on failure). */
void	turn_text(const struct turn *, const char *msgid, char *buf,
	    size_t len);

/* Set or clear the contact's dialogue state (state_data ""). */
void	turn_state(struct turn *, const char *state);

const struct catalog	*bot_catalog(const struct bot *);

/*
 * The status look-up with its privacy rule and miss limit, on contact c
 * (the one whose misses count): STATUS_YOURS only when the application
 * exists and its applicant's phone is c->phone; an unknown number and
 * someone else's are one and the same STATUS_NONE, so numbers cannot be
 * probed (the caller counts the miss: c->misses++); STATUS_LIMIT past
 * status.max_misses in the hour.  app is filled for STATUS_YOURS.  MJ_EDB.
 */
enum status_seen { STATUS_YOURS = 0, STATUS_NONE, STATUS_LIMIT };
enum mj_err	dialogue_status_look(struct bot *, struct contact *c,
		    const char *app_no, int64_t now, struct app_status *app,
		    enum status_seen *seen);

/*
 * The eligibility topic (eligibility.c): eligibility_owns() says whether
 * this turn is its own (its intents, or a state it set, "elig..."), and
 * eligibility_decide() answers it.
 */
int		eligibility_owns(const struct turn *);
/*
 * Whether a message nobody understood is only a district's name ("Xiva",
 * "Гурлан"), outside a live eligibility dialogue: an office question.
 */
int		eligibility_names_place(const struct turn *);
enum mj_err	eligibility_decide(struct turn *);
/*
 * The verdict the dialogue gives on programme code ("*": the general
 * check) for the answers a, in lang, into text (elig_text.h): the best of
 * its programmes' (likely yes, then cannot tell, then no); the general
 * advice when none is stored.  Inside a transaction.
 */
enum mj_err	eligibility_verdict(struct bot *, enum lang, const char *code,
		    const struct rules_answers *a, char *text, size_t len);
#endif
