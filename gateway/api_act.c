/*
 * api_act.c - the help desk's actions on one conversation: take over,
 * release, reply, notes, labels, resolve.  Each action and its audit row
 * commit together.  A conversation another agent holds is theirs: the
 * actions wait for the hold unless a supervisor forces them (audited).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "gateway/api_int.h"
#include "store/helpdesk.h"

#define REPLY_MAX	1600		/* bytes: about ten SMS segments */
#define NOTE_MAX	4000
#define LABEL_MAX	32
#define LABELS_MAX	10

/*
 * Someone else's hold on a conversation: the other actions wait for it
 * unless a supervisor sends "force": true, which the audit row says.
 */
struct guard {
	int	 force;		/* asked for, by a supervisor */
	int	 conflict;	/* held by holder, and no force */
	char	 holder[64];
};

/*
 * Run fn inside a transaction with its audit row; with g, first refuse
 * (g->conflict, MJ_EINTERNAL, nothing written) a conversation held by
 * another, or note the force in the audit row.
 */
static enum mj_err
with_audit_guard(struct api *a, int64_t contact_id, const char *action,
    const char *detail, enum mj_err (*fn)(struct api *, int64_t, void *),
    void *arg, struct guard *g)
{
	char		forced[200];
	struct hd_audit	au = api_audit_row(a, action, contact_id, detail);
	enum mj_err	rc;

	if ((rc = store_begin(a->st)) != MJ_OK)
		return rc;
	if (g != NULL && (rc = store_hd_holder(a->st, contact_id, a->now,
	    g->holder, sizeof(g->holder))) == MJ_OK &&
	    g->holder[0] != '\0' &&
	    strcasecmp(g->holder, a->who.username) != 0) {
		if (!g->force) {
			g->conflict = 1;
			rc = MJ_EINTERNAL;
		} else {
			snprintf(forced, sizeof(forced), "force from=%s%s%s",
			    g->holder, detail[0] != '\0' ? " " : "", detail);
			au.detail = forced;
		}
	}
	if (rc == MJ_OK)
		rc = fn(a, contact_id, arg);
	if (rc == MJ_OK)
		rc = store_audit_add(a->st, &au);
	if (store_end(a->st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}

static enum mj_err
with_audit(struct api *a, int64_t contact_id, const char *action,
    const char *detail, enum mj_err (*fn)(struct api *, int64_t, void *),
    void *arg)
{
	return with_audit_guard(a, contact_id, action, detail, fn, arg, NULL);
}

/*
 * The body's "force" into g; 0 when the request may go on, else the
 * answer is sent (*ret): not a boolean, or not a supervisor.
 */
static int
guard_refused(struct api *a, struct guard *g, enum MHD_Result *ret)
{
	json_t	*force = json_object_get(a->body, "force");

	memset(g, 0, sizeof(*g));
	if (force != NULL && !json_is_boolean(force)) {
		*ret = api_fail(a, 400, "bad_request", "force: true or false");
		return 1;
	}
	g->force = json_is_true(force);
	if (g->force && !api_can_reveal(a)) {
		*ret = api_fail(a, 403, "forbidden",
		    "only supervisors may act on another agent's "
		    "conversation");
		return 1;
	}
	return 0;
}

static enum MHD_Result
held_reply(struct api *a, const char *holder)
{
	return api_json(a, 409, json_pack("{s:s, s:s, s:s}", "error", "held",
	    "message", "another agent has this conversation", "held_by",
	    holder));
}

/* The result of a guarded action: 409 held, the error, or NULL to go on. */
#define GUARD_ANSWER(a, g, rc)	((g).conflict ? held_reply((a), \
	(g).holder) : api_fail_rc((a), (rc)))

struct take_arg {
	int	 force, conflict, release;
	char	 holder[64];
};

static enum mj_err
do_take(struct api *a, int64_t id, void *p)
{
	struct take_arg	*t = p;
	enum mj_err	 rc;

	if (t->release)
		rc = store_hd_release(a->st, id, a->who.username, t->force,
		    a->now, &t->conflict);
	else
		rc = store_hd_take(a->st, id, a->who.username,
		    a->now + a->conf->helpdesk_hold_s, t->force, a->now,
		    &t->conflict, t->holder, sizeof(t->holder));
	/* A conflict changes nothing: roll back, and audit nothing. */
	return rc == MJ_OK && t->conflict ? MJ_EINTERNAL : rc;
}

static enum mj_err
do_nothing(struct api *a, int64_t id, void *p)
{
	(void)a;
	(void)id;
	(void)p;
	return MJ_OK;
}

enum MHD_Result
api_take(struct api *a, const struct hd_head *h, int release)
{
	struct take_arg	 t = { .release = release };
	struct guard	 g;
	enum MHD_Result	 ret;
	enum mj_err	 rc;

	if (guard_refused(a, &g, &ret))
		return ret;
	t.force = g.force;
	rc = with_audit(a, h->contact_id, release ? "release" : "take",
	    t.force ? "force" : "", do_take, &t);
	if (t.conflict)
		return held_reply(a, release ? h->held_by : t.holder);
	if (rc != MJ_OK)
		return api_fail_rc(a, rc);
	log_info("helpdesk.take", "req=%s staff=%s contact=%lld release=%d",
	    a->r->id, a->who.username, (long long)h->contact_id, release);
	return api_json(a, 200, json_pack("{s:s, s:I}", "held_by",
	    release ? "" : a->who.username, "held_until",
	    (json_int_t)(release ? 0 : a->now + a->conf->helpdesk_hold_s)));
}

/* A text from the body: valid UTF-8 (jansson checks), 1..max bytes. */
static const char *
body_text(struct api *a, const char *key, size_t max)
{
	const char	*t = json_string_value(json_object_get(a->body, key));
	size_t		 n;

	if (t == NULL)
		return NULL;
	n = strlen(t);
	while (n > 0 && isspace((unsigned char)t[n - 1]))
		n--;
	if (n == 0 || strlen(t) > max)
		return NULL;
	return t;
}

enum MHD_Result
api_reply(struct api *a, const struct hd_head *h)
{
	const char	*text = body_text(a, "text", REPLY_MAX);
	char		 detail[96];
	int64_t		 msg_id = 0;
	enum mj_err	 rc;
	struct take_arg	 t = { 0 };
	struct guard	 g;
	enum MHD_Result	 ret;
	int		 other;

	if (text == NULL)
		return api_fail(a, 400, "bad_text",
		    "text: 1 to 1600 bytes of UTF-8");
	if (guard_refused(a, &g, &ret))
		return ret;
	if (h->held_until <= a->now)
		return api_fail(a, 409, "not_taken",
		    "take the conversation over before replying");
	other = strcasecmp(h->held_by, a->who.username) != 0;
	if (other && !g.force)
		return held_reply(a, h->held_by);
	if (h->opted_out)
		return api_fail(a, 409, "opted_out",
		    "the citizen has turned messages off");
	rc = bot_send_text(a->bot, h->contact_id, text, "manual", a->r->id,
	    a->now, &msg_id);
	if (rc == MJ_EINPUT)
		return api_fail(a, http_status(rc), "bad_text",
		    "the text cannot be sent");
	if (rc != MJ_OK)
		return api_fail_rc(a, rc);
	/*
	 * Each reply renews the hold; a supervisor's forced reply leaves the
	 * other agent's hold as it is.
	 */
	snprintf(detail, sizeof(detail), "message=%lld", (long long)msg_id);
	if (with_audit_guard(a, h->contact_id, "reply", detail, other ?
	    do_nothing : do_take, &t, &g) != MJ_OK)
		log_warn("helpdesk.reply", "req=%s err=\"hold not renewed\"",
		    a->r->id);
	log_info("helpdesk.reply", "req=%s staff=%s contact=%lld msg=%lld "
	    "len=%zu", a->r->id, a->who.username, (long long)h->contact_id,
	    (long long)msg_id, strlen(text));
	return api_message(a, h->contact_id, msg_id);
}

struct note_arg {
	const char	*text;
	int64_t		 id;
};

static enum mj_err
do_note(struct api *a, int64_t id, void *p)
{
	struct note_arg	*n = p;

	return store_hd_note_add(a->st, id, a->who.staff_id, n->text, a->now,
	    &n->id);
}

enum MHD_Result
api_note(struct api *a, const struct hd_head *h)
{
	struct note_arg	n = { .text = body_text(a, "text", NOTE_MAX) };
	struct guard	g;
	enum MHD_Result	ret;
	enum mj_err	rc;

	if (n.text == NULL)
		return api_fail(a, 400, "bad_text",
		    "text: 1 to 4000 bytes of UTF-8");
	if (guard_refused(a, &g, &ret))
		return ret;
	if ((rc = with_audit_guard(a, h->contact_id, "note", "", do_note, &n,
	    &g)) != MJ_OK)
		return GUARD_ANSWER(a, g, rc);
	return api_json(a, 200, json_pack("{s:I}", "id", (json_int_t)n.id));
}

struct labels_arg {
	const char	*v[LABELS_MAX];
	size_t		 n;
};

static enum mj_err
do_labels(struct api *a, int64_t id, void *p)
{
	struct labels_arg	*l = p;

	return store_hd_labels_set(a->st, id, l->v, l->n);
}

static int
label_ok(const char *s)
{
	size_t	n = strlen(s);

	if (n == 0 || n > LABEL_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

enum MHD_Result
api_labels(struct api *a, const struct hd_head *h)
{
	json_t			*arr = json_object_get(a->body, "labels");
	struct labels_arg	 l = { .n = 0 };
	char			 detail[LABELS_MAX * (LABEL_MAX + 1) + 1] = "";
	size_t			 i;
	json_t			*v;
	struct guard		 g;
	enum MHD_Result		 ret;
	enum mj_err		 rc;

	if (guard_refused(a, &g, &ret))
		return ret;
	if (!json_is_array(arr) || json_array_size(arr) > LABELS_MAX)
		return api_fail(a, 400, "bad_labels",
		    "labels: up to 10 strings of 1 to 32 bytes");
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || !label_ok(s))
			return api_fail(a, 400, "bad_labels",
			    "labels: up to 10 strings of 1 to 32 bytes");
		l.v[l.n++] = s;
		if (i > 0)
			strcat(detail, ",");
		strcat(detail, s);
	}
	if ((rc = with_audit_guard(a, h->contact_id, "labels", detail,
	    do_labels, &l, &g)) != MJ_OK)
		return GUARD_ANSWER(a, g, rc);
	return api_json(a, 200, json_pack("{s:O}", "labels", arr));
}

static enum mj_err
do_resolve(struct api *a, int64_t id, void *p)
{
	int		 resolved = *(int *)p, conflict;
	enum mj_err	 rc;

	if ((rc = store_hd_resolve(a->st, id, a->who.username, resolved,
	    a->now)) != MJ_OK)
		return rc;
	/* Resolving hands the conversation back to the bot. */
	if (resolved)
		rc = store_hd_release(a->st, id, a->who.username, 1, a->now,
		    &conflict);
	return rc;
}

enum MHD_Result
api_resolve(struct api *a, const struct hd_head *h, int resolved)
{
	struct guard	g;
	enum MHD_Result	ret;
	enum mj_err	rc;

	/* Resolving drops the hold, so it waits for the holder too. */
	if (guard_refused(a, &g, &ret))
		return ret;
	if ((rc = with_audit_guard(a, h->contact_id, resolved ? "resolve" :
	    "reopen", "", do_resolve, &resolved, resolved ? &g : NULL)) !=
	    MJ_OK)
		return GUARD_ANSWER(a, g, rc);
	return api_json(a, 200, json_pack("{s:s}", "status",
	    resolved ? "resolved" : "open"));
}
