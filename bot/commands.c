/*
 * commands.c - the subcommands of commands.h.  Their messages are the
 * program's interface (scripts and the end-to-end tests read them), so
 * they change only on purpose.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/phone.h"
#include "bot/commands.h"
#include "bot/notices.h"
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
	if (store_open(&st, conf_store(conf)) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot open the database %s\n",
		    conf_store_name(conf));
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

/*
 * The USSD menus in the terminal: a session of its own ("chat-PID-TIME"),
 * started as a gateway starts one, then each line is one input, as a
 * keypad sends it.  The screens are printed as the phone shows them, a
 * blank line after each; the session ends with an END screen or Ctrl-D.
 */
static int
chat_ussd(struct bot *bot, const char *phone, int tty)
{
	char	session[48], line[256], req[16];
	size_t	len = 0;
	int	n = 0;

	snprintf(session, sizeof(session), "chat-%ld-%lld", (long)getpid(),
	    (long long)time(NULL));
	line[0] = '\0';
	if (tty)
		printf("USSD as %s (digits, 0 back, 00 home; Ctrl-D to "
		    "end).\n", phone);
	for (;;) {
		struct bot_in	in;
		struct bot_out	out;
		enum mj_err	rc;
		int		end;

		snprintf(req, sizeof(req), "ussd%d", n);
		in = (struct bot_in){ .event = BOT_USSD, .channel = "ussd",
		    .provider = "chat", .address = phone, .phone = phone,
		    .req = req, .text = line, .len = len, .sync = 1,
		    .now = (int64_t)time(NULL), .session = session,
		    .service = "chat", .ussd_input = n++ > 0 };
		rc = bot_handle(bot, &in, &out);
		if (rc != MJ_OK || out.text == NULL) {
			printf("[%s]\n", mj_strerror(rc != MJ_OK ? rc :
			    MJ_EINTERNAL));
			bot_out_free(&out);
			return 1;
		}
		end = strncmp(out.text, "END ", 4) == 0;
		printf("%s\n\n", out.text + 4);
		bot_out_free(&out);
		if (end)
			break;
		if (tty)
			printf("> ");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			break;
		line[len = strcspn(line, "\r\n")] = '\0';
	}
	fflush(stdout);
	return 0;
}

/*
 * The conversation alone on the terminal: log lines go to chat.log beside
 * the database (its folder made if need be), or stay on stderr when that
 * cannot be written, saying so.  path gets the file's name, or "".
 */
static void
chat_log(const struct conf *conf, char *path, size_t len)
{
	char	db[PATH_MAX], *dir;

	snprintf(db, sizeof(db), "%s", conf->db_path);
	dir = dirname(db);
	snprintf(path, len, "%s/chat.log", dir);
	if (log_to_file(path) == 0)
		return;
	if (mkdir(dir, 0750) == 0 && log_to_file(path) == 0)
		return;
	fprintf(stderr, "murojaat chat: cannot write %s (%s): log lines go "
	    "to stderr\n", path, strerror(errno));
	path[0] = '\0';
}

int
commands_chat(const struct commands_open *op, const struct conf *conf,
    int argc, char **argv)
{
	struct bot	*bot;
	const char	*as = NULL;
	char		 phone[20], line[4200], req[16], logf[PATH_MAX + 16];
	int		 tty = isatty(STDIN_FILENO), n = 0, ussd = 0;
	int		 verbose = 0;

	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
		else if (strcmp(argv[i], "--ussd") == 0)
			ussd = 1;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else {
			fprintf(stderr, "murojaat chat: unknown option \"%s\"; "
			    "usage: murojaat chat [--ussd] [-v] --as PHONE\n",
			    argv[i]);
			return 2;
		}
	if (as == NULL || phone_e164(as, phone, sizeof(phone)) == -1) {
		fprintf(stderr, "murojaat chat: --as PHONE is required, e.g. "
		    "--as +998901234567\n");
		return 2;
	}
	logf[0] = '\0';
	if (!verbose)
		chat_log(conf, logf, sizeof(logf));
	if ((bot = op->open(op->ctx)) == NULL)
		return 1;
	if (ussd)
		return chat_ussd(bot, phone, tty);
	if (tty)
		printf("Chatting as %s (Ctrl-D to end; log lines in %s).\n> ",
		    phone, logf[0] != '\0' ? logf : "stderr");
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

int
commands_store(const struct conf *conf, int argc, char **argv)
{
	const char	*url = conf->db_url;
	char		 why[1024];

	if (argc == 3 && strcmp(argv[0], "copy") == 0 &&
	    strcmp(argv[1], "--to") == 0)
		url = argv[2];
	else if (argc != 1 || strcmp(argv[0], "copy") != 0) {
		fprintf(stderr, "usage: murojaat store copy [--to URL]\n");
		return 2;
	}
	if (url[0] == '\0') {
		fprintf(stderr, "murojaat store copy: no PostgreSQL database "
		    "to copy into: give --to URL, or set db.url "
		    "(MUROJAAT_DB_URL, db.url_file)\n");
		return 2;
	}
	if (store_copy(conf->db_path, url, stdout, why, sizeof(why)) !=
	    MJ_OK) {
		fflush(stdout);
		fprintf(stderr, "murojaat store copy: %s\n", why);
		return 1;
	}
	return 0;
}
