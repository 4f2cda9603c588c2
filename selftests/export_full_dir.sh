#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# export_full_dir.sh - `tcpstate export -d` into a full directory (a small
# tmpfs filled up): the write fails with a message naming the error, exit
# 1, the previous file is intact and no temp file is left; once space is
# freed the next export succeeds. The tmpfs is in a private mount
# namespace and goes with the test.
TEST_NAME=export_full_dir
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

# export_to_mnt: one export of the test namespace; stderr in $LIB_TMPDIR/err.
export_to_mnt() {
	tcpstate_ns "$NS" export --self $(tcpstate_src) -d "$MNT" 2>"$LIB_TMPDIR/err"
}

only_the_file() {
	[ "$(ls -A "$MNT" | grep -v '^filler$')" = "tcpstate.prom" ]
}

assert_prereqs promtool
ktap_print_header
ktap_set_plan 6
mount -t tmpfs -o size=512k tmpfs "$MNT" || ktap_skip_all "cannot mount a tmpfs"
collector_load || ktap_skip_all "cannot load the collector"
collector_guard
setup_ns NS
hold_start "$NS"
hold listen L 8080 && hold connect C 8080 2 && hold accept S L 2

ktap_test_result "export into the tmpfs" export_to_mnt
cp "$MNT/tcpstate.prom" "$LIB_TMPDIR/before.prom"
ktap_print_msg "file: $(stat -c %s "$MNT/tcpstate.prom") bytes"

# Fill it up; more sockets so that the next file differs.
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null
hold connect C2 8080 3 && hold accept S2 L 3
if export_to_mnt; then
	ktap_test_fail "export into the full directory fails"
else
	ktap_print_msg "stderr: $(cat "$LIB_TMPDIR/err")"
	ktap_test_result "export into the full directory fails, saying why" \
		grep -q "No space left on device" "$LIB_TMPDIR/err"
fi
ktap_test_result "the previous file is intact" cmp -s "$LIB_TMPDIR/before.prom" "$MNT/tcpstate.prom"
ktap_test_result "no temp file left" only_the_file

rm -f "$MNT/filler"
ktap_test_result "export succeeds again once space is freed" export_to_mnt
ktap_test_result "the new file is new and valid" \
	bash -c "! cmp -s '$LIB_TMPDIR/before.prom' '$MNT/tcpstate.prom' &&
		 promtool check metrics <'$MNT/tcpstate.prom'"

ktap_finished
