/*
 * smsfile.c - the "file" SMS provider, for trying the service out without
 * an SMS gateway: each outgoing SMS is appended to a local file as one
 * line, and nothing leaves the machine.
 *
 *   2025-03-02T10:41:07Z<TAB>+998901234567<TAB>2<TAB>text
 *
 * (time in UTC, the recipient, the SMS segments the message takes, the
 * text with backslash, tab, carriage return and newline written as \\ \t
 * \r \n).  The file is the operator's own outbox: it holds the full
 * number and the text, so it is created mode 0600, and neither goes to the
 * log.  Where: sms.file, else outbox-sms.log beside the database.  Each
 * line is one write() on a descriptor opened O_APPEND, so lines from two
 * processes do not interleave.  The outbox sends through it like any
 * provider (channel.h: deliver instead of an HTTP request).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gateway/channel.h"

const char *
smsfile_path(const struct conf *c, char *buf, size_t size)
{
	const char	*slash;

	if (c->sms_file[0] != '\0')
		snprintf(buf, size, "%s", c->sms_file);
	else if ((slash = strrchr(c->db_path, '/')) != NULL)
		snprintf(buf, size, "%.*s/outbox-sms.log",
		    (int)(slash - c->db_path), c->db_path);
	else
		snprintf(buf, size, "outbox-sms.log");
	return buf;
}

/* s[0..len) with \ tab CR LF escaped, after head, ending "\n" (malloc'd). */
static char *
line_of(const char *head, const char *s, size_t len, size_t *n)
{
	size_t	 h = strlen(head);
	char	*out, *o;

	if ((out = malloc(h + 2 * len + 2)) == NULL)
		return NULL;
	memcpy(out, head, h);
	o = out + h;
	for (size_t i = 0; i < len; i++) {
		const char *e = s[i] == '\\' ? "\\\\" : s[i] == '\t' ? "\\t" :
		    s[i] == '\r' ? "\\r" : s[i] == '\n' ? "\\n" : NULL;

		if (e != NULL) {
			*o++ = e[0];
			*o++ = e[1];
		} else
			*o++ = s[i];
	}
	*o++ = '\n';
	*n = (size_t)(o - out);
	return out;
}

/* Not written: the outbox tries again later. */
static void
not_written(struct send_answer *out, const char *path, const char *why)
{
	out->result = SEND_RETRY;
	snprintf(out->error, sizeof(out->error), "%.180s: %.60s", path, why);
}

static enum mj_err
smsfile_deliver(const struct conf *c, const struct outbox_item *it,
    const char *text, size_t len, int last, struct send_answer *out)
{
	char		 path[600], head[160], ts[32], *line;
	struct tm	 tm;
	time_t		 now = time(NULL);
	size_t		 n = 0;
	ssize_t		 w;
	int		 fd;

	(void)last;
	memset(out, 0, sizeof(*out));
	smsfile_path(c, path, sizeof(path));
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(head, sizeof(head), "%s\t%s\t%d\t", ts, it->address,
	    it->segments > 0 ? it->segments : 1);
	if ((line = line_of(head, text, len, &n)) == NULL)
		return MJ_ENOMEM;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		not_written(out, path, strerror(errno));
		free(line);
		return MJ_OK;
	}
	do
		w = write(fd, line, n);
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)n)
		not_written(out, path, w == -1 ? strerror(errno) :
		    "short write");
	else
		out->result = SEND_SENT;
	if (close(fd) == -1 && out->result == SEND_SENT)
		not_written(out, path, strerror(errno));
	free(line);
	return MJ_OK;
}

static const struct http_route webhooks[] = {
	{ NULL, NULL, NULL, 0 }
};

/* One line per message: the whole text is one part. */
const struct channel smsfile_channel = {
	.name = "file",
	.medium = "sms",
	.webhooks = webhooks,
	.reports = NULL,
	.part_max = 1u << 20,
	.request = NULL,
	.answer = NULL,
	.deliver = smsfile_deliver,
	.missing = NULL,
};
