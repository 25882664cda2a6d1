/* kannel_test.c - sender numbers as Kannel and operators give them. */
#include "base/phone.h"
#include "check.h"
#include "gateway/kannel.h"

int
main(void)
{
	static const struct { const char *in, *want; } ok[] = {
		{ "+998901234567", "+998901234567" },
		{ "998901234567", "+998901234567" },
		{ "00998901234567", "+998901234567" },
		{ "901234567", "+998901234567" },
		{ "+998 90 123-45-67", "+998901234567" },
		{ "+79161234567", "+79161234567" },
	};
	static const char *const bad[] = { "", "abc", "+99890123456789012",
	    "12345", "+998901234567; DROP TABLE", "+99890\n1234567" };
	char	out[20];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CHECK_INT(phone_e164(ok[i].in, out, sizeof(out)), 0);
		CHECK_STR(out, ok[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(phone_e164(bad[i], out, sizeof(out)), -1);
	CHECK_INT(phone_e164(NULL, out, sizeof(out)), -1);
	return check_done("kannel_test");
}
