#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# check-unit.sh OUTPUT - dist/tcpstated.service as systemd would load it,
# where PID 1 is not systemd: `systemd-analyze verify` (ExecStart pointed
# at the binary just built, Documentation= at the man pages just built)
# and `systemd-analyze security --offline=yes`, whose exposure must stay
# at or below MAX_EXPOSURE (Documentation/daemon.rst records it).
set -euo pipefail

out=$(cd "${1:?usage: check-unit.sh OUTPUT}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
max=${MAX_EXPOSURE:-4.0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v systemd-analyze >/dev/null || { echo "check-unit: no systemd-analyze" >&2; exit 1; }
mkdir -p "$out/man-tree/man5" "$out/man-tree/man8"
cp "$out"/man/*.5 "$out/man-tree/man5/"
cp "$out"/man/*.8 "$out/man-tree/man8/"
sed "s|@SBINDIR@|$out|g" "$here/dist/tcpstated.service.in" >"$tmp/tcpstated.service"

echo "check-unit: systemd-analyze verify tcpstated.service"
MANPATH="$out/man-tree" systemd-analyze verify "$tmp/tcpstated.service"
echo "check-unit: systemd-analyze security --offline=yes tcpstated.service"
systemd-analyze security --offline=yes "$tmp/tcpstated.service" >"$tmp/security.txt" 2>&1 || true
score=$(sed -n 's/.*Overall exposure level for tcpstated.service: \([0-9.]*\).*/\1/p' "$tmp/security.txt")
[ -n "$score" ] || { cat "$tmp/security.txt"; echo "check-unit: no score" >&2; exit 1; }
echo "check-unit: exposure $score (at most $max allowed)"
awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }' || {
	grep '✗' "$tmp/security.txt"
	echo "check-unit: the unit's exposure $score is above $max" >&2
	exit 1
}
