#!/bin/bash
# make demo: a 2-node virtual cluster joins and shows its nodes talking.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/tools/vcluster/vcluster" run --nodes 2 --transport tcp \
	--timeout 600 -- sh -c "$(cat "$top/scripts/demo-guest.sh")"
