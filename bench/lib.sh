# shellcheck shell=bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# lib.sh - what the benchmark scripts share: paths, the selftests' lock,
# the collector's state, namespaces, medians, and the JSON pieces that
# run.sh merges into .output/bench-results.json. Sourced, never run.
#
# Every figure a benchmark reports is a ratio of things measured side by
# side in one run (configurations interleaved), or a median of at least
# BENCH_RUNS runs, so that a shared, noisy machine moves both alike.

BENCH_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_HERE/.." && pwd)
OUT=${OUTPUT:-$REPO/.output}
TCPSTATE=$OUT/tcpstate
# shellcheck disable=SC2034 # the paths are for the scripts that source this
TCPSTATED=$OUT/tcpstated
PROGCOST=$OUT/bench/progcost
TCPCHURN=$OUT/selftests/tcpchurn
BENCH_DIR=$OUT/bench
mkdir -p "$BENCH_DIR"
QUICK=${QUICK:-}
[ "$QUICK" = 0 ] && QUICK=
RUNS=${BENCH_RUNS:-5}

# The selftests' lock (selftests/lib.sh): one user of the collector at a
# time. Children inherit the descriptor, and with it the lock.
# BENCH_NO_LOCK=1: a script that leaves the host's collector alone.
if [ -z "${BENCH_NO_LOCK:-}" ] && [ -z "${TCPSTATE_TEST_LOCKED:-}" ] && command -v flock >/dev/null &&
   { exec 8>>/run/tcpstate-selftest.lock; } 2>/dev/null; then
	bench_lock_t0=$(date +%s)
	flock 8
	export TCPSTATE_TEST_LOCKED=1
	# other trees' tests held it: time not spent on the bench
	BENCH_LOCK_WAIT=$(($(date +%s) - bench_lock_t0))
	[ "$BENCH_LOCK_WAIT" -lt 2 ] || echo "#    (waited $BENCH_LOCK_WAIT s for the selftests' lock)"
fi

bench_die() { echo "${0##*/}: $*" >&2; exit 1; }

# bench_posint NAME VALUE: a positive integer or exit 64.
bench_posint() {
	case $2 in
	'' | *[!0-9]* | 0) echo "${0##*/}: $1 must be a positive integer, not '$2'" >&2; exit 64 ;;
	esac
}
bench_posint BENCH_RUNS "$RUNS"
[ "$RUNS" -ge 5 ] || { echo "${0##*/}: BENCH_RUNS must be at least 5 (medians of 5)" >&2; exit 64; }
case $QUICK in '' | 1) ;; *) echo "${0##*/}: QUICK must be 0 or 1" >&2; exit 64 ;; esac
[ "$(id -u)" -eq 0 ] || bench_die "needs root"

bench_need() {
	local f
	for f in "$@"; do
		[ -x "$f" ] || command -v "$f" >/dev/null ||
			bench_die "$f is missing (make bench builds the tree; scripts/deps.sh check installs the tools)"
	done
}

# The collector: loaded or not, and put back as found at exit by the
# scripts that changed it.
bench_was_loaded='' bench_touched=''
[ -e /sys/fs/bpf/tcpstate ] && bench_was_loaded=1
collector_on() {
	bench_touched=1
	[ -e /sys/fs/bpf/tcpstate ] ||
		"$TCPSTATE" load >/dev/null 2>"$BENCH_DIR/load.err" ||
		bench_die "tcpstate load: $(cat "$BENCH_DIR/load.err")"
}
collector_off() {
	bench_touched=1
	[ ! -e /sys/fs/bpf/tcpstate ] ||
		"$TCPSTATE" unload >/dev/null 2>"$BENCH_DIR/load.err" ||
		bench_die "tcpstate unload: $(cat "$BENCH_DIR/load.err")"
}
collector_restore() {
	[ -n "$bench_touched" ] || return 0
	if [ -n "$bench_was_loaded" ]; then collector_on; else collector_off; fi
}

# Namespaces, deleted at exit. bench_ns NAME: a fresh one, loopback up,
# room for TIME_WAIT sockets and ephemeral ports above 10000 (the bench's
# listeners use ports below).
BENCH_NSES=()
bench_ns() {
	ip netns del "$1" 2>/dev/null || true
	bench_tw_base=$(tw_slab_objects)
	ip netns add "$1"
	BENCH_NSES+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="10000 65000" \
		net.ipv4.tcp_max_tw_buckets=4000000 net.core.somaxconn=4096
}
# bench_ns_del NAME: deletes a namespace made by bench_ns and waits (up
# to 30 s) until the kernel has freed its timewait sockets: a namespace's
# teardown (cleanup_net, run later from a workqueue) kills them all, and
# must not run inside the next measurement. Read from the slab of timewait
# sockets, both families, against what it held before bench_ns.
tw_slab_objects() { awk '$1 == "tw_sock_TCP" || $1 == "tw_sock_TCPv6" {n += $2} END {print n + 0}' /proc/slabinfo; }
bench_tw_base=$(tw_slab_objects 2>/dev/null || echo 0)
bench_ns_del() {
	local i
	ip netns del "$1"
	for i in $(seq 300); do
		[ "$(tw_slab_objects)" -le $((bench_tw_base + 4096)) ] && return 0
		sleep 0.1
	done
	echo "#    (namespace $1: its timewait sockets were not all freed after 30 s)"
}

BENCH_PIDS=()
bench_cleanup() {
	local p n
	for p in "${BENCH_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	for p in "${BENCH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	for n in "${BENCH_NSES[@]}"; do ip netns del "$n" 2>/dev/null || true; done
	collector_restore 2>/dev/null || true
}
trap bench_cleanup EXIT

median() { sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]; else print "null"}'; }

# Wall time of a command in microseconds (its output discarded).
usec() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
}

# sockstat_tw NS / sockstat_inuse NS: O(1) counts of the namespace.
sockstat_tw() { ip netns exec "$1" awk '$1 == "TCP:" {for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1)}' /proc/net/sockstat; }
sockstat_inuse() { ip netns exec "$1" awk '$1 == "TCP:" {for (i = 2; i < NF; i++) if ($i == "inuse") print $(i + 1)}' /proc/net/sockstat; }

# kv KEY OUTPUT: the value of KEY=value in tcpchurn's output.
kv() { sed -n "s/^$1=//p" <<<"$2"; }

# bench_json NAME JQ-ARGS... FILTER: writes the piece NAME.json.
bench_json() {
	local name=$1
	shift
	jq -n "$@" >"$BENCH_DIR/$name.json"
}

# Bytes of kernel memory the collector's maps account (bpftool's
# bytes_memlock: for hash maps without preallocation, the buckets plus
# the elements in use), over every map its pinned links' programs use.
collector_memlock() {
	local l
	for l in /sys/fs/bpf/tcpstate/link_*; do
		bpftool -j link show pinned "$l" | jq -r '.prog_id'
	done | sort -u | while read -r p; do
		bpftool -j prog show id "$p" | jq -r '.map_ids[]?'
	done | sort -u | while read -r m; do
		bpftool -j map show id "$m"
	done | jq -s '{total: (map(.bytes_memlock // 0) | add),
		      maps: (map({(.name): .bytes_memlock}) | add)}'
}
