/*
 * notices.h - proactive notices: when the registry changes an
 * application's status (a CSV import, or PUT /api/applications/{number}),
 * the applicant is told on the channel they last used (SMS to the
 * applicant's phone by default), in their language, unless they opted
 * out; SMS notices wait out the quiet hours (sms.quiet_hours, Tashkent
 * time).  A status that did not change tells nobody, so re-importing a
 * file notifies no one twice.
 */
#ifndef BOT_NOTICES_H
#define BOT_NOTICES_H
#include <stdint.h>
#include <stdio.h>

#include "bot/bot.h"

/* One application as the registry reports it; NULL fields: unchanged. */
struct app_update {
	const char	*number;	/* AR-YYYY-NNNNNN */
	const char	*status;	/* pending in_review approved rejected
					   paid needs_documents */
	const char	*decided;	/* YYYY-MM-DD */
	const char	*payment;	/* YYYY-MM-DD */
	/* a new application needs these too */
	const char	*programme, *phone, *region, *district, *submitted;
};

struct notice_stats {
	int	rows;
	int	created;
	int	changed;	/* status changed */
	int	unchanged;
	int	notified;	/* notices queued */
	int	opted_out;	/* changed, but the applicant opted out */
};

/*
 * Check one update; on a problem write the reason to err and return
 * MJ_EINPUT (nothing is changed).
 */
enum mj_err	notices_check(const struct app_update *, char *err,
		    size_t errlen);

/*
 * Apply one update in its own transaction (the registry API).  MJ_ENOTFOUND
 * for an unknown number without the fields a new application needs.
 */
enum mj_err	notices_apply(struct bot *, const struct app_update *,
		    const char *source, int64_t now, struct notice_stats *);

/*
 * Import a CSV file with a header row: number, status, decided_at at least
 * (payment_at, programme, phone, region, district, submitted_at too).  Every
 * row is checked first; if any is bad, each problem goes to errs as
 * "file:line: reason" and nothing is applied (MJ_EINPUT).  Otherwise all is
 * applied in one transaction.
 */
enum mj_err	notices_import_csv(struct bot *, const char *path, FILE *errs,
		    struct notice_stats *);

/*
 * The first moment at or after now outside the quiet hours ("22:00-08:00"
 * in Tashkent, UTC+5; "" or NULL: now).  -1 when the spec is malformed.
 */
int64_t		notices_after_quiet(const char *spec, int64_t now);
#endif
