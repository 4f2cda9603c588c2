#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - run by bench/vm.sh inside a QEMU guest (selftests/vm/run.sh
# -s): the module beside the BPF collector in the same kernel. Churn:
# GUEST_RUNS (5) rounds of tcpchurn for GUEST_CHURN_S (1) guest second
# in a fresh namespace, nothing attached / tcpstate.ko / the BPF
# collector, interleaved; then the per-event cost of each, measured the
# same way (tcpstate.ko probe_stats=1 and bpf_stats_enabled=1: both put
# sched_clock() around every run). Prints "# bench KEY=VALUE" lines for
# vm.sh and TAP for run.sh's judge.
# shellcheck disable=SC2034 # lib.sh reads it
TEST_NAME=bench_guest
. /opt/tcpstate/selftests/module/lib.sh
RUNS=${GUEST_RUNS:-5} SECS=${GUEST_CHURN_S:-1}
mod_assert
ktap_print_header
ktap_set_plan 3
mod_unload
"$TCPSTATE" unload >/dev/null 2>&1

churn() {	# churn PORT: connections per second of one run
	local ns n
	setup_ns ns || return 1
	n=$(ip netns exec "$ns" "$TCPCHURN" -p "$1" -c 2 -a 1 -s 4096 -d "$SECS" 2>&1 |
		sed -n 's/^connects=//p')
	cleanup_ns "$ns"
	echo $(( ${n:-0} / SECS ))
}
with() {	# with CONFIG PORT
	case $1 in
	none) churn "$2" ;;
	module) mod_load && churn "$2"; mod_unload ;;
	bpf) "$TCPSTATE" load >/dev/null 2>&1 && churn "$2"; "$TCPSTATE" unload >/dev/null 2>&1 ;;
	esac
}
configs=(none module bpf)
ok=1
for r in $(seq "$RUNS"); do
	for i in 0 1 2; do
		c=${configs[$(((i + r) % 3))]}
		v=$(with "$c" $((7800 + 10 * r + 2 * i)))
		echo "# bench churn_$c.$r=$v"
		[ "${v:-0}" -gt 0 ] || ok=0
	done
done
ktap_test_result "churn measured in every configuration" test "$ok" = 1

mod_ok=0
if mod_load probe_stats=1; then
	churn 7900 >/dev/null
	awk '$1 == "Probe_cost:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
	     $1 == "Probe_cost:" { for (i = 2; i <= NF; i++) v[n[i]] = $i }
	     END { split("set_state timer_start timer_cancel timer_expire", p, " ")
		   for (i = 1; i <= 4; i++) if (v[p[i] "_runs"] > 0)
			printf "# bench module_ns.%s=%.1f\n", p[i], v[p[i] "_ns"] / v[p[i] "_runs"] }' \
		/proc/net/tcpstate >"$LIB_TMPDIR/m"
	mod_unload
	cat "$LIB_TMPDIR/m"
	grep -q set_state "$LIB_TMPDIR/m" && mod_ok=1
fi
ktap_test_result "module: probe cost measured" test "$mod_ok" = 1

bpf_ok=0
old=$(cat /proc/sys/kernel/bpf_stats_enabled)
echo 1 >/proc/sys/kernel/bpf_stats_enabled
if "$TCPSTATE" load >/dev/null 2>&1; then
	ids=$(bpftool -j link show 2>/dev/null | jq -r '.[] | .prog_id' | sort -u)
	churn 7910 >/dev/null
	for id in $ids; do bpftool -j prog show id "$id"; done |
		jq -r -s '.[] | select(.run_cnt != null and .run_cnt > 0) | "\(.name) \(.run_cnt) \(.run_time_ns)"' |
		awk '{ t = $1; sub(/_(btf|bt|nest|nes|tp)$/, "", t); ns[t] += $3; if ($2 > runs[t]) runs[t] = $2 }
		     END { for (t in ns) printf "# bench bpf_ns.%s=%.1f\n", t, ns[t] / runs[t] }' >"$LIB_TMPDIR/b"
	"$TCPSTATE" unload >/dev/null 2>&1
	cat "$LIB_TMPDIR/b"
	grep -q set_state "$LIB_TMPDIR/b" && bpf_ok=1
fi
echo "$old" >/proc/sys/kernel/bpf_stats_enabled
ktap_test_result "bpf: program cost measured" test "$bpf_ok" = 1
ktap_finished
