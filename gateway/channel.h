/*
 * channel.h - a provider behind one table, the way curl's protocol
 * handlers sit behind one: its name, the routes it calls us on (webhooks
 * and delivery reports), the request that sends one part of an outbox item
 * and how its answer reads.  server.c routes through the table and
 * outbox.c sends through it; neither names a provider.  Adding one is a
 * file (gateway/<name>.c defining its struct channel) and an entry in
 * channel.c.
 */
#ifndef GATEWAY_CHANNEL_H
#define GATEWAY_CHANNEL_H
#include <stddef.h>
#include <stdint.h>

#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"
#include "gateway/http.h"

#define SEND_HEADERS	4

/* What to send: built by the channel, sent by the outbox with libcurl. */
struct send_req {
	char	*url;		/* malloc'd; may hold secrets: never logged */
	char	*body;		/* malloc'd; NULL: a GET */
	char	*headers[SEND_HEADERS];	/* malloc'd "Name: value"; NULL ends */
};
void		send_req_free(struct send_req *);	/* NULL is fine */

enum send_result {
	SEND_SENT = 0,		/* accepted: the part is sent */
	SEND_RETRY,		/* not now: try again later */
	SEND_FAILED		/* refused for good: the row fails */
};

/* How the provider answered one request. */
struct send_answer {
	enum send_result result;
	int		 throttled;	/* SEND_RETRY because we were too fast
					 * (HTTP 429): no attempt is counted */
	int64_t		 retry_after_s;	/* throttled: the wait asked for;
					 * 0: our backoff */
	int		 unreachable;	/* SEND_FAILED because the citizen
					 * cannot be reached this way (blocked
					 * the bot, a number nobody knows) */
	char		 error[256];	/* why (row and log); "" when sent */
	char		 provider_id[32];	/* the provider's id, or "" */
};

struct channel {
	const char	*name;		/* outbox rows' provider: "kannel" */
	const char	*medium;	/* outbox rows' channel: "sms" */
	/* Webhooks: messages from citizens.  Ends with a NULL path. */
	const struct http_route	*webhooks;
	/* Delivery reports of what we sent (NULL: none). */
	const struct http_route	*reports;
	size_t		 part_max;	/* code points in one message; a longer
					 * text goes in parts (0: sends none) */
	/*
	 * The request that sends text[0..len), part parts_sent of it (last:
	 * the item's last part).  On failure out holds nothing to free:
	 * MJ_ECONFIG when the provider is not configured, MJ_ENOMEM.  NULL
	 * (and answer NULL): the provider only calls us (USSD sessions).
	 */
	enum mj_err	(*request)(const struct conf *,
			    const struct outbox_item *, const char *text,
			    size_t len, int last, struct send_req *out);
	/*
	 * Read the provider's answer: HTTP status and body (NUL-terminated,
	 * perhaps cut short).  Only for a request that got an answer; a
	 * transfer that failed is the outbox's to retry.
	 */
	void		(*answer)(long status, const char *body,
			    struct send_answer *out);
	/*
	 * A provider on this machine rather than behind HTTP (smsfile.c):
	 * hands over text[0..len) at once and says how in out, as answer
	 * would.  MJ_ECONFIG when it is not configured.  NULL for the
	 * others, which have request and answer.
	 */
	enum mj_err	(*deliver)(const struct conf *,
			    const struct outbox_item *, const char *text,
			    size_t len, int last, struct send_answer *out);
	/*
	 * The setting it cannot send without when that is not set
	 * ("kannel.sendsms_url"), else NULL.  NULL: it needs none.
	 */
	const char	*(*missing)(const struct conf *);
};

/* The table, ending with NULL; the first channel of a medium is its default. */
extern const struct channel *const channels[];

/*
 * The channel that sends an outbox item: by its channel and provider (or
 * the medium's configured default); a USSD contact's item goes by SMS;
 * NULL when no channel carries it.  A row's provider that is not
 * configured gives way to the medium's default when that one is.
 */
const struct channel	*channel_for(const struct conf *,
			    const struct outbox_item *);

/* The setting a channel cannot send without, or NULL when it can. */
const char	*channel_missing(const struct channel *, const struct conf *);

/* The channel that sends a medium's ("sms", "telegram") rows by default. */
const struct channel	*channel_default(const struct conf *,
			    const char *medium);

/*
 * At start-up: one log line for each medium that cannot send (what is
 * missing and what it means), and one saying where the file provider
 * writes when it is the one.  Names settings, never their values.
 */
void		channel_report(const struct conf *);

/*
 * What every provider's answer shares: 2xx sent; 429 throttled, with the
 * JSON answer's parameters.retry_after; 400 refused for good; anything else
 * retried.  error gets "<status> <description>" from a JSON answer, else
 * "HTTP <status>".  Providers add their own refusals on top.
 */
void		channel_answer_common(long status, const char *body,
		    struct send_answer *out);

/* s[0..len) percent-encoded but for A-Z a-z 0-9 - . _ ~ (malloc'd). */
char		*channel_urlenc(const char *s, size_t len);

/* The providers, each in its own file. */
extern const struct channel telegram_channel;	/* telegram.c */
extern const struct channel kannel_channel;	/* kannel.c */
extern const struct channel aggregator_channel;	/* aggregator.c */
extern const struct channel ussd_at_channel;	/* ussd_at.c */
extern const struct channel smsfile_channel;	/* smsfile.c */

/* Where the file provider writes: sms.file, else outbox-sms.log beside the
 * database.  Returns buf. */
const char	*smsfile_path(const struct conf *, char *buf, size_t size);
#endif
