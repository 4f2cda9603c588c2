#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# churn.sh - connections per second of tcpchurn (2 clients, 1 acceptor,
# the four endings, sources spread over 4096 addresses of 127.0.0.0/8)
# in a fresh namespace, BENCH_RUNS rounds of four configurations
# interleaved (the order rotates each round): nothing attached, the BPF
# collector, Debian's libbpf-tools tcpstates writing to /dev/null, and
# the floor: an empty program on each of the collector's four
# tracepoints (bench/progcost --floor), what any collector there costs.
# Each is reported as the median ratio to nothing attached within its
# round. Each run's namespace is deleted, and its timewait sockets freed,
# before the next run starts (bench_ns_del). Events: tcpstate's exact transitions per connection (its
# per-namespace transition counts, TIME_WAIT deaths left out since
# tcpstates sees none) times the connections of a tcpstates run, against
# the events tcpstates reported lost ("lost N events on CPU #C").
# BENCH_CHURN_S seconds per run (default 5; QUICK 2).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CHURN_S=${BENCH_CHURN_S:-$([ -n "$QUICK" ] && echo 2 || echo 5)}
bench_posint BENCH_CHURN_S "$CHURN_S"
bench_need "$TCPSTATE" "$TCPCHURN" "$PROGCOST" tcpstates jq
TS=$BENCH_DIR/churn
rm -rf "$TS"
mkdir -p "$TS"

# run CONFIG ROUND: one churn run; appends "round config conn_per_s
# connects transitions missed lost" to $TS/runs.
run() {
	local c=$1 r=$2 ns=tsb-churn-$$ out tp='' trans=0 missed=0 lost=0 wrap=()
	bench_ns "$ns"
	case $c in
	none) collector_off ;;
	floor)
		collector_off
		wrap=("$PROGCOST" --floor --)
		;;
	tcpstate) collector_on ;;
	tcpstates)
		collector_off
		tcpstates >/dev/null 2>"$TS/tcpstates.$r" &
		tp=$!
		BENCH_PIDS+=("$tp")
		sleep 1	# attached (it prints its header after attaching)
		;;
	esac
	out=$("${wrap[@]}" ip netns exec "$ns" "$TCPCHURN" -p 9100 -c 2 -a 1 -s 4096 -d "$CHURN_S")
	if [ -n "$tp" ]; then
		sleep 0.5	# the last events drained
		kill -INT "$tp"
		wait "$tp" 2>/dev/null || true
		lost=$(sed -n 's/.*lost \([0-9]*\) events.*/\1/p' "$TS/tcpstates.$r" |
		       awk '{s += $1} END {print s + 0}')
	fi
	if [ "$c" = tcpstate ]; then
		ip netns exec "$ns" "$TCPSTATE" summary --source bpf --json >"$TS/summary.$r"
		trans=$(jq '[.transitions[] | select(.from != "time_wait") | .count] | add // 0' "$TS/summary.$r")
		missed=$(jq '.events_missed // 0' "$TS/summary.$r")
	fi
	bench_ns_del "$ns"
	echo "$r $c $(($(kv connects "$out") / CHURN_S)) $(kv connects "$out") $trans $missed $lost" >>"$TS/runs"
}

configs=(none tcpstate tcpstates floor)
for r in $(seq "$RUNS"); do
	for i in 0 1 2 3; do
		run "${configs[$(((i + r) % 4))]}" "$r"
	done
done

# Per round: ratios to the round's "none".
awk '{cps[$1, $2] = $3; conn[$1, $2] = $4; tr[$1, $2] = $5; mi[$1, $2] = $6; lo[$1, $2] = $7; n = $1 > n ? $1 : n}
     END {for (r = 1; r <= n; r++)
	printf "%d %d %d %d %.4f %.4f %.4f %d %d %d %d %.4f\n", r, cps[r, "none"], cps[r, "tcpstate"],
	       cps[r, "tcpstates"], cps[r, "tcpstate"] / cps[r, "none"],
	       cps[r, "tcpstates"] / cps[r, "none"], tr[r, "tcpstate"] / conn[r, "tcpstate"],
	       conn[r, "tcpstates"], lo[r, "tcpstates"], mi[r, "tcpstate"],
	       cps[r, "floor"], cps[r, "floor"] / cps[r, "none"]}' "$TS/runs" >"$TS/rounds"
col() { awk -v c="$1" '{print $c}' "$TS/rounds" | median; }
none=$(col 2) with=$(col 3) peer=$(col 4) ratio=$(col 5) ratio_peer=$(col 6) per_conn=$(col 7)
floor=$(col 11) ratio_floor=$(col 12)
# Lost events: all rounds' together, over all the events expected.
conns=$(awk '{s += $8} END {print s + 0}' "$TS/rounds")
lost=$(awk '{s += $9} END {print s + 0}' "$TS/rounds")
missed=$(awk '{s += $10} END {print s + 0}' "$TS/rounds")
lost_pct=$(awk -v l="$lost" -v c="$conns" -v p="$per_conn" 'BEGIN {printf "%.2f", c * p ? 100 * l / (c * p) : 0}')

bench_json churn --argjson runs "$RUNS" --argjson secs "$CHURN_S" \
	--argjson none "$none" --argjson with "$with" --argjson peer "$peer" \
	--argjson r1 "$ratio" --argjson r2 "$ratio_peer" --argjson pc "$per_conn" \
	--argjson lost "$lost" --argjson conns "$conns" --argjson pct "$lost_pct" \
	--argjson missed "$missed" --argjson floor "$floor" --argjson r3 "$ratio_floor" '{
	churn_runs: $runs, churn_seconds: $secs,
	churn_conn_per_s: {none: $none, tcpstate: $with, tcpstates: $peer, empty_programs: $floor},
	churn_ratio_tcpstate: $r1, churn_ratio_tcpstates: $r2, churn_ratio_empty_programs: $r3,
	tcpstate_transitions_per_conn: $pc, tcpstate_events_missed: $missed,
	tcpstates_lost_events: $lost, tcpstates_expected_events: ($conns * $pc | floor),
	tcpstates_lost_pct: $pct}'

echo "# 1. connection churn: $RUNS rounds of $CHURN_S s, medians (rounds in $TS/rounds)"
printf '%-26s %10s %8s\n' configuration conn/s ratio
printf '%-26s %10d %8s\n' "nothing attached" "$none" 1
printf '%-26s %10d %8.3f\n' "tcpstate (BPF collector)" "$with" "$ratio"
printf '%-26s %10d %8.3f\n' "tcpstates >/dev/null" "$peer" "$ratio_peer"
printf '%-26s %10d %8.3f\n' "empty programs (floor)" "$floor" "$ratio_floor"
printf 'tcpstates lost %d of ~%.0f events over %d runs (%s%%); tcpstate events_missed %d\n' \
	"$lost" "$(awk -v c="$conns" -v p="$per_conn" 'BEGIN {print c * p}')" "$RUNS" "$lost_pct" "$missed"
