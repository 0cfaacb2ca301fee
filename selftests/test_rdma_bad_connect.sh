#!/bin/sh
# Malformed connection requests on the RDMA transport (rdma_bad_connect.c).
[ "$PCN_TRANSPORT" = rdma ] || { echo "RDMA transport only"; exit 4; }
exec "$(dirname "$0")/rdma_bad_connect"
