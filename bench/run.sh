#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# run.sh - tcpstate's benchmarks. Each reports a ratio of two things
# measured side by side in one run, so that a shared, noisy machine moves
# both alike:
#
#   1. per-event cost: the collector's programs beside an empty program on
#      the same tracepoints (bench/empty.bpf.c), both under bpf_stats,
#      during connection churn on loopback in a private netns;
#   2. read cost: `tcpstate summary` beside `ss -tan`, run in turn, in a
#      netns holding about BENCH_SOCKETS TIME_WAIT sockets.
#
# Environment: BENCH_RUNS (churn runs, default 3), BENCH_CHURN_S (seconds
# per churn run, default 5), BENCH_SOCKETS (default 100000), BENCH_READS
# (reads of each tool, default 10). Needs root and a loaded or loadable
# collector; loads one if none is, and unloads only what it loaded.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=${OUTPUT:-$REPO/.output}
TCPSTATE=$OUT/tcpstate
PROGCOST=$OUT/bench/progcost
TCPCHURN=$OUT/selftests/tcpchurn
RUNS=${BENCH_RUNS:-3}
CHURN_S=${BENCH_CHURN_S:-5}
SOCKETS=${BENCH_SOCKETS:-100000}
READS=${BENCH_READS:-10}
NS=tcpstate-bench-$$
loaded=

# The selftests' lock (selftests/lib.sh): one user of the collector at a time.
if [ -z "${TCPSTATE_TEST_LOCKED:-}" ] && command -v flock >/dev/null &&
   { exec 8>>/run/tcpstate-selftest.lock; } 2>/dev/null; then
	flock 8
	export TCPSTATE_TEST_LOCKED=1
fi

for v in RUNS CHURN_S SOCKETS READS; do
	case ${!v} in
	'' | *[!0-9]* | 0) echo "run.sh: BENCH_$v must be a positive integer" >&2; exit 64 ;;
	esac
done
for f in "$TCPSTATE" "$PROGCOST" "$TCPCHURN"; do
	[ -x "$f" ] || { echo "run.sh: $f is not built (make bench builds it)" >&2; exit 1; }
done

cleanup() {
	ip netns del "$NS" 2>/dev/null || true
	[ -z "$loaded" ] || "$TCPSTATE" unload >/dev/null 2>&1 || true
}
trap cleanup EXIT

netns_new() {	# a fresh private netns with loopback up and room for sockets
	ip netns del "$NS" 2>/dev/null || true
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="10000 65000" \
		net.ipv4.tcp_max_tw_buckets=$((SOCKETS * 2)) "net.ipv4.tcp_tw_reuse=$1"
}

tw_in_ss() { ip netns exec "$NS" ss -tan state time-wait | tail -n +2 | wc -l; }

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

if [ ! -e /sys/fs/bpf/tcpstate ]; then
	"$TCPSTATE" load --attach btf >/dev/null
	loaded=1
fi

echo "# 1. per-event cost: tcpchurn -c 2 -a 1 -d $CHURN_S, $RUNS runs"
echo "#    ns/event = run_time_ns / run_cnt; beyond = minus the empty program's"
netns_new 1
for r in $(seq "$RUNS"); do
	echo "## run $r"
	"$PROGCOST" set_state_btf set_state_nest timer_start_btf timer_start_nest \
		timer_cancel_btf timer_cancel_nest -- \
		ip netns exec "$NS" "$TCPCHURN" -p $((9100 + 2 * r)) -c 2 -a 1 -d "$CHURN_S" \
		>"$OUT/bench/progcost.$r"
	# Without tcpchurn's own key=value counts, which share the output.
	grep -v '=' "$OUT/bench/progcost.$r"
done

echo "# 2. read cost with ~$SOCKETS TIME_WAIT sockets: median wall ms of $READS reads"
netns_new 0
port=9200
while :; do
	tw=$(tw_in_ss)
	[ "$tw" -lt "$SOCKETS" ] && [ $port -lt 9230 ] || break
	ip netns exec "$NS" "$TCPCHURN" -p $port -c 2 -a 1 -d 3 >/dev/null
	port=$((port + 2))
done
[ "$tw" -ge "$SOCKETS" ] || echo "#    (only $tw TIME_WAIT sockets could be made)"
ip netns exec "$NS" bash -c '
	for i in $(seq '"$READS"'); do
		t0=$(date +%s%N); '"$TCPSTATE"' summary --source bpf >/dev/null
		t1=$(date +%s%N); ss -tan >/dev/null
		t2=$(date +%s%N)
		echo "$(( (t1 - t0) / 1000 )) $(( (t2 - t1) / 1000 ))"
	done' >"$OUT/bench/reads"
s=$(cut -d' ' -f1 "$OUT/bench/reads" | median)
t=$(cut -d' ' -f2 "$OUT/bench/reads" | median)
counts=$(ip netns exec "$NS" "$TCPSTATE" summary --source bpf --json |
	 jq -r '.states.time_wait')
echo "time_wait: tcpstate $counts, ss $(tw_in_ss)"
awk -v s="$s" -v t="$t" 'BEGIN {
	printf "tcpstate summary %8.1f ms\nss -tan          %8.1f ms\nratio            %8.3f\n",
	       s / 1000, t / 1000, s / t }'
