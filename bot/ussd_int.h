/*
 * ussd_int.h - what ussd_bot.c shares with the rest of bot/: the USSD
 * menus' source on the store (programmes, questions, verdicts, documents,
 * Inson centres, and the status look-up with its privacy rule), for a
 * request's step and for `murojaat ussd-cost`.  Only bot/ includes it.
 */
#ifndef BOT_USSD_INT_H
#define BOT_USSD_INT_H
#include "bot/bot.h"
#include "bot/ussd.h"
#include "store/programmes.h"

#define USSD_CODES_MAX	32	/* programmes the menus list */

struct ussd_store {
	struct bot	*b;
	const char	*phone;		/* whose status may be told */
	int64_t		 now;
	char		 codes[USSD_CODES_MAX][24];
	int		 ncodes;	/* -1: not read yet */
	int		 ndistricts;	/* -1: not read yet */
	struct prog_def	*prog;		/* the last one read, or NULL */
	int		 prog_i;
	struct office	*office;	/* likewise */
	int		 office_i;
	struct ussd_src	 src;		/* its calls, arg: this */
};

/*
 * A source on b's store for a request from phone at now; every call
 * happens inside the caller's transaction.  Free with ussd_store_free().
 */
void		ussd_store_init(struct ussd_store *, struct bot *,
		    const char *phone, int64_t now);
void		ussd_store_free(struct ussd_store *);
#endif
