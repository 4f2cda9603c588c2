#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# netns.sh - the collector's map memory per network namespace: bytes_memlock
# over its maps but the timewait tables, with 1 and with BENCH_NETNS
# (default 500; QUICK 100) namespaces of the bench, each holding one
# connection pair and a listener (tcpchurn -H 1), so that each has its
# per-namespace entries. Then tcpstated at the top level, reading every
# namespace, over BENCH_NETNS_INTERVALS (default 20; QUICK 10) one-second
# intervals: its CPU per interval and the size of the textfile it writes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
COUNT=${BENCH_NETNS:-$([ -n "$QUICK" ] && echo 100 || echo 500)}
bench_posint BENCH_NETNS "$COUNT"
INTERVALS=${BENCH_NETNS_INTERVALS:-$([ -n "$QUICK" ] && echo 10 || echo 20)}
bench_posint BENCH_NETNS_INTERVALS "$INTERVALS"
bench_need "$TCPSTATE" "$TCPSTATED" "$TCPCHURN" unshare bpftool jq
TS=$BENCH_DIR/netns
rm -rf "$TS"
mkdir -p "$TS"
collector_on

# one NAME: a namespace of its own (unshare, gone with its process) with
# one held pair; waits until it is held.
one() {
	mkfifo "$TS/f.$1"
	unshare -n bash -c "ip link set lo up && exec $TCPCHURN -p 9400 -H 1 -d 600" >"$TS/f.$1" &
	BENCH_PIDS+=($!)
	read -r _ <"$TS/f.$1" || true
	rm -f "$TS/f.$1"
}
# Less the timewait tables, which follow the host's TIME_WAIT sockets, not
# the namespaces: those of an earlier measurement (reads.sh's million)
# expire meanwhile and made the figure negative.
ns_bytes() { collector_memlock | jq '.total - (.maps.timewait // 0) - (.maps.fw2_pending // 0)'; }
one 0
m1=$(ns_bytes)
t0=$(date +%s)
for i in $(seq 2 "$COUNT"); do one "$i"; done
mn=$(ns_bytes)
secs=$(($(date +%s) - t0))

# The daemon beside them, in the host's namespace: the first read (its
# start) is not counted.
mkdir -p "$TS/d"
"$TCPSTATED" --config /dev/null --interval 1 --textfile-dir "$TS/d" 2>"$TS/d.log" >/dev/null &
dpid=$!
BENCH_PIDS+=("$dpid")
sleep 1.5
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$dpid/stat")
sleep "$INTERVALS"
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$dpid/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$dpid/status")
kill -TERM "$dpid"
wait "$dpid" || true
prom_bytes=$(stat -c %s "$TS/d/tcpstate.prom")
prom_netns=$(grep -o '^tcpstate_sockets{netns="[0-9]*"' "$TS/d/tcpstate.prom" | sort -u | wc -l)
cpu_ms=$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" -v n="$INTERVALS" \
	'BEGIN {printf "%.1f", (u + s) * 1000 / hz / n}')

for p in "${BENCH_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
bench_json netns --argjson n "$COUNT" --argjson m1 "$m1" --argjson mn "$mn" \
	--argjson cpu "$cpu_ms" --argjson iv "$INTERVALS" --argjson rss "$rss" \
	--argjson pb "$prom_bytes" --argjson pn "$prom_netns" '{
	map_bytes_netns: {"1": $m1, ($n | tostring): $mn},
	map_bytes_per_netns: (($mn - $m1) / ($n - 1) * 10 | round / 10),
	daemon_netns: {namespaces: $n, exported: $pn, intervals: $iv,
		cpu_ms_per_interval: $cpu, cpu_pct: ($cpu / 10 | . * 100 | round / 100),
		rss_kb: $rss, textfile_bytes: $pb}}'
echo "# 4b. collector map memory by namespace count ($COUNT namespaces made in $secs s)"
jq -r '.map_bytes_netns | to_entries[] | "\(.key) namespace(s): \(.value) bytes"' "$BENCH_DIR/netns.json"
jq -r '"per namespace: \(.map_bytes_per_netns) bytes"' "$BENCH_DIR/netns.json"
jq -r '.daemon_netns | "# 5b. tcpstated, interval 1 s, \(.intervals) intervals, \(.namespaces) namespaces (\(.exported) exported)",
	"CPU \(.cpu_ms_per_interval) ms per interval (\(.cpu_pct)% of a core), RSS \(.rss_kb) kB, textfile \(.textfile_bytes) bytes"' \
	"$BENCH_DIR/netns.json"
