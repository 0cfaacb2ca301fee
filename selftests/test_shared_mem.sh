#!/bin/sh
# Memory of every kind at a remote (shared_mem.c; kernel/popcorn/shared.c):
# MAP_SHARED anonymous memory, memfd and SysV shm coherent between node 0
# and node 1, msync/munmap/shmdt at node 1 bringing the data home, a region
# shared with another process refused at node 1, a stack that grows there.
. "$(dirname "$0")/lib.sh"
[ "${PCN_NODES:-2}" -ge 2 ] || skip "needs 2 nodes"
exec "$(dirname "$0")/shared_mem"
