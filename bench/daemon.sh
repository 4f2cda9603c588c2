#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# bench/daemon.sh - tcpstated's cost per interval with ~BENCH_SOCKETS
# (default 100000) TIME_WAIT sockets in a private namespace: CPU (user +
# system, from /proc/PID/stat) per interval over BENCH_INTERVALS
# (default 10) one-second intervals, VmHWM, and the textfile's size.
# Needs root, the built tree (make; make -C selftests).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUTPUT:-$here/.output}
TCPSTATE=$OUT/tcpstate TCPSTATED=$OUT/tcpstated TCPCHURN=$OUT/selftests/tcpchurn
SOCKETS=${BENCH_SOCKETS:-100000} N=${BENCH_INTERVALS:-10}
NS=tcpstate-bench-daemon-$$
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

[ -e /sys/fs/bpf/tcpstate ] || "$TCPSTATE" load >/dev/null
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="10000 65000" \
	net.ipv4.tcp_max_tw_buckets=$((SOCKETS * 2))
port=9200 tw=0
while [ "$tw" -lt "$SOCKETS" ] && [ $port -lt 9230 ]; do
	ip netns exec "$NS" "$TCPCHURN" -p $port -c 2 -a 1 -d 3 >/dev/null
	port=$((port + 2))
	tw=$(ip netns exec "$NS" ss -tanH state time-wait | wc -l)
done
hz=$(getconf CLK_TCK)
nsenter --net="/run/netns/$NS" "$TCPSTATED" --config /dev/null --interval 1 \
	--textfile-dir "$tmp" 2>"$tmp/log" >/dev/null &
pid=$!
sleep 1.5	# the first read (the load's own) is not counted
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
sleep "$N"
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$pid/stat")
tw_end=$(ip netns exec "$NS" ss -tanH state time-wait | wc -l)
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid" || true
pid=
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" -v n="$N" -v a="$tw" -v b="$tw_end" \
    -v hwm="$hwm" -v sz="$(stat -c %s "$tmp/tcpstate.prom")" 'BEGIN {
	printf "tcpstated, %d intervals of 1 s, %d..%d TIME_WAIT sockets in its namespace:\n", n, a, b
	printf "  CPU per interval: %.1f ms (user %.1f, system %.1f)\n",
		(u + s) * 1000 / hz / n, u * 1000 / hz / n, s * 1000 / hz / n
	printf "  VmHWM: %.1f MB; textfile: %d bytes\n", hwm / 1024, sz
}'
