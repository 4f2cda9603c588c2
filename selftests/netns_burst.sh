#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netns_burst.sh - many new network namespaces at once, the way a container
# host starts pods. Each new namespace's first event creates its stats; a
# burst of them drains the BPF allocator's per-CPU cache (the per-CPU
# values come from the percpu allocator's small atomic pool), and no event
# may be lost to that. BURST_NETNS namespaces (default 32) each run a short
# tcpchurn at the same moment; then every namespace must count what ss
# counts, its close -> syn_sent must equal its ActiveOpens, its check
# against the kernel's counters must have found no drift (a re-count
# would hide a loss), and no error counter may grow.
TEST_NAME=netns_burst
. "$(dirname "$0")/lib.sh"

N=${BURST_NETNS:-32}
CHURN_S=1

assert_prereqs
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN (run make -C selftests)"
ktap_print_header
ktap_set_plan 4
collector_load || ktap_skip_all "cannot load the collector"
collector_guard

NSS=()
for i in $(seq "$N"); do
	setup_ns ns || ktap_skip_all "cannot create network namespace $i"
	NSS+=("$ns")
done
health0=$(collector_health "${NSS[0]}")

ktap_print_msg "$N namespaces churn for $CHURN_S s at once"
for ns in "${NSS[@]}"; do
	ip netns exec "$ns" "$TCPCHURN" -p 7700 -c 1 -a 1 -d "$CHURN_S" \
		>"$LIB_TMPDIR/$ns.churn" 2>&1 &
done
wait

bad_counts=() bad_opens=() drifted=()
for ns in "${NSS[@]}"; do
	wait_counts_equal "$ns" 10 || bad_counts+=("$ns")
	summary_json "$ns" >"$LIB_TMPDIR/$ns.json"
	[ "$(jq -r '.check.drifts // 0' "$LIB_TMPDIR/$ns.json")" = 0 ] ||
		drifted+=("$ns: $(jq -c .check "$LIB_TMPDIR/$ns.json")")
	got=$(trans "$LIB_TMPDIR/$ns.json" close syn_sent) want=$(snmp "$ns" ActiveOpens)
	[ "$got" = "$want" ] ||
		bad_opens+=("$ns: close -> syn_sent $got, ActiveOpens $want; tcpchurn: $(tr '\n' ' ' <"$LIB_TMPDIR/$ns.churn")")
done
ktap_test_result "every one of $N namespaces: tcpstate equals ss" \
	test ${#bad_counts[@]} -eq 0
[ ${#bad_opens[@]} -eq 0 ] || ktap_print_msg "$(printf '%s\n' "${bad_opens[@]}")"
ktap_test_result "every one of $N namespaces: close -> syn_sent equals ActiveOpens" \
	test ${#bad_opens[@]} -eq 0
[ ${#drifted[@]} -eq 0 ] || ktap_print_msg "$(printf '%s\n' "${drifted[@]}")"
ktap_test_result "every one of $N namespaces: no drift from the kernel's counters" \
	test ${#drifted[@]} -eq 0
health_case "collector health: no error counter grew, no event missed" \
	"$health0" "$(collector_health "${NSS[0]}")"
ktap_finished
