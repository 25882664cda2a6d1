/*
 * train_cli.h - "murojaat train" and "murojaat eval".
 *
 *   train [--corpus DIR|FILE]... [--out FILE] [--cv] [--C N]
 *	the model from the corpus (default corpus_dir; every *.tsv of a
 *	folder, in name order) written to FILE (default out); --cv measures
 *	and records its cross-validated accuracy first.
 *   eval [--corpus DIR|FILE]... [--threshold P] [--min A] [--C N]
 *	stratified 10-fold cross-validation (cv_print); exit 1 below A.
 *
 * argv[0] is the command name.  Exit status 0, 1 on failure (said on
 * stderr, a bad corpus line as file:line: reason), 2 for bad usage.
 */
#ifndef INTENTS_TRAIN_CLI_H
#define INTENTS_TRAIN_CLI_H
#include "intents/intent.h"

int	intents_cmd_train(const struct nlu *, const char *corpus_dir,
	    const char *out, int argc, char **argv);
int	intents_cmd_eval(const struct nlu *, const char *corpus_dir, int argc,
	    char **argv);

#endif
