# intents/: unit tests, corpus evaluation and benchmark.
#   make intents-test    build and run nlu_test, translit_test,
#                        normalize_test, intents_eval_test (the patterns
#                        over their own corpus, data/corpus/project.tsv)
#                        and model_test (the trained model, its file and
#                        its cross-validated floor)
#   make eval            stratified 10-fold cross-validation over
#                        data/corpus: patterns alone, model alone and both,
#                        per language and intent, confusion matrix, opt-out
#                        precision and recall, a threshold sweep, and the
#                        line "cross-validated intent accuracy: 0.NNN"
#   make bench-intents   messages/s on one core over the corpus with the
#                        model (release build); exits non-zero below
#                        100,000 msg/s or over 16 MB of model
# The intents/ tests link only intents/ and the plumbing (base/err, log,
# lang), so they build while other folders are mid-change.  make test runs
# build/san/tests/intents_eval_test like every unit test, so the accuracy
# thresholds hold there too.

INTENTS_SAN_OBJS = $(filter build/san/intents/%.o build/san/base/err.o \
		   build/san/base/log.o build/san/base/lang.o,$(SAN_OBJS))
INTENTS_REL_OBJS = $(filter build/rel/intents/%.o build/rel/base/err.o \
		   build/rel/base/log.o build/rel/base/lang.o,$(REL_OBJS))
INTENTS_TESTS	 = build/san/tests/nlu_test build/san/tests/translit_test \
		   build/san/tests/normalize_test \
		   build/san/tests/intents_eval_test build/san/tests/model_test

.PHONY: intents-test eval bench-intents

$(INTENTS_TESTS): build/san/tests/%: tests/unit/%.c $(INTENTS_SAN_OBJS) \
    tests/unit/check.h tests/unit/intents_tsv.h
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $< $(INTENTS_SAN_OBJS) $(LIBS)

intents-test: $(INTENTS_TESTS)
	@rc=0; for t in $(INTENTS_TESTS); do \
		ASAN_OPTIONS=detect_leaks=1 $$t || rc=1; done; exit $$rc

eval: murojaat
	./murojaat eval

build/rel/intents-bench: tests/unit/intents_bench.c $(INTENTS_REL_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -o $@ $< $(INTENTS_REL_OBJS) $(LIBS)

bench-intents: build/rel/intents-bench intents/model.bin
	./build/rel/intents-bench
