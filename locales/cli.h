/*
 * cli.h - the locales/ command-line tools, wired into the murojaat binary.
 */
#ifndef LOCALES_CLI_H
#define LOCALES_CLI_H

/*
 * murojaat sms-cost [--budget N] [--dir DIR]
 * argv[0] is the command name.  Loads the catalogues from DIR, else dir
 * (murojaat passes the config's locales.dir, by default locales beside the
 * program), else $MUROJAAT_LOCALES_DIR, else "locales"; renders every message in every
 * language with realistic sample values (app_no 14 chars, the language's
 * longest programme name, dates in September, counts 1 2 5 21 111 with the
 * worst kept), runs it through sms_prepare and prints a header line
 * ("# lang msgid coding units segments: ...") then
 *   lang msgid coding units segments
 * (coding "gsm7" or "ucs2").  Each message over N segments (default 2) or
 * that cannot be rendered is named on stderr with its language.  Returns 0
 * if every message fits, 1 if any does not or cannot be rendered, 2 on
 * usage or load errors (said on stderr).
 */
int	locales_cmd_sms_cost(int argc, char **argv, const char *dir);

#endif
