/*
 * lang.h - the four languages (with script) a citizen is answered in.
 * Plumbing: shared by intents/, locales/ and bot/; includes nothing else.
 */
#ifndef BASE_LANG_H
#define BASE_LANG_H

enum lang {
	LANG_UZ_LATN = 0,
	LANG_UZ_CYRL,
	LANG_RU,
	LANG_EN,
	LANG__COUNT
};

#define LANG_DEFAULT	LANG_UZ_LATN

/* BCP-47 tag: "uz-Latn", "uz-Cyrl", "ru", "en".  Static string. */
const char	*lang_tag(enum lang);
/*
 * Parse a tag, case-insensitively; also accepts "uz" (Latin), "uz_UZ",
 * "uz-cyrl", "ru-RU", "en-US" and the like.  Returns -1 when unknown.
 */
int		 lang_from_tag(const char *tag);

#endif
