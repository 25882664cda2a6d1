/*
 * channel.c - the table of providers, and what their answers share.
 * The first channel of a medium is its default: an SMS row without a
 * provider, or with one nobody knows, goes by the configured sms.provider
 * and else by the first.  USSD takes sessions and sends nothing later: a
 * row for a USSD contact (an agent's reply, a notice) goes to its phone
 * by SMS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gateway/channel.h"

const struct channel *const channels[] = {
	&telegram_channel,
	&kannel_channel,
	&aggregator_channel,
	&ussd_at_channel,
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

const struct channel *
channel_for(const struct conf *c, const struct outbox_item *it)
{
	const struct channel	*first = NULL;
	const char		*medium = medium_of(it->channel);
	const char		*want = it->provider[0] != '\0' ? it->provider :
				    default_provider(c, medium);

	for (int i = 0; channels[i] != NULL; i++) {
		if (strcmp(channels[i]->medium, medium) != 0 ||
		    channels[i]->request == NULL)
			continue;
		if (strcmp(channels[i]->name, want) == 0)
			return channels[i];
		if (first == NULL)
			first = channels[i];
	}
	return first;
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
