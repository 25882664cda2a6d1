# locales/: the unit tests and the SMS cost report.
#   make locales-test   build and run catalog_test and sms_test
#   make sms-cost       every message in every language: coding, units,
#                       segments; fails over SMS_BUDGET segments (default 2)
# The locales/ tests and tool link only locales/ and the plumbing, so they
# build while other folders are mid-change.

SMS_BUDGET	?= 2
LOCALES_OBJS	 = $(filter build/san/locales/%.o build/san/base/err.o \
		   build/san/base/log.o build/san/base/lang.o,$(SAN_OBJS))
LOCALES_TESTS	 = build/san/tests/catalog_test build/san/tests/sms_test

.PHONY: locales-test sms-cost

build/san/tests/catalog_test build/san/tests/sms_test: \
    build/san/tests/%: tests/unit/%.c $(LOCALES_OBJS) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $< $(LOCALES_OBJS) $(LIBS)

locales-test: $(LOCALES_TESTS)
	@rc=0; for t in $(LOCALES_TESTS); do \
		ASAN_OPTIONS=detect_leaks=1 $$t || rc=1; done; exit $$rc

build/gen/locales_sms_cost.c: tests/mk/locales.mk
	@mkdir -p $(dir $@)
	printf '%s\n' '#include <stddef.h>' '#include "locales/cli.h"' \
	    'int main(int argc, char **argv);' \
	    'int main(int argc, char **argv) { return locales_cmd_sms_cost(argc, argv, NULL); }' > $@

build/san/locales-sms-cost: build/gen/locales_sms_cost.c $(LOCALES_OBJS)
	$(CC) $(SAN_CFLAGS) -o $@ $< $(LOCALES_OBJS) $(LIBS)

sms-cost: build/san/locales-sms-cost
	./build/san/locales-sms-cost --budget $(SMS_BUDGET)

# uz-Cyrl against the transliteration of uz-Latn (a report for translators).
.PHONY: cyrl-check
cyrl-check: murojaat
	python3 tools/po-cyrl.py
