#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 70_daemon.sh - tcpstated on the module: it writes the textfile from
# /proc/net/tcpstate; rmmod under it is logged as a gap and the file says
# so (tcpstate_daemon_source_up 0, no socket families); insmod again and the daemon reconnects by itself,
# writes again, and counts the gap. The host's daemon.sh does the same with
# the BPF collector; the module only loads here, in the guests.
TEST_NAME=mod_daemon
. "$(dirname "$0")/lib.sh"
mod_assert
TCPSTATED=${TCPSTATED:-$(dirname "$TCPSTATE")/tcpstated}
[ -x "$TCPSTATED" ] || ktap_skip_all "no tcpstated at $TCPSTATED"
ktap_print_header
ktap_set_plan 4
mod_load || ktap_skip_all "insmod failed"

D=$LIB_TMPDIR/textfile
PROM=$D/tcpstate.prom
log=$LIB_TMPDIR/tcpstated.log
mkdir -p "$D"
metric() { awk -v m="$1" '$1 == m { print $2 }' "$PROM" 2>/dev/null; }
file_id() { stat -c '%i' "$PROM" 2>/dev/null; }
rewritten() { local i; i=$(file_id); [ -n "$i" ] && [ "$i" != "$1" ]; }
in_log() { grep -q -- "$1" "$log"; }

"$TCPSTATED" --source module --interval 1 --config /dev/null \
	--textfile-dir "$D" >/dev/null 2>"$log" &
LIB_CHILDREN+=($!)

ktap_test_result "the daemon writes the textfile from the module" \
	wait_until 10 eval '[ "$(metric tcpstate_daemon_source_up)" = 1 ] &&
		grep -q "^tcpstate_build_info{.*source=\"module\"" "$PROM"'

mod_unload
ktap_test_result "rmmod is logged as a gap, and the file says so (source_up 0)" \
	wait_until 10 eval 'in_log "source module lost (" &&
		[ "$(metric tcpstate_daemon_source_up)" = 0 ]'

id=$(file_id)
mod_load
ktap_test_result "insmod again: the daemon reconnects by itself" \
	wait_until 40 in_log "back after a gap"
ktap_test_result "and writes the textfile again, the gap counted" \
	wait_until 10 eval 'rewritten "$id" && [ "$(metric tcpstate_daemon_source_up)" = 1 ] &&
		[ "$(metric tcpstate_daemon_source_gaps_total)" -ge 1 ]'
[ "$KTAP_FAIL" = 0 ] || ktap_print_msg "tcpstated log:" "$(cat "$log")"
ktap_finished
