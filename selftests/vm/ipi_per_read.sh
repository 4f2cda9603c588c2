#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipi_per_read.sh - cross-CPU function calls caused by reading
# /proc/net/tcpstate, in a guest: run.sh -s selftests/vm/ipi_per_read.sh 6.1
#
# Sums the CAL line of /proc/interrupts ("Function call interrupts", every
# CPU), around reads of /proc/net/tcpstate, each a cat of the whole file:
# IPI_READS (default 500) while the guest is idle, IPI_CHURN_READS
# (default 200: TCG is slow under load) while tcpchurn runs on loopback in
# a test namespace. Each window is paired with one of the same guest time
# without reads (a sleep), so the calls the reads cause are told from the
# guest's own; IPIs per read is (with reads - without reads) / reads.
# The reader runs on CPU 0 and tcpchurn on CPU 1 only: a churn spread over
# both CPUs sends thousands of CAL interrupts a second of its own (remote
# wakeups go through the call-function-single vector), more when the
# reader sleeps, which buries the reads' few. Pinned, the churn wakes its
# threads locally, and its timer cancels park on CPU 1, which the reads on
# CPU 0 must then resolve.
# Prints TAP; the figures are the "# ipi:" lines.
cd /opt/tcpstate 2>/dev/null
IDLE_READS=${IPI_READS:-500}
CHURN_READS=${IPI_CHURN_READS:-200}
MOD=${TCPSTATE_MODULE:-/tcpstate.ko}
CHURN=.output/selftests/tcpchurn

cal() {
	awk '$1 == "CAL:" { s = 0
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i
		print s }' /proc/interrupts
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

reads() {
	local i
	for ((i = 0; i < READS; i++)); do
		cat /proc/net/tcpstate >/dev/null || return 1
	done
}

# The module's own calls, where ftrace can count them: runs of
# tcpstate_tw_flush_ipi() on CPU 1 (the reader runs on CPU 0, so each is
# a cross-CPU call the read made).
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
ftrace_on() {
	echo tcpstate_tw_flush_ipi >$T/set_ftrace_filter 2>/dev/null || return 1
	echo function >$T/current_tracer && echo >$T/trace && echo 1 >$T/tracing_on
}
ftrace_calls() {	# runs on CPU 1 since ftrace_on
	[ -e $T/per_cpu/cpu1/trace ] || { echo "?"; return; }
	grep -c 'tcpstate_tw_flush_ipi' $T/per_cpu/cpu1/trace
}

# window NAME CMD...: CAL calls during CMD, its guest time in ms, and the
# module's calls on CPU 1.
window() {
	local c0 c1 t0 t1 f
	shift
	[ -n "$FTRACE" ] && echo >$T/trace
	c0=$(cal) t0=$(now_ms)
	"$@"
	c1=$(cal) t1=$(now_ms)
	f="?"
	[ -n "$FTRACE" ] && f=$(ftrace_calls)
	echo "$((c1 - c0)) $((t1 - t0)) $f"
}

# ipis LABEL: a read window and a sleep window of the same length.
ipis() {
	local label=$1 r s ms per rc rf sc
	r=$(window reads reads)
	read -r rc ms rf <<<"$r"
	s=$(window sleep sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')")
	sc=${s%% *}
	per=$(awk -v a="$rc" -v b="$sc" -v n="$READS" \
		'BEGIN { printf "%.3f", (a - b) / n }')
	echo "# ipi: $label: $READS reads in ${ms} ms: CAL +$rc; same time without reads: CAL +$sc; IPIs per read $per; tcpstate_tw_flush_ipi on CPU 1 during the reads: $rf"
	echo "$per" >"/tmp/ipi.$label"
}

taskset -p 1 $$ >/dev/null || echo "# cannot pin the reader to CPU 0"
echo "TAP version 13"
echo "1..3"
echo "# $(uname -r), cpus $(cat /sys/devices/system/cpu/online)"
if insmod "$MOD"; then
	echo "ok 1 insmod"
else
	echo "not ok 1 insmod"
fi
FTRACE=
ftrace_on && FTRACE=1 || echo "# no ftrace: the module's own calls are not counted"
sleep 1
READS=$IDLE_READS
ipis idle && echo "ok 2 idle reads measured" || echo "not ok 2 idle reads measured"

ip netns add ipi || true
ip -n ipi link set lo up
# Churn for longer than the two windows; checked still running after.
echo "# churn starts, $(now_ms) ms"
taskset 2 /usr/bin/ip netns exec ipi "$CHURN" -p 7800 -c 1 -a 1 -d "${IPI_CHURN_S:-60}" >/tmp/churn.out 2>&1 &
churn=$!
sleep 1
READS=$CHURN_READS
ipis churn
echo "# churn measured, $(now_ms) ms"
if kill -0 "$churn" 2>/dev/null; then
	echo "ok 3 reads under churn measured"
else
	echo "not ok 3 reads under churn measured (tcpchurn ended early: $(cat /tmp/churn.out))"
fi
kill "$churn" 2>/dev/null
wait "$churn" 2>/dev/null
echo "# tcpchurn: $(tr '\n' ' ' </tmp/churn.out)"
grep -E '^ *(CAL|RES|TLB|LOC):' /proc/interrupts | sed 's/^/# /'
[ -n "$FTRACE" ] && echo nop >$T/current_tracer
ip netns del ipi
rmmod tcpstate
