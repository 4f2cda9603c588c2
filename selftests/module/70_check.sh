#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 70_check.sh - the module's self-check and its control file: the Check
# table of /proc/net/tcpstate agrees with the kernel's counters on a quiet
# namespace; /proc/net/tcpstate_ctl is 0200, refuses unknown commands and
# "skew" without test_skew=1; "repair" re-counts the namespace, counted,
# and its numbers still equal ss. (repair.sh corrupts a count and has it
# found and repaired: that is the test of the check itself.)
TEST_NAME=mod_check
. "$(dirname "$0")/lib.sh"
mod_assert
ktap_print_header
ktap_set_plan 6
mod_unload
mod_load || ktap_skip_all "insmod failed"
setup_ns A

ctl() { ip netns exec "$A" bash -c 'echo "$1" >/proc/net/tcpstate_ctl' _ "$1" 2>&1; }
check() { proc_table "$A" Check | awk -v k="$1" '$1 == k { print $2 }'; }

hold_start "$A"
hold listen L 8100 && hold connect C 8100 4 && hold accept S L 4
wait_ss "$A" "established=8 listen=1"
sleep 0.2
ktap_print_msg "$(proc_table "$A" Check | tr '\n' ' ')"
ktap_test_result "the Check table agrees with sockstat on a quiet namespace" \
	test "$(check verdict)" = 0 -a "$(check sockets)" = "$(check kernel_sockets)" \
	-a "$(check sockets)" -ge 9
ktap_test_result "tcpstate_ctl is write-only for root (0200), tcpstate stays 0444" \
	test "$(ip netns exec "$A" stat -Lc %a /proc/net/tcpstate_ctl)" = 200 -a \
	"$(ip netns exec "$A" stat -Lc %a /proc/net/tcpstate)" = 444
out=$(ctl bogus)
ktap_test_result "an unknown command is refused (EINVAL): $out" grep -q "Invalid argument" <<<"$out"
out=$(ctl "skew established 5")
ktap_test_result "skew is refused without test_skew=1 (EPERM): $out" \
	bash -c 'grep -q "Operation not permitted" <<<"$1" && test "$2" = "$3"' _ "$out" \
	"$(check sockets)" "$(check kernel_sockets)"
out=$(ctl repair)
ktap_print_msg "$(dmesg | grep 're-counted' | tail -1)"
ktap_test_result "repair re-counts the namespace: repairs 1, generation 1" \
	test -z "$out" -a "$(check repairs)" = 1 -a "$(check generation)" = 1
ktap_test_result "after the re-count the counts equal ss" proc_equal_ss "$A"
hold_stop
ktap_finished
