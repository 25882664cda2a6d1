/*
 * channel.c - the table of providers, and what their answers share.
 * The first channel of a medium is its default: an SMS row without a
 * provider goes by the configured sms.provider, one with a provider nobody
 * knows by the first.  A row's provider that is not configured gives way
 * to the configured default when that one is (a reply that waited for a
 * provider goes by the one set since).  USSD takes sessions and sends
 * nothing later: a row for a USSD contact (an agent's reply, a notice)
 * goes to its phone by SMS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/log.h"
#include "gateway/channel.h"

const struct channel *const channels[] = {
	&telegram_channel,
	&kannel_channel,
	&aggregator_channel,
	&ussd_at_channel,
	&smsfile_channel,
	NULL
};

void
send_req_free(struct send_req *q)
{
	if (q == NULL)
		return;
	free(q->url);
	free(q->body);
	for (int i = 0; i < SEND_HEADERS; i++)
		free(q->headers[i]);
	memset(q, 0, sizeof(*q));
}

/* The medium a row goes by: a USSD contact's by SMS. */
static const char *
medium_of(const char *channel)
{
	return strcmp(channel, "ussd") == 0 ? "sms" : channel;
}

/* The medium's configured provider; "" when it has no such setting. */
static const char *
default_provider(const struct conf *c, const char *medium)
{
	return strcmp(medium, "sms") == 0 ? c->sms_provider : "";
}

static int
sends(const struct channel *ch)
{
	return ch->request != NULL || ch->deliver != NULL;
}

/* The channel of a medium by name that can send; NULL: none such. */
static const struct channel *
named(const char *medium, const char *name)
{
	for (int i = 0; channels[i] != NULL; i++)
		if (strcmp(channels[i]->medium, medium) == 0 &&
		    sends(channels[i]) && strcmp(channels[i]->name, name) == 0)
			return channels[i];
	return NULL;
}

/* The medium's first channel that can send. */
static const struct channel *
first_of(const char *medium)
{
	for (int i = 0; channels[i] != NULL; i++)
		if (strcmp(channels[i]->medium, medium) == 0 &&
		    sends(channels[i]))
			return channels[i];
	return NULL;
}

const char *
channel_missing(const struct channel *ch, const struct conf *c)
{
	return ch != NULL && ch->missing != NULL ? ch->missing(c) : NULL;
}

const struct channel *
channel_default(const struct conf *c, const char *medium)
{
	const struct channel	*ch = named(medium, default_provider(c, medium));

	return ch != NULL ? ch : first_of(medium);
}

const struct channel *
channel_for(const struct conf *c, const struct outbox_item *it)
{
	const char		*medium = medium_of(it->channel);
	const struct channel	*ch = named(medium, it->provider[0] != '\0' ?
				    it->provider : default_provider(c, medium));
	const struct channel	*def;

	if (ch != NULL && channel_missing(ch, c) == NULL)
		return ch;
	def = channel_default(c, medium);
	if (def != NULL && def != ch && channel_missing(def, c) == NULL)
		return def;
	return ch != NULL ? ch : first_of(medium);
}

void
channel_report(const struct conf *c)
{
	static const struct {
		const char	*medium, *who, *also;
	} media[] = {
		{ "sms", "SMS", " (or sms.provider = aggregator with "
		    "aggregator.send_url, or sms.provider = file)" },
		{ "telegram", "Telegram", "" },
	};
	char	path[600];

	for (size_t i = 0; i < sizeof(media) / sizeof(media[0]); i++) {
		const struct channel	*ch = channel_default(c,
					    media[i].medium);
		const char		*miss = channel_missing(ch, c);

		if (miss != NULL)
			log_warn("send.off", "chan=%s via=%s missing=%s "
			    "why=\"%s is not set%s: replies and notices to %s "
			    "citizens will wait in the outbox and are not "
			    "sent\"", media[i].medium, ch->name, miss, miss,
			    strcmp(ch->name, "kannel") == 0 ? media[i].also :
			    "", media[i].who);
		else if (ch->deliver != NULL)
			log_warn("send.file", "chan=%s via=%s path=\"%s\" "
			    "why=\"%s replies and notices are written to this "
			    "file, not sent to any phone\"", media[i].medium,
			    ch->name, smsfile_path(c, path, sizeof(path)),
			    media[i].who);
		else
			log_info("send.ready", "chan=%s via=%s",
			    media[i].medium, ch->name);
	}
}

void
channel_answer_common(long status, const char *body, struct send_answer *out)
{
	json_t	*j = json_loads(body != NULL ? body : "", 0, NULL);

	memset(out, 0, sizeof(*out));
	if (j != NULL) {
		json_t		*p = json_object_get(j, "parameters");
		const char	*d = json_string_value(json_object_get(j,
				    "description"));

		if (json_is_integer(json_object_get(p, "retry_after")))
			out->retry_after_s = json_integer_value(
			    json_object_get(p, "retry_after"));
		if (d != NULL)
			snprintf(out->error, sizeof(out->error), "%ld %s",
			    status, d);
		json_decref(j);
	}
	if (out->error[0] == '\0')
		snprintf(out->error, sizeof(out->error), "HTTP %ld", status);
	if (status >= 200 && status < 300) {
		out->result = SEND_SENT;
		out->error[0] = '\0';
	} else if (status == 429) {
		/* Rate limited: wait as told; it is not the message's fault. */
		out->result = SEND_RETRY;
		out->throttled = 1;
		if (out->retry_after_s < 0)
			out->retry_after_s = 0;
	} else if (status == 400)
		out->result = SEND_FAILED;	/* a bad request stays bad */
	else
		out->result = SEND_RETRY;
	if (!out->throttled)
		out->retry_after_s = 0;
}

char *
channel_urlenc(const char *s, size_t len)
{
	static const char	hex[] = "0123456789ABCDEF";
	char			*out, *o;

	if ((out = malloc(3 * len + 1)) == NULL)
		return NULL;
	o = out;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}
