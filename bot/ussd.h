/*
 * ussd.h - the USSD menus as a pure state machine: a session's state and
 * the inputs of one request in, the state after them and the screen to
 * show out.  Every text comes from the catalogues (ussd.*, language.name),
 * every list and data text from a source the caller gives (struct
 * ussd_src: the store in bot/ussd_bot.c, a table in the tests), so the
 * machine reads nothing else, keeps nothing between calls and can be
 * walked anywhere (murojaat ussd-cost walks every screen).
 *
 * The menus: the first screen picks the language (a phone whose language
 * is known starts at the main menu); the main menu has six items (status,
 * eligibility, documents, Inson centre, call-back, language).  "0" goes
 * back (in a question whose answer may be 0, it is the answer), "00" home,
 * "98" to a list's or a text's next page.
 *
 * A screen fits one USSD page: USSD_PAGE_GSM7 septets, or USSD_PAGE_UCS2
 * UTF-16 units when any character is outside GSM 03.38 (Cyrillic), after
 * sms_prepare() (Uzbek apostrophes become ASCII, so Latin stays 7-bit).
 * Lists and long texts are paged; every page of a screen that can carry a
 * note ("no such option") leaves room for the longest one, so a page has
 * the same items with the note or without it.
 */
#ifndef BOT_USSD_H
#define BOT_USSD_H
#include <stddef.h>

#include "base/err.h"
#include "base/lang.h"
#include "bot/rules.h"
#include "intents/intent.h"
#include "locales/catalog.h"
#include "store/store.h"

#define USSD_PAGE_GSM7	182	/* septets on one page, 7-bit */
#define USSD_PAGE_UCS2	80	/* UTF-16 units when not */
#define USSD_INPUT_MAX	20	/* bytes of one input; longer: a note */
#define USSD_INPUTS_MAX	32	/* inputs applied in one request */
#define USSD_TEXT_MAX	1000	/* bytes of a request's text; longer: 400 */
#define USSD_SCREEN_MAX	1024	/* bytes of a rendered screen */
#define USSD_NAME_MAX	256	/* bytes of a list item's name */
#define USSD_DATA_MAX	1024	/* bytes of a data text (a verdict) */

enum ussd_scr {
	USSD_LANG_FIRST = 0,	/* the session's first screen: a language */
	USSD_MAIN,
	USSD_STATUS_ASK,	/* the application number, in digits */
	USSD_STATUS,		/* what it is: app_no */
	USSD_PROGS,		/* programmes, for eligibility or documents */
	USSD_QUESTION,		/* eligibility question q about item */
	USSD_VERDICT,		/* the answer to them (paged text) */
	USSD_INFO,		/* a programme without questions (paged) */
	USSD_DOCS,		/* documents of item (paged) */
	USSD_DISTRICTS,		/* Inson centres by district */
	USSD_OFFICE,		/* the centre of district item (paged) */
	USSD_OPERATOR,		/* confirm a call-back request */
	USSD_OPERATOR_DONE,	/* requested: the session ends */
	USSD_LANG,		/* the language, from the main menu */
	USSD__SCR_COUNT
};

/* The short line shown above a screen after input that did not fit it. */
enum ussd_note {
	USSD_NOTE_NONE = 0,
	USSD_NOTE_OPTION,	/* no such item */
	USSD_NOTE_DIGITS,	/* not digits */
	USSD_NOTE_LONG,		/* an input over USSD_INPUT_MAX */
	USSD_NOTE_PATH,		/* a text that does not follow the session */
	USSD_NOTE_NUMBER,	/* an answer that cannot be right */
	USSD_NOTE_APPNO,	/* not an application number */
	USSD__NOTE_COUNT
};

/* Where a session is; plain data, saved between requests (ussd_save). */
struct ussd_state {
	enum ussd_scr		scr;
	enum lang		lang;
	int			docs;		/* USSD_PROGS: for documents */
	int			page;		/* of a list or a long text */
	int			list_page;	/* where item was chosen */
	int			item;		/* programme index (-1: the
						 * general check) or district */
	int			q;		/* the question asked */
	struct rules_answers	a;		/* the answers so far */
	char			app_no[16];	/* "AR-2025-000001" */
};

/* The lists and the data texts a screen shows. */
enum ussd_list { USSD_LIST_PROGS = 0, USSD_LIST_DISTRICTS };
enum ussd_text {
	USSD_TEXT_VERDICT = 0,	/* programme item (-1: general) on answers */
	USSD_TEXT_INFO,		/* who is eligible, where to apply */
	USSD_TEXT_DOCS,		/* documents, where, when */
	USSD_TEXT_OFFICE	/* district item's centre */
};
/* What a status look-up found, as the privacy rule lets it be told. */
enum ussd_found {
	USSD_FOUND = 0,		/* the caller's own application */
	USSD_NOT_FOUND,		/* none, or not the caller's: one answer */
	USSD_TOO_MANY		/* over the misses allowed */
};

/*
 * The source of lists and data texts.  Every call may fail with MJ_EDB
 * or MJ_ENOMEM, which the machine passes on; names and texts go into buf
 * (NUL-terminated).  status applies the privacy rule and the miss limit
 * itself and fills app only for USSD_FOUND.
 */
struct ussd_src {
	void		*arg;
	enum mj_err	(*count)(void *, enum ussd_list, int *n);
	enum mj_err	(*name)(void *, enum ussd_list, int i, enum lang,
			    char *buf, size_t len);
	/* Programme i's questions (-1: the general check); *n 0: none. */
	enum mj_err	(*questions)(void *, int i, enum rules_fact *q,
			    size_t max, size_t *n);
	enum mj_err	(*text)(void *, enum ussd_text, int i, enum lang,
			    const struct rules_answers *, char *buf,
			    size_t len);
	enum mj_err	(*status)(void *, const char *app_no,
			    enum ussd_found *, struct app_status *app);
};

struct ussd_ctx {
	const struct catalog	*cat;
	const struct ussd_src	*src;
};

/* What one request's inputs did, beside the new state. */
struct ussd_step {
	enum ussd_note	note;		/* to show on the screen, or none */
	enum intent	intent;		/* the topic the inputs led to */
	int		lang_chosen;	/* a language was picked */
	int		operator;	/* a call-back was asked for */
	int		inputs;		/* inputs applied */
};

/* The start of a session: known_lang (an enum lang) or -1: ask for it. */
void		ussd_start(struct ussd_state *, int known_lang);

/*
 * Before a note is shown: a screen that cannot carry one (a status told,
 * the call-back requested) becomes the one before it, so a status is
 * looked up again only for a number typed again.
 */
void		ussd_note_at(struct ussd_state *);

/*
 * Apply the inputs of text[0..len) ("1", "1*2025000001": '*' separates
 * them, as USSD gateways join a session's inputs) to *st in order, at
 * most USSD_INPUTS_MAX (more: none is applied, USSD_NOTE_LONG).  Input
 * that does not fit a screen leaves the state there with a note.  Never
 * fails on what a citizen typed; MJ_EDB/MJ_ENOMEM from the source leave
 * *st as it was.
 */
enum mj_err	ussd_advance(const struct ussd_ctx *, struct ussd_state *st,
		    const char *text, size_t len, struct ussd_step *out);

struct ussd_screen {
	int	end;			/* 1: the session ends here */
	int	pages;			/* of this screen (1 if not paged) */
	int	fits;			/* 0: something would not fit one page
					 * even alone (a word, an item), or a
					 * fixed screen needed a second page */
	char	text[USSD_SCREEN_MAX];	/* SMS-prepared, lines by '\n' */
	char	app_no[16];		/* a status screen: the number told */
};

/*
 * The state's screen, with note above it.  A status screen asks the
 * source (which counts a miss): render it once per request.  MJ_EDB,
 * MJ_ENOMEM from the source; MJ_ENOTFOUND for a missing catalogue entry.
 */
enum mj_err	ussd_render(const struct ussd_ctx *, const struct ussd_state *,
		    enum ussd_note, struct ussd_screen *out);

/*
 * Whether text[0..len) fits one USSD page, measured as sent (after
 * sms_prepare()); *units and *gsm7 (either may be NULL) say how.
 */
int		ussd_fits(const char *text, size_t len, size_t *units,
		    int *gsm7);

/*
 * The state as a short "key=value;" string for the contact's dialogue
 * state, and back; ussd_load returns -1 (and *st undefined) for anything
 * it did not write.
 */
int		ussd_save(const struct ussd_state *, char *buf, size_t len);
int		ussd_load(struct ussd_state *, const char *s);

/*
 * A request's id for deduplication: "PROVIDER/SESSION/HASH" where HASH
 * (16 hex digits) is of the phone and the request's text, so a replayed
 * request finds the screen it got, and the same session id and text from
 * another phone do not.  The session's part is all but the last 17 bytes.
 */
void		ussd_request_id(const char *provider, const char *session,
		    const char *phone, const char *text, size_t len, char *buf,
		    size_t buflen);
#endif
