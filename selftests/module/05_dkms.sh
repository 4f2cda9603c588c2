#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 05_dkms.sh - the module that `dkms install` built from dkms.conf for
# this kernel (selftests/vm/run.sh puts it at $TCPSTATE_DKMS_MODULE) is
# the same source as the one the other tests load, loads, serves
# /proc/net/tcpstate and unloads.
TEST_NAME=mod_dkms
. "$(dirname "$0")/lib.sh"
DKMS_MODULE=${TCPSTATE_DKMS_MODULE:-/dkms/tcpstate.ko}
mod_assert
[ -e "$DKMS_MODULE" ] || ktap_skip_all "no DKMS-built module at $DKMS_MODULE"
ktap_print_header
ktap_set_plan 3
mod_unload

# modinfo_of FILE: version and srcversion from the module's .modinfo
# strings (busybox's modinfo looks modules up by name, not by path).
modinfo_of() { tr '\0' '\n' <"$1" | grep -E '^(version|srcversion)=' | sort | tr '\n' ' '; }
a=$(modinfo_of "$DKMS_MODULE")
b=$(modinfo_of "$TCPSTATE_MODULE")
ktap_test_result "dkms built the same source and version ($a)" \
	test -n "$a" -a "$a" = "$b"
if insmod "$DKMS_MODULE"; then
	ktap_test_result "it loads and /proc/net/tcpstate opens with 'tcpstate 1'" \
		test "$(head -1 /proc/net/tcpstate)" = "tcpstate 1"
	ktap_test_result "it unloads" rmmod tcpstate
else
	ktap_test_fail "it loads"
	ktap_test_skip "it unloads"
fi
ktap_finished
