/*
 * api_int.h - what the files of the help-desk API share (api.c: sessions,
 * dispatch, answering; api_conv.c: inbox and conversations; api_act.c:
 * take over, release, reply, notes, labels, resolve; api_dash.c:
 * dashboard, canned replies, SMS measure, audit; api_teach.c: message
 * labels and the model; api_search.c: the search box and its rate;
 * api_staff.c: accounts, and
 * api_offices.c: the Inson centres, for admins).
 * One struct api per request, on the stack of api_handle().
 */
#ifndef GATEWAY_API_INT_H
#define GATEWAY_API_INT_H
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "bot/bot.h"
#include "gateway/staff.h"
#include "store/store.h"
#include "gateway/http.h"

struct api {
	struct server		*s;
	struct MHD_Connection	*conn;
	struct req		*r;
	const char		*method;
	const char		*path;		/* after "/api/" */
	struct store		*st;
	const struct conf	*conf;
	struct bot		*bot;
	struct staff_session	 who;		/* the signed-in staff */
	char			 ip[64];
	int64_t			 now;
	json_t			*body;		/* POST: the parsed object */
};

/* Answer with obj (stolen; NULL: 500). */
enum MHD_Result	api_json(struct api *, unsigned status, json_t *obj);
/* {"error": code, "message": message} */
enum MHD_Result	api_fail(struct api *, unsigned status, const char *code,
		    const char *message);
/* 429 {"error": "rate_limited", ...} with Retry-After: retry seconds. */
enum MHD_Result	api_limited(struct api *, const char *message,
		    int64_t retry);
/* An mj_err from the store as an HTTP answer (404, 400, 500...). */
enum MHD_Result	api_fail_rc(struct api *, enum mj_err);
/* A JSON string of s; "" when s is NULL or not UTF-8. */
json_t		*api_str(const char *s);
/* The audit row of this request: who, when, from where, its id. */
struct hd_audit	 api_audit_row(const struct api *, const char *action,
		    int64_t contact_id, const char *detail);
/* "YYYY-MM-DD" as the unix time its Tashkent day begins; -1: not a day. */
int64_t		 api_day(const char *);
/* Record a staff action in its own transaction (failures are logged). */
void		 api_audit(struct api *, const char *action,
		    int64_t contact_id, const char *detail);
int		 api_can_reveal(const struct api *);	/* supervisor, admin */

/* api_search.c: what a search box asks, and as what the store reads it. */
enum api_search {
	API_SEARCH_BAD = -1,	/* nothing to search for: 400 */
	API_SEARCH_TEXT,	/* words, in the texts with identifiers masked */
	API_SEARCH_PHONE,	/* the contact's own phone, exactly */
	API_SEARCH_ID		/* an identifier (supervisors, admins) */
};
/*
 * What q asks, and into out: the phone in E.164 (API_SEARCH_PHONE), else
 * an FTS5 query for the index the kind names.
 */
enum api_search	api_search_kind(const struct api *, const char *q,
		    char *out, size_t len);
/* One search of the account's minute: 0, or seconds to wait (429). */
int64_t		api_search_take(const struct api *);

enum MHD_Result	api_inbox(struct api *);
enum MHD_Result	api_conversation(struct api *, int64_t id, const char *verb);
/* The stored outbound message msg_id of contact_id, as a reply's answer. */
enum MHD_Result	api_message(struct api *, int64_t contact_id, int64_t msg_id);
/* The actions on the conversation h (POST .../VERB); release 1: let go. */
struct hd_head;
enum MHD_Result	api_take(struct api *, const struct hd_head *, int release);
enum MHD_Result	api_reply(struct api *, const struct hd_head *);
enum MHD_Result	api_note(struct api *, const struct hd_head *);
enum MHD_Result	api_labels(struct api *, const struct hd_head *);
/* resolved 1: resolve (and hand back to the bot); 0: reopen. */
enum MHD_Result	api_resolve(struct api *, const struct hd_head *,
		    int resolved);
enum MHD_Result	api_dashboard(struct api *);
enum MHD_Result	api_canned(struct api *);
enum MHD_Result	api_measure(struct api *);
enum MHD_Result	api_audit_list(struct api *);
enum MHD_Result	api_intents(struct api *);
enum MHD_Result	api_label(struct api *, int64_t msg_id);
/* verb "" (GET: status), "retrain", "activate", "rollback" (POST). */
enum MHD_Result	api_model(struct api *, const char *verb);
/* rest NULL: GET the list, POST a new account; else "NAME/VERB" (POST). */
enum MHD_Result	api_staff(struct api *, const char *rest);
/* GET /api/offices; POST /api/offices/{district} (admins). */
enum MHD_Result	api_offices(struct api *);
enum MHD_Result	api_office_edit(struct api *, const char *district);
#endif
