/*
 * main.c - the murojaat program: options, configuration, the wiring of
 * patterns, catalogues, store and bot (and the model they reload), and
 *   serve [--demo]        the HTTP service (make run: --demo)
 *   rules import|export   eligibility data (bot/rules_data.c)
 * Every other command lives with its module and is dispatched from here:
 * chat, import, staff, store, train and eval in bot/commands.c; classify,
 * translit, sms-cost, telegram, corpus and config beside what they use.
 * Exits only here, at start-up, saying what and where.
 */
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "base/conf.h"
#include "base/log.h"
#include "base/metrics.h"
#include "bot/bot.h"
#include "bot/commands.h"
#include "bot/demo.h"
#include "bot/retrain.h"
#include "bot/rules_data.h"
#include "bot/teach.h"
#include "gateway/channel.h"
#include "gateway/kannel.h"
#include "gateway/outbox.h"
#include "gateway/server.h"
#include "gateway/staff.h"
#include "gateway/telegram.h"
#include "intents/cli.h"
#include "intents/corpus.h"
#include "intents/model.h"
#include "intents/nlu.h"
#include "intents/train.h"
#include "locales/catalog.h"
#include "locales/cli.h"
#include "store/helpdesk.h"
#include "store/store.h"

/* The config an installed program reads when none is named (make install). */
#define SYSTEM_CONF	"/etc/murojaat/murojaat.conf"

struct app {
	struct conf	 conf;
	struct store	*st;
	struct nlu	*nlu;
	struct catalog	*cat;
	struct bot	*bot;
	char		 model_path[PATH_MAX];
	struct stat	 model_sb;	/* of the file last loaded */
	int		 rooted;	/* data files found beside the program */
};

/* A data file that would not load: where (if known), how to point at it. */
static void
load_failed(const struct app *a, const char *where)
{
	if (where != NULL)
		fprintf(stderr, "murojaat: %s\n", where);
	if (!a->rooted)
		fprintf(stderr, "murojaat: intents/, locales/ and data/ are not "
		    "beside the program nor in ../share/murojaat; set intents.dir, "
		    "locales.dir and data.dir, or share.dir for all (murojaat "
		    "config)\n");
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: murojaat [--config FILE] [--set key=value]... COMMAND\n"
	    "  serve [--demo]            serve HTTP (default 127.0.0.1:8080); "
	    "--demo: with no help-desk account, a demo login shown on the "
	    "terminal\n"
	    "  chat [-v] --as PHONE      talk to the bot in this terminal "
	    "(log lines in chat.log beside the database; -v: on stderr)\n"
	    "  chat --ussd --as PHONE    walk the USSD menus in this terminal\n"
	    "  train [--corpus P] [--labels] [--out F] [--cv]  the intent "
	    "model from the corpus (and the help desk's labels)\n"
	    "  eval [--corpus P]         cross-validated accuracy of patterns, "
	    "model, both\n"
	    "  classify                  messages on stdin -> lang, intent, "
	    "entities\n"
	    "  translit --to latn|cyrl   Uzbek transliteration, stdin to "
	    "stdout\n"
	    "  sms-cost [--budget N]     SMS segments of every message\n"
	    "  ussd-cost                 every USSD screen measured\n"
	    "  telegram set-webhook URL  register the webhook with the Bot API\n"
	    "  telegram info             what the Bot API knows of the webhook\n"
	    "  import FILE.csv           registry status changes; notifies "
	    "applicants\n"
	    "  rules import FILE...      eligibility programmes (.json) or "
	    "offices (.tsv)\n"
	    "  rules export [--offices]  the same, from the database\n"
	    "  corpus export [--out FILE] the help desk's labels as a "
	    "training corpus\n"
	    "  staff add NAME --role agent|supervisor|admin\n"
	    "                            a help-desk account (password on "
	    "stdin)\n"
	    "  staff password NAME       a new password (on stdin)\n"
	    "  staff role NAME ROLE      another role\n"
	    "  staff disable|enable NAME no login (sessions end) or again\n"
	    "  staff list                the accounts\n"
	    "  store copy [--to URL]     the SQLite store into an empty "
	    "PostgreSQL database (else db.url's)\n"
	    "  config                    print a sample murojaat.conf\n");
}

/*
 * The folder holding intents/, locales/, data/ and gateway/web, whatever
 * the current folder: ../share/murojaat beside the program (make install:
 * PREFIX/bin and PREFIX/share/murojaat), else beside the program or up to
 * three folders above it (the source tree: build/san/murojaat).  Returns
 * ROOT_INSTALLED, ROOT_TREE, or ROOT_NONE: buf is then "." and the config
 * (share.dir, or intents.dir, locales.dir, ...) must say where they are.
 */
enum root { ROOT_NONE, ROOT_TREE, ROOT_INSTALLED };

static int
has_locales(const char *dir)
{
	char		probe[PATH_MAX + 32];
	struct stat	sb;

	snprintf(probe, sizeof(probe), "%s/locales/en.po", dir);
	return stat(probe, &sb) == 0 && S_ISREG(sb.st_mode);
}

static enum root
data_root(char *buf, size_t len)
{
	char	exe[PATH_MAX], share[PATH_MAX + 32], real[PATH_MAX], *dir;
	ssize_t	n;

	snprintf(buf, len, ".");
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return ROOT_NONE;
	exe[n] = '\0';
	dir = dirname(exe);
	snprintf(share, sizeof(share), "%s/../share/murojaat", dir);
	if (has_locales(share) && realpath(share, real) != NULL) {
		snprintf(buf, len, "%s", real);
		return ROOT_INSTALLED;
	}
	for (int up = 0; up < 4; up++) {
		if (has_locales(dir)) {
			snprintf(buf, len, "%s", dir);
			return ROOT_TREE;
		}
		dir = dirname(dir);
	}
	return ROOT_NONE;
}

static void
app_close(struct app *a)
{
	bot_free(a->bot);
	store_close(a->st);
	nlu_free(a->nlu);
	catalog_free(a->cat);
}

/*
 * The model file: nlu.model, else the one the help desk trained beside the
 * database, else the one make built beside the program.
 */
static void
model_path(const struct conf *c, char *buf, size_t len)
{
	char		 db[PATH_MAX];
	struct stat	 sb;

	if (c->nlu_model[0] != '\0') {
		snprintf(buf, len, "%s", c->nlu_model);
		return;
	}
	snprintf(db, sizeof(db), "%s", c->db_path);
	snprintf(buf, len, "%s/model.bin", dirname(db));
	if (stat(buf, &sb) == 0 && S_ISREG(sb.st_mode))
		return;
	snprintf(buf, len, "%s/../model.bin", c->intents_dir);
}

/*
 * (Re)load the model.  Failing at start-up leaves patterns alone, said in
 * the log and the metrics; failing later keeps the model in use.
 */
static pthread_mutex_t model_mu = PTHREAD_MUTEX_INITIALIZER;

static void
app_model_locked(struct app *a, int startup)
{
	char		where[1024], path[PATH_MAX];
	struct stat	sb;

	/* A model the help desk activated beside the database wins. */
	model_path(&a->conf, path, sizeof(path));
	if (strcmp(path, a->model_path) != 0) {
		snprintf(a->model_path, sizeof(a->model_path), "%s", path);
		memset(&a->model_sb, 0, sizeof(a->model_sb));
	}
	if (stat(a->model_path, &sb) == 0 && !startup &&
	    sb.st_ino == a->model_sb.st_ino &&
	    sb.st_mtim.tv_sec == a->model_sb.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == a->model_sb.st_mtim.tv_nsec &&
	    sb.st_size == a->model_sb.st_size)
		return;
	if (nlu_load_model(a->nlu, a->model_path, where, sizeof(where)) !=
	    MJ_OK) {
		metrics_model_load_failed();
		if (startup) {
			metrics_model(0);
			fprintf(stderr, "murojaat: no intent model (%s): "
			    "understanding runs on patterns alone; build it "
			    "with make or murojaat train\n", where);
		}
		log_warn("intents.model_unloaded", "why=\"%s\" using=%s",
		    where, startup ? "patterns" : "previous");
		memset(&a->model_sb, 0, sizeof(a->model_sb));
		if (stat(a->model_path, &sb) == 0)
			a->model_sb = sb;	/* no retry until it changes */
		return;
	}
	{
		struct model_info mi;

		a->model_sb = sb;
		metrics_model(1);
		if (nlu_model_info(a->nlu, &mi))
			log_info("intents.model_loaded", "path=%s messages=%u "
			    "cv_accuracy=%.3f", a->model_path, mi.ntrain,
			    mi.cv_accuracy);
	}
}

static void
app_model(struct app *a, int startup)
{
	pthread_mutex_lock(&model_mu);
	app_model_locked(a, startup);
	pthread_mutex_unlock(&model_mu);
}

/* ---- the help desk's retraining (bot/retrain.h) ------------------------ */

static void
corpus_dir_of(const struct conf *c, char *buf, size_t len)
{
	if (c->nlu_corpus_dir[0] != '\0')
		snprintf(buf, len, "%s", c->nlu_corpus_dir);
	else
		snprintf(buf, len, "%s/corpus", c->data_dir);
}

static int
trainer_train(void *ctx, const char *labels_tsv, const char *out_path,
    double *cv_acc, char *err, size_t errlen)
{
	struct app		*a = ctx;
	struct corpus		 c;
	struct train_opts	 o;
	struct model		*m;
	struct model_info	 mi;
	char			 dir[PATH_MAX], where[1024];
	enum mj_err		 rc;

	corpus_dir_of(&a->conf, dir, sizeof(dir));
	corpus_init(&c);
	if (corpus_read_dir(&c, dir, where, sizeof(where)) != MJ_OK ||
	    (labels_tsv != NULL && corpus_read(&c, labels_tsv, where,
	    sizeof(where)) != MJ_OK)) {
		snprintf(err, errlen, "%s", where);
		corpus_free(&c);
		return -1;
	}
	memset(&o, 0, sizeof(o));
	o.cv = 1;
	o.trained_at = (int64_t)time(NULL);
	rc = train_model(a->nlu, &c, &o, &m);
	corpus_free(&c);
	if (rc != MJ_OK) {
		snprintf(err, errlen, "training failed: %s", mj_strerror(rc));
		return -1;
	}
	model_get_info(m, &mi);
	rc = model_save(m, out_path);
	model_free(m);
	if (rc != MJ_OK) {
		snprintf(err, errlen, "cannot write the model");
		return -1;
	}
	*cv_acc = mi.cv_accuracy;
	log_info("model.trained", "messages=%u cv_accuracy=%.3f", mi.ntrain,
	    mi.cv_accuracy);
	return 0;
}

static double
trainer_current_cv(void *ctx)
{
	struct app		*a = ctx;
	struct model_info	 mi;

	return nlu_model_info(a->nlu, &mi) ? mi.cv_accuracy : -1.0;
}

/* The files changed under retrain's lock: load what is active now. */
static int
trainer_reload(void *ctx, const char *path, char *err, size_t errlen)
{
	struct app		*a = ctx;
	char			 where[1024];
	struct stat		 sb;
	int			 rc = 0;

	(void)path;
	pthread_mutex_lock(&model_mu);
	model_path(&a->conf, a->model_path, sizeof(a->model_path));
	if (nlu_load_model(a->nlu, a->model_path, where, sizeof(where)) !=
	    MJ_OK) {
		snprintf(err, errlen, "%s", where);
		metrics_model_load_failed();
		rc = -1;
	} else {
		metrics_model(1);
		if (stat(a->model_path, &sb) == 0)
			a->model_sb = sb;
		log_info("intents.model_loaded", "path=%s by=helpdesk",
		    a->model_path);
	}
	pthread_mutex_unlock(&model_mu);
	return rc;
}

static int	open_seed(struct app *, char *, size_t);

/* Load patterns and catalogues, open (and on first start fill) the store. */
static int
app_open(struct app *a)
{
	char		where[1024];
	enum mj_err	rc;
	int		lvl;

	if ((lvl = log_level_parse(a->conf.log_level)) < 0) {
		fprintf(stderr, "murojaat: log.level: \"%s\" is not one of "
		    "debug, info, warn, error\n", a->conf.log_level);
		return -1;
	}
	log_set_level((enum log_level)lvl);
	if (sodium_init() < 0) {
		fprintf(stderr, "murojaat: libsodium failed to start\n");
		return -1;
	}
	if ((rc = nlu_load(&a->nlu, a->conf.intents_dir, where,
	    sizeof(where))) != MJ_OK) {
		load_failed(a, where);
		return -1;
	}
	nlu_set_threshold(a->nlu, a->conf.nlu_threshold / 100.0);
	model_path(&a->conf, a->model_path, sizeof(a->model_path));
	app_model(a, 1);
	if ((rc = catalog_load(&a->cat, a->conf.locales_dir, where,
	    sizeof(where))) != MJ_OK) {
		load_failed(a, where);
		return -1;
	}
	if (store_open(&a->st, conf_store(&a->conf)) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot open the database %s "
		    "(see the log line above)\n", conf_store_name(&a->conf));
		return -1;
	}
	/*
	 * Nodes starting at once on an empty PostgreSQL database: one seeds,
	 * the others wait and then find the rows there.
	 */
	if (store_seed_lock(a->st, 1) != MJ_OK) {
		fprintf(stderr, "murojaat: the database %s did not answer\n",
		    conf_store_name(&a->conf));
		return -1;
	}
	rc = open_seed(a, where, sizeof(where));
	store_seed_lock(a->st, 0);
	return rc;
}

/* Rules, offices and demo data into a new database (under the seed lock). */
static int
open_seed(struct app *a, char *where, size_t wherelen)
{
	enum mj_err	rc;

	/*
	 * Eligibility rules and offices, once, from data/ (rules_data.h):
	 * first, since the demo's applications belong to those programmes.
	 */
	if ((rc = rules_data_seed(a->st, a->cat, a->conf.sms_budget,
	    a->conf.data_dir, where, wherelen)) == MJ_ENOTFOUND)
		log_warn("rules.unseeded", "why=\"%s\"", where);
	else if (rc != MJ_OK) {
		fprintf(stderr, "murojaat: %s\n", where[0] != '\0' ? where :
		    mj_strerror(rc));
		return -1;
	}
	if (store_app_count(a->st) == 0) {
		struct timespec	t0, t1;

		fprintf(stderr, "murojaat: new database %s: creating demo data "
		    "(%d applications)...\n", conf_store_name(&a->conf),
		    a->conf.demo_apps);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((rc = demo_fill(a->st, a->conf.demo_apps)) != MJ_OK) {
			fprintf(stderr, "murojaat: demo data failed%s\n",
			    rc == MJ_ENOTFOUND ? ": the programmes are not "
			    "imported (data.dir, see the log)" : "");
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(stderr, "murojaat: demo data ready in %.1f s\n",
		    (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	if (bot_new(&a->bot, &a->conf, a->st, a->nlu, a->cat) != MJ_OK)
		return -1;
	return 0;
}

/* The program, opened for a command of bot/commands.c. */
static struct bot *
app_bot(void *ctx)
{
	struct app	*a = ctx;

	return app_open(a) == -1 ? NULL : a->bot;
}

/* murojaat rules import FILE... | export [--offices] */
static int
cmd_rules(struct app *a, int argc, char **argv)
{
	if (app_open(a) == -1)
		return 1;
	return rules_data_cmd(a->st, a->cat, &a->conf, argc, argv);
}

static int
count_staff(void *arg, const struct hd_staff *sf)
{
	(void)sf;
	(*(int *)arg)++;
	return 0;
}

/*
 * No help-desk account yet.  A production start creates none: it says how
 * to add the first admin.  The demo (serve --demo, which make run uses)
 * creates a supervisor "demo" with a random password, shown once on the
 * terminal: a fixed password would be a known login on every copy left
 * running, and a password in the log or the journal is a password for
 * whoever reads them.  Without a terminal to show it on, there is none.
 */
static void
first_account(struct app *a, int demo)
{
	static const char	abc[] = "abcdefghijkmnpqrstuvwxyz"
	    "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	static const char	how[] = "add the first admin with: murojaat "
	    "staff add NAME --role admin (the password on stdin)";
	char			pw[17], why[160];
	int			n = 0;

	if (store_staff_list(a->st, (int64_t)time(NULL), count_staff, &n) !=
	    MJ_OK || n > 0)
		return;
	if (!demo || !isatty(STDERR_FILENO)) {
		fprintf(stderr, "murojaat: no help-desk account yet; %s\n",
		    how);
		log_warn("staff.none", "why=\"no help-desk account%s: %s\"",
		    demo ? " (--demo: no terminal to show a password on)" : "",
		    how);
		return;
	}
	for (size_t i = 0; i < sizeof(pw) - 1; i++)
		pw[i] = abc[randombytes_uniform(sizeof(abc) - 1)];
	pw[sizeof(pw) - 1] = '\0';
	if (staff_add(a->st, "demo", "supervisor", pw, (int64_t)time(NULL),
	    why, sizeof(why)) != MJ_OK) {
		fprintf(stderr, "murojaat: no demo login: %s\n", why);
		return;
	}
	fprintf(stderr, "\nDemo login (a supervisor; shown only now, on this "
	    "terminal): demo / %s\nMore accounts: ./murojaat staff add NAME "
	    "--role agent\n", pw);
	sodium_memzero(pw, sizeof(pw));
	log_info("staff.demo", "username=demo role=supervisor");
}

static int
cmd_serve(struct app *a, int argc, char **argv)
{
	struct server	*srv;
	struct outbox	*ob;
	sigset_t	 set;
	int		 sig, port, demo = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--demo") != 0) {
			fprintf(stderr, "murojaat serve: unknown option "
			    "\"%s\"\n", argv[i]);
			return 2;
		}
		demo = 1;
	}
	if (app_open(a) == -1)
		return 1;
	/* Signals are taken by sigwait below, not by the server's threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Before any thread shares the store. */
	if (store_open_readers(a->st, a->conf.helpdesk_readers,
	    a->conf.helpdesk_query_ms) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot open the help desk's read "
		    "connections (see the log)\n");
		return 1;
	}
	/*
	 * make run (--demo) with no SMS provider configured: SMS go to the
	 * file provider, so a reply is seen rather than waiting for ever.
	 */
	if (demo && channel_missing(channel_default(&a->conf, "sms"),
	    &a->conf) != NULL)
		snprintf(a->conf.sms_provider, sizeof(a->conf.sms_provider),
		    "file");
	channel_report(&a->conf);
	if (outbox_start(&ob, &a->conf, a->st) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot start the outbox sender\n");
		return 1;
	}
	bot_on_queued(a->bot, outbox_wake, ob);
	{
		struct retrain_trainer t = { a, trainer_train,
		    trainer_current_cv, trainer_reload };

		retrain_set_trainer(&t);
	}
	if (bot_start_writer(a->bot) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot start the writer thread\n");
		outbox_stop(ob);
		return 1;
	}
	if (a->conf.telegram_token[0] == '\0')
		log_warn("telegram.off", "why=\"telegram.token is not set: "
		    "/telegram/webhook answers 503\"");
	if (server_start(&srv, &a->conf, a->bot) != MJ_OK) {
		outbox_stop(ob);
		return 1;
	}
	port = server_port(srv);
	log_info("http.listen", "addr=%s port=%d threads=%d",
	    a->conf.http_bind, port, a->conf.http_threads);
	printf("murojaat is serving on http://%s:%d/\n\n"
	    "Try it (demo data: AR-2025-000001 belongs to +998901234567, "
	    "AR-2025-000002 to +998907654321):\n"
	    "  curl 'http://%s:%d/sms/kannel?from=%%2B998901234567&to=1234"
	    "&id=1&text=arizam%%20holati%%20AR-2025-000001'\n"
	    "  curl 'http://%s:%d/healthz'\n"
	    "or talk to it in a terminal: ./murojaat chat --as +998901234567\n",
	    a->conf.http_bind, port, a->conf.http_bind, port,
	    a->conf.http_bind, port);
	printf("\nHelp desk: http://%s:%d/\n", a->conf.http_bind, port);
	if (strcmp(channel_default(&a->conf, "sms")->name, "file") == 0) {
		char	path[600];

		printf("SMS replies and notices are written to %s, not sent "
		    "to any phone (no SMS provider is configured).\n",
		    smsfile_path(&a->conf, path, sizeof(path)));
	}
	fflush(stdout);
	first_account(a, demo);
	for (;;) {
		/* SIGHUP, or a new model file, swaps the model in. */
		struct timespec	tick = { 2, 0 };

		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == SIGHUP)
			memset(&a->model_sb, 0, sizeof(a->model_sb));
		app_model(a, 0);
	}
	log_info("http.stop", "signal=%d", sig);
	/*
	 * Requests in flight finish and are answered, what was queued is
	 * stored, then the sender stops: nothing acknowledged is lost.
	 */
	server_stop(srv);
	bot_stop_writer(a->bot);
	outbox_stop(ob);
	return 0;
}

int
main(int argc, char **argv)
{
	struct app		 a;
	struct commands_open	 op = { app_bot, &a };
	const char		*conffile = NULL, *cmd = NULL, *env;
	char			 root[PATH_MAX], where[1024];
	enum root		 installed;
	int			 i, rc;

	memset(&a, 0, sizeof(a));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			conffile = argv[++i];
		else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
			i++;	/* applied after the file, below */
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			cmd = argv[i];
			break;
		}
	}
	if (cmd == NULL) {
		usage(stderr);
		return 2;
	}
	/* Commands that read no files and no config. */
	if (strcmp(cmd, "translit") == 0)
		return intents_cmd_translit(argc - i, argv + i);
	if (strcmp(cmd, "config") == 0) {
		conf_sample(stdout);
		return 0;
	}
	/*
	 * Every other command finds its data files the same way: the config,
	 * else beside the program; the current folder only for a program
	 * that stands alone.
	 */
	installed = data_root(root, sizeof(root));
	a.rooted = installed != ROOT_NONE;
	/*
	 * An installed program with no config named and none in the current
	 * folder reads the system's, as the service does.
	 */
	if (installed == ROOT_INSTALLED && conffile == NULL &&
	    ((env = getenv("MUROJAAT_CONF")) == NULL || *env == '\0') &&
	    access("murojaat.conf", F_OK) != 0 &&
	    access(SYSTEM_CONF, R_OK) == 0)
		conffile = SYSTEM_CONF;
	if (conf_load(&a.conf, conffile, root, where, sizeof(where)) == -1) {
		fprintf(stderr, "murojaat: %s\n", where);
		return 1;
	}
	if (a.conf.share_dir[0] != '\0')
		a.rooted = 1;
	for (int j = 1; j < i; j++)
		if (strcmp(argv[j], "--set") == 0 && j + 1 < i &&
		    conf_set(&a.conf, argv[++j], where, sizeof(where)) == -1) {
			fprintf(stderr, "murojaat: --set %s\n", where);
			return 1;
		}
	if (strcmp(cmd, "classify") == 0 || strcmp(cmd, "sms-cost") == 0) {
		model_path(&a.conf, a.model_path, sizeof(a.model_path));
		rc = cmd[0] == 'c' ? intents_cmd_classify(argc - i, argv + i,
		    a.conf.intents_dir, a.model_path, a.conf.nlu_threshold /
		    100.0) : locales_cmd_sms_cost(argc - i, argv + i,
		    a.conf.locales_dir);
		if (rc != 0)
			load_failed(&a, NULL);
		return rc;
	}
	if (strcmp(cmd, "train") == 0 || strcmp(cmd, "eval") == 0) {
		char	corpus[PATH_MAX + 16], out[PATH_MAX];

		corpus_dir_of(&a.conf, corpus, sizeof(corpus));
		model_path(&a.conf, out, sizeof(out));
		return commands_train(&a.conf, cmd, corpus, out, argc - i,
		    argv + i);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(cmd, "telegram") == 0)
		rc = telegram_cmd(&a.conf, argc - i - 1, argv + i + 1);
	else if (strcmp(cmd, "serve") == 0)
		rc = cmd_serve(&a, argc - i - 1, argv + i + 1);
	else if (strcmp(cmd, "import") == 0)
		rc = commands_import(&op, argc - i - 1, argv + i + 1);
	else if (strcmp(cmd, "staff") == 0)
		rc = staff_cmd(&a.conf, argc - i - 1, argv + i + 1);
	else if (strcmp(cmd, "chat") == 0)
		rc = commands_chat(&op, &a.conf, argc - i - 1, argv + i + 1);
	else if (strcmp(cmd, "ussd-cost") == 0)
		rc = commands_ussd_cost(&op, argc - i - 1, argv + i + 1);
	else if (strcmp(cmd, "rules") == 0)
		rc = cmd_rules(&a, argc - i - 1, argv + i + 1);
	else if (strcmp(cmd, "corpus") == 0)
		rc = teach_cmd_corpus(&a.conf, argc - i - 1, argv + i + 1);
	else if (strcmp(cmd, "store") == 0)
		rc = commands_store(&a.conf, argc - i - 1, argv + i + 1);
	else {
		fprintf(stderr, "murojaat: unknown command \"%s\"\n", cmd);
		usage(stderr);
		rc = 2;
	}
	app_close(&a);
	curl_global_cleanup();
	return rc;
}
