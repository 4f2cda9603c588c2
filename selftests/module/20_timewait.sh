#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 20_timewait.sh - TIME_WAIT with a plain insmod: the module is loaded
# while no timewait socket exists in the namespaces the test makes, then
# clients close first; their orphaned FIN_WAIT2 and then TIME_WAIT
# timewait sockets are counted as ss shows them, the substate change is a
# fin_wait2 -> time_wait transition, and the sockets that existed at
# insmod (loaded again with them present) are counted too.
TEST_NAME=mod_timewait
. "$(dirname "$0")/lib.sh"
mod_assert
ktap_print_header
ktap_set_plan 5
mod_unload
mod_load || ktap_skip_all "insmod failed"
setup_ns A
hold_start "$A" 60

trans() {	# trans NS FROM-TO
	proc_table "$1" Transitions | awk -v k="$2" '$1 == k { print $2 }'
}

hold listen L 7601 && hold connect C 7601 4 && hold wait-connected C &&
	hold accept S L 4 && wait_ss "$A" "listen=1 established=8" &&
	hold close C && wait_ss "$A" "listen=1 fin_wait2=4 close_wait=4"
ktap_test_result "clients closed: 4 timewait FIN_WAIT2 equal ss" proc_equal_ss "$A"
hold close S && wait_ss "$A" "listen=1 time_wait=4"
ktap_test_result "servers closed: 4 TIME_WAIT equal ss" proc_equal_ss "$A"
t=$(trans "$A" fin_wait2-time_wait)
ktap_test_result "fin_wait2 -> time_wait counted 4 times (got $t)" test "$t" = 4

mod_unload && mod_load
ktap_test_result "loaded again with them present: TIME_WAIT equals ss" proc_equal_ss "$A"
ktap_test_result "kernel log clean" dmesg_clean
hold_stop
ktap_finished
