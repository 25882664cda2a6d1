/*
 * api_search.c - what the inbox's search box asks (api_int.h): words,
 * the contact's own phone or an identifier, and how often an account may
 * ask.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/mask.h"
#include "base/phone.h"
#include "gateway/api_int.h"

#define SEARCH_SLOTS	256		/* staff accounts counted at once */

/*
 * The search box as an FTS5 query: each word a quoted prefix term, all of
 * them required, so no input is FTS5 syntax.  At most 8 words.
 */
static int
fts_query(const char *in, char *out, size_t len)
{
	size_t	o = 0;
	int	words = 0;

	while (*in != '\0' && words < 8) {
		size_t	n, real = 0;

		while (*in == ' ' || *in == '\t')
			in++;
		n = strcspn(in, " \t");
		if (n == 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (isalnum((unsigned char)in[i]) ||
			    (unsigned char)in[i] >= 0x80)
				real++;
		if (real > 0 && n <= 64) {
			if (o + n * 2 + 6 >= len)
				return -1;
			if (o > 0)
				out[o++] = ' ';
			out[o++] = '"';
			for (size_t i = 0; i < n; i++) {
				if (in[i] == '"')
					out[o++] = '"';
				out[o++] = in[i];
			}
			out[o++] = '"';
			out[o++] = '*';
			words++;
		}
		in += n;
	}
	out[o] = '\0';
	return words > 0 ? 0 : -1;
}

/*
 * Searches per staff account a minute: a window opens with an account's
 * first search and holds helpdesk.search_per_minute of them.  A fixed
 * table; when it is full the window that opened longest ago is reused.
 */
static struct {
	int64_t	staff_id, start;
	int	n;
} searches[SEARCH_SLOTS];
static pthread_mutex_t	searches_lock = PTHREAD_MUTEX_INITIALIZER;

/* 0: go on; else the seconds until the account may search again. */
int64_t
api_search_take(const struct api *a)
{
	int	 max = a->conf->helpdesk_search_per_minute;
	size_t	 i, old = 0;
	int64_t	 retry = 0;

	if (max <= 0)
		return 0;
	pthread_mutex_lock(&searches_lock);
	for (i = 0; i < SEARCH_SLOTS; i++) {
		if (searches[i].staff_id == a->who.staff_id)
			break;
		if (searches[i].start < searches[old].start)
			old = i;
	}
	if (i == SEARCH_SLOTS) {
		i = old;
		searches[i].staff_id = a->who.staff_id;
		searches[i].start = 0;
	}
	if (a->now - searches[i].start >= 60) {
		searches[i].start = a->now;
		searches[i].n = 0;
	}
	if (searches[i].n >= max)
		retry = searches[i].start + 60 - a->now;
	else
		searches[i].n++;
	pthread_mutex_unlock(&searches_lock);
	return retry;
}

/*
 * What a search box asks: the contact's own phone (the whole query is one
 * Uzbek number, phone_uz(); its E.164 into out, for the contacts, never
 * the texts), an identifier (supervisors and admins only: its digits as a
 * prefix, in the identifiers of the texts) or words, matched in the texts
 * with every identifier masked out, so that no role finds anything inside
 * an identifier by them.  The last two as an FTS5 query into out.
 */
enum api_search
api_search_kind(const struct api *a, const char *q, char *out, size_t len)
{
	char		d[24];
	enum mask_kind	k;

	if (phone_uz(q, out, len) == 0)
		return API_SEARCH_PHONE;
	k = mask_first(q, d, sizeof(d));
	if (api_can_reveal(a) && k != MASK_NONE &&
	    strspn(d, "0123456789") == strlen(d)) {
		snprintf(out, len, "\"%s\"*", d);
		return API_SEARCH_ID;
	}
	return fts_query(q, out, len) == 0 ? API_SEARCH_TEXT : API_SEARCH_BAD;
}
