/* log.c - key=value lines on stderr (or a file), escaped, one write(2) each. */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

static enum log_level	min_level = LOG_INFO;
static int		log_fd = STDERR_FILENO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
log_set_level(enum log_level l)
{
	min_level = l;
}

int
log_to_file(const char *path)
{
	int	fd;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1)
		return -1;
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
	return 0;
}

int
log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s != NULL && strcasecmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

void
log_msg(enum log_level lvl, const char *ev, const char *fmt, ...)
{
	char		 body[1024], line[2300], ts[32];
	struct timeval	 tv;
	struct tm	 tm;
	va_list		 ap;
	size_t		 o = 0;
	int		 n;

	if (lvl < min_level)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	n = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (n < 0)
		body[0] = '\0';
	n = snprintf(line, sizeof(line), "ts=%s.%03dZ lvl=%s ev=%s ", ts,
	    (int)(tv.tv_usec / 1000), level_names[lvl], ev);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	o = (size_t)n;
	/* Escape control bytes so that no value can start a new line. */
	for (const unsigned char *p = (const unsigned char *)body; *p != '\0' &&
	    o + 5 < sizeof(line); p++) {
		if (*p == '\n') {
			line[o++] = '\\';
			line[o++] = 'n';
		} else if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(line + o, sizeof(line) - o,
			    "\\x%02x", *p);
		} else
			line[o++] = (char)*p;
	}
	line[o++] = '\n';
	(void)!write(log_fd, line, o);
}

const char *
log_mask_phone(const char *phone, char *buf, size_t len)
{
	size_t	n, keep_head, i, o = 0;

	if (len == 0)
		return buf;
	if (phone == NULL || *phone == '\0') {
		snprintf(buf, len, "-");
		return buf;
	}
	n = strlen(phone);
	keep_head = n > 8 ? n - 7 : (n > 4 ? 2 : 0);
	for (i = 0; i < n && o + 1 < len; i++) {
		char c = phone[i];
		if (i >= keep_head && i + 2 < n && c >= '0' && c <= '9')
			c = '*';
		else if (!(c == '+' || (c >= '0' && c <= '9')))
			c = '?';
		buf[o++] = c;
	}
	buf[o] = '\0';
	return buf;
}

const char *
log_mask_pinfl(const char *pinfl, char *buf, size_t len)
{
	size_t	n, i, o = 0;

	if (len == 0)
		return buf;
	if (pinfl == NULL || *pinfl == '\0') {
		snprintf(buf, len, "-");
		return buf;
	}
	n = strlen(pinfl);
	for (i = 0; i < n && o + 1 < len; i++)
		buf[o++] = (i < 2 || i + 2 >= n) && pinfl[i] >= '0' &&
		    pinfl[i] <= '9' ? pinfl[i] : '*';
	buf[o] = '\0';
	return buf;
}
