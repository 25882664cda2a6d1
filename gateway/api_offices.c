/*
 * api_offices.c - the Inson centres in the help desk, for admins: the list
 * with each office's reply as citizens get it and its SMS segments, and a
 * correction of one office (address and landmark per language, phone,
 * days, hours, indicative mark, source).  A correction is checked and
 * measured as `rules import` checks offices.tsv (bot/offices.h), and is
 * stored together with its audit row; the next reply carries it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "bot/dialogue.h"
#include "bot/elig_text.h"
#include "bot/offices.h"
#include "gateway/api_int.h"
#include "store/helpdesk.h"
#include "store/programmes.h"

#define MAX_OFFICES	1000

static json_t *
office_json(struct api *a, const struct office *o)
{
	const struct catalog	*cat = bot_catalog(a->bot);
	json_t			*name = json_object(), *addr = json_object(),
				*mark = json_object(), *reply = json_object(),
				*seg = json_object();
	char			 buf[ELIG_TEXT_MAX];

	for (int l = 0; l < LANG__COUNT; l++) {
		const char *t = lang_tag((enum lang)l);

		json_object_set_new(name, t, api_str(o->name[l]));
		json_object_set_new(addr, t, api_str(o->address[l]));
		json_object_set_new(mark, t, api_str(o->landmark[l]));
		json_object_set_new(reply, t, elig_office(cat, (enum lang)l, o,
		    buf, sizeof(buf)) == MJ_OK ? api_str(buf) : json_null());
		json_object_set_new(seg, t, json_integer(elig_office_segments(
		    cat, (enum lang)l, o)));
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:o, "
	    "s:o, s:o, s:o, s:o}", "district", o->district, "region",
	    o->region, "days", o->days, "opens", o->opens, "closes",
	    o->closes, "phone", o->phone, "indicative", o->indicative,
	    "source", o->source, "name", name, "address", addr, "landmark",
	    mark, "reply", reply, "segments", seg);
}

static int
admin(struct api *a, const char *what)
{
	if (a->who.role == STAFF_ADMIN)
		return 1;
	api_audit(a, "office.refused", 0, what);
	return 0;
}

enum MHD_Result
api_offices(struct api *a)
{
	struct office	*o;
	json_t		*arr;
	enum mj_err	 rc;
	int		 i;

	if (!admin(a, "list"))
		return api_fail(a, 403, "forbidden", "offices are for admins");
	if ((o = malloc(sizeof(*o))) == NULL || (arr = json_array()) == NULL) {
		free(o);
		return api_fail_rc(a, MJ_ENOMEM);
	}
	if ((rc = store_begin(a->st)) != MJ_OK) {
		free(o);
		json_decref(arr);
		return api_fail_rc(a, rc);
	}
	for (i = 0; i < MAX_OFFICES &&
	    (rc = store_rules_office_at(a->st, i, o)) == MJ_OK; i++)
		json_array_append_new(arr, office_json(a, o));
	store_end(a->st, 0);
	free(o);
	if (rc != MJ_OK && rc != MJ_ENOTFOUND) {
		json_decref(arr);
		return api_fail_rc(a, rc);
	}
	return api_json(a, 200, json_pack("{s:o, s:i}", "offices", arr,
	    "budget", a->conf->sms_budget));
}

/* A bad field: 400 {"error": code, "field", "message"}. */
static enum MHD_Result
bad(struct api *a, const char *code, const char *field, const char *msg)
{
	return api_json(a, 400, json_pack("{s:s, s:s, s:s}", "error", code,
	    "field", field, "message", msg));
}

/*
 * The string v (field f) into dst (len bytes); v NULL: untouched.  -1 with
 * why when it is not a string or too long.
 */
static int
take(json_t *v, const char *f, char *dst, size_t len, char *why,
    size_t whylen)
{
	const char	*s;

	if (v == NULL)
		return 0;
	if ((s = json_string_value(v)) == NULL) {
		snprintf(why, whylen, "%s: a string", f);
		return -1;
	}
	if (strlen(s) >= len) {
		snprintf(why, whylen, "%s: longer than %zu bytes", f, len - 1);
		return -1;
	}
	snprintf(dst, len, "%s", s);
	return 0;
}

/* The fields of body into o; 0, or -1 with field and why. */
static int
apply(json_t *body, struct office *o, char *field, size_t fieldlen,
    char *why, size_t whylen)
{
	static const char *const keys[] = { "phone", "days", "opens",
	    "closes", "source", "indicative", "address", "landmark", NULL };
	const char	*k;
	json_t		*v;

	json_object_foreach(body, k, v) {
		size_t i;

		for (i = 0; keys[i] != NULL && strcmp(keys[i], k) != 0; i++)
			;
		if (keys[i] == NULL) {
			snprintf(field, fieldlen, "%s", k);
			snprintf(why, whylen, "%s: not a field of an office "
			    "(phone, days, opens, closes, address, landmark, "
			    "indicative, source)", k);
			return -1;
		}
	}
#define TAKE(v, f, dst) do {						\
		if (take(v, f, dst, sizeof(dst), why, whylen) < 0) {	\
			snprintf(field, fieldlen, "%s", f);		\
			return -1;					\
		}							\
	} while (0)
	TAKE(json_object_get(body, "phone"), "phone", o->phone);
	TAKE(json_object_get(body, "days"), "days", o->days);
	TAKE(json_object_get(body, "opens"), "opens", o->opens);
	TAKE(json_object_get(body, "closes"), "closes", o->closes);
	TAKE(json_object_get(body, "source"), "source", o->source);
	if ((v = json_object_get(body, "indicative")) != NULL) {
		if (!json_is_boolean(v)) {
			snprintf(field, fieldlen, "indicative");
			snprintf(why, whylen, "indicative: true or false");
			return -1;
		}
		o->indicative = json_is_true(v);
	}
	for (int t = 0; t < 2; t++) {
		const char	*key = t == 0 ? "address" : "landmark";
		json_t		*m = json_object_get(body, key);

		if (m == NULL)
			continue;
		if (!json_is_object(m)) {
			snprintf(field, fieldlen, "%s", key);
			snprintf(why, whylen, "%s: an object of languages "
			    "(\"uz-Latn\": \"...\")", key);
			return -1;
		}
		json_object_foreach(m, k, v) {
			int	l = lang_from_tag(k);
			char	f[48];

			snprintf(f, sizeof(f), "%s.%s", key, k);
			if (l < 0) {
				snprintf(field, fieldlen, "%s", f);
				snprintf(why, whylen, "%s: not a language "
				    "(uz-Latn, uz-Cyrl, ru, en)", f);
				return -1;
			}
			if (t == 0)
				TAKE(v, f, o->address[l]);
			else
				TAKE(v, f, o->landmark[l]);
		}
	}
#undef TAKE
	return 0;
}

/* "phone,landmark.ru" into buf: the fields that differ. */
static void
changed(const struct office *a, const struct office *b, char *buf,
    size_t len)
{
	size_t	o = 0;

#define ADD(cond, ...) do {						\
		if ((cond) && o < len) {				\
			o += (size_t)snprintf(buf + o, len - o, "%s",	\
			    o > 0 ? "," : "");				\
			if (o < len)					\
				o += (size_t)snprintf(buf + o, len - o,	\
				    __VA_ARGS__);			\
		}							\
	} while (0)
	buf[0] = '\0';
	ADD(strcmp(a->phone, b->phone) != 0, "phone");
	ADD(strcmp(a->days, b->days) != 0, "days");
	ADD(strcmp(a->opens, b->opens) != 0, "opens");
	ADD(strcmp(a->closes, b->closes) != 0, "closes");
	ADD(a->indicative != b->indicative, "indicative");
	ADD(strcmp(a->source, b->source) != 0, "source");
	for (int l = 0; l < LANG__COUNT; l++)
		ADD(strcmp(a->address[l], b->address[l]) != 0, "address.%s",
		    lang_tag((enum lang)l));
	for (int l = 0; l < LANG__COUNT; l++)
		ADD(strcmp(a->landmark[l], b->landmark[l]) != 0,
		    "landmark.%s", lang_tag((enum lang)l));
#undef ADD
}

enum MHD_Result
api_office_edit(struct api *a, const char *district)
{
	struct office	*o = malloc(sizeof(*o)), *was = malloc(sizeof(*was));
	char		 field[48], why[300], diff[400], detail[480] = "";
	int		 seg[LANG__COUNT];
	struct hd_audit	 au = api_audit_row(a, "office.edit", 0, detail);
	enum mj_err	 rc;
	enum MHD_Result	 ret;

	if (o == NULL || was == NULL) {
		free(o);
		free(was);
		return api_fail_rc(a, MJ_ENOMEM);
	}
	if (strlen(district) >= sizeof(o->district) || strspn(district,
	    "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(district)) {
		ret = api_fail(a, 404, "not_found", "no such office");
		goto out;
	}
	if (!admin(a, district)) {
		ret = api_fail(a, 403, "forbidden", "offices are for admins");
		goto out;
	}
	if ((rc = store_begin(a->st)) != MJ_OK) {
		ret = api_fail_rc(a, rc);
		goto out;
	}
	if ((rc = store_rules_office_get(a->st, district, was)) != MJ_OK) {
		store_end(a->st, 0);
		ret = rc == MJ_ENOTFOUND ? api_fail(a, 404, "not_found",
		    "no such office") : api_fail_rc(a, rc);
		goto out;
	}
	*o = *was;
	if (apply(a->body, o, field, sizeof(field), why, sizeof(why)) < 0) {
		store_end(a->st, 0);
		ret = bad(a, "invalid", field, why);
		goto out;
	}
	rc = offices_edit(a->st, bot_catalog(a->bot), a->conf->sms_budget, o,
	    seg, field, sizeof(field), why, sizeof(why));
	if (rc == MJ_OK) {
		changed(was, o, diff, sizeof(diff));
		snprintf(detail, sizeof(detail), "district=%s changed=%s",
		    district, diff[0] != '\0' ? diff : "-");
		rc = store_audit_add(a->st, &au);
	}
	if (store_end(a->st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	switch (rc) {
	case MJ_OK:
		log_info("helpdesk.office_edit", "req=%s staff=%s district=%s "
		    "changed=%s", a->r->id, a->who.username, district,
		    diff[0] != '\0' ? diff : "-");
		ret = api_json(a, 200, office_json(a, o));
		break;
	case MJ_EINPUT:
		ret = bad(a, "invalid", field, why);
		break;
	case MJ_ETOOBIG:
		ret = api_json(a, 400, json_pack("{s:s, s:s, s:s, s:i}",
		    "error", "over_budget", "field", field, "message", why,
		    "budget", a->conf->sms_budget));
		break;
	case MJ_ENOTFOUND:
		ret = api_fail(a, 404, "not_found", "no such office");
		break;
	default:
		ret = api_fail_rc(a, rc);
	}
out:
	free(o);
	free(was);
	return ret;
}
