# trailsift - CloudTrail event-history analyzer for stuck MGN/DRS replication.
#
#   make            build ./trailsift
#   make test       install missing Debian packages (as root), build with
#                   ASan+UBSan and -Werror, run every test; last line "N passed, N failed"
#   make demo       ingest the bundled sample export into ./trailsift.db, verify it
#                   against its digest chain and show it
#   make bench      ingest benchmark against zcat, a Python ingester and DuckDB
#   make fuzz       run each libFuzzer harness (tests/fuzz/) for FUZZ_SECONDS (60)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/trailsift
MANDIR   ?= $(PREFIX)/share/man
VERSION  := 0.1.0

PKGS   = libcurl yajl zlib sqlite3 libcrypto libutf8proc
CFLAGS ?= -O2 -g
WARN   = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
         -Wold-style-definition -Wwrite-strings -Wformat=2 -Wvla -Wpointer-arith -Wundef -fno-common
DEFS   = -D_GNU_SOURCE -DTRAILSIFT_VERSION='"$(VERSION)"' -DTRAILSIFT_DATADIR='"$(DATADIR)"'
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(WERROR) $(DEFS) $(CFLAGS) $(PKG_CFLAGS) -Isrc -I$(OUT) -MMD -MP
LDLIBS = $(PKG_LIBS) -lpthread -lm

# SANITIZE=address,undefined builds into build/san (SANITIZE=thread into
# build/tsan), so that the sanitizer builds and the plain one never mix
# objects.
OUT = build/plain
ifdef SANITIZE
OUT = $(if $(findstring thread,$(SANITIZE)),build/tsan,build/san)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif

# FUZZ=1 builds the library with clang and libFuzzer's instrumentation into
# build/fuzz, where the harnesses link with libFuzzer's main. Other builds
# link each harness with tests/fuzz/replay.c, a main() that replays files.
ifdef FUZZ
CC = clang
OUT = build/fuzz
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
FUZZ_MAIN = -fsanitize=fuzzer,address,undefined
else
FUZZ_MAIN = $(OUT)/tests/fuzz/replay.o
endif
FUZZ_SECONDS ?= 60

SRC      := $(wildcard src/*.c src/rules/*.c)
OBJ      := $(SRC:%.c=$(OUT)/%.o) $(OUT)/schema_sql.o
LIB_OBJ  := $(filter-out $(OUT)/src/main.o,$(OBJ))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OUT)/tests/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(OUT)/tests/%)
SCHEMA   := $(sort $(wildcard schema/*.sql))

.PHONY: all deps test demo bench install clean check-headers fuzz fuzz-bins
all: trailsift

trailsift: $(OUT)/trailsift
	@cp $< $@

$(OUT)/trailsift: $(OBJ)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The schema is compiled into the binary so that a store never depends on
# where the program was installed.
$(OUT)/schema_sql.c: $(SCHEMA) src/embed-sql.sh
	@mkdir -p $(OUT)
	@sh src/embed-sql.sh $(SCHEMA) > $@

$(OUT)/schema_sql.o: $(OUT)/schema_sql.c
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) -Wno-overlength-strings -c -o $@ $<

$(OUT)/tests/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# A harness: its file, the shared checks, and libFuzzer or the replay main.
$(OUT)/tests/fuzz_%: tests/fuzz/fuzz_%.c $(OUT)/tests/fuzz/fuzzlib.o $(filter %.o,$(FUZZ_MAIN)) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(ALL_CFLAGS) -Itests/fuzz $(LDFLAGS) -o $@ $< $(OUT)/tests/fuzz/fuzzlib.o \
		$(FUZZ_MAIN) $(LIB_OBJ) $(LDLIBS)

fuzz-bins: $(FUZZ_BIN)
.SECONDARY: $(OUT)/tests/fuzz/fuzzlib.o $(OUT)/tests/fuzz/replay.o

# Each harness for FUZZ_SECONDS, from its seed and regression corpora; a
# crash is saved in build/fuzz/crashes/ (add it to tests/fuzz/regress/).
fuzz:
	@$(MAKE) --no-print-directory FUZZ=1 WERROR=-Werror fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(CURDIR)/build/fuzz/tests

deps:
	@sh .ci/deps.sh

# The test build: warnings are errors, sanitizers on, its own object directory.
# The threaded tests run once more on a ThreadSanitizer build (build/tsan).
# TEST_FUZZ=1 (CI) also runs each libFuzzer harness for FUZZ_SECONDS, as test "fuzz".
test:
	@sh .ci/deps.sh test $(if $(TEST_FUZZ),fuzz)
	@$(MAKE) --no-print-directory SANITIZE=address,undefined WERROR=-Werror build/san/trailsift unit-bins
	@$(MAKE) --no-print-directory SANITIZE=thread WERROR=-Werror build/tsan/trailsift
	$(if $(TEST_FUZZ),@$(MAKE) --no-print-directory FUZZ=1 WERROR=-Werror fuzz-bins)
	@TRAILSIFT_BIN=$(CURDIR)/build/san/trailsift UNIT_DIR=$(CURDIR)/build/san/tests \
		TSAN_BIN=$(CURDIR)/build/tsan/trailsift \
		$(if $(TEST_FUZZ),FUZZ_BIN_DIR=$(CURDIR)/build/fuzz/tests FUZZ_SECONDS=$(FUZZ_SECONDS)) \
		sh tests/run.sh

unit-bins: $(UNIT_BIN) $(FUZZ_BIN)

demo: deps
	@$(MAKE) --no-print-directory trailsift
	rm -f trailsift.db trailsift.db-journal trailsift.db-wal trailsift.db-shm
	./trailsift --db trailsift.db ingest fixtures/sample
	./trailsift --db trailsift.db verify fixtures/sample
	./trailsift --db trailsift.db stats
	./trailsift --db trailsift.db query errors-by-code
	./trailsift --db trailsift.db scan
	./trailsift --db trailsift.db report

bench: deps
	@$(MAKE) --no-print-directory trailsift
	TRAILSIFT=$(CURDIR)/trailsift sh bench/run.sh
	TRAILSIFT=$(CURDIR)/trailsift sh bench/scan-bench.sh
	TRAILSIFT=$(CURDIR)/trailsift sh bench/report-bench.sh
	TRAILSIFT=$(CURDIR)/trailsift sh bench/pull-bench.sh
	TRAILSIFT=$(CURDIR)/trailsift sh bench/s3-bench.sh

# Each header compiles alone. (Without the -MMD of ALL_CFLAGS: compiling
# stdin, it would write a dependency file "a--.d" into the tree.)
check-headers:
	@for h in src/*.h; do echo "#include \"$$h\"" | \
		$(CC) $(filter-out -MMD -MP,$(ALL_CFLAGS)) -x c -fsyntax-only - || exit 1; done

install: trailsift
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/queries $(DESTDIR)$(MANDIR)/man1
	install -m 0755 trailsift $(DESTDIR)$(BINDIR)/trailsift
	install -m 0644 queries/*.sql $(DESTDIR)$(DATADIR)/queries/
	install -m 0644 docs/trailsift.1 $(DESTDIR)$(MANDIR)/man1/trailsift.1

clean:
	rm -rf build trailsift

-include $(OBJ:.o=.d)
