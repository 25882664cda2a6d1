/*
 * retrain.c - model.new.bin trained through the registered trainer, and
 * the renames that activate it or roll back (see retrain.h).  One mutex
 * guards the trainer, the running flag and every rename, so a swap never
 * meets a half-finished one; training itself runs outside it and writes
 * model.new.bin.part, renamed to model.new.bin only when it succeeded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "bot/retrain.h"
#include "bot/teach.h"

static pthread_mutex_t		mu = PTHREAD_MUTEX_INITIALIZER;
static struct retrain_trainer	trainer;
static int			have_trainer;
static int			running;

void
retrain_set_trainer(const struct retrain_trainer *t)
{
	pthread_mutex_lock(&mu);
	have_trainer = t != NULL && t->train != NULL;
	if (have_trainer)
		trainer = *t;
	else
		memset(&trainer, 0, sizeof(trainer));
	pthread_mutex_unlock(&mu);
}

void
retrain_path(const struct conf *c, const char *name, char *buf, size_t len)
{
	const char	*slash = strrchr(c->db_path, '/');

	if (slash == NULL)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - c->db_path),
		    c->db_path, name);
}

static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static enum mj_err
move(const char *from, const char *to)
{
	if (rename(from, to) == 0)
		return MJ_OK;
	log_err("model.rename", "from=\"%s\" to=\"%s\" err=\"%s\"", from, to,
	    strerror(errno));
	return MJ_EINTERNAL;
}

enum mj_err
retrain_run(const struct conf *c, struct store *st,
    struct retrain_result *out)
{
	struct retrain_trainer		t;
	struct teach_export_stats	s;
	char				labels[1100], part[1100], fresh[1100];
	enum mj_err			rc;
	FILE				*f;
	int				fd;

	memset(out, 0, sizeof(*out));
	out->current_cv = -1;
	pthread_mutex_lock(&mu);
	if (!have_trainer) {
		pthread_mutex_unlock(&mu);
		snprintf(out->err, sizeof(out->err), "no trainer in this build");
		return MJ_ECONFIG;
	}
	if (running) {
		pthread_mutex_unlock(&mu);
		snprintf(out->err, sizeof(out->err), "a retraining is under way");
		return MJ_EINTERNAL;
	}
	running = 1;
	t = trainer;
	pthread_mutex_unlock(&mu);

	out->current_cv = t.current_cv != NULL ? t.current_cv(t.ctx) : -1;
	retrain_path(c, "retrain-labels-XXXXXX", labels, sizeof(labels));
	retrain_path(c, "model.new.bin.part", part, sizeof(part));
	retrain_path(c, "model.new.bin", fresh, sizeof(fresh));
	f = NULL;
	if ((fd = mkstemp(labels)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_err("retrain.labels", "path=\"%s\" err=\"%s\"", labels,
		    strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(labels);
		}
		snprintf(out->err, sizeof(out->err), "cannot write the labels");
		rc = MJ_EINTERNAL;
		goto done;
	}
	rc = teach_export(st, NULL, f, &s);
	if (fclose(f) != 0 && rc == MJ_OK)
		rc = MJ_EINTERNAL;
	if (rc != MJ_OK) {
		snprintf(out->err, sizeof(out->err), "cannot write the labels: "
		    "%s", mj_strerror(rc));
		unlink(labels);
		goto done;
	}
	out->labels = s.written;
	unlink(part);
	if (t.train(t.ctx, labels, part, &out->new_cv, out->err,
	    sizeof(out->err)) != 0) {
		if (out->err[0] == '\0')
			snprintf(out->err, sizeof(out->err), "training failed");
		log_warn("retrain.fail", "labels=%zu err=\"%s\"", out->labels,
		    out->err);
		unlink(part);
		rc = MJ_EUPSTREAM;
	}
	unlink(labels);
done:
	pthread_mutex_lock(&mu);
	running = 0;
	if (rc == MJ_OK && (rc = move(part, fresh)) != MJ_OK)
		snprintf(out->err, sizeof(out->err), "cannot keep the model");
	pthread_mutex_unlock(&mu);
	if (rc == MJ_OK)
		log_info("retrain.done", "labels=%zu cv=%.4f current=%.4f",
		    out->labels, out->new_cv, out->current_cv);
	return rc;
}

/* Under mu: the service loads what model.bin now is; 0 and err if not. */
static int
reloaded(const char *active, char *err, size_t errlen)
{
	if (!have_trainer || trainer.reload == NULL ||
	    trainer.reload(trainer.ctx, active, err, errlen) == 0)
		return 1;
	if (err[0] == '\0')
		snprintf(err, errlen, "the model did not load");
	log_warn("model.reload", "path=\"%s\" err=\"%s\"", active, err);
	return 0;
}

/*
 * Under mu: in -> model.bin, the active one -> out (if there is one),
 * then the trainer's reload; on failure everything goes back.
 */
static enum mj_err
swap_in(const struct conf *c, const char *in, const char *out, char *err,
    size_t errlen)
{
	char		active[1100], from[1100], to[1100];
	int		had;
	enum mj_err	rc;

	retrain_path(c, "model.bin", active, sizeof(active));
	retrain_path(c, in, from, sizeof(from));
	retrain_path(c, out, to, sizeof(to));
	snprintf(err, errlen, "%s", "");
	if (!exists(from)) {
		snprintf(err, errlen, "there is no %s", in);
		return MJ_ENOTFOUND;
	}
	had = exists(active);
	if (had && (rc = move(active, to)) != MJ_OK)
		return rc;
	if ((rc = move(from, active)) != MJ_OK) {
		if (had)
			move(to, active);
		return rc;
	}
	if (!reloaded(active, err, errlen)) {
		move(active, from);
		if (had)
			move(to, active);
		return MJ_EUPSTREAM;
	}
	return MJ_OK;
}

enum mj_err
retrain_activate(const struct conf *c, char *err, size_t errlen)
{
	enum mj_err	rc;

	pthread_mutex_lock(&mu);
	rc = swap_in(c, "model.new.bin", "model.prev.bin", err, errlen);
	pthread_mutex_unlock(&mu);
	if (rc == MJ_OK)
		log_info("model.activate", "path=\"%s\"", c->db_path);
	return rc;
}

/*
 * Under mu: the first activation had no model.bin to keep (the service
 * ran on the one built beside the program): rolling back puts the
 * active one aside, and the service falls back to the built one.
 */
static enum mj_err
back_to_build(const struct conf *c, char *err, size_t errlen)
{
	char		active[1100], to[1100];
	enum mj_err	rc;

	retrain_path(c, "model.bin", active, sizeof(active));
	retrain_path(c, "model.rolledback.bin", to, sizeof(to));
	if (!exists(active)) {
		snprintf(err, errlen, "there is no model.prev.bin");
		return MJ_ENOTFOUND;
	}
	snprintf(err, errlen, "%s", "");
	if ((rc = move(active, to)) != MJ_OK)
		return rc;
	if (!reloaded(active, err, errlen)) {
		move(to, active);
		return MJ_EUPSTREAM;
	}
	return MJ_OK;
}

enum mj_err
retrain_rollback(const struct conf *c, char *err, size_t errlen)
{
	enum mj_err	rc;

	pthread_mutex_lock(&mu);
	rc = swap_in(c, "model.prev.bin", "model.rolledback.bin", err,
	    errlen);
	if (rc == MJ_ENOTFOUND)
		rc = back_to_build(c, err, errlen);
	pthread_mutex_unlock(&mu);
	if (rc == MJ_OK)
		log_info("model.rollback", "path=\"%s\"", c->db_path);
	return rc;
}

void
retrain_status(const struct conf *c, struct retrain_status *out)
{
	char			path[1100];
	struct retrain_trainer	t;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&mu);
	out->trainer = have_trainer;
	out->running = running;
	t = trainer;
	retrain_path(c, "model.bin", path, sizeof(path));
	out->active = exists(path);
	retrain_path(c, "model.new.bin", path, sizeof(path));
	out->fresh = exists(path);
	retrain_path(c, "model.prev.bin", path, sizeof(path));
	out->prev = exists(path);
	pthread_mutex_unlock(&mu);
	out->current_cv = out->trainer && t.current_cv != NULL ?
	    t.current_cv(t.ctx) : -1;
}
