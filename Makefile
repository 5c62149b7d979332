# AquaWatch — GNU Make. Targets: all check demo bench eval install uninstall fuzz clean
include config.mk

LIB_SRC  := $(sort $(wildcard lib/*.c))
LIB_OBJ  := $(LIB_SRC:lib/%.c=$(O)/lib/%.o)
CMD_SRC  := $(sort $(wildcard cmd/aw-*.c))
BINS     := $(CMD_SRC:cmd/%.c=$(O)/bin/%)
UNIT_SRC := $(sort $(wildcard tests/unit/t-*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
SCRIPTS  := $(sort $(wildcard share/aquawatch/aw-*))
MANS     := $(sort $(wildcard man/*.[157]))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz-*.c))
REPLAYS  := $(FUZZ_SRC:tests/fuzz/fuzz-%.c=$(O)/tests/replay-%)
FUZZERS  := $(FUZZ_SRC:tests/fuzz/fuzz-%.c=$(O)/fuzz-%)
FUZZ_TIME ?= 60

all: $(BINS) $(UNITS) $(REPLAYS)

$(O)/lib/%.o: lib/%.c lib/*.h config.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -DAW_VERSION='"$(VERSION)"' -Ilib -c -o $@ $<

$(O)/libaw.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(O)/bin/%: cmd/%.c $(O)/libaw.a lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -Ilib -o $@ $< $(O)/libaw.a $(LDFLAGS) $(DEP_LIBS)

$(O)/tests/%: tests/unit/%.c $(O)/libaw.a lib/*.h tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEP_CFLAGS) -Ilib -Itests/unit -o $@ $< $(O)/libaw.a $(LDFLAGS) $(DEP_LIBS)

$(O)/tests/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(O)/libaw.a lib/*.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(DEP_CFLAGS) -Ilib -o $@ $< tests/fuzz/replay.c $(O)/libaw.a $(LDFLAGS) $(DEP_LIBS)

$(O)/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(O)/libaw.a lib/*.h
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(DEP_CFLAGS) -Ilib -fsanitize=fuzzer -o $@ $< $(O)/libaw.a $(LDFLAGS) $(DEP_LIBS)

# make fuzz [FUZZ_TIME=seconds]: libFuzzer on each harness; crashes land in
# tests/fuzz/regress/NAME/, which make check replays once they are committed
fuzz:
	@$(MAKE) --no-print-directory FUZZ=1 fuzzers
	@for f in $(FUZZ_SRC); do n=$${f##*/fuzz-}; n=$${n%.c}; \
	    mkdir -p build-fuzz/corpus/$$n tests/fuzz/regress/$$n; \
	    echo "fuzz: $$n for $(FUZZ_TIME) s"; \
	    build-fuzz/fuzz-$$n -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -close_fd_mask=2 \
	        -artifact_prefix=tests/fuzz/regress/$$n/ build-fuzz/corpus/$$n tests/fuzz/seed/$$n \
	        2>&1 | grep -E '^(stat::|#[0-9]+[[:space:]]+DONE|==[0-9]+==ERROR|SUMMARY)' ; done

fuzzers: $(FUZZERS)

deps:
	@sh share/aquawatch/deps

check: deps
	@$(MAKE) --no-print-directory all
	AW_BUILD=$(CURDIR)/$(O) PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/share/aquawatch:$$PATH" \
	    prove -j2 $(PROVEFLAGS) tests/*.t

demo: deps
	@$(MAKE) --no-print-directory all
	@PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/share/aquawatch:$$PATH" sh share/aquawatch/aw-demo

bench: deps
	@$(MAKE) --no-print-directory all OPT=-O3
	@PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/share/aquawatch:$$PATH" sh bench/run

eval: deps
	@$(MAKE) --no-print-directory all
	@PATH="$(CURDIR)/$(O)/bin:$(CURDIR)/share/aquawatch:$$PATH" sh eval/run

completions: all
	PATH="$(CURDIR)/$(O)/bin:$$PATH" sh share/aquawatch/mkcompletions completions

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	for s in $(SCRIPTS); do install -m 755 $$s $(DESTDIR)$(BINDIR); done
	for m in $(MANS); do install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}; done
	cp -R share/aquawatch/. $(DESTDIR)$(SHAREDIR)
	install -m 644 completions/aw.bash $(DESTDIR)$(BASHCOMPDIR)/aw
	for t in $(BINS); do ln -sf aw $(DESTDIR)$(BASHCOMPDIR)/$${t##*/}; done
	install -m 644 completions/_aw $(DESTDIR)$(ZSHCOMPDIR)/_aw

uninstall:
	for t in $(BINS) $(SCRIPTS); do rm -f $(DESTDIR)$(BINDIR)/$${t##*/} $(DESTDIR)$(BASHCOMPDIR)/$${t##*/}; done
	for m in $(MANS); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	rm -rf $(DESTDIR)$(SHAREDIR)
	rm -f $(DESTDIR)$(BASHCOMPDIR)/aw $(DESTDIR)$(ZSHCOMPDIR)/_aw

clean:
	rm -rf build build-san build-fuzz

.PHONY: all deps fuzz fuzzers check demo bench eval completions install uninstall clean
.SUFFIXES:
