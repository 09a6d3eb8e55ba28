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
DEB_PKGS  := libyaml-dev libarchive-dev libsystemd-dev libcap-dev libcurl4-openssl-dev libmicrohttpd-dev libpq-dev libssl-dev \
             libcmocka-dev pkg-config systemd shellcheck time valgrind postgresql \
             nats-server jq curl util-linux bsdutils dbus

CFLAGS    ?= -O2 -g
# Flags the build needs whatever CFLAGS the caller passes
MSD_CFLAGS := -pthread -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers -Wshadow -Wformat=2 \
             -D_GNU_SOURCE -Imsdeploy -DMSDEPLOY_DATADIR='"$(datadir)/msdeploy"'
ifeq ($(SANITIZE),1)
MSD_CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
MSD_LDFLAGS := -fsanitize=address,undefined
endif

# Dependencies: checked on every build; installed with apt-get when root, else the exact command is printed.
DEPS_OK := $(shell pkg-config --exists $(PKGS) cmocka 2>/dev/null && command -v shellcheck >/dev/null \
             && command -v systemd-analyze >/dev/null && test -x /usr/bin/time && command -v valgrind >/dev/null \
             && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
             && test -x /usr/sbin/nats-server && command -v jq >/dev/null && command -v curl >/dev/null \
             && test -x /usr/bin/dbus-daemon && echo yes)
ifneq ($(DEPS_OK),yes)
ifeq ($(shell id -u),0)
$(shell echo "msdeploy: installing build and test dependencies: $(DEB_PKGS)" >&2)
APT_OUT := $(shell (test -e $(BUILD)/.apt-updated || apt-get update -qq) >&2 && mkdir -p $(BUILD) && touch $(BUILD)/.apt-updated \
             && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PKGS) >&2 && echo ok)
ifneq ($(APT_OUT),ok)
$(error apt-get install failed; run: apt-get update && apt-get install $(DEB_PKGS))
endif
else
$(error missing dependencies; run as root: apt-get update && apt-get install $(DEB_PKGS))
endif
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)

LIB_SRCS  := $(sort $(wildcard msdeploy/util/*.c msdeploy/spec/*.c msdeploy/render/*.c msdeploy/output/*.c msdeploy/cmd/*.c msdeploy/install/*.c msdeploy/sd/*.c) \
             $(filter-out msdeploy/supervisor/sv-main.c,$(wildcard msdeploy/supervisor/*.c)))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS := $(sort $(wildcard tests/unit/test-*.c))
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TEST_HELPER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/helpers/*.c))

MSDEPLOY  := $(BUILD)/bin/msdeploy
SUPERVISOR := $(BUILD)/bin/msd-supervisor
DEMO_AGENT := $(BUILD)/bin/msd-demo-agent
SPEC      := examples/mister-smith.yaml
TIERS     := tier_1 tier_2 tier_3

.PHONY: all check unit-tests golden-tests external-tests install-tests stale-check valgrind-tests e2e-tests demo bench bench-msdeploy bench-install bench-supervisor \
	install uninstall clean regenerate
all: $(MSDEPLOY) $(if $(wildcard msdeploy/supervisor/sv-main.c),$(SUPERVISOR)) $(if $(wildcard msdeploy/agent/demo-agent.c),$(DEMO_AGENT))

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(MSD_CFLAGS) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

# objects that bake in the install paths are rebuilt when PREFIX or datadir change
$(BUILD)/install-paths.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(datadir)' | cmp -s - $@ || echo '$(datadir)' > $@
$(BUILD)/msdeploy/spec/compose.o $(BUILD)/msdeploy/main.o: $(BUILD)/install-paths.stamp
.PHONY: FORCE

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

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(TEST_HELPER_OBJS) $(BUILD)/libmsdeploy.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(MSD_LDFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CMOCKA_LIBS) -lm -pthread

# crash safety: the kill is injected where the command hands the plan to its host
$(BUILD)/tests/test-install-faults: MSD_LDFLAGS += -Wl,--wrap=apply_plan
$(BUILD)/tests/unit/%.o: MSD_CFLAGS += -Itests/unit -DTEST_SRCDIR='"$(CURDIR)"' -DTEST_BINDIR='"$(CURDIR)/$(BUILD)/bin"'

# ---- tests -------------------------------------------------------------------------------------------
# valgrind and the sanitizers do not mix: the SANITIZE=1 build is checked by ASan+UBSan instead
check: unit-tests golden-tests external-tests install-tests stale-check $(if $(filter 1,$(SANITIZE)),,valgrind-tests) e2e-tests
	@echo "make check: all test suites passed"

unit-tests: all $(TEST_BINS)
	@set -e; for t in $(TEST_BINS); do echo "== $$t"; $$t; done

golden-tests: all
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/golden/run
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/bad/run
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) SUPERVISOR=$(CURDIR)/$(SUPERVISOR) tests/cli/run

external-tests: $(MSDEPLOY)
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/external/run

# plan, apply, rollback, locks and bundles in temporary roots (offline: no systemd contacted)
install-tests: $(MSDEPLOY)
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/integration/install-run

valgrind-tests: all
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) SUPERVISOR=$(CURDIR)/$(SUPERVISOR) tests/valgrind-run

# A real systemd 252 as PID 1 of its own namespaces over an overlay of / (tests/e2e/sdbox) runs the example's
# tier_3 units. Needs root: fails, never skips, without it. SANITIZE=1 runs the sanitized programs.
e2e-tests: $(MSDEPLOY) $(SUPERVISOR) $(DEMO_AGENT)
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) SUPERVISOR=$(CURDIR)/$(SUPERVISOR) DEMO_AGENT=$(CURDIR)/$(DEMO_AGENT) \
		E2E_SANITIZED=$(SANITIZE) tests/e2e/run

# generated/ and schemas/ are committed; this fails when they no longer match what the code renders.
stale-check: $(MSDEPLOY)
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) tests/stale-check

regenerate: $(MSDEPLOY)
	rm -rf generated && SOURCE_DATE_EPOCH=0 $(MSDEPLOY) -f $(SPEC) generate --out generated
	$(MSDEPLOY) schema > schemas/msdeploy.schema.json

# ---- the bundled example -----------------------------------------------------------------------------
demo: $(MSDEPLOY)
	$(MSDEPLOY) -f $(SPEC) validate
	rm -rf $(BUILD)/demo && $(MSDEPLOY) -f $(SPEC) generate --out $(BUILD)/demo
	@echo "== artifacts in $(BUILD)/demo:" && (cd $(BUILD)/demo && find . -type f | sort | sed 's/^\.\//  /' | head -60)
	@echo "== tier_1 (experimental) vs tier_3 (operational):"
	$(MSDEPLOY) -f $(SPEC) diff --tier tier_1 --tier tier_3 --stat
	$(MSDEPLOY) -f $(SPEC) explain services.orchestrator.restart.policy --tier tier_3
	@echo "== install tier_3 into the temporary root $(BUILD)/demo-root, change an env value, roll back:"
	rm -rf $(BUILD)/demo-root && tests/integration/install-host $(BUILD)/demo-root
	$(MSDEPLOY) -f $(SPEC) plan --tier tier_3 --root $(BUILD)/demo-root | tail -n 12
	$(MSDEPLOY) -f $(SPEC) apply --tier tier_3 --root $(BUILD)/demo-root --yes | tail -n 1
	$(MSDEPLOY) -f $(SPEC) apply --tier tier_3 --root $(BUILD)/demo-root --yes --set env_files.worker.vars.MISTER_SMITH_DEMO=1
	$(MSDEPLOY) rollback --root $(BUILD)/demo-root --yes | tail -n 1
	$(MSDEPLOY) releases --root $(BUILD)/demo-root

bench: bench-msdeploy bench-install bench-supervisor

bench-msdeploy: $(MSDEPLOY) $(BUILD)/bench-gen
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) BENCH_GEN=$(CURDIR)/$(BUILD)/bench-gen tests/bench/run

# plan and apply offline at 1,000 and 10,000 services (figures printed)
bench-install: $(MSDEPLOY) $(BUILD)/bench-gen
	@MSDEPLOY=$(CURDIR)/$(MSDEPLOY) BENCH_GEN=$(CURDIR)/$(BUILD)/bench-gen tests/bench/install-run

# msd-supervisor side by side with supervisord, runit and s6 (installed for the run when root)
bench-supervisor: $(SUPERVISOR)
	@MSD_SUPERVISOR=$(CURDIR)/$(SUPERVISOR) tests/bench/supervisor-run

$(BUILD)/bench-gen: tests/bench/gen.c
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
	rm -rf build build-san

-include $(shell find $(BUILD)/msdeploy $(BUILD)/tests -name '*.d' -type f 2>/dev/null)

# keep the objects of test programs between runs
.SECONDARY:
