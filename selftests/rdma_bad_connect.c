// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed connection requests to the RDMA transport's rdma_cm port must
 * be rejected and counted, and the cluster must keep working. The RDMA
 * twin of malformed_frames.c: the handshake of pcn_rdma travels in the
 * connection's private data. Runs on node 0; dials its own listener.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rdma/rdma_cma.h>
#include <popcorn/pcn_netlink.h>
#include <popcorn/pcn_wire.h>
#include "rdma_cm_priv.h"	/* pcn_rdma's own: drivers/pcn_rdma */
#include "kselftest_harness.h"
#include "pcn_stat.h"

#define SELF_ADDR	"10.99.0.1"
#define EVENT_WAIT_MS	15000

/* Next event on @ch, or -1 after the timeout. */
static int next_event(struct rdma_event_channel *ch)
{
	struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };
	struct rdma_cm_event *ev;
	int type;

	if (poll(&pfd, 1, EVENT_WAIT_MS) != 1 || rdma_get_cm_event(ch, &ev))
		return -1;
	type = ev->event;
	rdma_ack_cm_event(ev);
	return type;
}

/*
 * Dial our own pcn_rdma listener with @priv as private data; returns the
 * rdma_cm event that ended the attempt (REJECTED is what we want).
 */
static int dial(const void *priv, uint8_t len)
{
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(PCN_DEFAULT_PORT) };
	struct rdma_conn_param param = { .private_data = priv,
					 .private_data_len = len,
					 .retry_count = 3, .rnr_retry_count = 3 };
	struct ibv_qp_init_attr qpa = { .qp_type = IBV_QPT_RC,
					.cap = { .max_send_wr = 1, .max_recv_wr = 1,
						 .max_send_sge = 1, .max_recv_sge = 1 } };
	struct rdma_event_channel *ch;
	struct rdma_cm_id *id = NULL;
	struct ibv_cq *cq = NULL;
	struct ibv_pd *pd = NULL;
	int ev = -1;

	inet_pton(AF_INET, SELF_ADDR, &dst.sin_addr);
	ch = rdma_create_event_channel();
	if (!ch || rdma_create_id(ch, &id, NULL, RDMA_PS_TCP))
		goto out;
	if (rdma_resolve_addr(id, NULL, (struct sockaddr *)&dst, 2000) ||
	    next_event(ch) != RDMA_CM_EVENT_ADDR_RESOLVED ||
	    rdma_resolve_route(id, 2000) ||
	    next_event(ch) != RDMA_CM_EVENT_ROUTE_RESOLVED)
		goto out;
	pd = ibv_alloc_pd(id->verbs);
	cq = pd ? ibv_create_cq(id->verbs, 2, NULL, NULL, 0) : NULL;
	if (!cq)
		goto out;
	qpa.send_cq = cq;
	qpa.recv_cq = cq;
	if (rdma_create_qp(id, pd, &qpa) || rdma_connect(id, &param))
		goto out;
	ev = next_event(ch);
	if (ev == RDMA_CM_EVENT_ESTABLISHED)
		rdma_disconnect(id);
out:
	if (id && id->qp)
		rdma_destroy_qp(id);
	if (cq)
		ibv_destroy_cq(cq);
	if (pd)
		ibv_dealloc_pd(pd);
	if (id)
		rdma_destroy_id(id);
	if (ch)
		rdma_destroy_event_channel(ch);
	return ev;
}

static struct pcn_rdma_cm_priv good_priv(void)
{
	struct pcn_rdma_cm_priv p = {
		.magic = PCN_KMSG_MAGIC, .proto_version = PCN_KMSG_VERSION,
		.nid = 1, .arch = PCN_ARCH_X86_64, .mode = PCN_RDMA_WRITE_IMM,
		.max_size = PCN_KMSG_MAX_SIZE, .slots = 64,
	};
	return p;
}

#define EXPECT_REFUSED(priv, len) do {					\
	long long before = pcn_refusals();				\
	int ev = dial(priv, len);					\
	ASSERT_EQ(ev, RDMA_CM_EVENT_REJECTED)				\
		TH_LOG("expected a rejection, got rdma_cm event %d", ev); \
	ASSERT_GT(pcn_refusals(), before)				\
		TH_LOG("refusal not counted");				\
} while (0)

TEST(no_private_data)
{
	EXPECT_REFUSED(NULL, 0);
}

TEST(short_private_data)
{
	struct pcn_rdma_cm_priv p = good_priv();

	EXPECT_REFUSED(&p, 6);
}

TEST(wrong_magic)
{
	struct pcn_rdma_cm_priv p = good_priv();

	p.magic = 0xdeadbeef;
	EXPECT_REFUSED(&p, sizeof(p));
}

TEST(wrong_version)
{
	struct pcn_rdma_cm_priv p = good_priv();

	p.proto_version = PCN_KMSG_VERSION + 3;
	EXPECT_REFUSED(&p, sizeof(p));
}

TEST(node_id_out_of_range)
{
	struct pcn_rdma_cm_priv p = good_priv();

	p.nid = 200;
	EXPECT_REFUSED(&p, sizeof(p));
}

TEST(impostor)
{
	/* Well formed, but node 1 does not live at node 0's address. */
	struct pcn_rdma_cm_priv p = good_priv();

	EXPECT_REFUSED(&p, sizeof(p));
}

TEST(cluster_still_works)
{
	ASSERT_EQ(system("pcnctl node wait --timeout 30 >/dev/null"), 0);
	ASSERT_EQ(system("pcnctl echo 1 --count 200 --threads 2 >/dev/null"), 0);
}

TEST_HARNESS_MAIN
