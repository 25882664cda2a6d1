/*
 * api_staff.c - help-desk accounts from the browser, for admins only: the
 * list, a new account, and per account a role, disable, enable and a new
 * password (typed by the admin, or generated and shown once).  Each change
 * goes through staff_add_by() / staff_change_by(), the functions the
 * command line uses, so it is checked and audited the same way, with the
 * admin, the request and the client in the audit row; a change that would
 * leave no enabled admin is refused.  No answer carries a password hash.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "gateway/api_int.h"
#include "store/helpdesk.h"

static int
staff_row(void *arg, const struct hd_staff *sf)
{
	json_t	*arr = arg;
	json_t	*o = json_pack("{s:o, s:s, s:b, s:I, s:o, s:i}",
		    "username", api_str(sf->username), "role", sf->role,
		    "disabled", sf->disabled, "created_at",
		    (json_int_t)sf->created_at, "last_login",
		    sf->last_login > 0 ? json_integer(sf->last_login) :
		    json_null(), "sessions", sf->sessions);

	return o == NULL || json_array_append_new(arr, o) != 0;
}

static enum MHD_Result
list(struct api *a)
{
	json_t		*arr = json_array();
	enum mj_err	 rc;

	if (arr == NULL)
		return api_fail_rc(a, MJ_ENOMEM);
	if ((rc = store_staff_list(a->st, a->now, staff_row, arr)) != MJ_OK) {
		json_decref(arr);
		return api_fail_rc(a, rc);
	}
	return api_json(a, 200, json_pack("{s:o}", "items", arr));
}

/* A refusal of staff_add_by() / staff_change_by() as an HTTP answer. */
static enum MHD_Result
refused(struct api *a, enum mj_err rc, const struct staff_why *why)
{
	static const struct {
		unsigned	 status;
		const char	*code;
	} as[] = {
		[STAFF_BAD_NAME] = { 400, "bad_name" },
		[STAFF_BAD_ROLE] = { 400, "bad_role" },
		[STAFF_BAD_PASSWORD] = { 400, "bad_password" },
		[STAFF_TAKEN] = { 409, "taken" },
		[STAFF_NO_ACCOUNT] = { 404, "not_found" },
		[STAFF_LAST_ADMIN] = { 409, "last_admin" },
	};

	if (why->no > STAFF_REFUSED_NOT && why->no <= STAFF_LAST_ADMIN)
		return api_fail(a, as[why->no].status, as[why->no].code,
		    why->text);
	return api_fail_rc(a, rc);
}

/*
 * The new password of a body: "password" typed by the admin, or with
 * "generate": true a random one into pw.  NULL and *bad set when the body
 * holds neither, both, or something else.
 */
static const char *
password_of(json_t *body, char *pw, const char **bad)
{
	json_t		*p = json_object_get(body, "password");
	json_t		*g = json_object_get(body, "generate");

	*bad = NULL;
	if (g != NULL && !json_is_boolean(g)) {
		*bad = "generate: true or false";
		return NULL;
	}
	if (json_is_true(g) && p == NULL) {
		staff_password_new(pw);
		return pw;
	}
	if (json_is_true(g) || !json_is_string(p)) {
		*bad = "send \"password\" (10 to 1024 bytes) or "
		    "\"generate\": true";
		return NULL;
	}
	return json_string_value(p);
}

/* The answer to a change: the account, and a generated password once. */
static enum MHD_Result
changed(struct api *a, unsigned status, const char *name, const char *gen)
{
	char		 hash[256];
	struct hd_staff	 sf;
	enum mj_err	 rc;
	json_t		*o;

	rc = store_staff_get(a->st, name, &sf, hash, sizeof(hash));
	sodium_memzero(hash, sizeof(hash));
	if (rc != MJ_OK)
		return api_fail_rc(a, rc);
	o = json_pack("{s:o, s:s, s:b}", "username", api_str(sf.username),
	    "role", sf.role, "disabled", sf.disabled);
	if (o != NULL && gen != NULL)
		json_object_set_new(o, "password", json_string(gen));
	return api_json(a, status, o);
}

static struct staff_by
by_of(const struct api *a)
{
	struct staff_by	by = { .staff_id = a->who.staff_id,
	    .username = a->who.username, .req = a->r->id, .ip = a->ip,
	    .keep_admin = 1 };

	return by;
}

static enum MHD_Result
add(struct api *a)
{
	const char		*name, *role, *pw, *bad;
	char			 gen[STAFF_PW_NEW + 1] = "";
	struct staff_by		 by = by_of(a);
	struct staff_why	 why;
	enum mj_err		 rc;
	enum MHD_Result		 ret;

	name = json_string_value(json_object_get(a->body, "username"));
	role = json_string_value(json_object_get(a->body, "role"));
	if (name == NULL || role == NULL)
		return api_fail(a, 400, "bad_request", "send {\"username\", "
		    "\"role\", \"password\" or \"generate\": true}");
	if ((pw = password_of(a->body, gen, &bad)) == NULL)
		return api_fail(a, 400, "bad_password", bad);
	rc = staff_add_by(a->st, &by, name, role, pw, a->now, &why);
	if (rc != MJ_OK)
		ret = refused(a, rc, &why);
	else
		ret = changed(a, 201, name, gen[0] != '\0' ? gen : NULL);
	sodium_memzero(gen, sizeof(gen));
	return ret;
}

static enum MHD_Result
change(struct api *a, const char *name, const char *verb)
{
	static const char *const verbs[] = {
		[STAFF_DISABLE] = "disable", [STAFF_ENABLE] = "enable",
		[STAFF_PASSWORD] = "password", [STAFF_ROLE] = "role",
	};
	const char		*value = NULL, *bad;
	char			 gen[STAFF_PW_NEW + 1] = "";
	struct staff_by		 by = by_of(a);
	struct staff_why	 why;
	enum mj_err		 rc;
	enum MHD_Result		 ret;
	int			 what = -1;

	for (int i = 0; i <= STAFF_ROLE; i++)
		if (strcmp(verb, verbs[i]) == 0)
			what = i;
	if (what < 0)
		return api_fail(a, 404, "not_found", "no such action");
	if (strcmp(a->method, "POST") != 0)
		return api_fail(a, 405, "method", "use POST");
	if (what == STAFF_ROLE &&
	    (value = json_string_value(json_object_get(a->body, "role"))) ==
	    NULL)
		return api_fail(a, 400, "bad_role", "send {\"role\": "
		    "\"agent\" | \"supervisor\" | \"admin\"}");
	if (what == STAFF_PASSWORD &&
	    (value = password_of(a->body, gen, &bad)) == NULL)
		return api_fail(a, 400, "bad_password", bad);
	rc = staff_change_by(a->st, &by, name, (enum staff_change)what, value,
	    a->now, &why);
	if (rc != MJ_OK)
		ret = refused(a, rc, &why);
	else
		ret = changed(a, 200, name, gen[0] != '\0' ? gen : NULL);
	sodium_memzero(gen, sizeof(gen));
	return ret;
}

enum MHD_Result
api_staff(struct api *a, const char *rest)
{
	int		 get = strcmp(a->method, "GET") == 0;
	const char	*slash;
	char		 name[64];

	if (a->who.role != STAFF_ADMIN) {
		api_audit(a, "staff.refused", 0, a->path);
		return api_fail(a, 403, "forbidden", "accounts are for admins");
	}
	if (rest == NULL)
		return get ? list(a) : add(a);
	/* "NAME/VERB"; a name too long for any account is no account. */
	if ((slash = strchr(rest, '/')) == NULL || slash == rest ||
	    (size_t)(slash - rest) >= sizeof(name))
		return api_fail(a, 404, "not_found", "no such account or "
		    "action");
	memcpy(name, rest, (size_t)(slash - rest));
	name[slash - rest] = '\0';
	return change(a, name, slash + 1);
}
