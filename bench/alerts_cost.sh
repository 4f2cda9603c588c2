#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# alerts_cost.sh - the cost of naming a culprit (Documentation/alerts.rst):
# in a private netns holding about BENCH_SOCKETS TIME_WAIT sockets and
# 2,000 CLOSE_WAIT sockets of one process, `tcpstate alerts -v` with only
# the CLOSE_WAIT alert on (a sock_diag query filtered to CLOSE_WAIT in the
# kernel, among all those sockets, plus the /proc/PID/fd walk), then with
# only the TIME_WAIT alert on (every TIME_WAIT socket copied out and
# grouped, their owners read from the BPF collector's timewait map).
# Prints the median over BENCH_READS runs of the deciding round's
# sock_diag time, /proc walk and timewait map reads (the whole run also
# holds the 1 s between the two samples and the snapshot reads), beside
# `ss -tan state close-wait` and `ss -tanp state close-wait`.
#
# Environment: BENCH_SOCKETS (default 100000), BENCH_READS (default 5).
# Needs root and a loaded or loadable collector; takes the selftests' lock.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=${OUTPUT:-$REPO/.output}
TCPSTATE=$OUT/tcpstate
TCPCHURN=$OUT/selftests/tcpchurn
TCPHOLD=$OUT/selftests/tcphold
SOCKETS=${BENCH_SOCKETS:-100000}
READS=${BENCH_READS:-5}
NS=tcpstate-alerts-cost-$$
loaded= hold_pid=

if [ -z "${TCPSTATE_TEST_LOCKED:-}" ] && command -v flock >/dev/null &&
   { exec 8>>/run/tcpstate-selftest.lock; } 2>/dev/null; then
	flock 8
	export TCPSTATE_TEST_LOCKED=1
fi
for v in SOCKETS READS; do
	case ${!v} in
	'' | *[!0-9]* | 0) echo "alerts_cost.sh: BENCH_$v must be a positive integer" >&2; exit 64 ;;
	esac
done
for f in "$TCPSTATE" "$TCPCHURN" "$TCPHOLD"; do
	[ -x "$f" ] || { echo "alerts_cost.sh: $f is not built (make all; make -C selftests)" >&2; exit 1; }
done
T=$(mktemp -d /tmp/tcpstate-alerts-cost.XXXXXX)
cleanup() {
	[ -z "$hold_pid" ] || kill "$hold_pid" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$T"
	[ -z "$loaded" ] || "$TCPSTATE" unload >/dev/null 2>&1 || true
}
trap cleanup EXIT

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

if [ ! -e /sys/fs/bpf/tcpstate ]; then
	"$TCPSTATE" load >/dev/null
	loaded=1
fi
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="10000 65000" \
	net.ipv4.tcp_max_tw_buckets=$((SOCKETS * 2)) net.ipv4.tcp_tw_reuse=0
tw() { ip netns exec "$NS" ss -tan state time-wait | tail -n +2 | wc -l; }
port=9200
while :; do
	n=$(tw)
	[ "$n" -lt "$SOCKETS" ] && [ $port -lt 9230 ] || break
	ip netns exec "$NS" "$TCPCHURN" -p $port -c 2 -a 1 -d 3 >/dev/null
	port=$((port + 2))
done
mkfifo "$T/in"
ip netns exec "$NS" "$TCPHOLD" -t 120 <"$T/in" >"$T/out" 2>&1 &
hold_pid=$!
exec 9>"$T/in"
printf '%s\n' "listen L 9500 4096" "connect C 9500 2000" "wait-connected C 5000" \
	"accept A L 2000 5000" "close C" >&9
for _ in $(seq 100); do [ "$(grep -c ^ok "$T/out")" -ge 5 ] && break; sleep 0.1; done
echo "# $(tw) TIME_WAIT, $(ip netns exec "$NS" ss -tan state close-wait | tail -n +2 | wc -l) CLOSE_WAIT in $NS"

run() {	# run NAME ARGS...: median sock_diag ms and walk ms of READS runs
	local name=$1 i
	shift
	: >"$T/ms"
	for i in $(seq "$READS"); do
		t0=$(date +%s%N)
		"$TCPSTATE" alerts -v --config /dev/null -n "$NS" -o time_wait_growth=0 \
			-o alert_max_sockets=$((SOCKETS * 2)) "$@" >"$T/alert.out" 2>"$T/alert.err" || true
		t1=$(date +%s%N)
		sed -n 's/.*queries, \([0-9.]*\) ms in the last round; TIME_WAIT owners: \([0-9.]*\) ms.*the last \([0-9.]*\) ms (\([0-9]*\) fds.*/\1 \3 \4 \2/p' \
			"$T/alert.err" | awk -v w=$(( (t1 - t0) / 1000000 )) '{print $1, $2, $3, w, $4}' >>"$T/ms"
	done
	printf '%-34s sock_diag %7.1f ms  /proc walk %6.1f ms (%s fds)  timewait map %6.1f ms  whole run %s ms\n' \
		"$name" "$(cut -d' ' -f1 "$T/ms" | median)" "$(cut -d' ' -f2 "$T/ms" | median)" \
		"$(cut -d' ' -f3 "$T/ms" | median)" "$(cut -d' ' -f5 "$T/ms" | median)" \
		"$(cut -d' ' -f4 "$T/ms" | median)"
	head -3 "$T/alert.out" | sed 's/^/#   /'
}
run "CLOSE_WAIT alert (2000 named)" -o time_wait_count=0 -o port_use_ratio=0
run "TIME_WAIT alert (all copied out)" -o time_wait_count=1000 -o close_wait_count=0 \
	-o close_wait_age_seconds=0 -o port_use_ratio=0
for cmd in "ss -tan state close-wait" "ss -tanp state close-wait" "ss -tan state time-wait"; do
	: >"$T/ss"
	for i in $(seq "$READS"); do
		t0=$(date +%s%N)
		ip netns exec "$NS" $cmd >/dev/null
		echo $(( ($(date +%s%N) - t0) / 1000 )) >>"$T/ss"
	done
	printf '%-34s %7.1f ms\n' "$cmd" "$(median <"$T/ss" | awk '{print $1 / 1000}')"
done
echo quit >&9
