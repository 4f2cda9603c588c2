#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sk_slots.sh - the per-socket records' two homes: the preallocated slot
# table (sk_slots, tcpstate load --sk-slots) and socket storage, used by
# a socket whose slot another socket holds. With a table of 16 slots
# nearly every socket's slot is contended, so records are taken, given
# back and fall back to socket storage all the time; churn.sh and
# netns_burst.sh must then pass as they do with the default table. Also:
# --sk-slots refuses what is not a power of two.
TEST_NAME=sk_slots
. "$(dirname "$0")/lib.sh"

assert_prereqs
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN (run make -C selftests)"
ktap_print_header
ktap_set_plan 5

load_refused --sk-slots 12 "power of two"

test_cleanup() {
	# Whatever happened, leave the collector as others expect it.
	collector_unload >/dev/null 2>&1
	collector_load >/dev/null 2>&1
}
if collector_load_with --sk-slots 16 2>"$LIB_TMPDIR/load.err"; then
	ktap_test_pass "loaded with a table of 16 slots"
else
	ktap_print_msg "$(cat "$LIB_TMPDIR/load.err")"
	ktap_test_fail "loaded with a table of 16 slots"
	ktap_finished
fi
sub_test "churn.sh with 16 slots" churn.sh CHURN_SECONDS=3
sub_test "netns_burst.sh with 16 slots" netns_burst.sh CHURN_SECONDS=3
sub_test "transitions.sh with 16 slots" transitions.sh CHURN_SECONDS=3
ktap_finished
