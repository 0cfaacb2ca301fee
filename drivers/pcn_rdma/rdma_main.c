// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn RDMA transport (pcn_rdma.ko): in-kernel verbs, rdma_cm, one RC
 * queue pair per peer, a credit-controlled message ring per direction.
 * This file: the module, the ib_client and the operations the core calls.
 */
#define pr_fmt(fmt) "pcn_rdma: " fmt

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include "rdma.h"

unsigned short pcn_rdma_port = PCN_DEFAULT_PORT;
module_param_named(port, pcn_rdma_port, ushort, 0444);
MODULE_PARM_DESC(port, "rdma_cm port to listen on (default 10100)");

unsigned int pcn_rdma_slots = 64;
module_param_named(ring_slots, pcn_rdma_slots, uint, 0444);
MODULE_PARM_DESC(ring_slots, "receive ring slots per peer, a power of two 2..1024 (default 64); equal on all nodes");

bool pcn_rdma_force_send;
module_param_named(force_send, pcn_rdma_force_send, bool, 0444);
MODULE_PARM_DESC(force_send, "use SEND/RECV even where WRITE_WITH_IMM works (testing)");

/*
 * Test and benchmark knobs, in debugfs with CONFIG_POPCORN_SELFTEST
 * (/sys/kernel/debug/popcorn/rdma/); fixed at their defaults without it.
 *   rx_delay_us  delay each received message: a slow receiver (tests of
 *                ring back-pressure)
 *   imm_replies  a page reply is the immediate of the page's write (on);
 *                off: a message after the write, to measure the difference
 *   stale_keys   take every key a peer names as one of an earlier link:
 *                page writes go as PAGE_DATA messages, as they do after a
 *                link came back (tests of that path)
 */
u32 pcn_rdma_rx_delay_us;
bool pcn_rdma_imm_replies = true;
bool pcn_rdma_stale_keys;

#ifdef CONFIG_POPCORN_SELFTEST
static struct dentry *pcn_rdma_debugfs;

static void pcn_rdma_debugfs_init(void)
{
	pcn_rdma_debugfs = debugfs_create_dir("rdma", pcn_debugfs_dir());
	debugfs_create_u32("rx_delay_us", 0600, pcn_rdma_debugfs,
			   &pcn_rdma_rx_delay_us);
	debugfs_create_bool("imm_replies", 0600, pcn_rdma_debugfs,
			    &pcn_rdma_imm_replies);
	debugfs_create_bool("stale_keys", 0600, pcn_rdma_debugfs,
			    &pcn_rdma_stale_keys);
}

static void pcn_rdma_debugfs_exit(void)
{
	debugfs_remove_recursive(pcn_rdma_debugfs);
}
#else
static void pcn_rdma_debugfs_init(void) {}
static void pcn_rdma_debugfs_exit(void) {}
#endif

struct workqueue_struct *pcn_rdma_wq;

static int pcn_rdma_connect(struct pcn_node *node)
{
	struct pcn_rdma_peer *peer;

	peer = kzalloc(sizeof(*peer), GFP_KERNEL);
	if (!peer)
		return -ENOMEM;
	pcn_peer_link_init(&peer->link, node, pcn_rdma_wq,
			   pcn_rdma_connect_work);
	/* Paired with smp_load_acquire() on a connection request. */
	smp_store_release(&node->tpriv, peer);
	pcn_peer_link_start(&peer->link);
	return 0;
}

static void pcn_rdma_disconnect(struct pcn_node *node)
{
	struct pcn_rdma_peer *peer = node->tpriv;

	pcn_peer_link_stop(&peer->link);
	pcn_rdma_peer_drop(peer);
}

static void pcn_rdma_destroy(struct pcn_node *node)
{
	kfree(pcn_rdma_peer_forget(node));
}

static int pcn_rdma_send(struct pcn_node *node, const struct pcn_kmsg_hdr *hdr,
			 const void *payload)
{
	struct pcn_rdma_conn *conn = pcn_rdma_conn_get(node->tpriv);
	int ret;

	if (!conn)
		return -ENOTCONN;
	ret = pcn_rdma_ring_send(conn, hdr, payload);
	pcn_rdma_conn_put(conn);
	return ret;
}

struct pcn_transport pcn_rdma_transport = {
	.name = "rdma",
	.owner = THIS_MODULE,
	.connect = pcn_rdma_connect,
	.disconnect = pcn_rdma_disconnect,
	.destroy = pcn_rdma_destroy,
	.send = pcn_rdma_send,
	.release = pcn_rdma_rx_release,
	.page_expose = pcn_rdma_page_expose,
	.page_unexpose = pcn_rdma_page_unexpose,
	.page_write = pcn_rdma_page_write,
	.page_read = pcn_rdma_page_read,
	.send_page = pcn_rdma_send_page,
	.page_fill = pcn_rdma_page_fill,
	.drop = pcn_rdma_drop,
	/* Exposures outlive links; a stale key gets -ESTALE (rdma_page.c). */
	.resumable = true,
};

static int pcn_rdma_add_one(struct ib_device *dev)
{
	return 0;	/* connections find their device through rdma_cm */
}

/* `rdma link del`, or a driver going away: drop what lives on @dev. */
static void pcn_rdma_remove_one(struct ib_device *dev, void *client_data)
{
	pcn_rdma_remove_device(dev);
}

static struct ib_client pcn_rdma_ib_client = {
	.name = "pcn_rdma",
	.add = pcn_rdma_add_one,
	.remove = pcn_rdma_remove_one,
};

static int __init pcn_rdma_init(void)
{
	int ret;

	if (!pcn_ring_slots_valid(pcn_rdma_slots)) {
		pr_err("ring_slots must be a power of two, %u..%u\n",
		       PCN_RING_MIN_SLOTS, PCN_RING_MAX_SLOTS);
		return -EINVAL;
	}
	pcn_rdma_wq = alloc_workqueue("pcn_rdma", WQ_UNBOUND | WQ_MEM_RECLAIM,
				      0);
	if (!pcn_rdma_wq)
		return -ENOMEM;
	ret = ib_register_client(&pcn_rdma_ib_client);
	if (ret)
		goto destroy_wq;
	ret = pcn_rdma_listen();
	if (ret)
		goto unregister_client;
	ret = pcn_transport_register(&pcn_rdma_transport);
	if (ret)
		goto unlisten;
	pcn_rdma_debugfs_init();
	pr_info("listening on port %u, %u ring slots per peer\n",
		pcn_rdma_port, pcn_rdma_slots);
	return 0;

unlisten:
	pcn_rdma_unlisten();
unregister_client:
	ib_unregister_client(&pcn_rdma_ib_client);
destroy_wq:
	destroy_workqueue(pcn_rdma_wq);
	return ret;
}

static void __exit pcn_rdma_exit(void)
{
	pcn_rdma_debugfs_exit();
	pcn_rdma_unlisten();
	pcn_transport_unregister(&pcn_rdma_transport);
	ib_unregister_client(&pcn_rdma_ib_client);
	destroy_workqueue(pcn_rdma_wq);
}

module_init(pcn_rdma_init);
module_exit(pcn_rdma_exit);
MODULE_DESCRIPTION("Popcorn RDMA transport");
MODULE_LICENSE("GPL");
