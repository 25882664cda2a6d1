/*
 * nlu.c - one message through normalise -> views -> word index -> language
 * -> patterns -> entities.  See nlu.h.
 *
 * Two views of the text are matched: v0, the normalised text without
 * apostrophes (Russian, English and common patterns), and v1, v0 with
 * Cyrillic transliterated to Latin (Uzbek patterns; v1 is v0 when there is
 * no Cyrillic).  Each word of a view is looked up in the pattern set's hash
 * by every beginning; the hits add language evidence and wake the few
 * patterns worth trying, which are then tried highest priority first.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "intents/detect.h"
#include "intents/entities.h"
#include "intents/model.h"
#include "intents/nlu.h"
#include "intents/normalize.h"
#include "intents/patterns.h"
#include "intents/translit.h"
#include "intents/utf8.h"

/* A model and the calls using it; freed by the last one to let go. */
struct mref {
	struct model	*m;
	int		 refs;		/* callers, + 1 while active */
};

struct nlu {
	struct pat_set	*ps;
	pthread_mutex_t	 mu;		/* guards cur and thr */
	struct mref	*cur;
	double		 thr;
};

/* A pattern this strong overrides the model (STOP, START). */
#define LANG_SURE	0.75f	/* the model names the language from here:
				 * CV 98.4% (98.2% at 0.5)
				 */
#define OVERRIDE_PRIO	90

enum mj_err
nlu_load(struct nlu **out, const char *dir, char *where, size_t wherelen)
{
	struct nlu	*n;
	enum mj_err	 rc;

	*out = NULL;
	if ((n = calloc(1, sizeof *n)) == NULL) {
		if (wherelen > 0)
			snprintf(where, wherelen, "%s: out of memory", dir);
		return MJ_ENOMEM;
	}
	if ((rc = pat_load(&n->ps, dir, where, wherelen)) != MJ_OK) {
		free(n);
		return rc;
	}
	pthread_mutex_init(&n->mu, NULL);
	n->thr = NLU_THRESHOLD;
	*out = n;
	return MJ_OK;
}

void
nlu_free(struct nlu *n)
{
	if (n == NULL)
		return;
	nlu_set_model(n, NULL);
	pthread_mutex_destroy(&n->mu);
	pat_free(n->ps);
	free(n);
}

static void
mref_put(struct nlu *n, struct mref *r)
{
	int last;

	if (r == NULL)
		return;
	pthread_mutex_lock(&n->mu);
	last = --r->refs == 0;
	pthread_mutex_unlock(&n->mu);
	if (last) {
		model_free(r->m);
		free(r);
	}
}

void
nlu_set_model(struct nlu *n, struct model *m)
{
	struct mref	*r = NULL, *old;

	if (m != NULL && (r = malloc(sizeof(*r))) == NULL) {
		/* Keep the current model rather than fail half way. */
		log_err("intents.model_swap", "err=\"out of memory\"");
		model_free(m);
		return;
	}
	if (r != NULL) {
		r->m = m;
		r->refs = 1;
	}
	pthread_mutex_lock(&n->mu);
	old = n->cur;
	n->cur = r;
	pthread_mutex_unlock(&n->mu);
	mref_put(n, old);
}

enum mj_err
nlu_load_model(struct nlu *n, const char *path, char *where,
    size_t wherelen)
{
	struct model	*m;
	enum mj_err	 rc;

	if ((rc = model_load(&m, path, where, wherelen)) != MJ_OK)
		return rc;
	nlu_set_model(n, m);
	return MJ_OK;
}

int
nlu_model_info(const struct nlu *cn, struct model_info *out)
{
	struct nlu	*n = (struct nlu *)(uintptr_t)cn;
	int		 have = 0;

	pthread_mutex_lock(&n->mu);
	if (n->cur != NULL) {
		model_get_info(n->cur->m, out);
		have = 1;
	}
	pthread_mutex_unlock(&n->mu);
	return have;
}

void
nlu_set_threshold(struct nlu *n, double t)
{
	pthread_mutex_lock(&n->mu);
	n->thr = t;
	pthread_mutex_unlock(&n->mu);
}

double
nlu_get_threshold(const struct nlu *cn)
{
	struct nlu	*n = (struct nlu *)(uintptr_t)cn;
	double		 t;

	pthread_mutex_lock(&n->mu);
	t = n->thr;
	pthread_mutex_unlock(&n->mu);
	return t;
}

/* ---- word pass ---------------------------------------------------------- */

struct pass {
	struct detect_ev	*ev;
	unsigned long long	*cand;		/* bitset of pattern ids */
	const struct pat_set	*ps;
	unsigned		 mask;		/* 1 << pat_lang allowed */
};

static void
key_cb(const struct pat_key *k, int exact, void *arg)
{
	struct pass	*p = arg;

	for (int l = 0; l < PL__COUNT; l++) {
		if (!(p->mask & (1u << l)))
			continue;
		p->ev->w[l] += k->w_prefix[l];
		if (exact)
			p->ev->w[l] += k->w_exact[l];
	}
	for (size_t i = 0; i < k->npats; i++) {
		int	id = k->pats[i];

		if (p->mask & (1u << pat_get(p->ps, (size_t)id)->lang))
			p->cand[id / 64] |= 1ULL << (id % 64);
	}
}

static int
word_cp(uint32_t c)
{
	return utf8_is_cyr(c) || utf8_is_latin(c) || (c >= '0' && c <= '9');
}

/* Every word of t[0..n) through the index; q counts Latin words with q. */
static void
words(struct pass *p, const char *t, size_t n, int count_q)
{
	for (size_t i = 0; i < n;) {
		size_t		s = i, k = i;
		int		q = 0, letters = 0;
		uint32_t	c = utf8_next(t, n, &k);

		if (!word_cp(c)) {
			i = k;
			continue;
		}
		while (i < n) {
			k = i;
			c = utf8_next(t, n, &k);
			if (!word_cp(c))
				break;
			if (c == 'q')
				q = 1;
			if (!(c >= '0' && c <= '9'))
				letters = 1;
			i = k;
		}
		if (i + 3 <= n && memcmp(t + i, "://", 3) == 0) {
			/* A web address says nothing about the language. */
			while (i < n && t[i] != ' ')
				i++;
			continue;
		}
		if (letters)
			pat_keys_of_word(p->ps, t + s, i - s, key_cb, p);
		if (q && count_q)
			p->ev->q_words++;
	}
}

/* ---- matching ----------------------------------------------------------- */

struct best {
	int		found;
	int		prio;
	int		value;
	enum pat_lang	lang;
};

static int
try_match(const struct pat *pt, const char *subj, size_t len,
    pcre2_match_data *md)
{
	int	rc = pcre2_match(pt->re, (PCRE2_SPTR)subj, len, 0,
	    PCRE2_NO_UTF_CHECK, md, NULL);

	if (rc >= 0)
		return 1;
	if (rc != PCRE2_ERROR_NOMATCH) {
		PCRE2_UCHAR	msg[128];

		pcre2_get_error_message(rc, msg, sizeof msg);
		log_warn("intents.match_fail", "err=\"%s\"", (char *)msg);
	}
	return 0;
}

static void
consider(struct best *b, const struct pat *pt, enum pat_lang want,
    const char *subj, size_t len, pcre2_match_data *md)
{
	if (b->found && pt->prio < b->prio)
		return;
	/* At equal priority only the detected language may take over. */
	if (b->found && (b->lang == want || pt->lang != want))
		return;
	if (!try_match(pt, subj, len, md))
		return;
	b->found = 1;
	b->prio = pt->prio;
	b->value = pt->value;
	b->lang = pt->lang;
}

static void
run_patterns(const struct pat_set *ps, const unsigned long long *cand,
    size_t nwords, enum pat_lang want, const char *v0, size_t n0,
    const char *v1, size_t n1, pcre2_match_data *md, struct best b[3])
{
	for (size_t w = 0; w < nwords; w++) {
		unsigned long long	bits = cand[w];

		while (bits != 0) {
			int		 bit = __builtin_ctzll(bits);
			size_t		 id = w * 64 + (size_t)bit;
			const struct pat *pt = pat_get(ps, id);

			bits &= bits - 1;
			if (pt->lang == PL_UZ)
				consider(&b[pt->kind], pt, want, v1, n1, md);
			else
				consider(&b[pt->kind], pt, want, v0, n0, md);
		}
	}
}

static void
result_clear(struct nlu_result *r)
{
	memset(r, 0, sizeof *r);
	r->lang = LANG_DEFAULT;
	r->intent = INTENT_UNKNOWN;
	r->lang_choice = -1;
}

/* A word of the letters A and R alone, in either script: "ar", "АР". */
static int
ar_word(const char *w, size_t n)
{
	size_t	i = 0, ar = 0;

	while (i < n) {
		uint32_t c = utf8_next(w, n, &i);

		if (c == 'a' || c == 'A' || c == 'r' || c == 'R' ||
		    c == 0x430 || c == 0x410 || c == 0x440 || c == 0x420)
			ar++;
		else if (utf8_is_cyr(c) || utf8_is_latin(c))
			return 0;
	}
	return ar == 2;
}

enum nlu_script
nlu_text_script(const char *text, size_t len, int has_app_no)
{
	size_t	i = 0, cyr = 0, latn = 0;

	while (i < len) {
		size_t	 start = i, wc = 0, wl = 0;
		int	 digits = 0;

		while (i < len && text[i] != ' ' && text[i] != '\t' &&
		    text[i] != '\r' && text[i] != '\n') {
			uint32_t c = utf8_next(text, len, &i);

			if (c >= '0' && c <= '9')
				digits = 1;
			else if (utf8_is_cyr(c))
				wc++;
			else if (utf8_is_latin(c))
				wl++;
		}
		if (!digits && !(has_app_no && ar_word(text + start,
		    i - start))) {
			cyr += wc;
			latn += wl;
		}
		if (i < len)
			i++;
	}
	return cyr == 0 && latn == 0 ? NLU_SCRIPT_NONE :
	    cyr > latn ? NLU_SCRIPT_CYRL : NLU_SCRIPT_LATN;
}

/* The model's part: its intent where no pattern must override it. */
static void
decide_model(const struct model *m, double thr, const char *v1, size_t n1,
    const struct best *b, struct feat_vec *fv, struct nlu_result *out,
    float *p_out)
{
	float	p[INTENT__COUNT], pl[ML__COUNT];
	int	best = 0, lbest = 0;

	/* The patterns' reading is one of the model's features. */
	out->intent = b[PAT_INTENT].found ? (enum intent)b[PAT_INTENT].value :
	    INTENT_UNKNOWN;
	out->source = b[PAT_INTENT].found ? NLU_SRC_PATTERN : NLU_SRC_NONE;
	model_features(v1, n1, out, fv);
	model_predict(m, fv, p, pl);
	if (p_out != NULL)
		memcpy(p_out, p, sizeof(p));
	for (int j = 1; j < INTENT__COUNT; j++)
		if (p[j] > p[best])
			best = j;
	for (int j = 1; j < ML__COUNT; j++)
		if (pl[j] > pl[lbest])
			lbest = j;
	/* Sure of the reply's language, the model decides it (or that the
	 * text does not say); unsure, the detector's reading stands. */
	if (out->script != NLU_SCRIPT_NONE && pl[lbest] >= LANG_SURE) {
		if (lbest == ML_NONE)
			out->lang_sure = 0;
		else {
			out->lang = lbest == ML_RU ? LANG_RU :
			    lbest == ML_EN ? LANG_EN :
			    out->script == NLU_SCRIPT_CYRL ? LANG_UZ_CYRL :
			    LANG_UZ_LATN;
			out->lang_sure = 1;
		}
	}
	if (b[PAT_INTENT].found && b[PAT_INTENT].prio >= OVERRIDE_PRIO) {
		out->intent = (enum intent)b[PAT_INTENT].value;
		out->source = NLU_SRC_PATTERN;
		out->prob = 1.0f;
		return;
	}
	out->prob = p[best];
	if (p[best] < thr) {
		out->intent = INTENT_UNKNOWN;
		out->source = NLU_SRC_NONE;
		return;
	}
	out->intent = (enum intent)best;
	out->source = NLU_SRC_MODEL;
	/* Stopping notices on a guess needs the citizen's word first. */
	if (out->intent == INTENT_OPT_OUT)
		out->confirm = 1;
}

static enum mj_err understand(const struct nlu *, const struct model *,
    double, const char *, size_t, struct nlu_result *, float *,
    struct feat_vec *);

enum mj_err
nlu_understand(const struct nlu *cnl, const char *text, size_t len,
    struct nlu_result *out)
{
	struct nlu	*nl = (struct nlu *)(uintptr_t)cnl;
	struct mref	*r;
	struct feat_vec	 fv;
	double		 thr;
	enum mj_err	 rc;

	pthread_mutex_lock(&nl->mu);
	if ((r = nl->cur) != NULL)
		r->refs++;
	thr = nl->thr;
	pthread_mutex_unlock(&nl->mu);
	if (r == NULL)
		return understand(nl, NULL, thr, text, len, out, NULL, NULL);
	if ((rc = feat_vec_init(&fv)) == MJ_OK) {
		rc = understand(nl, r->m, thr, text, len, out, NULL, &fv);
		feat_vec_free(&fv);
	} else
		result_clear(out);
	mref_put(nl, r);
	return rc;
}

enum mj_err
nlu_understand_with(const struct nlu *nl, const struct model *m,
    double threshold, const char *text, size_t len, struct nlu_result *out,
    float *p_intent)
{
	struct feat_vec	fv;
	enum mj_err	rc;

	if (p_intent != NULL)
		memset(p_intent, 0, INTENT__COUNT * sizeof(*p_intent));
	if (m == NULL)
		return understand(nl, NULL, threshold, text, len, out, NULL,
		    NULL);
	if ((rc = feat_vec_init(&fv)) != MJ_OK) {
		result_clear(out);
		return rc;
	}
	rc = understand(nl, m, threshold, text, len, out, p_intent, &fv);
	feat_vec_free(&fv);
	return rc;
}

enum mj_err
nlu_features(const struct nlu *nl, const char *text, size_t len,
    struct feat_vec *fv, struct nlu_result *r)
{
	return understand(nl, NULL, 0, text, len, r, NULL, fv);
}

/*
 * One message.  With m, the model decides (decide_model); without, the
 * patterns.  fv, when given without m, gets the features (training).
 */
static enum mj_err
understand(const struct nlu *nl, const struct model *m, double thr,
    const char *text, size_t len, struct nlu_result *out, float *p_out,
    struct feat_vec *fv)
{
	const struct pat_set	*ps = nl->ps;
	size_t			 npats = pat_count(ps);
	size_t			 nwords = (npats + 63) / 64 + 1;
	size_t			 ncap = 6 * len + 16, vcap = 2 * ncap + 1;
	size_t			 n0, n1, nalways, i, o;
	char			*mem, *norm, *v1;
	unsigned long long	*cand;
	const int		*always;
	struct norm_info	 ni;
	struct detect_ev	 ev;
	struct detect_out	 det;
	struct pass		 p;
	struct best		 b[3];
	pcre2_match_data	*md;
	enum mj_err		 rc;
	int			 hascyr;

	result_clear(out);
	if (len > NLU_MAX_TEXT && text != NULL) {
		/* A long plea is read by its beginning, cut between letters. */
		len = NLU_MAX_TEXT;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	if (text == NULL && len > 0)
		return MJ_EINPUT;
	if (len == 0)
		text = "";
	mem = malloc(nwords * sizeof *cand + ncap + vcap);
	if (mem == NULL)
		return MJ_ENOMEM;
	cand = (unsigned long long *)(void *)mem;
	norm = mem + nwords * sizeof *cand;
	v1 = norm + ncap;
	memset(cand, 0, nwords * sizeof *cand);

	if ((rc = normalize_text(text, len, norm, ncap, &n0, &ni)) != MJ_OK)
		goto done;

	/* Letter evidence, then drop apostrophes: norm becomes v0. */
	memset(&ev, 0, sizeof ev);
	ev.cyr = ni.cyr;
	ev.latn = ni.latn;
	for (i = 0, o = 0; i < n0;) {
		size_t		k = i;
		uint32_t	c = utf8_next(norm, n0, &k);

		switch (c) {
		case 0x45E: case 0x49B: case 0x493: case 0x4B3:
			ev.uz_cyr++;
			break;
		case 0x449: case 0x44B:
			ev.ru_cyr++;
			break;
		case UTF8_OKINA:
			ev.okina++;
			break;
		}
		if (c == UTF8_OKINA || c == UTF8_TUTUQ) {
			i = k;
			continue;
		}
		while (i < k)
			norm[o++] = norm[i++];
	}
	norm[o] = '\0';
	n0 = o;
	hascyr = ni.cyr > 0;
	if (hascyr) {
		n1 = translit_latn_buf(norm, n0, v1, vcap, TRANSLIT_NOAPOS);
		if (n1 == (size_t)-1) {
			rc = MJ_EINTERNAL;
			goto done;
		}
	} else {
		v1 = norm;
		n1 = n0;
	}

	p.ev = &ev;
	p.cand = cand;
	p.ps = ps;
	if (hascyr) {
		p.mask = (1u << PL_RU) | (1u << PL_EN) | (1u << PL_COMMON);
		words(&p, norm, n0, 0);
		p.mask = 1u << PL_UZ;
		words(&p, v1, n1, 0);
		/* q in the Latin words of a mixed message */
		for (i = 0; i < n0; i++)
			if (norm[i] == 'q')
				ev.q_words++;
	} else {
		p.mask = (1u << PL_UZ) | (1u << PL_RU) | (1u << PL_EN) |
		    (1u << PL_COMMON);
		words(&p, norm, n0, 1);
	}
	always = pat_always(ps, &nalways);
	for (i = 0; i < nalways; i++)
		cand[always[i] / 64] |= 1ULL << (always[i] % 64);

	detect_decide(&ev, -1, &det);

	if ((md = pcre2_match_data_create(1, NULL)) == NULL) {
		rc = MJ_ENOMEM;
		goto done;
	}
	memset(b, 0, sizeof b);
	run_patterns(ps, cand, nwords, detect_slot(det.lang), norm, n0, v1, n1,
	    md, b);
	pcre2_match_data_free(md);

	if (det.tie && b[PAT_INTENT].found && b[PAT_INTENT].lang < PL__COUNT)
		detect_decide(&ev, (int)b[PAT_INTENT].lang, &det);
	out->lang = det.lang;
	out->lang_sure = det.sure;
	ent_extract(ps, norm, n0, out);
	out->script = nlu_text_script(text, len, out->app_no[0] != '\0');
	out->pattern_intent = b[PAT_INTENT].found ?
	    (enum intent)b[PAT_INTENT].value : INTENT_UNKNOWN;
	for (size_t k = 0, in = 0; k < len; k++) {
		int sp = text[k] == ' ' || text[k] == '\t' || text[k] == '\n' ||
		    text[k] == '\r';

		out->words += !sp && !in;
		in = !sp;
	}
	if (b[PAT_PROGRAM].found)
		strcpy(out->program, pat_program_names[b[PAT_PROGRAM].value]);

	if (m != NULL)
		decide_model(m, thr, v1, n1, b, fv, out, p_out);
	else {
		out->intent = b[PAT_INTENT].found ?
		    (enum intent)b[PAT_INTENT].value : INTENT_UNKNOWN;
		out->source = b[PAT_INTENT].found ? NLU_SRC_PATTERN :
		    NLU_SRC_NONE;
		out->prob = b[PAT_INTENT].found &&
		    b[PAT_INTENT].prio >= OVERRIDE_PRIO ? 1.0f : 0.0f;
		if (fv != NULL)
			model_features(v1, n1, out, fv);
	}
	if (out->intent == INTENT_UNKNOWN && b[PAT_CHOICE].found)
		out->intent = INTENT_LANGUAGE_CHANGE;
	if (out->intent == INTENT_LANGUAGE_CHANGE && b[PAT_CHOICE].found) {
		out->lang_choice = b[PAT_CHOICE].value;
		if (out->lang_choice == PAT_CHOICE_UZ)
			out->lang_choice = ni.cyr > ni.latn ? LANG_UZ_CYRL :
			    LANG_UZ_LATN;
	}
	if (out->intent == INTENT_UNKNOWN && out->program[0] != '\0') {
		out->intent = INTENT_ELIGIBILITY;
		out->source = NLU_SRC_RULE;
	}
	/* An application number with nothing else asked is a status check. */
	if (out->app_no[0] != '\0' && (out->intent == INTENT_UNKNOWN ||
	    out->intent == INTENT_GREETING || out->intent == INTENT_HELP)) {
		out->intent = INTENT_STATUS_CHECK;
		out->source = NLU_SRC_RULE;
	}
	rc = MJ_OK;
done:
	free(mem);
	if (rc != MJ_OK)
		result_clear(out);
	return rc;
}
