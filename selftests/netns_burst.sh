#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netns_burst.sh - many new network namespaces at once, the way a container
# host starts pods. Each new namespace's first event creates its stats; a
# burst of them drains the BPF allocator's per-CPU cache (the per-CPU
# values come from the percpu allocator's small atomic pool), and no event
# may be lost to that. BURST_NETNS namespaces (default 32) each run a short
# tcpchurn at the same moment; then every namespace must count what ss
# counts, its close -> syn_sent must equal its ActiveOpens, any drift its
# check against the kernel's counters found must have been re-counted (and
# is reported), and no error counter may grow.
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
# A drift the check found was re-counted (the counts above are exact):
# say so, and require the re-count. About one run in 20 on the 6.18 test
# machine still shows one (Documentation/architecture.rst, "What the
# namespace bursts lost").
unrepaired=()
for d in "${drifted[@]}"; do
	case "$d" in *'"repairs":0'*) unrepaired+=("$d") ;; esac
done
[ ${#drifted[@]} -eq 0 ] ||
	ktap_print_msg "drift found and re-counted in ${#drifted[@]} namespace(s):" \
		"$(printf '%s\n' "${drifted[@]}")"
ktap_test_result "every one of $N namespaces: any drift from the kernel's counters was re-counted" \
	test ${#unrepaired[@]} -eq 0
# Drifts are judged per namespace above, not here. The kernel's blind
# spot (kernel_skips, lib.sh) leaves sockets recorded live; a timewait
# socket of theirs, never recorded, is either missing from its
# namespace's count (a drift, re-counted above) or met unrecorded later.
# Neither count is bounded by anything else the test sees (a socket lost
# in LAST_ACK has no timewait socket, and its record may be dropped
# before any check), so their growth is reported, not failed, within
# kernel_skips' rule and with the counts above exact.
# The blind spot may also skip a timewait socket's birth alone (its
# timer_start in such a softirq): its namespace's timewait count is short
# (a drift, re-counted above), and if it dies before the re-count (reused
# by a connect: loopback's tcp_tw_reuse), timewait_untracked grows with
# nothing else. So timewait_untracked may also grow by no more than the
# timewait sockets the drifts found missing (a CI run under sk_slots.sh:
# +1 against 7 missing, close_unseen and missed_event unchanged).
kernel_skips "$health0" "$(collector_health "${NSS[0]}")"
health1=$SKIPS_AFTER
tw_missed=$(for ns in "${NSS[@]}"; do cat "$LIB_TMPDIR/$ns.json"; done | jq -s \
	'map(select((.check.drifts // 0) > 0) | [.check.last_drift_timewait // 0, 0] | min) | 0 - (add // 0)')
if [ "$SKIPPED" -gt 0 ]; then
	ktap_print_msg "close_unseen + missed_event +$SKIPPED (timewait_untracked no more):" \
		"the stuck sockets of the ${#drifted[@]} drifted namespace(s), $tw_missed timewait socket(s) short"
fi
tw_untracked=$(jq -n --argjson b "$health0" --argjson a "$health1" \
	'($a.errors.timewait_untracked // 0) - ($b.errors.timewait_untracked // 0)')
if [ "$tw_untracked" -gt 0 ] && [ "$tw_untracked" -le "$tw_missed" ]; then
	ktap_print_msg "timewait_untracked +$tw_untracked, no more than the $tw_missed timewait" \
		"socket(s) the drifts found missing: births the kernel's blind spot skipped"
	health1=$(jq -c --argjson b "$health0" \
		'.errors.timewait_untracked = ($b.errors.timewait_untracked // 0)' <<<"$health1")
fi
health_case "collector health: no error counter grew, no event missed" \
	"$(jq -c '.drifts = 0' <<<"$health0")" "$(jq -c '.drifts = 0' <<<"$health1")"
ktap_finished
