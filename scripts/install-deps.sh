#!/bin/bash
# Install the Debian 12 packages the build, the vcluster and the tests need.
# Only missing packages are installed; nothing happens when all are there.
set -euo pipefail

pkgs=(
	linux-source-6.1 build-essential flex bison bc libelf-dev libssl-dev
	cpio kmod rsync pkg-config
	qemu-system-x86 busybox-static
	rdma-core ibverbs-utils ibverbs-providers perftest iproute2 sockperf
	libmnl-dev librdmacm-dev libibverbs-dev
	libncurses-dev gnuplot-nox linux-perf jq python3 util-linux
	pigz xz-utils
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "[deps] installing: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "[deps] not root: run as root, or install these yourself" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
