#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 60_read_ipi.sh - reading /proc/net/tcpstate (mode 0444, any user) calls
# no other CPU unless that CPU has a parked timewait cancel to resolve
# (module/tw.c): READ_IPI_READS (default 300) reads on an idle machine,
# from CPU 0, may run tcpstate_tw_flush_ipi() on CPU 1 at most once per 20
# reads, counted with ftrace's function tracer. Before the fix every read
# ran it twice there (seq_file calls show() twice for a file this size).
# The CAL line of /proc/interrupts is printed but not judged: the guest's
# own calls (wakeups, idle balancing) reach one per read when the reader
# is not pinned, and about 0.05-0.1 per read when it is.
# selftests/vm/ipi_per_read.sh measures the figures, idle and under churn.
TEST_NAME=mod_read_ipi
. "$(dirname "$0")/lib.sh"
READS=${READ_IPI_READS:-300}
mod_assert
ktap_print_header
ktap_set_plan 2
[ "$(grep -c '^processor' /proc/cpuinfo)" -ge 2 ] ||
	ktap_skip_all "one CPU: no cross-CPU call to count"
grep -q '^ *CAL:' /proc/interrupts || ktap_skip_all "no CAL line in /proc/interrupts"
mod_load || ktap_skip_all "insmod failed"
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
T=/sys/kernel/tracing
[ -e $T/set_ftrace_filter ] || T=/sys/kernel/debug/tracing
echo tcpstate_tw_flush_ipi >$T/set_ftrace_filter 2>/dev/null ||
	ktap_skip_all "no function tracer to count the module's calls"
taskset -p 1 $$ >/dev/null || ktap_skip_all "cannot pin the reader to CPU 0"

cal() {
	awk '$1 == "CAL:" { s = 0
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i
		print s }' /proc/interrupts
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A timewait socket first, FIN_WAIT2 then TIME_WAIT (a re-arm: a parked
# cancel taken back by its start), so the parking path has run.
setup_ns A
hold_start "$A"
hold listen L 8100 && hold connect C 8100 1 && hold accept S L 1 &&
	hold close C && hold close S && wait_ss "$A" "listen=1 time_wait=1"

echo function >$T/current_tracer && echo >$T/trace && echo 1 >$T/tracing_on
c0=$(cal) t0=$(now_ms)
for ((i = 0; i < READS; i++)); do
	cat /proc/net/tcpstate >/dev/null
done
c1=$(cal) t1=$(now_ms)
calls=$(grep -c tcpstate_tw_flush_ipi $T/per_cpu/cpu1/trace)
echo nop >$T/current_tracer
echo >$T/set_ftrace_filter
sleep "$(awk -v m="$((t1 - t0))" 'BEGIN { printf "%.3f", m / 1000 }')"
c2=$(cal)
reads=$((c1 - c0)) idle=$((c2 - c1))
ktap_print_msg "$READS reads in $((t1 - t0)) ms: CAL +$reads; the same time without reads: CAL +$idle"
ktap_test_result "idle reads: at most 1 call to CPU 1 per 20 reads (got $calls in $READS)" \
	test $((calls * 20)) -le "$READS"
ktap_test_result "counts still equal ss" proc_equal_ss "$A"
ktap_finished
