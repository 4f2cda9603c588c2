#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# export_atomic.sh - a reader of the textfile sees only whole files: 10,000
# rewrites by user/textfile.c (textfile_stress, each of another size)
# against a reader that opens and checks the file in a loop, then
# `tcpstate export -d` in a loop against the same reader checking that
# each file ends in the export's last sample. The control: the same
# reader catches a writer that rewrites the file in place. The directory
# is a tmpfs in a private mount namespace, so fsync costs nothing and
# the mount ends with the test.
TEST_NAME=export_atomic
if [ -z "$TCPSTATE_MOUNT_NS" ]; then
	TCPSTATE_MOUNT_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

STRESS=$TCPSTATE_SELFTEST_BIN/textfile_stress
MNT=$(mktemp -d /tmp/tcpstate-export-mnt.XXXXXX)

test_cleanup() {
	umount "$MNT" 2>/dev/null
	rmdir "$MNT" 2>/dev/null
	return 0
}

# race WRITER_ARGS...: the reader against one writer; the reader's verdict.
race() {
	local mode=$1 rpid rc
	shift
	rm -f "$MNT"/* "$MNT"/.[!.]* 2>/dev/null
	"$STRESS" read "$MNT" t.prom 100 "$mode" >"$LIB_TMPDIR/reader.out" 2>&1 &
	rpid=$!
	"$@"
	rc=$?
	touch "$MNT/stop"
	wait "$rpid"
	READER_RC=$?
	ktap_print_msg "reader: $(head -1 "$LIB_TMPDIR/reader.out")"
	return $rc
}

export_loop() {
	local i
	for ((i = 0; i < $1; i++)); do
		tcpstate_ns "$NS" export --self $(tcpstate_src) --name t.prom -d "$MNT" || return 1
	done
}

assert_prereqs
[ -x "$STRESS" ] || ktap_skip_all "no textfile_stress at $STRESS (run make -C selftests)"
ktap_print_header
ktap_set_plan 4
mount -t tmpfs -o size=16m tmpfs "$MNT" || ktap_skip_all "cannot mount a tmpfs"
collector_load || ktap_skip_all "cannot load the collector"
collector_guard
setup_ns NS

start=$(date +%s)
race marker "$STRESS" write "$MNT" t.prom 10000
wrc=$?
ktap_print_msg "10000 rewrites in $(( $(date +%s) - start )) s"
ktap_test_result "10000 rewrites by textfile_write" [ "$wrc" -eq 0 ]
ktap_test_result "the reader saw only whole files" [ "$READER_RC" -eq 0 ]

race prom export_loop 300
ktap_test_result "300 'tcpstate export -d': the reader saw only whole files" \
	[ $? -eq 0 ] && [ "$READER_RC" -eq 0 ]

race marker "$STRESS" write-in-place "$MNT" t.prom 10000
ktap_test_result "control: the reader catches a writer rewriting in place" [ "$READER_RC" -ne 0 ]

ktap_finished
