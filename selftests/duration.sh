#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# duration.sh - time in state. 10 server sockets sit in CLOSE_WAIT (their
# clients half-closed) for about 0.7 s and 10 more for about 1.9 s; the
# histogram must put them in the [0.5 s, 1 s) and [1 s, 2 s) buckets
# (le_us 1048576 and 2097152), and the clients' full FIN_WAIT2 sockets,
# held as long, in the same buckets.
TEST_NAME=duration
. "$(dirname "$0")/lib.sh"

assert_prereqs
ktap_print_header
ktap_set_plan 6
collector_load || ktap_skip_all "cannot load the collector"
collector_guard
setup_ns NS || ktap_skip_all "cannot create a network namespace"
hold_start "$NS" 60
J0=$LIB_TMPDIR/summary0.json
summary_json "$NS" >"$J0"

ok=1
hold listen L 7301 &&
	hold connect CA 7301 10 && hold wait-connected CA &&
	hold accept SA L 10 &&
	hold connect CB 7301 10 && hold wait-connected CB &&
	hold accept SB L 10 &&
	wait_ss "$NS" "listen=1 established=40" || ok=0
# Both groups enter CLOSE_WAIT (servers) and FIN_WAIT2 (clients) now.
hold shutdown CA && hold shutdown CB &&
	wait_ss "$NS" "listen=1 fin_wait2=20 close_wait=20" || ok=0
# Group A leaves after ~0.7 s, group B after ~1.9 s (one tcphold command
# each, so the shell adds no delay in between).
hold sleep 700 && hold close SA && hold sleep 1200 && hold close SB &&
	wait_ss "$NS" "listen=1 time_wait=20 fin_wait2=0" || ok=0
if [ $ok = 1 ]; then
	ktap_test_pass "set-up: 20 sockets in CLOSE_WAIT, 10 for 0.7 s, 10 for 1.9 s"
else
	ktap_test_fail "set-up: 20 sockets in CLOSE_WAIT, 10 for 0.7 s, 10 for 1.9 s"
fi

J=$LIB_TMPDIR/summary.json
summary_json "$NS" >"$J"
ktap_print_msg "close_wait: $(jq -c '.durations.close_wait' "$J")"
ktap_print_msg "fin_wait2:  $(jq -c '.durations.fin_wait2' "$J")"

expect_lines "close_wait: 10 in the 1 s bucket (le_us 1048576), 10 in the 2 s bucket (le_us 2097152)" \
	<(bucket_delta "$J0" "$J" close_wait) "1048576 10" "2097152 10"
cnt=$(( $(jq -r '.durations.close_wait.count // 0' "$J") - $(jq -r '.durations.close_wait.count // 0' "$J0") ))
ktap_test_result "close_wait: 20 more durations counted (got $cnt)" [ "$cnt" = 20 ]
p50=$(jq -r '.durations.close_wait.p50_us' "$J")
max=$(jq -r '.durations.close_wait.max_us' "$J")
if [ "$(jq -r '.durations.close_wait.count // 0' "$J0")" = 0 ]; then
	ktap_test_result "close_wait: p50 $p50 us and max $max us within [0.5 s, 2.1 s]" \
		[ "$(jq '.durations.close_wait | .p50_us >= 524288 and .p50_us <= 2097152 and
			.max_us >= 1048576 and .max_us <= 2097152' "$J")" = true ]
else
	ktap_test_skip "close_wait: p50 and max (the netns did not start empty)"
fi
expect_lines "fin_wait2 (full sockets): 10 in the 1 s bucket, 10 in the 2 s bucket" \
	<(bucket_delta "$J0" "$J" fin_wait2) "1048576 10" "2097152 10"
ktap_test_result "tcpstate equals ss" wait_counts_equal "$NS" 5
ktap_finished
