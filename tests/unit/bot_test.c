/*
 * bot_test.c - the reply's language (dialogue.c's dialogue_lang): the
 * citizen's choice, then the message's script and words, then the
 * contact's last language of that script, then the configured defaults;
 * and the script of a message (nlu_text_script), in which codes do not
 * count.
 */
#include "bot/dialogue.c"
#include "check.h"

/* Messages whose words name no language, in each script, and none. */
#define L	"Xiva"
#define C	"СТОП"
#define N	"AR-2025-000002"

static const struct {
	const char	*what;
	enum bot_event	 event;
	const char	*ui_lang;	/* BOT_START: the app's language */
	const char	*text;
	enum lang	 lang;		/* as intents/ judged it */
	int		 sure;
	const char	*c_lang;	/* the contact before (a new one:
					 * uz-Latn, the column's default) */
	const char	*c_cyrl, *c_latn;
	int		 chosen;
	enum lang	 cyrl_default;	/* lang.cyrillic_default */
	enum lang	 want;		/* the reply */
	const char	*want_cyrl, *want_latn;	/* the contact after */
} cases[] = {
	{ "СТОП, new contact", BOT_TEXT, NULL, C, LANG_RU, 0, "uz-Latn", "", "",
	  0, LANG_UZ_CYRL, LANG_UZ_CYRL, "uz-Cyrl", "" },
	{ "СТОП, new contact, default ru", BOT_TEXT, NULL, C, LANG_RU, 0,
	  "uz-Latn", "", "", 0, LANG_RU, LANG_RU, "ru", "" },
	{ "статус AR-.. after Uzbek Latin", BOT_TEXT, NULL, C, LANG_RU, 0,
	  "uz-Latn", "", "", 0, LANG_UZ_CYRL, LANG_UZ_CYRL, "uz-Cyrl", "" },
	{ "Хива after Russian", BOT_TEXT, NULL, C, LANG_RU, 0, "uz-Latn", "ru",
	  "", 0, LANG_UZ_CYRL, LANG_RU, "ru", "" },
	{ "Хива after Uzbek Cyrillic, default ru", BOT_TEXT, NULL, C, LANG_RU,
	  0, "ru", "uz-Cyrl", "", 0, LANG_RU, LANG_UZ_CYRL, "uz-Cyrl", "" },
	{ "Russian words", BOT_TEXT, NULL, C, LANG_RU, 1, "uz-Cyrl", "uz-Cyrl",
	  "", 0, LANG_UZ_CYRL, LANG_RU, "ru", "" },
	{ "Uzbek Cyrillic words", BOT_TEXT, NULL, C, LANG_UZ_CYRL, 1, "ru",
	  "ru", "", 0, LANG_RU, LANG_UZ_CYRL, "uz-Cyrl", "" },
	{ "Uzbek words, mostly Cyrillic", BOT_TEXT, NULL, C, LANG_UZ_LATN, 1,
	  "", "", "", 0, LANG_RU, LANG_UZ_CYRL, "uz-Cyrl", "" },
	{ "English words in Cyrillic", BOT_TEXT, NULL, C, LANG_EN, 1, "", "",
	  "", 0, LANG_RU, LANG_RU, "ru", "" },
	{ "Xiva, new contact", BOT_TEXT, NULL, L, LANG_UZ_LATN, 0, "uz-Latn",
	  "", "", 0, LANG_RU, LANG_UZ_LATN, "", "uz-Latn" },
	{ "Xiva after Russian", BOT_TEXT, NULL, L, LANG_EN, 0, "ru", "ru", "",
	  0, LANG_RU, LANG_UZ_LATN, "ru", "uz-Latn" },
	{ "Xiva after English", BOT_TEXT, NULL, L, LANG_UZ_LATN, 0, "ru", "ru",
	  "en", 0, LANG_UZ_CYRL, LANG_EN, "ru", "en" },
	{ "English words", BOT_TEXT, NULL, L, LANG_EN, 1, "uz-Latn", "",
	  "uz-Latn", 0, LANG_UZ_CYRL, LANG_EN, "", "en" },
	{ "Russian in Latin letters", BOT_TEXT, NULL, L, LANG_RU, 1, "", "",
	  "", 0, LANG_UZ_CYRL, LANG_RU, "ru", "" },
	{ "digits keep the conversation's", BOT_TEXT, NULL, N, LANG_UZ_LATN, 0,
	  "ru", "ru", "", 0, LANG_UZ_CYRL, LANG_RU, "ru", "" },
	{ "digits, new contact", BOT_TEXT, NULL, N, LANG_RU, 0, "uz-Latn", "",
	  "", 0, LANG_RU, LANG_UZ_LATN, "", "" },
	{ "chosen English, Cyrillic words", BOT_TEXT, NULL, C, LANG_RU, 1, "en",
	  "", "en", 1, LANG_UZ_CYRL, LANG_EN, "", "en" },
	{ "chosen Russian, Latin words", BOT_TEXT, NULL, L, LANG_UZ_LATN, 1,
	  "ru", "ru", "", 1, LANG_UZ_CYRL, LANG_RU, "ru", "" },
	{ "/start takes the app's language", BOT_START, "ru", N, LANG_UZ_LATN,
	  0, "en", "", "en", 1, LANG_UZ_CYRL, LANG_RU, "ru", "en" },
	{ "/start without one", BOT_START, NULL, N, LANG_UZ_LATN, 0, "en", "",
	  "en", 1, LANG_UZ_CYRL, LANG_EN, "", "en" },
	{ "a shared contact", BOT_CONTACT, NULL, N, LANG_UZ_LATN, 0, "uz-Cyrl",
	  "uz-Cyrl", "", 0, LANG_RU, LANG_UZ_CYRL, "uz-Cyrl", "" },
};

static const struct {
	const char	*text;
	int		 app_no;	/* the NLU found an application number */
	enum nlu_script	 want;
} scripts[] = {
	{ "СТОП", 0, NLU_SCRIPT_CYRL },
	{ "Xiva", 0, NLU_SCRIPT_LATN },
	{ "статус AR-2025-000002", 1, NLU_SCRIPT_CYRL },
	{ "AR-2025-000002", 1, NLU_SCRIPT_NONE },
	{ "ar 2025 4512", 1, NLU_SCRIPT_NONE },
	{ "ар 2025 4512 ҳолати", 1, NLU_SCRIPT_CYRL },
	{ "ar", 0, NLU_SCRIPT_LATN },
	{ "arizam holati AR2025000002", 1, NLU_SCRIPT_LATN },
	{ "SMS статус", 0, NLU_SCRIPT_CYRL },
	{ "5", 0, NLU_SCRIPT_NONE },
	{ " 3 mln", 0, NLU_SCRIPT_LATN },
	{ "\xf0\x9f\x91\x8d", 0, NLU_SCRIPT_NONE },
	{ "", 0, NLU_SCRIPT_NONE },
};

int
main(void)
{
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		CHECK_INT(nlu_text_script(scripts[i].text, strlen(scripts[i].text),
		    scripts[i].app_no), scripts[i].want);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bot		b;
		struct bot_in		in;
		struct nlu_result	r;
		struct contact		c;
		enum lang		got;

		memset(&b, 0, sizeof(b));
		memset(&in, 0, sizeof(in));
		memset(&r, 0, sizeof(r));
		memset(&c, 0, sizeof(c));
		b.cyrl_default = cases[i].cyrl_default;
		in.event = cases[i].event;
		in.ui_lang = cases[i].ui_lang;
		in.text = cases[i].text;
		in.len = strlen(in.text);
		r.lang = cases[i].lang;
		r.lang_sure = cases[i].sure;
		/* as nlu_understand fills it */
		r.script = nlu_text_script(in.text, in.len, r.app_no[0] != '\0');
		snprintf(c.lang, sizeof(c.lang), "%s", cases[i].c_lang);
		snprintf(c.lang_cyrl, sizeof(c.lang_cyrl), "%s",
		    cases[i].c_cyrl);
		snprintf(c.lang_latn, sizeof(c.lang_latn), "%s",
		    cases[i].c_latn);
		c.lang_chosen = cases[i].chosen;
		got = dialogue_lang(&b, &in, &r, &c);
		if (got != cases[i].want)
			fprintf(stderr, "case \"%s\":\n", cases[i].what);
		CHECK_STR(lang_tag(got), lang_tag(cases[i].want));
		CHECK_STR(c.lang_cyrl, cases[i].want_cyrl);
		CHECK_STR(c.lang_latn, cases[i].want_latn);
		/* The conversation's language is the reply's ... */
		if (!cases[i].chosen || cases[i].event == BOT_START)
			CHECK_STR(c.lang, lang_tag(got));
		/* ... and /start forgets a choice. */
		CHECK_INT(c.lang_chosen, cases[i].event == BOT_START ? 0 :
		    cases[i].chosen);
	}
	return check_done("bot_test");
}
