/*
 * programmes_int.h - what the two sides of programmes.h share:
 * programmes.c (SQLite) and pg_programmes.c (PostgreSQL) store an amount's
 * kind by the same names, give a programme the same range of amounts,
 * build the same lists from the codes and spellings they read, and keep
 * the last programmes and the spellings in memory by the same rule, each
 * with its own version of the eligibility data (SQLite's data_version,
 * PostgreSQL's rules_version).  Nothing outside store/ includes it.
 */
#ifndef STORE_PROGRAMMES_INT_H
#define STORE_PROGRAMMES_INT_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"
#include "store/programmes.h"

struct store;

/* An amount's kind as stored ("fixed", "per_child", "none") and back. */
static inline const char *
prog_kind_name(enum rules_amount_kind k)
{
	return k == AMOUNT_FIXED ? "fixed" : k == AMOUNT_PER_CHILD ?
	    "per_child" : "none";
}

static inline enum rules_amount_kind
prog_kind_of(const char *s)
{
	return strcmp(s, "fixed") == 0 ? AMOUNT_FIXED :
	    strcmp(s, "per_child") == 0 ? AMOUNT_PER_CHILD : AMOUNT_NONE;
}

/* The amounts stored as a programme's amount_min and amount_max (0: none). */
static inline void
prog_amount_range(const struct rules_amount *a, long long *lo, long long *hi)
{
	*lo = *hi = 0;
	if (a->kind == AMOUNT_FIXED)
		*lo = *hi = a->fixed;
	else if (a->kind == AMOUNT_PER_CHILD) {
		*lo = a->first;
		*hi = a->first_under3 > a->first ? a->first_under3 : a->first;
	}
}

/* The field a text's stored name gives, or -1 (NULL too). */
static inline int
prog_field_of(const char *name)
{
	for (int f = 0; f < PF__COUNT && name != NULL; f++)
		if (strcmp(name, prog_field_name((enum prog_field)f)) == 0)
			return f;
	return -1;
}

/*
 * s (NULL: "") after the *o bytes of buf, behind sep when not the first;
 * left out when buf (size len) has no room for it.  buf stays terminated.
 */
static inline void
prog_list_add(char *buf, size_t len, size_t *o, const char *s, char sep)
{
	size_t	n = s != NULL ? strlen(s) : 0;

	if (*o + n + 2 > len)
		return;
	if (*o > 0)
		buf[(*o)++] = sep;
	if (n > 0)
		memcpy(buf + *o, s, n);
	*o += n;
	buf[*o] = '\0';
}

/*
 * The programme code into *p, from memory when it was kept at version v
 * (-1: unknown, nothing kept), else by read(), whose programme is then
 * kept (the last STORE_PROGS).  programmes.c.
 */
enum mj_err	prog_get_kept(struct store *, const char *code,
		    struct prog_def *p, int64_t v,
		    enum mj_err (*read)(struct store *, const char *,
		    struct prog_def *));

/*
 * The spellings kept at version v copied into *out (MJ_OK, MJ_ENOMEM), or
 * MJ_ENOTFOUND (*out NULL) when none are kept at v.  programmes.c.
 */
enum mj_err	prog_aliases_kept(struct store *, int64_t v, char **out);
/* Keep buf as the spellings read at version v (-1: forget them). */
void		prog_aliases_keep(struct store *, int64_t v, const char *buf);
#endif
