#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 10_proc.sh - /proc/net/tcpstate: present in every namespace with mode
# 0444, version line, every table a names row and a values row of equal
# length, no kernel address; the CLI's parser reads it and rejects a file
# of another version; namespaces are isolated.
TEST_NAME=mod_proc
. "$(dirname "$0")/lib.sh"
mod_assert
ktap_print_header
ktap_set_plan 6
mod_load || ktap_skip_all "insmod failed"
setup_ns A B

f=$(ip netns exec "$A" cat /proc/net/tcpstate)
ktap_test_result "file in a new namespace, mode 0444" \
	test "$(ip netns exec "$A" stat -Lc %a /proc/net/tcpstate)" = 444
ktap_test_result "first line is 'tcpstate 1'" test "$(head -1 <<<"$f")" = "tcpstate 1"
layout_ok() {
	tail -n +2 <<<"$1" | awk '
		NR % 2 == 1 { t = $1; n = NF; next }
		$1 != t || NF != n { bad = 1 }
		END { exit bad || NR % 2 }'
}
ktap_test_result "tables are name rows and value rows of equal width" layout_ok "$f"
ktap_test_result "no kernel address" bash -c '! grep -qiE "ffff[0-9a-f]{8}|0x[0-9a-f]{8}" <<<"$1"' _ "$f"

# Sockets in A only: B sees none of them.
hold_start "$A"
hold listen L 8000 && hold connect C 8000 5 && hold accept S L 5 &&
	hold listen L2 8001
wait_ss "$A" "established=10 listen=2"
isolated() {
	proc_equal_ss "$A" && proc_equal_ss "$B" &&
	[ "$(proc_counts "$B" | awk '{ s += $2 } END { print s }')" = 0 ]
}
ktap_test_result "namespace isolation: A equals ss, B sees nothing" isolated

if [ -x "$TCPSTATE" ]; then
	bad=$(mktemp)
	ip netns exec "$A" "$TCPSTATE" summary --json --source module >"$LIB_TMPDIR/s.json" 2>"$bad"
	ok=$?
	est=$(jq -r '.states.established' "$LIB_TMPDIR/s.json" 2>/dev/null)
	ktap_test_result "tcpstate summary --source module reads it (established=$est)" \
		test "$ok" = 0 -a "$est" = 10
else
	ktap_test_skip "no tcpstate binary"
fi
hold_stop
ktap_finished
