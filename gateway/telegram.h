/*
 * telegram.h - the Telegram Bot API channel: the webhook
 * (POST /telegram/webhook, Update JSON) and the set-up commands.
 * Replies do not go back in the webhook's response: they are queued in the
 * outbox and sent with sendMessage by the outbox sender.
 * https://core.telegram.org/bots/api#update, #setwebhook
 */
#ifndef GATEWAY_TELEGRAM_H
#define GATEWAY_TELEGRAM_H
#include <microhttpd.h>

#include "bot/conf.h"
#include "gateway/http.h"

enum MHD_Result	telegram_handle(struct server *, struct MHD_Connection *,
		    struct req *, const char *method);

/* `murojaat telegram set-webhook URL` and `murojaat telegram info`. */
int		telegram_cmd(const struct conf *, int argc, char **argv);
#endif
