/*
 * fuzz.h - what the libFuzzer targets share: where the data files are
 * (patterns, catalogues), and a hard stop that a sanitizer-style crash
 * report makes libFuzzer keep the input.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise of the code under test: report and crash. */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: fuzz invariant: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* The source tree: $MUROJAAT_ROOT, or the working folder. */
static inline const char *
fuzz_root(void)
{
	const char *r = getenv("MUROJAAT_ROOT");

	return r != NULL && *r != '\0' ? r : ".";
}
#endif
