#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_tests.sh PROG... - run the unit test programs and print TAP 13 as
# the kernel's kselftest/runner.sh does: one result per program, the
# program's own TAP indented as "# " lines. Ends with "N passed, N failed"
# counting test cases over all programs (a program that crashes or prints
# fewer results than its plan counts the missing ones as failed); exits 1
# when any failed.

pass=0 fail=0 skip=0 n=0
out=$(mktemp "${TMPDIR:-/tmp}/tcpstate-unit.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT

echo "TAP version 13"
echo "1..$#"
for prog in "$@"; do
	n=$((n + 1))
	name="selftests: tcpstate-unit: $(basename "$prog")"
	echo "# $name"
	# In a subshell, so that its report of a crash goes to $out too.
	(timeout -k 5 60 "$prog"; exit $?) >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out" | head -n1)
	p=$(grep -Ec '^ok [0-9]+ ' "$out")
	s=$(grep -Ec '^ok [0-9]+ .*# SKIP' "$out")
	f=$(grep -Ec '^not ok [0-9]+ ' "$out")
	p=$((p - s))
	missing=$(( ${plan:-1} - p - s - f ))
	[ "$missing" -gt 0 ] && f=$((f + missing))
	[ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [ "$rc" -eq 124 ]; then
		echo "not ok $n $name # TIMEOUT 60 seconds"
	elif [ "$f" -gt 0 ]; then
		echo "not ok $n $name # exit=$rc"
	elif [ "$rc" -eq 4 ]; then
		echo "ok $n $name # SKIP"
	else
		echo "ok $n $name"
	fi
done
[ "$skip" -gt 0 ] && echo "# $skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
