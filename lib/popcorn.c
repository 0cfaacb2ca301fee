// SPDX-License-Identifier: LGPL-2.1
/*
 * libpopcorn: the system call wrappers (popcorn_migrate() is in migrate.S).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "popcorn.h"
#include "internal.h"

/* migrate.S builds the regset with these offsets. */
#define RS_CHECK(field, off) \
	_Static_assert(offsetof(struct regset_x86_64, field) == (off), \
		       "struct regset_x86_64: " #field " moved")
RS_CHECK(rip, RS_RIP);
RS_CHECK(rax, RS_RAX);
RS_CHECK(rdx, RS_RDX);
RS_CHECK(rcx, RS_RCX);
RS_CHECK(rbx, RS_RBX);
RS_CHECK(rsi, RS_RSI);
RS_CHECK(rdi, RS_RDI);
RS_CHECK(rbp, RS_RBP);
RS_CHECK(rsp, RS_RSP);
RS_CHECK(r8, RS_R8);
RS_CHECK(r9, RS_R9);
RS_CHECK(r10, RS_R10);
RS_CHECK(r11, RS_R11);
RS_CHECK(r12, RS_R12);
RS_CHECK(r13, RS_R13);
RS_CHECK(r14, RS_R14);
RS_CHECK(r15, RS_R15);
RS_CHECK(cs, RS_CS);
RS_CHECK(ss, RS_SS);
RS_CHECK(ds, RS_DS);
RS_CHECK(es, RS_ES);
RS_CHECK(fs, RS_FS);
RS_CHECK(gs, RS_GS);
RS_CHECK(rflags, RS_RFLAGS);
_Static_assert(sizeof(struct regset_x86_64) == POPCORN_REGSET_SIZE,
	       "struct regset_x86_64: wrong size");
_Static_assert(sizeof(struct regset_x86_64) == RS_SIZE,
	       "migrate.S: wrong regset size");
_Static_assert(sizeof(struct regset_x86_64) % 16 == 0,
	       "migrate.S: the regset must keep the stack 16-byte aligned");

int __popcorn_set_errno(int err)
{
	errno = err;
	return -1;
}

int popcorn_migrate_with(int nid, const void *addr, size_t len, int write)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(page - 1);
	int saved;

	if (popcorn_migrate(nid))
		return -1;
	if (len) {
		saved = errno;
		madvise((void *)start, (uintptr_t)addr + len - start,
			write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
		errno = saved;
	}
	return 0;
}

int popcorn_get_thread_status(struct popcorn_thread_status *st)
{
	return syscall(__NR_popcorn_get_thread_status, st) ? -1 : 0;
}

int popcorn_getnid(void)
{
	struct popcorn_thread_status st;

	if (popcorn_get_thread_status(&st))
		return -1;
	return st.current_nid;
}

int popcorn_get_node_info(int *my_nid,
			  struct popcorn_node_info nodes[POPCORN_MAX_NODES])
{
	return syscall(__NR_popcorn_get_node_info, my_nid, nodes) ? -1 : 0;
}

int popcorn_propose_migration(pid_t tid, int nid)
{
	return syscall(__NR_popcorn_propose_migration, tid, nid) ? -1 : 0;
}

int popcorn_check_migrate(void)
{
	struct popcorn_thread_status st;

	if (popcorn_get_thread_status(&st))
		return -1;
	if (st.proposed_nid == POPCORN_NID_NONE)
		return 0;
	return popcorn_migrate(POPCORN_NID_PROPOSED) ? -1 : 1;
}
