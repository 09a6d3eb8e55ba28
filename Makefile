# SPDX-License-Identifier: MIT
# msdeploy: build, test, install. `make` builds, `make check` runs every test, `make demo` runs the example.

PREFIX    ?= /usr/local
DESTDIR   ?=
bindir    ?= $(PREFIX)/bin
datadir   ?= $(PREFIX)/share
mandir    ?= $(datadir)/man

CC        ?= cc
SANITIZE  ?= 0
BUILD     := build$(if $(filter 1,$(SANITIZE)),-san)
PKGS      := yaml-0.1 libarchive libsystemd libcap libcurl libmicrohttpd libpq libcrypto

CFLAGS    ?= -O2 -g
# Flags the build needs whatever CFLAGS the caller passes
MSD_CFLAGS := -pthread -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers -Wshadow -Wformat=2 \
             -D_GNU_SOURCE -Imsdeploy -DMSDEPLOY_DATADIR='"$(datadir)/msdeploy"'
ifeq ($(SANITIZE),1)
MSD_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
MSD_LDFLAGS := -fsanitize=address,undefined
endif

# ---- dependencies ------------------------------------------------------------------------------------
# Debian packages, each as PACKAGE=PROBE, the probe showing it is installed: pc:MODULE (pkg-config), a command,
# or an absolute path (a glob). A build needs BUILD_DEPS; the test targets need TEST_DEPS too, bench BENCH_DEPS;
# clean and uninstall need nothing. Missing ones are installed by the 'deps' target (build-aux/deps) when make
# runs as root: one line on the terminal, apt-get's output in $(BUILD)/apt.log. Otherwise make stops and
# prints the command to run as root.
CC_DEB    := $(if $(findstring clang,$(CC)),clang,gcc)
BUILD_DEPS := $(CC_DEB)=$(firstword $(CC)) pkg-config=pkg-config libyaml-dev=pc:yaml-0.1 libarchive-dev=pc:libarchive \
             libsystemd-dev=pc:libsystemd libcap-dev=pc:libcap libcurl4-openssl-dev=pc:libcurl \
             libmicrohttpd-dev=pc:libmicrohttpd libpq-dev=pc:libpq libssl-dev=pc:libcrypto
# unit tests: cmocka. integration tests: systemd (systemd-analyze, -sysusers, -tmpfiles), shellcheck, bash's
# peers jq and python3, procps (pgrep in the generated health script), curl, postgresql (a throwaway server).
# golden/CLI: zstd (tar reads the .tar.zst archives), diffutils. valgrind. e2e (tests/e2e): systemd booted in
# namespaces (util-linux: unshare, nsenter, setpriv; bsdutils: script), dbus, nats-server, and inside the
# container curl, jq, procps (ps, kill).
TEST_DEPS := libcmocka-dev=pc:cmocka systemd=systemd-analyze shellcheck=shellcheck valgrind=valgrind \
             postgresql=/usr/lib/postgresql/*/bin/initdb python3=python3 jq=jq curl=curl procps=pgrep zstd=zstd \
             diffutils=cmp util-linux=nsenter bsdutils=script dbus=/usr/bin/dbus-daemon nats-server=/usr/sbin/nats-server
# make bench: GNU time for peak RSS; msd-supervisor's peers supervisord, runit and s6
BENCH_DEPS := time=/usr/bin/time procps=ps supervisor=supervisord runit=runsvdir s6=s6-svscan
# tests/fuzz (make check replays its corpora, make fuzz runs it): clang, libFuzzer and the sanitizers' runtimes,
# llvm-symbolizer for the stacks
FUZZ_DEPS := clang=clang libclang-rt-14-dev=/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
             llvm=llvm-symbolizer

# make demo: apply runs systemd-sysusers and systemd-tmpfiles into its temporary root
DEMO_DEPS := systemd=systemd-sysusers

GOALS     := $(or $(MAKECMDGOALS),all)
TEST_GOALS := check unit-tests integration-tests install-tests golden-tests external-tests property-tests valgrind-tests \
              e2e-tests deps $(BUILD)/tests/%
BENCH_GOALS := bench bench-msdeploy bench-install bench-supervisor
FUZZ_GOALS := check fuzz fuzz-tests fuzz-build
DEPS      := $(if $(filter-out clean uninstall,$(GOALS)),$(BUILD_DEPS)) $(if $(filter $(TEST_GOALS),$(GOALS)),$(TEST_DEPS)) \
             $(if $(filter demo bench bench-install,$(GOALS)),$(DEMO_DEPS)) $(if $(filter $(BENCH_GOALS),$(GOALS)),$(BENCH_DEPS)) \
             $(if $(filter $(FUZZ_GOALS),$(GOALS)),$(FUZZ_DEPS))

.DEFAULT_GOAL := all
# installs what the goals need; everything that compiles or runs a test waits for it
deps:
	@build-aux/deps --log $(BUILD)/apt.log --for '$(GOALS)' $(DEPS)

# pkg-config runs once, when a recipe first needs the flags: after 'deps' has installed what was missing
PKG_CFLAGS = $(eval PKG_CFLAGS := $$(shell pkg-config --cflags $(PKGS)))$(PKG_CFLAGS)
PKG_LIBS = $(eval PKG_LIBS := $$(shell pkg-config --libs $(PKGS)))$(PKG_LIBS)
CMOCKA_LIBS = $(eval CMOCKA_LIBS := $$(shell pkg-config --libs cmocka))$(CMOCKA_LIBS)

LIB_SRCS  := $(sort $(wildcard msdeploy/util/*.c msdeploy/spec/*.c msdeploy/render/*.c msdeploy/output/*.c msdeploy/cmd/*.c \
               msdeploy/install/*.c msdeploy/sd/*.c) \
             $(filter-out msdeploy/supervisor/sv-main.c,$(wildcard msdeploy/supervisor/*.c msdeploy/supervisor/core/*.c \
               msdeploy/supervisor/host/*.c)))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
# tests/unit: one program per module, pure (no other program started); tests/integration: real processes, tools
# and temporary roots. Both link the shared helpers of tests/unit/helpers.
UNIT_BINS := $(patsubst %.c,$(BUILD)/%,$(sort $(wildcard tests/unit/test-*.c)))
INTEGRATION_BINS := $(patsubst %.c,$(BUILD)/%,$(sort $(wildcard tests/integration/test-*.c)))
TEST_HELPER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/helpers/*.c))

MSDEPLOY  := $(BUILD)/bin/msdeploy
SUPERVISOR := $(BUILD)/bin/msd-supervisor
DEMO_AGENT := $(BUILD)/bin/msd-demo-agent
SPEC      := examples/mister-smith.yaml
TIERS     := tier_1 tier_2 tier_3

.PHONY: all deps check unit-tests integration-tests install-tests golden-tests external-tests property-tests stale-check \
	valgrind-tests e2e-tests demo bench bench-msdeploy bench-install bench-supervisor install uninstall clean regenerate
all: $(MSDEPLOY) $(if $(wildcard msdeploy/supervisor/sv-main.c),$(SUPERVISOR)) $(if $(wildcard msdeploy/agent/demo-agent.c),$(DEMO_AGENT))

$(BUILD)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(MSD_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

# objects that bake in the install paths are rebuilt when PREFIX or datadir change
$(BUILD)/install-paths.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(datadir)' | cmp -s - $@ || echo '$(datadir)' > $@
$(BUILD)/msdeploy/cmd/tierdir.o $(BUILD)/msdeploy/main.o: $(BUILD)/install-paths.stamp
.PHONY: FORCE

# templates/*.sh, the fixed text of the generated scripts, become template_files[] (msdeploy/render/template.h):
# templates/embed.c, built first, writes them out as C, so the binary needs no file at run time. The stamp holds
# the list of templates: adding or removing one re-embeds them.
TEMPLATES := $(sort $(wildcard templates/*.sh))
$(BUILD)/templates/list.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(TEMPLATES)' | cmp -s - $@ || echo '$(TEMPLATES)' > $@
$(BUILD)/templates/embed: templates/embed.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(MSD_CFLAGS) $(CFLAGS) $(MSD_LDFLAGS) $(LDFLAGS) -o $@ $<
$(BUILD)/templates/embedded.c: $(BUILD)/templates/embed $(TEMPLATES) $(BUILD)/templates/list.stamp
	@echo "  EMBED   $(TEMPLATES)"
	@$(BUILD)/templates/embed $(TEMPLATES) >$@.tmp && mv -f $@.tmp $@
$(BUILD)/templates/embedded.o: $(BUILD)/templates/embedded.c msdeploy/render/template.h
	@echo "  CC      $<"
	@$(CC) $(MSD_CFLAGS) $(CFLAGS) -c -o $@ $<
LIB_OBJS += $(BUILD)/templates/embedded.o

$(BUILD)/libmsdeploy.a: $(LIB_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(MSDEPLOY): $(BUILD)/msdeploy/main.o $(BUILD)/libmsdeploy.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(MSD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -pthread

$(SUPERVISOR): $(BUILD)/msdeploy/supervisor/sv-main.o $(BUILD)/libmsdeploy.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(MSD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -pthread

$(DEMO_AGENT): $(BUILD)/msdeploy/agent/demo-agent.o $(BUILD)/libmsdeploy.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(MSD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -pthread

$(UNIT_BINS) $(INTEGRATION_BINS): $(BUILD)/%: $(BUILD)/%.o $(TEST_HELPER_OBJS) $(BUILD)/libmsdeploy.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(MSD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lm -pthread

$(BUILD)/tests/%.o: MSD_CFLAGS += -Itests/unit -DTEST_SRCDIR='"$(CURDIR)"' -DTEST_BINDIR='"$(CURDIR)/$(BUILD)/bin"'
# crash safety: the kill is injected where the command hands the plan to its host
$(BUILD)/tests/integration/test-install-faults: MSD_LDFLAGS += -Wl,--wrap=apply_plan

# ---- tests -------------------------------------------------------------------------------------------
# valgrind and the sanitizers do not mix: the SANITIZE=1 build is checked by ASan+UBSan instead
check: unit-tests integration-tests install-tests golden-tests external-tests property-tests stale-check \
	$(if $(filter 1,$(SANITIZE)),,valgrind-tests) e2e-tests fuzz-tests
	@echo "make check: all test suites passed"

# run-tests NAME PROGRAM...: runs every program, then says how many failed
run-tests = failed=; for t in $(2); do echo "== $$t"; $$t || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then echo "$(1): $(words $(2)) programs,$$failed failed"; exit 1; fi; \
	echo "$(1): all $(words $(2)) programs passed"

unit-tests: $(UNIT_BINS) | deps
	@$(call run-tests,unit,$(UNIT_BINS))

# msd-supervisor and msd-demo-agent as real processes, generated scripts run, systemd-sysusers/-tmpfiles/-analyze,
# bash, jq and PostgreSQL as the consumers of what msdeploy writes
integration-tests: all $(INTEGRATION_BINS) | deps
	@$(call run-tests,integration,$(INTEGRATION_BINS))

golden-tests: all | deps
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/golden/run
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/bad/run
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) SUPERVISOR=$(CURDIR)/$(SUPERVISOR) tests/cli/run

external-tests: $(MSDEPLOY) | deps
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/external/run

# Accepted means deployable, over a corpus of hostile specs (tests/property/run): what validate accepts, systemd-analyze,
# shellcheck, systemd-sysusers, systemd-tmpfiles and msd-supervisor accept without a word, and systemd reads every
# directive value back as the spec wrote it (unit-read-back compares); what it refuses is located.
UNIT_READ_BACK := $(BUILD)/tests/property/unit-read-back
$(UNIT_READ_BACK): $(BUILD)/tests/property/unit-read-back.o $(BUILD)/tests/unit/helpers/spec-check.o $(BUILD)/tests/fuzz/consumers.o \
		$(BUILD)/libmsdeploy.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(MSD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -pthread
property-tests: all $(UNIT_READ_BACK) | deps
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) SUPERVISOR=$(CURDIR)/$(SUPERVISOR) UNIT_READ_BACK=$(CURDIR)/$(UNIT_READ_BACK) tests/property/run

# plan, apply, rollback, locks and bundles in temporary roots (offline: no systemd contacted)
install-tests: $(MSDEPLOY) | deps
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/integration/install-run

valgrind-tests: all | deps
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) SUPERVISOR=$(CURDIR)/$(SUPERVISOR) tests/valgrind-run

# A real systemd 252 as PID 1 of its own namespaces over an overlay of / (tests/e2e/sdbox) runs the example's
# tier_3 units; tests/e2e/sdbox-test checks that sdbox acts on the container alone. Needs root: fails, never skips,
# without it. SANITIZE=1 runs the sanitized programs.
e2e-tests: $(MSDEPLOY) $(SUPERVISOR) $(DEMO_AGENT) | deps
	@tests/e2e/sdbox-test
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) SUPERVISOR=$(CURDIR)/$(SUPERVISOR) DEMO_AGENT=$(CURDIR)/$(DEMO_AGENT) \
		E2E_SANITIZED=$(SANITIZE) tests/e2e/run

# generated/ and schemas/ are committed; this fails when they no longer match what the code renders.
stale-check: $(MSDEPLOY)
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/stale-check

regenerate: $(MSDEPLOY)
	rm -rf generated && SOURCE_DATE_EPOCH=0 $(MSDEPLOY) -f $(SPEC) generate --out generated
	$(MSDEPLOY) schema > schemas/msdeploy.schema.json

# ---- fuzzing -----------------------------------------------------------------------------------------
# tests/fuzz: libFuzzer targets, built with clang, ASan and UBSan in build-fuzz/ whatever CC and SANITIZE say (a make
# of its own). fuzz-tests runs each on its committed corpus once (part of check); fuzz runs each for FUZZ_SECONDS,
# new inputs going to build-fuzz/corpus, crashes to build-fuzz/crashes; fuzz-fixed (CI) runs each for a fixed number
# of runs from seed 1, the same exploration on every machine.
FUZZ_BUILD := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz-*.c)))
FUZZ_BINS := $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/%)
FUZZ_HELPER_OBJS := $(BUILD)/tests/fuzz/consumers.o
.PHONY: fuzz fuzz-fixed fuzz-tests fuzz-build fuzz-bins
fuzz-build: | deps
	@$(MAKE) --no-print-directory CC=clang SANITIZE=0 BUILD=$(FUZZ_BUILD) MSD_LDFLAGS='-fsanitize=address,undefined' \
		CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all' fuzz-bins
fuzz-bins: $(FUZZ_BINS)
$(FUZZ_BINS): $(BUILD)/tests/fuzz/%: $(BUILD)/tests/fuzz/%.o $(FUZZ_HELPER_OBJS) $(BUILD)/libmsdeploy.a
	@echo "  LD      $@"
	@$(CC) -fsanitize=fuzzer,address,undefined $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm -pthread
fuzz-tests: fuzz-build
	@tests/fuzz/run replay $(FUZZ_BUILD) $(FUZZ_TARGETS)
fuzz: fuzz-build
	@tests/fuzz/run fuzz $(FUZZ_BUILD) $(FUZZ_TARGETS) -- -max_total_time=$(FUZZ_SECONDS)
fuzz-fixed: fuzz-build
	@tests/fuzz/run fixed $(FUZZ_BUILD) $(FUZZ_TARGETS)

# ---- the bundled example -----------------------------------------------------------------------------
# What msdeploy does with examples/mister-smith.yaml, step by step; the files stay in $(BUILD)/demo to look at.
demo: $(MSDEPLOY) | deps
	@echo "== 1/5 validate: checks the spec in every tier (structure, values, references, cycles, slice budgets),"
	@echo "       renders it, and writes nothing"
	$(MSDEPLOY) -f $(SPEC) validate
	@echo
	@echo "== 2/5 generate: writes each tier's artifacts to $(BUILD)/demo/TIER, laid out as they install under /"
	rm -rf $(BUILD)/demo && $(MSDEPLOY) -f $(SPEC) generate --out $(BUILD)/demo
	@echo "   (etc/systemd/system: units, slices, drop-ins; etc/mister-smith: env files and msd-supervisor's"
	@echo "   configuration; etc/sysusers.d, etc/tmpfiles.d: users and directories; usr/local/lib: scripts)"
	@cd $(BUILD)/demo && n=$$(find tier_3 -type f | wc -l) && echo "   the $$n files of tier_3:" && \
		find tier_3 -type f | LC_ALL=C sort | sed 's/^/     /' && for t in tier_1 tier_2; do \
		if [ "$$(cd $$t && find . -type f | LC_ALL=C sort)" = "$$(cd tier_3 && find . -type f | LC_ALL=C sort)" ]; then \
		echo "   and $$n more in $$t/: the same paths, with $$t's values"; \
		else echo "   and $$(find $$t -type f | wc -l) more in $$t/:"; find $$t -type f | LC_ALL=C sort | sed 's/^/     /'; fi; done
	@echo
	@echo "== 3/5 diff: tier_1 (experimental) against tier_3 (operational): how many lines change in each file, then"
	@echo "       every spec value that differs, with the FILE:LINE:COL that set it in each tier"
	$(MSDEPLOY) -f $(SPEC) diff --tier tier_1 --tier tier_3 --stat
	@echo
	@echo "== 4/5 explain: where one value comes from (here, tier_3's restart policy of the orchestrator)"
	$(MSDEPLOY) -f $(SPEC) explain services.orchestrator.restart.policy --tier tier_3
	@echo
	@echo "== 5/5 install: tier_3 into the temporary root $(BUILD)/demo-root (no running systemd is contacted):"
	@echo "       plan, apply, an env value changed (only the units reading it restart), then a rollback"
	rm -rf $(BUILD)/demo-root && tests/integration/install-host $(BUILD)/demo-root
	$(MSDEPLOY) -f $(SPEC) plan --tier tier_3 --root $(BUILD)/demo-root
	$(MSDEPLOY) -f $(SPEC) apply --tier tier_3 --root $(BUILD)/demo-root --yes | build-aux/clip 1 "the plan printed above"
	$(MSDEPLOY) -f $(SPEC) apply --tier tier_3 --root $(BUILD)/demo-root --yes --set env_files.worker.vars.MISTER_SMITH_DEMO=1
	$(MSDEPLOY) rollback --root $(BUILD)/demo-root --yes
	$(MSDEPLOY) releases --root $(BUILD)/demo-root
	@echo
	@echo "Next: read the files in $(BUILD)/demo/TIER, e.g. $(BUILD)/demo/tier_3/etc/systemd/system/mister-smith-orchestrator.service"
	@echo "      the full diff:    $(MSDEPLOY) -f $(SPEC) diff --tier tier_1 --tier tier_3"
	@echo "      the installed root: $(BUILD)/demo-root (msdeploy releases --root $(BUILD)/demo-root)"
	@echo "      every test suite: make check (as root)"

bench: bench-msdeploy bench-install bench-supervisor

bench-msdeploy: $(MSDEPLOY) $(BUILD)/bench-gen | deps
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) BENCH_GEN=$(CURDIR)/$(BUILD)/bench-gen tests/bench/run

# plan and apply offline at 1,000, 10,000 and 100,000 services, and the example's plan (figures printed)
bench-install: $(MSDEPLOY) $(BUILD)/bench-gen | deps
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) BENCH_GEN=$(CURDIR)/$(BUILD)/bench-gen tests/bench/install-run

# msd-supervisor side by side with supervisord, runit and s6 (their Debian packages are in BENCH_DEPS)
bench-supervisor: $(SUPERVISOR) | deps
	@MSD_SUPERVISOR=$(CURDIR)/$(SUPERVISOR) tests/bench/supervisor-run

$(BUILD)/bench-gen: tests/bench/gen.c | deps
	@mkdir -p $(dir $@)
	@$(CC) $(MSD_CFLAGS) $(CFLAGS) -o $@ $<

# ---- install -----------------------------------------------------------------------------------------
install: all
	install -Dm755 $(MSDEPLOY) $(DESTDIR)$(bindir)/msdeploy
	install -Dm755 $(SUPERVISOR) $(DESTDIR)$(bindir)/msd-supervisor
	install -Dm755 $(DEMO_AGENT) $(DESTDIR)$(bindir)/msd-demo-agent
	install -d $(DESTDIR)$(datadir)/msdeploy/tiers $(DESTDIR)$(datadir)/msdeploy/schemas $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 \
		$(DESTDIR)$(mandir)/man8
	install -m644 tiers/*.yaml $(DESTDIR)$(datadir)/msdeploy/tiers/
	install -m644 schemas/*.json $(DESTDIR)$(datadir)/msdeploy/schemas/
	install -m644 man/msdeploy.1 $(DESTDIR)$(mandir)/man1/
	install -m644 man/msdeploy.yaml.5 $(DESTDIR)$(mandir)/man5/
	install -m644 man/msd-supervisor.8 $(DESTDIR)$(mandir)/man8/

uninstall:
	rm -f $(DESTDIR)$(bindir)/msdeploy $(DESTDIR)$(bindir)/msd-supervisor $(DESTDIR)$(bindir)/msd-demo-agent
	rm -f $(DESTDIR)$(mandir)/man1/msdeploy.1 $(DESTDIR)$(mandir)/man5/msdeploy.yaml.5 $(DESTDIR)$(mandir)/man8/msd-supervisor.8
	rm -rf $(DESTDIR)$(datadir)/msdeploy

clean:
	rm -rf build build-san $(FUZZ_BUILD) $(filter-out build build-san,$(BUILD))

-include $(shell find $(BUILD)/msdeploy $(BUILD)/tests -name '*.d' -type f 2>/dev/null)

# keep the objects of test programs between runs
.SECONDARY:
