# trailsift - CloudTrail event-history analyzer for stuck MGN/DRS replication.
#
#   make            build ./trailsift
#   make test       install missing Debian packages (as root), build with
#                   ASan+UBSan and -Werror, run every test; last line "N passed, N failed"
#   make demo       ingest the bundled sample export into ./trailsift.db, verify it
#                   against its digest chain and show it
#   make bench      ingest benchmark against zcat, a Python ingester and DuckDB
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

SRC      := $(wildcard src/*.c src/rules/*.c)
OBJ      := $(SRC:%.c=$(OUT)/%.o) $(OUT)/schema_sql.o
LIB_OBJ  := $(filter-out $(OUT)/src/main.o,$(OBJ))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(OUT)/tests/%)
SCHEMA   := $(sort $(wildcard schema/*.sql))

.PHONY: all deps test demo bench install clean check-headers
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

deps:
	@sh .ci/deps.sh

# The test build: warnings are errors, sanitizers on, its own object directory.
# The threaded tests run once more on a ThreadSanitizer build (build/tsan).
test:
	@sh .ci/deps.sh test
	@$(MAKE) --no-print-directory SANITIZE=address,undefined WERROR=-Werror build/san/trailsift unit-bins
	@$(MAKE) --no-print-directory SANITIZE=thread WERROR=-Werror build/tsan/trailsift
	@TRAILSIFT_BIN=$(CURDIR)/build/san/trailsift UNIT_DIR=$(CURDIR)/build/san/tests \
		TSAN_BIN=$(CURDIR)/build/tsan/trailsift sh tests/run.sh

unit-bins: $(UNIT_BIN)

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
	TRAILSIFT=$(CURDIR)/trailsift sh bench/pull-bench.sh
	TRAILSIFT=$(CURDIR)/trailsift sh bench/s3-bench.sh

check-headers:
	@for h in src/*.h; do echo "#include \"$$h\"" | $(CC) $(ALL_CFLAGS) -x c -fsyntax-only - || exit 1; done

install: trailsift
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/queries $(DESTDIR)$(MANDIR)/man1
	install -m 0755 trailsift $(DESTDIR)$(BINDIR)/trailsift
	install -m 0644 queries/*.sql $(DESTDIR)$(DATADIR)/queries/
	install -m 0644 docs/trailsift.1 $(DESTDIR)$(MANDIR)/man1/trailsift.1

clean:
	rm -rf build trailsift

-include $(OBJ:.o=.d)
