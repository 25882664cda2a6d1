# Fuzzing: libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined)
# for what reads hostile input: the Telegram Update, Kannel's parameters,
# normalisation and transliteration, the matcher and entities, the model's
# features and its file, catalogue
# rendering with the SMS step, the masking of personal data, a USSD request
# and the menus it walks.  Sources in tests/fuzz/<name>_fuzz.c; the
# corpora are made at run time under build/fuzz/corpus/ from the fixtures
# (tests/fuzz/seed.py) plus tests/fuzz/seeds/<name>/ (regression inputs).
#   make fuzz           every target FUZZ_SECONDS (default 300) each
#   make fuzz-build     only build them
# make test runs each for 20 s (tests/checks.d/fuzz.sh, FUZZ_SECONDS there).
# A crash leaves its input in build/fuzz/crash/; replay it with
#   build/fuzz/<name>_fuzz build/fuzz/crash/<name>-crash-...

FUZZ_CC		?= clang
FUZZ_SECONDS	?= 300
FUZZ_TARGETS	 = telegram kannel translit nlu model catalog mask ussd
FUZZ_SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
		   -fno-omit-frame-pointer
# clang also flags vsnprintf(fmt, ap) in a printf-like wrapper (MHD's log
# callback) as a non-literal format; gcc, the build's compiler, does not.
FUZZ_CFLAGS	 = $(CSTD) $(WARN) -Wno-format-nonliteral -Werror -O1 -g \
		   $(FUZZ_SAN) $(INC) $(PKGCFLAGS)
FUZZ_OBJS	 = $(patsubst %.c,build/fuzz/%.o,$(LIBSRCS) \
		   $(GEN:build/gen/%=gen/%))
FUZZ_BINS	 = $(FUZZ_TARGETS:%=build/fuzz/%_fuzz)

.PHONY: fuzz fuzz-build

build/fuzz/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/%.o: %.c | build/.deps-test
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

build/fuzz/libmj.a: $(FUZZ_OBJS)
	rm -f $@ && ar rcs $@ $^

# intents/ and locales/ targets link only their folder and the plumbing,
# so they build while other folders are mid-change; gateway/ ones link all.
FUZZ_PLUMB	 = $(filter build/fuzz/base/err.o build/fuzz/base/log.o \
		   build/fuzz/base/lang.o,$(FUZZ_OBJS))
FUZZ_INTENTS	 = $(filter build/fuzz/intents/%.o,$(FUZZ_OBJS)) $(FUZZ_PLUMB)
FUZZ_LOCALES	 = $(filter build/fuzz/locales/%.o,$(FUZZ_OBJS)) $(FUZZ_PLUMB)

build/fuzz/translit_fuzz build/fuzz/nlu_fuzz build/fuzz/model_fuzz: \
    build/fuzz/%_fuzz: \
    tests/fuzz/%_fuzz.c tests/fuzz/fuzz.h $(FUZZ_INTENTS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_INTENTS) \
	    $(LIBS)
build/fuzz/mask_fuzz: tests/fuzz/mask_fuzz.c tests/fuzz/fuzz.h \
    build/fuzz/base/mask.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    build/fuzz/base/mask.o
build/fuzz/catalog_fuzz: tests/fuzz/catalog_fuzz.c tests/fuzz/fuzz.h \
    $(FUZZ_LOCALES)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LOCALES) \
	    $(LIBS)
build/fuzz/telegram_fuzz build/fuzz/kannel_fuzz build/fuzz/ussd_fuzz: \
    build/fuzz/%_fuzz: \
    tests/fuzz/%_fuzz.c tests/fuzz/fuzz.h build/fuzz/libmj.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
	    build/fuzz/libmj.a $(LIBS)

fuzz-build: build/.deps-test $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_TARGETS)
