/*
 * api_teach.c - the help desk teaches the bot: an agent labels a
 * citizen's message with its intent (or off_topic), the list of labels
 * to choose from, and the supervisor's model actions (status, retrain,
 * activate, rollback; bot/retrain.h).  Each action is audited; a label
 * commits together with its audit row.
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "bot/retrain.h"
#include "bot/teach.h"
#include "gateway/api_int.h"
#include "store/helpdesk.h"

enum MHD_Result
api_intents(struct api *a)
{
	json_t		*arr = json_array();
	const char	*l;

	if (arr == NULL)
		return api_fail_rc(a, MJ_ENOMEM);
	for (size_t i = 0; (l = teach_label_at(i)) != NULL; i++)
		json_array_append_new(arr, json_string(l));
	return api_json(a, 200, json_pack("{s:o}", "labels", arr));
}

/* "greeting, thanks, ..., off_topic" for the error message. */
static void
label_list(char *buf, size_t len)
{
	const char	*l;
	size_t		 o = 0;

	buf[0] = '\0';
	for (size_t i = 0; (l = teach_label_at(i)) != NULL && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
		    l);
}

enum MHD_Result
api_label(struct api *a, int64_t msg_id)
{
	const char	*intent = json_string_value(json_object_get(a->body,
			    "intent"));
	char		 prev[32], detail[128], list[300], why[400];
	int64_t		 contact = 0;
	struct hd_audit	 au = api_audit_row(a, "message.label", 0, detail);
	enum mj_err	 rc;

	if (!teach_label_ok(intent)) {
		label_list(list, sizeof(list));
		snprintf(why, sizeof(why), "intent: one of %s", list);
		return api_fail(a, 400, "bad_intent", why);
	}
	if ((rc = store_begin(a->st)) != MJ_OK)
		return api_fail_rc(a, rc);
	rc = store_hd_label(a->st, msg_id, intent, a->who.staff_id, a->now,
	    &contact, prev, sizeof(prev));
	if (rc == MJ_OK) {
		snprintf(detail, sizeof(detail), "message=%lld intent=%s "
		    "was=%s", (long long)msg_id, intent, prev[0] != '\0' ?
		    prev : "-");
		au.contact_id = contact;
		rc = store_audit_add(a->st, &au);
	}
	if (store_end(a->st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_ENOTFOUND)
		return api_fail(a, http_status(rc), "not_found",
		    "no such message");
	if (rc == MJ_EINPUT)
		return api_fail(a, http_status(rc), "not_inbound",
		    "only a citizen's message can be labelled");
	if (rc != MJ_OK)
		return api_fail_rc(a, rc);
	log_info("helpdesk.label", "req=%s staff=%s msg=%lld intent=%s",
	    a->r->id, a->who.username, (long long)msg_id, intent);
	return api_json(a, 200, json_pack("{s:I, s:I, s:s, s:s, s:I, s:o}",
	    "id", (json_int_t)msg_id, "conversation", (json_int_t)contact,
	    "label", intent, "by", a->who.username, "at", (json_int_t)a->now,
	    "previous", prev[0] != '\0' ? json_string(prev) : json_null()));
}

static json_t *
cv(double v)
{
	return v >= 0 ? json_real(v) : json_null();
}

static enum MHD_Result
model_status(struct api *a)
{
	struct retrain_status	s;

	retrain_status(a->conf, &s);
	return api_json(a, 200, json_pack("{s:b, s:b, s:b, s:b, s:b, s:o}",
	    "trainer", s.trainer, "active", s.active, "new", s.fresh,
	    "previous", s.prev, "running", s.running, "current_cv",
	    cv(s.current_cv)));
}

static enum MHD_Result
retrain(struct api *a)
{
	struct retrain_result	r;
	char			detail[320];
	enum mj_err		rc;

	rc = retrain_run(a->conf, a->st, &r);
	if (rc == MJ_OK)
		snprintf(detail, sizeof(detail), "labels=%zu cv=%.4f "
		    "current=%.4f", r.labels, r.new_cv, r.current_cv);
	else
		snprintf(detail, sizeof(detail), "failed: %s", r.err);
	api_audit(a, "model.retrain", 0, detail);
	switch (rc) {
	case MJ_OK:
		return api_json(a, 200, json_pack("{s:f, s:o, s:I, s:s}",
		    "new_cv", r.new_cv, "current_cv", cv(r.current_cv),
		    "labels", (json_int_t)r.labels, "model", "model.new.bin"));
	case MJ_ECONFIG:
		return api_fail(a, http_status(rc), "no_trainer", r.err);
	case MJ_EINTERNAL:
		/* Here it means a retrain is already running: a conflict. */
		return api_fail(a, MHD_HTTP_CONFLICT, "busy", r.err);
	default:
		/* 500 as every help-desk failure of ours (api_fail_rc). */
		return api_fail(a, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "train_failed", r.err);
	}
}

static enum MHD_Result
swap(struct api *a, int rollback)
{
	char		err[256];
	enum mj_err	rc;

	rc = rollback ? retrain_rollback(a->conf, err, sizeof(err)) :
	    retrain_activate(a->conf, err, sizeof(err));
	api_audit(a, rollback ? "model.rollback" : "model.activate", 0,
	    rc == MJ_OK ? "" : err);
	switch (rc) {
	case MJ_OK:
		return api_json(a, 200, json_pack("{s:s}", "active",
		    "model.bin"));
	case MJ_ENOTFOUND:
		/* No model to swap to: a conflict with the state, not a
		 * missing resource (the table's 404). */
		return api_fail(a, MHD_HTTP_CONFLICT, "no_model", rollback ?
		    "there is no previous model to go back to" :
		    "there is no new model: retrain first");
	case MJ_EUPSTREAM:
		/* 500 as every help-desk failure of ours (api_fail_rc). */
		return api_fail(a, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "reload_failed", err);
	default:
		return api_fail_rc(a, rc);
	}
}

enum MHD_Result
api_model(struct api *a, const char *verb)
{
	int	get = strcmp(a->method, "GET") == 0;

	if ((verb[0] == '\0') != get)
		return api_fail(a, 405, "method", get ? "use POST" : "use GET");
	if (!api_can_reveal(a)) {
		api_audit(a, "model.refused", 0, verb[0] != '\0' ? verb :
		    "status");
		return api_fail(a, 403, "forbidden",
		    "the model is for supervisors");
	}
	if (verb[0] == '\0')
		return model_status(a);
	if (strcmp(verb, "retrain") == 0)
		return retrain(a);
	if (strcmp(verb, "activate") == 0)
		return swap(a, 0);
	if (strcmp(verb, "rollback") == 0)
		return swap(a, 1);
	return api_fail(a, 404, "not_found", "no such action");
}
