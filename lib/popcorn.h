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
#include <popcorn/pcn_netlink.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Migrate the calling thread to node @nid (POPCORN_NID_PROPOSED: to the node
 * of the pending proposal). Returns 0 on the target node, or -1 with errno:
 * EINVAL no such node, EBUSY already there, EAGAIN node offline.
 */
int popcorn_migrate(int nid);

/*
 * Migrate to node @nid and take [@addr, @addr + @len) along: its pages come
 * to @nid in bulk on arrival (madvise(MADV_POPULATE_READ) there, whose
 * faults fetch read-ahead windows; MADV_POPULATE_WRITE with @write, for a
 * range the thread will write), not a fault at a time as it touches them.
 * Returns 0 on @nid, or -1 with errno as popcorn_migrate(); a range that
 * could not all be fetched is no error (the thread faults in the rest).
 */
int popcorn_migrate_with(int nid, const void *addr, size_t len, int write);

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

/*
 * Threads of any program started on this node (control.c; the generic
 * netlink family, as pcnctl uses it). The caller must be allowed to
 * ptrace them.
 *
 * Move thread @tid (its id at this node, the origin) to node @nid, home
 * included, at its next return to user space; wait up to @wait_ms (at
 * most 60000) for it to go. 0 when it moved or was there; -1 with errno
 * EINPROGRESS (asked; still in a call, it goes when the call returns),
 * EPERM, ESRCH, EINVAL (no such node, not a user thread), EHOSTDOWN (node
 * offline), EREMOTE (it runs here for another node: ask its origin),
 * ENOSYS (no Popcorn in this kernel).
 */
int popcorn_move_thread(pid_t tid, int nid, unsigned int wait_ms);
/* The same for every thread of process @pid; the first refusal's errno. */
int popcorn_move_process(pid_t pid, int nid, unsigned int wait_ms);

/*
 * Where process @pid's new threads start (0: the caller's process):
 * @mode PCN_PLACE_NONE (where they are created), PCN_PLACE_SPREAD (on
 * @nodes in turn) or PCN_PLACE_BALANCE (pcn-balance may move them among
 * @nodes); @count 0: this node and every configured peer. Holds across
 * exec and for the processes it creates. -1 with errno: EINVAL (a node id
 * repeated or out of range, nodes with mode none, this node has no id),
 * ERANGE (an unknown mode), ENOENT (a node that is not configured),
 * EPERM, ESRCH.
 */
int popcorn_place(pid_t pid, int mode, const int *nodes, int count);

#ifdef __cplusplus
}
#endif

#endif /* _LIBPOPCORN_H */
