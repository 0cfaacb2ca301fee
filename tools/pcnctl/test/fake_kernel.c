// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD stand-in for the kernel side of the "popcorn" genl family, for
 * testing pcnctl without a Popcorn kernel. It replaces libmnl's socket calls
 * (pcnctl still uses the real libmnl for everything else) and answers like
 * the kernel would: one reply "skb" per recvfrom(), extended ACKs, u64s
 * padded with PCN_A_PAD, NLMSG_DONE-terminated dumps.
 *
 * Knobs (environment): FAKE_NOFAMILY, FAKE_CAP (NLM_F_CAPPED acks),
 * FAKE_DUMP_ERR, FAKE_ONLINE_AFTER=N (node 2 online after N dumps),
 * FAKE_ECHO_ERRORS=N, FAKE_MISS (missing-attribute ext ack),
 * FAKE_PAGE_ERRORS=N, FAKE_PROBE_WORKS (the spent key still writes),
 * FAKE_PROBE_NONE (no PAGE_PROBE_ERR in the reply), FAKE_OLD_STAT (no
 * remote memory, fault, migration, invalidation or transport error
 * counters in STAT_GET, no per-peer ones in NODE_GET), FAKE_OLD_PROC (no
 * PROC_GET: EOPNOTSUPP), FAKE_NODE_GONE_AFTER=N (node 2 leaves the dump
 * after N dumps), FAKE_STAT_FAIL_AFTER=N (STAT_GET fails after N calls),
 * FAKE_KEY_SET (the SELF entry says a cluster key is set), FAKE_EPERM
 * (KEY_SET and KEY_CLEAR refused as without CAP_NET_ADMIN: EPERM, no
 * message), FAKE_KEY_ERR (KEY_SET refused with a message),
 * FAKE_KEY_OUT=FILE (KEY_SET writes the key it got there, KEY_CLEAR
 * "cleared").
 *
 * Counters that pcn-top shows as rates grow by a fixed step with every
 * request of their command (the first reply has the base values, which
 * the pcnctl tests check): per NODE_GET node 1 gets +6 messages and +1 MB
 * each way; per STAT_GET +3 read faults in histogram bucket 10
 * ([1024, 2048) ns), +2 invalidations sent, +1 received, +1 forward
 * migration in bucket 22, and +id messages, +100 * id bytes per type.
 *
 * Base histograms: read 90 faults in bucket 19 and 10 in bucket 20 (p50
 * 815.6 us, p99 1992.3 us, interpolated linearly in the bucket), write 40
 * in bucket 12 (p50 6.1 us, p99 8.2 us), upgrade none; migrations forward
 * 10 and home 9 in bucket 21 (p50 3145.7 us, p99 4173.3 us).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <popcorn/pcn_netlink.h>

#define FAKE_FAMILY	0x42
#define FAKE_PORTID	4242
#define QLEN		16
#define SKB		8192

static char queue[QLEN][SKB];
static size_t qlen[QLEN];
static int qhead, qtail;
static int dumps;
static unsigned int node_calls, stat_calls;	/* replies sent so far */

static struct nlmsghdr *skb_new(const struct nlmsghdr *req, uint16_t type,
				uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(queue[qtail]);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	return nlh;
}

/* Another message in the same skb as @prev. */
static struct nlmsghdr *skb_more(const struct nlmsghdr *prev,
				 const struct nlmsghdr *req, uint16_t type)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)prev +
			MNL_ALIGN(prev->nlmsg_len));

	memset(nlh, 0, sizeof(*nlh));
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	return nlh;
}

static void skb_queue(const struct nlmsghdr *last)
{
	qlen[qtail] = (char *)last + MNL_ALIGN(last->nlmsg_len) - queue[qtail];
	qtail = (qtail + 1) % QLEN;
}

static void genl_hdr(struct nlmsghdr *nlh, uint8_t cmd)
{
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	g->version = PCN_GENL_VERSION;
}

/* nla_put_u64_64bit() on an arch that wants 8-byte alignment. */
static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	if ((nlh->nlmsg_len + NLA_HDRLEN) % 8)
		mnl_attr_put(nlh, PCN_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, type, v);
}

static void ack(const struct nlmsghdr *req, int err, const char *msg)
{
	int cap = getenv("FAKE_CAP") || !err;
	struct nlmsghdr *nlh = skb_new(req, NLMSG_ERROR, 0);
	size_t len = sizeof(struct nlmsgerr) - sizeof(struct nlmsghdr) +
		     (cap ? sizeof(struct nlmsghdr) : req->nlmsg_len);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, len);

	e->error = err;
	memcpy(&e->msg, req, cap ? sizeof(*req) : req->nlmsg_len);
	if (cap)
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	if (msg && !strncmp(msg, "miss:", 5)) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, atoi(msg + 5));
	} else if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
	}
	skb_queue(nlh);
}

static void getfamily(const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh;

	if (getenv("FAKE_NOFAMILY")) {
		ack(req, -ENOENT, NULL);
		return;
	}
	nlh = skb_new(req, GENL_ID_CTRL, 0);
	genl_hdr(nlh, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PCN_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY);
	skb_queue(nlh);
	ack(req, 0, NULL);
}

static void put_type_n(struct nlmsghdr *nlh, uint16_t id, const char *name,
		       uint64_t msgs, uint64_t bytes)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, PCN_A_STAT_TYPE);

	mnl_attr_put_u16(nlh, PCN_A_TYPE_ID, id);
	mnl_attr_put_strz(nlh, PCN_A_TYPE_NAME, name);
	put_u64(nlh, PCN_A_MSGS_IN, msgs);
	put_u64(nlh, PCN_A_MSGS_OUT, msgs);
	put_u64(nlh, PCN_A_BYTES_IN, bytes);
	put_u64(nlh, PCN_A_BYTES_OUT, bytes);
	mnl_attr_nest_end(nlh, nest);
}

/* The newer per-peer attributes: transport errors and traffic by type. */
static void put_node_new(struct nlmsghdr *nlh, uint32_t nid)
{
	uint64_t k = node_calls;

	if (getenv("FAKE_OLD_STAT"))
		return;
	put_u64(nlh, PCN_A_STAT_TRANSPORT_ERRORS, nid == 2 ? 3 : 0);
	if (nid == 1) {
		put_type_n(nlh, 1, "handshake", 1, 64);
		put_type_n(nlh, 2, "echo_request", 0, 0);
		put_type_n(nlh, 5, "page_request", 1000 + 6 * k, 4096000);
	}
}

static void put_node(struct nlmsghdr *nlh, uint32_t nid, const char *addr,
		     const char *tr, int self, int loaded, int state)
{
	uint64_t k = nid == 1 ? node_calls : 0;

	genl_hdr(nlh, PCN_CMD_NODE_GET);
	mnl_attr_put_u32(nlh, PCN_A_NID, nid);
	mnl_attr_put_strz(nlh, PCN_A_ADDR, addr);
	mnl_attr_put_u16(nlh, PCN_A_PORT, PCN_DEFAULT_PORT);
	mnl_attr_put_strz(nlh, PCN_A_TRANSPORT, tr);
	mnl_attr_put_u8(nlh, PCN_A_STATE, state);
	mnl_attr_put_u8(nlh, PCN_A_ARCH, state == PCN_NODE_ONLINE);
	if (self)
		mnl_attr_put(nlh, PCN_A_SELF, 0, NULL);
	if (self && getenv("FAKE_KEY_SET"))
		mnl_attr_put(nlh, PCN_A_KEY_SET, 0, NULL);
	if (loaded)
		mnl_attr_put(nlh, PCN_A_TRANSPORT_LOADED, 0, NULL);
	put_u64(nlh, PCN_A_MSGS_IN, 1000 + nid + 6 * k);
	put_u64(nlh, PCN_A_MSGS_OUT, 2000 + nid + 6 * k);
	put_u64(nlh, PCN_A_BYTES_IN, (1ULL << 40) + 1000000 * k);
	put_u64(nlh, PCN_A_BYTES_OUT, 5 + 1000000 * k);
	put_u64(nlh, PCN_A_BAD_MSGS, nid);
	put_u64(nlh, PCN_A_CONNECTS, 1);
	if (!self)
		put_node_new(nlh, nid);
	mnl_attr_put_u32(nlh, 200, 7);	/* from a newer kernel: ignored */
}

static void node_dump(const struct nlmsghdr *req)
{
	const char *after = getenv("FAKE_ONLINE_AFTER");
	int st2 = after && ++dumps <= atoi(after) ? PCN_NODE_CONNECTING :
		  PCN_NODE_ONLINE;
	struct nlmsghdr *nlh;
	int err = -EIO;

	const char *gone = getenv("FAKE_NODE_GONE_AFTER");

	/* Nodes out of order, two per skb, then DONE alone. */
	nlh = skb_new(req, FAKE_FAMILY, NLM_F_MULTI);
	if (!gone || node_calls < (unsigned int)atoi(gone)) {
		put_node(nlh, 2, "10.0.0.3", "rdma", 0, 0, st2);
		nlh = skb_more(nlh, req, FAKE_FAMILY);
	}
	put_node(nlh, 0, "10.0.0.1", "tcp", 1, 1, PCN_NODE_ONLINE);
	skb_queue(nlh);
	nlh = skb_new(req, FAKE_FAMILY, NLM_F_MULTI);
	put_node(nlh, 1, "10.0.0.2", "tcp", 0, 1, PCN_NODE_ONLINE);
	skb_queue(nlh);

	nlh = skb_new(req, NLMSG_DONE, NLM_F_MULTI);
	if (!getenv("FAKE_DUMP_ERR"))
		err = 0;
	else
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	memcpy(mnl_nlmsg_get_payload(nlh), &err, sizeof(err));
	if (err)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump exploded");
	skb_queue(nlh);
	node_calls++;
}

static void put_type(struct nlmsghdr *nlh, uint16_t id, const char *name)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, PCN_A_STAT_TYPE);

	mnl_attr_put_u16(nlh, PCN_A_TYPE_ID, id);
	mnl_attr_put_strz(nlh, PCN_A_TYPE_NAME, name);
	put_u64(nlh, PCN_A_MSGS_IN, id * (10 + stat_calls));
	put_u64(nlh, PCN_A_MSGS_OUT, id * (11 + stat_calls));
	put_u64(nlh, PCN_A_BYTES_IN, id * (1000 + 100 * stat_calls));
	put_u64(nlh, PCN_A_BYTES_OUT, id * (1100 + 100 * stat_calls));
	mnl_attr_nest_end(nlh, nest);
}

/* LAT_HIST with @n1 samples in bucket @b1 and @n2 in @b2 (n = 0: none). */
static void put_hist(struct nlmsghdr *nlh, int b1, uint64_t n1, int b2,
		     uint64_t n2)
{
	uint64_t h[PCN_LAT_BUCKETS] = { 0 };

	h[b1] += n1;
	h[b2] += n2;
	mnl_attr_put(nlh, PCN_A_LAT_HIST, sizeof(h), h);
}

static void put_fault(struct nlmsghdr *nlh, int kind, uint64_t ok,
		      uint64_t retry, uint64_t error, int hist)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, PCN_A_STAT_FAULT);
	uint64_t k = stat_calls;

	mnl_attr_put_u8(nlh, PCN_A_FAULT_KIND, kind);
	put_u64(nlh, PCN_A_FAULT_OK, ok);
	put_u64(nlh, PCN_A_FAULT_RETRY, retry);
	put_u64(nlh, PCN_A_FAULT_ERROR, error);
	if (hist && kind == PCN_FAULT_READ) {
		uint64_t h[PCN_LAT_BUCKETS] = { 0 };

		h[19] = 90;
		h[20] = 10;
		h[10] = 3 * k;
		mnl_attr_put(nlh, PCN_A_LAT_HIST, sizeof(h), h);
	} else if (hist && kind == PCN_FAULT_WRITE) {
		put_hist(nlh, 12, 40, 0, 0);
	} else if (hist) {
		put_hist(nlh, 0, 0, 0, 0);
	}
	mnl_attr_nest_end(nlh, nest);
}

static void put_migrate(struct nlmsghdr *nlh, int dir, uint64_t count,
			uint64_t n22)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, PCN_A_STAT_MIGRATE);

	mnl_attr_put_u8(nlh, PCN_A_MIGRATE_DIR, dir);
	put_u64(nlh, PCN_A_MIGRATE_COUNT, count);
	put_hist(nlh, 21, count - n22, 22, n22);
	mnl_attr_nest_end(nlh, nest);
}

/* The fault, invalidation and migration counters of STAT_GET. */
static void stat_new(struct nlmsghdr *nlh)
{
	uint64_t k = stat_calls;

	put_fault(nlh, PCN_FAULT_READ, 100 + 3 * k, 2, 0, 1);
	put_fault(nlh, PCN_FAULT_WRITE, 40, 0, 1, 1);
	put_fault(nlh, PCN_FAULT_UPGRADE, 0, 0, 0, 1);
	put_fault(nlh, 7, 1, 1, 1, 1);		/* a newer kind: ignored */
	put_u64(nlh, PCN_A_STAT_INVAL_SENT, 7 + 2 * k);
	put_u64(nlh, PCN_A_STAT_INVAL_RECV, 5 + k);
	put_u64(nlh, PCN_A_STAT_TRANSPORT_ERRORS, 4);
	put_u64(nlh, PCN_A_STAT_PAGES_GRANTED, 640);
	put_migrate(nlh, PCN_MIGRATE_FORWARD, 10 + k, k);
	put_migrate(nlh, PCN_MIGRATE_HOME, 9, 0);
}

/*
 * STAT_GET NID of a peer: node 1 answers (each answer 1 s later on its
 * clock, 0.3 s of it busy on its 2 CPUs: 15 %; +5 read faults, +8
 * messages a call), node 2 does not (ETIMEDOUT), others are unknown.
 */
static void stat_get_peer(const struct nlmsghdr *req, uint32_t nid)
{
	static uint64_t calls;
	struct nlmsghdr *nlh;

	if (nid == 2) {
		ack(req, -ETIMEDOUT, NULL);
		return;
	}
	if (nid != 1) {
		ack(req, -ENOENT, "no such node");
		return;
	}
	nlh = skb_new(req, FAKE_FAMILY, 0);
	genl_hdr(nlh, PCN_CMD_STAT_GET);
	mnl_attr_put_u32(nlh, PCN_A_NID, 1);
	mnl_attr_put_u32(nlh, PCN_A_STAT_CPUS, 2);
	mnl_attr_put_u32(nlh, PCN_A_STAT_NR_RUNNING, 1);
	put_u64(nlh, PCN_A_STAT_UPTIME_NS, 500000000000ULL + calls * 1000000000);
	put_u64(nlh, PCN_A_STAT_CPU_BUSY_NS, 1000000000ULL + calls * 300000000);
	put_u64(nlh, PCN_A_STAT_REMOTE_THREADS, 4);
	put_fault(nlh, PCN_FAULT_READ, 50 + 5 * calls, 0, 0, 1);
	put_type(nlh, 1, "handshake");
	put_type(nlh, 4, "stat_request");
	skb_queue(nlh);
	ack(req, 0, NULL);
	calls++;
}

static void stat_get(const struct nlmsghdr *req, const struct nlattr **tb)
{
	const char *fail = getenv("FAKE_STAT_FAIL_AFTER");
	struct nlmsghdr *nlh;

	if (tb[PCN_A_NID] && mnl_attr_get_u32(tb[PCN_A_NID]) != 0) {
		stat_get_peer(req, mnl_attr_get_u32(tb[PCN_A_NID]));
		return;
	}
	if (fail && stat_calls >= (unsigned int)atoi(fail)) {
		ack(req, -EIO, "stats exploded");
		return;
	}
	nlh = skb_new(req, FAKE_FAMILY, 0);
	genl_hdr(nlh, PCN_CMD_STAT_GET);
	mnl_attr_put_u32(nlh, PCN_A_NID, 0);
	if (!getenv("FAKE_OLD_STAT")) {
		/* 2 CPUs, 1 s of clock and 1 s busy a call: 50 % */
		mnl_attr_put_u32(nlh, PCN_A_STAT_CPUS, 2);
		mnl_attr_put_u32(nlh, PCN_A_STAT_NR_RUNNING, 3);
		put_u64(nlh, PCN_A_STAT_UPTIME_NS,
			100000000000ULL + stat_calls * 1000000000ULL);
		put_u64(nlh, PCN_A_STAT_CPU_BUSY_NS,
			20000000000ULL + stat_calls * 1000000000ULL);
	}
	put_u64(nlh, PCN_A_STAT_RX_BAD, 3);
	put_u64(nlh, PCN_A_STAT_HS_REFUSED, 1);
	put_u64(nlh, PCN_A_STAT_WS_TIMEOUTS, 0);
	put_u64(nlh, PCN_A_STAT_LATE_REPLIES, 2);
	mnl_attr_put_u32(nlh, PCN_A_STAT_MAX_PAYLOAD, 8160);
	if (!getenv("FAKE_OLD_STAT")) {
		put_u64(nlh, PCN_A_STAT_PAGES_EXPOSED, 12);
		put_u64(nlh, PCN_A_STAT_PAGES_EXPOSED_TOTAL, 1ULL << 33);
		put_u64(nlh, PCN_A_STAT_REMOTE_REGIONS, 14);
		put_u64(nlh, PCN_A_STAT_REMOTE_BYTES, 4456448);
		stat_new(nlh);
	}
	put_type(nlh, 1, "handshake");
	put_type(nlh, 2, "echo_request");
	put_type(nlh, 3, "a\"quoted\\name");
	skb_queue(nlh);
	ack(req, 0, NULL);
	stat_calls++;
}

static void put_thread(struct nlmsghdr *nlh, uint32_t tid, uint32_t nid,
		       uint32_t local)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, PCN_A_PROC_THREAD);

	mnl_attr_put_u32(nlh, PCN_A_THREAD_TID, tid);
	mnl_attr_put_u32(nlh, PCN_A_THREAD_NID, nid);
	mnl_attr_put_u32(nlh, PCN_A_THREAD_LOCAL_TID, local);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * Two processes, out of order and in two skbs: 123 "migrate" from here
 * with a thread on node 1, and 200, a copy of node 1's 77, with an odd
 * name and no counters (as from an older kernel).
 */
#define NO_LOCAL	UINT32_MAX

/* A thread with its figures; @local NO_LOCAL: none (PROC_GET PID). */
static void put_thread_figures(struct nlmsghdr *nlh, uint32_t tid,
			       uint32_t nid, uint32_t local, uint64_t cpu,
			       uint64_t faults, uint64_t calls)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, PCN_A_PROC_THREAD);

	mnl_attr_put_u32(nlh, PCN_A_THREAD_TID, tid);
	mnl_attr_put_u32(nlh, PCN_A_THREAD_NID, nid);
	if (local != NO_LOCAL)
		mnl_attr_put_u32(nlh, PCN_A_THREAD_LOCAL_TID, local);
	put_u64(nlh, PCN_A_THREAD_CPU_NS, cpu);
	put_u64(nlh, PCN_A_THREAD_FAULTS, faults);
	put_u64(nlh, PCN_A_THREAD_CALLS, calls);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * PROC_GET PID (no dump flag): 123 started here, its thread 124 at node 1
 * with figures from there; 200 runs here for node 1 (EREMOTE); others
 * ESRCH.
 */
static void proc_get(const struct nlmsghdr *req, uint32_t pid)
{
	struct nlmsghdr *nlh;

	if (getenv("FAKE_OLD_PROC")) {
		ack(req, -EOPNOTSUPP, NULL);
		return;
	}
	if (pid == 200) {
		ack(req, -EREMOTE, "it runs here for another node: ask its origin");
		return;
	}
	if (pid != 123) {
		ack(req, -ESRCH, "no such process");
		return;
	}
	nlh = skb_new(req, FAKE_FAMILY, 0);
	genl_hdr(nlh, PCN_CMD_PROC_GET);
	mnl_attr_put_u32(nlh, PCN_A_PROC_PID, 123);
	mnl_attr_put_u32(nlh, PCN_A_PROC_ORIGIN_NID, 0);
	mnl_attr_put_u32(nlh, PCN_A_PROC_ORIGIN_PID, 123);
	mnl_attr_put_strz(nlh, PCN_A_PROC_COMM, "migrate");
	mnl_attr_put_u8(nlh, PCN_A_PLACE_MODE, PCN_PLACE_BALANCE);
	put_thread_figures(nlh, 123, 0, NO_LOCAL, 1500000000, 0, 0);
	put_thread_figures(nlh, 124, 1, NO_LOCAL, 2250000000ULL, 40, 7);
	skb_queue(nlh);
	ack(req, 0, NULL);
}

/* PLACE_GET: 123 balanced over any node, 300 spread over 0 and 1. */
static void place_dump(const struct nlmsghdr *req)
{
	static const uint8_t nodes[] = { 0, 1 };
	struct nlmsghdr *nlh;
	int err = 0;

	nlh = skb_new(req, FAKE_FAMILY, NLM_F_MULTI);
	genl_hdr(nlh, PCN_CMD_PLACE_GET);
	mnl_attr_put_u32(nlh, PCN_A_PLACE_PID, 123);
	mnl_attr_put_u8(nlh, PCN_A_PLACE_MODE, PCN_PLACE_BALANCE);
	skb_queue(nlh);
	nlh = skb_new(req, FAKE_FAMILY, NLM_F_MULTI);
	genl_hdr(nlh, PCN_CMD_PLACE_GET);
	mnl_attr_put_u32(nlh, PCN_A_PLACE_PID, 300);
	mnl_attr_put_u8(nlh, PCN_A_PLACE_MODE, PCN_PLACE_SPREAD);
	mnl_attr_put(nlh, PCN_A_PLACE_NODES, sizeof(nodes), nodes);
	skb_queue(nlh);
	nlh = skb_new(req, NLMSG_DONE, NLM_F_MULTI);
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	memcpy(mnl_nlmsg_get_payload(nlh), &err, sizeof(err));
	skb_queue(nlh);
}

static void proc_dump(const struct nlmsghdr *req)
{
	struct nlmsghdr *nlh;
	int err = 0;

	if (getenv("FAKE_OLD_PROC")) {
		ack(req, -EOPNOTSUPP, NULL);
		return;
	}
	nlh = skb_new(req, FAKE_FAMILY, NLM_F_MULTI);
	genl_hdr(nlh, PCN_CMD_PROC_GET);
	mnl_attr_put_u32(nlh, PCN_A_PROC_PID, 200);
	mnl_attr_put_u32(nlh, PCN_A_PROC_ORIGIN_NID, 1);
	mnl_attr_put_u32(nlh, PCN_A_PROC_ORIGIN_PID, 77);
	mnl_attr_put_strz(nlh, PCN_A_PROC_COMM, "a b\"c");
	put_thread(nlh, 78, 0, 201);
	skb_queue(nlh);

	nlh = skb_new(req, FAKE_FAMILY, NLM_F_MULTI);
	genl_hdr(nlh, PCN_CMD_PROC_GET);
	mnl_attr_put_u32(nlh, PCN_A_PROC_PID, 123);
	mnl_attr_put_u32(nlh, PCN_A_PROC_ORIGIN_NID, 0);
	mnl_attr_put_u32(nlh, PCN_A_PROC_ORIGIN_PID, 123);
	mnl_attr_put_strz(nlh, PCN_A_PROC_COMM, "migrate");
	put_thread_figures(nlh, 123, 0, 123, 1500000000, 0, 0);
	put_thread(nlh, 124, 1, 124);
	put_fault(nlh, PCN_FAULT_READ, 10, 1, 0, 0);
	put_fault(nlh, PCN_FAULT_WRITE, 3, 0, 0, 0);
	put_fault(nlh, PCN_FAULT_UPGRADE, 1, 0, 0, 0);
	put_u64(nlh, PCN_A_STAT_MIGRATIONS_OUT, 4);
	put_u64(nlh, PCN_A_STAT_MIGRATIONS_IN, 3);
	put_u64(nlh, PCN_A_STAT_INVAL_SENT, 2);
	put_u64(nlh, PCN_A_STAT_INVAL_RECV, 1);
	skb_queue(nlh);

	nlh = skb_new(req, NLMSG_DONE, NLM_F_MULTI);
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	memcpy(mnl_nlmsg_get_payload(nlh), &err, sizeof(err));
	skb_queue(nlh);
}

static void echo(const struct nlmsghdr *req, const struct nlattr **tb)
{
	struct nlmsghdr *nlh = skb_new(req, FAKE_FAMILY, 0);
	uint32_t count = mnl_attr_get_u32(tb[PCN_A_ECHO_COUNT]);
	uint32_t errs = getenv("FAKE_ECHO_ERRORS") ?
			atoi(getenv("FAKE_ECHO_ERRORS")) : 0;

	genl_hdr(nlh, PCN_CMD_ECHO);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_COUNT, count);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_THREADS,
			 mnl_attr_get_u32(tb[PCN_A_ECHO_THREADS]));
	mnl_attr_put_u32(nlh, PCN_A_ECHO_MAX_SIZE, tb[PCN_A_ECHO_MAX_SIZE] ?
			 mnl_attr_get_u32(tb[PCN_A_ECHO_MAX_SIZE]) : 8160);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_OK, count - errs);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_ERRORS, errs);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_FIRST_ERR, errs ? -ETIMEDOUT : 0);
	put_u64(nlh, PCN_A_ECHO_MIN_NS, 410000);
	put_u64(nlh, PCN_A_ECHO_P50_NS, 800000);
	put_u64(nlh, PCN_A_ECHO_P99_NS, 2100000);
	put_u64(nlh, PCN_A_ECHO_MAX_NS, 9300000);
	put_u64(nlh, PCN_A_ECHO_WALL_NS, 2000000000ULL);
	skb_queue(nlh);
	ack(req, 0, NULL);
}

/* 1000 pages in 0.81 s: 1234 pages/s. Push runs have a distinct minimum. */
static void page_test(const struct nlmsghdr *req, const struct nlattr **tb)
{
	struct nlmsghdr *nlh = skb_new(req, FAKE_FAMILY, 0);
	uint32_t count = mnl_attr_get_u32(tb[PCN_A_PAGE_COUNT]);
	uint8_t mode = mnl_attr_get_u8(tb[PCN_A_PAGE_MODE]);
	uint32_t errs = getenv("FAKE_PAGE_ERRORS") ?
			atoi(getenv("FAKE_PAGE_ERRORS")) : 0;

	genl_hdr(nlh, PCN_CMD_PAGE_TEST);
	/* Like the kernel: the request's parameters come back first. */
	mnl_attr_put_u32(nlh, PCN_A_NID, mnl_attr_get_u32(tb[PCN_A_NID]));
	mnl_attr_put_u32(nlh, PCN_A_PAGE_COUNT, count);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_THREADS,
			 mnl_attr_get_u32(tb[PCN_A_ECHO_THREADS]));
	mnl_attr_put_u8(nlh, PCN_A_PAGE_MODE, mode);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_OK, count - errs);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_ERRORS, errs);
	mnl_attr_put_u32(nlh, PCN_A_ECHO_FIRST_ERR, errs ? EREMOTEIO : 0);
	put_u64(nlh, PCN_A_ECHO_MIN_NS,
		mode == PCN_PAGE_TEST_PUSH ? 520000 : 410000);
	put_u64(nlh, PCN_A_ECHO_P50_NS, 800000);
	put_u64(nlh, PCN_A_ECHO_P99_NS, 2100000);
	put_u64(nlh, PCN_A_ECHO_MAX_NS, 9300000);
	put_u64(nlh, PCN_A_ECHO_WALL_NS, count * 810372ULL);
	if (tb[PCN_A_PAGE_PROBE] && !getenv("FAKE_PROBE_NONE"))
		mnl_attr_put_u32(nlh, PCN_A_PAGE_PROBE_ERR,
				 getenv("FAKE_PROBE_WORKS") ? 0 : EIO);
	skb_queue(nlh);
	ack(req, 0, NULL);
}

/* FAKE_KEY_OUT, if set: @len bytes of @data, or "cleared". */
static void key_out(const void *data, size_t len)
{
	const char *path = getenv("FAKE_KEY_OUT");
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
	if (data)
		fwrite(data, 1, len, f);
	else
		fputs("cleared", f);
	fclose(f);
}

/* KEY_SET and KEY_CLEAR, checked as the kernel's policy would. */
static void key_cmd(const struct nlmsghdr *req, const struct nlattr **tb,
		    uint8_t cmd)
{
	const struct nlattr *attr;
	size_t len;

	if (getenv("FAKE_EPERM")) {
		ack(req, -EPERM, NULL);		/* GENL_ADMIN_PERM */
		return;
	}
	if (cmd == PCN_CMD_KEY_CLEAR) {
		mnl_attr_for_each(attr, req, sizeof(struct genlmsghdr)) {
			ack(req, -EINVAL, "KEY_CLEAR takes no attribute");
			return;
		}
		key_out(NULL, 0);
		ack(req, 0, NULL);
		return;
	}
	if (!tb[PCN_A_KEY]) {
		char miss[16];

		snprintf(miss, sizeof(miss), "miss:%d", PCN_A_KEY);
		ack(req, -EINVAL, miss);
		return;
	}
	len = mnl_attr_get_payload_len(tb[PCN_A_KEY]);
	if (len < PCN_KEY_MIN || len > PCN_KEY_MAX) {
		ack(req, -EINVAL, "key length out of range");
		return;
	}
	if (getenv("FAKE_KEY_ERR")) {
		ack(req, -EBUSY, "key change in progress");
		return;
	}
	key_out(mnl_attr_get_payload(tb[PCN_A_KEY]), len);
	ack(req, 0, NULL);
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(attr) <= PCN_A_MAX)
		tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static void check_req(const struct nlmsghdr *req, const struct nlattr **tb)
{
	uint8_t cmd = ((const struct genlmsghdr *)
		       mnl_nlmsg_get_payload(req))->cmd;

	if (getenv("FAKE_MISS")) {
		ack(req, -EINVAL, "miss:1");	/* GENL_REQ_ATTR_CHECK style */
	} else if (cmd == PCN_CMD_NODE_GET) {
		node_dump(req);
	} else if (cmd == PCN_CMD_STAT_GET) {
		stat_get(req, tb);
	} else if (cmd == PCN_CMD_PROC_GET && !(req->nlmsg_flags & NLM_F_DUMP) &&
		   tb[PCN_A_PROC_PID]) {
		proc_get(req, mnl_attr_get_u32(tb[PCN_A_PROC_PID]));
	} else if (cmd == PCN_CMD_PROC_GET) {
		proc_dump(req);
	} else if (cmd == PCN_CMD_PLACE_GET) {
		place_dump(req);
	} else if (cmd == PCN_CMD_KEY_SET || cmd == PCN_CMD_KEY_CLEAR) {
		key_cmd(req, tb, cmd);
	} else if (cmd == PCN_CMD_ECHO) {
		if (!tb[PCN_A_NID] || !tb[PCN_A_ECHO_COUNT] ||
		    !tb[PCN_A_ECHO_THREADS])
			ack(req, -EINVAL, "missing attribute");
		else
			echo(req, tb);
	} else if (!tb[PCN_A_NID]) {
		ack(req, -EINVAL, "node id missing");
	} else if (mnl_attr_get_u32(tb[PCN_A_NID]) >= PCN_MAX_NODES) {
		ack(req, -ERANGE, "node id out of range (0..31)");
	} else if (cmd == PCN_CMD_PAGE_TEST) {
		if (!tb[PCN_A_PAGE_COUNT] || !tb[PCN_A_ECHO_THREADS] ||
		    !tb[PCN_A_PAGE_MODE])
			ack(req, -EINVAL, "missing attribute");
		else if (mnl_attr_validate(tb[PCN_A_PAGE_MODE], MNL_TYPE_U8) ||
			 (mnl_attr_get_u8(tb[PCN_A_PAGE_MODE]) !=
			  PCN_PAGE_TEST_PULL &&
			  mnl_attr_get_u8(tb[PCN_A_PAGE_MODE]) !=
			  PCN_PAGE_TEST_PUSH))
			ack(req, -EINVAL, "bad page test mode");
		else if (tb[PCN_A_PAGE_PROBE] &&
			 mnl_attr_get_payload_len(tb[PCN_A_PAGE_PROBE]))
			ack(req, -EINVAL, "probe is a flag");
		else
			page_test(req, tb);
	} else if (cmd == PCN_CMD_NODE_ADD) {
		struct in_addr in;

		if (!tb[PCN_A_ADDR])
			ack(req, -EINVAL, "miss:2");
		else if (!inet_aton(mnl_attr_get_str(tb[PCN_A_ADDR]), &in))
			ack(req, -EINVAL, "address is not an IPv4 dotted quad");
		else if (tb[PCN_A_TRANSPORT] &&
			 strcmp(mnl_attr_get_str(tb[PCN_A_TRANSPORT]), "tcp"))
			ack(req, -ENOENT, "transport rdma is not loaded");
		else
			ack(req, 0, NULL);
	} else if (cmd == PCN_CMD_NODE_DEL) {
		ack(req, -ENOENT, NULL);
	} else {
		ack(req, 0, NULL);
	}
}

struct mnl_socket *mnl_socket_open(int bus)
{
	static int dummy;

	(void)bus;
	return (struct mnl_socket *)&dummy;
}

int mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	(void)nl; (void)groups; (void)pid;
	return 0;
}

int mnl_socket_setsockopt(const struct mnl_socket *nl, int type, void *buf,
			  socklen_t len)
{
	(void)nl; (void)type; (void)buf; (void)len;
	return 0;
}

unsigned int mnl_socket_get_portid(const struct mnl_socket *nl)
{
	(void)nl;
	return FAKE_PORTID;
}

int mnl_socket_close(struct mnl_socket *nl)
{
	(void)nl;
	return 0;
}

ssize_t mnl_socket_sendto(const struct mnl_socket *nl, const void *buf,
			  size_t len)
{
	const struct nlmsghdr *req = buf;
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };

	(void)nl;
	if (len < sizeof(*req) || req->nlmsg_len != len) {
		errno = EINVAL;
		return -1;
	}
	if (req->nlmsg_type == GENL_ID_CTRL) {
		getfamily(req);
		return len;
	}
	if (req->nlmsg_type != FAKE_FAMILY) {
		ack(req, -EOPNOTSUPP, NULL);
		return len;
	}
	mnl_attr_parse(req, sizeof(struct genlmsghdr), attr_cb, tb);
	check_req(req, tb);
	return len;
}

ssize_t mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf,
			    size_t len)
{
	size_t n;

	(void)nl;
	if (qhead == qtail) {
		fprintf(stderr, "fake_kernel: recv with nothing queued\n");
		errno = EAGAIN;
		return -1;
	}
	n = qlen[qhead];
	if (n > len) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(buf, queue[qhead], n);
	qhead = (qhead + 1) % QLEN;
	return n;
}
