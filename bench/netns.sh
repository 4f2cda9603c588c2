#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# netns.sh - the collector's map memory per network namespace: bytes_memlock
# over its maps but the timewait tables, with 1 and with BENCH_NETNS
# (default 500; QUICK 100) namespaces of the bench, each holding one
# connection pair and a listener (tcpchurn -H 1), so that each has its
# per-namespace entries.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
COUNT=${BENCH_NETNS:-$([ -n "$QUICK" ] && echo 100 || echo 500)}
bench_posint BENCH_NETNS "$COUNT"
bench_need "$TCPSTATE" "$TCPCHURN" unshare bpftool jq
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
for p in "${BENCH_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
bench_json netns --argjson n "$COUNT" --argjson m1 "$m1" --argjson mn "$mn" '{
	map_bytes_netns: {"1": $m1, ($n | tostring): $mn},
	map_bytes_per_netns: (($mn - $m1) / ($n - 1) * 10 | round / 10)}'
echo "# 4b. collector map memory by namespace count ($COUNT namespaces made in $secs s)"
jq -r '.map_bytes_netns | to_entries[] | "\(.key) namespace(s): \(.value) bytes"' "$BENCH_DIR/netns.json"
jq -r '"per namespace: \(.map_bytes_per_netns) bytes"' "$BENCH_DIR/netns.json"
