#!/bin/sh
# Malformed frames on the TCP transport's port (malformed_frames.c).
[ "${PCN_TRANSPORT:-tcp}" = tcp ] || { echo "TCP transport only"; exit 4; }
exec "$(dirname "$0")/malformed_frames"
