/*
 * keyboard.h - Telegram reply markup for the dialogue's answers: the
 * language choice (inline buttons, each language named in itself), the
 * button that shares the sender's phone (request_contact), and its removal.
 * Labels come from the catalogues.  Each returns a malloc'd JSON text.
 */
#ifndef BOT_KEYBOARD_H
#define BOT_KEYBOARD_H
#include "base/err.h"
#include "base/lang.h"
#include "locales/catalog.h"

enum keyboard { KB_NONE = 0, KB_LANGS, KB_SHARE_PHONE, KB_REMOVE };

/* *json is NULL for KB_NONE. */
enum mj_err	keyboard_json(const struct catalog *, enum keyboard,
		    enum lang, char **json);
/* "lang:uz-Cyrl" -> LANG_UZ_CYRL; -1 when it is not a language choice. */
int		keyboard_lang_pick(const char *callback_data);
#endif
