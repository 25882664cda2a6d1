/*
 * staff.h - help-desk accounts and sessions.
 * Passwords are kept only as argon2id hashes (libsodium crypto_pwhash_str,
 * the "interactive" limits).  A session is 32 random bytes in a cookie; the
 * store keeps only its SHA-256, so a copy of the database logs nobody in.
 * Each session has its own CSRF token, sent back in X-CSRF-Token.  Failed
 * logins are counted per account and per client address in a window
 * (auth.login_max, auth.login_window); past the count every try, right or
 * wrong, is refused until the window ends.
 * sodium_init() must have run.
 */
#ifndef GATEWAY_STAFF_H
#define GATEWAY_STAFF_H
#include <stddef.h>
#include <stdint.h>

#include "base/conf.h"
#include "base/err.h"
#include "store/store.h"

enum staff_role { STAFF_AGENT = 0, STAFF_SUPERVISOR, STAFF_ADMIN };

#define STAFF_TOKEN_LEN	64	/* hex chars of a session token or CSRF */

/* -1 if name is not agent, supervisor or admin. */
int		 staff_role_parse(const char *name);
const char	*staff_role_name(enum staff_role);

#define STAFF_PW_MIN	10	/* bytes of a password, at least */
#define STAFF_PW_MAX	1024	/* and at most */
#define STAFF_PW_NEW	19	/* chars of a generated one: xxxx-xxxx-xxxx-xxxx */

/* Why staff_add_by() or staff_change_by() said no. */
enum staff_refusal {
	STAFF_REFUSED_NOT = 0,
	STAFF_BAD_NAME,		/* not 2-32 of a-z 0-9 . _ - (lower case) */
	STAFF_BAD_ROLE,		/* not agent, supervisor or admin */
	STAFF_BAD_PASSWORD,	/* not STAFF_PW_MIN..STAFF_PW_MAX bytes */
	STAFF_TAKEN,		/* the name is another account's */
	STAFF_NO_ACCOUNT,	/* no account has the name */
	STAFF_LAST_ADMIN	/* no enabled admin would be left */
};

struct staff_why {
	enum staff_refusal	no;
	char			text[160];	/* the reason in English */
};

/* Who changes an account, as the audit row names them. */
struct staff_by {
	int64_t		 staff_id;	/* 0: the command line */
	const char	*username;	/* "cli" for the command line */
	const char	*req;		/* the request's id; NULL: none */
	const char	*ip;		/* the client's address; NULL: none */
	int		 keep_admin;	/* 1: refuse leaving no enabled admin */
};

/*
 * A new account, audited as staff.add (detail: the name) by by in the
 * same transaction.  MJ_EINPUT with why filled: a bad name, role or
 * password length, or a name already taken.
 */
enum mj_err	staff_add_by(struct store *, const struct staff_by *by,
		    const char *username, const char *role,
		    const char *password, int64_t now, struct staff_why *why);
/* staff_add_by() by the command line, the reason into why. */
enum mj_err	staff_add(struct store *, const char *username,
		    const char *role, const char *password, int64_t now,
		    char *why, size_t whylen);

enum staff_change {
	STAFF_DISABLE = 0,	/* no login; its sessions end */
	STAFF_ENABLE,
	STAFF_PASSWORD,		/* value: the new password; sessions end */
	STAFF_ROLE		/* value: the new role; sessions end */
};

/*
 * Change an account, audited (staff.disable, staff.enable,
 * staff.password with the name as detail; staff.role with "NAME ROLE")
 * by by in the same transaction.  MJ_ENOTFOUND (STAFF_NO_ACCOUNT) or
 * MJ_EINPUT with why filled: a password of the wrong length, an unknown
 * role, or, with by->keep_admin, a disable or a role that would leave no
 * enabled admin (nothing changes).
 */
enum mj_err	staff_change_by(struct store *, const struct staff_by *by,
		    const char *username, enum staff_change what,
		    const char *value, int64_t now, struct staff_why *why);
/* staff_change_by() by the command line, the reason into why. */
enum mj_err	staff_change(struct store *, const char *username,
		    enum staff_change what, const char *value, int64_t now,
		    char *why, size_t whylen);

/*
 * A new random password into out (STAFF_PW_NEW + 1 bytes): four groups of
 * four letters and digits without look-alikes (no 0 O o 1 l I), joined by
 * "-": about 93 bits.
 */
void		staff_password_new(char *out);

struct staff_session {
	int64_t		staff_id;
	char		username[64];
	enum staff_role	role;
	char		csrf[STAFF_TOKEN_LEN + 1];
};

enum staff_login {
	STAFF_LOGIN_OK = 0,
	STAFF_LOGIN_BAD,		/* no such account or wrong password */
	STAFF_LOGIN_LIMITED		/* too many failures: *retry_after */
};

/*
 * Check a password and open a session: token (STAFF_TOKEN_LEN + 1 bytes)
 * gets the cookie value, out the account.  The login and any failure are
 * audited (ip, the client's address, and req with them).  An unknown name
 * costs the same hashing time as a wrong password.  Throttled per account
 * and client, per client, and more softly per account (see staff.c):
 * STAFF_LOGIN_LIMITED with *retry_after seconds.  MJ_OK with *result
 * telling the outcome.
 */
enum mj_err	staff_login(struct store *, const struct conf *,
		    const char *username, const char *password,
		    const char *ip, const char *req, int64_t now,
		    char *token, struct staff_session *out,
		    enum staff_login *result, int64_t *retry_after);

/* The live session of a cookie token; MJ_ENOTFOUND if none. */
enum mj_err	staff_session(struct store *, const char *token, int64_t now,
		    struct staff_session *out);
/* End the session (audited as logout). */
enum mj_err	staff_logout(struct store *, const char *token,
		    const struct staff_session *, const char *ip,
		    const char *req, int64_t now);
/* 1 if header is the session's CSRF token (constant time). */
int		staff_csrf_ok(const struct staff_session *, const char *header);
/*
 * murojaat staff add NAME --role R | password NAME | role NAME R |
 * disable NAME | enable NAME | list.  Passwords are read from stdin; the
 * database is opened and closed here.
 */
int		staff_cmd(const struct conf *, int argc, char **argv);
#endif
