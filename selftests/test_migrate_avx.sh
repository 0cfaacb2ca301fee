#!/bin/sh
# The migration tests on a CPU with XSAVE and AVX: the FPU state then
# travels as an XSAVE image and the ymm upper halves must survive.
# make check runs this in its own boot with QEMU's "max" CPU; the default
# guest CPU (qemu64) has no AVX, and there it is skipped.
. "$(dirname "$0")/lib.sh"
grep -qw avx /proc/cpuinfo || skip "this CPU has no AVX"
grep -qw xsave /proc/cpuinfo || skip "this CPU has no XSAVE"
exec "$(dirname "$0")/migrate"
