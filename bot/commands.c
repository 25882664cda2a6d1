/*
 * commands.c - the subcommands of commands.h.  Their messages are the
 * program's interface (scripts and the end-to-end tests read them), so
 * they change only on purpose.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/phone.h"
#include "bot/commands.h"
#include "bot/notices.h"
#include "bot/staff.h"
#include "bot/teach.h"
#include "intents/nlu.h"
#include "intents/train_cli.h"
#include "store/helpdesk.h"
#include "store/store.h"

/*
 * With --labels among the arguments, the help desk's labels are written
 * (scrubbed, teach_export) to a file beside the database named in buf;
 * else buf is "".  Returns 0, or an exit status after saying why.
 */
static int
with_labels(const struct conf *conf, const struct nlu *nlu, int argc,
    char **argv, const char *corpus, char *buf, size_t len)
{
	struct teach_export_stats	 ts;
	struct store			*st = NULL;
	FILE				*f;
	char				 db[PATH_MAX];
	int				 fd, want = 0;

	(void)corpus;
	buf[0] = '\0';
	for (int i = 0; i < argc; i++)
		want |= strcmp(argv[i], "--labels") == 0;
	if (!want)
		return 0;
	snprintf(db, sizeof(db), "%s", conf->db_path);
	snprintf(buf, len, "%s/labels-XXXXXX", dirname(db));
	if (store_open(&st, conf->db_path) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot open the database %s\n",
		    conf->db_path);
		buf[0] = '\0';
		return 1;
	}
	if ((fd = mkstemp(buf)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "murojaat: cannot write %s\n", buf);
		if (fd != -1)
			close(fd);
		store_close(st);
		buf[0] = '\0';
		return 1;
	}
	if (teach_export(st, nlu, f, &ts) != MJ_OK || fclose(f) != 0) {
		fprintf(stderr, "murojaat: cannot export the help desk's "
		    "labels\n");
		store_close(st);
		unlink(buf);
		buf[0] = '\0';
		return 1;
	}
	store_close(st);
	fprintf(stderr, "%s: %zu help-desk labels\n", argv[0], ts.written);
	return 0;
}

int
commands_train(const struct conf *conf, const char *cmd,
    const char *corpus_dir, const char *model_out, int argc, char **argv)
{
	struct nlu	*nlu = NULL;
	char		 where[1024], corpus[PATH_MAX + 16], out[PATH_MAX];
	char		 labels[PATH_MAX];
	int		 rc;

	if (nlu_load(&nlu, conf->intents_dir, where, sizeof(where)) !=
	    MJ_OK) {
		fprintf(stderr, "murojaat: %s\n", where);
		return 1;
	}
	nlu_set_threshold(nlu, conf->nlu_threshold / 100.0);
	snprintf(corpus, sizeof(corpus), "%s", corpus_dir);
	snprintf(out, sizeof(out), "%s", model_out);
	if ((rc = with_labels(conf, nlu, argc, argv, corpus, labels,
	    sizeof(labels))) != 0) {
		nlu_free(nlu);
		return rc;
	}
	{
		/* --labels becomes the corpus and the labels, each named */
		char	*av[64];
		int	 ac = 0, named = 0;

		for (int i = 0; i < argc && ac < 58; i++) {
			named |= strcmp(argv[i], "--corpus") == 0;
			if (strcmp(argv[i], "--labels") != 0)
				av[ac++] = argv[i];
		}
		if (labels[0] != '\0') {
			if (!named) {
				av[ac++] = "--corpus";
				av[ac++] = corpus;
			}
			av[ac++] = "--corpus";
			av[ac++] = labels;
		}
		av[ac] = NULL;
		if (strcmp(cmd, "train") == 0)
			rc = intents_cmd_train(nlu, corpus, out, ac, av);
		else
			rc = intents_cmd_eval(nlu, corpus, ac, av);
	}
	if (labels[0] != '\0')
		unlink(labels);
	nlu_free(nlu);
	return rc;
}

int
commands_import(const struct commands_open *op, int argc, char **argv)
{
	struct notice_stats	 ns;
	struct bot		*bot;
	enum mj_err		 rc;

	if (argc < 1) {
		fprintf(stderr, "usage: murojaat import FILE.csv\n");
		return 2;
	}
	if ((bot = op->open(op->ctx)) == NULL)
		return 1;
	rc = notices_import_csv(bot, argv[0], stderr, &ns);
	if (rc != MJ_OK) {
		fprintf(stderr, "murojaat import: %s: nothing imported (%s)\n",
		    argv[0], mj_strerror(rc));
		return 1;
	}
	printf("%d rows: %d status changes, %d notices queued, %d opted out, "
	    "%d unchanged, %d new applications\n", ns.rows, ns.changed,
	    ns.notified, ns.opted_out, ns.unchanged, ns.created);
	return 0;
}

/* A password from stdin (without echo on a terminal); 0 if none. */
static int
read_password(const char *name, char *pw, size_t size)
{
	struct termios	 t, quiet;
	int		 tty = isatty(STDIN_FILENO), rc;

	if (tty) {
		fprintf(stderr, "Password for %s: ", name);
		tcgetattr(STDIN_FILENO, &t);
		quiet = t;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	rc = fgets(pw, (int)size, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
		fprintf(stderr, "\n");
	}
	if (!rc) {
		fprintf(stderr, "murojaat staff: no password on stdin\n");
		return 0;
	}
	pw[strcspn(pw, "\r\n")] = '\0';
	return 1;
}

/* Unix seconds as "YYYY-MM-DD HH:MM UTC". */
static void
utc_minute(int64_t at, char *buf, size_t len)
{
	time_t		t = (time_t)at;
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, len, "-");
}

static int
print_staff(void *arg, const struct hd_staff *sf)
{
	char	made[32], seen[32] = "never";

	(void)arg;
	utc_minute(sf->created_at, made, sizeof(made));
	if (sf->last_login != 0)
		utc_minute(sf->last_login, seen, sizeof(seen));
	printf("%-32s %-10s %-8s created %s  last login %s  sessions %d\n",
	    sf->username, sf->role, sf->disabled ? "disabled" : "active",
	    made, seen, sf->sessions);
	return 0;
}

int
commands_staff(const struct conf *conf, int argc, char **argv)
{
	static const char *const verbs[] = {
		[STAFF_DISABLE] = "disable", [STAFF_ENABLE] = "enable",
		[STAFF_PASSWORD] = "password", [STAFF_ROLE] = "role",
	};
	static const char *const done[] = {
		[STAFF_DISABLE] = "disabled, sessions ended",
		[STAFF_ENABLE] = "enabled",
		[STAFF_PASSWORD] = "password changed, sessions ended",
		[STAFF_ROLE] = "role changed, sessions ended",
	};
	struct store	*st = NULL;
	const char	*role = NULL, *value = NULL;
	char		 pw[1100] = "", why[160] = "";
	enum mj_err	 err;
	int		 change = -1, rc;

	for (size_t i = 0; argc >= 2 && i < sizeof(verbs) / sizeof(*verbs);
	    i++)
		if (strcmp(argv[0], verbs[i]) == 0)
			change = (int)i;
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
	if (!(argc == 1 && strcmp(argv[0], "list") == 0) &&
	    !(argc >= 2 && strcmp(argv[0], "add") == 0 && role != NULL) &&
	    !(change >= 0 && argc == (change == STAFF_ROLE ? 3 : 2))) {
		fprintf(stderr, "usage: murojaat staff add NAME --role "
		    "agent|supervisor|admin  (password on stdin)\n"
		    "       murojaat staff password NAME  (password on stdin)\n"
		    "       murojaat staff role NAME agent|supervisor|admin\n"
		    "       murojaat staff disable|enable NAME\n"
		    "       murojaat staff list\n");
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "murojaat: libsodium failed to start\n");
		return 1;
	}
	if ((strcmp(argv[0], "add") == 0 || change == STAFF_PASSWORD) &&
	    !read_password(argv[1], pw, sizeof(pw)))
		return 2;
	if (store_open(&st, conf->db_path) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot open the database %s\n",
		    conf->db_path);
		sodium_memzero(pw, sizeof(pw));
		return 1;
	}
	if (strcmp(argv[0], "list") == 0) {
		rc = store_staff_list(st, (int64_t)time(NULL), print_staff,
		    NULL) == MJ_OK ? 0 : 1;
		store_close(st);
		return rc;
	}
	if (change >= 0) {
		value = change == STAFF_PASSWORD ? pw : change == STAFF_ROLE ?
		    argv[2] : NULL;
		err = staff_change(st, argv[1], (enum staff_change)change,
		    value, (int64_t)time(NULL), why, sizeof(why));
	} else
		err = staff_add(st, argv[1], role, pw, (int64_t)time(NULL),
		    why, sizeof(why));
	sodium_memzero(pw, sizeof(pw));
	store_close(st);
	if (err != MJ_OK) {
		fprintf(stderr, "murojaat staff: %s\n", why[0] != '\0' ? why :
		    mj_strerror(err));
		return err == MJ_EINPUT || err == MJ_ENOTFOUND ? 2 : 1;
	}
	if (change >= 0)
		printf("%s: %s\n", argv[1], done[change]);
	else
		printf("%s added as %s\n", argv[1], role);
	return 0;
}

int
commands_chat(const struct commands_open *op, int argc, char **argv)
{
	struct bot	*bot;
	const char	*as = NULL;
	char		 phone[20], line[4200], req[16];
	int		 tty = isatty(STDIN_FILENO), n = 0;

	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
	if (as == NULL || phone_e164(as, phone, sizeof(phone)) == -1) {
		fprintf(stderr, "murojaat chat: --as PHONE is required, e.g. "
		    "--as +998901234567\n");
		return 2;
	}
	if ((bot = op->open(op->ctx)) == NULL)
		return 1;
	if (tty)
		printf("Chatting as %s (Ctrl-D to end).\n> ", phone);
	while (fgets(line, sizeof(line), stdin) != NULL) {
		struct bot_in	in;
		struct bot_out	out;
		enum mj_err	rc;
		size_t		len = strcspn(line, "\r\n");

		line[len] = '\0';
		if (len == 0) {
			if (tty)
				printf("> ");
			continue;
		}
		snprintf(req, sizeof(req), "chat%d", ++n);
		in = (struct bot_in){ .channel = "chat", .address = phone,
		    .phone = phone, .req = req, .text = line, .len = len,
		    .sync = 1, .now = (int64_t)time(NULL) };
		rc = bot_handle(bot, &in, &out);
		if (rc != MJ_OK)
			printf("[%s]\n", mj_strerror(rc));
		else if (out.text != NULL)
			printf("%s\n", out.text);
		bot_out_free(&out);
		if (tty)
			printf("> ");
		fflush(stdout);
	}
	if (tty)
		printf("\n");
	return 0;
}
