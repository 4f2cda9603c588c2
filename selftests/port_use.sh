#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# port_use.sh - the BPF collector's ports per destination (port_use,
# bpf/ports.bpf.h): the largest counter bounds what ss counts for the
# busiest destination (ports of the ephemeral range held toward one peer
# from one local address, TIME_WAIT included), and every port a socket
# took is given back once: when the namespace is torn down, the counters
# lose at least what its sockets held, and none goes below zero.
TEST_NAME=port_use
. "$(dirname "$0")/lib.sh"

assert_prereqs bpftool
[ "$TCPSTATE_SOURCE" = module ] && ktap_skip_all "ports per destination are the BPF collector's"
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN (run make -C selftests)"
ktap_print_header
ktap_set_plan 4
collector_load || ktap_skip_all "cannot load the collector"
[ "$("$TCPSTATE" summary --json | jq -r .source)" = bpf ] || ktap_skip_all "not the BPF collector"
setup_ns ns || ktap_skip_all "cannot create a network namespace"
ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="40000 40999"

# counters: "max sum negatives" over the per-CPU sums of every counter.
counters() {
	bpftool -j map dump pinned /sys/fs/bpf/tcpstate/map_port_use |
		jq -r '[.[] | [.formatted.values[].value] | add] |
			"\(max) \(add) \(map(select(. < 0)) | length)"'
}
# ss_ports: per (local address, peer) the sockets holding a port of the
# range (every state but LISTEN); the busiest count, and the total.
ss_ports() {
	ip netns exec "$ns" ss -Htan | awk '$1 != "LISTEN" {
		n = split($4, l, ":"); p = l[n] + 0
		if (p >= 40000 && p <= 40999) { k = substr($4, 1, length($4) - length(l[n]) - 1) " " $5; c[k]++; t++ }
	} END { m = 0; for (k in c) if (c[k] > m) m = c[k]; print m + 0, t + 0 }'
}

read -r _ sum0 _ < <(counters)
# Client-closes-first connections from 2 source addresses to one port:
# every client port stays held by its TIME_WAIT socket.
ip netns exec "$ns" "$TCPCHURN" -p 7500 -c 2 -a 1 -s 2 -k c -n 1200 -d 5 >"$LIB_TMPDIR/churn" 2>&1
read -r ss_max ss_total < <(ss_ports)
read -r bound sum neg < <(counters)
ktap_print_msg "ss: busiest destination $ss_max ports, $ss_total in all; counters: largest $bound, sum $((sum - sum0)) more than before"
ktap_test_result "the largest counter bounds the busiest destination ($bound >= $ss_max > 0)" \
	test "$ss_max" -gt 0 -a "$bound" -ge "$ss_max"
ktap_test_result "the counters hold at least every port ss counts ($((sum - sum0)) >= $ss_total)" \
	test "$((sum - sum0))" -ge "$ss_total"

cleanup_ns "$ns"
# The namespace's teardown kills its timewait sockets: their ports return.
wait_until 30 eval '[ "$(counters | cut -d" " -f2)" -le "$((sum - ss_total))" ]'
read -r _ sum2 neg < <(counters)
ktap_print_msg "after the teardown: sum $sum2 (was $sum)"
ktap_test_result "the teardown gave back at least the $ss_total ports ss counted" \
	test "$((sum - sum2))" -ge "$ss_total"
ktap_test_result "no counter went below zero" test "$neg" -eq 0
ktap_finished
