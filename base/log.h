/*
 * log.h - one event, one line, on stderr (or the file log_to_file names):
 *   ts=2025-03-02T10:41:07.215Z lvl=info ev=msg.in req=5f2c1a chan=sms ...
 * The finished line has newlines and control bytes escaped, so no input can
 * forge a line.  Phones and PINFLs go through log_mask_* first; message text
 * is never logged.  Plumbing: includes nothing else from the project.
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H
#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Lines below this level are dropped; default LOG_INFO. */
void	log_set_level(enum log_level);
/*
 * From now on, lines are appended to path (created mode 600) instead of
 * stderr; call it before any thread logs.  -1 (errno set) leaves them where
 * they went.
 */
int	log_to_file(const char *path);
/* "debug", "info", "warn", "error"; returns -1 when unknown. */
int	log_level_parse(const char *);

void	log_msg(enum log_level, const char *ev, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
#define log_debug(ev, ...)	log_msg(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...)	log_msg(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...)	log_msg(LOG_WARN, ev, __VA_ARGS__)
#define log_err(ev, ...)	log_msg(LOG_ERROR, ev, __VA_ARGS__)

/*
 * Masks: "+998901234567" -> "+99890*****67"; a PINFL keeps its first two
 * and last two digits.  Write into buf (always NUL-terminated) and return it.
 * NULL or empty input gives "-".
 */
const char	*log_mask_phone(const char *phone, char *buf, size_t len);
const char	*log_mask_pinfl(const char *pinfl, char *buf, size_t len);

#endif
