/* conf_test.c - defaults, file, environment, command line; errors point. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/conf.h"
#include "check.h"

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE	*f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

int
main(void)
{
	struct conf	c;
	char		where[1024];
	const char	*p = "/tmp/conf_test.conf", *sec = "/tmp/conf_test.secret";

	unsetenv("MUROJAAT_PORT");
	unsetenv("MUROJAAT_DB");
	unsetenv("MUROJAAT_CONF");
	unsetenv("MUROJAAT_SHARE_DIR");
	CHECK_INT(conf_load(&c, "/nonexistent/murojaat.conf", "/r", where,
	    sizeof(where)), -1);
	CHECK(strstr(where, "/nonexistent/murojaat.conf") != NULL);

	write_file(p, "# comment\n\nhttp.port = 9090\ndb.path = x.db\n", 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), 0);
	CHECK_INT(c.http_port, 9090);
	CHECK_STR(c.db_path, "x.db");
	CHECK_STR(c.http_bind, "127.0.0.1");
	CHECK_INT(c.sms_budget, 2);
	CHECK_STR(c.lang_cyrl_default, "uz-Cyrl");
	CHECK_STR(c.intents_dir, "/r/intents/patterns");
	CHECK_STR(c.locales_dir, "/r/locales");
	CHECK_INT(c.nlu_review_below, 60);
	CHECK_STR(c.nlu_corpus_dir, "/r/data/corpus");

	/* share.dir moves every data folder; one named outright still wins */
	write_file(p, "share.dir = /s\nlocales.dir = /l\n", 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), 0);
	CHECK_STR(c.intents_dir, "/s/intents/patterns");
	CHECK_STR(c.locales_dir, "/l");
	CHECK_STR(c.data_dir, "/s/data");
	CHECK_STR(c.web_dir, "/s/gateway/web");
	setenv("MUROJAAT_SHARE_DIR", "/e", 1);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), 0);
	CHECK_STR(c.nlu_corpus_dir, "/e/data/corpus");
	unsetenv("MUROJAAT_SHARE_DIR");
	write_file(p, "# comment\n\nhttp.port = 9090\ndb.path = x.db\n", 0644);

	setenv("MUROJAAT_PORT", "7070", 1);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), 0);
	CHECK_INT(c.http_port, 7070);
	CHECK_INT(conf_set(&c, "http.port=6060", where, sizeof(where)), 0);
	CHECK_INT(c.http_port, 6060);
	unsetenv("MUROJAAT_PORT");

	write_file(p, "http.port = 8080\nhttp.port = 70000\n", 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), -1);
	CHECK(strstr(where, "conf_test.conf:2: http.port: 70000 is outside "
	    "1..65535") != NULL);
	write_file(p, "no.such = 1\n", 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), -1);
	CHECK(strstr(where, ":1: no.such: unknown key") != NULL);
	write_file(p, "http.port 1\n", 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), -1);
	CHECK(strstr(where, ":1: expected key = value") != NULL);
	/* a key of a few values names them */
	write_file(p, "lang.cyrillic_default = ru\n", 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), 0);
	CHECK_STR(c.lang_cyrl_default, "ru");
	write_file(p, "\nlang.cyrillic_default = kk\n", 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), -1);
	CHECK(strstr(where, "conf_test.conf:2: lang.cyrillic_default: \"kk\" "
	    "is not one of uz-Cyrl, ru") != NULL);
	CHECK_INT(conf_set(&c, "lang.cyrillic_default=uz-Latn", where,
	    sizeof(where)), -1);
	write_file(p, "http.port = 12ab\n", 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), -1);
	CHECK(strstr(where, "not a whole number") != NULL);

	/* secrets from a file: refused when others may read it */
	write_file(sec, "s3cret-token\n", 0644);
	snprintf(where, sizeof(where), "telegram.token_file = %s\n", sec);
	write_file(p, where, 0644);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), -1);
	CHECK(strstr(where, "readable by group or others") != NULL);
	chmod(sec, 0600);
	CHECK_INT(conf_load(&c, p, "/r", where, sizeof(where)), 0);
	CHECK_STR(c.telegram_token, "s3cret-token");
	unlink(sec);
	unlink(p);
	return check_done("conf_test");
}
