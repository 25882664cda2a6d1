/*
 * sms_int.h - what the two sides of a delivery report share: sms.c
 * (SQLite) and pg_sms.c (PostgreSQL) decide what a report does to a
 * message by the same rule.  Nothing outside store/ includes it.
 */
#ifndef STORE_SMS_INT_H
#define STORE_SMS_INT_H
#include <string.h>

/* How far a delivery state stands; a report never moves one back. */
static inline int
sms_rank(const char *d)
{
	if (strcmp(d, "delivered") == 0 || strcmp(d, "failed") == 0)
		return 4;
	if (strcmp(d, "buffered") == 0)
		return 3;
	if (strcmp(d, "sent") == 0)
		return 2;
	return 1;	/* received, queued, sync */
}

/* What a report of delivery does to a message now at cur. */
enum sms_dlr {
	SMS_DLR_RETRY,	/* refused by the SMSC: sent again, a few times */
	SMS_DLR_SET,	/* the message's state becomes delivery */
	SMS_DLR_KEEP	/* older news: the state stays */
};

static inline enum sms_dlr
sms_dlr_of(const char *cur, const char *delivery, int retry)
{
	if (retry && sms_rank(cur) < 4)
		return SMS_DLR_RETRY;
	return sms_rank(delivery) <= sms_rank(cur) ? SMS_DLR_KEEP :
	    SMS_DLR_SET;
}

/* The message's state after a retry left its outbox row at state. */
static inline const char *
sms_retry_state(const char *state)
{
	return state != NULL && strcmp(state, "failed") == 0 ? "failed" :
	    "queued";
}
#endif
