// SPDX-License-Identifier: GPL-2.0
/*
 * The "popcorn" generic netlink family (include/uapi/popcorn/pcn_netlink.h):
 * membership and counters for pcnctl and pcn-top, and the self tests'
 * commands (selftest_netlink.c) when they are built.
 *
 * Who may use it: changing membership or the cluster key and running a
 * self test need CAP_NET_ADMIN (GENL_ADMIN_PERM); reading counters and
 * nodes is open to everyone, as /proc/stat is; the process dump shows a
 * caller only the processes it may read as ptrace would; moving a thread
 * (MIGRATE, netlink_move.c) or placing a process's threads (PLACE,
 * netlink_place.c) needs the right to ptrace it.
 *
 * parallel_ops: PCN_CMD_ECHO runs for seconds and must not hold genl_mutex
 * (every other generic netlink family would stall behind it); the core has
 * its own locking.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <net/genetlink.h>
#include "internal.h"
#include "process.h"

#define PCN_NL_STAT_SIZE	16384	/* pcnctl reads up to 32 KiB */

static const struct nla_policy pcn_nl_policy[PCN_A_MAX + 1] = {
	[PCN_A_NID] = { .type = NLA_U32 },
	[PCN_A_ADDR] = { .type = NLA_NUL_STRING, .len = 64 },
	[PCN_A_PORT] = { .type = NLA_U16 },
	[PCN_A_TRANSPORT] = { .type = NLA_NUL_STRING,
			      .len = PCN_TRANSPORT_NAME_LEN - 1 },
	[PCN_A_ECHO_COUNT] = { .type = NLA_U32 },
	[PCN_A_ECHO_THREADS] = NLA_POLICY_RANGE(NLA_U32, 1,
					       PCN_SELFTEST_MAX_THREADS),
	[PCN_A_ECHO_MAX_SIZE] = { .type = NLA_U32 },
	[PCN_A_ECHO_MIN_SIZE] = { .type = NLA_U32 },
	[PCN_A_PAGE_COUNT] = { .type = NLA_U32 },
	[PCN_A_PAGE_MODE] = NLA_POLICY_RANGE(NLA_U8, PCN_PAGE_TEST_PULL,
					     PCN_PAGE_TEST_PUSH),
	[PCN_A_PAGE_PROBE] = { .type = NLA_FLAG },
	[PCN_A_MOVE_TID] = NLA_POLICY_MIN(NLA_U32, 1),
	[PCN_A_MOVE_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[PCN_A_MOVE_WAIT_MS] = { .type = NLA_U32 },
	[PCN_A_PLACE_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[PCN_A_PROC_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[PCN_A_PLACE_MODE] = NLA_POLICY_MAX(NLA_U8, __PCN_PLACE_MAX - 1),
	[PCN_A_PLACE_NODES] = { .type = NLA_BINARY, .len = PCN_MAX_NODES },
	[PCN_A_RAW_TYPE] = NLA_POLICY_MAX(NLA_U16, PCN_KMSG_TYPE_MAX - 1),
	[PCN_A_RAW_PAYLOAD] = { .type = NLA_BINARY,
				.len = PCN_KMSG_MAX_PAYLOAD },
	[PCN_A_KEY] = { .type = NLA_BINARY, .len = PCN_KEY_MAX },
};

int pcn_nl_get_nid(struct genl_info *info, int *nid)
{
	if (GENL_REQ_ATTR_CHECK(info, PCN_A_NID))
		return -EINVAL;
	*nid = (int)min_t(u32, nla_get_u32(info->attrs[PCN_A_NID]), INT_MAX);
	return 0;
}

static int pcn_nl_self_set(struct sk_buff *skb, struct genl_info *info)
{
	int nid;

	if (pcn_nl_get_nid(info, &nid))
		return -EINVAL;
	return pcn_self_set(nid, info->extack);
}

static int pcn_nl_node_add(struct sk_buff *skb, struct genl_info *info)
{
	const char *transport = "tcp";
	u16 port = PCN_DEFAULT_PORT;
	int nid;

	if (pcn_nl_get_nid(info, &nid) ||
	    GENL_REQ_ATTR_CHECK(info, PCN_A_ADDR))
		return -EINVAL;
	if (info->attrs[PCN_A_PORT])
		port = nla_get_u16(info->attrs[PCN_A_PORT]);
	if (info->attrs[PCN_A_TRANSPORT])
		transport = nla_data(info->attrs[PCN_A_TRANSPORT]);
	return pcn_node_add(nid, nla_data(info->attrs[PCN_A_ADDR]), port,
			    transport, info->extack);
}

static int pcn_nl_key_set(struct sk_buff *skb, struct genl_info *info)
{
	const struct nlattr *key = info->attrs[PCN_A_KEY];

	if (GENL_REQ_ATTR_CHECK(info, PCN_A_KEY))
		return -EINVAL;
	if (nla_len(key) < PCN_KEY_MIN) {
		NL_SET_ERR_MSG_ATTR(info->extack, key,
				    "a cluster key has 16 to 64 bytes");
		return -EINVAL;
	}
	return pcn_auth_key_set(nla_data(key), nla_len(key));
}

static int pcn_nl_key_clear(struct sk_buff *skb, struct genl_info *info)
{
	pcn_auth_key_clear();
	return 0;
}

static int pcn_nl_node_del(struct sk_buff *skb, struct genl_info *info)
{
	int nid;

	if (pcn_nl_get_nid(info, &nid))
		return -EINVAL;
	return pcn_node_del(nid, info->extack);
}

/* That peer's non-zero message types. */
static int pcn_nl_fill_node_types(struct sk_buff *skb, struct pcn_node *node)
{
	struct pcn_type_counts c;
	int i;

	for (i = 0; i < PCN_KMSG_TYPE_MAX; i++) {
		pcn_type_counts_read(&node->stats->types[i], &c);
		if (!c.msgs_in && !c.msgs_out)
			continue;
		if (pcn_nla_put_type(skb, i, &c))
			return -EMSGSIZE;
	}
	return 0;
}

static int pcn_nl_fill_node(struct sk_buff *skb, struct netlink_callback *cb,
			    struct pcn_node *node, int self)
{
	char addr[16];
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &pcn_genl_family, NLM_F_MULTI, PCN_CMD_NODE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (!node) {
		if (nla_put_u32(skb, PCN_A_NID, self) ||
		    nla_put_flag(skb, PCN_A_SELF) ||
		    (pcn_auth_key_is_set() &&
		     nla_put_flag(skb, PCN_A_KEY_SET)) ||
		    nla_put_u8(skb, PCN_A_STATE, PCN_NODE_ONLINE) ||
		    nla_put_u8(skb, PCN_A_ARCH, PCN_ARCH_X86_64))
			goto cancel;
		genlmsg_end(skb, hdr);
		return 0;
	}
	snprintf(addr, sizeof(addr), "%pI4", &node->addr);
	if (nla_put_u32(skb, PCN_A_NID, node->nid) ||
	    nla_put_string(skb, PCN_A_ADDR, addr) ||
	    nla_put_u16(skb, PCN_A_PORT, node->port) ||
	    nla_put_string(skb, PCN_A_TRANSPORT, node->transport_name) ||
	    (pcn_node_transport_loaded(node) &&
	     nla_put_flag(skb, PCN_A_TRANSPORT_LOADED)) ||
	    nla_put_u8(skb, PCN_A_STATE, pcn_node_state(node)) ||
	    nla_put_u8(skb, PCN_A_ARCH, READ_ONCE(node->arch)) ||
	    pcn_nla_put_counter(skb, PCN_A_MSGS_IN,
				pcn_peer_stat_read(node, msgs_in)) ||
	    pcn_nla_put_counter(skb, PCN_A_MSGS_OUT,
				pcn_peer_stat_read(node, msgs_out)) ||
	    pcn_nla_put_counter(skb, PCN_A_BYTES_IN,
				pcn_peer_stat_read(node, bytes_in)) ||
	    pcn_nla_put_counter(skb, PCN_A_BYTES_OUT,
				pcn_peer_stat_read(node, bytes_out)) ||
	    pcn_nla_put_counter(skb, PCN_A_BAD_MSGS,
				pcn_peer_stat_read(node, bad)) ||
	    pcn_nla_put_counter(skb, PCN_A_CONNECTS,
				pcn_peer_stat_read(node, connects)) ||
	    pcn_nla_put_counter(skb, PCN_A_STAT_TRANSPORT_ERRORS,
				pcn_peer_stat_read(node, transport_errors)) ||
	    pcn_nl_fill_node_types(skb, node))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* cb->args[0]: next node id to dump. */
static int pcn_nl_node_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	int nid, self = pcn_my_nid();
	int ret = 0;

	mutex_lock(&pcn_config_mutex);
	for (nid = cb->args[0]; nid < PCN_MAX_NODES; nid++) {
		struct pcn_node *node = pcn_node_config_get(nid);

		if (nid == self)
			ret = pcn_nl_fill_node(skb, cb, NULL, self);
		else if (node)
			ret = pcn_nl_fill_node(skb, cb, node, self);
		if (ret)
			break;
	}
	mutex_unlock(&pcn_config_mutex);
	cb->args[0] = nid;
	/* A node that did not fit goes first into the next message. */
	return ret && !skb->len ? ret : skb->len;
}

/*
 * Node-wide counters: this node's, or with NID another node's, asked over
 * the network (stat_remote.c). Any local user may ask, as for this node's.
 */
static int pcn_nl_stat_get(struct sk_buff *skb, struct genl_info *info)
{
	struct pcn_stat_reply *r;
	struct sk_buff *msg;
	int nid = pcn_my_nid();
	int ret;
	void *hdr;

	if (info->attrs[PCN_A_NID] && pcn_nl_get_nid(info, &nid))
		return -EINVAL;
	/* Without NID: this node, whether or not it has an id yet. */
	if (info->attrs[PCN_A_NID] && !pcn_node_known(nid)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PCN_A_NID],
				    "no such node");
		return -ENOENT;
	}
	if (nid == pcn_my_nid()) {
		r = kzalloc(pcn_stat_reply_size(), GFP_KERNEL);
		if (!r)
			return -ENOMEM;
		pcn_stats_snapshot(r);
	} else {
		r = pcn_stat_remote_get(nid);
		if (IS_ERR(r))
			return PTR_ERR(r);
	}

	/* The per-type table and the histograms need more than a page. */
	ret = -ENOMEM;
	msg = genlmsg_new(PCN_NL_STAT_SIZE, GFP_KERNEL);
	if (!msg)
		goto free;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &pcn_genl_family, 0,
				PCN_CMD_STAT_GET);
	if (!hdr || (nid >= 0 && nla_put_u32(msg, PCN_A_NID, nid)) ||
	    (nid == pcn_my_nid() && nla_put_flag(msg, PCN_A_SELF)) ||
	    pcn_stats_fill_reply(msg, r)) {
		nlmsg_free(msg);
		goto free;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
free:
	kfree(r);
	return ret;
}

/*
 * cb->args[0]: the key of the next process to dump (process.c). Only the
 * processes the caller may read as ptrace would (its own, or any with
 * CAP_SYS_PTRACE): their names, threads and CPU time are theirs.
 */
static int pcn_nl_proc_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long pos = cb->args[0], at;
	struct pcn_process *proc;
	void *hdr;
	int ret;

	for (;;) {
		at = pos;
		proc = pcn_process_next(&pos);
		if (!proc)
			break;
		if (!pcn_proc_visible(proc)) {
			pcn_process_put(proc);
			continue;
		}
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pcn_genl_family,
				  NLM_F_MULTI, PCN_CMD_PROC_GET);
		ret = hdr ? pcn_proc_dump_fill(skb, proc) : -EMSGSIZE;
		pcn_process_put(proc);
		if (ret) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			pos = at;	/* it goes first into the next message */
			break;
		}
		genlmsg_end(skb, hdr);
	}
	cb->args[0] = pos;
	/* One process that fits no message at all ends the dump. */
	return proc && !skb->len ? -EMSGSIZE : skb->len;
}

static const struct genl_small_ops pcn_nl_ops[] = {
	{
		.cmd = PCN_CMD_SELF_SET,
		.flags = GENL_ADMIN_PERM,
		.doit = pcn_nl_self_set,
	}, {
		.cmd = PCN_CMD_NODE_ADD,
		.flags = GENL_ADMIN_PERM,
		.doit = pcn_nl_node_add,
	}, {
		.cmd = PCN_CMD_NODE_DEL,
		.flags = GENL_ADMIN_PERM,
		.doit = pcn_nl_node_del,
	}, {
		.cmd = PCN_CMD_NODE_GET,
		.dumpit = pcn_nl_node_dump,
	}, {
		.cmd = PCN_CMD_STAT_GET,
		.doit = pcn_nl_stat_get,
	},
	{
		/* The dump: anyone. With PROC_PID: see proc_threads.c. */
		.cmd = PCN_CMD_PROC_GET,
		.doit = pcn_nl_proc_get,
		.dumpit = pcn_nl_proc_dump,
	}, {
		/* Per thread: the caller must be allowed to ptrace it. */
		.cmd = PCN_CMD_MIGRATE,
		.doit = pcn_nl_migrate,
	}, {
		/* The caller must be allowed to ptrace the process. */
		.cmd = PCN_CMD_PLACE,
		.doit = pcn_nl_place,
	}, {
		/* Processes the caller may read as ptrace would. */
		.cmd = PCN_CMD_PLACE_GET,
		.dumpit = pcn_nl_place_dump,
	}, {
		.cmd = PCN_CMD_KEY_SET,
		.flags = GENL_ADMIN_PERM,
		.doit = pcn_nl_key_set,
	}, {
		.cmd = PCN_CMD_KEY_CLEAR,
		.flags = GENL_ADMIN_PERM,
		.doit = pcn_nl_key_clear,
	},
#ifdef CONFIG_POPCORN_SELFTEST
	{
		.cmd = PCN_CMD_ECHO,
		.flags = GENL_ADMIN_PERM,
		.doit = pcn_nl_echo,
	}, {
		.cmd = PCN_CMD_PAGE_TEST,
		.flags = GENL_ADMIN_PERM,
		.doit = pcn_nl_page_test,
	}, {
		.cmd = PCN_CMD_RAW_REQUEST,
		.flags = GENL_ADMIN_PERM,
		.doit = pcn_nl_raw_request,
	},
#endif
};

struct genl_family pcn_genl_family __ro_after_init = {
	.name = PCN_GENL_NAME,
	.version = PCN_GENL_VERSION,
	.maxattr = PCN_A_MAX,
	.policy = pcn_nl_policy,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.small_ops = pcn_nl_ops,
	.n_small_ops = ARRAY_SIZE(pcn_nl_ops),
	.resv_start_op = PCN_CMD_PAGE_TEST + 1,
};

int __init pcn_netlink_init(void)
{
	return genl_register_family(&pcn_genl_family);
}
