#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# export_readonly_dir.sh - `tcpstate export -d` into a read-only directory
# (a tmpfs remounted ro): the write fails with a message naming the error,
# exit 1, the previous file is intact; once the directory is writable
# again the next export succeeds. The tmpfs is in a private mount
# namespace and goes with the test.
TEST_NAME=export_readonly_dir
if [ -z "$TCPSTATE_MOUNT_NS" ]; then
	TCPSTATE_MOUNT_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

MNT=$(mktemp -d /tmp/tcpstate-export-mnt.XXXXXX)

test_cleanup() {
	umount "$MNT" 2>/dev/null
	rmdir "$MNT" 2>/dev/null
	return 0
}

export_to_mnt() {
	tcpstate_ns "$NS" export --self $(tcpstate_src) -d "$MNT" 2>"$LIB_TMPDIR/err"
}

assert_prereqs promtool
ktap_print_header
ktap_set_plan 5
mount -t tmpfs -o size=4m tmpfs "$MNT" || ktap_skip_all "cannot mount a tmpfs"
collector_load || ktap_skip_all "cannot load the collector"
collector_guard
setup_ns NS
hold_start "$NS"
hold listen L 8080 && hold connect C 8080 2 && hold accept S L 2

ktap_test_result "export into the tmpfs" export_to_mnt
cp "$MNT/tcpstate.prom" "$LIB_TMPDIR/before.prom"

mount -o remount,ro "$MNT"
hold connect C2 8080 3 && hold accept S2 L 3
if export_to_mnt; then
	ktap_test_fail "export into the read-only directory fails"
else
	ktap_print_msg "stderr: $(cat "$LIB_TMPDIR/err")"
	ktap_test_result "export into the read-only directory fails, saying why" \
		grep -q "Read-only file system" "$LIB_TMPDIR/err"
fi
ktap_test_result "the previous file is intact" cmp -s "$LIB_TMPDIR/before.prom" "$MNT/tcpstate.prom"

mount -o remount,rw "$MNT"
ktap_test_result "export succeeds again once writable" export_to_mnt
ktap_test_result "the new file is new, valid, and alone" \
	bash -c "! cmp -s '$LIB_TMPDIR/before.prom' '$MNT/tcpstate.prom' &&
		 promtool check metrics <'$MNT/tcpstate.prom' &&
		 [ \"\$(ls -A '$MNT')\" = tcpstate.prom ]"

ktap_finished
