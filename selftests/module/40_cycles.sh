#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 40_cycles.sh - 50 insmod/rmmod cycles while tcpchurn opens and closes
# connections at full speed (every ending: client close, server close,
# RST, refused) in two namespaces, reading /proc/net/tcpstate in between;
# then a last insmod under churn, and once the churn stops the counts
# equal ss (the walk at insmod raced the hooks correctly). The kernel log
# must stay clean.
TEST_NAME=mod_cycles
. "$(dirname "$0")/lib.sh"
mod_assert
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN"
ktap_print_header
ktap_set_plan 5
CYCLES=${CYCLES:-50}
setup_ns A B
mod_unload

# The churn runs at the lowest priority: it takes every cycle the loop
# leaves (grace periods, stop_machine, text patching) without making each
# insmod/rmmod wait behind eight busy threads.
nice -n "${CHURN_NICE:-19}" ip netns exec "$A" "$TCPCHURN" -p 7400 -c 2 -a 2 -d 600 >"$LIB_TMPDIR/churnA" 2>&1 &
CHURN_A=$!
nice -n "${CHURN_NICE:-19}" ip netns exec "$B" "$TCPCHURN" -p 7500 -c 2 -a 2 -d 600 >"$LIB_TMPDIR/churnB" 2>&1 &
CHURN_B=$!
LIB_CHILDREN+=("$CHURN_A" "$CHURN_B")
sleep 1

churning() {
	kill -0 "$CHURN_A" 2>/dev/null && kill -0 "$CHURN_B" 2>/dev/null
}
fails=0
t0=$(date +%s%N)
for i in $(seq "$CYCLES"); do
	if ! insmod "$TCPSTATE_MODULE"; then
		fails=$((fails + 1))
		continue
	fi
	ip netns exec "$A" cat /proc/net/tcpstate >/dev/null || fails=$((fails + 1))
	ip netns exec "$B" cat /proc/net/tcpstate >/dev/null || fails=$((fails + 1))
	rmmod tcpstate || fails=$((fails + 1))
done
t1=$(date +%s%N)
ktap_test_result "$CYCLES insmod/read/rmmod cycles under churn ($(( (t1 - t0) / 1000000 / CYCLES )) ms each)" \
	test "$fails" = 0
ktap_test_result "the churn ran throughout" churning

mod_load
sleep 2
kill -INT "$CHURN_A" "$CHURN_B" 2>/dev/null
kill "$CHURN_A" "$CHURN_B" 2>/dev/null
wait "$CHURN_A" "$CHURN_B" 2>/dev/null
LIB_CHILDREN=()
ktap_test_result "loaded under churn: namespace A equals ss once quiet" proc_equal_ss "$A" 20
ktap_test_result "loaded under churn: namespace B equals ss once quiet" proc_equal_ss "$B" 20
ktap_print_msg "A: $(proc_counts "$A" | tr '\n' ' ')"
ktap_print_msg "errors: $(proc_table "$A" Errors | awk '$2 != 0' | tr '\n' ' ')"
ktap_test_result "kernel log clean" dmesg_clean
ktap_finished
