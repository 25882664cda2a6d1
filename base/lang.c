/* lang.c - language tags. */
#include <strings.h>
#include <string.h>

#include "base/lang.h"

static const char *const tags[LANG__COUNT] = {
	"uz-Latn", "uz-Cyrl", "ru", "en"
};

const char *
lang_tag(enum lang l)
{
	if ((int)l < 0 || l >= LANG__COUNT)
		return "uz-Latn";
	return tags[l];
}

int
lang_from_tag(const char *tag)
{
	size_t	n;

	if (tag == NULL || *tag == '\0')
		return -1;
	for (int i = 0; i < LANG__COUNT; i++)
		if (strcasecmp(tag, tags[i]) == 0)
			return i;
	n = strcspn(tag, "-_");
	if (n == 2 && strncasecmp(tag, "uz", 2) == 0) {
		if (strcasestr(tag + 2, "cyrl") != NULL)
			return LANG_UZ_CYRL;
		return LANG_UZ_LATN;
	}
	if (n == 2 && strncasecmp(tag, "ru", 2) == 0)
		return LANG_RU;
	if (n == 2 && strncasecmp(tag, "en", 2) == 0)
		return LANG_EN;
	return -1;
}
