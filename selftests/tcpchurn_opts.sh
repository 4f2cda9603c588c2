#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcpchurn_opts.sh - the load generator's options the benchmarks use
# (bench/): -k picks the endings, -s spreads the clients' source
# addresses over 127.1.0.0/16.., -n bounds the connects, -H holds
# established pairs; bad options exit 2. Needs no collector.
TEST_NAME=tcpchurn_opts
. "$(dirname "$0")/lib.sh"
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN"
ktap_print_header
ktap_set_plan 6
setup_ns ns || ktap_skip_all "no namespace"
ip netns exec "$ns" sysctl -qw net.ipv4.tcp_max_tw_buckets=100000

kv() { sed -n "s/^$1=//p" <<<"$2"; }

out=$(ip netns exec "$ns" "$TCPCHURN" -p 7600 -c 2 -a 1 -k c -s 64 -n 3000 -d 20)
ktap_test_result "-n 3000 stops the clients at 3000 connects (+ one a thread at most): $(kv connects "$out")" \
	test "$(kv connects "$out")" -ge 3000 -a "$(kv connects "$out")" -le 3002
ktap_test_result "-k c: every connection closed by the client, none refused or aborted" \
	test "$(kv client_close_first "$out")" = "$(kv connected "$out")" -a \
	"$(kv refused "$out")" = 0 -a "$(kv client_abort "$out")" = 0 -a "$(kv server_errors "$out")" = 0
# the clients' TIME_WAIT sockets, by source address
srcs=$(ip netns exec "$ns" ss -tanH state time-wait | awk '{split($3, a, ":"); print a[1]}' | sort -u)
ktap_test_result "-s 64: TIME_WAIT from 64 source addresses in 127.1.0.0/26: $(wc -l <<<"$srcs")" \
	test "$(wc -l <<<"$srcs")" = 64 -a -z "$(grep -v '^127\.1\.0\.' <<<"$srcs")"

ip netns exec "$ns" "$TCPCHURN" -p 7610 -H 500 -s 8 -d 30 >"$LIB_TMPDIR/hold" &
pid=$!
for _ in $(seq 100); do grep -q held= "$LIB_TMPDIR/hold" && break; sleep 0.1; done
es=$(ip netns exec "$ns" ss -tanH state established | wc -l)
ktap_test_result "-H 500: held=500 and 1000 ESTABLISHED sockets: $(cat "$LIB_TMPDIR/hold") $es" \
	test "$(cat "$LIB_TMPDIR/hold")" = held=500 -a "$es" = 1000
kill -TERM "$pid"
wait "$pid" 2>/dev/null
# SO_LINGER {1, 0} on the client: the end leaves no TIME_WAIT on port 7610
tw=$(ip netns exec "$ns" ss -tanH state time-wait "( sport = :7610 or dport = :7610 )" | wc -l)
ktap_test_result "-H: the held pairs leave no TIME_WAIT when the process ends: $tw" test "$tw" = 0

bad=0
for a in "-k z" "-k ''" "-s -1" "-n 0" "-H 0" "-k cccccccc"; do
	# shellcheck disable=SC2086 # the option and its value
	eval "ip netns exec $ns $TCPCHURN $a -d 1" >/dev/null 2>&1
	rc=$?
	[ "$rc" = 2 ] || { ktap_print_msg "tcpchurn $a: exit $rc, expected 2"; bad=1; }
done
ktap_test_result "bad -k, -s, -n, -H values exit 2" test "$bad" = 0
ktap_finished
