/*
 * sms.h - the SQL of the SMS channel's bookkeeping: delivery reports,
 * finding the contact that reaches an applicant, and applications by their
 * registry feed.  Each function takes the store's lock itself unless it
 * says "inside a transaction".
 */
#ifndef STORE_SMS_H
#define STORE_SMS_H
#include <stdint.h>

#include "store/store.h"

/*
 * A delivery report for outbound message msg_id from provider: recorded as
 * it came (type, detail), and the message's delivery moves to `delivery`
 * ("sent", "buffered", "delivered", "failed") unless it already stands
 * further (delivered and failed are final; reports arrive out of order).
 * retry: the provider refused it; put its outbox row back for another try
 * (at most 3 tries in all, then "failed").  MJ_ENOTFOUND: no such
 * outbound message.
 */
enum mj_err	store_delivery_report(struct store *, int64_t msg_id,
		    const char *provider, const char *type,
		    const char *delivery, const char *detail, int retry,
		    int64_t now);

/*
 * Inside a transaction: the contact to tell the applicant with this phone,
 * the one they used last on any channel whose phone is proven; when there
 * is none, an SMS contact for the phone (created).
 */
enum mj_err	store_contact_for_phone(struct store *, const char *phone,
		    int64_t now, struct contact *out);


/*
 * Inside a transaction: set an application's status and dates as the
 * registry reports them.  *changed is 1 when the status differs from the
 * stored one (a history row is added then); the application as it now is
 * goes to *out.  MJ_ENOTFOUND: no such application.
 */
enum mj_err	store_app_set_status(struct store *, const char *number,
		    const char *status, const char *decided,
		    const char *payment, const char *source, int64_t now,
		    int *changed, struct app_status *out);

/*
 * Inside a transaction: a contact opted out; notices still waiting for
 * them are not sent (marked failed, "opted out").
 */
enum mj_err	store_cancel_notices(struct store *, int64_t contact_id);

/* Pending outbox rows, and the age in seconds of the oldest (0: none). */
enum mj_err	store_outbox_stats(struct store *, int64_t now, int64_t *depth,
		    int64_t *oldest_age);
/* A trivial query under the lock: the store answers (for /readyz). */
enum mj_err	store_ping(struct store *);
#endif
