#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# cost.sh - per-event cost of each of the collector's programs
# (run_time_ns / run_cnt under BPF_ENABLE_STATS, bench/progcost.c) beside
# an empty program on the same tracepoint (bench/empty.bpf.c), the floor,
# during tcpchurn in a fresh namespace; BENCH_RUNS runs of
# BENCH_COST_S seconds (default 5; QUICK 2), medians. A tracepoint's
# twins (_btf and _nest) both run on every event: its cost per event is
# the sum of theirs, weighted by their run counts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
COST_S=${BENCH_COST_S:-$([ -n "$QUICK" ] && echo 2 || echo 5)}
bench_posint BENCH_COST_S "$COST_S"
bench_need "$TCPSTATE" "$PROGCOST" "$TCPCHURN" bpftool jq
TS=$BENCH_DIR/cost
rm -rf "$TS"
mkdir -p "$TS"
collector_on
# The collector's programs, by the names of its pinned links' programs.
progs=$(for l in /sys/fs/bpf/tcpstate/link_*; do
	bpftool -j link show pinned "$l" | jq -r '.prog_id'
done | sort -u | while read -r p; do bpftool -j prog show id "$p" | jq -r '.name'; done | sort -u)
[ -n "$progs" ] || bench_die "no programs found under /sys/fs/bpf/tcpstate"
ns=tsb-cost-$$
for r in $(seq "$RUNS"); do
	bench_ns "$ns"
	# shellcheck disable=SC2086 # one argument per program
	"$PROGCOST" $progs -- ip netns exec "$ns" "$TCPCHURN" -p 9120 -c 2 -a 1 -s 4096 -d "$COST_S" \
		>"$TS/run.$r"
	ip netns del "$ns"
	# program tracepoint events ns/event beyond ratio, without tcpchurn's key=value lines
	grep -v -e '=' -e '^program ' "$TS/run.$r" | awk -v r="$r" '{print r, $0}' >>"$TS/all"
done

# Medians per program; per tracepoint, the collector's twins summed.
awk '{print $2}' "$TS/all" | sort -u | while read -r p; do
	tp=$(awk -v p="$p" '$2 == p {print $3; exit}' "$TS/all")
	ns_=$(awk -v p="$p" '$2 == p {print $5}' "$TS/all" | median)
	ev=$(awk -v p="$p" '$2 == p {print $4}' "$TS/all" | median)
	empty=0
	case $p in empty_*) empty=1 ;; esac
	echo "$p $tp $ns_ $ev $empty"
done >"$TS/medians"
# per run and tracepoint: sum of ns*events / max events of the collector's programs
awk '$2 !~ /^empty_/ {k = $1 " " $3; t[k] += $5 * $4; if ($4 > m[k]) m[k] = $4}
     END {for (k in t) if (m[k]) print k, t[k] / m[k]}' "$TS/all" >"$TS/per_tp"
awk '{print $2}' "$TS/per_tp" | sort -u | while read -r tp; do
	echo "$tp $(awk -v t="$tp" '$2 == t {print $3}' "$TS/per_tp" | median)"
done >"$TS/per_tp_median"

bench_json cost --argjson runs "$RUNS" --argjson secs "$COST_S" \
	--rawfile med "$TS/medians" --rawfile tp "$TS/per_tp_median" '
	($med | split("\n") | map(select(length > 0) | split(" "))) as $m |
	($tp | split("\n") | map(select(length > 0) | split(" "))) as $t |
	($m | map(select(.[4] == "1") | {(.[1]): (.[2] | tonumber)}) | add // {}) as $empty |
	{cost_runs: $runs, cost_seconds: $secs,
	 event_ns: ($m | map(select(.[4] == "0") | {(.[0]): (.[2] | tonumber)}) | add // {}),
	 event_ns_per_tracepoint: ($t | map({(.[0]): (.[1] | tonumber)}) | add // {}),
	 empty_event_ns: $empty,
	 event_ratio_to_empty: ($t | map({(.[0]): (if $empty[.[0]] then ((.[1] | tonumber) / $empty[.[0]] * 100 | round / 100) else null end)}) | add // {})}'

echo "# 2. per-event cost: $RUNS runs of tcpchurn for $COST_S s, median ns/event (run_time_ns / run_cnt)"
printf '%-20s %-20s %10s %12s\n' program tracepoint ns/event events/run
sort -k2,2 -k5,5r "$TS/medians" | awk '{printf "%-20s %-20s %10.1f %12d\n", $1, $2, $3, $4}'
jq -r '.event_ns_per_tracepoint as $t | .empty_event_ns as $e | $t | keys[] |
	"per event on \(.): \($t[.] | . * 10 | round / 10) ns, empty \($e[.] // "?" ) ns, ratio \(if $e[.] then ($t[.] / $e[.] * 100 | round / 100) else "?" end)"' \
	"$BENCH_DIR/cost.json"
