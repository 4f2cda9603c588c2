#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# daemon.sh - tcpstated in a test namespace: --once writes the textfile
# within one interval; the loop rewrites it every interval; SIGHUP with a
# bad file is logged and keeps the running configuration, with a good one
# applies it; a read-only directory is logged once and counted, writing
# resumes when it is writable again; the collector unloaded and loaded
# again under the daemon is logged as a gap and writing goes on; the
# namespaces are listed again only when they may have changed, and a
# namespace named meanwhile is exported at once; sd_notify messages
# (READY, RELOADING, WATCHDOG, STOPPING) reach NOTIFY_SOCKET; SIGTERM
# exits 0 and leaves the collector pinned.
TEST_NAME=daemon
. "$(dirname "$0")/lib.sh"

TCPSTATED=${TCPSTATED:-$(dirname "$TCPSTATE")/tcpstated}
assert_prereqs
# python3 listens on NOTIFY_SOCKET; without it the sd_notify cases skip.
have_py=; command -v python3 >/dev/null && have_py=1
[ -x "$TCPSTATED" ] || ktap_skip_all "no tcpstated at $TCPSTATED (run make)"
ktap_print_header
ktap_set_plan 18
collector_load || ktap_skip_all "cannot load the collector"
setup_ns ns || ktap_skip_all "cannot create a network namespace"

T=$LIB_TMPDIR
D1=$T/prom1 D2=$T/prom2
RO=$(mktemp -d /tmp/tcpstate-daemon-ro.XXXXXX)
mkdir -p "$D1" "$D2"
PROM=tcpstate.prom
log=$T/daemon.log
notify=$T/notify.log
DPID=
test_cleanup() {
	[ -n "$DPID" ] && kill -KILL "$DPID" 2>/dev/null
	mountpoint -q "$RO" && umount "$RO"
	rmdir "$RO"
	return 0
}

metric() { awk -v m="$1" '$1 == m { print $2 }' "$2" 2>/dev/null; }
file_id() { stat -c '%i' "$1" 2>/dev/null; }
# rewritten FILE ID: the file was replaced since ID (rename gives a new inode).
rewritten() { local i; i=$(file_id "$1"); [ -n "$i" ] && [ "$i" != "$2" ]; }
in_log() { grep -q -- "$1" "$log"; }
# The daemon in ns with nsenter, not ip netns exec: that gives it a mount
# namespace of its own, where /run/netns names added later would not
# appear (and pruning would take their namespaces for dead).
# An array, not a function: "${TCPSTATED_NS[@]}" & gives the daemon's
# own pid in $! (nsenter execs it).
# shellcheck disable=SC2207
TCPSTATED_NS=(nsenter --net="/run/netns/$ns" "$TCPSTATED" $(tcpstate_src))

# A listener, so that the namespace has statistics to export.
hold_start "$ns" 60
hold listen L 7500 || ktap_skip_all "cannot listen in the test namespace"

# 1. --once: one write, in less than an interval, exit 0.
start=$(date +%s%N)
"${TCPSTATED_NS[@]}" --once --interval 5 --config /dev/null \
	--textfile-dir "$D1" 2>"$T/once.log"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
ktap_print_msg "--once: exit $rc in $ms ms"
inum=$(ip netns exec "$ns" stat -L -c %i /proc/self/ns/net)
ktap_test_result "--once writes the textfile within one interval and exits 0" \
	eval '[ "$rc" -eq 0 ] && [ "$ms" -lt 5000 ] &&
	      grep -q "^tcpstate_sockets{netns=\"$inum\"" "$D1/$PROM" &&
	      [ "$(metric tcpstate_daemon_source_up "$D1/$PROM")" = 1 ]'
if command -v promtool >/dev/null; then
	ktap_test_result "promtool check metrics is clean on the daemon's file" \
		eval 'promtool check metrics <"$D1/$PROM" >"$T/promtool.out" 2>&1' ||
		ktap_print_msg "$(head -20 "$T/promtool.out")"
else
	ktap_test_skip "promtool check metrics (no promtool)"
fi
ktap_test_result "--once logs with sd-daemon prefixes" \
	eval 'grep -q "^<[3-7]>" "$T/once.log" && ! grep -qv "^<[3-7]>" "$T/once.log"'

# The loop, with a config file and a notify socket.
cat >"$T/tcpstated.conf" <<EOT
# test configuration
textfile_dir = $D1
interval = 1
prune_every = 2
EOT
if [ -n "$have_py" ]; then
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " ") + "\n")
' "$T/notify.sock" "$notify" >/dev/null 2>&1 &
	LIB_CHILDREN+=($!)
fi
[ -n "$have_py" ] && wait_until 5 test -S "$T/notify.sock"
# notified MSG: MSG reached the notify socket (true without python3: skipped).
notified() { [ -z "$have_py" ] || grep -q "$1" "$notify"; }
rm -f "$D1/$PROM"
mount -t tmpfs -o size=64m tmpfs "$RO"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=10000000 \
	"${TCPSTATED_NS[@]}" --config "$T/tcpstated.conf" >/dev/null 2>"$log" &
DPID=$!

# 2. The loop writes within one interval, then every interval.
wait_until 2 test -s "$D1/$PROM"
id=$(file_id "$D1/$PROM")
ktap_test_result "the loop writes the textfile within one interval" test -n "$id"
ktap_test_result "and rewrites it the next interval" wait_until 3 rewritten "$D1/$PROM" "$id"
if [ -n "$have_py" ]; then
	ktap_test_result "READY=1 and WATCHDOG=1 are sent" \
		wait_until 3 eval 'notified READY=1 && notified WATCHDOG=1'
else
	ktap_test_skip "READY=1 and WATCHDOG=1 are sent (no python3 for the socket)"
fi

# 3. SIGHUP with a bad file: logged with file:line, the old config stays.
cat >"$T/tcpstated.conf" <<EOT
textfile_dir = $D2
interval = 0
EOT
kill -HUP "$DPID"
ktap_test_result "SIGHUP with a bad file logs file:line and what is wrong" \
	wait_until 3 in_log "reload refused.*tcpstated.conf:2: interval: 0 is out of range"
id=$(file_id "$D1/$PROM")
wait_until 3 rewritten "$D1/$PROM" "$id"
ktap_test_result "and keeps the running configuration (textfile_dir, interval)" \
	eval '[ ! -e "$D2/$PROM" ] && rewritten "$D1/$PROM" "$id" &&
	      [ "$(metric tcpstate_daemon_interval_seconds "$D1/$PROM")" = 1 ] &&
	      [ "$(metric tcpstate_daemon_config_reload_errors_total "$D1/$PROM")" = 1 ] &&
	      notified RELOADING=1'

# 4. A good file moves the textfile to a directory made read-only: the
# error is logged once, counted, and writing resumes when it is writable.
mount -o remount,ro "$RO"
printf 'textfile_dir = %s\ninterval = 1\n' "$RO" >"$T/tcpstated.conf"
kill -HUP "$DPID"
wait_until 3 in_log "cannot write $RO/$PROM"
sleep 2.2
ktap_test_result "a read-only directory is logged once over several intervals" \
	test "$(grep -c "cannot write $RO/$PROM" "$log")" = 1
mount -o remount,rw "$RO"
ktap_test_result "writing resumes when the directory is writable, errors counted" \
	wait_until 3 eval 'test -s "$RO/$PROM" && in_log "writing $RO/$PROM again" &&
	      [ "$(metric tcpstate_daemon_textfile_write_errors_total "$RO/$PROM")" -ge 2 ]'
printf 'textfile_dir = %s\ninterval = 1\n' "$D2" >"$T/tcpstated.conf"
kill -HUP "$DPID"
ktap_test_result "SIGHUP with a good file applies it (new textfile_dir)" \
	wait_until 3 test -s "$D2/$PROM"

# 5. The collector unloaded, then loaded again, under the daemon (BPF:
# tcpstate unload/load; module: rmmod/insmod of TCPSTATE_MODULE).
if [ "$TCPSTATE_SOURCE" = module ] && [ -z "$TCPSTATE_MODULE" ]; then
	ktap_test_skip "collector reloaded under the daemon (module not managed here)"
	ktap_test_skip "and the textfile is written again"
else
	collector_unload >/dev/null 2>&1
	wait_until 3 in_log "lost ("
	collector_load >/dev/null 2>&1
	ktap_test_result "the collector's gap is logged and the daemon reconnects" \
		wait_until 35 eval 'in_log "lost (" && in_log "back after a gap"'
	id=$(file_id "$D2/$PROM")
	ktap_test_result "and the textfile is written again, the gap counted" \
		wait_until 3 eval 'rewritten "$D2/$PROM" "$id" &&
		      [ "$(metric tcpstate_daemon_source_up "$D2/$PROM")" = 1 ] &&
		      [ "$(metric tcpstate_daemon_source_gaps_total "$D2/$PROM")" -ge 1 ]'
fi
# BPF: unloaded and loaded back to back, between two reads: the old
# collector's maps stay readable through the daemon's fds, so only the
# identity check (its program no longer attached) can see it.
if [ "$TCPSTATE_SOURCE" = module ]; then
	ktap_test_skip "a back-to-back reload is seen (BPF only)"
else
	collector_reload >/dev/null 2>&1
	ktap_test_result "a back-to-back reload is seen and reconnected" \
		wait_until 3 eval '[ "$(grep -c "back after a gap" "$log")" -ge 2 ]'
fi

# 6. The namespaces are listed again only when something may have
# changed (user/netns_table.h): not every interval in a quiet minute,
# but at once when one is named (ip netns add changes /run/netns).
L0=$(metric tcpstate_daemon_netns_listings_total "$D2/$PROM")
sleep 5.5
L1=$(metric tcpstate_daemon_netns_listings_total "$D2/$PROM")
ktap_print_msg "namespace listings over 5 quiet intervals: $L0 -> $L1"
ktap_test_result "the namespaces are not listed every interval (at most every 10 s)" \
	eval '[ -n "$L0" ] && [ -n "$L1" ] && [ $((L1 - L0)) -le 1 ]'
setup_ns ns2 || ktap_skip_all "cannot create a network namespace"
ip netns exec "$ns2" "$TCPCHURN" -p 7600 -c 1 -a 1 -d 1 >/dev/null 2>&1
inum2=$(ip netns exec "$ns2" stat -L -c %i /proc/self/ns/net)
ktap_test_result "a namespace named meanwhile is exported within two intervals" \
	wait_until 3 grep -q "^tcpstate_sockets{netns=\"$inum2\"" "$D2/$PROM"

# 7. SIGTERM: exit 0, STOPPING=1, the collector stays.
kill -TERM "$DPID"
wait "$DPID"
rc=$?
DPID=
ktap_test_result "SIGTERM exits 0 and sends STOPPING=1" \
	eval '[ "$rc" -eq 0 ] && wait_until 2 notified STOPPING=1'
if [ "$TCPSTATE_SOURCE" = module ]; then
	ktap_test_result "the module stays loaded" module_loaded
else
	ktap_test_result "the BPF collector stays pinned" test -e /sys/fs/bpf/tcpstate/link_set_state
fi
umount "$RO"
ktap_print_msg "daemon log:"
ktap_print_msg "$(cat "$log")"
ktap_finished
