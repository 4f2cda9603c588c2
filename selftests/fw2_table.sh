#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fw2_table.sh - a timewait socket counted in substate FIN_WAIT2 changes
# to TIME_WAIT when its peer's FIN comes, which fires nothing the
# collector sees; each read re-checks the sockets it holds by name in
# fw2_pending (tcpstate load --fin-wait2-table N). With more of them than
# the table holds, reads re-check the whole timewait table instead, until
# every one fits again: counts stay exact either way. Here a table of 4
# and 8 orphaned clients in FIN_WAIT2, whose server then closes. BPF
# collector only (the module walks its own timewait table).
TEST_NAME=fw2_table
. "$(dirname "$0")/lib.sh"

[ "$TCPSTATE_SOURCE" = module ] && ktap_skip_all "the module has no FIN_WAIT2 table"
assert_prereqs
[ -x "$TCPHOLD" ] || ktap_skip_all "no tcphold at $TCPHOLD (run make -C selftests)"
ktap_print_header
ktap_set_plan 6

load_refused --fin-wait2-table 0 "out of range"

test_cleanup() {
	collector_unload >/dev/null 2>&1
	collector_load >/dev/null 2>&1
}
collector_unload || ktap_skip_all "cannot unload the collector"
"$TCPSTATE" load --fin-wait2-table 4 >"$LIB_TMPDIR/load.out" 2>&1 || {
	ktap_print_msg "$(cat "$LIB_TMPDIR/load.out")"
	ktap_skip_all "cannot load the collector with a FIN_WAIT2 table of 4"
}
collector_guard
setup_ns ns || ktap_skip_all "cannot create a network namespace"
health0=$(collector_health "$ns")

# 8 clients, their children accepted; the clients close: orphans, their
# FIN acknowledged, they become timewait sockets in substate FIN_WAIT2
# (tcp_fin_timeout is TCP_TIMEWAIT_LEN, 60 s).
hold_start "$ns" 60
hold listen L 7800 && hold connect C 7800 8 && hold wait-connected C &&
	hold accept A L 8 || ktap_skip_all "cannot set up sockets"
hold close C
wait_ss "$ns" "listen=1 fin_wait2=8 close_wait=8" 10 || ktap_skip_all "no FIN_WAIT2 timewait sockets"
summary_json "$ns" >"$LIB_TMPDIR/before.json"
ktap_test_result "8 timewait sockets in FIN_WAIT2, 4 of them beyond the table: counts equal ss" \
	wait_counts_equal "$ns" 5

# The server closes: each peer's FIN moves its timewait socket to
# substate TIME_WAIT, silently; the next read must see all 8 moved.
hold close A
wait_ss "$ns" "listen=1 time_wait=8" 10
ktap_test_result "all 8 moved to TIME_WAIT, seen by the first read after" counts_diff "$ns"
summary_json "$ns" >"$LIB_TMPDIR/after.json"
moved=$(( $(trans "$LIB_TMPDIR/after.json" fin_wait2 time_wait) - $(trans "$LIB_TMPDIR/before.json" fin_wait2 time_wait) ))
ktap_test_result "fin_wait2 -> time_wait counted 8 times (counted $moved)" test "$moved" = 8

# Once all fit again, by name: a second round, 3 sockets within the table.
hold connect D 7800 3 && hold wait-connected D && hold accept B L 3 ||
	ktap_skip_all "cannot set up more sockets"
hold close D
wait_ss "$ns" "listen=1 fin_wait2=3 close_wait=3 time_wait=8" 10
summary_json "$ns" >/dev/null
hold close B
wait_ss "$ns" "listen=1 time_wait=11" 10
ktap_test_result "a second round within the table: counts equal ss" counts_diff "$ns"
health1=$(collector_health "$ns")
ktap_print_msg "health before: $health0"
ktap_print_msg "health after:  $health1"
ktap_test_result "no error counter grew" test "$health1" = "$health0"
ktap_finished
