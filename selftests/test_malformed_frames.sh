#!/bin/sh
# Malformed frames on the TCP transport's port (malformed_frames.c).
. "$(dirname "$0")/lib.sh"
[ "${PCN_TRANSPORT:-tcp}" = tcp ] || skip "TCP transport only"
exec "$(dirname "$0")/malformed_frames"
