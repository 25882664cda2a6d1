/*
 * outbox.h - the sender: its own thread drives libcurl's multi interface
 * and delivers what the outbox holds (state 'pending'), each row through
 * the channel that carries it (channel.h: the request, and what the answer
 * means).  Every reply is sent at least once and recorded once: a row
 * becomes 'sent' only after the provider accepted it, so after a crash or
 * restart what was not yet sent is sent, and what was recorded as sent is
 * not sent again.  Retries back off exponentially with jitter; a
 * provider's "too fast" (HTTP 429, retry_after) is honoured; permanent
 * refusals are recorded as 'failed'.  Rates: conf outbox.rate (messages/s
 * overall) and outbox.chat_interval_ms (per chat).
 */
#ifndef GATEWAY_OUTBOX_H
#define GATEWAY_OUTBOX_H
#include <stddef.h>

#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"

struct outbox;		/* opaque */

enum mj_err	outbox_start(struct outbox **out, const struct conf *,
		    struct store *);
/* Something was queued: look now rather than at the next poll. */
void		outbox_wake(void *outbox);
/* Finish what is in flight (bounded), stop the thread, free. */
void		outbox_stop(struct outbox *);

/*
 * Split text into parts of at most max code points, at a paragraph break,
 * else a line break, else a space; a word longer than max is cut.  Returns
 * the byte length of part number `part` (0-based) and its start in *off;
 * 0 when there is no such part.
 */
size_t		outbox_part(const char *text, size_t max, int part,
		    size_t *off);
#endif
