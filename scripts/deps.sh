#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Installs the Debian packages that building and testing tcpstate need.
# Idempotent: installs only what is missing. Run as root on Debian 12.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

# Build: clang for BPF, bpftool for vmlinux.h and the skeleton, libbpf.
# Run and test: iproute2 (ip, ss), nftables, jq, procps, bcc's tools
# (the peers the benchmarks measure against).
pkgs=(
	make gcc clang llvm pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev
	iproute2 nftables jq procps util-linux kmod
)
# Packages the selftests and the VM harness add, one per line.
for f in "$here/selftests/packages.txt" "$here/selftests/vm/packages.txt"; do
	[ -f "$f" ] || continue
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		pkgs+=("$p")
	done < "$f"
done

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
