/*
 * model_fuzz.c - the model file reader: model_load_mem on any bytes, and
 * on the built model (intents/model.bin under $MUROJAAT_ROOT) with the
 * input written over its header and first weights.  Every file is either
 * refused with a reason or loaded whole; nothing is read past its end.
 */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "intents/model.h"
#include "tests/fuzz/fuzz.h"

static unsigned char	*good;
static size_t		 goodn;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	 path[1024];
	FILE	*f;
	long	 n;

	(void)argc;
	(void)argv;
	log_set_level(LOG_ERROR);
	snprintf(path, sizeof(path), "%s/intents/model.bin", fuzz_root());
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (good = malloc((size_t)n)) == NULL ||
	    fread(good, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "model_fuzz: cannot read %s (make "
		    "intents/model.bin)\n", path);
		exit(1);
	}
	fclose(f);
	goodn = (size_t)n;
	return 0;
}

static void
try(const unsigned char *b, size_t n)
{
	struct model		*m = NULL;
	struct model_info	 mi;
	char			 where[256];
	enum mj_err		 rc;

	where[0] = '\0';
	rc = model_load_mem(&m, b, n, where, sizeof(where));
	if (rc == MJ_OK) {
		FUZZ_ASSERT(m != NULL);
		model_get_info(m, &mi);
		FUZZ_ASSERT(mi.dim == MODEL_DIM && mi.nclass == INTENT__COUNT);
		model_free(m);
	} else {
		FUZZ_ASSERT(m == NULL && where[0] != '\0');
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *b;

	try(data, size);
	if (size == 0 || (b = malloc(goodn)) == NULL)
		return 0;
	memcpy(b, good, goodn);
	memcpy(b, data, size < goodn ? size : goodn);
	try(b, goodn);
	try(b, size < goodn ? size : goodn);	/* and cut short */
	free(b);
	return 0;
}
