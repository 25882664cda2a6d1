/*
 * err.h - the one error type every module returns.
 * Foreign codes (SQLite, libcurl, PCRE2) are translated where the library is
 * called; above that only enum mj_err travels.  Includes nothing else.
 */
#ifndef BASE_ERR_H
#define BASE_ERR_H

enum mj_err {
	MJ_OK = 0,
	MJ_ENOMEM,
	MJ_EINPUT,	/* malformed input */
	MJ_ETOOBIG,	/* over a configured limit */
	MJ_ENOTFOUND,
	MJ_EDB,		/* detail already logged */
	MJ_EUPSTREAM,	/* a provider failed */
	MJ_ECONFIG,
	MJ_EINTERNAL	/* a "cannot happen" happened */
};

/* A static, never NULL, lower-case description. */
const char	*mj_strerror(enum mj_err);

#endif
