#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# netns_slots.sh - the per-namespace statistics' two homes: the
# preallocated slots (netns_slots, tcpstate load --netns-slots), found by
# the namespace's cookie, and the netns_stats hash map, used by a
# namespace whose slot another holds. With 16 slots, the 32 namespaces of
# netns_burst.sh are counted in both homes at once (not 2: cookies made
# two apart on 6.18, all odd, all met the initial namespace's slot;
# include/tcpstate.h, tcpstate_netns_slot()); with none, all in the
# hash map: netns_burst.sh and transitions.sh must pass as they do with
# the default. Also: --netns-slots refuses what is not a power of two up
# to 4096.
TEST_NAME=netns_slots
. "$(dirname "$0")/lib.sh"

assert_prereqs bpftool
[ "$TCPSTATE_SOURCE" = module ] && ktap_skip_all "namespace slots are the BPF collector's"
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN (run make -C selftests)"
ktap_print_header
ktap_set_plan 8

# load_slots N: the collector, reloaded with N namespace slots.
load_slots() {
	collector_load_with --netns-slots "$1" 2>"$LIB_TMPDIR/load.err" && return 0
	ktap_print_msg "$(cat "$LIB_TMPDIR/load.err")"
	return 1
}
PIN=/sys/fs/bpf/tcpstate
owned_slots() {
	bpftool -j map dump pinned $PIN/map_netns_slot_owner |
		jq '[.[] | select(.formatted.value.cookie != 0)] | length'
}
hashed_netns() { bpftool -j map dump pinned $PIN/map_netns_stats | jq length; }

load_refused --netns-slots 12 "power of two"
load_refused --netns-slots 8192 "out of range"

test_cleanup() {
	# Whatever happened, leave the collector as others expect it.
	collector_unload >/dev/null 2>&1
	collector_load >/dev/null 2>&1
}
load_slots 16 || ktap_skip_all "cannot load the collector with 16 namespace slots"
sub_test "netns_burst.sh with 16 namespace slots" netns_burst.sh
slots=$(owned_slots) hashed=$(hashed_netns)
ktap_print_msg "after it: $slots slots owned, $hashed namespaces in netns_stats"
ktap_test_result "both homes were used (2 or more of 16 slots owned, 16 or more namespaces hashed)" \
	test "$slots" -ge 2 -a "$hashed" -ge 16
sub_test "transitions.sh with 16 namespace slots" transitions.sh

load_slots 0 || ktap_skip_all "cannot load the collector without namespace slots"
sub_test "netns_burst.sh without namespace slots" netns_burst.sh
ktap_test_result "no slot was owned" test "$(owned_slots)" -eq 0
sub_test "transitions.sh without namespace slots" transitions.sh
ktap_finished
