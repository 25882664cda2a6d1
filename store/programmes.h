/*
 * programmes.h - the eligibility data in the store: programmes with their
 * texts, questions, amount rule and criteria; named figures (the minimum
 * consumer expenditure with its year and source); Inson centres and the
 * spellings of their districts.  Written by `murojaat rules import`, read
 * on every eligibility turn (nothing is cached, so an import takes effect
 * at the next message without a restart).
 *
 * Like store.h: strings are copied in and out.  Every call, read or
 * write, happens inside the caller's store_begin()/store_end(), which
 * holds the store's lock (statements come from the store's cache).
 */
#ifndef STORE_PROGRAMMES_H
#define STORE_PROGRAMMES_H
#include <stdint.h>

#include "base/err.h"
#include "base/lang.h"
#include "store/store.h"

/* The limits of a programme's criteria, as stored and as bot/rules.c
 * evaluates them. */
#define RULES_MAX_VALS	8
#define RULES_MAX_CRIT	8

/* The amount rule, as stored and as bot/rules.c computes it. */
enum rules_amount_kind { AMOUNT_NONE = 0, AMOUNT_FIXED, AMOUNT_PER_CHILD };

/*
 * Per child: the first child first (first_under3 when a child is under 3),
 * second for the second, further for each one after.  When the number
 * under 3 is not known the amount is a range: from first to first_under3.
 */
struct rules_amount {
	enum rules_amount_kind	kind;
	long long		fixed;		/* soums a month */
	long long		first, first_under3, second, further;
};

/* Texts of a programme in one language. */
enum prog_field {
	PF_NAME = 0, PF_WHO, PF_DOCUMENTS, PF_APPLY, PF_TIMELINE, PF__COUNT
};
const char	*prog_field_name(enum prog_field);	/* "name", ... */

#define PROG_TEXT_MAX	400

/* A criterion as written in the data (its limit may name a figure). */
struct crit_def {
	char	fact[20];
	char	op[8];
	double	value, value2;
	char	ref[20];		/* "" or a settings key */
	double	factor;			/* limit = figure(ref) * factor */
	double	unsure;			/* 0: none */
	char	vals[64];		/* op in: "1;2;3" */
	char	reason[24];
};

struct prog_def {
	char			code[24];
	int			general;	/* > 0: in the general check */
	char			ask[128];	/* "members;children;income3m" */
	struct rules_amount	amount;
	char			amount_since[11];
	int			period_months;
	char			legal_basis[512];
	char			source[2048];
	char			text[LANG__COUNT][PF__COUNT][PROG_TEXT_MAX];
	struct crit_def		crit[RULES_MAX_CRIT];
	size_t			ncrit;
};

/* Replace a programme (its row, texts and criteria). */
enum mj_err	store_rules_put(struct store *, const struct prog_def *,
		    int64_t now);
/*
 * A programme as stored; MJ_ENOTFOUND when there is no such code or it was
 * never imported (no texts).
 */
enum mj_err	store_rules_get(struct store *, const char *code,
		    struct prog_def *out);
/* Codes of imported programmes, ';'-separated, general ones first. */
enum mj_err	store_rules_codes(struct store *, char *buf, size_t len);
/* Codes of the general check, ';'-separated, in order ("" if none). */
enum mj_err	store_rules_general(struct store *, char *buf, size_t len);

struct setting {
	char	key[20];
	double	value;
	int	year;
	char	unit[64];
	char	source[512];
};
enum mj_err	store_rules_setting_put(struct store *, const struct setting *);
/* MJ_ENOTFOUND when the key is not set. */
enum mj_err	store_rules_setting_get(struct store *, const char *key,
		    struct setting *out);
/* The i-th setting by key (for export); MJ_ENOTFOUND past the end. */
enum mj_err	store_rules_setting_at(struct store *, int i,
		    struct setting *out);


struct office {
	char	district[32];
	char	region[32];
	char	days[8];		/* "1-5" */
	char	opens[6], closes[6];	/* "09:00" */
	char	phone[24];
	int	indicative;
	char	source[512];
	char	name[LANG__COUNT][96];
	char	address[LANG__COUNT][200];
	char	landmark[LANG__COUNT][160];	/* "" when none is known */
	char	aliases[1024];		/* "|"-separated, as written */
};
/*
 * Replace an office with its texts and the spellings of its district:
 * spellings is "|"-separated, already folded by the caller (fold_text()),
 * and may be NULL.
 */
enum mj_err	store_rules_office_put(struct store *, const struct office *,
		    const char *spellings);
/*
 * Correct an office in place: its days, hours, phone, indicative mark and
 * source, and per language the address and landmark of the texts it has
 * (names and spellings stay).  Inside a transaction; MJ_ENOTFOUND when
 * there is no such district.
 */
enum mj_err	store_rules_office_edit(struct store *, const struct office *);
/* By district code; MJ_ENOTFOUND. */
enum mj_err	store_rules_office_get(struct store *, const char *district,
		    struct office *out);
/* The first office of a region (by district code); MJ_ENOTFOUND. */
enum mj_err	store_rules_office_in_region(struct store *, const char *region,
		    struct office *out);
/* The i-th office by district code (for export); MJ_ENOTFOUND past it. */
enum mj_err	store_rules_office_at(struct store *, int i, struct office *out);
/*
 * Every folded alias with its district, as "alias\tdistrict\n" lines into
 * a malloc'd *out (the caller frees it).
 */
enum mj_err	store_rules_aliases(struct store *, char **out);
/*
 * Region and district of the newest application whose applicant's phone
 * this is; MJ_ENOTFOUND.
 */
enum mj_err	store_rules_phone_district(struct store *, const char *phone,
		    char *region, size_t rlen, char *district, size_t dlen);
#endif
