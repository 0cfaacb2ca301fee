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
	PCN_CMD_STAT_GET,	/* node-wide counters and STAT_TYPE nests */
	/*
	 * ECHO: NID, ECHO_COUNT, ECHO_THREADS, ECHO_MAX_SIZE -> ECHO_* results.
	 * PAGE_TEST: NID, PAGE_COUNT, ECHO_THREADS, PAGE_MODE, [PAGE_PROBE]
	 * -> ECHO_OK, ECHO_ERRORS, ECHO_FIRST_ERR, ECHO_*_NS (per page),
	 * [PAGE_PROBE_ERR]. Both block until done; a fatal signal ends them.
	 */
	PCN_CMD_ECHO,
	PCN_CMD_PAGE_TEST,
	__PCN_CMD_MAX,
};
#define PCN_CMD_MAX (__PCN_CMD_MAX - 1)

enum pcn_node_state {
	PCN_NODE_DOWN,		/* configured, not connected */
	PCN_NODE_CONNECTING,	/* transport is connecting or handshaking */
	PCN_NODE_ONLINE,	/* handshake done, messages flow */
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
				 * TYPE_NAME, MSGS_IN, MSGS_OUT, BYTES_IN, BYTES_OUT
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
	__PCN_A_MAX,
};
#define PCN_A_MAX (__PCN_A_MAX - 1)

#endif /* _UAPI_POPCORN_PCN_NETLINK_H */
