#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# run.sh - `make bench`: tcpstate beside what operators would use instead,
# on this machine, every figure a ratio of things measured side by side in
# one run (configurations interleaved, medians of BENCH_RUNS >= 5 runs),
# never an absolute time against a fixed number:
#
#   churn.sh  1. connections/s with nothing, the collector, tcpstates,
#                and an empty program on each tracepoint (the floor)
#   cost.sh   2. ns per event of each program beside an empty program
#   reads.sh  3. summary, ss -tan, ss -s, node_exporter at 1k..1M sockets
#             4. map memory per socket, 5. tcpstated at the top level
#   netns.sh  4. map memory per namespace (1 and 500), tcpstated beside
#                the 500
#   vm.sh     6. the module beside the collector in a 6.12 guest
#
# QUICK=1 (under 3 minutes): 2 s churn runs, up to 100k sockets, 100
# namespaces, no guest. The full run takes under 20 minutes. run.sh
# takes the selftests' lock once for the host's parts (each script alone
# takes it itself, bench/lib.sh); vm.sh, leaving the host's collector alone, runs after it is released.
# Prints a table per measurement and writes all figures to
# $OUTPUT/bench-results.json.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUTPUT:-$(cd "$HERE/.." && pwd)/.output}
export OUTPUT=$OUT
case ${QUICK:-} in '' | 0 | 1) ;; *) echo "run.sh: QUICK must be 0 or 1" >&2; exit 64 ;; esac
[ "${QUICK:-}" = 0 ] && unset QUICK
command -v jq >/dev/null || { echo "run.sh: jq is missing (scripts/deps.sh check)" >&2; exit 1; }
mkdir -p "$OUT/bench"
rm -f "$OUT"/bench/{churn,cost,reads,netns,vm}.json

parts=(churn cost reads netns)
[ -n "${QUICK:-}" ] || parts+=(vm)
run_parts() {
	local p s
	for p in "$@"; do
		s=$(date +%s)
		"$HERE/$p.sh"
		echo "#    ($p: $(($(date +%s) - s)) s)"
	done
}
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
echo "# tcpstate bench$([ -n "${QUICK:-}" ] && echo " (QUICK)") on $(nproc) CPUs ($cpu), kernel $(uname -r), $(date -u +%FT%TZ)"
echo "# bpf/ at $(git -C "$HERE/.." log -1 --format=%h -- bpf 2>/dev/null || echo '?')"
# The host's parts under the selftests' lock, taken once (other trees'
# tests wait, and the bench's wall time is its own); the guest's without.
w0=$(date +%s)
{
	flock 8
	t0=$(date +%s)
	TCPSTATE_TEST_LOCKED=1 run_parts churn cost reads netns
} 8>>/run/tcpstate-selftest.lock
[ -n "${QUICK:-}" ] || run_parts vm
wall=$(($(date +%s) - t0)) lock_wait=$((t0 - w0))
files=()
for p in "${parts[@]}"; do files+=("$OUT/bench/$p.json"); done
jq -s --arg cpu "$cpu" --arg kernel "$(uname -r)" --argjson ncpu "$(nproc)" \
	--argjson wall "$wall" --argjson lw "$lock_wait" --argjson quick "$([ -n "${QUICK:-}" ] && echo true || echo false)" \
	--arg date "$(date -u +%FT%TZ)" \
	'add + {machine: {cpu: $cpu, cpus: $ncpu, kernel: $kernel}, date: $date,
		quick: $quick, wall_s: $wall, lock_wait_s: $lw}' "${files[@]}" >"$OUT/bench-results.json.tmp"
mv "$OUT/bench-results.json.tmp" "$OUT/bench-results.json"

# The targets of issue 12 beside the figures.
echo "# targets (issue 12) beside this run; wall time $wall s (after $lock_wait s waiting for the selftests' lock); figures in $OUT/bench-results.json"
jq -r '
	def f(x): if x == null then "-" else (x | tostring) end;
	(.summary_ms | keys | map(tonumber) | max | tostring) as $top |
	["target", "wanted", "measured"],
	["churn ratio, collector", ">= 0.97", f(.churn_ratio_tcpstate)],
	["churn ratio, tcpstates", "(peer, ~0.5)", f(.churn_ratio_tcpstates)],
	["churn ratio, empty programs", "(floor)", f(.churn_ratio_empty_programs)],
	["set_state ns/event", "<= 150", f(.event_ns_per_tracepoint.inet_sock_set_state)],
	["set_state / empty", "<= 3", f(.event_ratio_to_empty.inet_sock_set_state)],
	["summary ms at \($top) sockets", "<= 20", f(.summary_ms[$top])],
	["ss -tan / summary at \($top)", ">= 100", f(if .summary_ms[$top] then (.ss_tan_ms[$top] / .summary_ms[$top] * 10 | round / 10) else null end)],
	["events lost (tcpstate)", "0", f(.tcpstate_events_missed)],
	["events lost (tcpstates) %", "(peer)", f(.tcpstates_lost_pct)],
	["daemon RSS kB", "<= 16384", f(.daemon_rss_kb)],
	["daemon CPU % of a core", "<= 1", f(.daemon_cpu_pct)],
	["  without drift re-counts", "", f(.daemon_cpu_pct_without_recounts)],
	["daemon CPU % at \(.daemon_netns.namespaces // "-") netns", "-", f(.daemon_netns.cpu_pct)],
	["map bytes per netns", "-", f(.map_bytes_per_netns)],
	["map bytes per socket", "-", f(.map_bytes_per_socket)],
	["module churn ratio (guest)", ">= 0.97", f(.vm_churn_ratio_module)],
	["collector churn ratio (guest)", ">= 0.97", f(.vm_churn_ratio_bpf)]
	| @tsv' "$OUT/bench-results.json" | column -t -s "$(printf '\t')"
