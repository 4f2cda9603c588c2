#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - build tcpstate.ko for a Debian kernel, boot that kernel in QEMU
# with an initramfs holding the module, the project's binaries and the
# selftests, run the tests inside and judge the TAP they print on the
# serial console.
#
# Usage: run.sh [-s SUITE] 6.1|6.12 ...
#   SUITE: all (default), module (selftests/module only), smoke (load the
#   module and print /proc/net/tcpstate), or a path to a bash script that
#   the guest runs instead (for investigations; it prints its own TAP).
# Environment: TCPSTATE_VM_CACHE (default /var/cache/tcpstate-vm),
#   TCPSTATE_VM_OUT (default .output/vm), TCPSTATE_VM_TIMEOUT (seconds
#   per boot, default 3600: both guests at once on 2 cores ran 25 minutes and were not done), TCPSTATE_VM_MEM (default 512M),
#   TCPSTATE_VM_SMP (default 2), TCPSTATE_VM_LOGLEVEL (default 4),
#   TCPSTATE_VM_QEMU_EXTRA and TCPSTATE_VM_APPEND (more QEMU arguments,
#   more kernel parameters), TCPSTATE_VM_ICOUNT=0 (plain TCG, see below;
#   then TCPSTATE_VM_TCG_THREAD=multi runs one host thread per vCPU),
#   TCPSTATE_VM_PARALLEL (1: boot every kernel's guest at once, the
#   default on a host with 2 or more cores; 0: one after the other; the
#   results are judged in the order given either way).
#
# QEMU runs TCG with -icount shift=0,sleep=off: the guest's clock counts
# one nanosecond per instruction and skips its idle time. Under plain TCG
# the guest's clock is the host's while its CPU is 20-50 times slower, so
# a few hundred instructions can take tens of microseconds and a process
# start a tenth of a second: tests that time states (a 0.7 s hold must
# land in the [0.5 s, 1 s) bucket) and collectors that pair events by
# time saw a machine no real one resembles. With icount the guest sees a
# 1 GHz CPU, and the 60 s TIME_WAIT waits cost no wall time. icount needs
# single-threaded TCG, and Debian's 6.1 does not bring its second CPU up
# at boot under it (the boot CPU spins in do_boot_cpu() and the other
# vCPU never runs again), so the guest boots with maxcpus=1 and its /init
# brings the other CPUs online, which works.
#
# The vCPU has no CMPXCHG16B (-cpu qemu64,-cx16, TCPSTATE_VM_CPU): with it,
# the 6.12 guest twice took a kernel #DB (WARNING in exc_debug_kernel)
# then an oops during 40_cycles.sh, the interrupted context's saved
# EFLAGS 0x07841742 (TF and DF set, and reserved bits 22-26, which no x86
# CPU can hold) right after SLUB's this_cpu_cmpxchg16b in
# kmem_cache_alloc_node: QEMU 7.2's TCG flag state, not the guest.
# Without it SLUB uses its fallback and 4 x 50 cycles ran clean.
# A run fails on a missing result line, a "not ok", a panic, an oops, a
# WARN or BUG in the guest's kernel log, or a timeout. Exit 0 when every
# kernel passed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${TCPSTATE_VM_CACHE:-/var/cache/tcpstate-vm}
TIMEOUT=${TCPSTATE_VM_TIMEOUT:-3600}
MEM=${TCPSTATE_VM_MEM:-512M}
SMP=${TCPSTATE_VM_SMP:-2}
OUT=${TCPSTATE_VM_OUT:-$REPO/.output/vm}
QEMU_EXTRA=${TCPSTATE_VM_QEMU_EXTRA:-}
APPEND=${TCPSTATE_VM_APPEND:-}
ICOUNT="-icount shift=0,sleep=off"
# No CMPXCHG16B: see the comment at the top.
CPU=${TCPSTATE_VM_CPU:-qemu64,-cx16}
TCG_THREAD=single
if [ "${TCPSTATE_VM_ICOUNT:-1}" = 0 ]; then
	ICOUNT=
	TCG_THREAD=${TCPSTATE_VM_TCG_THREAD:-single}
fi
suite=all
# One single-threaded TCG guest per kernel, all at once when the host has
# a core for each (TCPSTATE_VM_PARALLEL=0: one after the other). icount
# makes what a guest sees independent of how busy the host is.
if [ -z "${TCPSTATE_VM_PARALLEL:-}" ]; then
	TCPSTATE_VM_PARALLEL=0
	[ "$(nproc)" -ge 2 ] && TCPSTATE_VM_PARALLEL=1
fi
PARALLEL=$TCPSTATE_VM_PARALLEL

while getopts "s:" o; do
	case "$o" in
	s) suite=$OPTARG ;;
	*) echo "usage: run.sh [-s all|module|smoke] 6.1|6.12 ..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 6.1 6.12

# Host binaries copied into the guest with their shared libraries. GNU
# tools go to /usr/bin ahead of busybox's applets in PATH (lib.sh needs
# GNU timeout --foreground and date +%N).
HOST_BINS="bash ss ip nft jq timeout date sed grep sort mktemp seq awk modprobe
	   cmp diff wc tr cut head tail cat sleep env stat tee xargs bpftool tc join
	   mount umount ls rm mkdir nice"

copy_elf() {	# copy_elf ROOT FILE [DEST]
	local root=$1 f=$2 dest=${3:-$2} lib
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$f" "$root$dest"
	ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# Kernel modules of the image the tests may need (nftables and its
# expressions, conntrack, the htb qdisc, veth, and what they depend on)
# go into /lib/modules/ABI with a fresh modules.dep, so that kmod's
# modprobe, which the kernel runs to autoload (nft asks for nft_chain_*,
# nft_meta, ...), finds them.
GUEST_KMOD_DIRS="net/netfilter net/ipv4/netfilter net/ipv6/netfilter net/sched
	net/ipv4 net/ipv6 lib crypto arch/x86/crypto drivers/net/veth.ko"
guest_kmods() {	# guest_kmods KDIR ROOT ABI
	local kdir=$1 root=$2 abi=$3 d f
	local src=$kdir/modules dst=$root/lib/modules/$abi
	mkdir -p "$dst/kernel"
	for d in $GUEST_KMOD_DIRS; do
		for f in "$src/kernel/$d" "$src/kernel/$d".*; do
			[ -e "$f" ] || continue
			mkdir -p "$dst/kernel/$(dirname "$d")"
			cp -r "$f" "$dst/kernel/$(dirname "$d")/"
		done
	done
	cp "$src"/modules.builtin* "$src"/modules.order "$dst/" 2>/dev/null
	depmod -b "$root" "$abi" || return 1
	echo "nf_tables nft_ct nft_reject_inet nft_chain_nat sch_htb veth" \
		>"$root/etc/tcpstate-kmods"
}

build_module() {	# build_module KDIR SRC: Kbuild, with sparse (C=1)
	local kdir=$1 src=$2
	rm -rf "$src"
	mkdir -p "$src"
	cp -r "$REPO/module" "$REPO/include" "$src/"
	make -s -C "$kdir/build" M="$src/module" C=1 >"$src/build.log" 2>&1 || {
		cat "$src/build.log" >&2
		return 1
	}
	# Debian's 6.12 headers have no vmlinux to generate module BTF from.
	grep -v "Skipping BTF generation" "$src/build.log" | grep -iE "warning|error" >&2 &&
		return 1
	return 0
}

# dkms_module KDIR ABI DIR: add, build and install the tree's dkms.conf
# for the fetched kernel, with every DKMS tree under DIR (nothing goes to
# /usr/src, /var/lib/dkms or /lib/modules). Prints the installed module.
dkms_module() {
	local kdir=$1 abi=$2 dir=$3 ver ko
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$REPO/dkms.conf")
	local trees=(--sourcetree "$dir/src" --dkmstree "$dir/dkms" --installtree "$dir/install")
	rm -rf "$dir"
	mkdir -p "$dir/src/tcpstate-$ver" "$dir/dkms" "$dir/install/$abi"
	cp -r "$REPO/dkms.conf" "$REPO/Kbuild" "$REPO/module" "$REPO/include" "$dir/src/tcpstate-$ver/"
	{
		dkms add -m tcpstate -v "$ver" "${trees[@]}" &&
		dkms build -m tcpstate -v "$ver" -k "$abi" --kernelsourcedir "$kdir/build" "${trees[@]}" &&
		dkms install -m tcpstate -v "$ver" -k "$abi" --kernelsourcedir "$kdir/build" \
			--no-depmod "${trees[@]}"
	} >"$dir/dkms.log" 2>&1 || { cat "$dir/dkms.log" >&2; return 1; }
	ko=$(find "$dir/install/$abi" -name 'tcpstate.ko*' | head -1)
	[ -n "$ko" ] || { echo "dkms installed no tcpstate.ko" >&2; return 1; }
	echo "$ko"
}

# checkpatch: scripts/checkpatch.pl from Debian's linux-source-6.1 tarball,
# extracted once into the cache.
checkpatch() {
	local cp=$CACHE/checkpatch/scripts/checkpatch.pl tarball
	if [ ! -x "$cp" ]; then
		tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1)
		[ -n "$tarball" ] || { echo "no /usr/src/linux-source-*.tar.xz (scripts/deps.sh)" >&2; return 1; }
		mkdir -p "$CACHE/checkpatch"
		tar -xJf "$tarball" -C "$CACHE/checkpatch" --strip-components=1 --wildcards \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch' || return 1
	fi
	local out st
	out=$("$cp" --strict --no-tree --quiet --terse -f "$REPO"/module/*.[ch] 2>&1)
	st=$?
	grep -v '^total: 0 errors, 0 warnings, 0 checks' <<<"$out"
	return $st
}

pack_initramfs() {	# pack_initramfs KDIR ROOT INITRD
	local kdir=$1 root=$2 initrd=$3 b
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,var,etc,selftests/module}
	ln -s ../run "$root/var/run"
	cp /bin/busybox "$root/bin/busybox"
	ln -s /usr/bin/bash "$root/bin/bash"
	ln -s /usr/bin/bash "$root/bin/sh"
	for b in $HOST_BINS; do
		b=$(type -P "$b") || continue
		copy_elf "$root" "$(readlink -f "$b")" "/usr/bin/$(basename "$b")"
	done
	for b in "$REPO/.output/tcpstate" "$REPO/.output/tcpstated" "$REPO"/.output/selftests/*; do
		[ -f "$b" ] && [ -x "$b" ] && copy_elf "$root" "$b" "/opt/tcpstate/.output/${b#"$REPO"/.output/}"
	done
	# The selftests as the repo lays them out, so lib.sh finds .output/.
	mkdir -p "$root/opt/tcpstate/selftests/module"
	cp "$REPO"/selftests/*.sh "$REPO"/selftests/settings "$REPO"/selftests/config \
		"$root/opt/tcpstate/selftests/" 2>/dev/null
	cp "$REPO"/selftests/module/*.sh "$root/opt/tcpstate/selftests/module/" 2>/dev/null
	cp "$REPO"/selftests/Makefile "$root/opt/tcpstate/selftests/" 2>/dev/null
	cp "$src/module/tcpstate.ko" "$root/tcpstate.ko"
	if [ -n "$dkms_ko" ]; then
		mkdir -p "$root/dkms"
		case "$dkms_ko" in
		*.xz) xz -dc "$dkms_ko" >"$root/dkms/tcpstate.ko" ;;
		*.zst) zstd -qdc "$dkms_ko" >"$root/dkms/tcpstate.ko" ;;
		*) cp "$dkms_ko" "$root/dkms/tcpstate.ko" ;;
		esac
	fi
	guest_kmods "$kdir" "$root" "$(cat "$kdir/abi")" || return 1
	# libbpf reads the kernel configuration for __kconfig externs.
	mkdir -p "$root/boot"
	cp "$kdir/root/boot/config-$(cat "$kdir/abi")" "$root/boot/"
	echo "root:x:0:0:root:/root:/bin/bash" >"$root/etc/passwd"
	echo "root:x:0:" >"$root/etc/group"
	cp "$HERE/guest-init.sh" "$root/init"
	chmod +x "$root/init"
	if [ -f "$suite" ]; then
		cp "$suite" "$root/etc/tcpstate-script"
		echo script >"$root/etc/tcpstate-suite"
	else
		echo "$suite" >"$root/etc/tcpstate-suite"
	fi
	(cd "$root" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$initrd"
}

# Totals over every kernel: the guest's test scripts and the host steps
# (checkpatch, build with sparse, dkms) each count once.
PASSED=0 FAILED=0 SKIPPED=0
step() {	# step NAME CMD...: a host step, counted
	local name=$1
	shift
	if "$@"; then
		PASSED=$((PASSED + 1))
		return 0
	fi
	echo "FAIL: $name"
	FAILED=$((FAILED + 1))
	return 1
}

judge() {	# judge LOG NAME
	local log=$1 name=$2 ok=1 pass fail skip names
	tr -d '\r' <"$log" >"$log.txt"
	pass=$(grep -c '^ok ' "$log.txt")
	fail=$(grep -c '^not ok ' "$log.txt")
	skip=$(grep -c '^ok .*# SKIP' "$log.txt")
	# The guest's runners: one "N passed, N failed, N skipped" each.
	names=("module suite" "selftests --source module" "selftests --source bpf")
	grep -E '^[0-9]+ passed, [0-9]+ failed' "$log.txt" | head -3 |
		while read -r line; do
			echo "$name: ${names[0]}: $line"
			names=("${names[@]:1}")
		done
	if ! grep -q '^TCPSTATE-VM-DONE' "$log.txt"; then
		echo "$name: FAIL: the guest did not finish (timeout or crash)"
		ok=0
	fi
	if grep -qE 'Kernel panic|Oops|BUG:|WARNING:|Call Trace|general protection' "$log.txt"; then
		echo "$name: FAIL: kernel trouble in the guest:"
		grep -E 'Kernel panic|Oops|BUG:|WARNING:|Call Trace|general protection' "$log.txt" | head -5
		ok=0
	fi
	if [ "$fail" -gt 0 ]; then
		echo "$name: FAIL: $fail test(s) not ok:"
		grep '^not ok ' "$log.txt" | head -20
		ok=0
	fi
	# A test that could not run is not a pass (TCPSTATE_VM_ALLOW_SKIP=1).
	if [ "$skip" -gt 0 ] && [ "${TCPSTATE_VM_ALLOW_SKIP:-0}" != 1 ]; then
		echo "$name: FAIL: $skip test(s) skipped:"
		grep '^ok .*# SKIP' "$log.txt" | head -20
		ok=0
	fi
	if [ "$pass" -eq 0 ] && [ "$suite" != smoke ]; then
		echo "$name: FAIL: no result line"
		ok=0
	fi
	echo "$name: $pass ok ($skip skipped), $fail not ok; log: $log.txt"
	PASSED=$((PASSED + pass - skip))
	SKIPPED=$((SKIPPED + skip))
	FAILED=$((FAILED + fail))
	[ "$ok" -eq 1 ] && return 0
	# A guest that died or warned counts as one more failure.
	[ "$fail" -gt 0 ] || FAILED=$((FAILED + 1))
	return 1
}

# boot KDIR WORK: run the guest; its exit status and wall-clock seconds
# go to WORK/qemu.rc and WORK/qemu.secs.
boot() {
	local kdir=$1 work=$2 start qrc
	start=$(date +%s)
	timeout "$TIMEOUT" qemu-system-x86_64 -accel "tcg,thread=$TCG_THREAD" \
		$ICOUNT -cpu "$CPU" $QEMU_EXTRA -m "$MEM" -smp "$SMP" \
		-nographic -no-reboot -nic none -kernel "$kdir/vmlinuz" \
		-initrd "$work/initrd.gz" \
		-append "console=ttyS0 panic=-1 loglevel=${TCPSTATE_VM_LOGLEVEL:-4} tsc=reliable maxcpus=1 $APPEND" \
		</dev/null >"$work/console.log" 2>&1
	qrc=$?
	echo "$(( $(date +%s) - start ))" >"$work/qemu.secs"
	echo "$qrc" >"$work/qemu.rc"
}

rc=0
booted=()
if [ "$suite" = all ]; then
	echo "== checkpatch --strict module/"
	step "checkpatch" checkpatch || rc=1
fi
for v in "$@"; do
	kdir=$("$HERE/fetch.sh" "$v") || { step "$v: fetch" false; rc=1; continue; }
	abi=$(cat "$kdir/abi")
	work=$OUT/$v
	src=$work/src
	mkdir -p "$work"
	rm -f "$work/qemu.rc" "$work/qemu.secs"
	echo "== $v ($abi): build"
	step "$v: module build (with sparse)" build_module "$kdir" "$src" || { rc=1; continue; }
	dkms_ko=
	if [ "$suite" != smoke ]; then
		echo "== $v: dkms install"
		dkms_ko=$(dkms_module "$kdir" "$abi" "$work/dkms")
		step "$v: dkms add/build/install" test -n "$dkms_ko" || rc=1
	fi
	echo "== $v: initramfs"
	step "$v: initramfs" pack_initramfs "$kdir" "$work/root" "$work/initrd.gz" || { rc=1; continue; }
	echo "== $v: boot (timeout ${TIMEOUT}s)"
	boot "$kdir" "$work" &
	[ "$PARALLEL" = 1 ] || wait $!
	booted+=("$v $abi")
done
wait
for b in "${booted[@]}"; do
	v=${b% *} abi=${b#* } work=$OUT/$v
	qrc=$(cat "$work/qemu.rc" 2>/dev/null || echo 1)
	echo "== $v: guest ran $(cat "$work/qemu.secs" 2>/dev/null)s (qemu exit $qrc)"
	if [ "$qrc" -eq 124 ]; then
		echo "$v: FAIL: timeout after ${TIMEOUT}s"
		rc=1
	fi
	judge "$work/console.log" "$v ($abi)" || rc=1
done
# The line .ci/run repeats: every kernel's tests and host steps.
echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
exit $rc
