/*
 * staff.c - accounts, password hashes, sessions, CSRF tokens and login
 * throttling for the help desk (see staff.h).  Hashing runs outside the
 * store's lock: it takes a tenth of a second and 64 MiB on purpose.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/log.h"
#include "gateway/staff.h"
#include "store/helpdesk.h"

static const char *const role_names[] = { "agent", "supervisor", "admin" };

int
staff_role_parse(const char *name)
{
	for (int i = 0; i < 3; i++)
		if (name != NULL && strcmp(name, role_names[i]) == 0)
			return i;
	return -1;
}

const char *
staff_role_name(enum staff_role r)
{
	return (int)r >= 0 && r <= STAFF_ADMIN ? role_names[r] : "agent";
}

static int
name_ok(const char *s)
{
	size_t	n = strlen(s);

	if (n < 2 || n > 32)
		return 0;
	for (; *s != '\0'; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		    *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* Refuse with why filled; MJ_EINPUT, or MJ_ENOTFOUND for no account. */
static enum mj_err
refuse(struct staff_why *why, enum staff_refusal no, const char *name)
{
	char	*w = why->text;
	size_t	 n = sizeof(why->text);

	why->no = no;
	switch (no) {
	case STAFF_BAD_NAME:
		snprintf(w, n, "the name must be 2-32 characters of a-z, 0-9, "
		    "'.', '_' or '-'");
		break;
	case STAFF_BAD_ROLE:
		snprintf(w, n, "the role must be agent, supervisor or admin");
		break;
	case STAFF_BAD_PASSWORD:
		snprintf(w, n, "the password must be %d to %d bytes",
		    STAFF_PW_MIN, STAFF_PW_MAX);
		break;
	case STAFF_TAKEN:
		snprintf(w, n, "the name %s is taken", name);
		break;
	case STAFF_NO_ACCOUNT:
		snprintf(w, n, "no account is called %s", name);
		break;
	case STAFF_LAST_ADMIN:
		snprintf(w, n, "%s is the last enabled admin: make another "
		    "admin first", name);
		break;
	default:
		w[0] = '\0';
	}
	return no == STAFF_NO_ACCOUNT ? MJ_ENOTFOUND : MJ_EINPUT;
}

/* The stored form of a new password; MJ_EINPUT (why) if its length is wrong. */
static enum mj_err
password_hash(const char *password, char hash[crypto_pwhash_STRBYTES],
    struct staff_why *why)
{
	size_t	plen = password != NULL ? strlen(password) : 0;

	if (plen < STAFF_PW_MIN || plen > STAFF_PW_MAX)
		return refuse(why, STAFF_BAD_PASSWORD, "");
	if (crypto_pwhash_str(hash, password, plen,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return MJ_ENOMEM;
	return MJ_OK;
}

/* An account name as stored and compared: lower case. */
static void
account_name(const char *username, char *name, size_t len)
{
	snprintf(name, len, "%s", username);
	for (char *p = name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* The audit row of a change by by. */
static struct hd_audit
audit_by(const struct staff_by *by, int64_t now)
{
	struct hd_audit	a = { .at = now, .staff_id = by->staff_id,
	    .username = by->username, .req = by->req, .ip = by->ip };

	return a;
}

static const struct staff_by cli = { .username = "cli" };

enum mj_err
staff_add_by(struct store *st, const struct staff_by *by,
    const char *username, const char *role, const char *password,
    int64_t now, struct staff_why *why)
{
	char		 hash[crypto_pwhash_STRBYTES];
	struct hd_audit	 a = audit_by(by, now);
	enum mj_err	 rc;

	why->no = STAFF_REFUSED_NOT;
	why->text[0] = '\0';
	if (username == NULL || !name_ok(username))
		return refuse(why, STAFF_BAD_NAME, "");
	if (staff_role_parse(role) < 0)
		return refuse(why, STAFF_BAD_ROLE, "");
	if ((rc = password_hash(password, hash, why)) != MJ_OK)
		return rc;
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	rc = store_staff_add(st, username, role, hash, now);
	if (rc == MJ_OK) {
		a.action = "staff.add";
		a.detail = username;
		rc = store_audit_add(st, &a);
	}
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_EINPUT)
		refuse(why, STAFF_TAKEN, username);
	sodium_memzero(hash, sizeof(hash));
	if (rc == MJ_OK)
		log_info("staff.change", "action=staff.add role=%s req=%s",
		    role, by->req != NULL ? by->req : "-");
	return rc;
}

enum mj_err
staff_add(struct store *st, const char *username, const char *role,
    const char *password, int64_t now, char *why, size_t whylen)
{
	struct staff_why	w;
	enum mj_err		rc;

	rc = staff_add_by(st, &cli, username, role, password, now, &w);
	snprintf(why, whylen, "%s", w.text);
	return rc;
}

enum mj_err
staff_change_by(struct store *st, const struct staff_by *by,
    const char *username, enum staff_change what, const char *value,
    int64_t now, struct staff_why *why)
{
	static const char *const action[] = {
		[STAFF_DISABLE] = "staff.disable",
		[STAFF_ENABLE] = "staff.enable",
		[STAFF_PASSWORD] = "staff.password",
		[STAFF_ROLE] = "staff.role",
	};
	char		 hash[crypto_pwhash_STRBYTES] = "", name[64], detail[96];
	struct hd_audit	 a = audit_by(by, now);
	enum mj_err	 rc;
	int64_t		 admins = 1;

	why->no = STAFF_REFUSED_NOT;
	why->text[0] = '\0';
	if ((unsigned)what > STAFF_ROLE || username == NULL)
		return MJ_EINTERNAL;
	account_name(username, name, sizeof(name));
	if (what == STAFF_PASSWORD &&
	    (rc = password_hash(value, hash, why)) != MJ_OK)
		return rc;
	if (what == STAFF_ROLE && staff_role_parse(value) < 0)
		return refuse(why, STAFF_BAD_ROLE, "");
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	/* Whatever changes, the sessions opened before end (not enable). */
	rc = store_staff_set(st, name, what == STAFF_DISABLE ? 1 :
	    what == STAFF_ENABLE ? 0 : -1, what == STAFF_PASSWORD ? hash :
	    NULL, what == STAFF_ROLE ? value : NULL, what != STAFF_ENABLE);
	/*
	 * Counted after the change, in its transaction: two admins demoting
	 * each other at once cannot both pass.
	 */
	if (rc == MJ_OK && by->keep_admin &&
	    (what == STAFF_DISABLE || what == STAFF_ROLE) &&
	    (rc = store_staff_admins(st, &admins)) == MJ_OK && admins == 0)
		rc = MJ_EINPUT;
	a.action = action[what];
	snprintf(detail, sizeof(detail), "%s%s%s", name, what == STAFF_ROLE ?
	    " " : "", what == STAFF_ROLE ? value : "");
	a.detail = detail;
	if (rc == MJ_OK)
		rc = store_audit_add(st, &a);
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_ENOTFOUND)
		refuse(why, STAFF_NO_ACCOUNT, name);
	else if (rc == MJ_EINPUT && admins == 0)
		refuse(why, STAFF_LAST_ADMIN, name);
	sodium_memzero(hash, sizeof(hash));
	if (rc == MJ_OK)
		log_info("staff.change", "action=%s req=%s", action[what],
		    by->req != NULL ? by->req : "-");
	return rc;
}

enum mj_err
staff_change(struct store *st, const char *username, enum staff_change what,
    const char *value, int64_t now, char *why, size_t whylen)
{
	struct staff_why	w;
	enum mj_err		rc;

	rc = staff_change_by(st, &cli, username, what, value, now, &w);
	snprintf(why, whylen, "%s", w.text);
	return rc;
}

void
staff_password_new(char *out)
{
	static const char	abc[] = "abcdefghijkmnpqrstuvwxyz"
				    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	size_t			n = 0;

	for (int i = 0; i < 16; i++) {
		if (i > 0 && i % 4 == 0)
			out[n++] = '-';
		out[n++] = abc[randombytes_uniform(sizeof(abc) - 1)];
	}
	out[n] = '\0';
}

/* A hash of nothing anyone knows, so unknown names cost a verification. */
static char		dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t	dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_init(void)
{
	unsigned char	rnd[32];

	randombytes_buf(rnd, sizeof(rnd));
	if (crypto_pwhash_str(dummy_hash, (const char *)rnd, sizeof(rnd),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		dummy_hash[0] = '\0';
}

static void
token_hash(const char *token, char out[STAFF_TOKEN_LEN + 1])
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, STAFF_TOKEN_LEN + 1, h, sizeof(h));
}

static void
new_token(char out[STAFF_TOKEN_LEN + 1])
{
	unsigned char	rnd[32];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(out, STAFF_TOKEN_LEN + 1, rnd, sizeof(rnd));
}

/* The rows of login_failures one attempt counts in. */
struct login_keys {
	char	pair[160];	/* "pair:NAME|CLIENT": this account from there */
	char	ip[80];		/* "ip:CLIENT": every account from there */
	char	user[80];	/* "user:NAME": this account from anywhere */
	char	last[80];	/* "ulast:NAME": its last failure, the time */
};

/*
 * Throttled?  Then *retry is the wait, in seconds.  Else the attempt is
 * counted as a failure now, in the transaction that checked, before the
 * password is looked at: parallel tries cannot all pass the check while
 * the first is still hashing.  A success takes it back.
 *
 * A client gets auth.login_max failures per account and four times as
 * many over all accounts, then waits out the window.  An account gets
 * auth.login_account_max failures from everywhere; past them each try
 * waits 2 s after the last failure, doubling up to
 * auth.login_account_delay: a stranger elsewhere can slow the owner
 * down, never lock them out.
 */
static enum mj_err
login_reserve(struct store *st, const struct conf *c,
    const struct login_keys *k, int64_t now, int64_t *retry,
    const char **why)
{
	int		win = c->auth_login_window_s;
	int		awin = c->auth_login_account_window_s;
	int		pf, ifl, uf, lf;
	int64_t		ps, is, us, last;
	enum mj_err	rc;

	*retry = 0;
	*why = "";
	if ((rc = store_login_failures(st, k->pair, now, win, &pf, &ps)) !=
	    MJ_OK ||
	    (rc = store_login_failures(st, k->ip, now, win, &ifl, &is)) !=
	    MJ_OK ||
	    (rc = store_login_failures(st, k->user, now, awin, &uf, &us)) !=
	    MJ_OK ||
	    (rc = store_login_failures(st, k->last, now, awin, &lf, &last)) !=
	    MJ_OK)
		return rc;
	if (pf >= c->auth_login_max) {
		*retry = ps + win - now;
		*why = "client";
	}
	if (ifl >= 4 * c->auth_login_max && is + win - now > *retry) {
		*retry = is + win - now;
		*why = "address";
	}
	if (*retry == 0 && uf >= c->auth_login_account_max && lf > 0) {
		int	excess = uf - c->auth_login_account_max;
		int64_t	delay = c->auth_login_account_delay_s;

		if (excess < 30 && ((int64_t)2 << excess) < delay)
			delay = (int64_t)2 << excess;
		if (last + delay > now) {
			*retry = last + delay - now;
			*why = "account";
		}
	}
	if (*retry > 0)
		return MJ_OK;
	if ((rc = store_login_failed(st, k->pair, now, win)) == MJ_OK &&
	    (rc = store_login_failed(st, k->ip, now, win)) == MJ_OK &&
	    (rc = store_login_failed(st, k->user, now, awin)) == MJ_OK)
		rc = store_login_last(st, k->last, now);
	return rc;
}

/* A good password: this account's counts start again, the client's less. */
static enum mj_err
login_forgive(struct store *st, const struct login_keys *k)
{
	enum mj_err	rc;

	if ((rc = store_login_clear(st, k->pair)) == MJ_OK &&
	    (rc = store_login_clear(st, k->user)) == MJ_OK &&
	    (rc = store_login_clear(st, k->last)) == MJ_OK)
		rc = store_login_undo(st, k->ip);
	return rc;
}

enum mj_err
staff_login(struct store *st, const struct conf *conf, const char *username,
    const char *password, const char *ip, const char *req, int64_t now,
    char *token, struct staff_session *out, enum staff_login *result,
    int64_t *retry_after)
{
	char			 hash[crypto_pwhash_STRBYTES];
	char			 th[STAFF_TOKEN_LEN + 1], name[64];
	struct login_keys	 k;
	struct hd_staff		 sf;
	struct hd_audit		 a = { .at = now, .req = req, .ip = ip };
	enum mj_err		 rc;
	int			 good = 0;
	const char		*why;

	*result = STAFF_LOGIN_BAD;
	*retry_after = 0;
	token[0] = '\0';
	memset(out, 0, sizeof(*out));
	account_name(username, name, sizeof(name));
	a.username = name;
	snprintf(k.pair, sizeof(k.pair), "pair:%s|%s", name, ip);
	snprintf(k.ip, sizeof(k.ip), "ip:%s", ip);
	snprintf(k.user, sizeof(k.user), "user:%s", name);
	snprintf(k.last, sizeof(k.last), "ulast:%s", name);

	/* Throttled?  Then no password is even looked at. */
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	rc = login_reserve(st, conf, &k, now, retry_after, &why);
	if (rc == MJ_OK && *retry_after > 0) {
		a.action = "login.limited";
		a.detail = why;
		rc = store_audit_add(st, &a);
	}
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc != MJ_OK || *retry_after > 0) {
		if (rc == MJ_OK) {
			*result = STAFF_LOGIN_LIMITED;
			log_warn("staff.login_limited", "req=%s by=%s "
			    "retry_after=%lld", req, why,
			    (long long)*retry_after);
		}
		return rc;
	}

	rc = store_staff_get(st, name, &sf, hash, sizeof(hash));
	if (rc != MJ_OK && rc != MJ_ENOTFOUND)
		return rc;
	if (rc == MJ_OK && !sf.disabled)
		good = crypto_pwhash_str_verify(hash, password,
		    strlen(password)) == 0;
	else {
		pthread_once(&dummy_once, dummy_init);
		if (crypto_pwhash_str_verify(dummy_hash, password,
		    strlen(password)) == 0)
			good = 0;	/* cannot happen: nobody knows it */
	}

	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	if (!good) {
		/* The account's delay runs from the verdict, not the start. */
		int64_t at = (int64_t)time(NULL);

		a.action = "login.fail";
		if ((rc = store_login_mark(st, k.last, at > now ? at : now)) ==
		    MJ_OK)
			rc = store_audit_add(st, &a);
	} else {
		new_token(token);
		token_hash(token, th);
		new_token(out->csrf);
		out->staff_id = sf.id;
		snprintf(out->username, sizeof(out->username), "%s",
		    sf.username);
		out->role = (enum staff_role)staff_role_parse(sf.role);
		a.staff_id = sf.id;
		a.username = sf.username;
		a.action = "login";
		if ((rc = login_forgive(st, &k)) == MJ_OK &&
		    (rc = store_session_add(st, th, sf.id, out->csrf, now,
		    now + conf->auth_session_ttl_s)) == MJ_OK)
			rc = store_audit_add(st, &a);
	}
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc != MJ_OK) {
		token[0] = '\0';
		memset(out, 0, sizeof(*out));
		return rc;
	}
	*result = good ? STAFF_LOGIN_OK : STAFF_LOGIN_BAD;
	log_info(good ? "staff.login" : "staff.login_fail", "req=%s role=%s",
	    req, good ? staff_role_name(out->role) : "-");
	return MJ_OK;
}

static int
token_ok(const char *token)
{
	if (token == NULL || strlen(token) != STAFF_TOKEN_LEN)
		return 0;
	for (const char *p = token; *p != '\0'; p++)
		if (!isxdigit((unsigned char)*p))
			return 0;
	return 1;
}

enum mj_err
staff_session(struct store *st, const char *token, int64_t now,
    struct staff_session *out)
{
	char		 th[STAFF_TOKEN_LEN + 1];
	struct hd_staff	 sf;
	enum mj_err	 rc;
	int		 role;

	memset(out, 0, sizeof(*out));
	if (!token_ok(token))
		return MJ_ENOTFOUND;
	token_hash(token, th);
	rc = store_session_get(st, th, now, &sf, out->csrf, sizeof(out->csrf));
	if (rc != MJ_OK)
		return rc;
	if ((role = staff_role_parse(sf.role)) < 0)
		return MJ_ENOTFOUND;
	out->staff_id = sf.id;
	out->role = (enum staff_role)role;
	snprintf(out->username, sizeof(out->username), "%s", sf.username);
	return MJ_OK;
}

enum mj_err
staff_logout(struct store *st, const char *token,
    const struct staff_session *s, const char *ip, const char *req,
    int64_t now)
{
	char		 th[STAFF_TOKEN_LEN + 1];
	struct hd_audit	 a = { .at = now, .staff_id = s->staff_id,
	    .username = s->username, .action = "logout", .req = req,
	    .ip = ip };
	enum mj_err	 rc;

	if (!token_ok(token))
		return MJ_ENOTFOUND;
	token_hash(token, th);
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	if ((rc = store_session_del(st, th, now)) == MJ_OK)
		rc = store_audit_add(st, &a);
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}

int
staff_csrf_ok(const struct staff_session *s, const char *header)
{
	if (header == NULL || strlen(header) != STAFF_TOKEN_LEN ||
	    strlen(s->csrf) != STAFF_TOKEN_LEN)
		return 0;
	return sodium_memcmp(header, s->csrf, STAFF_TOKEN_LEN) == 0;
}
