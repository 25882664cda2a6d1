/*
 * staff_cmd.c - `murojaat staff`: help-desk accounts from the command line
 * (the first admin before anyone can sign in, and what an admin does in
 * the browser).  Passwords are read from stdin, without echo on a
 * terminal, and wiped after use.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/conf.h"
#include "base/err.h"
#include "gateway/staff.h"
#include "store/helpdesk.h"
#include "store/store.h"

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
staff_cmd(const struct conf *conf, int argc, char **argv)
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
	if (store_open(&st, conf_store(conf)) != MJ_OK) {
		fprintf(stderr, "murojaat: cannot open the database %s\n",
		    conf_store_name(conf));
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
