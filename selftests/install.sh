#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install.sh - `make install` into a temporary DESTDIR, with PREFIX=/usr
# and with the default PREFIX (/usr/local): binaries, the unit pointing
# at the installed tcpstated, the example config (never replaced), the
# man pages, the module's DKMS source; the installed tcpstated reads the
# installed config and writes once, in a test namespace.
TEST_NAME=install
. "$(dirname "$0")/lib.sh"

assert_prereqs make rst2man
ktap_print_header
ktap_set_plan 8
D=$LIB_TMPDIR/root
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO_DIR/dkms.conf")

# The tree $TCPSTATE was built in (OUTPUT in the environment is the tests').
inst() { make -s -C "$REPO_DIR" install OUTPUT="$(dirname "$TCPSTATE")" DESTDIR="$D" "$@" >"$LIB_TMPDIR/make.out" 2>&1; }

ktap_test_result "make install DESTDIR PREFIX=/usr succeeds" inst PREFIX=/usr ||
	ktap_print_msg "$(cat "$LIB_TMPDIR/make.out")"
ktap_test_result "binaries in sbin, executable" \
	test -x "$D/usr/sbin/tcpstate" -a -x "$D/usr/sbin/tcpstated"
ktap_test_result "the unit runs the installed tcpstated" \
	grep -qx "ExecStart=/usr/sbin/tcpstated" "$D/usr/lib/systemd/system/tcpstated.service"
ktap_test_result "man pages tcpstate(8), tcpstated(8), tcpstated.conf(5)" \
	test -s "$D/usr/share/man/man8/tcpstate.8" -a -s "$D/usr/share/man/man8/tcpstated.8" \
	     -a -s "$D/usr/share/man/man5/tcpstated.conf.5"
ktap_test_result "DKMS source under /usr/src/tcpstate-$ver" eval \
	'test -s "$D/usr/src/tcpstate-$ver/dkms.conf" -a -s "$D/usr/src/tcpstate-$ver/Kbuild" \
	      -a -s "$D/usr/src/tcpstate-$ver/module/main.c" \
	      -a -s "$D/usr/src/tcpstate-$ver/include/tcpstate.h"'

echo "interval = 7" >>"$D/etc/tcpstate/tcpstated.conf"
sum=$(md5sum <"$D/etc/tcpstate/tcpstated.conf")
inst PREFIX=/usr
ktap_test_result "a second install keeps the edited config" \
	test "$(md5sum <"$D/etc/tcpstate/tcpstated.conf")" = "$sum"

ktap_test_result "the default PREFIX is /usr/local" eval \
	'inst && test -x "$D/usr/local/sbin/tcpstated" &&
	 grep -qx "ExecStart=/usr/local/sbin/tcpstated" "$D/usr/local/lib/systemd/system/tcpstated.service" &&
	 test -d "$D/usr/local/src/tcpstate-$ver/module"'

# The installed example config (all defaults, commented out) is valid.
collector_load || ktap_skip_all "cannot load the collector"
setup_ns ns || ktap_skip_all "cannot create a network namespace"
mkdir -p "$LIB_TMPDIR/prom"
sed -i '/^interval = 7$/d' "$D/etc/tcpstate/tcpstated.conf"
ktap_test_result "the installed tcpstated reads the shipped config and writes once" eval \
	'nsenter --net="/run/netns/$ns" "$D/usr/sbin/tcpstated" --once \
		--config "$D/etc/tcpstate/tcpstated.conf" --textfile-dir "$LIB_TMPDIR/prom" \
		2>"$LIB_TMPDIR/once.log" && test -s "$LIB_TMPDIR/prom/tcpstate.prom"' ||
	ktap_print_msg "$(cat "$LIB_TMPDIR/once.log")"
ktap_finished
