/*
 * mask_test.c - what the help desk shows of personal data: mask_phone()
 * for addresses, and the masking table of base/mask.c over every written
 * form it must recognise (and what it must leave alone).
 */
#include <stdlib.h>
#include <string.h>

#include "base/mask.h"
#include "tests/unit/check.h"

static const struct {
	const char	*in, *out;	/* mask_text() */
	const char	*kind;		/* mask_first(), "none" for none */
} texts[] = {
	/* nothing personal */
	{ "salom", "salom", "none" },
	{ "", "", "none" },
	{ "12345", "12345", "none" },
	{ "123456", "123456", "none" },
	{ "3 ta bola, 2025 yil", "3 ta bola, 2025 yil", "none" },
	/* application numbers stay, in all their forms */
	{ "AR-2025-000001", "AR-2025-000001", "none" },
	{ "holati AR-2025-000001?", "holati AR-2025-000001?", "none" },
	{ "ar 2025 4512", "ar 2025 4512", "none" },
	{ "ar2025000001", "ar2025000001", "none" },
	{ "AR/2025/004512", "AR/2025/004512", "none" },
	{ "№ AR 2025 4512", "№ AR 2025 4512", "none" },
	{ "\xd0\x90\xd0\xa0-2025-000002", "\xd0\x90\xd0\xa0-2025-000002",
	  "none" },
	{ "2025004512", "2025004512", "none" },
	/* ... but not a phone written after one */
	{ "AR-2025-000001 90 765 43 21", "AR-2025-000001 ** *** ** 21",
	  "local_phone" },
	/* an application serial too long to be one is a number */
	{ "AR-2025-0000012", "AR-****-*****12", "number" },
	/* phones, every writing */
	{ "+998901234567", "+99890*****67", "phone" },
	{ "998901234567", "99890*****67", "phone" },
	{ "+998907654321.", "+99890*****21.", "phone" },
	{ "+998 90 765 43 21", "+998 90 *** ** 21", "phone" },
	{ "+998 (90) 765-43-21", "+998 (90) ***-**-21", "phone" },
	{ "+998  90  765  43  21", "+998  90  ***  **  21", "phone" },
	{ "+998.90.765.43.21", "+998.90.***.**.21", "phone" },
	{ "(90) 765-43-21", "(**) ***-**-21", "local_phone" },
	{ "tel 90-765-43-21 ok", "tel **-***-**-21 ok", "local_phone" },
	{ "907654321", "*******21", "local_phone" },
	{ "90 765 43 21", "** *** ** 21", "local_phone" },
	{ "90.765.43.21", "**.***.**.21", "local_phone" },
	{ "<script>901234567</script>", "<script>*******67</script>",
	  "local_phone" },
	{ "tel:+998901234567", "tel:+99890*****67", "phone" },
	/* PINFL, also glued to letters */
	{ "pinfl 31234567890123", "pinfl ************23", "pinfl" },
	{ "pinfl31205678901234", "pinfl************34", "pinfl" },
	{ "x31234567890123", "x************23", "pinfl" },
	{ "31234567890123abc", "************23abc", "pinfl" },
	{ "3120 5678 9012 34", "**** **** **** 34", "pinfl" },
	/* passports: two letters and seven digits */
	{ "AA1234567", "AA*****67", "passport" },
	{ "pasport AB 1234567", "pasport AB *****67", "passport" },
	{ "\xd0\x90\xd0\x90" "1234567", "\xd0\x90\xd0\x90*****67",
	  "passport" },
	/* cards: 13-19 digits passing Luhn, any grouping */
	{ "4111 1111 1111 1111", "**** **** **** 1111", "card" },
	{ "8600-1234-5678-9012", "****-****-****-9012", "card" },
	{ "8600123456789012", "************9012", "card" },
	{ "8600491234562", "*********4562", "card" },
	{ "312345678901234", "***********1234", "card" },
	/* bank accounts: 20 digits */
	{ "h/r 20208000900123456001", "h/r ******************01",
	  "account" },
	{ "2020 8000 9001 2345 6001", "**** **** **** **** **01",
	  "account" },
	/* any other long number: no run of seven digits stays */
	{ "1234567", "*****67", "number" },
	{ "5614681234567890", "**************90", "number" },
	{ "12345678901234567890123", "*********************23", "number" },
	{ "1 200 000 so'm", "* *** *00 so'm", "number" },
	/* separators: at most three between two digits of one run */
	{ "123    4567", "123    4567", "none" },
	{ "90 - 765 - 43 - 21", "** - *** - ** - 21", "local_phone" },
};

static void
test_first(void)
{
	char	d[24];

	CHECK_INT(mask_first("+998 90 123-45-67", d, sizeof(d)), MASK_PHONE);
	CHECK_STR(d, "998901234567");
	CHECK_INT(mask_first("90 123 45 67", d, sizeof(d)), MASK_LOCAL);
	CHECK_STR(d, "901234567");
	CHECK_INT(mask_first("AR-2025-000001", d, sizeof(d)), MASK_NONE);
	CHECK_STR(d, "");
	CHECK_INT(mask_first("31234567", d, sizeof(d)), MASK_NUMBER);
	CHECK_INT(mask_first("1234567890123456789012345678", d, 8),
	    MASK_NUMBER);
	CHECK_STR(d, "1234567");
	mask_ids("tel +998 90 123-45-67, pinfl31205678901234, "
	    "AR-2025-000001, 90 765 43 21", d, sizeof(d));
	CHECK_STR(d, "998901234567 901234567");	/* no room for the rest */
	{
		char	ids[200];

		mask_ids("tel +998 90 123-45-67, pinfl31205678901234, "
		    "AR-2025-000001, 90 765 43 21", ids, sizeof(ids));
		CHECK_STR(ids, "998901234567 901234567 31205678901234 "
		    "907654321 998907654321");
		mask_ids("salom AR-2025-000001 12345", ids, sizeof(ids));
		CHECK_STR(ids, "");
	}
}

int
main(void)
{
	char	buf[64];

	CHECK_STR(mask_phone("+998901234567", buf, sizeof(buf)),
	    "+998 90 *** ** 67");
	CHECK_STR(mask_phone("123456789", buf, sizeof(buf)), "*******89");
	CHECK_STR(mask_phone("", buf, sizeof(buf)), "");
	CHECK_STR(mask_phone(NULL, buf, sizeof(buf)), "");
	CHECK_STR(mask_phone("+998901234567", buf, 5), "+998");
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		int	 changed;
		char	*m = mask_text(texts[i].in, &changed);

		CHECK(m != NULL);
		if (m == NULL)
			continue;
		CHECK_STR(m, texts[i].out);
		CHECK_INT(changed, strcmp(texts[i].in, texts[i].out) != 0);
		CHECK_INT(strlen(m), strlen(texts[i].in));
		free(m);
		CHECK_STR(mask_kind_name(mask_first(texts[i].in, NULL, 0)),
		    texts[i].kind);
		/* for a search index: nothing of an identifier is left */
		m = mask_text_all(texts[i].in, &changed);
		CHECK(m != NULL);
		if (m == NULL)
			continue;
		CHECK_INT(changed, strcmp(texts[i].in, texts[i].out) != 0);
		for (size_t k = 0; m[k] != '\0'; k++)
			if (m[k] != texts[i].in[k])
				CHECK(m[k] == '*');
		free(m);
	}
	test_first();
	return check_done("mask");
}
