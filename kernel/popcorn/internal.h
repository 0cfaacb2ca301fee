/* SPDX-License-Identifier: GPL-2.0 */
/* Popcorn core: declarations shared by the files of kernel/popcorn only. */
#ifndef _KERNEL_POPCORN_INTERNAL_H
#define _KERNEL_POPCORN_INTERNAL_H

#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/srcu.h>
#include <popcorn/pcn_kmsg.h>
#include "stats.h"


/* Serialises membership changes and transport (un)registration. */
extern struct mutex pcn_config_mutex;
/* Protects calls into a transport against its unregistration. */
extern struct srcu_struct pcn_transport_srcu;

/* Node-wide counters (pcnctl stat). */
struct pcn_core_stats {
	atomic64_t rx_bad;
	atomic64_t hs_refused;
	atomic64_t ws_timeouts;
	atomic64_t late_replies;
	atomic64_t pages_exposed;
	atomic64_t pages_exposed_total;
	struct pcn_type_counts types[PCN_KMSG_TYPE_MAX];	/* all peers */
};
extern struct pcn_core_stats pcn_stats;

extern const struct pcn_kmsg_bounds pcn_kmsg_type_bounds[PCN_KMSG_TYPE_MAX];
const char *pcn_kmsg_type_name(unsigned int type);

/* node.c */
int pcn_self_set(int nid, struct netlink_ext_ack *extack);
int pcn_node_add(int nid, const char *addr, u16 port, const char *transport,
		 struct netlink_ext_ack *extack);
int pcn_node_del(int nid, struct netlink_ext_ack *extack);
struct pcn_transport *pcn_node_transport_lock(struct pcn_node *node, int *idx);
void pcn_node_transport_unlock(int idx);
bool pcn_node_transport_loaded(struct pcn_node *node);
enum pcn_node_state pcn_node_state(struct pcn_node *node);
struct pcn_node *pcn_node_config_get(int nid);
void pcn_transports_stats(u64 *regions, u64 *bytes, u64 *stalls);

/* wait_station.c */
void pcn_ws_complete(struct pcn_kmsg_rx *rx);
void pcn_ws_fail_node(int nid);

/* kmsg.c */
int pcn_kmsg_send_hdr(struct pcn_node *node, struct pcn_kmsg_hdr *hdr,
		      const void *payload);
int pcn_kmsg_send_hdr_page(struct pcn_node *node, struct pcn_kmsg_hdr *hdr,
			   const void *payload, const struct pcn_page_desc *to,
			   struct page *page);
void pcn_kmsg_fill_hdr(struct pcn_kmsg_hdr *hdr, enum pcn_kmsg_type type,
		       size_t size);
void pcn_kmsg_flush(void);
int pcn_kmsg_check_out(enum pcn_kmsg_type type, size_t size);
int pcn_kmsg_init(void);

/* selftest.c: the runner of the in-kernel self tests */
struct pcn_selftest_result {
	u32 ok;
	u32 errors;
	int first_err;
	u64 min_ns, p50_ns, p99_ns, max_ns, wall_ns;
};

struct pcn_selftest {
	const char *name;		/* thread names */
	u32 count, threads;
	void *ctx;
	/* Optional per-thread state, passed to @item as @buf. */
	void *(*thread_init)(void);
	void (*thread_exit)(void *buf);
	/* Item @i: 0 and its latency in *ns, or -errno. */
	int (*item)(void *ctx, void *buf, u32 i, u64 *ns);
};

int pcn_selftest_run(const struct pcn_selftest *test,
		     struct pcn_selftest_result *res);

/* echo.c */
int pcn_echo_run(int nid, u32 count, u32 threads, u32 min_size, u32 max_size,
		 struct pcn_selftest_result *res);
int pcn_echo_init(void);

/* page_xfer.c, page_test.c */
int pcn_page_xfer_init(void);
int pcn_page_test_init(void);
int pcn_page_test_run(int nid, u32 pages, u32 threads, u32 mode, bool probe,
		      struct pcn_selftest_result *res, int *probe_err);

/* netlink.c */
int pcn_netlink_init(void);

#endif /* _KERNEL_POPCORN_INTERNAL_H */
