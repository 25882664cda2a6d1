/*
 * intent.c - the names of intents (intent.h).
 */
#include <string.h>

#include "intents/intent.h"

static const char *const intent_names[INTENT__COUNT] = {
	"unknown", "greeting", "thanks", "status_check", "eligibility",
	"documents", "office_location", "human_operator", "language_change",
	"opt_out", "opt_in", "help"
};

const char *
intent_name(enum intent i)
{
	if ((int)i < 0 || i >= INTENT__COUNT)
		return "unknown";
	return intent_names[i];
}

int
intent_from_name(const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < INTENT__COUNT; i++)
		if (strcmp(s, intent_names[i]) == 0)
			return i;
	return -1;
}
