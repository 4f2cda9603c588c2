#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# deps.sh [run|install|check] - installs the Debian packages that
#   run      building and running tcpstate and tcpstated need (make run)
#   install  and make install (rst2man for the man pages)
#   check    and every test, the VM harness included (make check; the
#            default)
# Idempotent: installs only what is missing. Run as root on Debian 12.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
set_=${1:-check}
case "$set_" in
run|install|check) ;;
*) echo "usage: deps.sh [run|install|check]" >&2; exit 64 ;;
esac

# Build: clang for BPF, bpftool for vmlinux.h and the skeleton, libbpf,
# libsystemd (sd_notify), libmnl (sock_diag netlink), ncurses (tcpstate
# top). Run: iproute2 (ip, ss), procps, util-linux.
pkgs=(
	make gcc clang llvm pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev libsystemd-dev libmnl-dev libncurses-dev
	iproute2 procps util-linux
)
if [ "$set_" != run ]; then
	pkgs+=(python3-docutils)
fi
# Test: nftables, jq, kmod, systemd (systemd-analyze verify/security for
# the unit), python3; then what the selftests and the VM harness add,
# one per line in their packages.txt.
if [ "$set_" = check ]; then
	pkgs+=(nftables jq kmod systemd python3)
	for f in "$here/selftests/packages.txt" "$here/selftests/vm/packages.txt"; do
		[ -f "$f" ] || continue
		while read -r p _; do
			case "$p" in ''|'#'*) continue ;; esac
			pkgs+=("$p")
		done < "$f"
	done
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: these packages are missing and installing needs root: ${missing[*]}" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The collector pins under /sys/fs/bpf; tracepoint fallback needs tracefs.
if [ "$(id -u)" -eq 0 ]; then
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing || true
fi
