#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# burst.sh - selftests/netns_burst.sh BURST_RUNS times (default 5) in a
# guest, with the module collector (BURST_SOURCE=module, the default) or
# the BPF one: run.sh -s selftests/vm/burst.sh 6.1
# Prints one TAP line per run, the run's own output as comments, its
# guest and wall-clock time, and the module's Errors table at the end.
cd /opt/tcpstate || exit 1
RUNS=${BURST_RUNS:-5}
SRC=${BURST_SOURCE:-module}
export TCPSTATE_SOURCE=$SRC TCPSTATE_MODULE=/tcpstate.ko
export OUTPUT=/opt/tcpstate/.output/selftests
echo "TAP version 13"
echo "1..$RUNS"
[ "$SRC" = module ] && insmod /tcpstate.ko
for i in $(seq "$RUNS"); do
	t0=$(date +%s%N)
	bash selftests/netns_burst.sh >/tmp/burst.out 2>&1
	rc=$?
	t1=$(date +%s%N)
	sed 's/^/#   /' /tmp/burst.out
	echo "# run $i: exit $rc, $(( (t1 - t0) / 1000000 )) ms guest time"
	if [ "$rc" = 0 ]; then
		echo "ok $i netns_burst run $i ($SRC)"
	else
		echo "not ok $i netns_burst run $i ($SRC)"
	fi
done
if [ "$SRC" = module ]; then
	awk '$1 == "Errors:" && !h { for (i = 2; i <= NF; i++) n[i] = $i; h = 1; next }
	     $1 == "Errors:" { for (i = 2; i <= NF; i++) printf "# error %s %s\n", n[i], $i }' \
		/proc/net/tcpstate
	rmmod tcpstate
fi
