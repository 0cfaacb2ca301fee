#!/bin/bash
# Build the Popcorn kernel from Debian's linux-source-6.1.
#
#   scripts/build-kernel.sh [vcluster|debug|source]
#
# "source" only prepares the tree (unpack, patches, sync): what the
# selftests need to build against the kernel's kselftest harness.
# The source tree is unpacked once under build/linux. Each run copies this
# repository's subsystem folders in with rsync (mtimes preserved, so only
# changed files rebuild), brings patches/ up to date (reverse-applies the
# previously applied set when it changed), and builds out of tree in
# build/obj-FLAVOR so the vcluster and debug kernels do not clobber each other.
set -euo pipefail

flavor=${1:-vcluster}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
src=$build/linux
obj=$build/obj-$flavor
tarball=/usr/src/linux-source-6.1.tar.xz
jobs=$(nproc)

log() { printf '[build-kernel] %s\n' "$*"; }

if [ ! -f "$src/.unpacked" ]; then
	[ -f "$tarball" ] || { echo "missing $tarball: run 'make deps' (apt-get install linux-source-6.1)" >&2; exit 1; }
	log "unpacking $tarball"
	rm -rf "$src" "$build/linux-source-6.1" "$build/patches-applied"
	mkdir -p "$build"
	tar -C "$build" -xJf "$tarball"
	mv "$build/linux-source-6.1" "$src"
	touch "$src/.unpacked"
fi

# Patches: keep build/patches-applied identical to patches/. A file whose
# content ends up as it was keeps its mtime, so changing one patch does not
# rebuild everything that includes a header another patch touches.
applied=$build/patches-applied
mkdir -p "$applied"
patched_files() {	# the files the given patches touch
	sed -n 's|^+++ b/\([^	 ]*\).*|\1|p' "$@" 2>/dev/null | sort -u
}
if ! diff -rq "$top/patches" "$applied" >/dev/null 2>&1; then
	keep=$(mktemp -d)
	for f in $(patched_files "$applied"/*.patch "$top"/patches/*.patch); do
		[ -f "$src/$f" ] || continue
		mkdir -p "$keep/$(dirname "$f")"
		cp -p "$src/$f" "$keep/$f"
	done
	for p in $(ls -r "$applied"/*.patch 2>/dev/null); do
		log "reverting $(basename "$p")"
		patch -d "$src" -p1 -R -s --no-backup-if-mismatch < "$p"
		rm "$p"
	done
	for p in "$top"/patches/*.patch; do
		log "applying $(basename "$p")"
		patch -d "$src" -p1 -s -N --no-backup-if-mismatch < "$p"
		cp -p "$p" "$applied/"
	done
	# "if", not "&&": the loop's status is its last command's, and a
	# changed last file must not fail the pipeline under set -e.
	(cd "$keep" && find . -type f) | while read -r f; do
		if cmp -s "$keep/$f" "$src/$f"; then
			touch -r "$keep/$f" "$src/$f"
		fi
	done
	rm -rf "$keep"
fi

# Subsystem folders. rsync compares size and mtime and preserves mtimes.
sync_dir() {
	mkdir -p "$src/$1"
	rsync -a --delete "$top/$1/" "$src/$1/"
}
sync_dir kernel/popcorn
sync_dir include/popcorn
sync_dir include/uapi/popcorn
for d in "$top"/drivers/pcn_*; do
	sync_dir "drivers/$(basename "$d")"
done
rsync -a "$top/Kconfig" "$src/Kconfig.popcorn"
[ "$flavor" = source ] && exit 0

# Config: x86_64_defconfig + fragments, regenerated when a fragment changes.
frags=("$top/configs/vcluster.config")
[ "$flavor" = vcluster ] || frags+=("$top/configs/$flavor.config")
for f in "${frags[@]}"; do [ -f "$f" ] || { echo "no fragment $f" >&2; exit 1; }; done
mkdir -p "$obj"
stamp=$obj/.config-stamp
if [ ! -f "$obj/.config" ] || [ ! -f "$stamp" ] || [ -n "$(find "${frags[@]}" "$top/Kconfig" -newer "$stamp")" ]; then
	log "configuring $flavor"
	make -s -C "$src" O="$obj" x86_64_defconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${frags[@]}" >/dev/null
	make -s -C "$src" O="$obj" olddefconfig >/dev/null
	# Every option a fragment asks for must have survived olddefconfig.
	bad=0
	for f in "${frags[@]}"; do
		while IFS= read -r line; do
			case "$line" in
			CONFIG_*=*) grep -qxF "$line" "$obj/.config" || { echo "config: wanted $line, got: $(grep "^${line%%=*}=" "$obj/.config" || echo unset)" >&2; bad=1; } ;;
			"# CONFIG_"*" is not set") o=${line#\# }; o=${o%% *}; grep -q "^$o=[ym]" "$obj/.config" && { echo "config: wanted $o unset" >&2; bad=1; } ;;
			esac
		done < "$f"
	done
	[ $bad = 0 ] || { echo "config fragment not satisfied" >&2; exit 1; }
	touch "$stamp"
fi

log "building $flavor kernel ($jobs jobs)"
make -s -C "$src" O="$obj" -j"$jobs" bzImage vmlinux modules
log "done: $obj/vmlinux"
