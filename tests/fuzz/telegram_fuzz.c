/*
 * telegram_fuzz.c - the Telegram webhook's Update parsing
 * (telegram_parse_update), the part of the webhook that reads what the
 * network sent.  Seeds: the tests/fixtures/telegram JSON files.
 */
#include <string.h>

#include <unistr.h>

#include "base/log.h"
#include "gateway/telegram.h"
#include "tests/fuzz/fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tg_update	up;
	enum mj_err		rc;

	rc = telegram_parse_update((const char *)data, size, &up);
	if (rc != MJ_OK) {
		FUZZ_ASSERT(rc == MJ_EINPUT);
		FUZZ_ASSERT(up.why != NULL && up.doc == NULL);
		return 0;
	}
	if (!up.ignore) {
		/* What reaches the bot: text, valid UTF-8, no NUL inside. */
		FUZZ_ASSERT(up.text != NULL && strlen(up.text) == up.len);
		FUZZ_ASSERT(u8_check((const uint8_t *)up.text, up.len) == NULL);
		FUZZ_ASSERT(up.id[0] != '\0' && up.addr[0] != '\0');
		FUZZ_ASSERT(up.event != BOT_CONTACT || up.phone[0] == '+');
		FUZZ_ASSERT(up.event != BOT_LANG_PICK || up.lang_pick >= 0);
	} else
		FUZZ_ASSERT(up.doc == NULL);
	telegram_update_free(&up);
	return 0;
}
