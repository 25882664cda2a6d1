/*
 * cli.h - the intents/ command-line tools, wired into the murojaat binary
 * as "murojaat classify" and "murojaat translit".
 *
 *   classify: one message a line on stdin; one line out each:
 *     lang <TAB> intent <TAB> entities
 *   entities are key=value joined by ';' in the order app_no, pinfl, phone,
 *   program, number, empty when none; --explain adds two columns: what
 *   decided (model, pattern, rule or -) and the probability.  Patterns come from dir (the
 *   caller resolves it: the config's intents.dir, else intents/patterns
 *   beside the program); the intent model from model (the caller resolves
 *   it like the service; missing: said on stderr, patterns alone), with
 *   intents below threshold unknown.  A line that is not
 *   valid UTF-8 or is too long prints "-\tunknown\t" and is counted on
 *   stderr (by line number, never its text).
 *
 *   translit --to latn|cyrl: stdin to stdout, line by line.
 *
 * argv[0] is the command name.  Both return a process exit status: 0, 1 for
 * a failure (said on stderr), 2 for bad usage.
 */
#ifndef INTENTS_CLI_H
#define INTENTS_CLI_H

int	intents_cmd_classify(int argc, char **argv, const char *dir,
	    const char *model, double threshold);
int	intents_cmd_translit(int argc, char **argv);

#endif
