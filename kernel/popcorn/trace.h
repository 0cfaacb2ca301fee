/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events popcorn:* (perf record -e 'popcorn:*', perf script, the
 * tracefs events/popcorn directory): faults, messages, invalidations and
 * migrations. Kinds, results and directions print by name; latencies are
 * in nanoseconds, measured on this node.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM popcorn

#if !defined(_KERNEL_POPCORN_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KERNEL_POPCORN_TRACE_H

#include <linux/tracepoint.h>
#include <uapi/popcorn/pcn_netlink.h>

/* Tell user space the enum values the print formats below use. */
TRACE_DEFINE_ENUM(PCN_FAULT_READ);
TRACE_DEFINE_ENUM(PCN_FAULT_WRITE);
TRACE_DEFINE_ENUM(PCN_FAULT_UPGRADE);
TRACE_DEFINE_ENUM(PCN_FAULT_DONE);
TRACE_DEFINE_ENUM(PCN_FAULT_BUSY);
TRACE_DEFINE_ENUM(PCN_FAULT_FAILED);
TRACE_DEFINE_ENUM(PCN_MIGRATE_FORWARD);
TRACE_DEFINE_ENUM(PCN_MIGRATE_HOME);

#define pcn_show_fault_kind(k)						\
	__print_symbolic(k, { PCN_FAULT_READ, "read" },			\
			 { PCN_FAULT_WRITE, "write" },			\
			 { PCN_FAULT_UPGRADE, "upgrade" })
#define pcn_show_fault_result(r)					\
	__print_symbolic(r, { PCN_FAULT_DONE, "done" },			\
			 { PCN_FAULT_BUSY, "busy" },			\
			 { PCN_FAULT_FAILED, "failed" })
#define pcn_show_migrate_dir(d)						\
	__print_symbolic(d, { PCN_MIGRATE_FORWARD, "forward" },		\
			 { PCN_MIGRATE_HOME, "home" })

/* A fault that needs another node; @owner: the node asked, -1 the sharers. */
TRACE_EVENT(popcorn_fault_begin,
	TP_PROTO(unsigned long addr, int kind, int owner),
	TP_ARGS(addr, kind, owner),
	TP_STRUCT__entry(
		__field(unsigned long, addr)
		__field(int, kind)
		__field(int, owner)
	),
	TP_fast_assign(
		__entry->addr = addr;
		__entry->kind = kind;
		__entry->owner = owner;
	),
	TP_printk("addr=0x%lx kind=%s owner=%d", __entry->addr,
		  pcn_show_fault_kind(__entry->kind), __entry->owner)
);

TRACE_EVENT(popcorn_fault_end,
	TP_PROTO(unsigned long addr, int kind, int owner, int result,
		 u64 latency_ns),
	TP_ARGS(addr, kind, owner, result, latency_ns),
	TP_STRUCT__entry(
		__field(unsigned long, addr)
		__field(int, kind)
		__field(int, owner)
		__field(int, result)
		__field(u64, latency_ns)
	),
	TP_fast_assign(
		__entry->addr = addr;
		__entry->kind = kind;
		__entry->owner = owner;
		__entry->result = result;
		__entry->latency_ns = latency_ns;
	),
	TP_printk("addr=0x%lx kind=%s owner=%d result=%s latency_ns=%llu",
		  __entry->addr, pcn_show_fault_kind(__entry->kind),
		  __entry->owner, pcn_show_fault_result(__entry->result),
		  __entry->latency_ns)
);

DECLARE_EVENT_CLASS(popcorn_msg,
	TP_PROTO(int peer, int type, const char *name, u32 size, u64 seq),
	TP_ARGS(peer, type, name, size, seq),
	TP_STRUCT__entry(
		__field(int, peer)
		__field(int, type)
		__string(name, name)
		__field(u32, size)
		__field(u64, seq)
	),
	TP_fast_assign(
		__entry->peer = peer;
		__entry->type = type;
		__assign_str(name, name);
		__entry->size = size;
		__entry->seq = seq;
	),
	TP_printk("peer=%d type=%s size=%u seq=%llu", __entry->peer,
		  __get_str(name), __entry->size, __entry->seq)
);

/*
 * @size: payload bytes. A send is traced as it is handed to the transport
 * (a failed one is counted in transport_errors); a receive once the
 * transport has checked its header.
 */
DEFINE_EVENT(popcorn_msg, popcorn_msg_send,
	TP_PROTO(int peer, int type, const char *name, u32 size, u64 seq),
	TP_ARGS(peer, type, name, size, seq)
);

DEFINE_EVENT(popcorn_msg, popcorn_msg_recv,
	TP_PROTO(int peer, int type, const char *name, u32 size, u64 seq),
	TP_ARGS(peer, type, name, size, seq)
);

/* The origin took copies back: @nodes held them, @keep left them a copy. */
TRACE_EVENT(popcorn_invalidate,
	TP_PROTO(unsigned long addr, unsigned long nodes, bool keep, int ret,
		 u64 latency_ns),
	TP_ARGS(addr, nodes, keep, ret, latency_ns),
	TP_STRUCT__entry(
		__field(unsigned long, addr)
		__field(unsigned long, nodes)
		__field(bool, keep)
		__field(int, ret)
		__field(u64, latency_ns)
	),
	TP_fast_assign(
		__entry->addr = addr;
		__entry->nodes = nodes;
		__entry->keep = keep;
		__entry->ret = ret;
		__entry->latency_ns = latency_ns;
	),
	TP_printk("addr=0x%lx nodes=0x%lx keep=%d ret=%d latency_ns=%llu",
		  __entry->addr, __entry->nodes, __entry->keep, __entry->ret,
		  __entry->latency_ns)
);

/* A holder answered the origin's recall or invalidation. */
TRACE_EVENT(popcorn_recall,
	TP_PROTO(int origin, unsigned long addr, bool keep, int ret),
	TP_ARGS(origin, addr, keep, ret),
	TP_STRUCT__entry(
		__field(int, origin)
		__field(unsigned long, addr)
		__field(bool, keep)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->origin = origin;
		__entry->addr = addr;
		__entry->keep = keep;
		__entry->ret = ret;
	),
	TP_printk("origin=%d addr=0x%lx keep=%d ret=%d", __entry->origin,
		  __entry->addr, __entry->keep, __entry->ret)
);

/* A thread sent to @to: the other side answered after @latency_ns. */
TRACE_EVENT(popcorn_migrate,
	TP_PROTO(int dir, pid_t tid, int to, int ret, u64 latency_ns),
	TP_ARGS(dir, tid, to, ret, latency_ns),
	TP_STRUCT__entry(
		__field(int, dir)
		__field(pid_t, tid)
		__field(int, to)
		__field(int, ret)
		__field(u64, latency_ns)
	),
	TP_fast_assign(
		__entry->dir = dir;
		__entry->tid = tid;
		__entry->to = to;
		__entry->ret = ret;
		__entry->latency_ns = latency_ns;
	),
	TP_printk("dir=%s tid=%d to=%d ret=%d latency_ns=%llu",
		  pcn_show_migrate_dir(__entry->dir), __entry->tid,
		  __entry->to, __entry->ret, __entry->latency_ns)
);

/*
 * Pages exposed to @nid for one transfer, as the peer will name them:
 * @addr and @key are what travel in the request (RDMA: the iova and rkey
 * of the registration; TCP: 0 and a cookie).
 */
TRACE_EVENT(popcorn_page_expose,
	TP_PROTO(int nid, u64 addr, u32 key, unsigned int npages,
		 bool peer_writes),
	TP_ARGS(nid, addr, key, npages, peer_writes),
	TP_STRUCT__entry(
		__field(int, nid)
		__field(u64, addr)
		__field(u32, key)
		__field(unsigned int, npages)
		__field(bool, peer_writes)
	),
	TP_fast_assign(
		__entry->nid = nid;
		__entry->addr = addr;
		__entry->key = key;
		__entry->npages = npages;
		__entry->peer_writes = peer_writes;
	),
	TP_printk("nid=%d addr=0x%llx key=0x%x npages=%u peer_writes=%d",
		  __entry->nid, __entry->addr, __entry->key, __entry->npages,
		  __entry->peer_writes)
);

#endif /* _KERNEL_POPCORN_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
