/*
 * dialogue_test.c - bot/dialogue.c's decisions through the real pipeline
 * (bot_handle over a store, the catalogues and the patterns, bot_kit.h):
 * an application's status for its applicant, and the one same answer for
 * a stranger and for a number that does not exist, with the misses
 * limited; Telegram asking for the phone first; the reply's language
 * following the message; and an answer inside a question (a digit after
 * the language offer) recorded as what the question asked.
 */
#include "bot_kit.h"
#include "check.h"

/* The last inbound row's intent and source, "intent/source". */
static const char *
last_in(struct kit *k)
{
	return kit_sql(k, "SELECT intent || '/' || nlu_source FROM messages "
	    "WHERE direction = 'in' ORDER BY id DESC LIMIT 1");
}

static void
test_status_own(struct kit *k)
{
	char		 prog[256];
	const char	*got;

	snprintf(prog, sizeof(prog), "%s", kit_want(k, "sms", LANG_UZ_LATN,
	    "programme.child_allowance", NULL));
	/* SMS: the sender's number is the applicant's. */
	got = kit_say(k, "sms", KIT_PHONE1, KIT_PHONE1,
	    "arizam holati " KIT_APP1);
	CHECK_INT(k->rc, MJ_OK);
	CHECK_STR(got, kit_want(k, "sms", LANG_UZ_LATN, "status.approved",
	    "app_no", KIT_APP1, "programme", prog,
	    "submitted", kit_date(k, LANG_UZ_LATN, 2025, 2, 10),
	    "decided", kit_date(k, LANG_UZ_LATN, 2025, 3, 1),
	    "payment", kit_date(k, LANG_UZ_LATN, 2025, 3, 4), NULL));
	CHECK_STR(last_in(k), "status_check/pattern");
	/* The reply is stored and waits in the outbox. */
	CHECK_STR(kit_sql(k, "SELECT m.body FROM messages m JOIN outbox o ON "
	    "o.message_id = m.id ORDER BY m.id DESC LIMIT 1"), got);
	CHECK_STR(kit_sql(k, "SELECT address FROM outbox ORDER BY id DESC "
	    "LIMIT 1"), KIT_PHONE1);
}

static void
test_status_stranger(struct kit *k)
{
	const char	*got;

	/* Someone else's application: the answer for a number unknown. */
	got = kit_say(k, "sms", KIT_STRANGER, KIT_STRANGER,
	    "arizam holati " KIT_APP1);
	CHECK_STR(got, kit_want(k, "sms", LANG_UZ_LATN, "status.not_found",
	    "app_no", KIT_APP1, NULL));
	got = kit_say(k, "sms", KIT_STRANGER, KIT_STRANGER,
	    "arizam holati AR-2025-999999");
	CHECK_STR(got, kit_want(k, "sms", LANG_UZ_LATN, "status.not_found",
	    "app_no", "AR-2025-999999", NULL));
	CHECK_STR(kit_sql(k, "SELECT misses FROM contacts WHERE address = '"
	    KIT_STRANGER "'"), "2");
	/* status.max_misses (5) an hour, then no more look-ups at all. */
	for (int i = 0; i < 3; i++)
		kit_say(k, "sms", KIT_STRANGER, KIT_STRANGER,
		    "arizam holati " KIT_APP2);
	got = kit_say(k, "sms", KIT_STRANGER, KIT_STRANGER,
	    "arizam holati " KIT_APP2);
	CHECK_STR(got, kit_want(k, "sms", LANG_UZ_LATN, "status.too_many",
	    NULL));
	/* An hour later the count starts again. */
	k->now += 3600;
	got = kit_say(k, "sms", KIT_STRANGER, KIT_STRANGER,
	    "arizam holati " KIT_APP2);
	CHECK_STR(got, kit_want(k, "sms", LANG_UZ_LATN, "status.not_found",
	    "app_no", KIT_APP2, NULL));
}

static void
test_status_telegram(struct kit *k)
{
	char		 prog[256];
	const char	*got;

	/* No phone shared yet: asked for it, not counted as a miss. */
	got = kit_say(k, "telegram", "7001", NULL, KIT_APP2 " holati");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN,
	    "status.verify_telegram", NULL));
	CHECK(k->out.markup != NULL && strstr(k->out.markup,
	    "request_contact") != NULL);
	CHECK_STR(kit_sql(k, "SELECT state || ':' || state_data || ':' || "
	    "misses FROM contacts WHERE address = '7001'"),
	    "await_phone:" KIT_APP2 ":0");
	/* Sharing the applicant's phone answers the question asked. */
	snprintf(prog, sizeof(prog), "%s", kit_want(k, "telegram",
	    LANG_UZ_LATN, "programme.material_aid", NULL));
	got = kit_event(k, BOT_CONTACT, "telegram", "7001", KIT_PHONE2, "");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN,
	    "status.in_review", "app_no", KIT_APP2, "programme", prog,
	    "submitted", kit_date(k, LANG_UZ_LATN, 2025, 11, 3),
	    "decided", "", "payment", "", NULL));
	CHECK_STR(kit_sql(k, "SELECT state || ':' || phone FROM contacts "
	    "WHERE address = '7001'"), ":" KIT_PHONE2);
	/* Someone else's contact is refused. */
	got = kit_event(k, BOT_CONTACT_OTHER, "telegram", "7002", NULL, "");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN,
	    "contact.not_yours", NULL));
}

static void
test_language(struct kit *k)
{
	static const struct {
		const char	*text;
		enum lang	 want;
	} msgs[] = {
		{ "Здравствуйте", LANG_RU },
		{ "salom", LANG_UZ_LATN },
		{ "hello", LANG_EN },
		{ "Ассалому алайкум", LANG_UZ_CYRL },
	};

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		const char *got = kit_say(k, "telegram", "7100", NULL,
		    msgs[i].text);

		CHECK_STR(got, kit_want(k, "telegram", msgs[i].want,
		    "greeting", NULL));
		CHECK_INT(k->out.lang, msgs[i].want);
		CHECK_STR(kit_sql(k, "SELECT lang FROM contacts WHERE "
		    "address = '7100'"), lang_tag(msgs[i].want));
	}
	/* Digits say no language: the conversation's stays. */
	kit_say(k, "telegram", "7100", NULL, "Здравствуйте");
	CHECK_STR(kit_say(k, "telegram", "7100", NULL, "5"),
	    kit_want(k, "telegram", LANG_RU, "unknown", NULL));
}

static void
test_answer_in_question(struct kit *k)
{
	const char	*got;

	/* A digit outside a question is not understood ... */
	got = kit_say(k, "telegram", "7200", NULL, "3");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN, "unknown", NULL));
	CHECK_STR(last_in(k), "unknown/none");
	/* ... after the language offer it is the language, third in it. */
	got = kit_say(k, "telegram", "7200", NULL, "tilni ozgartirish");
	CHECK_STR(got, kit_want(k, "telegram", LANG_UZ_LATN, "language.ask",
	    NULL));
	CHECK_STR(kit_sql(k, "SELECT state FROM contacts WHERE address = "
	    "'7200'"), "await_lang");
	got = kit_say(k, "telegram", "7200", NULL, "3");
	CHECK_STR(got, kit_want(k, "telegram", LANG_RU, "language.set", NULL));
	CHECK_STR(last_in(k), "language_change/dialogue");
	CHECK_STR(kit_sql(k, "SELECT state || ':' || lang || ':' || "
	    "lang_chosen FROM contacts WHERE address = '7200'"), ":ru:1");
	/* A chosen language holds against the message's own. */
	got = kit_say(k, "telegram", "7200", NULL, "salom");
	CHECK_STR(got, kit_want(k, "telegram", LANG_RU, "greeting", NULL));
	/* The question is answered once: "3" again is not understood. */
	got = kit_say(k, "telegram", "7200", NULL, "3");
	CHECK_STR(got, kit_want(k, "telegram", LANG_RU, "unknown", NULL));
}

int
main(void)
{
	struct kit	k;

	if (kit_open(&k, "dialogue_test") == -1)
		return 2;
	test_status_own(&k);
	test_status_stranger(&k);
	test_status_telegram(&k);
	test_language(&k);
	test_answer_in_question(&k);
	kit_close(&k);
	return check_done("dialogue_test");
}
