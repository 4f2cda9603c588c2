#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 50_cost.sh - the module's per-event cost beside the BPF collector's,
# measured the same way in the same kernel: tcpchurn runs the same load
# (COST_SECONDS, default 5) three times in a fresh namespace, with no
# collector, with tcpstate.ko probe_stats=1 (sched_clock() around every
# probe run) and with the BPF collector under kernel.bpf_stats_enabled=1
# (sched_clock() around every program run: run_time_ns / run_cnt). Prints
# ns per run of each hook and connections per second of each run; the
# cases check only that every figure was obtained.
TEST_NAME=mod_cost
. "$(dirname "$0")/lib.sh"
SECS=${COST_SECONDS:-5}
mod_assert
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN"
[ -x "$TCPSTATE" ] || ktap_skip_all "no tcpstate at $TCPSTATE"
ktap_print_header
ktap_set_plan 3
mod_unload
"$TCPSTATE" unload >/dev/null 2>&1

# churn PORT: connections per second of one run in a fresh namespace.
churn() {
	local ns n
	setup_ns ns || return 1
	n=$(ip netns exec "$ns" "$TCPCHURN" -p "$1" -c 2 -a 1 -d "$SECS" 2>&1 |
		tr ' ' '\n' | sed -n 's/^connects=//p')
	cleanup_ns "$ns"
	echo $(( ${n:-0} / SECS ))
}

none=$(churn 7700)
ktap_print_msg "no collector: $none connections/s"

module_ok=0
if mod_load probe_stats=1; then
	mod=$(churn 7710)
	# Probe_cost is global: any namespace's file shows it.
	awk '$1 == "Probe_cost:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
	     $1 == "Probe_cost:" { for (i = 2; i <= NF; i++) print n[i], $i }' \
		/proc/net/tcpstate >"$LIB_TMPDIR/cost"
	mod_unload
	ktap_print_msg "tcpstate.ko: $mod connections/s"
	awk '{ v[$1] = $2 } END {
		split("set_state timer_start timer_cancel timer_expire", p, " ")
		for (i = 1; i <= 4; i++) if (v[p[i] "_runs"] > 0)
			printf "tcpstate.ko %-13s %7.0f ns/run  (%d runs)\n", p[i],
				v[p[i] "_ns"] / v[p[i] "_runs"], v[p[i] "_runs"]
	}' "$LIB_TMPDIR/cost" >"$LIB_TMPDIR/cost.txt"
	ktap_print_msg "$(cat "$LIB_TMPDIR/cost.txt")"
	grep -q "set_state" "$LIB_TMPDIR/cost.txt" && module_ok=1
fi
ktap_test_result "module: probe cost measured" test "$module_ok" = 1

bpf_ok=0
old=$(cat /proc/sys/kernel/bpf_stats_enabled)
echo 1 >/proc/sys/kernel/bpf_stats_enabled
if "$TCPSTATE" load >"$LIB_TMPDIR/load" 2>&1; then
	ids=$(bpftool -j link show 2>/dev/null | jq -r '.[] | .prog_id' | sort -u)
	bpf=$(churn 7720)
	for id in $ids; do
		bpftool -j prog show id "$id"
	done | jq -r -s '.[] | select(.run_cnt != null and .run_cnt > 0) |
		"\(.name) \(.run_cnt) \(.run_time_ns)"' >"$LIB_TMPDIR/bpfcost"
	"$TCPSTATE" unload >/dev/null 2>&1
	ktap_print_msg "bpf collector: $bpf connections/s"
	# Per program, and per event for a tracepoint's twins (both run on
	# every event: the sum of their time over the larger run count).
	awk '{ printf "bpf %-17s %7.0f ns/run  (%d runs)\n", $1, $3 / $2, $2
	       t = $1; sub(/_(btf|bt|nest|nes|tp)$/, "", t)
	       ns[t] += $3; if ($2 > runs[t]) runs[t] = $2 }
	     END { for (t in ns) printf "bpf %-17s %7.0f ns/event, all its programs\n", t, ns[t] / runs[t] }' \
		"$LIB_TMPDIR/bpfcost" >"$LIB_TMPDIR/bpfcost.txt"
	ktap_print_msg "$(cat "$LIB_TMPDIR/bpfcost.txt")"
	grep -q "set_state" "$LIB_TMPDIR/bpfcost.txt" && bpf_ok=1
else
	ktap_print_msg "$(cat "$LIB_TMPDIR/load")"
fi
echo "$old" >/proc/sys/kernel/bpf_stats_enabled
ktap_test_result "bpf: program cost measured" test "$bpf_ok" = 1
ktap_test_result "kernel log clean" dmesg_clean
ktap_finished
