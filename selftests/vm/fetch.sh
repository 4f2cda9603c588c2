#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh - fetch a Debian kernel image and its headers into the VM cache,
# without installing anything on the host and without touching /etc/apt.
#
# Usage: fetch.sh 6.1|6.12
# Prints the kernel directory (with vmlinuz, modules/ and build/) on stdout.
# A second run with the same cache fetches nothing.
set -euo pipefail

CACHE=${TCPSTATE_VM_CACHE:-/var/cache/tcpstate-vm}
flavour=${1:?usage: fetch.sh 6.1|6.12}

case "$flavour" in
6.1)	suite=bookworm ;;
6.12)	suite=bookworm-backports ;;
*)	echo "fetch.sh: unknown kernel '$flavour' (6.1 or 6.12)" >&2; exit 2 ;;
esac

APT="$CACHE/apt"
mkdir -p "$APT/lists/partial" "$APT/archives/partial" "$APT/sources.list.d" "$APT/debs"
cat >"$APT/sources.list" <<EOF
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
deb http://deb.debian.org/debian bookworm-backports main
EOF
aptopts=(-o "Dir::Etc::SourceList=$APT/sources.list"
	 -o "Dir::Etc::SourceParts=$APT/sources.list.d"
	 -o "Dir::State::Lists=$APT/lists"
	 -o "Dir::Cache::Archives=$APT/archives"
	 -o "Dir::Cache::pkgcache=$APT/pkgcache.bin"
	 -o "Dir::Cache::srcpkgcache=$APT/srcpkgcache.bin"
	 -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")

kdir_of() {
	local f
	f=$(ls -d "$CACHE/kernel-$flavour-"* 2>/dev/null | head -1 || true)
	[ -n "$f" ] && [ -f "$f/.done" ] && echo "$f"
}

if d=$(kdir_of); then
	echo "$d"
	exit 0
fi

if ! ls "$APT/lists/"*backports*Packages* >/dev/null 2>&1; then
	apt-get "${aptopts[@]}" update -qq >&2
fi

# linux-image-amd64 from the suite depends on the versioned image package.
meta=$(apt-cache "${aptopts[@]}" show "linux-image-amd64/$suite" 2>/dev/null |
	awk '/^Version:/ {print $2}' | sort -V | tail -1)
image=$(apt-cache "${aptopts[@]}" show "linux-image-amd64=$meta" |
	sed -n 's/^Depends: //p' | head -1 | tr ',' '\n' |
	sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -1)
[ -n "$image" ] || { echo "fetch.sh: no image for $suite" >&2; exit 1; }
abi=${image#linux-image-}		# 6.1.0-37-amd64, 6.12.38+deb12-amd64, ...
hdr="linux-headers-$abi"
common=$(apt-cache "${aptopts[@]}" show "$hdr" | sed -n 's/^Depends: //p' | head -1 |
	tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common[^ ]*\).*/\1/p' | head -1)
kbuild=$(apt-cache "${aptopts[@]}" show "$hdr" | sed -n 's/^Depends: //p' | head -1 |
	tr ',' '\n' | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p' | head -1)
echo "fetch.sh: $flavour: $image $hdr $common $kbuild" >&2

cd "$APT/debs"
for p in "$image" "$hdr" "$common" "$kbuild"; do
	ls "${p}_"*.deb >/dev/null 2>&1 ||
		apt-get "${aptopts[@]}" download -qq "$p/$suite" >&2 ||
		apt-get "${aptopts[@]}" download -qq "$p" >&2
done

out="$CACHE/kernel-$flavour-$abi"
rm -rf "$out"
mkdir -p "$out/root"
for p in "$image" "$hdr" "$common" "$kbuild"; do
	dpkg-deb -x "$(ls "${p}_"*.deb | head -1)" "$out/root"
done
ln -s "root/boot/vmlinuz-$abi" "$out/vmlinuz"
# The headers refer to /usr/src/linux-headers-*-common and
# /usr/lib/linux-kbuild-* by absolute path: re-point them into the cache.
build="$out/root/usr/src/$hdr"
common_dir=$(ls -d "$out/root/usr/src/"linux-headers-*-common* | head -1)
kbuild_dir=$(ls -d "$out/root/usr/lib/linux-kbuild-"* | head -1)
sed -i "s|/usr/src/$(basename "$common_dir")|$common_dir|g" "$build/Makefile"
# Simpler and robust: point scripts/ and tools/ at the kbuild tree.
for d in "$build" "$common_dir"; do
	for s in scripts tools; do
		if [ -L "$d/$s" ]; then
			ln -sfn "$kbuild_dir/$s" "$d/$s"
		fi
	done
done
ln -s "root/usr/src/$hdr" "$out/build"
ln -s "root/lib/modules/$abi" "$out/modules"
# The packages leave modules.dep to depmod at install time.
depmod -b "$out/root" "$abi"
echo "$abi" >"$out/abi"
touch "$out/.done"
echo "$out"
