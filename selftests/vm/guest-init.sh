#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-init.sh - /init of the test initramfs (see run.sh). Runs the suite
# named in /etc/tcpstate-suite, prints TAP on the console, then the kernel
# log's warnings, then TCPSTATE-VM-DONE, and powers off.
export PATH=/usr/bin:/usr/sbin:/bin:/sbin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# bash's process substitution uses /dev/fd.
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mkdir -p /run/netns
# Booted with maxcpus=1 (see run.sh): bring the other CPUs up now.
for c in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ "$(cat "$c")" = 1 ] || echo 1 >"$c" || echo "# cannot online ${c%/online}"
done
# A lockup shows every CPU's backtrace, not only the stuck one's.
echo 1 >/proc/sys/kernel/softlockup_all_cpu_backtrace
ip link set lo up
# The kernel runs kmod's modprobe to autoload (nft needs that).
echo /usr/bin/modprobe >/proc/sys/kernel/modprobe
for m in $(cat /etc/tcpstate-kmods); do
	modprobe "$m" || echo "# modprobe $m failed"
done
export TCPSTATE_VM=1 TMPDIR=/tmp
# The guest's CPU is tens of times slower than the host's: a burst of 16
# namespaces, not 32, keeps the two suites within the boot's time.
export BURST_NETNS=16
suite=$(cat /etc/tcpstate-suite)
cd /opt/tcpstate || exit 1
echo "TCPSTATE-VM-START $(uname -r) suite=$suite cpus=$(cat /sys/devices/system/cpu/online)"

run_module_suite() {
	local tests
	tests=$(cd selftests && ls module/[0-9]*.sh 2>/dev/null)
	# shellcheck disable=SC2086
	[ -n "$tests" ] && TCPSTATE_MODULE=/tcpstate.ko OUTPUT=/opt/tcpstate/.output/selftests \
		selftests/run_tests.sh $tests
	rmmod tcpstate 2>/dev/null
}

run_project_suite() {	# run_project_suite SOURCE
	local tests
	[ -x .output/tcpstate ] || { echo "# no .output/tcpstate: project suite not run"; return; }
	# The collector's tests (COLLECTOR_TESTS), not those of user space on
	# top (export, daemon, install: tested on the host, with the tools the
	# guest has not).
	tests=$(sed -n 's/^COLLECTOR_TESTS := //p' selftests/Makefile 2>/dev/null |
		tr ' ' '\n' | grep '\.sh$')
	echo "# project suite, --source $1: $(echo $tests)"
	# shellcheck disable=SC2086
	TCPSTATE_SOURCE=$1 TCPSTATE_MODULE=/tcpstate.ko OUTPUT=/opt/tcpstate/.output/selftests \
		selftests/run_tests.sh $tests
}

case "$suite" in
script)
	bash /etc/tcpstate-script
	;;
smoke)
	if insmod /tcpstate.ko && cat /proc/net/tcpstate && rmmod tcpstate; then
		echo "ok 1 smoke"
	else
		echo "not ok 1 smoke"
	fi
	;;
module)
	run_module_suite
	;;
all)
	run_module_suite
	run_project_suite module
	rmmod tcpstate 2>/dev/null
	run_project_suite bpf
	;;
esac

echo "# dmesg warnings:"
dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|tcpstate' | sed 's/^/# /' | head -50
# Each warning with the 40 lines after it (registers, backtrace).
dmesg | grep -A40 -E 'WARNING:|BUG:|Oops|general protection' | sed 's/^/# /' | head -200
dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection' | head -5
echo "TCPSTATE-VM-DONE"
sync
poweroff -f
