#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# reads.sh - the cost of reading per-state counts as the socket count
# grows, the collector's map memory per socket, and tcpstated's cost at
# the largest count. One namespace is filled to each level in turn
# (1k, 10k, 100k, 1M sockets; QUICK stops at 100k): three quarters
# ESTABLISHED (tcpchurn -H processes holding connection pairs, the
# open-file limit being per process) and a quarter TIME_WAIT (tcpchurn -k
# c from source addresses spread over 127.0.0.0/8; TIME_WAIT holds no
# file and lasts 60 s, so one fill of at most 50 s makes them, the
# collector's memory and counts are taken right after it, and the reads
# report the socket count before and after them). At each level
# BENCH_RUNS rounds, the readers interleaved: `tcpstate summary`,
# `ss -tan` counting the states, `ss -s`, and node_exporter's tcpstat
# collector (the only one enabled) scraped on 127.0.0.1 in the namespace;
# medians of wall time. Memory: bpftool's bytes_memlock over the
# collector's maps at each level. Daemon: tcpstated at a 1 s interval
# in the namespace at the largest level, with churn running, for
# BENCH_INTERVALS intervals (default 120, twice the longest a socket
# lookup is kept; QUICK 5): CPU per interval
# (user + system from /proc/PID/stat), VmRSS and VmHWM; the defaults of
# its configuration (BENCH_DAEMON_CONFIG, default /dev/null), alerts on.
# BENCH_DAEMON_PERF=FILE records the daemon's intervals with perf into
# FILE.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
if [ -n "$QUICK" ]; then
	LEVELS=${BENCH_LEVELS:-1000 10000 100000}
	INTERVALS=${BENCH_INTERVALS:-5}
else
	LEVELS=${BENCH_LEVELS:-1000 10000 100000 1000000}
	INTERVALS=${BENCH_INTERVALS:-120}
fi
bench_posint BENCH_INTERVALS "$INTERVALS"
for l in $LEVELS; do bench_posint BENCH_LEVELS "$l"; done
NODE_EXPORTER=${NODE_EXPORTER:-prometheus-node-exporter}
bench_need "$TCPSTATE" "$TCPSTATED" "$TCPCHURN" "$NODE_EXPORTER" ss jq curl bpftool
TS=$BENCH_DIR/reads
rm -rf "$TS"
mkdir -p "$TS"
NS=tsb-reads-$$
HOLD_PAIRS=9000		# 18000 descriptors of the 20000 allowed
NE_PORT=9999		# below the ephemeral range: TIME_WAIT holds those ports

collector_on
bench_ns "$NS"
ip netns exec "$NS" "$NODE_EXPORTER" --collector.disable-defaults --collector.tcpstat \
	--web.listen-address=127.0.0.1:$NE_PORT >"$TS/node_exporter.log" 2>&1 &
BENCH_PIDS+=($!)
for _ in $(seq 50); do
	ip netns exec "$NS" curl -sf "http://127.0.0.1:$NE_PORT/metrics" >/dev/null && break
	sleep 0.2
done
ip netns exec "$NS" curl -sf "http://127.0.0.1:$NE_PORT/metrics" | grep -q node_tcp_connection_states ||
	bench_die "node_exporter's tcpstat collector does not answer (log: $TS/node_exporter.log)"

held=0 holders=0
# hold PAIRS: more established pairs, in processes of HOLD_PAIRS.
hold() {
	local want=$1 n out
	while [ "$want" -gt 0 ]; do
		n=$((want < HOLD_PAIRS ? want : HOLD_PAIRS))
		mkfifo "$TS/hold.$holders"
		ip netns exec "$NS" "$TCPCHURN" -p $((9300 + holders)) -s 4096 -H "$n" -d 3600 \
			>"$TS/hold.$holders" &
		BENCH_PIDS+=($!)
		read -r out <"$TS/hold.$holders" || true
		[ "$out" = "held=$n" ] || bench_die "tcpchurn -H $n: '$out'"
		holders=$((holders + 1)) held=$((held + n)) want=$((want - n))
	done
}
# fill TW: TIME_WAIT sockets up to TW, in one run of at most 50 s (those
# made first expire at 60 s).
fill() {
	local tw
	tw=$(sockstat_tw "$NS")
	[ "$tw" -lt "$1" ] || return 0
	ip netns exec "$NS" "$TCPCHURN" -p 9200 -c 2 -a 2 -k c -s 65536 \
		-n $(($1 - tw)) -d 50 >/dev/null
	tw=$(sockstat_tw "$NS")
	# (a few of the last connections are still closing when it exits)
	[ "$tw" -ge $(($1 * 99 / 100)) ] ||
		echo "#    (only $tw of $1 TIME_WAIT sockets could be made in 50 s)"
}
count_states() { ss -tanH | awk '{n[$1]++} END {for (s in n) print s, n[s]}' >/dev/null; }
export -f count_states
scrape() { curl -sf "http://127.0.0.1:$NE_PORT/metrics" | grep '^node_tcp_connection_states' >/dev/null; }

reader_cmd() {
	case $1 in
	summary) echo "$TCPSTATE summary --source bpf" ;;
	ss_tan) echo "bash -c count_states" ;;
	ss_s) echo "ss -s" ;;
	node_exporter) echo "curl -sf http://127.0.0.1:$NE_PORT/metrics" ;;
	esac
}

readers=(summary ss_tan ss_s node_exporter)
for level in $LEVELS; do
	t0=$(date +%s)
	want_pairs=$((level * 3 / 8))
	[ "$held" -ge "$want_pairs" ] || hold $((want_pairs - held))
	fill $((level - 2 * held))
	before=$(($(sockstat_inuse "$NS") + $(sockstat_tw "$NS")))
	fill_s=$(($(date +%s) - t0))
	# Memory and exactness at the level, before TIME_WAIT starts expiring.
	mem=$(collector_memlock)
	ip netns exec "$NS" "$TCPSTATE" summary --source bpf --json >"$TS/summary.$level"
	ss_es=$(ip netns exec "$NS" ss -tanH state established | wc -l)
	ss_tw=$(sockstat_tw "$NS")
	for r in $(seq "$RUNS"); do
		for i in 0 1 2 3; do
			rd=${readers[$(((i + r) % 4))]}
			# shellcheck disable=SC2046 # the command's words
			echo "$level $rd $(ip netns exec "$NS" bash -c "$(declare -f usec); usec $(reader_cmd "$rd")")" >>"$TS/times"
		done
	done
	after=$(($(sockstat_inuse "$NS") + $(sockstat_tw "$NS")))
	jq -n --argjson level "$level" --argjson before "$before" --argjson after "$after" \
		--argjson fill "$fill_s" --argjson es "$ss_es" --argjson tw "$ss_tw" --argjson mem "$mem" \
		--slurpfile s "$TS/summary.$level" \
		'{level: $level, sockets_before: $before, sockets_after: $after, fill_s: $fill,
		  ss_established: $es, sockstat_time_wait: $tw, tcpstate_established: $s[0].states.established,
		  tcpstate_time_wait: $s[0].states.time_wait, memlock: $mem}' >"$TS/level.$level.json"
	jq -r '"#    level \(.level): \(.sockets_before)..\(.sockets_after) sockets (filled in \(.fill_s) s); ESTABLISHED tcpstate \(.tcpstate_established) ss \(.ss_established), TIME_WAIT tcpstate \(.tcpstate_time_wait) sockstat \(.sockstat_time_wait)"' \
		"$TS/level.$level.json"
done

# The daemon at the top level, churn running beside it.
tmp=$TS/daemon
mkdir -p "$tmp"
ip netns exec "$NS" "$TCPCHURN" -p 9210 -c 1 -a 1 -s 4096 -d $((INTERVALS + 5)) >"$tmp/churn" &
churn=$!
BENCH_PIDS+=("$churn")
hz=$(getconf CLK_TCK)
nsenter --net="/run/netns/$NS" "$TCPSTATED" --config "${BENCH_DAEMON_CONFIG:-/dev/null}" --interval 1 ${BENCH_DAEMON_VERBOSE:+-v} \
	--textfile-dir "$tmp" 2>"$tmp/log" >/dev/null &
dpid=$!
BENCH_PIDS+=("$dpid")
sleep 1.5	# the first read (the load's own) is not counted
# spent NAME: the daemon's own counter of seconds NAME, from its textfile.
spent() { awk -v m="$1" '$1 == m {print $2; f = 1} END {if (!f) print 0}' "$tmp/tcpstate.prom" 2>/dev/null || echo 0; }
read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$dpid/stat")
repairs() { awk '$1 ~ /^tcpstate_kernel_check_repairs_total/ {s += $2} END {print s + 0}' "$tmp/tcpstate.prom" 2>/dev/null || echo 0; }
rc0=$(spent tcpstate_daemon_recount_seconds_total) lk0=$(spent tcpstate_alert_lookup_seconds_total) rp0=$(repairs)
if [ -n "${BENCH_DAEMON_PERF:-}" ]; then
	perf record -q -g -p "$dpid" -o "$BENCH_DAEMON_PERF" -- sleep "$INTERVALS" 2>/dev/null
else
	sleep "$INTERVALS"
fi
read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$dpid/stat")
rc1=$(spent tcpstate_daemon_recount_seconds_total) lk1=$(spent tcpstate_alert_lookup_seconds_total)
drifts=$(($(repairs) - rp0))
rss=$(awk '/VmRSS/ {print $2}' "/proc/$dpid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$dpid/status")
dsock=$(($(sockstat_inuse "$NS") + $(sockstat_tw "$NS")))
kill -TERM "$dpid"
wait "$dpid" || true
wait "$churn" || true
churn_cps=$(($(kv connects "$(cat "$tmp/churn")") / (INTERVALS + 5)))
cpu_ms=$(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" -v n="$INTERVALS" 'BEGIN {printf "%.1f", (u + s) * 1000 / hz / n}')
# Of which (per interval): re-counts of drifted namespaces (CPU time)
# (this machine's kernel skips BPF programs in some softirqs, see
# Documentation/architecture.rst), and the alerts' sock_diag queries
# (wall time).
recount_ms=$(awk -v a="$rc0" -v b="$rc1" -v n="$INTERVALS" 'BEGIN {printf "%.1f", (b - a) * 1000 / n}')
lookup_ms=$(awk -v a="$lk0" -v b="$lk1" -v n="$INTERVALS" 'BEGIN {printf "%.1f", (b - a) * 1000 / n}')

# Medians by level and reader.
awk '{print $1, $2}' "$TS/times" | sort -u | while read -r l rd; do
	echo "$l $rd $(awk -v l="$l" -v r="$rd" '$1 == l && $2 == r {print $3 / 1000}' "$TS/times" | median)"
done >"$TS/medians"
jq -s '.' "$TS"/level.*.json >"$TS/levels.json"
bench_json reads --argjson runs "$RUNS" --rawfile med "$TS/medians" --slurpfile lv "$TS/levels.json" \
	--argjson rss "$rss" --argjson hwm "$hwm" --argjson cpu "$cpu_ms" --argjson ds "$dsock" \
	--argjson rcms "$recount_ms" --argjson lkms "$lookup_ms" --argjson repairs "$drifts" \
	--argjson n "$INTERVALS" --argjson cps "$churn_cps" '
	($med | split("\n") | map(select(length > 0) | split(" "))) as $m |
	def by(r): $m | map(select(.[1] == r) | {(.[0]): (.[2] | tonumber)}) | add;
	($lv[0] | sort_by(.level)) as $levels |
	($levels[0]) as $lo | ($levels[-1]) as $hi |
	{reads_runs: $runs,
	 sockets: ($levels | map({(.level | tostring): .sockets_before}) | add),
	 summary_ms: by("summary"), ss_tan_ms: by("ss_tan"), ss_s_ms: by("ss_s"),
	 node_exporter_ms: by("node_exporter"),
	 summary_exact: ($levels | map({(.level | tostring):
		{tcpstate_established: .tcpstate_established, ss_established: .ss_established,
		 tcpstate_time_wait: .tcpstate_time_wait, sockstat_time_wait: .sockstat_time_wait}}) | add),
	 map_bytes: ($levels | map({(.level | tostring): .memlock.total}) | add),
	 map_bytes_by_map: {($lo.level | tostring): $lo.memlock.maps, ($hi.level | tostring): $hi.memlock.maps},
	 map_bytes_per_socket: (if $hi.sockets_before > $lo.sockets_before then
		(($hi.memlock.total - $lo.memlock.total) / ($hi.sockets_before - $lo.sockets_before) * 10 | round / 10)
		else null end),
	 map_bytes_per_timewait: (if $hi.tcpstate_time_wait > $lo.tcpstate_time_wait then
		(($hi.memlock.total - $lo.memlock.total) / ($hi.tcpstate_time_wait - $lo.tcpstate_time_wait) * 10 | round / 10)
		else null end),
	 daemon_sockets: $ds, daemon_intervals: $n, daemon_churn_conn_per_s: $cps,
	 daemon_rss_kb: $rss, daemon_hwm_kb: $hwm,
	 daemon_cpu_ms_per_interval: $cpu, daemon_cpu_pct: ($cpu / 10 | . * 100 | round / 100),
	 daemon_recount_ms_per_interval: $rcms, daemon_recounts: $repairs,
	 daemon_lookup_ms_per_interval: $lkms,
	 daemon_cpu_pct_without_recounts: (($cpu - $rcms) / 10 | if . < 0 then 0 else . end | . * 100 | round / 100)}'

echo "# 3. reading per-state counts: median wall ms of $RUNS reads each, readers interleaved"
jq -r '.sockets as $s | ["sockets", "summary", "ss_tan", "ss_s", "node_exporter", "ss_tan/summary"],
	(.summary_ms | keys | sort_by(tonumber)[] as $l |
	 [$s[$l], $ARGS.named.x[0].summary_ms[$l], $ARGS.named.x[0].ss_tan_ms[$l],
	  $ARGS.named.x[0].ss_s_ms[$l], $ARGS.named.x[0].node_exporter_ms[$l],
	  ($ARGS.named.x[0].ss_tan_ms[$l] / $ARGS.named.x[0].summary_ms[$l] * 10 | round / 10)]) | @tsv' \
	--slurpfile x "$BENCH_DIR/reads.json" "$BENCH_DIR/reads.json" | column -t
echo "# 4. collector map memory (bytes_memlock of all its maps) by socket count"
jq -r '.map_bytes | to_entries | sort_by(.key | tonumber)[] | "\(.key) sockets: \(.value) bytes"' "$BENCH_DIR/reads.json"
jq -r '"per socket: \(.map_bytes_per_socket) bytes; per TIME_WAIT socket: \(.map_bytes_per_timewait) bytes (sk_storage elements of full sockets are not in memlock)"' "$BENCH_DIR/reads.json"
echo "# 5. tcpstated, interval 1 s, $INTERVALS intervals, $dsock sockets, churn at $churn_cps conn/s beside it"
jq -r '"CPU \(.daemon_cpu_ms_per_interval) ms per interval (\(.daemon_cpu_pct)% of a core), RSS \(.daemon_rss_kb) kB, HWM \(.daemon_hwm_kb) kB",
	"of which re-counts \(.daemon_recount_ms_per_interval) ms (\(.daemon_recounts) of them; without them \(.daemon_cpu_pct_without_recounts)% of a core), sock_diag queries \(.daemon_lookup_ms_per_interval) ms"' "$BENCH_DIR/reads.json"
