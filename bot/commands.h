/*
 * commands.h - the command-line subcommands that work on the store and the
 * bot: the registry import, a conversation in the terminal, and training
 * or evaluating the intent model with the help desk's labels (staff
 * accounts are gateway/staff.h's staff_cmd).  main.c reads the options, wires the program and calls
 * these; each returns the exit status, having said on stderr what went
 * wrong.
 */
#ifndef BOT_COMMANDS_H
#define BOT_COMMANDS_H
#include "base/conf.h"
#include "bot/bot.h"

/*
 * How a command opens the program (patterns, catalogues, the store, the
 * bot) once its arguments are right: open(ctx) returns the bot, borrowed
 * until the caller closes the program, or NULL after saying why.
 */
struct commands_open {
	struct bot	*(*open)(void *ctx);
	void		*ctx;
};

/* murojaat import FILE.csv: registry status changes and their notices. */
int	commands_import(const struct commands_open *, int argc, char **argv);
/*
 * murojaat chat [-v] --as PHONE: lines on stdin through bot_handle().  With
 * --ussd, the USSD menus: each line is what the keypad sends.  Only the
 * conversation is shown: log lines go to chat.log beside the database
 * (conf's db.path), or with -v to stderr.
 */
int	commands_chat(const struct commands_open *, const struct conf *,
	    int argc, char **argv);
/*
 * murojaat ussd-cost: every USSD screen in every language (bot/ussd.h),
 * "lang screen note page coding units" a line; 0 when each fits one USSD
 * page, 1 when one does not, 2 when it could not run.
 */
int	commands_ussd_cost(const struct commands_open *, int argc,
	    char **argv);
/*
 * murojaat train | eval (cmd) over the corpus in corpus_dir; train writes
 * model_out.  With --labels the help desk's labels join the corpus.
 */
int	commands_train(const struct conf *, const char *cmd,
	    const char *corpus_dir, const char *model_out, int argc,
	    char **argv);
/*
 * murojaat store copy [--to URL]: the SQLite store (db.path) into an empty
 * PostgreSQL database, --to's or else db.url's (store_copy()); 0 when
 * every count matched, 1 when nothing was copied, 2 for a usage error.
 */
int	commands_store(const struct conf *, int argc, char **argv);
#endif
