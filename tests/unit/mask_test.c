/* mask_test.c - what the help desk shows of phones and PINFLs. */
#include <stdlib.h>
#include <string.h>

#include "base/mask.h"
#include "tests/unit/check.h"

static const struct {
	const char	*in, *out;
} texts[] = {
	{ "salom", "salom" },
	{ "pinfl 31234567890123", "pinfl ************23" },
	{ "+998 90 765 43 21", "+998 90 *** ** 21" },
	{ "+998907654321.", "+99890*****21." },
	{ "tel 90-765-43-21 ok", "tel **-***-**-21 ok" },
	{ "AR-2025-000001", "AR-2025-000001" },
	{ "ar 2025 4512", "ar 2025 4512" },
	{ "2025004512", "2025004512" },
	{ "12345", "12345" },
	{ "x31234567890123", "x31234567890123" },
	{ "312345678901234", "312345678901234" },
	{ "", "" },
	{ "<script>901234567</script>", "<script>*******67</script>" },
};

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
		free(m);
	}
	return check_done("mask");
}
