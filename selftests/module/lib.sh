#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - helpers of the tcpstate.ko selftests, on top of ../lib.sh.
#
#   mod_load [PARAMS]   insmod $TCPSTATE_MODULE (default /tcpstate.ko)
#   mod_unload          rmmod tcpstate if loaded
#   proc_counts NS      "state count" per state from NS's /proc/net/tcpstate
#   proc_table NS TABLE "name value" lines of one table
#   proc_equal_ss NS [TIMEOUT_S]  /proc/net/tcpstate Live equals ss -tan
# shellcheck disable=SC1091
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

TCPSTATE_MODULE=${TCPSTATE_MODULE:-/tcpstate.ko}

mod_loaded() { grep -q '^tcpstate ' /proc/modules; }

mod_load() {
	mod_loaded && return 0
	insmod "$TCPSTATE_MODULE" "$@"
}

mod_unload() {
	mod_loaded || return 0
	rmmod tcpstate
}

# proc_table NS TABLE: "name value" for each column of TABLE.
proc_table() {
	ip netns exec "$1" cat /proc/net/tcpstate | awk -v t="$2:" '
		$1 == t && !seen { for (i = 2; i <= NF; i++) n[i] = $i; seen = 1; next }
		$1 == t && seen { for (i = 2; i <= NF; i++) print n[i], $i; exit }'
}

proc_counts() {
	proc_table "$1" Live
}

# proc_diff NS: compare /proc/net/tcpstate's Live with ss -tan.
proc_diff() {
	local ns=$1
	ss_counts "$ns" >"$LIB_TMPDIR/ss.counts"
	proc_counts "$ns" >"$LIB_TMPDIR/proc.counts"
	ss_counts "$ns" >"$LIB_TMPDIR/ss2.counts"
	cmp -s "$LIB_TMPDIR/ss.counts" "$LIB_TMPDIR/ss2.counts" || return 1
	join <(sort "$LIB_TMPDIR/ss.counts") <(sort "$LIB_TMPDIR/proc.counts") |
		awk '$2 != $3 { printf "%s ss=%s module=%s\n", $1, $2, $3; bad = 1 }
		     END { exit bad }'
}

proc_equal_ss() {
	local ns=$1 timeout=${2:-5}
	wait_until "$timeout" proc_diff "$ns" >/dev/null 2>&1 && return 0
	ktap_print_msg "$(proc_diff "$ns" 2>&1)"
	ktap_print_msg "ss:     $(tr '\n' ' ' <"$LIB_TMPDIR/ss.counts")"
	ktap_print_msg "module: $(tr '\n' ' ' <"$LIB_TMPDIR/proc.counts")"
	return 1
}

# dmesg_clean: no warning, bug or oops in the kernel log.
dmesg_clean() {
	! dmesg | grep -qE 'WARNING:|BUG:|Oops|Call Trace|general protection'
}

mod_assert() {
	assert_root
	assert_tools join
	[ -e "$TCPSTATE_MODULE" ] || mod_loaded || ktap_skip_all "no module at $TCPSTATE_MODULE"
	[ -x "$TCPHOLD" ] || ktap_skip_all "no tcphold at $TCPHOLD"
}
