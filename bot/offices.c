/*
 * offices.c - the offices' TSV in and out of the store (offices.h).  The
 * spellings of a district are folded here (intents/fold.h), so the store
 * keeps them ready for matching.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/phone.h"
#include "bot/elig_text.h"
#include "bot/offices.h"
#include "intents/fold.h"
#include "store/programmes.h"

/*
 * The folded spellings of an office's district, "|"-separated into out:
 * its aliases as written and its name in every language.
 */
static void
spellings(const struct office *o, char *out, size_t len)
{
	char	 al[sizeof(o->aliases)], folded[256], *save = NULL, *a;
	size_t	 n = 0;

	out[0] = '\0';
	for (int l = -1; l < LANG__COUNT; l++) {
		snprintf(al, sizeof(al), "%s", l < 0 ? o->aliases : o->name[l]);
		for (a = strtok_r(al, "|", &save); a != NULL;
		    a = strtok_r(NULL, "|", &save)) {
			size_t k = fold_text(a, folded, sizeof(folded));

			if (k == 0 || n + k + 2 > len)
				continue;
			n += (size_t)snprintf(out + n, len - n, "%s%s",
			    n > 0 ? "|" : "", folded);
		}
	}
}

/* Split a TSV line in place into at most max fields. */
static size_t
split_tabs(char *line, char **f, size_t max)
{
	size_t	n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		if ((line = strchr(line, '\t')) == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

enum ocol {
	OC_DISTRICT, OC_REGION, OC_DAYS, OC_OPENS, OC_CLOSES, OC_PHONE,
	OC_INDICATIVE, OC_NAME, OC_ADDRESS = OC_NAME + LANG__COUNT,
	OC_LANDMARK = OC_ADDRESS + LANG__COUNT,
	OC_ALIASES = OC_LANDMARK + LANG__COUNT, OC_SOURCE, OC__COUNT
};

/* Columns a file may leave out (empty in every row). */
static int
ocol_optional(int c)
{
	return c == OC_PHONE || c == OC_ALIASES || c == OC_SOURCE ||
	    c == OC_INDICATIVE || (c >= OC_LANDMARK && c < OC_ALIASES);
}

static void
ocol_name(int c, char *buf, size_t len)
{
	static const char *const fixed[] = { "district", "region", "days",
	    "opens", "closes", "phone", "indicative" };

	if (c < OC_NAME)
		snprintf(buf, len, "%s", fixed[c]);
	else if (c < OC_ADDRESS)
		snprintf(buf, len, "name.%s", lang_tag((enum lang)(c - OC_NAME)));
	else if (c < OC_LANDMARK)
		snprintf(buf, len, "address.%s",
		    lang_tag((enum lang)(c - OC_ADDRESS)));
	else if (c < OC_ALIASES)
		snprintf(buf, len, "landmark.%s",
		    lang_tag((enum lang)(c - OC_LANDMARK)));
	else
		snprintf(buf, len, "%s", c == OC_ALIASES ? "aliases" : "source");
}

int
offices_time_ok(const char *s)
{
	return strlen(s) == 5 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' &&
	    s[1] <= '9' && (s[0] < '2' || s[1] <= '3') && s[2] == ':' &&
	    s[3] >= '0' && s[3] <= '5' && s[4] >= '0' && s[4] <= '9';
}

int
offices_days_ok(const char *s)
{
	if (s[0] < '1' || s[0] > '7')
		return 0;
	if (s[1] == '\0')
		return 1;
	return s[1] == '-' && s[2] >= s[0] && s[2] <= '7' && s[3] == '\0';
}

int
offices_phone_norm(const char *in, char *out, size_t len)
{
	const char	*p = in + strspn(in, " ");
	char		 e[20];

	if (*p == '\0') {		/* no phone known */
		out[0] = '\0';
		return 0;
	}
	/* Written in full, with its +: one Uzbek number (base/phone.c). */
	if (*p != '+' || phone_uz(p, e, sizeof(e)) != 0)
		return -1;
	return snprintf(out, len, "%s", e) < (int)len ? 0 : -1;
}

/* Printable text: no tab, newline or other control byte (a TSV cell). */
static int
text_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int
offices_check(struct office *o, char *field, size_t fieldlen, char *err,
    size_t errlen)
{
#define BAD(f, ...) do {						\
		snprintf(field, fieldlen, "%s", (f));			\
		snprintf(err, errlen, __VA_ARGS__);			\
		return -1;						\
	} while (0)
	if (!offices_days_ok(o->days))
		BAD("days", "days: \"%s\" is not a day 1-7 or a range such "
		    "as 1-5 (1 is Monday)", o->days);
	if (!offices_time_ok(o->opens))
		BAD("opens", "opens: \"%s\" is not HH:MM", o->opens);
	if (!offices_time_ok(o->closes))
		BAD("closes", "closes: \"%s\" is not HH:MM", o->closes);
	if (strcmp(o->opens, o->closes) >= 0)
		BAD("closes", "closes: %s is not after opens %s", o->closes,
		    o->opens);
	if (offices_phone_norm(o->phone, o->phone, sizeof(o->phone)) < 0)
		BAD("phone", "phone: \"%s\" is not +998 and 9 digits",
		    o->phone);
	for (int l = 0; l < LANG__COUNT; l++) {
		char f[32];

		snprintf(f, sizeof(f), "address.%s", lang_tag((enum lang)l));
		if (o->name[l][0] != '\0' && o->address[l][0] == '\0')
			BAD(f, "%s: empty", f);
		if (!text_ok(o->address[l]))
			BAD(f, "%s: a tab, line break or control character",
			    f);
		snprintf(f, sizeof(f), "landmark.%s", lang_tag((enum lang)l));
		if (!text_ok(o->landmark[l]))
			BAD(f, "%s: a tab, line break or control character",
			    f);
	}
	if (!text_ok(o->source))
		BAD("source", "source: a tab, line break or control character");
	return 0;
#undef BAD
}

static int
put_field(char *dst, size_t len, const char *v, const char *col, char *err,
    size_t errlen)
{
	if (strlen(v) >= len) {
		snprintf(err, errlen, "%s: longer than %zu bytes", col, len - 1);
		return -1;
	}
	snprintf(dst, len, "%s", v);
	return 0;
}

static int
office_row(char **f, size_t nf, const int *map, struct office *o,
    char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	for (int c = 0; c < OC__COUNT; c++) {
		const char	*v = map[c] >= 0 && (size_t)map[c] < nf ?
				    f[map[c]] : "";
		char		 col[32];
		int		 bad = 0;

		ocol_name(c, col, sizeof(col));
		switch (c) {
		case OC_DISTRICT:
			bad = put_field(o->district, sizeof(o->district), v,
			    col, err, errlen);
			break;
		case OC_REGION:
			bad = put_field(o->region, sizeof(o->region), v, col,
			    err, errlen);
			break;
		case OC_DAYS:
			bad = put_field(o->days, sizeof(o->days), v, col, err,
			    errlen);
			break;
		case OC_OPENS:
			bad = put_field(o->opens, sizeof(o->opens), v, col,
			    err, errlen);
			break;
		case OC_CLOSES:
			bad = put_field(o->closes, sizeof(o->closes), v, col,
			    err, errlen);
			break;
		case OC_PHONE:
			bad = put_field(o->phone, sizeof(o->phone), v, col,
			    err, errlen);
			break;
		case OC_INDICATIVE:
			o->indicative = strcmp(v, "0") != 0;
			break;
		case OC_ALIASES:
			bad = put_field(o->aliases, sizeof(o->aliases), v, col,
			    err, errlen);
			break;
		case OC_SOURCE:
			bad = put_field(o->source, sizeof(o->source), v, col,
			    err, errlen);
			break;
		default:
			if (c < OC_ADDRESS)
				bad = put_field(o->name[c - OC_NAME],
				    sizeof(o->name[0]), v, col, err, errlen);
			else if (c < OC_LANDMARK)
				bad = put_field(o->address[c - OC_ADDRESS],
				    sizeof(o->address[0]), v, col, err, errlen);
			else
				bad = put_field(o->landmark[c - OC_LANDMARK],
				    sizeof(o->landmark[0]), v, col, err, errlen);
		}
		if (bad)
			return -1;
		if (!ocol_optional(c) && v[0] == '\0') {
			snprintf(err, errlen, "%s: empty", col);
			return -1;
		}
	}
	{
		char field[32];

		return offices_check(o, field, sizeof(field), err, errlen);
	}
}

enum mj_err
offices_import(struct store *st, const struct catalog *cat, int budget,
    const char *path, char *where, size_t wherelen)
{
	FILE		*fp;
	char		 line[8192], *f[64], err[300], folded[2048];
	int		 map[OC__COUNT], lineno = 0, header = 0, n = 0;
	struct office	*o;
	enum mj_err	 rc;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(where, wherelen, "%s: %s", path, strerror(errno));
		return errno == ENOENT ? MJ_ENOTFOUND : MJ_EINPUT;
	}
	if ((o = malloc(sizeof(*o))) == NULL) {
		fclose(fp);
		return MJ_ENOMEM;
	}
	if ((rc = store_begin(st)) != MJ_OK) {
		free(o);
		fclose(fp);
		return rc;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t nf;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(where, wherelen, "%s:%d: line too long", path,
			    lineno);
			rc = MJ_EINPUT;
			break;
		}
		if (line[0] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		nf = split_tabs(line, f, sizeof(f) / sizeof(f[0]));
		if (!header) {
			for (int c = 0; c < OC__COUNT; c++) {
				char col[32];

				ocol_name(c, col, sizeof(col));
				map[c] = -1;
				for (size_t k = 0; k < nf; k++)
					if (strcmp(f[k], col) == 0)
						map[c] = (int)k;
				if (map[c] < 0 && !ocol_optional(c)) {
					snprintf(where, wherelen, "%s:%d: no "
					    "column %s", path, lineno, col);
					rc = MJ_EINPUT;
					goto end;
				}
			}
			header = 1;
			continue;
		}
		if (office_row(f, nf, map, o, err, sizeof(err)) < 0) {
			snprintf(where, wherelen, "%s:%d: %s", path, lineno, err);
			rc = MJ_EINPUT;
			break;
		}
		for (int l = 0; cat != NULL && l < LANG__COUNT; l++) {
			int seg = elig_office_segments(cat, (enum lang)l, o);

			if (seg < 0 || seg > budget) {
				snprintf(where, wherelen, "%s:%d: %s: %s: the "
				    "office reply %s", path, lineno, o->district,
				    lang_tag((enum lang)l), seg < 0 ?
				    "cannot be rendered" : "is over the SMS "
				    "budget: shorten the address");
				rc = seg < 0 ? MJ_EINPUT : MJ_ETOOBIG;
				goto end;
			}
		}
		spellings(o, folded, sizeof(folded));
		if ((rc = store_rules_office_put(st, o, folded)) != MJ_OK)
			break;
		n++;
	}
	if (rc == MJ_OK && n == 0) {
		snprintf(where, wherelen, "%s: no offices", path);
		rc = MJ_EINPUT;
	}
end:
	if (store_end(st, rc == MJ_OK) != MJ_OK && rc == MJ_OK)
		rc = MJ_EDB;
	free(o);
	fclose(fp);
	return rc;
}

enum mj_err
offices_export(struct store *st, FILE *f)
{
	struct office	*o;
	char		 col[32];
	enum mj_err	 rc;

	if ((o = malloc(sizeof(*o))) == NULL)
		return MJ_ENOMEM;
	for (int c = 0; c < OC__COUNT; c++) {
		ocol_name(c, col, sizeof(col));
		fprintf(f, "%s%s", c > 0 ? "\t" : "", col);
	}
	fputc('\n', f);
	if ((rc = store_begin(st)) != MJ_OK) {
		free(o);
		return rc;
	}
	for (int i = 0; (rc = store_rules_office_at(st, i, o)) == MJ_OK; i++) {
		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%d", o->district, o->region,
		    o->days, o->opens, o->closes, o->phone, o->indicative);
		for (int l = 0; l < LANG__COUNT; l++)
			fprintf(f, "\t%s", o->name[l]);
		for (int l = 0; l < LANG__COUNT; l++)
			fprintf(f, "\t%s", o->address[l]);
		for (int l = 0; l < LANG__COUNT; l++)
			fprintf(f, "\t%s", o->landmark[l]);
		fprintf(f, "\t%s\t%s\n", o->aliases, o->source);
	}
	store_end(st, 0);
	free(o);
	return rc == MJ_ENOTFOUND ? MJ_OK : rc;
}

enum mj_err
offices_edit(struct store *st, const struct catalog *cat, int budget,
    struct office *o, int seg[LANG__COUNT], char *field, size_t fieldlen,
    char *err, size_t errlen)
{
	field[0] = err[0] = '\0';
	if (offices_check(o, field, fieldlen, err, errlen) < 0)
		return MJ_EINPUT;
	for (int l = 0; l < LANG__COUNT; l++) {
		seg[l] = elig_office_segments(cat, (enum lang)l, o);
		if (seg[l] < 0 || seg[l] > budget) {
			snprintf(field, fieldlen, "%s", lang_tag((enum lang)l));
			snprintf(err, errlen, "%s: the office reply %s",
			    lang_tag((enum lang)l), seg[l] < 0 ?
			    "cannot be rendered" : "is over the SMS budget: "
			    "shorten the address or the landmark");
			return seg[l] < 0 ? MJ_EINPUT : MJ_ETOOBIG;
		}
	}
	return store_rules_office_edit(st, o);
}
