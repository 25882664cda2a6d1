/*
 * sms_test.c - locales/sms.c: segment counts, sms_prepare, sms_fit.
 * The tables are tests/fixtures/sms/{segments,prepare,fit}.tsv; run from
 * the project root.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "locales/sms.h"
#include "tests/unit/check.h"

#define FIX	"tests/fixtures/sms/"

/* ---- fixture text: pieces joined by "|", "s*N" repeats, escapes ---- */

struct buf {
	char	*p;
	size_t	 n, cap;
};

static void
put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
put_uc(struct buf *b, unsigned long c)
{
	char	u[4];
	size_t	n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	put(b, u, n);
}

/* Decode a fixture field; *len gets the byte length (it may hold \x00). */
static char *
fixture_text(const char *f, size_t *len)
{
	struct buf	 out = { NULL, 0, 0 }, piece = { NULL, 0, 0 };
	const char	*p = f;

	put(&out, "", 0);
	for (;;) {
		piece.n = 0;
		put(&piece, "", 0);
		while (*p != '\0' && *p != '|') {
			if (*p == '\\' && p[1] != '\0') {
				char	*end;

				switch (p[1]) {
				case 't': put(&piece, "\t", 1); p += 2; break;
				case 'n': put(&piece, "\n", 1); p += 2; break;
				case 'r': put(&piece, "\r", 1); p += 2; break;
				case 'u': {	/* exactly 4 hex digits */
					char	hex[5] = { 0 };

					memcpy(hex, p + 2, strnlen(p + 2, 4));
					put_uc(&piece, strtoul(hex, NULL, 16));
					p += 2 + strlen(hex);
					break;
				}
				case 'U':
					put_uc(&piece, strtoul(p + 3, &end, 16));
					p = end + 1;	/* the "}" */
					break;
				case 'x': {
					char	hex[3] = { p[2], p[3], 0 };
					char	c = (char)strtoul(hex, NULL, 16);

					put(&piece, &c, 1);
					p += 4;
					break;
				}
				default:	/* \| \* \\ */
					put(&piece, p + 1, 1);
					p += 2;
				}
				continue;
			}
			if (*p == '*' && p[1] >= '0' && p[1] <= '9') {
				const char	*q = p + 1;

				while (*q >= '0' && *q <= '9')
					q++;
				if (*q == '\0' || *q == '|') {
					long	k = strtol(p + 1, NULL, 10);

					for (long i = 0; i < k; i++)
						put(&out, piece.p, piece.n);
					piece.n = 0;
					p = q;
					goto next;
				}
			}
			put(&piece, p, 1);
			p++;
		}
		put(&out, piece.p, piece.n);
next:
		if (*p != '|')
			break;
		p++;
	}
	free(piece.p);
	*len = out.n;
	return out.p;
}


static FILE *
fixture(const char *path)
{
	FILE	*fp = fopen(path, "r");

	if (fp == NULL)
		fprintf(stderr, "%s: cannot open (run from the project root)\n",
		    path);
	CHECK(fp != NULL);
	return fp;
}

/* ---- tables ---- */

static void
test_segments(void)
{
	FILE		*fp = fixture(FIX "segments.tsv");
	char		*line = NULL, *f[8];
	size_t		 cap = 0, len;
	int		 rows = 0;

	if (fp == NULL)
		return;
	while (getline(&line, &cap, fp) > 0) {
		char		*text, *prep = NULL;
		struct sms_info	 si;
		int		 want_gsm;

		if (check_tsv_fields(line, f, 8) == 0)
			continue;
		rows++;
		text = fixture_text(f[1], &len);
		if (strcmp(f[2], "yes") == 0) {
			CHECK_INT(sms_prepare(text, len, &prep), MJ_OK);
			if (prep == NULL) {
				free(text);
				continue;
			}
			free(text);
			text = prep;
			len = strlen(text);
		}
		sms_measure(text, len, &si);
		want_gsm = strcmp(f[3], "gsm7") == 0;
		if (si.coding != (want_gsm ? SMS_GSM7 : SMS_UCS2) ||
		    si.units != strtoul(f[4], NULL, 10) ||
		    si.segments != atoi(f[5]))
			fprintf(stderr, "segments.tsv: %s: got %s %zu %d, "
			    "want %s %s %s\n", f[0],
			    si.coding == SMS_GSM7 ? "gsm7" : "ucs2", si.units,
			    si.segments, f[3], f[4], f[5]);
		CHECK_INT(si.coding, want_gsm ? SMS_GSM7 : SMS_UCS2);
		CHECK_INT(si.units, strtol(f[4], NULL, 10));
		CHECK_INT(si.segments, atoi(f[5]));
		CHECK_INT(sms_is_gsm7(text, len), want_gsm);
		free(text);
	}
	CHECK(rows >= 40);
	free(line);
	fclose(fp);
}

static void
test_prepare_table(void)
{
	FILE	*fp = fixture(FIX "prepare.tsv");
	char	*line = NULL, *f[4];
	size_t	 cap = 0, la, lb;
	int	 rows = 0;

	if (fp == NULL)
		return;
	while (getline(&line, &cap, fp) > 0) {
		char	*in, *want, *got = NULL;

		if (check_tsv_fields(line, f, 4) < 2)
			continue;
		rows++;
		in = fixture_text(f[0], &la);
		want = fixture_text(f[1], &lb);
		CHECK_INT(sms_prepare(in, la, &got), MJ_OK);
		CHECK_STR(got, want);
		free(in);
		free(want);
		free(got);
	}
	CHECK(rows >= 20);
	free(line);
	fclose(fp);
}

static void
test_fit_table(void)
{
	FILE	*fp = fixture(FIX "fit.tsv");
	char	*line = NULL, *f[8];
	size_t	 cap = 0, n;
	int	 rows = 0;

	if (fp == NULL)
		return;
	while (getline(&line, &cap, fp) > 0) {
		char		*text, *hint, *head = NULL, *rest = NULL;
		enum mj_err	 rc;

		if (check_tsv_fields(line, f, 8) < 6)
			continue;
		rows++;
		text = fixture_text(f[3], &n);
		hint = fixture_text(f[2], &n);
		rc = sms_fit(text, atoi(f[1]), hint, &head, &rest);
		if (strcmp(f[4], "ERROR") == 0) {
			CHECK_INT(rc, MJ_ETOOBIG);
			CHECK(head == NULL && rest == NULL);
		} else {
			char	*wh = fixture_text(f[4], &n);
			char	*wr = strcmp(f[5], "-") ? fixture_text(f[5], &n) :
				    NULL;

			if (rc != MJ_OK || !head || strcmp(head, wh) ||
			    (wr == NULL) != (rest == NULL) ||
			    (wr && strcmp(rest, wr)))
				fprintf(stderr, "fit.tsv: %s failed\n", f[0]);
			CHECK_INT(rc, MJ_OK);
			CHECK_STR(head, wh);
			if (wr == NULL)
				CHECK(rest == NULL);
			else
				CHECK_STR(rest, wr);
			free(wh);
			free(wr);
		}
		free(text);
		free(hint);
		free(head);
		free(rest);
	}
	CHECK(rows >= 12);
	free(line);
	fclose(fp);
}

/* ---- properties ---- */

static int
sp(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static uint32_t	seed = 12345;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 8) % n;
}

/*
 * Reference for sms_fit on one-alphabet text: try every boundary, keep the
 * longest fitting sentence end, else the longest fitting word end.
 */
static size_t
reference_cut(const char *t, int budget, const char *hint)
{
	size_t	n = strlen(t), best_s = 0, best_w = 0;

	for (size_t i = 1; i < n; i++) {
		char		*cand;
		struct sms_info	 si;
		size_t		 j = i;
		int		 sent;

		if (!sp(t[i]) || sp(t[i - 1]))
			continue;
		if (asprintf(&cand, "%.*s %s", (int)i, t, hint) < 0)
			abort();
		sms_measure(cand, strlen(cand), &si);
		free(cand);
		if (si.segments > budget)
			continue;
		while (j > 0 && strchr("\"')]", t[j - 1]))
			j--;
		sent = (j > 0 && strchr(".!?", t[j - 1])) ||
		    t[i + strspn(t + i, " \t\r")] == '\n';
		best_w = i;
		if (sent)
			best_s = i;
	}
	return best_s ? best_s : best_w;
}

static void
test_fit_properties(void)
{
	static const char *const latin[] = {
		"ariza", "holati", "ko'rib", "chiqilmoqda.", "Inson", "markazi",
		"AR-2025-000001", "nafaqa", "to'lov!", "yo'q?", "va", "\"ha.\"",
		"uzunroqsozbuyerda", "x"
	};
	static const char *const cyr[] = {
		"ариза", "ҳолати", "кўриб", "чиқилмоқда.", "Инсон", "маркази",
		"AR-2025-000001", "нафақа", "тўлов!", "йўқ?", "ва", "ҳа.", "ж"
	};
	int	bad = 0;

	for (int round = 0; round < 400; round++) {
		int			 cyrl = round % 2, budget = 1 + (int)rnd(3);
		const char *const	*w = cyrl ? cyr : latin;
		size_t			 nw = cyrl ? sizeof cyr / sizeof *cyr :
					    sizeof latin / sizeof *latin;
		const char		*hint = cyrl ? "1 - далее" :
					    "Reply 1 for more";
		struct buf		 t = { NULL, 0, 0 };
		char			*head = NULL, *rest = NULL;
		int			 words = 5 + (int)rnd(120);
		enum mj_err		 rc;

		put(&t, "", 0);
		for (int i = 0; i < words; i++) {
			const char	*x = w[rnd((uint32_t)nw)];

			if (i > 0)
				put(&t, rnd(15) == 0 ? "\n" : " ", 1);
			put(&t, x, strlen(x));
		}
		rc = sms_fit(t.p, budget, hint, &head, &rest);
		if (rc != MJ_OK) {
			bad++;
			free(t.p);
			continue;
		}
		if (rest == NULL) {
			struct sms_info	si;

			sms_measure(t.p, t.n, &si);
			if (si.segments > budget || strcmp(head, t.p))
				bad++;
		} else {
			size_t		 hl = strlen(head), cut;
			struct sms_info	 si;
			char		*whole;

			/* A prefix, cut at whitespace, never mid-word. */
			if (strncmp(head, t.p, hl) != 0 || !sp(t.p[hl]) ||
			    hl == 0 || sp(head[hl - 1]))
				bad++;
			/* The rest is exactly what follows. */
			if (strcmp(t.p + hl + strspn(t.p + hl, " \n"), rest))
				bad++;
			if (asprintf(&whole, "%s %s", head, hint) < 0)
				abort();
			sms_measure(whole, strlen(whole), &si);
			if (si.segments > budget)
				bad++;
			free(whole);
			cut = reference_cut(t.p, budget, hint);
			if (cut != hl) {
				fprintf(stderr, "fit: round %d: cut %zu, "
				    "reference %zu\n", round, hl, cut);
				bad++;
			}
		}
		free(t.p);
		free(head);
		free(rest);
	}
	CHECK_INT(bad, 0);
}

/* Whatever bytes come in: no crash, no leak, sane answers. */
static void
test_garbage(void)
{
	char		 b[300];
	struct sms_info	 si;
	int		 bad = 0;

	for (int round = 0; round < 2000; round++) {
		size_t	 n = rnd(sizeof b);
		char	*out = NULL, *head = NULL, *rest = NULL;

		for (size_t i = 0; i < n; i++)
			b[i] = (char)(rnd(4) ? rnd(256) : ' ');
		sms_measure(b, n, &si);
		if (n > 0 && si.segments < 1)
			bad++;
		(void)sms_is_gsm7(b, n);
		if (sms_prepare(b, n, &out) == MJ_OK) {
			if (out == NULL)
				bad++;
		} else if (out != NULL)
			bad++;
		free(out);
		b[n] = '\0';
		(void)sms_fit(b, 1 + (int)rnd(3), "more", &head, &rest);
		free(head);
		free(rest);
	}
	CHECK_INT(bad, 0);
}

static void
test_edges(void)
{
	char		*out = (char *)1, *head = (char *)1, *rest = (char *)1;
	struct sms_info	 si;

	CHECK_INT(sms_prepare("a\0b", 3, &out), MJ_EINPUT);
	CHECK(out == NULL);
	out = (char *)1;
	CHECK_INT(sms_prepare("a\xc3", 2, &out), MJ_EINPUT);
	CHECK(out == NULL);
	CHECK_INT(sms_prepare("\xed\xa0\x80", 3, &out), MJ_EINPUT); /* surrogate */
	CHECK_INT(sms_prepare("\xc0\xaf", 2, &out), MJ_EINPUT);	/* overlong */
	CHECK_INT(sms_prepare("", 0, &out), MJ_OK);
	CHECK_STR(out, "");
	free(out);
	CHECK_INT(sms_prepare(NULL, 0, &out), MJ_EINPUT);

	sms_measure(NULL, 5, &si);
	CHECK_INT(si.segments, 0);
	CHECK_INT(sms_is_gsm7("", 0), 1);
	CHECK_INT(sms_is_gsm7("\x1b", 1), 0);	/* ESC is not a character */
	CHECK_INT(sms_is_gsm7("a\tb", 3), 0);
	CHECK_INT(sms_is_gsm7("a\x0c", 2), 1);	/* form feed: extension */

	CHECK_INT(sms_fit(NULL, 1, "x", &head, &rest), MJ_EINPUT);
	CHECK(head == NULL && rest == NULL);
	CHECK_INT(sms_fit("abc", 0, "x", &head, &rest), MJ_EINPUT);
	CHECK_INT(sms_fit("a\xff", 1, "x", &head, &rest), MJ_EINPUT);
	CHECK_INT(sms_fit("   ", 1, "x", &head, &rest), MJ_OK);
	CHECK_STR(head, "");
	CHECK(rest == NULL);
	free(head);
	/* No hint: no trailing space is counted. */
	{
		char	t[400];

		memset(t, 'a', 160);
		memcpy(t + 160, " b", 3);
		CHECK_INT(sms_fit(t, 1, NULL, &head, &rest), MJ_OK);
		CHECK_INT(head ? strlen(head) : 0, 160);
		CHECK_STR(rest, "b");
		free(head);
		free(rest);
	}
}

int
main(void)
{
	test_segments();
	test_prepare_table();
	test_fit_table();
	test_fit_properties();
	test_garbage();
	test_edges();
	return check_done("sms_test");
}
