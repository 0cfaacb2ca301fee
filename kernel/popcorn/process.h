/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Distributed processes: the state the process, VMA and page servers share.
 *
 * A process becomes distributed when one of its threads first migrates.
 * Its origin node keeps the authoritative address space and a page
 * directory; every other node that runs threads of it has a remote copy of
 * the process: a worker task that owns a fresh mm and creates the migrated
 * threads in its thread group. A migrated thread's origin task (its twin)
 * sleeps in popcorn_migrate() until the thread comes back or ends.
 */
#ifndef _KERNEL_POPCORN_PROCESS_H
#define _KERNEL_POPCORN_PROCESS_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <popcorn/pcn_kmsg.h>
#include <uapi/popcorn/popcorn.h>
#include "stats.h"

#define PCN_PAGE_LOCKS		64	/* remote: fault/recall serialisation */
#define PCN_ORIGIN_FAULT_BUCKETS 256	/* origin: its own faults, hashed */
#define PCN_REQUEST_TIMEOUT	(20 * HZ)

/*
 * A sequential stream of the origin's write faults on pages a remote
 * shares: the span its last fault invalidated, [start, next) (where the
 * next fault would be), and the window it wanted (it doubles while the
 * stream goes on).
 */
#define PCN_WRITE_STREAMS	4
struct pcn_write_stream {
	unsigned long start, next;
	unsigned int pages;
};

struct pcn_process {
	struct kref ref;
	struct rcu_head rcu;		/* freed after lock-free lookups */
	int origin_nid;
	pid_t origin_tgid;		/* the process's tgid at the origin */
	bool is_origin;
	/*
	 * mmgrab()ed for as long as we point at it; mm->pcn_process holds
	 * a reference on us until the mm's last user is gone.
	 */
	struct mm_struct *mm;

	spinlock_t lock;		/* the fields below */
	unsigned long nodes;		/* origin: nodes that ran its threads */
	bool dead;			/* no new threads */
	bool killed;			/* remote: ended by its origin */

	/* origin: page directory, page index -> struct pcn_page_dir */
	struct xarray pages;
	/*
	 * origin: held for write while an address-space change is carried
	 * out and made known to the remotes; page and VMA requests from
	 * remotes try it for read and answer "busy" meanwhile.
	 */
	struct rw_semaphore vma_lock;
	/*
	 * origin: orders the fault-signal actions sent to the remotes
	 * (fault_actions.c, for write) with the ones a MIGRATE carries
	 * (migrate.c, for read: migrations go on in parallel).
	 */
	struct rw_semaphore sigaction_lock;
	/*
	 * origin: its own faults under way, by hash of the page, from before
	 * they look at the directory until the ordinary fault path is done
	 * (page_server.c, pcn_origin_busy()).
	 */
	atomic_t origin_faults[PCN_ORIGIN_FAULT_BUCKETS];
	/*
	 * origin: its threads' write streams over pages a remote shares
	 * (page_inval.c), under @lock.
	 */
	struct pcn_write_stream wstreams[PCN_WRITE_STREAMS];
	unsigned int wstream_next;	/* the one to replace next */

	/* remote */
	struct task_struct *worker;	/* creates the migrated threads */
	struct list_head spawn;		/* MIGRATE messages for the worker */
	wait_queue_head_t worker_wait;
	struct mutex page_locks[PCN_PAGE_LOCKS];
	/* fetches under way that may bring a block of zero pages (lock) */
	struct list_head grant_waits;

	/* this node's share of the process's counters (stats.h) */
	struct pcn_proc_stats __percpu *stats;
};

enum pcn_thread_role {
	PCN_THREAD_NONE,	/* a proposal only, or back from a remote */
	PCN_THREAD_TWIN,	/* origin task of a thread running elsewhere */
	PCN_THREAD_REMOTE,	/* a migrated thread at a remote node */
};

/* Events for a twin (pcn_thread.events) */
#define PCN_EV_BACK		BIT(0)	/* the thread came back: @back */
#define PCN_EV_EXIT		BIT(1)	/* it ended there: @exit_code */
#define PCN_EV_LOST		BIT(2)	/* its node went away */
#define PCN_EV_WORK		BIT(3)	/* a system call to make for it: @work */

/*
 * A sequential stream of read faults of a remote thread: the window its
 * last fault asked for, [start, end), the size it wanted, when it was
 * last used, and which way it runs (down: the fault was at
 * end - PAGE_SIZE).
 */
#define PCN_RA_STREAMS		4
struct pcn_ra_stream {
	unsigned long start, end;
	unsigned long top;	/* the end of the highest window it had */
	unsigned int pages;
	unsigned int used;	/* pcn_thread.ra_clock at its last fault */
	bool down;
	/*
	 * Its last fault's window (at @fault, downwards if @fault_down):
	 * the pages mapped ahead in it, bit i for page i, not yet counted
	 * as used or unused (page_ahead.c's pcn_ra_account()).
	 */
	bool fault_down;
	unsigned long fault;
	u32 mapped;
};

/* task->pcn_thread; changes and event posts under pcn_threads_lock. */
struct pcn_thread {
	struct task_struct *task;
	struct pcn_process *proc;	/* counted; NULL for a proposal */
	enum pcn_thread_role role;
	int peer_nid;			/* twin: where it runs; remote: origin */
	pid_t peer_tid;			/* the task on the other side */
	int proposed_nid;		/* -1: none */
	/*
	 * Asked to move from outside (move.c): where to, at the next
	 * return to user space (-1: not asked), and, at the origin, the
	 * error of the last attempt that failed there and how many did.
	 */
	int move_to;
	int move_err;
	unsigned int move_failures;
	/* remote: sent home by a fault on a page it may not have here */
	bool home_for_fault;
	/*
	 * remote: the thread's rax, for its first return to user space
	 * (ret_from_fork sets rax 0 for a task it starts from the kernel).
	 */
	bool resume_ax_pending;
	unsigned long resume_ax;
	/*
	 * Written by the thread itself only (WRITE_ONCE), read racily by
	 * PROC_GET: its faults that needed another node and its system
	 * calls forwarded to the origin, on this node.
	 */
	u64 faults;
	u64 calls;
	/* remote: the streams it reads, for read-ahead (page_ahead.c) */
	struct pcn_ra_stream ra[PCN_RA_STREAMS];
	unsigned int ra_clock;		/* counts its read faults */
	struct pcn_ra_stream *ra_fault;	/* the stream of its fault, if any */
	struct list_head list;		/* pcn_threads */

	wait_queue_head_t wait;		/* twin: events */
	unsigned long events;
	struct pcn_kmsg_rx *back;	/* PCN_EV_BACK: the MIGRATE message */
	struct list_head work;		/* PCN_EV_WORK: VMA_OP messages */
	int exit_code;
	bool exit_group;
	bool leaving;			/* remote: went back, exits silently */
};

extern spinlock_t pcn_threads_lock;

/* process.c */
struct pcn_process *pcn_process_origin_get(struct mm_struct *mm);
struct pcn_process *pcn_process_find(int origin_nid, pid_t tgid);
struct pcn_process *pcn_process_next(unsigned long *pos);
int pcn_proc_dump_fill(struct sk_buff *skb, struct pcn_process *proc);
bool pcn_proc_visible(struct pcn_process *proc);

/* One thread as PROC_GET shows it (proc_dump.c, proc_threads.c). */
struct pcn_thread_row {
	pid_t tid;		/* at the origin */
	int nid;		/* where it runs */
	pid_t local_tid;	/* on this node; 0: not shown */
	bool have;		/* the figures below are known */
	u64 cpu_ns, faults, calls;
};

int pcn_nla_put_thread(struct sk_buff *skb, const struct pcn_thread_row *row);
struct pcn_process *pcn_process_get_mm(int origin_nid, pid_t tgid, int from,
				       struct mm_struct **mmp);
void pcn_process_put(struct pcn_process *proc);
struct pcn_process *pcn_process_remote_new(int origin_nid, pid_t tgid);
int pcn_process_publish(struct pcn_process *proc);
void pcn_remote_kill(struct pcn_process *proc);
struct pcn_thread *pcn_thread_alloc(struct task_struct *task);
bool pcn_thread_attach(struct task_struct *task, struct pcn_thread *th);
struct task_struct *pcn_thread_task_get(pid_t tid, enum pcn_thread_role role,
					struct pcn_process *proc);
struct task_struct *pcn_remote_thread_get(int origin_nid, pid_t tgid,
					  pid_t remote_tid, pid_t origin_tid);
void pcn_thread_post(struct pcn_thread *th, unsigned long event);
int pcn_twin_post(pid_t tgid, pid_t tid, int from, unsigned long event,
		  bool (*fill)(struct pcn_thread *th, void *arg), void *arg);
void pcn_process_node_offline(int nid);
int pcn_process_init(void);

/* migrate.c */
long pcn_migrate(int nid, const void __user *uregs);
int pcn_migrate_to(int nid, const struct regset_x86_64 *rs);
void pcn_migrate_new_thread(int nid);
int pcn_migrate_init(void);

/* move.c: threads moved from outside (pcnctl migrate) */
int pcn_move_request(struct task_struct *t, int nid);
int pcn_move_where(struct task_struct *t, unsigned int *failures,
		   int *err);
int pcn_move_init(void);

/* regs.c: x86_64 thread state <-> struct pcn_migrate_msg */
void pcn_wire_regs_save(struct pcn_wire_regs *wr, const struct pt_regs *regs);
bool pcn_wire_regs_valid(const struct pcn_wire_regs *wr);
int pcn_wire_regs_restore(struct pt_regs *regs, const struct pcn_wire_regs *wr);
unsigned int pcn_fpu_image_size(u32 *kind);
int pcn_regs_save(struct pcn_migrate_msg *m, const struct pt_regs *regs,
		  const struct regset_x86_64 *rs);
int pcn_regs_restore(struct pt_regs *regs, const struct pcn_migrate_msg *m);

/* remote.c: the remote side of a process */
int pcn_remote_receive(struct pcn_kmsg_rx *rx);

/* Mappings no page of which leaves the origin (page_server.c, move.c). */
#define PCN_VM_HOME_ONLY	(VM_IO | VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB)

/* clock.c: the origin's clocks at a remote */
struct pcn_clock_offsets {
	struct timespec64 mono, boot;	/* origin's minus this node's */
};

void pcn_clock_sample(struct pcn_migrate_msg *m);
bool pcn_clock_valid(u64 mono, u64 boot);
void pcn_clock_offsets(const struct pcn_migrate_msg *m,
		       struct pcn_clock_offsets *o);
int pcn_clock_join(const struct pcn_clock_offsets *o);
void pcn_clock_commit(void);

/* vma_server.c */
bool pcn_stack_below(struct mm_struct *mm, unsigned long addr);
int pcn_stack_grow(struct pcn_process *proc, struct mm_struct *mm,
		   unsigned long addr);
int pcn_vma_server_init(void);

/* syscall_fwd.c: system calls of remote threads made at the origin */
long pcn_forward_call(struct pcn_process *proc, enum pcn_kmsg_type type,
		      void *msg, size_t size, bool wait_long);
bool pcn_twin_work(struct pcn_thread *th);
int pcn_syscall_fwd_init(void);

/* deputy.c: every other system call of a remote thread, at the origin */
bool pcn_deputy_call(struct pcn_process *proc, struct pcn_thread *th,
		     struct pt_regs *regs, int nr);
bool pcn_call_forwardable(unsigned int nr);
long pcn_twin_syscall(const struct pcn_syscall_msg *m, int from,
		      struct pcn_syscall_reply **datap);

/* deputy_inline.c: small buffers that travel with a forwarded call */
struct pcn_syscall_msg *pcn_inline_request(unsigned int nr,
					   const struct pt_regs *regs,
					   size_t *size);
int pcn_inline_reply(const struct pcn_syscall_msg *m,
		     const struct pcn_kmsg_rx *reply,
		     const struct pt_regs *regs, long *ret);
bool pcn_inline_valid(const struct pcn_syscall_msg *m, size_t size);
bool pcn_twin_inline(const struct pcn_syscall_msg *m, int from,
		     struct pcn_syscall_reply **datap, long *ret);

/* deputy_bulk.c: big reads whose bytes come back as pages */
struct pcn_bulk;
struct pcn_syscall_msg *pcn_bulk_request(int nid, unsigned int nr,
					 const struct pt_regs *regs,
					 size_t *size, struct pcn_bulk **bp);
long pcn_bulk_finish(struct pcn_bulk *b, const struct pt_regs *regs,
		     long ret);
bool pcn_bulk_valid(const struct pcn_syscall_msg *m);
int pcn_bulk_put(int nid, const struct pcn_syscall_msg *m, void *vbuf,
		 size_t count);

/* signal.c: signals of remote threads, taken by their twins */
void pcn_twin_signals(struct pcn_thread *th);
void pcn_sigmask_restore(u64 mask);
bool pcn_wire_action_ok(u64 handler, u64 flags, u64 restorer);
int pcn_signal_init(void);

/* fault_actions.c: the fault signals' actions at every node */
#define PCN_SIG_UNBLOCKABLE	(sigmask(SIGKILL) | sigmask(SIGSTOP))
void pcn_fault_actions_save(struct pcn_wire_sigaction *a);
bool pcn_fault_actions_valid(const struct pcn_wire_sigaction *a);
int pcn_fault_actions_install(struct task_struct *t,
			      const struct pcn_wire_sigaction *a);
long pcn_sigaction_call(struct pcn_process *proc, struct pt_regs *regs);
int pcn_fault_actions_init(void);

/* syscall_fwd.c */
void pcn_twin_regs(struct pt_regs *regs, const struct pcn_syscall_msg *m);

/* vma_ops.c: system calls that change a distributed address space */
bool pcn_vma_op_allowed(int nr);
long pcn_vma_syscall(struct pcn_process *proc, struct pcn_thread *th, int nr,
		     struct pt_regs *regs);
bool pcn_madvise_fetches(unsigned long advice);
bool pcn_remote_madvise(struct pcn_process *proc, struct pcn_thread *th,
			struct pt_regs *regs);
long pcn_twin_vma_call(struct pcn_thread *th, const struct pcn_syscall_msg *op);
int pcn_vma_ops_init(void);

/* futex.c: futex(2) of remote threads, at the origin */
long pcn_remote_futex(struct pcn_process *proc, struct pcn_thread *th,
		      const struct pt_regs *regs);
long pcn_twin_futex(const struct pcn_futex_msg *m);

/* clone.c: threads created at a remote */
long pcn_remote_clone(struct pcn_process *proc, struct pcn_thread *th,
		      int nr, const struct pt_regs *regs);
long pcn_twin_clone(const struct pcn_clone_msg *m, int from);

/* pte.c: one PTE of a distributed mm (mmap_lock held) */
enum pcn_pte_state {
	PCN_PTE_NONE,		/* nothing mapped */
	PCN_PTE_RO,		/* a read-only copy */
	PCN_PTE_RW,		/* writable */
	PCN_PTE_OTHER,		/* not present but not empty (swap...) */
};
enum pcn_pte_state pcn_pte_state(struct vm_area_struct *vma,
				 unsigned long addr);
enum pcn_pte_install {
	PCN_PTE_INSTALL_READ,	/* read-only */
	PCN_PTE_INSTALL_WRITE,	/* writable, dirty */
	PCN_PTE_INSTALL_CLEAN,	/* writable, clean (pcn_pte_dirty()) */
	PCN_PTE_INSTALL_AHEAD,	/* read-only and old (pcn_pte_young()) */
};
int pcn_pte_install(struct vm_area_struct *vma, unsigned long addr,
		    struct page *page, enum pcn_pte_install how);
bool pcn_pte_dirty(struct vm_area_struct *vma, unsigned long addr);
int pcn_pte_young(struct vm_area_struct *vma, unsigned long addr);
int pcn_pte_mkwrite(struct vm_area_struct *vma, unsigned long addr);
void pcn_pte_wrprotect(struct vm_area_struct *vma, unsigned long addr);
struct page *pcn_pte_page_get(struct vm_area_struct *vma, unsigned long addr);
void pcn_pte_zap(struct vm_area_struct *vma, unsigned long addr);

/* page_server.c */
void pcn_page_dir_free(struct pcn_process *proc);
bool pcn_page_dir_node_lost(struct pcn_process *proc, int nid);
void pcn_pages_writeback(struct pcn_process *proc, unsigned long start,
			 unsigned long end);
void pcn_pages_forget(struct pcn_process *proc, unsigned long start,
		      unsigned long end);
int pcn_page_server_init(void);

/* shared.c: shared mappings of a distributed process, at the origin */
int pcn_shared_check(struct vm_area_struct *vma);
bool pcn_range_shared(struct mm_struct *mm, unsigned long start,
		      unsigned long end);
int pcn_shared_store(struct vm_area_struct *vma, unsigned long addr,
		     struct page *data);
void pcn_shared_writeback(struct pcn_process *proc);
void pcn_shared_hooks_enable(void);
bool pcn_move_home_for_fault(struct pcn_process *proc, unsigned int flags);
void pcn_shared_alias_sync(struct pcn_process *proc, unsigned long addr);
void pcn_shared_own_sync(struct pcn_process *proc, struct file *file);
struct file *pcn_shared_call_object(struct pcn_process *proc, int nr,
				    const unsigned long *a);

#endif /* _KERNEL_POPCORN_PROCESS_H */
