#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prune.sh - tcpstated removes the BPF collector's statistics of a
# namespace that no longer exists (after two prunes in a row found it
# dead), logs how many it pruned, and keeps those of a live namespace.
TEST_NAME=prune
. "$(dirname "$0")/lib.sh"

TCPSTATED=${TCPSTATED:-$(dirname "$TCPSTATE")/tcpstated}
assert_prereqs bpftool
[ "$TCPSTATE_SOURCE" = module ] && ktap_skip_all "pruning is for the BPF collector"
[ -x "$TCPSTATED" ] || ktap_skip_all "no tcpstated at $TCPSTATED (run make)"
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN (run make -C selftests)"
ktap_print_header
ktap_set_plan 5
# A collector of its own, so that the namespaces below find free slots
# (a slot of a namespace that died unpruned is not free).
test_cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	collector_unload >/dev/null 2>&1
	collector_load >/dev/null 2>&1
	return 0
}
DPID=
collector_unload || ktap_skip_all "cannot unload the collector"
"$TCPSTATE" load --netns-slots 64 >"$LIB_TMPDIR/load.out" 2>&1 || {
	ktap_print_msg "$(cat "$LIB_TMPDIR/load.out")"
	ktap_skip_all "cannot load the collector with 64 namespace slots"
}
setup_ns dead live || ktap_skip_all "cannot create network namespaces"

inum_of() { ip netns exec "$1" stat -L -c %i /proc/self/ns/net; }
# cookie_of NS: the namespace's cookie (SO_NETNS_COOKIE), from tcpstate.
cookie_of() { ip netns exec "$1" "$TCPSTATE" summary --json | jq .netns_cookie; }
dead_inum=$(inum_of "$dead") live_inum=$(inum_of "$live")
ip netns exec "$dead" "$TCPCHURN" -p 7400 -c 1 -a 1 -d 1 >/dev/null 2>&1
ip netns exec "$live" "$TCPCHURN" -p 7400 -c 1 -a 1 -d 1 >/dev/null 2>&1
dead_cookie=$(cookie_of "$dead")
cleanup_ns "$dead"

P=$LIB_TMPDIR/prom/tcpstate.prom log=$LIB_TMPDIR/daemon.log
mkdir -p "$LIB_TMPDIR/prom"
in_prom() { grep -q "^tcpstate_sockets{netns=\"$1\"" "$P"; }
# in_map INUM: the namespace has statistics in the collector: an entry of
# netns_stats, or a preallocated slot it owns (a retired slot's cookie is
# ~0, above 1e19).
in_map() {
	bpftool -j map dump pinned /sys/fs/bpf/tcpstate/map_netns_stats |
		jq -e --argjson i "$1" 'any(.[]; .formatted.key.inum == $i)' >/dev/null ||
		bpftool -j map dump pinned /sys/fs/bpf/tcpstate/map_netns_slot_owner |
		jq -e --argjson i "$1" 'any(.[]; .formatted.value.inum == $i and
			.formatted.value.cookie != 0 and .formatted.value.cookie < 1e19)' >/dev/null
}
# The slot a namespace's cookie maps to (bpf/maps.bpf.h), and whether it
# is free and zeroed on every CPU.
nslots=$(bpftool -j map show pinned /sys/fs/bpf/tcpstate/map_netns_slot_owner | jq .max_entries)
slot_of() { echo $(($1 & (nslots - 1))); }	# tcpstate_netns_slot()
slot_owner_inum() {
	bpftool -j map lookup pinned /sys/fs/bpf/tcpstate/map_netns_slot_owner \
		key $(printf '%d 0 0 0' "$1") | jq '.formatted.value | select(.cookie != 0) | .inum'
}
slot_free_and_zero() {
	bpftool -j map lookup pinned /sys/fs/bpf/tcpstate/map_netns_slot_owner \
		key $(printf '%d 0 0 0' "$1") | jq -e '.formatted.value.cookie == 0' >/dev/null &&
	bpftool -j map lookup pinned /sys/fs/bpf/tcpstate/map_netns_slots \
		key $(printf '%d 0 0 0' "$1") |
		jq -e '[.formatted.values[].value | .live[], .transitions[][]] | all(. == 0)' >/dev/null
}
ktap_test_result "the dead namespace's statistics are in the map before the prune" \
	in_map "$dead_inum"
dead_slot=$(slot_of "$dead_cookie")
dead_had_slot=
[ "$(slot_owner_inum "$dead_slot")" = "$dead_inum" ] && dead_had_slot=1
printf 'interval = 1\nprune_every = 1\nmax_netns = 65536\ntextfile_dir = %s\n' \
	"$LIB_TMPDIR/prom" >"$LIB_TMPDIR/tcpstated.conf"
nsenter --net="/run/netns/$live" "$TCPSTATED" --config "$LIB_TMPDIR/tcpstated.conf" \
	>/dev/null 2>"$log" &
DPID=$!
wait_until 3 test -s "$P"
# The first prune only marks it; the next one deletes it.
ktap_test_result "the prune is logged with a count" \
	wait_until 8 grep -q "pruned the statistics of [0-9]* dead network namespace" "$log"
ktap_test_result "the dead namespace's entry is gone from the map" \
	wait_until 3 eval '! in_map "$dead_inum"'
ktap_test_result "the live namespace is kept (map and textfile)" \
	eval 'in_map "$live_inum" && in_prom "$live_inum"'
if [ -n "$dead_had_slot" ]; then
	ktap_test_result "the dead namespace's slot is zeroed and freed by the next prune" \
		wait_until 3 slot_free_and_zero "$dead_slot"
else
	ktap_test_fail "the dead namespace had no slot of its own (slot $dead_slot taken)"
fi
kill -TERM "$DPID"
wait "$DPID"
DPID=
ktap_print_msg "$(cat "$log")"
ktap_finished
