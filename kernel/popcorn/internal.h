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

extern const struct pcn_kmsg_type_info pcn_kmsg_types[PCN_KMSG_TYPE_MAX];
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
int pcn_node_reachable(int nid);
bool pcn_node_known(int nid);
struct pcn_node *pcn_node_config_get(int nid);
void pcn_transports_stats(u64 *regions, u64 *bytes, u64 *stalls);

/* auth.c (the rest in popcorn/auth.h) */
struct pcn_auth;
int pcn_auth_key_set(const u8 *key, unsigned int len);
void pcn_auth_key_clear(void);
bool pcn_auth_key_is_set(void);
int pcn_auth_prepare(struct pcn_auth *auth, bool dialler, int peer_nid,
		     const u8 *peer_nonce);

/* session.c: numbered, acknowledged messages that survive a lost link */
void pcn_session_init(struct pcn_node *node);
void pcn_session_stop(struct pcn_node *node);
int pcn_session_sys_init(void);
int pcn_session_send(struct pcn_node *node, struct pcn_transport *t,
		     struct pcn_kmsg_hdr *hdr, const void *payload,
		     const struct pcn_page_desc *to, struct page *page);
int pcn_session_put_page(struct pcn_node *node, struct pcn_transport *t,
			 const struct pcn_page_desc *to, struct page *page);
int pcn_session_rx(struct pcn_kmsg_rx *rx);
void pcn_session_link_up(struct pcn_node *node, struct pcn_transport *t);
bool pcn_session_link_lost(struct pcn_node *node);
bool pcn_session_end(struct pcn_node *node, const char *why);
void pcn_node_announce(struct pcn_node *node);

/* wait_station.c */
int pcn_ws_complete(struct pcn_kmsg_rx *rx);
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
enum pcn_kmsg_out {
	PCN_KMSG_OUT_ONE_WAY,	/* pcn_kmsg_send() */
	PCN_KMSG_OUT_REQUEST,	/* pcn_kmsg_request*() */
	PCN_KMSG_OUT_REPLY,	/* pcn_kmsg_reply*() */
};
int pcn_kmsg_check_out(enum pcn_kmsg_type type, size_t size,
		       enum pcn_kmsg_out as);
int pcn_kmsg_init(void);

/* page_xfer.c */
int pcn_page_xfer_init(void);
int pcn_page_op(int nid, const struct pcn_page_desc *desc, struct page *page,
		bool write);
struct pcn_page_msg *pcn_page_write_msg(int nid,
					const struct pcn_page_desc *to,
					struct page *page, int *ret);
int pcn_page_cookie_access(struct pcn_kmsg_rx *rx,
			   const struct pcn_page_desc *desc, bool write,
			   void *buf);
void pcn_page_data_rx(struct pcn_kmsg_rx *rx);

/* page_reply.c: the answer to a page fetch or recall */
#define PCN_PAGE_GRANT_BYTES	(PCN_PAGE_GRANT_PAGES * PCN_PAGE_SIZE)
/* The first page of @addr's block, and @addr's bit in a zero_map. */
static inline unsigned long pcn_page_grant_base(unsigned long addr)
{
	return addr & ~(PCN_PAGE_GRANT_BYTES - 1);
}

static inline unsigned int pcn_page_grant_bit(unsigned long addr)
{
	return (addr & (PCN_PAGE_GRANT_BYTES - 1)) / PCN_PAGE_SIZE;
}

int pcn_page_reply_check(enum pcn_kmsg_type type,
			 const struct pcn_page_fetch_reply *r,
			 unsigned long addr, unsigned int window,
			 struct pcn_page_fetch_reply *out);

/* netlink.c */
struct genl_info;
extern struct genl_family pcn_genl_family;
int pcn_nl_get_nid(struct genl_info *info, int *nid);
int pcn_netlink_init(void);

/* stat_remote.c: STAT_REQUEST */
int pcn_stat_remote_init(void);

/* proc_threads.c: PROC_GET PID, THREADS_REQUEST */
struct pcn_threads_reply;
int pcn_proc_threads_init(void);
int pcn_nl_proc_get(struct sk_buff *skb, struct genl_info *info);
int pcn_threads_reply_check(const struct pcn_threads_reply *r, size_t size);

/* netlink_move.c: PCN_CMD_MIGRATE */
int pcn_nl_migrate(struct sk_buff *skb, struct genl_info *info);
int pcn_nl_place(struct sk_buff *skb, struct genl_info *info);
int pcn_nl_place_dump(struct sk_buff *skb, struct netlink_callback *cb);
struct netlink_ext_ack;
struct task_struct *pcn_nl_user_task(pid_t pid, unsigned int mode,
				     struct netlink_ext_ack *extack);

/* placement.c */
struct pcn_placement;
struct signal_struct;
struct pcn_placement *pcn_placement_new(u8 mode, const u8 *nodes,
					unsigned int count);
void pcn_placement_put(struct pcn_placement *pl);
void pcn_placement_set(struct signal_struct *sig, struct pcn_placement *pl);
int pcn_placement_next(int fallback);
u8 pcn_placement_info(struct task_struct *t, u8 *nodes, unsigned int *count);

/*
 * The in-kernel self tests and benchmark knobs (CONFIG_POPCORN_SELFTEST):
 * selftest.c (the runner), echo.c, page_test.c and page_rw.c (the tests
 * and their message handlers), selftest_netlink.c (their commands),
 * debugfs.c (the knobs).
 */
#define PCN_SELFTEST_MAX_THREADS	64

#ifdef CONFIG_POPCORN_SELFTEST
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
int pcn_selftest_init(void);

int pcn_echo_run(int nid, u32 count, u32 threads, u32 min_size, u32 max_size,
		 struct pcn_selftest_result *res);
int pcn_echo_init(void);

int pcn_page_test_init(void);
int pcn_page_test_run(int nid, u32 pages, u32 threads, u32 mode, bool probe,
		      struct pcn_selftest_result *res, int *probe_err);
int pcn_page_write(int nid, const struct pcn_page_desc *to, struct page *page);
int pcn_page_read(int nid, const struct pcn_page_desc *from, struct page *page);
int pcn_page_rw_init(void);

int pcn_nl_echo(struct sk_buff *skb, struct genl_info *info);
int pcn_nl_page_test(struct sk_buff *skb, struct genl_info *info);
int pcn_nl_raw_request(struct sk_buff *skb, struct genl_info *info);

/* A knob's value (debugfs.c); false/0 when the knob is not built. */
extern bool pcn_knob_invalidate_serial;
extern bool pcn_knob_fresh_read_copy;
extern bool pcn_knob_ahead_up_only;
extern bool pcn_knob_inval_single;
extern bool pcn_knob_migratory_off;
extern u32 pcn_knob_grant_pages;
extern u32 pcn_knob_ahead_pages;
void pcn_debugfs_init(void);
#define pcn_knob(name)		READ_ONCE(pcn_knob_##name)
#define pcn_knob_u32(name, dflt) READ_ONCE(pcn_knob_##name)
#else
static inline int pcn_selftest_init(void)
{
	return 0;
}

#define pcn_knob(name)		false
#define pcn_knob_u32(name, dflt) (dflt)
#endif

#endif /* _KERNEL_POPCORN_INTERNAL_H */
