#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# vm.sh - the module beside the BPF collector in one QEMU guest
# (selftests/vm/run.sh -s bench/guest.sh BENCH_VM_KERNEL, default 6.12):
# churn ratios to nothing attached (medians of the guest's rounds, each
# round's ratio to its own "none") and ns per event of each hook. The
# guest runs under TCG with -icount: its clock counts instructions, so
# its figures are the guest's, comparable to each other, not to the host's.
set -euo pipefail
BENCH_NO_LOCK=1	# the guest has a collector of its own
. "$(dirname "$0")/lib.sh"
KERNEL=${BENCH_VM_KERNEL:-6.12}
TS=$BENCH_DIR/vm
rm -rf "$TS"
mkdir -p "$TS"
t0=$(date +%s)
GUEST_RUNS=$RUNS TCPSTATE_VM_OUT=$TS TCPSTATE_VM_PARALLEL=0 \
	"$REPO/selftests/vm/run.sh" -s "$REPO/bench/guest.sh" "$KERNEL" \
	>"$TS/run.log" 2>&1 || bench_die "the guest failed: $TS/run.log"
secs=$(($(date +%s) - t0))
log=$TS/$KERNEL/console.log.txt
sed -n 's/^# bench \([a-z_.0-9]*\)=\([0-9.]*\)$/\1 \2/p' "$log" >"$TS/kv"
ratio() {	# ratio CONFIG: median over rounds of CONFIG / none
	awk -v c="$1" '$1 ~ /^churn_/ {split($1, k, "."); v[k[1], k[2] + 0] = $2; if (k[2] + 0 > n) n = k[2] + 0}
		END {for (r = 1; r <= n; r++) if (v["churn_none", r] > 0) print v["churn_" c, r] / v["churn_none", r]}' \
		"$TS/kv" | median
}
bench_json vm --arg k "$KERNEL" --argjson secs "$secs" --argjson rm "$(ratio module)" \
	--argjson rb "$(ratio bpf)" --rawfile kv "$TS/kv" '
	($kv | split("\n") | map(select(length > 0) | split(" "))) as $p |
	{vm_kernel: $k, vm_wall_s: $secs,
	 vm_churn_ratio_module: ($rm * 1000 | round / 1000), vm_churn_ratio_bpf: ($rb * 1000 | round / 1000),
	 vm_module_event_ns: ($p | map(select(.[0] | startswith("module_ns."))
		| {(.[0] | ltrimstr("module_ns.")): (.[1] | tonumber)}) | add),
	 vm_bpf_event_ns: ($p | map(select(.[0] | startswith("bpf_ns."))
		| {(.[0] | ltrimstr("bpf_ns.")): (.[1] | tonumber)}) | add)}'
echo "# 6. module beside the BPF collector in a $KERNEL guest (TCG, icount; guest ran ${secs} s)"
jq -r '"churn ratio: tcpstate.ko \(.vm_churn_ratio_module), BPF collector \(.vm_churn_ratio_bpf)",
	"ns/event module: \(.vm_module_event_ns | tojson)", "ns/event bpf:    \(.vm_bpf_event_ns | tojson)"' "$BENCH_DIR/vm.json"
