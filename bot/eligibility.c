/*
 * eligibility.c - the eligibility topic: "am I eligible", documents, and
 * where the nearest Inson centre is.  For now it answers from the
 * catalogues; the rules, the short question-and-answer dialogue and the
 * offices come with the eligibility issue.
 */
#include <stdio.h>
#include <string.h>

#include "bot/dialogue.h"

int
eligibility_owns(const struct turn *t)
{
	if (t->in->event != BOT_TEXT || t->r->app_no[0] != '\0')
		return 0;
	return t->r->intent == INTENT_ELIGIBILITY ||
	    t->r->intent == INTENT_DOCUMENTS ||
	    t->r->intent == INTENT_OFFICE_LOCATION;
}

enum mj_err
eligibility_decide(struct turn *t)
{
	char	key[48], name[160];

	turn_state(t, "");
	switch (t->r->intent) {
	case INTENT_ELIGIBILITY:
		if (t->r->program[0] != '\0') {
			snprintf(key, sizeof(key), "programme.%s", t->r->program);
			turn_text(t, key, name, sizeof(name));
			if (name[0] != '\0') {
				answer_say(t->a, "eligibility.start");
				answer_arg(t->a, "programme", name);
				break;
			}
		}
		answer_say(t->a, "eligibility.general");
		break;
	case INTENT_DOCUMENTS:
		answer_say(t->a, "documents.general");
		break;
	default:
		answer_say(t->a, "office.general");
		break;
	}
	return MJ_OK;
}
