#!/bin/sh
# Malformed connection requests on the RDMA transport (rdma_bad_connect.c).
. "$(dirname "$0")/lib.sh"
[ "$PCN_TRANSPORT" = rdma ] || skip "RDMA transport only"
exec "$(dirname "$0")/rdma_bad_connect"
