/*
 * telegram.h - the Telegram Bot API channel (telegram.c, behind
 * channel.h): reading an Update of the webhook (POST /telegram/webhook)
 * and the set-up commands.  Replies do not go back in the webhook's
 * response: they are queued in the outbox and sent with sendMessage.
 * https://core.telegram.org/bots/api#update, #setwebhook
 */
#ifndef GATEWAY_TELEGRAM_H
#define GATEWAY_TELEGRAM_H
#include <stddef.h>
#include <stdint.h>

#include "base/conf.h"
#include "base/err.h"
#include "bot/bot.h"

/* One Update as the bot needs it; the pure half of the webhook. */
struct tg_update {
	int		 ignore;	/* acknowledge with 200, do nothing */
	enum bot_event	 event;
	int		 lang_pick;	/* BOT_LANG_PICK: the LANG_* */
	int64_t		 update_id;
	char		 id[32];	/* update_id as text: the message id */
	int64_t		 chat_id;
	char		 addr[32];	/* chat_id as text: where replies go */
	char		 phone[20];	/* BOT_CONTACT: E.164 */
	const char	*text;		/* borrowed from doc (or static) */
	size_t		 len;
	const char	*ui_lang;	/* from.language_code, or NULL */
	const char	*kind;		/* static: "message", ... for logs */
	const char	*why;		/* MJ_EINPUT: static reason for the 400 */
	int		 err_line, err_col;	/* JSON syntax error, */
	char		 err_text[160];		/* or "" */
	void		*doc;		/* the parsed JSON that owns text */
};

/*
 * Parse one Update body[0..len) (need not be NUL-terminated).  MJ_OK: out
 * is filled, with ignore set for updates that are not for the bot (channel
 * posts, stickers, groups, foreign callbacks); free it with
 * telegram_update_free (text and ui_lang live until then).  MJ_EINPUT:
 * out->why says why (JSON errors also in err_*), nothing to free.
 * Invalid UTF-8, \u0000, duplicate keys and deep nesting are refused.
 */
enum mj_err	telegram_parse_update(const char *body, size_t len,
		    struct tg_update *out);
void		telegram_update_free(struct tg_update *);	/* NULL ok */

/* `murojaat telegram set-webhook URL` and `murojaat telegram info`. */
int		telegram_cmd(const struct conf *, int argc, char **argv);
#endif
