/*
 * notices.c - registry updates and the notices they cause.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "base/log.h"
#include "bot/dialogue.h"
#include "bot/notices.h"
#include "locales/sms.h"
#include "store/sms.h"

#define TASHKENT_UTC_OFFSET	(5 * 3600)	/* no daylight saving */
#define CSV_FIELDS		16
#define CSV_LINE_MAX		8192

static const char *const statuses[] = { "pending", "in_review", "approved",
    "rejected", "paid", "needs_documents", NULL };

static int
is_date(const char *s)
{
	int	y, m, d;
	char	tail;

	return s != NULL && strlen(s) == 10 &&
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 1990 &&
	    y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
	    s[4] == '-' && s[7] == '-';
}

static int
is_appno(const char *s)
{
	if (s == NULL || strlen(s) != 14 || strncmp(s, "AR-", 3) != 0 ||
	    s[7] != '-')
		return 0;
	for (int i = 3; i < 14; i++)
		if (i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

enum mj_err
notices_check(const struct app_update *u, char *err, size_t errlen)
{
	int	ok = 0;

	if (!is_appno(u->number)) {
		snprintf(err, errlen, "number \"%.20s\" is not AR-YYYY-NNNNNN",
		    u->number != NULL ? u->number : "");
		return MJ_EINPUT;
	}
	for (int i = 0; u->status != NULL && statuses[i] != NULL; i++)
		ok |= strcmp(u->status, statuses[i]) == 0;
	if (!ok) {
		snprintf(err, errlen, "status \"%.20s\" is not one of pending, "
		    "in_review, approved, rejected, paid, needs_documents",
		    u->status != NULL ? u->status : "");
		return MJ_EINPUT;
	}
	if (u->decided != NULL && !is_date(u->decided)) {
		snprintf(err, errlen, "decided_at \"%.20s\" is not YYYY-MM-DD",
		    u->decided);
		return MJ_EINPUT;
	}
	if (u->payment != NULL && !is_date(u->payment)) {
		snprintf(err, errlen, "payment_at \"%.20s\" is not YYYY-MM-DD",
		    u->payment);
		return MJ_EINPUT;
	}
	if (u->submitted != NULL && !is_date(u->submitted)) {
		snprintf(err, errlen, "submitted_at \"%.20s\" is not "
		    "YYYY-MM-DD", u->submitted);
		return MJ_EINPUT;
	}
	return MJ_OK;
}

static int
hhmm(const char *s, int *min)
{
	int	h, m;

	if (sscanf(s, "%2d:%2d", &h, &m) != 2 || h < 0 || h > 24 || m < 0 ||
	    m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

int64_t
notices_after_quiet(const char *spec, int64_t now)
{
	const char	*dash;
	int		 from, to, cur;
	int64_t		 local;

	if (spec == NULL || *spec == '\0')
		return now;
	if ((dash = strchr(spec, '-')) == NULL || hhmm(spec, &from) == -1 ||
	    hhmm(dash + 1, &to) == -1)
		return -1;
	local = now + TASHKENT_UTC_OFFSET;
	cur = (int)((local % 86400) / 60);
	if (from == to)
		return now;
	if (from < to ? (cur >= from && cur < to) : (cur >= from || cur < to)) {
		/* Wait until `to`, today or tomorrow. */
		int64_t day = local - local % 86400;
		int64_t at = day + (int64_t)to * 60;

		if (at <= local)
			at += 86400;
		return at - TASHKENT_UTC_OFFSET;
	}
	return now;
}

/* Render the notice for the application as it now is. */
static enum mj_err
render_notice(struct bot *b, enum lang lang, const struct app_status *app,
    char **out)
{
	const struct catalog	*cat = bot_catalog(b);
	struct msg_arg		 args[4];
	char			 key[48], prog[160] = "", dates[2][96];
	char			*p = NULL;
	const char		*ymd[2] = { app->decided, app->payment };

	snprintf(key, sizeof(key), "programme.%s", app->programme);
	if (catalog_render(cat, lang, key, NULL, 0, &p) == MJ_OK)
		snprintf(prog, sizeof(prog), "%s", p);
	free(p);
	for (int i = 0; i < 2; i++) {
		int y, m, d;

		dates[i][0] = '\0';
		if (ymd[i][0] != '\0' && sscanf(ymd[i], "%d-%d-%d", &y, &m,
		    &d) == 3 && catalog_date(cat, lang, y, m, d, dates[i],
		    sizeof(dates[i])) != MJ_OK)
			snprintf(dates[i], sizeof(dates[i]), "%s", ymd[i]);
	}
	args[0] = (struct msg_arg){ "app_no", app->number };
	args[1] = (struct msg_arg){ "programme", prog };
	args[2] = (struct msg_arg){ "decided", dates[0] };
	args[3] = (struct msg_arg){ "payment", dates[1] };
	snprintf(key, sizeof(key), "notice.%s", app->status);
	return catalog_render(cat, lang, key, args, 4, out);
}

/* Inside a transaction: queue the notice of this application's change. */
static enum mj_err
queue_notice(struct bot *b, const struct app_status *app, const char *req,
    int64_t now, struct notice_stats *ns)
{
	const struct conf	*conf = bot_conf(b);
	struct store		*st = bot_store(b);
	struct contact		 c;
	struct msg_row		 m;
	struct sms_info		 info;
	enum mj_err		 rc;
	char			*text = NULL, *sms = NULL, *rest = NULL;
	int64_t			 id = 0, when = now;
	int			 lt, is_sms;

	if ((rc = store_contact_for_phone(st, app->phone, now, &c)) != MJ_OK)
		return rc;
	if (c.opted_out) {
		ns->opted_out++;
		return MJ_OK;
	}
	lt = lang_from_tag(c.lang);
	if ((rc = render_notice(b, lt < 0 ? LANG_DEFAULT : (enum lang)lt, app,
	    &text)) != MJ_OK) {
		/* A catalogue without the notice is our fault, not the row's. */
		log_err("notice.render", "status=%s err=\"%s\"", app->status,
		    mj_strerror(rc));
		return MJ_EINTERNAL;
	}
	is_sms = bot_channel_is_sms(c.channel);
	if (is_sms) {
		if ((rc = sms_prepare(text, strlen(text), &sms)) != MJ_OK)
			goto out;
		free(text);
		text = NULL;
		/* Notices are written to fit; a longer one is cut at a word. */
		if ((rc = sms_fit(sms, conf->sms_budget, "", &text, &rest)) !=
		    MJ_OK)
			goto out;
		sms_measure(text, strlen(text), &info);
		if ((when = notices_after_quiet(conf->sms_quiet_hours, now)) < 0)
			when = now;
	}
	m = (struct msg_row){ .contact_id = c.id, .direction = "out",
	    .channel = c.channel, .req = req, .body = text, .lang = c.lang,
	    .intent = "notice", .delivery = "queued",
	    .encoding = is_sms ? (info.coding == SMS_GSM7 ? "gsm7" : "ucs2") :
	    NULL, .segments = is_sms ? info.segments : 0, .created_at = now };
	if ((rc = store_msg_add(st, &m, &id)) == MJ_OK &&
	    (rc = store_outbox_add(st, id, c.channel, c.address, "pending",
	    NULL, is_sms ? conf->sms_provider : NULL, when, now)) == MJ_OK)
		ns->notified++;
out:
	free(text);
	free(sms);
	free(rest);
	return rc;
}

/* Inside a transaction. */
static enum mj_err
apply_one(struct bot *b, const struct app_update *u, const char *source,
    const char *req, int64_t now, struct notice_stats *ns)
{
	struct store		*st = bot_store(b);
	struct app_status	 app;
	enum mj_err		 rc;
	int			 changed = 0;

	ns->rows++;
	rc = store_app_set_status(st, u->number, u->status, u->decided,
	    u->payment, source, now, &changed, &app);
	if (rc == MJ_ENOTFOUND) {
		char		hex[65];
		unsigned char	h[32];
		struct app_row	a;

		if (u->programme == NULL || u->phone == NULL ||
		    u->submitted == NULL)
			return MJ_ENOTFOUND;
		/* A new application: no PINFL in the feed, so no second
		 * factor yet; its hash is of nothing. */
		crypto_hash_sha256(h, (const unsigned char *)"", 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		a = (struct app_row){ u->number, u->programme, u->status,
		    u->phone, hex, "", u->region != NULL ? u->region : "",
		    u->district != NULL ? u->district : "", u->submitted,
		    u->decided, u->payment, source };
		if ((rc = store_app_put(st, &a, now)) != MJ_OK)
			return rc;
		ns->created++;
		return MJ_OK;	/* they know they applied */
	}
	if (rc != MJ_OK)
		return rc;
	if (!changed) {
		ns->unchanged++;
		return MJ_OK;
	}
	ns->changed++;
	return queue_notice(b, &app, req, now, ns);
}

enum mj_err
notices_apply(struct bot *b, const struct app_update *u, const char *source,
    int64_t now, struct notice_stats *ns)
{
	struct store	*st = bot_store(b);
	enum mj_err	 rc;

	if ((rc = store_begin(st)) != MJ_OK)
		return rc;
	rc = apply_one(b, u, source, source, now, ns);
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	return rc;
}

/* Split one CSV line in place (RFC 4180 quoting); returns fields, -1 bad. */
static int
csv_split(char *line, char **f, int max)
{
	int	 n = 0;
	char	*p = line, *w, *e, sep;

	for (;;) {
		if (n == max)
			return -1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '"') {
			f[n++] = w = ++p;
			for (;;) {
				if (*p == '\0')
					return -1;	/* unclosed quote */
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else
					*w++ = *p++;
			}
			while (*p == ' ' || *p == '\t')
				p++;
			sep = *p;
			*w = '\0';
			if (sep != ',' && sep != '\0')
				return -1;
			e = p;
		} else {
			f[n++] = p;
			e = p + strcspn(p, ",");
			sep = *e;
			w = e;
			while (w > f[n - 1] && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
			*w = '\0';
		}
		if (sep == '\0')
			return n;
		p = e + 1;
	}
}

struct csv_row {
	int			 line;
	char			*buf;		/* the line, split in place */
	struct app_update	 u;
};

enum mj_err
notices_import_csv(struct bot *b, const char *path, FILE *errs,
    struct notice_stats *ns)
{
	static const char *const cols[] = { "number", "status", "decided_at",
	    "payment_at", "programme", "phone", "region", "district",
	    "submitted_at", NULL };
	FILE		*fp;
	char		 line[CSV_LINE_MAX], *f[CSV_FIELDS], err[256];
	int		 idx[9], lineno = 0, nf, bad = 0;
	struct csv_row	*rows = NULL;
	size_t		 nrows = 0, cap = 0;
	enum mj_err	 rc = MJ_OK;
	int64_t		 now = (int64_t)time(NULL);

	memset(ns, 0, sizeof(*ns));
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(errs, "%s: cannot open\n", path);
		return MJ_ENOTFOUND;
	}
	for (int i = 0; i < 9; i++)
		idx[i] = -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t		 len = strlen(line);
		struct csv_row	*r;

		lineno++;
		if (len > 0 && line[len - 1] != '\n' && !feof(fp)) {
			fprintf(errs, "%s:%d: line longer than %d bytes\n",
			    path, lineno, CSV_LINE_MAX - 2);
			bad++;
			while (fgets(line, sizeof(line), fp) != NULL &&
			    line[strlen(line) - 1] != '\n')
				;
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			memmove(line, line + 3, strlen(line + 3) + 1);
		if (line[0] == '\0')
			continue;
		if (idx[0] < 0) {	/* the header */
			if ((nf = csv_split(line, f, CSV_FIELDS)) < 0) {
				fprintf(errs, "%s:%d: bad header\n", path,
				    lineno);
				bad++;
				break;
			}
			for (int c = 0; cols[c] != NULL; c++)
				for (int k = 0; k < nf; k++)
					if (strcasecmp(f[k], cols[c]) == 0)
						idx[c] = k;
			if (idx[0] < 0 || idx[1] < 0 || idx[2] < 0) {
				fprintf(errs, "%s:%d: the header needs number, "
				    "status and decided_at\n", path, lineno);
				bad++;
				break;
			}
			continue;
		}
		if (nrows == cap) {
			struct csv_row	*nr;

			cap = cap == 0 ? 256 : cap * 2;
			if ((nr = realloc(rows, cap * sizeof(*rows))) == NULL) {
				rc = MJ_ENOMEM;
				goto out;
			}
			rows = nr;
		}
		r = &rows[nrows];
		if ((r->buf = strdup(line)) == NULL) {
			rc = MJ_ENOMEM;
			goto out;
		}
		r->line = lineno;
		if ((nf = csv_split(r->buf, f, CSV_FIELDS)) < 0) {
			fprintf(errs, "%s:%d: malformed CSV\n", path, lineno);
			free(r->buf);
			bad++;
			continue;
		}
#define COL(i) (idx[i] >= 0 && idx[i] < nf && *f[idx[i]] != '\0' ? \
		    f[idx[i]] : NULL)
		r->u = (struct app_update){ COL(0), COL(1), COL(2), COL(3),
		    COL(4), COL(5), COL(6), COL(7), COL(8) };
#undef COL
		if (notices_check(&r->u, err, sizeof(err)) != MJ_OK) {
			fprintf(errs, "%s:%d: %s\n", path, lineno, err);
			free(r->buf);
			bad++;
			continue;
		}
		nrows++;
	}
	if (idx[0] < 0 && bad == 0) {
		fprintf(errs, "%s: no header row\n", path);
		bad++;
	}
	if (bad > 0) {
		rc = MJ_EINPUT;
		goto out;
	}
	if ((rc = store_begin(bot_store(b))) != MJ_OK)
		goto out;
	for (size_t i = 0; i < nrows && rc == MJ_OK; i++) {
		rc = apply_one(b, &rows[i].u, "import", "import", now, ns);
		if (rc == MJ_ENOTFOUND)
			fprintf(errs, "%s:%d: %s is not known and the row lacks "
			    "programme, phone or submitted_at to create it\n",
			    path, rows[i].line, rows[i].u.number);
	}
	if (store_end(bot_store(b), rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	if (rc != MJ_OK)
		memset(ns, 0, sizeof(*ns));
out:
	fclose(fp);
	for (size_t i = 0; i < nrows; i++)
		free(rows[i].buf);
	free(rows);
	return rc;
}
