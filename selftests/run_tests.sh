#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_tests.sh TEST... - run tcpstate selftests and print TAP 13, the way
# the kernel's tools/testing/selftests/kselftest/runner.sh does: a test's
# own output is indented as "# " comments, exit 0 is ok, 4 is "# SKIP",
# 124 (timeout from ./settings) is "# TIMEOUT", anything else is not ok.
# Ends with "N passed, N failed, N skipped"; exits 1 when any failed.

cd "$(dirname "$0")" || exit 1

timeout_s=$(sed -n 's/^timeout=//p' settings 2>/dev/null)
timeout_s=${timeout_s:-150}

pass=0 fail=0 skip=0 n=0
echo "TAP version 13"
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	name="selftests: tcpstate: $t"
	echo "# $name"
	if [ ! -x "./$t" ]; then
		echo "# Warning: file $t is missing or not executable"
		echo "not ok $n $name"
		fail=$((fail + 1))
		continue
	fi
	start=$(date +%s)
	# The test's lines become "# " comments; keep its exit status.
	{ timeout --foreground -k 10 "$timeout_s" "./$t" 2>&1
	  echo "rc=$?" >&3; } 3>"/tmp/tcpstate-selftest-rc.$$" | sed -u 's/^/# /'
	rc=$(sed -n 's/^rc=//p' "/tmp/tcpstate-selftest-rc.$$")
	rm -f "/tmp/tcpstate-selftest-rc.$$"
	echo "# $t: exit=$rc in $(( $(date +%s) - start ))s"
	case "$rc" in
	0)   echo "ok $n $name"; pass=$((pass + 1)) ;;
	4)   echo "ok $n $name # SKIP"; skip=$((skip + 1)) ;;
	124) echo "not ok $n $name # TIMEOUT $timeout_s seconds"; fail=$((fail + 1)) ;;
	*)   echo "not ok $n $name # exit=$rc"; fail=$((fail + 1)) ;;
	esac
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
