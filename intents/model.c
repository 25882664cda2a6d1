/*
 * model.c - features of a message, the model file, prediction.  See
 * model.h.  Training lives in train.c, the only file that needs liblinear.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intents/model.h"
#include "intents/model_int.h"
#include "intents/utf8.h"

/* ---- features ----------------------------------------------------------- */

enum mj_err
feat_vec_init(struct feat_vec *fv)
{
	fv->n = 0;
	fv->cap = MODEL_MAX_FEATS;
	fv->f = malloc(fv->cap * sizeof(*fv->f));
	fv->seen = calloc(MODEL_DIM / 64, sizeof(*fv->seen));
	if (fv->f == NULL || fv->seen == NULL) {
		feat_vec_free(fv);
		return MJ_ENOMEM;
	}
	return MJ_OK;
}

void
feat_vec_free(struct feat_vec *fv)
{
	free(fv->f);
	free(fv->seen);
	fv->f = NULL;
	fv->seen = NULL;
	fv->n = fv->cap = 0;
}

#define FNV_OFF		2166136261u
#define FNV_PRIME	16777619u

static uint32_t
fnv(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* Raw hashes are collected, then sorted and counted. */
struct fcollect {
	uint32_t	*h;
	size_t		 n, cap;
};

static void
add_hash(struct fcollect *c, uint32_t h)
{
	if (c->n < c->cap)
		c->h[c->n++] = (h ^ (h >> 15)) & (MODEL_DIM - 1);
}

static void
add_token(struct fcollect *c, char kind, const char *s, size_t n)
{
	uint32_t h = fnv(FNV_OFF, &kind, 1);

	add_hash(c, fnv(h, s, n));
}

static int
word_cp(uint32_t c)
{
	return utf8_is_cyr(c) || utf8_is_latin(c) || (c >= '0' && c <= '9');
}

/* The class a run of k digits becomes. */
static const char *
digit_class(size_t k)
{
	return k <= 2 ? "0" : k <= 5 ? "00" : k <= 8 ? "000" :
	    k <= 13 ? "0000" : "00000";
}

#define WORD_MAX	64	/* bytes of a word kept for its features */

/* Character n-grams (1..5 code points) of " w ". */
static void
char_grams(struct fcollect *c, const char *w, size_t n)
{
	size_t	off[WORD_MAX + 3], np = 0;
	char	buf[WORD_MAX + 3];
	size_t	bn = 0;

	buf[bn++] = ' ';
	memcpy(buf + bn, w, n);
	bn += n;
	buf[bn++] = ' ';
	for (size_t i = 0; i < bn;) {
		off[np++] = i;
		utf8_next(buf, bn, &i);
	}
	off[np] = bn;
	for (size_t i = 0; i < np; i++)
		for (size_t g = 1; g <= 5 && i + g <= np; g++) {
			char kind = (char)('0' + g);

			if (g == 1 && (buf[off[i]] == ' '))
				continue;
			add_token(c, kind, buf + off[i], off[i + g] - off[i]);
		}
}

void
model_features(const char *t, size_t n, const struct nlu_result *r,
    struct feat_vec *out)
{
	uint32_t	 hb[MODEL_MAX_FEATS];
	struct fcollect	 c = { hb, 0, MODEL_MAX_FEATS };
	char		 w[WORD_MAX + 8], prev[WORD_MAX + 8], bi[2 * WORD_MAX + 20];
	size_t		 wn, pn = 0, nwords = 0;
	double		 norm = 0;

	out->n = 0;
	for (size_t i = 0; i < n && c.n < c.cap;) {
		size_t		k = i;
		uint32_t	cp = utf8_next(t, n, &k);

		if (!word_cp(cp)) {
			i = k;
			continue;
		}
		/* One word; each run of digits becomes its class. */
		wn = 0;
		while (i < n) {
			k = i;
			cp = utf8_next(t, n, &k);
			if (!word_cp(cp))
				break;
			if (cp >= '0' && cp <= '9') {
				size_t		 d = 0;
				const char	*cls;

				while (i < n && t[i] >= '0' && t[i] <= '9') {
					i++;
					d++;
				}
				cls = digit_class(d);
				if (wn + strlen(cls) <= WORD_MAX) {
					memcpy(w + wn, cls, strlen(cls));
					wn += strlen(cls);
				}
				continue;
			}
			if (wn + (k - i) <= WORD_MAX) {
				memcpy(w + wn, t + i, k - i);
				wn += k - i;
			}
			i = k;
		}
		if (wn == 0)
			continue;
		nwords++;
		char_grams(&c, w, wn);
		add_token(&c, 'w', w, wn);
		if (pn > 0) {
			memcpy(bi, prev, pn);
			bi[pn] = ' ';
			memcpy(bi + pn + 1, w, wn);
			add_token(&c, 'b', bi, pn + 1 + wn);
		} else
			add_token(&c, 'f', w, wn);	/* the first word */
		memcpy(prev, w, wn);
		pn = wn;
	}
	if (r != NULL) {
		if (r->app_no[0] != '\0')
			add_token(&c, 'e', "app_no", 6);
		if (r->pinfl[0] != '\0')
			add_token(&c, 'e', "pinfl", 5);
		if (r->phone[0] != '\0')
			add_token(&c, 'e', "phone", 5);
		if (r->has_number)
			add_token(&c, 'e', "number", 6);
		if (r->program[0] != '\0')
			add_token(&c, 'e', r->program, strlen(r->program));
		if (r->source == NLU_SRC_PATTERN) {
			const char *nm = intent_name(r->intent);

			add_token(&c, 'p', nm, strlen(nm));
		}
		add_token(&c, 's', r->script == NLU_SCRIPT_CYRL ? "c" :
		    r->script == NLU_SCRIPT_LATN ? "l" : "n", 1);
	}
	{
		char	len = nwords == 0 ? '0' : nwords == 1 ? '1' :
		    nwords == 2 ? '2' : nwords <= 4 ? '3' : nwords <= 8 ?
		    '4' : nwords <= 16 ? '5' : '6';

		add_token(&c, 'n', &len, 1);
	}
	/* Each slot once (present or not: counts add nothing); the bits
	 * are cleared again after, touching only those set. */
	for (size_t i = 0; i < c.n; i++) {
		uint32_t	h = c.h[i];
		uint64_t	bit = (uint64_t)1 << (h & 63);

		if (out->seen[h >> 6] & bit)
			continue;
		out->seen[h >> 6] |= bit;
		out->f[out->n].idx = h;
		out->f[out->n].val = 1.0f;
		out->n++;
		norm += 1.0;
	}
	for (size_t i = 0; i < out->n; i++)
		out->seen[out->f[i].idx >> 6] = 0;
	if (norm > 0) {
		float s = (float)(1.0 / sqrt(norm));

		for (size_t i = 0; i < out->n; i++)
			out->f[i].val *= s;
	}
}

/* ---- the file ----------------------------------------------------------- */

static const char MAGIC[8] = { 'M', 'J', 'M', 'O', 'D', 'E', 'L', '1' };

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint32_t
fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static float
bitsf(uint32_t u)
{
	float f;

	memcpy(&f, &u, 4);
	return f;
}

size_t
model_file_size(void)
{
	return MODEL_HDR + (size_t)MODEL_K * 4 + (size_t)MODEL_DIM * MODEL_K *
	    4 + 4;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	free(m->w);
	free(m->q);
	free(m);
}

struct model *
model_alloc(void)
{
	struct model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if ((m->w = calloc((size_t)MODEL_DIM * MODEL_K, sizeof(float))) ==
	    NULL) {
		free(m);
		return NULL;
	}
	for (int k = 0; k < MODEL_K; k++)
		m->bias[k] = -INFINITY;
	return m;
}

void
model_get_info(const struct model *m, struct model_info *out)
{
	memset(out, 0, sizeof(*out));
	out->dim = MODEL_DIM;
	out->nclass = INTENT__COUNT;
	out->cv_accuracy = m->cv_accuracy;
	out->ntrain = m->ntrain;
	out->trained_at = m->trained_at;
	out->bytes = sizeof(*m) + (m->q != NULL ? (size_t)MODEL_DIM * MODEL_K :
	    0) + (m->w != NULL ? (size_t)MODEL_DIM * MODEL_K * sizeof(float) :
	    0);
}

/*
 * Layout: magic[8] version dim k features_version cv_accuracy ntrain
 * trained_at(lo, hi) then the intent names (INTENT__COUNT x 24 bytes);
 * bias[k]; w[dim][k]; fnv checksum of everything before it.
 */
enum mj_err
model_save(const struct model *m, const char *path)
{
	size_t		 size = model_file_size(), o = 0;
	unsigned char	*b = malloc(size);
	char		 tmp[4096];
	int		 fd;
	enum mj_err	 rc = MJ_OK;

	if (b == NULL)
		return MJ_ENOMEM;
	memset(b, 0, MODEL_HDR);
	memcpy(b, MAGIC, 8);
	put32(b + 8, MODEL_VERSION);
	put32(b + 12, MODEL_DIM);
	put32(b + 16, MODEL_K);
	put32(b + 20, MODEL_FEATURES_VERSION);
	put32(b + 24, fbits(m->cv_accuracy));
	put32(b + 28, m->ntrain);
	put32(b + 32, (uint32_t)((uint64_t)m->trained_at & 0xffffffffu));
	put32(b + 36, (uint32_t)((uint64_t)m->trained_at >> 32));
	for (int i = 0; i < INTENT__COUNT; i++)
		snprintf((char *)b + 40 + 24 * i, 24, "%s",
		    intent_name((enum intent)i));
	o = MODEL_HDR;
	for (int k = 0; k < MODEL_K; k++, o += 4)
		put32(b + o, fbits(m->bias[k]));
	for (size_t i = 0; i < (size_t)MODEL_DIM * MODEL_K; i++, o += 4)
		put32(b + o, fbits(m->w[i]));
	put32(b + o, fnv(FNV_OFF, b, o));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) ==
	    -1) {
		free(b);
		return MJ_ECONFIG;
	}
	for (size_t w = 0; w < size;) {
		ssize_t k = write(fd, b + w, size - w);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			rc = MJ_ECONFIG;
			break;
		}
		w += (size_t)k;
	}
	if (rc == MJ_OK && fsync(fd) != 0)
		rc = MJ_ECONFIG;
	if (close(fd) != 0)
		rc = MJ_ECONFIG;
	if (rc == MJ_OK && rename(tmp, path) != 0)
		rc = MJ_ECONFIG;
	if (rc != MJ_OK)
		unlink(tmp);
	free(b);
	return rc;
}

enum mj_err
model_load_mem(struct model **out, const void *buf, size_t len, char *where,
    size_t wherelen)
{
	const unsigned char	*b = buf;
	struct model		*m;
	size_t			 o;

	*out = NULL;
#define BAD(...) do { snprintf(where, wherelen, __VA_ARGS__);		\
	return MJ_EINPUT; } while (0)
	if (len < MODEL_HDR || memcmp(b, MAGIC, 8) != 0)
		BAD("not a murojaat model file");
	if (get32(b + 8) != MODEL_VERSION || get32(b + 20) !=
	    MODEL_FEATURES_VERSION)
		BAD("a model of another version (retrain it: murojaat train)");
	if (get32(b + 12) != MODEL_DIM || get32(b + 16) != MODEL_K)
		BAD("a model of other dimensions (retrain it)");
	if (len != model_file_size())
		BAD("%zu bytes, want %zu: cut short or padded", len,
		    model_file_size());
	o = len - 4;
	if (get32(b + o) != fnv(FNV_OFF, b, o))
		BAD("checksum mismatch: the file is corrupt");
	for (int i = 0; i < INTENT__COUNT; i++) {
		const char *nm = (const char *)b + 40 + 24 * i;

		if (memchr(nm, '\0', 24) == NULL ||
		    strcmp(nm, intent_name((enum intent)i)) != 0)
			BAD("intent %d is \"%.23s\", want \"%s\"", i, nm,
			    intent_name((enum intent)i));
	}
	if ((m = model_alloc()) == NULL) {
		snprintf(where, wherelen, "out of memory");
		return MJ_ENOMEM;
	}
	m->cv_accuracy = bitsf(get32(b + 24));
	m->ntrain = get32(b + 28);
	m->trained_at = (int64_t)((uint64_t)get32(b + 32) |
	    (uint64_t)get32(b + 36) << 32);
	if (!(m->cv_accuracy >= 0 && m->cv_accuracy <= 1))
		m->cv_accuracy = 0;
	o = MODEL_HDR;
	for (int k = 0; k < MODEL_K; k++, o += 4) {
		m->bias[k] = bitsf(get32(b + o));
		if (isnan(m->bias[k]) || m->bias[k] == INFINITY) {
			model_free(m);
			BAD("bias %d is not a number", k);
		}
	}
	for (size_t i = 0; i < (size_t)MODEL_DIM * MODEL_K; i++, o += 4) {
		m->w[i] = bitsf(get32(b + o));
		if (!isfinite(m->w[i])) {
			model_free(m);
			BAD("weight %zu is not a finite number", i);
		}
	}
#undef BAD
	if (model_quantize(m, 0) != MJ_OK) {
		model_free(m);
		return MJ_ENOMEM;
	}
	*out = m;
	return MJ_OK;
}

enum mj_err
model_quantize(struct model *m, int keep)
{
	size_t	n = (size_t)MODEL_DIM * MODEL_K;

	if (m->w == NULL)
		return m->q != NULL ? MJ_OK : MJ_EINPUT;
	if (m->q == NULL && (m->q = malloc(n)) == NULL)
		return MJ_ENOMEM;
	for (int k = 0; k < MODEL_K; k++) {
		float	max = 0;

		for (size_t j = (size_t)k; j < n; j += MODEL_K)
			if (fabsf(m->w[j]) > max)
				max = fabsf(m->w[j]);
		m->qscale[k] = max > 0 ? max / 127.0f : 1.0f;
		for (size_t j = (size_t)k; j < n; j += MODEL_K)
			m->q[j] = (int8_t)lrintf(m->w[j] / m->qscale[k]);
	}
	if (!keep) {
		free(m->w);
		m->w = NULL;
	}
	return MJ_OK;
}

enum mj_err
model_load(struct model **out, const char *path, char *where,
    size_t wherelen)
{
	struct stat	 sb;
	unsigned char	*b;
	size_t		 got = 0;
	int		 fd;
	enum mj_err	 rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(where, wherelen, "%s: cannot open (%s)", path,
		    strerror(errno));
		return MJ_ENOTFOUND;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size != model_file_size()) {
		snprintf(where, wherelen, "%s: not a model file of this "
		    "version (%lld bytes, want %zu)", path,
		    (long long)sb.st_size, model_file_size());
		close(fd);
		return MJ_EINPUT;
	}
	if ((b = malloc((size_t)sb.st_size)) == NULL) {
		close(fd);
		snprintf(where, wherelen, "%s: out of memory", path);
		return MJ_ENOMEM;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t k = read(fd, b + got, (size_t)sb.st_size - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	if (got != (size_t)sb.st_size) {
		free(b);
		snprintf(where, wherelen, "%s: read error", path);
		return MJ_EINPUT;
	}
	{
		char why[200];

		rc = model_load_mem(out, b, got, why, sizeof(why));
		if (rc != MJ_OK)
			snprintf(where, wherelen, "%s: %s", path, why);
	}
	free(b);
	return rc;
}

/* ---- prediction ----------------------------------------------------------- */

/* One-vs-rest logistic outputs, normalised to sum 1 (as liblinear does). */
static void
ovr_prob(const float *s, int from, int to, float *p)
{
	double sum = 0;

	for (int k = from; k < to; k++) {
		double v = isinf(s[k]) ? 0.0 : 1.0 / (1.0 + exp(-(double)s[k]));

		p[k - from] = (float)v;
		sum += v;
	}
	for (int k = from; k < to; k++)
		p[k - from] = sum > 0 ? (float)(p[k - from] / sum) :
		    1.0f / (float)(to - from);
}

void
model_predict(const struct model *m, const struct feat_vec *fv,
    float p_intent[INTENT__COUNT], float p_lang[ML__COUNT])
{
	float	s[MODEL_K], acc[MODEL_K] = { 0 };

	for (size_t i = 0; i < fv->n; i++) {
		const int8_t	*q = m->q + (size_t)fv->f[i].idx * MODEL_K;
		float		 v = fv->f[i].val;

		/* Rows are scattered over megabytes: ask for one ahead. */
		if (i + 8 < fv->n)
			__builtin_prefetch(m->q + (size_t)fv->f[i + 8].idx *
			    MODEL_K);
		for (int k = 0; k < MODEL_K; k++)
			acc[k] += v * (float)q[k];
	}
	for (int k = 0; k < MODEL_K; k++)
		s[k] = m->bias[k] + acc[k] * m->qscale[k];
	ovr_prob(s, 0, INTENT__COUNT, p_intent);
	ovr_prob(s, MODEL_LANG0, MODEL_LANG0 + ML__COUNT, p_lang);
}
