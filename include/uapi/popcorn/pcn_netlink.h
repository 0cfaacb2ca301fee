/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Popcorn generic netlink family: node membership, counters and the
 * message-layer self test. Used by pcnctl and pcn-top.
 *
 * All commands are on the family PCN_GENL_NAME, version PCN_GENL_VERSION.
 * Configuration commands need CAP_NET_ADMIN. Errors carry a human readable
 * extended ACK message (NLMSGERR_ATTR_MSG).
 */
#ifndef _UAPI_POPCORN_PCN_NETLINK_H
#define _UAPI_POPCORN_PCN_NETLINK_H

#include <linux/types.h>

#define PCN_GENL_NAME		"popcorn"
#define PCN_GENL_VERSION	1

#define PCN_MAX_NODES		32	/* node ids are 0 .. PCN_MAX_NODES - 1 */
#define PCN_DEFAULT_PORT	10100	/* TCP transport listen port */

enum pcn_genl_cmd {
	PCN_CMD_UNSPEC,
	PCN_CMD_SELF_SET,	/* NID: this node's id; only while no peer is configured */
	PCN_CMD_NODE_ADD,	/* NID, ADDR, [PORT], [TRANSPORT] (default "tcp") */
	PCN_CMD_NODE_DEL,	/* NID */
	PCN_CMD_NODE_GET,	/* dump: one reply per node, this node included (SELF) */
	/*
	 * STAT_GET: [NID] -> NID, [SELF], node-wide counters, load and
	 * STAT_TYPE nests of this node, or with NID of that peer (asked
	 * over the network; ENOENT: not configured, ETIMEDOUT, ENOTCONN).
	 */
	PCN_CMD_STAT_GET,
	/*
	 * ECHO: NID, ECHO_COUNT, ECHO_THREADS, ECHO_MAX_SIZE -> ECHO_* results.
	 * PAGE_TEST: NID, PAGE_COUNT, ECHO_THREADS, PAGE_MODE, [PAGE_PROBE]
	 * -> ECHO_OK, ECHO_ERRORS, ECHO_FIRST_ERR, ECHO_*_NS (per page),
	 * [PAGE_PROBE_ERR]. Both block until done; a fatal signal ends them.
	 */
	PCN_CMD_ECHO,
	PCN_CMD_PAGE_TEST,
	/*
	 * PROC_GET: dump, one reply per distributed process on this node
	 * that the caller may read as ptrace would (all with CAP_SYS_PTRACE):
	 * PROC_PID, PROC_ORIGIN_NID, PROC_ORIGIN_PID, PROC_COMM, PROC_THREAD
	 * nests, STAT_FAULT nests (no LAT_HIST), STAT_MIGRATIONS_OUT/IN,
	 * STAT_INVAL_SENT/RECV; a thread that runs on this node has
	 * THREAD_CPU_NS, THREAD_FAULTS and THREAD_CALLS in its nest.
	 * With PROC_PID and no dump flag: that process of the caller's pid
	 * namespace, started here (distributed or not), with those three
	 * figures for every thread wherever it runs (each node it runs on is
	 * asked), and PLACE_MODE; the caller must be allowed to read it as
	 * ptrace would.
	 */
	PCN_CMD_PROC_GET,
	/*
	 * RAW_REQUEST (kernels built with CONFIG_POPCORN_SELFTEST only):
	 * NID, RAW_TYPE, RAW_PAYLOAD -> NID, RAW_STATUS, [RAW_REPLY]. Sends
	 * one request of any request type to the peer, with any payload its
	 * size bounds allow, as a hostile peer would, and answers with what
	 * came back: the selftests of what a node does with wrong input.
	 */
	PCN_CMD_RAW_REQUEST,
	/*
	 * MIGRATE: NID and MOVE_TID (a thread) or MOVE_PID (every thread of
	 * a process), ids as the caller's pid namespace sees them, at the
	 * process's origin; [MOVE_WAIT_MS] (default 2000, at most 60000)
	 * -> one MOVE nest per thread: THREAD_TID, THREAD_NID (where it runs
	 * at the answer), MOVE_STATUS, [MOVE_NS] (when it moved). The caller must be allowed to ptrace
	 * each thread (EPERM in its MOVE_STATUS otherwise). A thread moves on
	 * its next return to user space (kernel/popcorn/move.c).
	 */
	PCN_CMD_MIGRATE,
	/*
	 * PLACE: [PLACE_PID] (a process; absent: the caller's), PLACE_MODE,
	 * [PLACE_NODES] (default: this node and every configured peer).
	 * Where the process's new threads go from now on, and those of the
	 * programs it execs and the processes it creates (pcnctl run). The
	 * caller must be allowed to ptrace the process.
	 */
	PCN_CMD_PLACE,
	/*
	 * PLACE_GET: dump, one reply per process with a placement that the
	 * caller may read as ptrace would: PLACE_PID (initial pid
	 * namespace), PLACE_MODE, [PLACE_NODES] (what pcn-balance manages).
	 */
	PCN_CMD_PLACE_GET,
	/*
	 * KEY_SET: KEY (PCN_KEY_MIN..PCN_KEY_MAX bytes): the cluster key
	 * every handshake from now on must prove (kernel/popcorn/auth.c);
	 * links already up stay up. KEY_CLEAR: no key, peers are admitted
	 * by their address alone (a peer that has a key refuses us). Both
	 * need CAP_NET_ADMIN. The key is never read back: NODE_GET's SELF
	 * entry says only whether one is set (KEY_SET).
	 */
	PCN_CMD_KEY_SET,
	PCN_CMD_KEY_CLEAR,
	__PCN_CMD_MAX,
};
#define PCN_CMD_MAX (__PCN_CMD_MAX - 1)

/* PLACE modes: where a process's new threads start. */
enum pcn_place_mode {
	PCN_PLACE_NONE,		/* on their creator's node */
	PCN_PLACE_SPREAD,	/* on the next node of the list, in turn */
	PCN_PLACE_BALANCE,	/* on their creator's node; pcn-balance may
				 * move them among the list's nodes
				 */
	__PCN_PLACE_MAX,
};

enum pcn_node_state {
	PCN_NODE_DOWN,		/* configured, not connected */
	PCN_NODE_CONNECTING,	/* transport is connecting or handshaking */
	PCN_NODE_ONLINE,	/* handshake done, messages flow */
	PCN_NODE_RECONNECTING,	/* link lost, in its grace period: messages
				 * wait and are sent when it is back */
};

/*
 * PAGE_TEST modes. PULL: the peer writes each page into one we exposed
 * (how a fault fetches a page). PUSH: the peer reads each page from one we
 * exposed (how a bulk pull works). Content is checked on the receiving end.
 */
enum pcn_page_test_mode {
	PCN_PAGE_TEST_PULL = 1,
	PCN_PAGE_TEST_PUSH = 2,
};

/*
 * Page faults that involve another node, by kind. A fault served by this
 * node's memory alone is not counted. Also the "kind" of the popcorn:fault_*
 * trace events.
 */
enum pcn_fault_kind {
	PCN_FAULT_READ,		/* a copy of a page another node holds */
	PCN_FAULT_WRITE,	/* a page and its ownership */
	PCN_FAULT_UPGRADE,	/* write access to a read copy held here */
	PCN_FAULT_KINDS,
};

/* How a fault attempt ended (FAULT_OK/RETRY/ERROR, trace "result"). */
enum pcn_fault_result {
	PCN_FAULT_DONE,		/* the page is mapped as asked */
	PCN_FAULT_BUSY,		/* a holder was busy: backed off, faults again */
	PCN_FAULT_FAILED,	/* SIGBUS or OOM for the faulting thread */
	PCN_FAULT_RESULTS,
};

/* Thread migrations, by direction (STAT_MIGRATE nests, trace events). */
enum pcn_migrate_dir {
	PCN_MIGRATE_FORWARD,	/* origin -> remote (also the relay's 2nd leg) */
	PCN_MIGRATE_HOME,	/* remote -> origin */
	PCN_MIGRATE_DIRS,
};

/*
 * Latency histograms (LAT_HIST): __u64 counts[PCN_LAT_BUCKETS]. Bucket 0
 * counts latencies under 2 ns; bucket i > 0 counts [2^i, 2^(i+1)) ns; the
 * last one also counts everything longer. Log2 buckets: a percentile read
 * from them is exact to a factor of two, enough for p50 and p99.
 */
#define PCN_LAT_BUCKETS		36

/* Cluster key length bounds, bytes (KEY_SET). */
#define PCN_KEY_MIN		16
#define PCN_KEY_MAX		64

enum pcn_arch {
	PCN_ARCH_UNKNOWN,
	PCN_ARCH_X86_64,
};

enum pcn_genl_attr {
	PCN_A_UNSPEC,
	PCN_A_NID,		/* u32 */
	PCN_A_ADDR,		/* string: IPv4 dotted quad */
	PCN_A_PORT,		/* u16 */
	PCN_A_TRANSPORT,	/* string: "tcp" or "rdma" */
	PCN_A_STATE,		/* u8: enum pcn_node_state */
	PCN_A_ARCH,		/* u8: enum pcn_arch (of the peer, learnt in the handshake) */
	PCN_A_SELF,		/* flag: this entry is the local node */
	PCN_A_MSGS_IN,		/* u64 */
	PCN_A_MSGS_OUT,		/* u64 */
	PCN_A_BYTES_IN,		/* u64 */
	PCN_A_BYTES_OUT,	/* u64 */
	PCN_A_BAD_MSGS,		/* u64: messages from this peer refused by validation */
	PCN_A_CONNECTS,		/* u64: times this peer came online */
	PCN_A_TRANSPORT_LOADED,	/* flag: the node's transport module is loaded */
	PCN_A_PAD,
	PCN_A_ECHO_COUNT,	/* u32: messages to send (request) */
	PCN_A_ECHO_THREADS,	/* u32: sending threads (request) */
	PCN_A_ECHO_MAX_SIZE,	/* u32: largest payload, sizes cycle 0..max (request) */
	PCN_A_ECHO_OK,		/* u32: replies received with identical content */
	PCN_A_ECHO_ERRORS,	/* u32: mismatched, failed or timed out */
	PCN_A_ECHO_FIRST_ERR,	/* u32: errno (positive) of the first failure, 0 none */
	PCN_A_ECHO_MIN_NS,	/* u64: round-trip times */
	PCN_A_ECHO_P50_NS,	/* u64 */
	PCN_A_ECHO_P99_NS,	/* u64 */
	PCN_A_ECHO_MAX_NS,	/* u64 */
	PCN_A_ECHO_WALL_NS,	/* u64: whole run */
	PCN_A_STAT_RX_BAD,	/* u64: received headers refused, all peers and strangers */
	PCN_A_STAT_HS_REFUSED,	/* u64: handshakes refused */
	PCN_A_STAT_WS_TIMEOUTS,	/* u64: requests that timed out */
	PCN_A_STAT_LATE_REPLIES,/* u64: replies with no waiter left */
	PCN_A_STAT_MAX_PAYLOAD,	/* u32: largest message payload */
	PCN_A_STAT_TYPE,	/* nest, repeated, one per message type: TYPE_ID,
				 * TYPE_NAME, MSGS_IN, MSGS_OUT, BYTES_IN, BYTES_OUT;
				 * in STAT_GET all peers, in NODE_GET that peer's
				 */
	PCN_A_TYPE_ID,		/* u16 */
	PCN_A_TYPE_NAME,	/* string */
	PCN_A_PAGE_COUNT,	/* u32: pages to move (PAGE_TEST) */
	PCN_A_PAGE_MODE,	/* u8: enum pcn_page_test_mode */
	PCN_A_PAGE_PROBE,	/* flag: afterwards the peer writes again with a spent key */
	PCN_A_PAGE_PROBE_ERR,	/* u32: errno (positive) the spent key got; 0 = it worked */
	PCN_A_STAT_PAGES_EXPOSED,	/* u64: pages exposed to a peer right now */
	PCN_A_STAT_PAGES_EXPOSED_TOTAL,	/* u64: exposures so far */
	PCN_A_STAT_REMOTE_REGIONS,	/* u64: regions registered for remote access now
					 * (exposed pages and RDMA rings)
					 */
	PCN_A_STAT_REMOTE_BYTES,	/* u64: bytes thereof */
	PCN_A_STAT_TX_STALLS,		/* u64: sends that waited for ring credits */
	PCN_A_ECHO_MIN_SIZE,	/* u32: smallest payload, sizes cycle min..max (default 0) */
	PCN_A_STAT_PROCESSES,	/* u64: distributed processes here (origin or remote copies) */
	PCN_A_STAT_REMOTE_THREADS, /* u64: threads running here for another node */
	PCN_A_STAT_MIGRATIONS_OUT, /* u64: threads sent to another node */
	PCN_A_STAT_MIGRATIONS_IN,	/* u64: threads received from another node */
	PCN_A_STAT_VMA_FETCHES,	/* u64: VMAs asked from an origin */
	PCN_A_STAT_PAGE_FETCHES,	/* u64: pages or write access asked from an origin */
	PCN_A_STAT_PAGE_FETCH_RETRIES, /* u64: fetches the origin answered busy */
	PCN_A_STAT_PAGE_RECALLS,	/* u64: recalls and invalidations sent */
	PCN_A_STAT_PAGE_SERVED,	/* u64: fetches served for remotes */
	PCN_A_STAT_FAULT,	/* nest, repeated, one per fault kind: FAULT_KIND,
				 * FAULT_OK, FAULT_RETRY, FAULT_ERROR, [LAT_HIST]
				 */
	PCN_A_FAULT_KIND,	/* u8: enum pcn_fault_kind */
	PCN_A_FAULT_OK,		/* u64: faults served (PCN_FAULT_DONE) */
	PCN_A_FAULT_RETRY,	/* u64: attempts that backed off (PCN_FAULT_BUSY) */
	PCN_A_FAULT_ERROR,	/* u64: faults that failed (PCN_FAULT_FAILED) */
	PCN_A_LAT_HIST,		/* binary: __u64[PCN_LAT_BUCKETS], served ones only */
	PCN_A_STAT_INVAL_SENT,	/* u64: invalidations and recalls sent, one per holder */
	PCN_A_STAT_INVAL_RECV,	/* u64: invalidations and recalls handled here */
	PCN_A_STAT_TRANSPORT_ERRORS, /* u64: sends the transport refused, links lost;
				      * also per node in NODE_GET
				      */
	PCN_A_STAT_MIGRATE,	/* nest, repeated, one per direction: MIGRATE_DIR,
				 * MIGRATE_COUNT, LAT_HIST (thread state sent ->
				 * the other side's answer)
				 */
	PCN_A_MIGRATE_DIR,	/* u8: enum pcn_migrate_dir */
	PCN_A_MIGRATE_COUNT,	/* u64: migrations done in that direction */
	PCN_A_PROC_PID,		/* u32: the process's tgid on this node */
	PCN_A_PROC_ORIGIN_NID,	/* u32 */
	PCN_A_PROC_ORIGIN_PID,	/* u32: its tgid at the origin */
	PCN_A_PROC_COMM,	/* string */
	PCN_A_PROC_THREAD,	/* nest, repeated: THREAD_TID, THREAD_NID, THREAD_LOCAL_TID */
	PCN_A_THREAD_TID,	/* u32: the thread's id at the origin */
	PCN_A_THREAD_NID,	/* u32: the node it runs on, as this node knows it */
	PCN_A_THREAD_LOCAL_TID,	/* u32: its id on this node */
	PCN_A_RAW_TYPE,		/* u16: a message type (enum pcn_kmsg_type) */
	PCN_A_RAW_PAYLOAD,	/* binary: the payload as sent */
	PCN_A_RAW_STATUS,	/* u32: errno (positive) of the request, 0: a reply */
	PCN_A_RAW_REPLY,	/* binary: the reply's payload */
	PCN_A_MOVE_TID,		/* u32: a thread to move (MIGRATE) */
	PCN_A_MOVE_PID,		/* u32: a process whose threads to move */
	PCN_A_MOVE_WAIT_MS,	/* u32: how long to wait for the moves */
	PCN_A_MOVE,		/* nest, repeated: THREAD_TID, THREAD_NID, MOVE_STATUS */
	PCN_A_MOVE_STATUS,	/* u32: 0 moved; EALREADY was there; EINPROGRESS
				 * asked, not moved yet (blocked in a call);
				 * another errno (positive): refused, and why
				 */
	PCN_A_MOVE_NS,		/* u64: a thread that moved: nanoseconds from
				 * the request until this node saw it go (its
				 * state sent to the node) or come home
				 */
	PCN_A_PLACE_PID,	/* u32: the process to place (PLACE) */
	PCN_A_PLACE_MODE,	/* u8: enum pcn_place_mode */
	PCN_A_PLACE_NODES,	/* binary: node ids, one byte each, no repeats */
	PCN_A_STAT_UPTIME_NS,	/* u64: the node's boot clock when read */
	PCN_A_STAT_CPU_BUSY_NS,	/* u64: time all its CPUs were not idle since
				 * boot (busy share: delta over uptime delta
				 * times CPUS)
				 */
	PCN_A_STAT_CPUS,	/* u32: CPUs online */
	PCN_A_STAT_NR_RUNNING,	/* u32: runnable threads, all CPUs */
	PCN_A_THREAD_CPU_NS,	/* u64: CPU time the thread used on the node
				 * it runs on now (since it arrived there)
				 */
	PCN_A_THREAD_FAULTS,	/* u64: its faults that needed another node,
				 * on that node
				 */
	PCN_A_THREAD_CALLS,	/* u64: its system calls forwarded to the
				 * origin from that node
				 */
	PCN_A_STAT_PAGES_GRANTED, /* u64: origin: zero pages handed over with
				   * a fetch of a page nobody had
				   */
	PCN_A_STAT_GRANTED_MAPPED, /* u64: remote: such zero pages mapped
				    * before any fault on them
				    */
	PCN_A_STAT_AHEAD_SENT,	/* u64: origin: pages sent ahead of a read
				 * fault (read-ahead)
				 */
	PCN_A_STAT_AHEAD_MAPPED, /* u64: remote: such pages mapped */
	PCN_A_STAT_AHEAD_USED,	/* u64: remote: such pages the program
				 * touched before read-ahead looked again
				 */
	PCN_A_STAT_AHEAD_UNUSED, /* u64: remote: such pages it had not */
	PCN_A_KEY,		/* binary: the cluster key (KEY_SET) */
	PCN_A_KEY_SET,		/* flag, NODE_GET's SELF entry: a cluster key
				 * is set, handshakes must prove it
				 */
	PCN_A_STAT_SESSIONS_RESUMED, /* u64: links that came back within the
				      * grace period and carried on
				      */
	PCN_A_STAT_SESSIONS_LOST, /* u64: peers given up: their requests
				   * failed, processes that needed them ended
				   */
	PCN_A_STAT_MSGS_RESENT,	/* u64: messages sent again on a new link */
	PCN_A_STAT_RX_DUPS,	/* u64: messages received twice, dropped */
	__PCN_A_MAX,
};
#define PCN_A_MAX (__PCN_A_MAX - 1)

#endif /* _UAPI_POPCORN_PCN_NETLINK_H */
