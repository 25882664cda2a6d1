/*
 * demo.c - deterministic demo applications.  The programmes they belong to
 * are not restated here: they come from data/programmes.json through the
 * import every data file takes (rules_data.h).  The applicants are
 * invented: phones are drawn from +99890/91/93/94/97/99 with a fixed-seed
 * generator and PINFLs are random 14-digit strings, stored only as a
 * SHA-256 hash and the last four digits.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/log.h"
#include "bot/demo.h"
#include "store/programmes.h"

/* Khorezm (every district) and the other regions' centres. */
static const char *const districts[][2] = {
	{ "xorazm", "urganch_sh" }, { "xorazm", "urganch" },
	{ "xorazm", "xiva_sh" }, { "xorazm", "xiva" }, { "xorazm", "xonqa" },
	{ "xorazm", "hazorasp" }, { "xorazm", "shovot" },
	{ "xorazm", "yangiariq" }, { "xorazm", "bogot" },
	{ "xorazm", "gurlan" }, { "xorazm", "qoshkopir" },
	{ "xorazm", "yangibozor" }, { "xorazm", "tuproqqala" },
	{ "toshkent_sh", "chilonzor" }, { "toshkent_sh", "yunusobod" },
	{ "toshkent", "zangiota" }, { "samarqand", "samarqand_sh" },
	{ "buxoro", "buxoro_sh" }, { "fargona", "fargona_sh" },
	{ "andijon", "andijon_sh" }, { "namangan", "namangan_sh" },
	{ "qashqadaryo", "qarshi_sh" }, { "surxondaryo", "termiz_sh" },
	{ "navoiy", "navoiy_sh" }, { "jizzax", "jizzax_sh" },
	{ "sirdaryo", "guliston_sh" }, { "qoraqalpogiston", "nukus_sh" },
};
#define NDISTRICTS	(sizeof(districts) / sizeof(districts[0]))

static const char *const statuses[] = {
	"pending", "in_review", "in_review", "approved", "approved",
	"approved", "paid", "paid", "rejected", "needs_documents",
};

/* xorshift64*: fixed seed, the same rows everywhere. */
static uint64_t
next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void
hash_pinfl(const char *pinfl, char hex[65])
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)pinfl, strlen(pinfl));
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

static void
add_days(const char *ymd, int days, char out[11])
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(ymd, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_mday += days;
	tm.tm_hour = 12;
	timegm(&tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Next month's 1st (decision) and the 4th after it (first payment). */
static void
decision_dates(const char *submitted, char decided[11], char payment[11])
{
	unsigned	y, m, d;

	if (sscanf(submitted, "%4u-%2u-%2u", &y, &m, &d) != 3 || m < 1 ||
	    m > 12)
		return;
	m += d <= 16 ? 1 : 2;
	if (m > 12) {
		m -= 12;
		y++;
	}
	snprintf(decided, 11, "%04u-%02u-01", y % 10000, m % 13);
	snprintf(payment, 11, "%04u-%02u-04", y % 10000, m % 13);
}

static enum mj_err
put_app(struct store *st, struct app_row *a, int64_t now)
{
	const char	*final = a->status, *dec = a->decided, *pay = a->payment;
	enum mj_err	 rc;

	/* History: received first, then where it stands now. */
	a->status = "pending";
	a->decided = NULL;
	a->payment = NULL;
	if ((rc = store_app_put(st, a, now)) != MJ_OK)
		return rc;
	if (strcmp(final, "pending") == 0)
		return MJ_OK;
	a->status = final;
	a->decided = dec;
	a->payment = pay;
	return store_app_put(st, a, now);
}

/* Whether every programme the demo uses is in the store. */
static enum mj_err
have_programmes(struct store *st, const char *const *progs, size_t n)
{
	char		codes[2048], want[32];
	enum mj_err	rc;

	if ((rc = store_rules_codes(st, codes + 1, sizeof(codes) - 2)) !=
	    MJ_OK)
		return rc;
	/* ";a;b;" so that each code is found whole */
	codes[0] = ';';
	strcat(codes, ";");
	for (size_t i = 0; i < n; i++) {
		snprintf(want, sizeof(want), ";%s;", progs[i]);
		if (strstr(codes, want) == NULL) {
			log_err("demo.fail", "why=\"programme %s is not "
			    "imported\"", progs[i]);
			return MJ_ENOTFOUND;
		}
	}
	return MJ_OK;
}

static enum mj_err
fixed_apps(struct store *st, int64_t now)
{
	char		h1[65], h2[65];
	struct app_row	a1 = {
		"AR-2025-000001", "child_allowance", "approved",
		"+998901234567", h1, "4321", "toshkent_sh", "chilonzor",
		"2025-02-10", "2025-03-01", "2025-03-04", "demo" };
	struct app_row	a2 = {
		"AR-2025-000002", "material_aid", "in_review",
		"+998907654321", h2, "8765", "xorazm", "urganch",
		"2025-11-03", NULL, NULL, "demo" };
	enum mj_err	rc;

	hash_pinfl("31505901234321", h1);
	hash_pinfl("42207881238765", h2);
	if ((rc = put_app(st, &a1, now)) != MJ_OK)
		return rc;
	return put_app(st, &a2, now);
}

enum mj_err
demo_fill(struct store *st, int napps)
{
	static const char *const progs[] = { "child_allowance",
	    "child_allowance", "child_allowance", "material_aid",
	    "material_aid", "social_registry", "disability", "youth_register",
	    "women_register", "pension" };
	static const int ops[] = { 90, 91, 93, 94, 97, 99 };
	uint64_t	 seed = 0x6d75726f6a616174ULL;	/* "murojaat" */
	int64_t		 now = (int64_t)time(NULL);
	enum mj_err	 rc;

	if (napps <= 0)
		return MJ_OK;
	if (sodium_init() < 0)
		return MJ_EINTERNAL;
	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	if ((rc = have_programmes(st, progs, sizeof(progs) /
	    sizeof(progs[0]))) != MJ_OK || (rc = fixed_apps(st, now)) != MJ_OK)
		goto out;
	for (int i = 3; i <= napps; i++) {
		char		 num[24], phone[20], pinfl[16], hex[65], sub[11],
				 dec[11] = "", pay[11] = "";
		uint64_t	 r = next(&seed);
		const char	*status = statuses[r % 10];
		struct app_row	 a;
		int		 year = i % 7 == 0 ? 2024 : 2025;

		snprintf(num, sizeof(num), "AR-%d-%06d", year, i % 1000000);
		/* Never one of the documented demo phones. */
		snprintf(phone, sizeof(phone), "+998%02d%07d",
		    ops[(r >> 8) % 6], (int)(1000000 + (r >> 16) % 9000000));
		snprintf(pinfl, sizeof(pinfl), "%d%013llu", 3 + (int)(r % 4),
		    (unsigned long long)((r >> 20) % 10000000000000ULL));
		hash_pinfl(pinfl, hex);
		add_days(year == 2024 ? "2024-01-05" : "2025-01-05",
		    (int)((r >> 40) % 320), sub);
		if (strcmp(status, "approved") == 0 ||
		    strcmp(status, "paid") == 0 ||
		    strcmp(status, "rejected") == 0)
			decision_dates(sub, dec, pay);
		a = (struct app_row){ num, progs[(r >> 4) % 10], status, phone,
		    hex, pinfl + 10, districts[(r >> 28) % NDISTRICTS][0],
		    districts[(r >> 28) % NDISTRICTS][1], sub,
		    dec[0] != '\0' ? dec : NULL,
		    pay[0] != '\0' && strcmp(status, "rejected") != 0 ? pay :
		    NULL, "demo" };
		if ((rc = put_app(st, &a, now)) != MJ_OK)
			goto out;
	}
out:
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc == MJ_OK)
		log_info("demo.filled", "applications=%d", napps);
	return rc;
}
