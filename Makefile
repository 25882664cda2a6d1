# murojaat - citizen chatbot and SMS gateway.
#   make          build ./murojaat (release)
#   make run      install what is missing, build, serve on 127.0.0.1:8080
#   make test     install what is missing, build with -Werror and ASan/UBSan,
#                 run unit then end-to-end tests, on SQLite and again on a
#                 throwaway PostgreSQL cluster (tests/run.sh says what);
#                 ends "N passed, N failed"
#   make test-pg-nodes  two nodes on one PostgreSQL database (its own
#                 throwaway cluster): tests/e2e/test_pg_nodes.py
#   make bench    benchmarks (never part of make test)
#   make install  build, then install under PREFIX (default /usr/local;
#                 DESTDIR honoured); make uninstall removes it again

CC	?= cc
PKGS	 = libmicrohttpd libpcre2-8 sqlite3 libpq libcurl jansson libsodium
CSTD	 = -std=c11 -D_GNU_SOURCE
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wpointer-arith -Wformat=2 -Wcast-qual -Wvla
SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
INC	 = -I.
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -llinear -lunistring \
	   -lgettextpo -lpthread -lm

SRCS	:= $(sort $(wildcard base/*.c store/*.c bot/*.c gateway/*.c intents/*.c locales/*.c))
MAIN	:= bot/main.c
LIBSRCS	:= $(filter-out $(MAIN),$(SRCS))
GEN	:= build/gen/migrations.c build/gen/pg_migrations.c
MIGRATIONS := $(sort $(wildcard store/migrations/*.sql))
PG_MIGRATIONS := $(sort $(wildcard store/migrations-pg/*.sql))
UNITSRC	:= $(sort $(wildcard tests/unit/*_test.c))

REL_CFLAGS = $(CSTD) $(WARN) -O2 -g $(INC) $(PKGCFLAGS)
SAN_CFLAGS = $(CSTD) $(WARN) -Werror -O1 -g $(SAN) $(INC) $(PKGCFLAGS)

REL_OBJS = $(patsubst %.c,build/rel/%.o,$(LIBSRCS) $(GEN:build/gen/%=gen/%))
SAN_OBJS = $(patsubst %.c,build/san/%.o,$(LIBSRCS) $(GEN:build/gen/%=gen/%))
UNITBINS = $(patsubst tests/unit/%.c,build/san/tests/%,$(UNITSRC))

.PHONY: all run test test-pg-nodes unit e2e bench deps deps-test clean install uninstall
.DEFAULT_GOAL := all

all: build/.deps-build murojaat intents/model.bin

build/.deps-build: tools/deps.sh
	@mkdir -p build
	@sh tools/deps.sh build
	@touch $@

build/.deps-test: tools/deps.sh
	@mkdir -p build
	@sh tools/deps.sh test
	@touch $@

build/.deps-bench: tools/deps.sh
	@mkdir -p build
	@sh tools/deps.sh bench
	@touch $@

deps: build/.deps-build
deps-test: build/.deps-test

build/gen/migrations.c: $(MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	sh tools/embed-sql.sh migrations $(MIGRATIONS) > $@
build/gen/pg_migrations.c: $(PG_MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	sh tools/embed-sql.sh pg_migrations $(PG_MIGRATIONS) > $@

build/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -c $< -o $@
build/san/gen/%.o: build/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -c $< -o $@

build/rel/%.o: %.c | build/.deps-build
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -MMD -MP -c $< -o $@
build/san/%.o: %.c | build/.deps-build
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

build/rel/libmj.a: $(REL_OBJS)
	rm -f $@ && ar rcs $@ $^
build/san/libmj.a: $(SAN_OBJS)
	rm -f $@ && ar rcs $@ $^

murojaat: build/rel/bot/main.o build/rel/libmj.a
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

build/san/murojaat: build/san/bot/main.o build/san/libmj.a
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(LIBS)

build/san/tests/%: tests/unit/%.c build/san/libmj.a tests/unit/check.h tests/unit/pgtest.h tests/unit/bot_kit.h
	@mkdir -p $(dir $@)
	$(CC) $(SAN_CFLAGS) -o $@ $< build/san/libmj.a $(LIBS)

# The intent model, trained from the corpus: the same corpus and patterns
# give the same bytes (no time, no randomness inside).
MODEL_INPUTS = $(wildcard data/corpus/*.tsv) $(wildcard intents/patterns/*.txt) \
	       $(wildcard intents/*.c intents/*.h)
intents/model.bin: $(MODEL_INPUTS) | murojaat
	./murojaat train --cv --out $@

run: build/.deps-build murojaat intents/model.bin
	./murojaat serve --demo

unit: build/.deps-test $(UNITBINS) build/san/murojaat
e2e: build/.deps-test build/san/murojaat murojaat intents/model.bin

test: build/.deps-test
	@$(MAKE) --no-print-directory unit e2e
	@sh tests/run.sh

test-pg-nodes: build/.deps-test
	@$(MAKE) --no-print-directory e2e
	@python3 tests/e2e/run.py tests/e2e/test_pg_nodes.py

bench: build/.deps-bench murojaat build/rel/ceiling build/rel/mockbot
	@sh tests/bench/run.sh

clean:
	rm -rf build murojaat

# make install: the program in $(PREFIX)/bin; what it reads at run time
# (patterns, model, catalogues, data/ with the corpus the help desk
# retrains from, the help desk's pages) in $(PREFIX)/share/murojaat, where
# the program finds it from any folder (../share/murojaat beside itself);
# the unit in $(PREFIX)/lib/systemd/system; a sample config in
# /etc/murojaat (never over one already there); the state folder
# /var/lib/murojaat.  make uninstall leaves the config and the state.
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share/murojaat
DOCDIR	 = $(PREFIX)/share/doc/murojaat
UNITDIR	 = $(PREFIX)/lib/systemd/system
CONFDIR	 = /etc/murojaat
STATEDIR = /var/lib/murojaat
SHARE_FILES = $(wildcard intents/patterns/*.txt) intents/model.bin \
	   $(wildcard locales/*.po) data/programmes.json data/offices.tsv \
	   $(wildcard data/corpus/*) $(wildcard gateway/web/*.html \
	   gateway/web/*.js gateway/web/*.css gateway/web/i18n/*.json)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR) \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(CONFDIR)
	install -d -m 700 $(DESTDIR)$(STATEDIR)
	install -m 755 murojaat $(DESTDIR)$(BINDIR)/murojaat
	for f in $(SHARE_FILES); do \
		install -D -m 644 "$$f" "$(DESTDIR)$(SHAREDIR)/$$f" || exit 1; \
	done
	install -m 644 README.md docs/api.md $(DESTDIR)$(DOCDIR)/
	sed -e 's#/usr/local/#$(PREFIX)/#g' deploy/murojaat.service \
	    > $(DESTDIR)$(UNITDIR)/murojaat.service
	chmod 644 $(DESTDIR)$(UNITDIR)/murojaat.service
	test -e $(DESTDIR)$(CONFDIR)/murojaat.conf || \
	    install -m 644 deploy/murojaat.conf $(DESTDIR)$(CONFDIR)/murojaat.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/murojaat \
	    $(DESTDIR)$(UNITDIR)/murojaat.service
	rm -rf $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR)
	@echo "kept $(DESTDIR)$(CONFDIR) and $(DESTDIR)$(STATEDIR) (config and data)"

-include $(shell find build -name '*.d' 2>/dev/null)

# Module-specific targets (eval, sms-cost, fuzz, ...) live beside the tests.
-include tests/mk/*.mk

# The ceiling server make bench measures beside the pipeline.
build/rel/ceiling: tests/bench/ceiling.c tests/bench/serve.h | build/.deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -Werror -O2 $(INC) -o $@ $< $(LIBS)
# The Bot API make bench's outbox sender delivers to (a loopback stand-in).
build/rel/mockbot: tests/bench/mockbot.c tests/bench/serve.h | build/.deps-build
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) -Werror -O2 $(INC) -o $@ $< $(LIBS)
