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

static const char role_why[] = "the role must be agent, supervisor or admin";

/* The stored form of a new password; MJ_EINPUT (why) if its length is wrong. */
static enum mj_err
password_hash(const char *password, char hash[crypto_pwhash_STRBYTES],
    char *why, size_t whylen)
{
	size_t	plen = strlen(password);

	if (plen < 10 || plen > 1024) {
		snprintf(why, whylen, "the password must be 10 to 1024 bytes");
		return MJ_EINPUT;
	}
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

enum mj_err
staff_add(struct store *st, const char *username, const char *role,
    const char *password, int64_t now, char *why, size_t whylen)
{
	char		hash[crypto_pwhash_STRBYTES];
	enum mj_err	rc;

	snprintf(why, whylen, "%s", "");
	if (!name_ok(username)) {
		snprintf(why, whylen, "the name must be 2-32 characters of "
		    "a-z, 0-9, '.', '_' or '-'");
		return MJ_EINPUT;
	}
	if (staff_role_parse(role) < 0) {
		snprintf(why, whylen, "%s", role_why);
		return MJ_EINPUT;
	}
	if ((rc = password_hash(password, hash, why, whylen)) != MJ_OK)
		return rc;
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	rc = store_staff_add(st, username, role, hash, now);
	if (rc == MJ_OK) {
		struct hd_audit a = { .at = now, .username = "cli",
		    .action = "staff.add", .detail = username };

		rc = store_audit_add(st, &a);
	}
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_EINPUT)
		snprintf(why, whylen, "the name %s is taken", username);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

enum mj_err
staff_change(struct store *st, const char *username, enum staff_change what,
    const char *value, int64_t now, char *why, size_t whylen)
{
	static const char *const action[] = {
		[STAFF_DISABLE] = "staff.disable",
		[STAFF_ENABLE] = "staff.enable",
		[STAFF_PASSWORD] = "staff.password",
		[STAFF_ROLE] = "staff.role",
	};
	char		 hash[crypto_pwhash_STRBYTES] = "", name[64], detail[96];
	struct hd_audit	 a = { .at = now, .username = "cli" };
	enum mj_err	 rc;

	snprintf(why, whylen, "%s", "");
	account_name(username, name, sizeof(name));
	if (what == STAFF_PASSWORD &&
	    (rc = password_hash(value, hash, why, whylen)) != MJ_OK)
		return rc;
	if (what == STAFF_ROLE && staff_role_parse(value) < 0) {
		snprintf(why, whylen, "%s", role_why);
		return MJ_EINPUT;
	}
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	/* Whatever changes, the sessions opened before end (not enable). */
	rc = store_staff_set(st, name, what == STAFF_DISABLE ? 1 :
	    what == STAFF_ENABLE ? 0 : -1, what == STAFF_PASSWORD ? hash :
	    NULL, what == STAFF_ROLE ? value : NULL, what != STAFF_ENABLE);
	a.action = action[what];
	snprintf(detail, sizeof(detail), "%s%s%s", name, what == STAFF_ROLE ?
	    " " : "", what == STAFF_ROLE ? value : "");
	a.detail = detail;
	if (rc == MJ_OK)
		rc = store_audit_add(st, &a);
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_ENOTFOUND)
		snprintf(why, whylen, "no account is called %s", name);
	sodium_memzero(hash, sizeof(hash));
	if (rc == MJ_OK)
		log_info("staff.change", "action=%s", action[what]);
	return rc;
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
