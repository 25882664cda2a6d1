/* keyboard.c - Telegram reply_markup JSON, built with jansson. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bot/keyboard.h"

#define PICK_PREFIX	"lang:"

static json_t *
button(const struct catalog *cat, enum lang l)
{
	char	*label = NULL, data[32];
	json_t	*b;

	if (catalog_render(cat, l, "language.name", NULL, 0, &label) != MJ_OK)
		return NULL;
	snprintf(data, sizeof(data), PICK_PREFIX "%s", lang_tag(l));
	b = json_pack("{s:s, s:s}", "text", label, "callback_data", data);
	free(label);
	return b;
}

static json_t *
langs(const struct catalog *cat)
{
	json_t	*rows = json_array(), *row = NULL;

	for (int l = 0; l < LANG__COUNT && rows != NULL; l++) {
		json_t *b = button(cat, (enum lang)l);

		if (b == NULL) {
			json_decref(rows);
			json_decref(row);
			return NULL;
		}
		if (row == NULL)
			row = json_array();
		json_array_append_new(row, b);
		if (json_array_size(row) == 2) {
			json_array_append_new(rows, row);
			row = NULL;
		}
	}
	if (row != NULL)
		json_array_append_new(rows, row);
	return json_pack("{s:o}", "inline_keyboard", rows);
}

static json_t *
share_phone(const struct catalog *cat, enum lang l)
{
	char	*label = NULL;
	json_t	*j;

	if (catalog_render(cat, l, "button.share_phone", NULL, 0, &label) !=
	    MJ_OK)
		return NULL;
	j = json_pack("{s:[[{s:s, s:b}]], s:b, s:b}", "keyboard", "text",
	    label, "request_contact", 1, "resize_keyboard", 1,
	    "one_time_keyboard", 1);
	free(label);
	return j;
}

enum mj_err
keyboard_json(const struct catalog *cat, enum keyboard kb, enum lang l,
    char **json)
{
	json_t	*j = NULL;

	*json = NULL;
	switch (kb) {
	case KB_NONE:
		return MJ_OK;
	case KB_LANGS:
		j = langs(cat);
		break;
	case KB_SHARE_PHONE:
		j = share_phone(cat, l);
		break;
	case KB_REMOVE:
		j = json_pack("{s:b}", "remove_keyboard", 1);
		break;
	}
	if (j == NULL)
		return MJ_ENOMEM;
	*json = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return *json != NULL ? MJ_OK : MJ_ENOMEM;
}

int
keyboard_lang_pick(const char *data)
{
	if (data == NULL || strncmp(data, PICK_PREFIX, strlen(PICK_PREFIX)) != 0)
		return -1;
	data += strlen(PICK_PREFIX);
	for (int l = 0; l < LANG__COUNT; l++)
		if (strcmp(data, lang_tag((enum lang)l)) == 0)
			return l;
	return -1;
}
