#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# timewait_expiry.sh - timewait sockets die without a state event; the
# collector must still count their end and measure their lifetime. The
# suite's one 60 s test:
#   3 orphaned FIN_WAIT2 timewait sockets (client close(), the server keeps
#     its end; tcp_fin_timeout=20 in the netns) expire after ~20 s:
#     fin_wait2 -> close x3, durations in the [16.8 s, 33.6 s) bucket;
#   5 TIME_WAIT sockets (client close() first, then the server) expire
#     after 60 s: time_wait -> close x5, durations in the [33.6 s, 67.1 s)
#     bucket (le_us 67108864).
TEST_NAME=timewait_expiry
. "$(dirname "$0")/lib.sh"

J0=$LIB_TMPDIR/before.json
J1=$LIB_TMPDIR/after.json
T0=$LIB_TMPDIR/before.trans
T1=$LIB_TMPDIR/after.trans

assert_prereqs
ktap_print_header
ktap_set_plan 9
collector_load || ktap_skip_all "cannot load the collector"
collector_guard
setup_ns NS || ktap_skip_all "cannot create a network namespace"
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_fin_timeout=20 ||
	ktap_skip_all "cannot set tcp_fin_timeout in the netns"
hold_start "$NS" 120

ok=1
hold listen L 7501 &&
	hold connect CB 7501 3 && hold wait-connected CB && hold accept SB L 3 &&
	hold close CB &&
	wait_ss "$NS" "listen=1 fin_wait2=3 close_wait=3" &&
	hold connect CA 7501 5 && hold wait-connected CA && hold accept SA L 5 &&
	hold close CA && wait_ss "$NS" "listen=1 fin_wait2=8 close_wait=8" &&
	hold close SA && wait_ss "$NS" "listen=1 fin_wait2=3 close_wait=3 time_wait=5" || ok=0
start=$(date +%s)
ktap_test_result "set-up: 3 orphaned FIN_WAIT2 and 5 TIME_WAIT timewait sockets" [ $ok = 1 ]
ktap_test_result "held: tcpstate equals ss" wait_counts_equal "$NS" 5
summary_json "$NS" >"$J0"
transitions "$NS" >"$T0"

# ~20 s: the FIN_WAIT2 ones (timer slack at this range: < 1 s).
ktap_print_msg "waiting for the FIN_WAIT2 timewait sockets to expire (~20 s)"
wait_until 30 ss_is "$NS" "listen=1 close_wait=3 time_wait=5" ||
	ktap_print_msg "ss after 30 s: $(ss_counts "$NS" | tr '\n' ' ')"
ktap_print_msg "FIN_WAIT2 gone after $(( $(date +%s) - start )) s"
transitions "$NS" >"$T1"
transitions_delta "$T0" "$T1" >"$LIB_TMPDIR/delta"
expect_lines "FIN_WAIT2 timewait expiry: fin_wait2 -> close x3, nothing else" \
	"$LIB_TMPDIR/delta" "fin_wait2 close 3"
ktap_test_result "after FIN_WAIT2 expiry: tcpstate equals ss" wait_counts_equal "$NS" 5

# ~60 s: the TIME_WAIT ones (timer slack at this range: up to 4 s).
ktap_print_msg "waiting for the TIME_WAIT sockets to expire (~60 s)"
wait_until 75 ss_is "$NS" "listen=1 close_wait=3" ||
	ktap_print_msg "ss after 75 s: $(ss_counts "$NS" | tr '\n' ' ')"
ktap_print_msg "TIME_WAIT gone after $(( $(date +%s) - start )) s"
ktap_test_result "after TIME_WAIT expiry: tcpstate equals ss" wait_counts_equal "$NS" 5
summary_json "$NS" >"$J1"
transitions "$NS" >"$T1"
transitions_delta "$T0" "$T1" >"$LIB_TMPDIR/delta"
expect_lines "all expired: fin_wait2 -> close x3, time_wait -> close x5, nothing else" \
	"$LIB_TMPDIR/delta" "fin_wait2 close 3" "time_wait close 5"
ktap_print_msg "time_wait: $(jq -c '.durations.time_wait' "$J1")"
ktap_print_msg "fin_wait2: $(jq -c '.durations.fin_wait2' "$J1")"
expect_lines "time_wait durations: 5 in the 64 s bucket (le_us 67108864)" \
	<(bucket_delta "$J0" "$J1" time_wait) "67108864 5"
expect_lines "fin_wait2 durations: 3 in the 32 s bucket (le_us 33554432)" \
	<(bucket_delta "$J0" "$J1" fin_wait2) "33554432 3"
ktap_finished
