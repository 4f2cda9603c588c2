#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# load_unreachable.sh - a namespace out of reach at load: its name deleted,
# its processes gone, alive only through orphan sockets still resending
# their FIN (every packet dropped). The load cannot enter it, so when the
# orphans give up, their closes are of sockets the collector never
# counted: each must count once as untracked_transition, and not again as
# a missed_event. (Until the close recorded the socket's namespace,
# bpf/sk.bpf.h, set_state's twin applied such a close a second time: a
# transition counted twice and a missed_event each.)
TEST_NAME=load_unreachable
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/states.sh"

N=3		# connections: 2N orphans
RETRIES=4	# tcp_orphan_retries: the orphans end about 6 s after their close

assert_prereqs nft
# The errors are the collector's, not a namespace's: read from here.
summary_here() { "$TCPSTATE" summary --json; }
[ "$TCPSTATE_SOURCE" = module ] &&
	ktap_skip_all "source=module: the module counts every namespace, reachable or not"
ktap_print_header
ktap_set_plan 4

setup_ns NS || ktap_skip_all "cannot create a network namespace"
nft_init "$NS" || ktap_skip_all "nftables unusable in a netns"
collector_unload || ktap_skip_all "cannot unload the collector"
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_orphan_retries=$RETRIES
inum=$(ip netns exec "$NS" stat -L -c %i /proc/self/ns/net)
hold_start "$NS" 60
if pair 7600 "$N" U && nft_rule "$NS" input tcp dport 7600 drop &&
   nft_rule "$NS" input tcp sport 7600 drop &&
   hold close CU && hold close SU && hold close LU &&
   wait_ss "$NS" "fin_wait1=$((2 * N))" 10; then
	ktap_test_pass "$((2 * N)) orphans in FIN_WAIT1, their packets dropped"
else
	ktap_test_fail "$((2 * N)) orphans in FIN_WAIT1, their packets dropped"
fi
hold_stop
# Out of reach: no name, no process. Not cleanup_ns: that drains it.
ip netns del "$NS"
LIB_NAMESPACES=()
# reachable_by INUM: the processes and names that lead to the namespace.
reachable_by() {
	local l n=0
	for l in /proc/[0-9]*/ns/net; do
		[ "$(readlink "$l" 2>/dev/null)" = "net:[$1]" ] && n=$((n + 1))
	done
	for l in /run/netns/*; do
		[ -e "$l" ] && [ "$(stat -L -c %i "$l" 2>/dev/null)" = "$1" ] && n=$((n + 1))
	done
	echo "$n"
}
reachable=$(reachable_by "$inum")
ktap_test_result "namespace $inum out of reach (by $reachable processes or names)" \
	test "$reachable" -eq 0

collector_load || ktap_skip_all "cannot load the collector"
collector_guard
health0=$(summary_here | jq -c '.errors')
untracked() {
	summary_here | jq --argjson b "$health0" \
		'.errors.untracked_transition - $b.untracked_transition'
}
wait_until 30 eval '[ "$(untracked)" -ge $((2 * N)) ]'
sleep 1		# a second close of one of them would follow at once
health1=$(summary_here | jq -c '.errors')
ktap_print_msg "errors grown: $(jq -n -c --argjson b "$health0" --argjson a "$health1" \
	'$a | with_entries(select(.value > ($b[.key] // 0)) | .value -= ($b[.key] // 0))')"
ktap_test_result "each orphan's close counted once as untracked_transition ($(untracked) = $((2 * N)))" \
	test "$(untracked)" -eq $((2 * N))
ktap_test_result "and none as a missed event" \
	test "$(jq -n --argjson b "$health0" --argjson a "$health1" \
		'$a.missed_event - $b.missed_event')" -eq 0
ktap_finished
