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

/*
 * A new account.  MJ_EINPUT with why filled: a name not 2-32 of a-z 0-9 . _ -
 * (lower case), a password shorter than 10 or longer than 1024 bytes, an
 * unknown role, or a name already taken.
 */
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
 * Change an account, audited.  MJ_ENOTFOUND or MJ_EINPUT with why filled
 * (no such account, a password of the wrong length, an unknown role).
 */
enum mj_err	staff_change(struct store *, const char *username,
		    enum staff_change what, const char *value, int64_t now,
		    char *why, size_t whylen);

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
