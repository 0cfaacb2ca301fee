/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libpopcorn internals shared by migrate.S and popcorn.c: the offsets of
 * struct regset_x86_64 (checked against the C layout in popcorn.c).
 */
#ifndef _LIBPOPCORN_INTERNAL_H
#define _LIBPOPCORN_INTERNAL_H

#define RS_RIP		0
#define RS_RAX		8
#define RS_RDX		16
#define RS_RCX		24
#define RS_RBX		32
#define RS_RSI		40
#define RS_RDI		48
#define RS_RBP		56
#define RS_RSP		64
#define RS_R8		72
#define RS_R9		80
#define RS_R10		88
#define RS_R11		96
#define RS_R12		104
#define RS_R13		112
#define RS_R14		120
#define RS_R15		128
#define RS_CS		592
#define RS_SS		596
#define RS_DS		600
#define RS_ES		604
#define RS_FS		608
#define RS_GS		612
#define RS_RFLAGS	616
#define RS_SIZE		624	/* POPCORN_REGSET_SIZE, a multiple of 16 */

#ifndef __ASSEMBLER__
/* migrate.S, failure path: errno = @err, returns -1. */
int __popcorn_set_errno(int err) __attribute__((visibility("hidden")));
#endif

#endif /* _LIBPOPCORN_INTERNAL_H */
