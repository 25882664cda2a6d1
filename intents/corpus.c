/*
 * corpus.c - reading labelled messages.  See corpus.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "intents/corpus.h"

void
corpus_init(struct corpus *c)
{
	memset(c, 0, sizeof(*c));
}

void
corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].text);
		free(c->v[i].entities);
	}
	free(c->v);
	corpus_init(c);
}

/* Drop items from n on (a file that failed). */
static void
corpus_cut(struct corpus *c, size_t n)
{
	while (c->n > n) {
		c->n--;
		free(c->v[c->n].text);
		free(c->v[c->n].entities);
	}
}

static const char *
check_field(const char *s, int empty_ok)
{
	size_t	n = strlen(s);

	if (n == 0 && !empty_ok)
		return "empty";
	if (n > NLU_MAX_TEXT)
		return "longer than 4096 bytes";
	if (u8_check((const uint8_t *)s, n) != NULL)
		return "not UTF-8";
	if (strpbrk(s, "\t\r\n") != NULL)
		return "a tab or line break inside";
	return NULL;
}

enum mj_err
corpus_add(struct corpus *c, const char *text, const char *lang,
    const char *intent, const char *entities, char *where, size_t wherelen)
{
	struct corpus_item	*it;
	const char		*why;
	int			 l = -1, in;

	if (entities == NULL)
		entities = "";
	if ((why = check_field(text, 0)) != NULL) {
		snprintf(where, wherelen, "text: %s", why);
		return MJ_EINPUT;
	}
	if ((why = check_field(entities, 1)) != NULL) {
		snprintf(where, wherelen, "entities: %s", why);
		return MJ_EINPUT;
	}
	if (lang == NULL || (strcmp(lang, "-") != 0 &&
	    (l = lang_from_tag(lang)) < 0) || (l >= 0 &&
	    strcmp(lang, lang_tag((enum lang)l)) != 0)) {
		snprintf(where, wherelen, "language \"%.40s\" is not one of "
		    "uz-Latn, uz-Cyrl, ru, en, -", lang ? lang : "");
		return MJ_EINPUT;
	}
	if (intent != NULL && strcmp(intent, "off_topic") == 0)
		in = INTENT_UNKNOWN;
	else if ((in = intent_from_name(intent)) < 0) {
		snprintf(where, wherelen, "intent \"%.40s\" is not one of the "
		    "intents in INTENTS.md (or off_topic)", intent ? intent : "");
		return MJ_EINPUT;
	}
	if (c->n == c->cap) {
		size_t	 ncap = c->cap ? 2 * c->cap : 1024;
		void	*p = realloc(c->v, ncap * sizeof(*c->v));

		if (p == NULL)
			goto nomem;
		c->v = p;
		c->cap = ncap;
	}
	it = &c->v[c->n];
	it->lang = l;
	it->intent = (enum intent)in;
	if ((it->text = strdup(text)) == NULL)
		goto nomem;
	if ((it->entities = strdup(entities)) == NULL) {
		free(it->text);
		goto nomem;
	}
	c->n++;
	return MJ_OK;
nomem:
	snprintf(where, wherelen, "out of memory");
	return MJ_ENOMEM;
}

enum mj_err
corpus_read(struct corpus *c, const char *path, char *where, size_t wherelen)
{
	FILE		*f;
	char		*line = NULL, why[160];
	size_t		 cap = 0, start = c->n;
	ssize_t		 len;
	unsigned long	 lineno = 0;
	enum mj_err	 rc = MJ_OK;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(where, wherelen, "%s: cannot open", path);
		return MJ_ENOTFOUND;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		char	*fl[4] = { NULL, NULL, NULL, NULL }, *p = line;
		int	 k = 0;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (strlen(line) != (size_t)len) {
			snprintf(where, wherelen, "%s:%lu: a NUL byte", path,
			    lineno);
			rc = MJ_EINPUT;
			break;
		}
		fl[k++] = p;
		for (; *p != '\0'; p++)
			if (*p == '\t') {
				*p = '\0';
				if (k == 4)
					break;
				fl[k++] = p + 1;
			}
		if (k < 3 || *p != '\0') {
			snprintf(where, wherelen, "%s:%lu: want 3 or 4 "
			    "tab-separated fields (text, lang, intent, "
			    "entities)", path, lineno);
			rc = MJ_EINPUT;
			break;
		}
		if ((rc = corpus_add(c, fl[0], fl[1], fl[2], fl[3], why,
		    sizeof(why))) != MJ_OK) {
			snprintf(where, wherelen, "%s:%lu: %s", path, lineno,
			    why);
			break;
		}
	}
	if (rc == MJ_OK && ferror(f)) {
		snprintf(where, wherelen, "%s: read error", path);
		rc = MJ_EINPUT;
	}
	free(line);
	fclose(f);
	if (rc != MJ_OK)
		corpus_cut(c, start);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum mj_err
corpus_read_dir(struct corpus *c, const char *dir, char *where,
    size_t wherelen)
{
	DIR		*d;
	struct dirent	*e;
	char		**names = NULL, path[4096];
	size_t		 n = 0, cap = 0, start = c->n;
	enum mj_err	 rc = MJ_OK;

	if ((d = opendir(dir)) == NULL) {
		snprintf(where, wherelen, "%s: cannot open the folder", dir);
		return MJ_ENOTFOUND;
	}
	while ((e = readdir(d)) != NULL) {
		size_t	l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".tsv") != 0 ||
		    e->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t	 ncap = cap ? 2 * cap : 16;
			void	*p = realloc(names, ncap * sizeof(*names));

			if (p == NULL) {
				rc = MJ_ENOMEM;
				break;
			}
			names = p;
			cap = ncap;
		}
		if ((names[n] = strdup(e->d_name)) == NULL) {
			rc = MJ_ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == MJ_OK && n == 0) {
		snprintf(where, wherelen, "%s: no *.tsv file", dir);
		rc = MJ_ENOTFOUND;
	}
	if (rc == MJ_OK)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && rc == MJ_OK; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		rc = corpus_read(c, path, where, wherelen);
	}
	if (rc == MJ_ENOMEM)
		snprintf(where, wherelen, "%s: out of memory", dir);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc != MJ_OK)
		corpus_cut(c, start);
	return rc;
}
