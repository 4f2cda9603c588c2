# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# tcpstate: the BPF collector, the CLI, the tests. The kernel module is
# built by Kbuild (make module). All output goes under .output/.

OUTPUT ?= $(abspath .output)
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= cc
PKG_CONFIG ?= pkg-config
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
KDIR ?= /lib/modules/$(shell uname -r)/build

ARCH ?= $(shell uname -m | sed 's/x86_64/x86/' \
			 | sed 's/arm.*/arm/' \
			 | sed 's/aarch64/arm64/' \
			 | sed 's/ppc64le/powerpc/' \
			 | sed 's/mips.*/mips/' \
			 | sed 's/riscv64/riscv/' \
			 | sed 's/loongarch64/loongarch/')

INCLUDES := -I$(OUTPUT) -Iinclude -Iuser
CFLAGS ?= -g -O2
CFLAGS += -Wall -Wextra -Werror -D_GNU_SOURCE $(EXTRA_CFLAGS)
LDFLAGS += $(EXTRA_LDFLAGS)
LDLIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) \
	  $(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl)
BPF_CFLAGS := -g -O2 -Wall -Werror=undef -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH)

# System include paths clang needs for -target bpf (asm/types.h etc.).
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')

USER_OBJS := tcpstate.o cli.o json.o netns.o states.o hist.o snapshot.o proc_parse.o \
	     source_bpf.o source_module.o loader.o memcg.o collector_fds.o summary.o \
	     summary_render.o sockstat.o drift.o repair.o netns_table.o \
	     model_prom.o prom_render.o textfile.o netns_limits.o cmd_export.o log.o \
	     sockdiag.o culprit.o model_alerts.o alerts.o alert_cache.o render_alerts.o cmd_alerts.o config.o \
	     hook.o tw_owner.o model_top.o render_top.o cmd_top.o tui.o
# tcpstated: the same library objects, its own main and loop (no top, no curses).
DAEMON_OBJS := tcpstated.o daemon.o prune.o \
	       $(filter-out tcpstate.o model_top.o render_top.o cmd_top.o tui.o,$(USER_OBJS))
# ncursesw: top's terminal (wide characters for the sparklines).
CURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
SYSTEMD_LIBS := $(shell $(PKG_CONFIG) --libs libsystemd 2>/dev/null || echo -lsystemd)

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s%s\n' "$(1)" "$(patsubst $(abspath $(OUTPUT))/%,%,$(2))" \
		"$(if $(3), $(3))";
	MAKEFLAGS += --no-print-directory
endif

.PHONY: all
all: $(OUTPUT)/tcpstate $(OUTPUT)/tcpstated

$(OUTPUT):
	$(call msg,MKDIR,$@)
	$(Q)mkdir -p $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

# clang, then bpftool gen object (libbpf's static linker) on its output.
define compile_bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(INCLUDES) $(CLANG_BPF_SYS_INCLUDES) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp
endef

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.bpf.h) include/tcpstate.h $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(compile_bpf)

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o | $(OUTPUT)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# Every user object may include the skeleton through loader.h.
$(patsubst %,$(OUTPUT)/%,$(USER_OBJS) $(DAEMON_OBJS)): $(OUTPUT)/tcpstate.skel.h

$(OUTPUT)/%.o: user/%.c $(wildcard user/*.h) include/tcpstate.h | $(OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -c $< -o $@

$(OUTPUT)/tui.o: CFLAGS += $(CURSES_CFLAGS)

$(OUTPUT)/tcpstate: $(patsubst %,$(OUTPUT)/%,$(USER_OBJS))
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) $(CURSES_LIBS) -o $@

$(OUTPUT)/tcpstated: $(patsubst %,$(OUTPUT)/%,$(DAEMON_OBJS))
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) $(SYSTEMD_LIBS) -o $@

# ---- benchmarks (bench/) ----------------------------------------------

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/bench/%.bpf.o: bench/%.bpf.c $(OUTPUT)/vmlinux.h | $(OUTPUT)/bench
	$(compile_bpf)

$(OUTPUT)/bench/progcost: bench/progcost.c $(OUTPUT)/bench/empty.skel.h
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) -I$(OUTPUT)/bench $< $(LDFLAGS) $(LDLIBS) -o $@

# Builds of the collector side by side (bench/varcost.c); loads from the
# root memory cgroup as the collector does.
$(OUTPUT)/bench/varcost: bench/varcost.c user/memcg.c user/memcg.h | $(OUTPUT)/bench
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) -Iuser $< user/memcg.c $(LDFLAGS) $(LDLIBS) -o $@

# ---- man pages, install ------------------------------------------------

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
# The daemon reads /etc/tcpstate/tcpstated.conf whatever the prefix.
SYSCONFDIR ?= /etc
DKMSDIR ?= $(PREFIX)/src/tcpstate-$(VERSION)
RST2MAN ?= rst2man

MAN_SRCS := $(wildcard Documentation/man/*.rst)
MANS := $(patsubst Documentation/man/%.rst,$(OUTPUT)/man/%,$(MAN_SRCS))

$(OUTPUT)/man:
	$(Q)mkdir -p $@

# tcpstated.8.rst -> .output/man/tcpstated.8; any docutils warning fails.
$(OUTPUT)/man/%: Documentation/man/%.rst | $(OUTPUT)/man
	$(call msg,RST2MAN,$@)
	$(Q)$(RST2MAN) --halt=warning $< $@

.PHONY: man
man: $(MANS)

# DESTDIR for staging; the example config never replaces an existing one.
.PHONY: install
install: all man
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/tcpstate $(DESTDIR)$(DKMSDIR)
	$(Q)install -m 0755 $(OUTPUT)/tcpstate $(OUTPUT)/tcpstated $(DESTDIR)$(SBINDIR)/
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' dist/tcpstated.service.in \
		> $(DESTDIR)$(UNITDIR)/tcpstated.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/tcpstated.service
	$(Q)install -m 0644 $(filter %.5,$(MANS)) $(DESTDIR)$(MANDIR)/man5/
	$(Q)install -m 0644 $(filter %.8,$(MANS)) $(DESTDIR)$(MANDIR)/man8/
	$(Q)[ -e $(DESTDIR)$(SYSCONFDIR)/tcpstate/tcpstated.conf ] || \
		install -m 0644 dist/tcpstated.conf $(DESTDIR)$(SYSCONFDIR)/tcpstate/
	$(Q)cp -r dkms.conf Kbuild module include $(DESTDIR)$(DKMSDIR)/

# The unit checked as systemd would load it (PID 1 here is not systemd):
# verify (with the man pages just built for Documentation=), and the
# offline security score, printed.
.PHONY: check-unit-file
check-unit-file: all man
	$(Q)./scripts/check-unit.sh $(OUTPUT)

# ---- set-up, running, tests -------------------------------------------

.PHONY: deps deps-run
# Everything check needs (build, tests, the VM harness); run needs less.
deps:
	$(Q)./scripts/deps.sh check
deps-run:
	$(Q)./scripts/deps.sh run

.PHONY: run
run: deps-run
	$(Q)$(MAKE) all
	$(Q)$(OUTPUT)/tcpstate load --if-needed
	@# The live view on a terminal; a summary every second otherwise.
	$(Q)if [ -t 0 ] && [ -t 1 ]; then exec $(OUTPUT)/tcpstate top; \
	else exec $(OUTPUT)/tcpstate summary 1; fi

.PHONY: check
check: deps
	$(Q)$(MAKE) all
	$(Q)$(MAKE) check-unit
	$(Q)$(MAKE) check-unit-file
	$(Q)$(MAKE) check-rules
	@# The tests load the collector just built, not one left pinned.
	$(Q)$(OUTPUT)/tcpstate unload
	$(Q)$(MAKE) -C selftests OUTPUT=$(OUTPUT)/selftests TCPSTATE=$(OUTPUT)/tcpstate run_tests
	@# The module and CO-RE on Debian's 6.1 and 6.12, in QEMU (~40 min).
	$(Q)$(MAKE) check-vm

# Unit tests of user/ (selftests/unit): no root, no kernel, only a C
# compiler, so any user can run them on a bare clone. Ends with
# "N passed, N failed".
.PHONY: check-unit
check-unit:
	$(Q)$(MAKE) -C selftests/unit OUTPUT=$(OUTPUT)/unit run_tests

# The example alerting rules (Documentation/examples): promtool's syntax
# check and the rules' unit tests. No root, no kernel; needs promtool
# (Debian's prometheus package, which make deps installs).
PROMTOOL ?= promtool
.PHONY: check-rules
check-rules:
	$(call msg,PROMTOOL,Documentation/examples/tcpstate.rules.yml)
	$(Q)cd Documentation/examples && $(PROMTOOL) check rules tcpstate.rules.yml && \
		$(PROMTOOL) test rules tcpstate.rules.test.yml

# Side-by-side ratios (bench/run.sh and the scripts it runs): churn beside
# tcpstates, per-event cost beside an empty program, reads beside ss and
# node_exporter up to 1M sockets, map memory, the daemon, the module in a
# guest. QUICK=1: under 3 minutes, no guest.
.PHONY: bench
bench: deps
	$(Q)$(MAKE) all $(OUTPUT)/bench/progcost
	$(Q)$(MAKE) -C selftests OUTPUT=$(OUTPUT)/selftests
	$(Q)OUTPUT=$(OUTPUT) QUICK=$(QUICK) ./bench/run.sh

.PHONY: clean
clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)

# ---- the kernel module (Kbuild builds it, in a copy under .output/) ---

MODULE_SRC := $(OUTPUT)/module-src

.PHONY: module
module: | $(OUTPUT)
	$(call msg,MODULE,$(MODULE_SRC)/module/tcpstate.ko,KDIR=$(KDIR))
	$(Q)mkdir -p $(MODULE_SRC) && cp -r module include $(MODULE_SRC)/
	$(Q)$(MAKE) -C $(KDIR) M=$(MODULE_SRC)/module modules

# Debian 6.1 and 6.12 in QEMU: module suite plus the selftests with
# --source module and --source bpf (selftests/vm/run.sh). The kernels
# are fetched into TCPSTATE_VM_CACHE, outside the clone.
.PHONY: check-vm
check-vm: deps
	$(Q)$(MAKE) all
	$(Q)$(MAKE) -C selftests OUTPUT=$(OUTPUT)/selftests
	$(Q)./selftests/vm/run.sh $(VM_KERNELS)
VM_KERNELS ?= 6.1 6.12

.PHONY: module-clean
module-clean:
	$(call msg,CLEAN,module)
	$(Q)rm -rf $(MODULE_SRC) $(OUTPUT)/vm $(OUTPUT)/vm-src-*

# Delete a target whose recipe failed; keep the intermediates.
.DELETE_ON_ERROR:
.SECONDARY:
