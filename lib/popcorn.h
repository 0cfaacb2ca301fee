/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libpopcorn: thread migration for applications.
 *
 * Link statically with libpopcorn.a; compile with -I include/uapi (for
 * <popcorn/popcorn.h>, the kernel's user ABI) and -I lib.
 *
 * Every call returns -1 and sets errno on failure. popcorn_migrate() returns
 * on the target node: the calling thread continues there with its stack,
 * its registers (FPU/SSE/AVX state included) and the whole address space.
 */
#ifndef _LIBPOPCORN_H
#define _LIBPOPCORN_H

#include <sys/types.h>
#include <popcorn/popcorn.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Migrate the calling thread to node @nid (POPCORN_NID_PROPOSED: to the node
 * of the pending proposal). Returns 0 on the target node, or -1 with errno:
 * EINVAL no such node, EBUSY already there, EAGAIN node offline.
 */
int popcorn_migrate(int nid);

/* The node the calling thread runs on, or -1. */
int popcorn_getnid(void);

/* Where the calling thread runs, its pending proposal and its twin. */
int popcorn_get_thread_status(struct popcorn_thread_status *st);

/* This node's id and the state of every node (POPCORN_MAX_NODES entries). */
int popcorn_get_node_info(int *my_nid,
			  struct popcorn_node_info nodes[POPCORN_MAX_NODES]);

/* Ask thread @tid (0: the calling thread) to migrate to node @nid. */
int popcorn_propose_migration(pid_t tid, int nid);

/*
 * Migration point: if a migration of the calling thread was proposed, go
 * there. Returns 1 after migrating, 0 when nothing was pending, -1 on error.
 */
int popcorn_check_migrate(void);

#ifdef __cplusplus
}
#endif

#endif /* _LIBPOPCORN_H */
