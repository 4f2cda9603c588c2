#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# stale_record.sh - a record left in the slot table by a socket whose
# close and destruction were both missed is inherited by the next socket
# the kernel puts at the same address, in any namespace. Its first event
# must take the dead socket out of the namespace the dead socket was
# counted in, not out of its own (Documentation/architecture.rst, "the
# residual drift"). Made here on purpose: a live ESTABLISHED client in
# namespace B (a collector with a small table, to dump) has its slot
# rewritten to say "ESTABLISHED in namespace A", and the two namespaces'
# counts are moved to match (A one socket too many, B one too few),
# which is what such an inheritance leaves. When the client closes, both
# namespaces must count what ss counts with no re-count, and
# close_unseen must say one close was missed. Then the same for a record
# that B's re-count meets first (its iterator, bpf/tcpstate.bpf.c). BPF
# collector only (the module keeps no per-socket records).
TEST_NAME=stale_record
. "$(dirname "$0")/lib.sh"

[ "$TCPSTATE_SOURCE" = module ] && ktap_skip_all "the module keeps no per-socket records"
assert_prereqs bpftool
[ -x "$TCPCHURN" ] || ktap_skip_all "no tcpchurn at $TCPCHURN (run make -C selftests)"
ktap_print_header
ktap_set_plan 11
# A table of 1024 slots: small enough to dump and search (the default's
# 65536 need 330 MB of jq), large enough that one of four clients has its
# own slot.
test_cleanup() {
	collector_unload >/dev/null 2>&1
	collector_load >/dev/null 2>&1
}
collector_unload || ktap_skip_all "cannot unload the collector"
"$TCPSTATE" load --sk-slots 1024 >"$LIB_TMPDIR/load.out" 2>&1 || {
	ktap_print_msg "$(cat "$LIB_TMPDIR/load.out")"
	ktap_skip_all "cannot load the collector with 1024 slots"
}
collector_guard
setup_ns nsa || ktap_skip_all "cannot create a network namespace"
setup_ns nsb || ktap_skip_all "cannot create a network namespace"

inum_of() { ip netns exec "$1" stat -L -c %i /proc/self/ns/net; }
le() { local v=$1 n=$2 i; for ((i = 0; i < n; i++)); do printf '%02x ' $(( (v >> (8 * i)) & 255 )); done; }

# Namespace A had sockets once (it has statistics), none now but the
# timewait sockets of a short churn.
ip netns exec "$nsa" "$TCPCHURN" -p 7700 -c 1 -a 1 -d 1 >/dev/null 2>&1
hold_start "$nsb" 60
hold listen L 7600 && hold connect C 7600 4 && hold wait-connected C &&
	hold accept A L 4 || ktap_skip_all "cannot set up sockets"
wait_counts_equal "$nsb" 10

slots_id=$(bpftool -j map show name sk_slots | jq -r 'if type == "array" then .[0].id else .id end')
[ -n "$slots_id" ] && [ "$slots_id" != null ] || ktap_skip_all "no sk_slots map (loaded without a slot table?)"
inum_a=$(inum_of "$nsa") inum_b=$(inum_of "$nsb")
cookie_a=$(summary_json "$nsa" | jq -r .netns_cookie)

# forge: one of B's ESTABLISHED clients (recorded with tcphold as owner:
# connect() records it, the accepted children have none) gets a slot
# that says "ESTABLISHED in namespace A", and the counts are moved to
# match what such an inheritance leaves: A one socket too many, B one too
# few. No read in between (a read a second later would re-count).
forge() {
	local entry key value raw
	entry=$(bpftool -j map dump id "$slots_id" | jq -c --argjson ns "$inum_b" --argjson pid "$HOLD_PID" '
		[.[] | select(.formatted.value.sk != 0 and .formatted.value.info.netns == $ns and
			.formatted.value.info.tgid == $pid and .formatted.value.info.state == 1)] | first')
	[ -n "$entry" ] && [ "$entry" != null ] ||
		ktap_skip_all "none of four clients has a slot of its own"
	ktap_print_msg "client's slot: $(jq -c '{key: .formatted.key, info: .formatted.value.info}' <<<"$entry")"
	# The raw bytes (jq's numbers are doubles: an address would not
	# survive). struct sk_slot (bpf/maps.bpf.h): sk, then struct
	# sk_info: entered_ns, born_ns at 8..23, netns_cookie at 24, netns
	# at 32, tgid, gen, state at 44, pad, comm.
	mapfile -t raw < <(jq -r '.value[]' <<<"$entry" | sed 's/^0x//')
	key=$(jq -r '.key | map(ltrimstr("0x")) | join(" ")' <<<"$entry")
	value="${raw[*]:0:24} $(le "$cookie_a" 8)$(le "$inum_a" 4)${raw[*]:36:8} 01 ${raw[*]:45}"
	# shellcheck disable=SC2086
	stats_corrupt "$nsb" established -1 &&
		stats_corrupt "$nsa" established 1 &&
		bpftool map update id "$slots_id" key hex $key value hex $value ||
		ktap_skip_all "cannot write the collector's maps"
}

# One read each, at once: a second read a second later would re-count a
# namespace left wrong, and hide it.
equal_now() {
	local out
	out=$(counts_diff "$1") && return 0
	ktap_print_msg "$out"
	return 1
}

# 1. The client's next event finds the record.
health0=$(collector_health "$nsb")
forge
hold close C
wait_ss "$nsb" "listen=1 fin_wait2=4 close_wait=4" 10
ktap_test_result "namespace A (the dead socket's) counts what ss counts" equal_now "$nsa"
ktap_test_result "namespace B (the new socket's) counts what ss counts" equal_now "$nsb"
check_a=$(summary_json "$nsa" | jq -c .check) check_b=$(summary_json "$nsb" | jq -c .check)
ktap_print_msg "check A: $check_a"
ktap_print_msg "check B: $check_b"
agree() {
	local c
	for c in "$@"; do
		jq -e '.repairs == 0 and .sockets == .kernel_sockets and
			.timewait == .kernel_timewait' >/dev/null <<<"$c" || return 1
	done
}
ktap_test_result "both agree with the kernel's counters, with no re-count" \
	agree "$check_a" "$check_b"
health1=$(collector_health "$nsb")
ktap_print_msg "health before: $health0"
ktap_print_msg "health after:  $health1"
ktap_test_result "the dead socket's close is counted as unseen, once" \
	test "$(jq -r '.errors.close_unseen // 0' <<<"$health1")" = \
	"$(( $(jq -r '.errors.close_unseen // 0' <<<"$health0") + 1 ))"
ktap_test_result "no other error counter grew, no count below zero" \
	test "$(jq -c '.errors.close_unseen = 0' <<<"$health1")" = "$(jq -c '.errors.close_unseen = 0' <<<"$health0")"

# 2. A re-count of B meets the record first: B's drift (one too few) is
# persistent after two reads a second apart, and its iterator finds the
# live client with A's record.
hold connect D 7600 4 && hold wait-connected D && hold accept A2 L 4 ||
	ktap_skip_all "cannot set up more sockets"
wait_ss "$nsb" "listen=1 established=8 fin_wait2=4 close_wait=4" 10
health1=$(collector_health "$nsb")
forge
summary_json "$nsb" >/dev/null
sleep 1.1
check_b=$(summary_json "$nsb" | jq -c .check)
ktap_print_msg "check B: $check_b"
ktap_test_result "the re-count of B leaves both namespaces counting what ss counts" \
	test "$(jq -r .repaired <<<"$check_b")" = true -a "$(equal_now "$nsa"; echo $?)" = 0 -a \
	"$(equal_now "$nsb"; echo $?)" = 0
health2=$(collector_health "$nsb")
ktap_print_msg "health after the re-count: $health2"
ktap_test_result "the re-count counts the dead socket's close as unseen, once" \
	test "$(jq -r '.errors.close_unseen // 0' <<<"$health2")" = \
	"$(( $(jq -r '.errors.close_unseen // 0' <<<"$health1") + 1 ))"
# The drift is the one forged above; it is judged by the re-count.
ktap_test_result "and no other error counter grew (not missed_event: no event was missed)" \
	test "$(jq -c '.errors.close_unseen = 0 | .drifts = 0' <<<"$health2")" = \
	"$(jq -c '.errors.close_unseen = 0 | .drifts = 0' <<<"$health1")"

# 3. A record nothing will meet: a slot held by a socket gone from B,
# counted in B's current generation (B one socket too many). B's re-count
# does not find the socket; its end gives the slot back and counts the
# close as unseen then, not when some later socket of any namespace comes
# to that address.
forge_gone() {
	local entry json cookie gen value
	entry=$(bpftool -j map dump id "$slots_id" | jq -c '[.[] | select(.formatted.value.sk == 0)] | first')
	[ -n "$entry" ] && [ "$entry" != null ] || ktap_skip_all "no free slot"
	GONE_KEY=$(jq -r '.key | map(ltrimstr("0x")) | join(" ")' <<<"$entry")
	json=$(summary_json "$nsb") || return 1
	cookie=$(jq -r .netns_cookie <<<"$json")
	gen=$(jq -r '.check.generation // 0' <<<"$json")
	# An address no socket has (user space's): sk, then sk_info as in
	# forge(), state ESTABLISHED, comm empty.
	value="$(le $((0xdead0040)) 8)$(le 0 16)$(le "$cookie" 8)$(le "$inum_b" 4)$(le 0 4)$(le "$gen" 4)01 $(le 0 19)"
	# shellcheck disable=SC2086
	stats_corrupt "$nsb" established 1 &&
		bpftool map update id "$slots_id" key hex $GONE_KEY value hex $value ||
		ktap_skip_all "cannot write the collector's maps"
}
slot_sk() {
	# shellcheck disable=SC2086
	bpftool -j map lookup id "$slots_id" key hex $GONE_KEY | jq -r .formatted.value.sk
}
health2=$(collector_health "$nsb")
forge_gone
ktap_print_msg "forged slot $GONE_KEY: sk $(slot_sk)"
summary_json "$nsb" >/dev/null
sleep 1.1
check_b=$(summary_json "$nsb" | jq -c .check)
ktap_print_msg "check B: $check_b"
ktap_test_result "the re-count of B leaves B counting what ss counts" \
	test "$(jq -r .repaired <<<"$check_b")" = true -a "$(equal_now "$nsb"; echo $?)" = 0
ktap_test_result "and gives the gone socket's slot back" test "$(slot_sk)" = 0
health3=$(collector_health "$nsb")
ktap_print_msg "health after the re-count: $health3"
ktap_test_result "counting its close as unseen, once, and nothing else" \
	test "$(jq -r '.errors.close_unseen // 0' <<<"$health3")" = \
	"$(( $(jq -r '.errors.close_unseen // 0' <<<"$health2") + 1 ))" -a \
	"$(jq -c '.errors.close_unseen = 0 | .drifts = 0' <<<"$health3")" = \
	"$(jq -c '.errors.close_unseen = 0 | .drifts = 0' <<<"$health2")"
ktap_finished
