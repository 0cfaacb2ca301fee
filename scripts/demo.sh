#!/bin/bash
# make demo: a 2-node virtual cluster joins, shows its nodes talking, then a
# thread of tools/demo/pcn_demo migrates 0 -> 1 -> 0 while working on its
# data. build/demo is shared with both nodes (/mnt/host), so that node 1
# maps the program's text from the same path as node 0. Exits with the
# status of scripts/demo-guest.sh (or vcluster's own: 124, 125, 126).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$top/build/demo/pcn_demo" ] || make -s -C "$top" demo-prog
exec "$top/tools/vcluster/vcluster" run --nodes 2 --transport tcp \
	--share "$top/build/demo" --timeout 600 \
	-- sh -c "$(cat "$top/scripts/demo-guest.sh")"
