// SPDX-License-Identifier: GPL-2.0
/*
 * The self tests' generic netlink commands (CONFIG_POPCORN_SELFTEST):
 * PCN_CMD_ECHO and PCN_CMD_PAGE_TEST run a self test against a peer and
 * answer with its result; PCN_CMD_RAW_REQUEST sends the peer a request
 * as a hostile peer would. CAP_NET_ADMIN only (netlink.c's op table).
 */
#include <net/genetlink.h>
#include "internal.h"

#define PCN_ECHO_MAX_COUNT	10000000

static int pcn_nl_put_result(struct sk_buff *msg,
			     const struct pcn_selftest_result *res)
{
	if (nla_put_u32(msg, PCN_A_ECHO_OK, res->ok) ||
	    nla_put_u32(msg, PCN_A_ECHO_ERRORS, res->errors) ||
	    nla_put_u32(msg, PCN_A_ECHO_FIRST_ERR, -res->first_err) ||
	    nla_put_u64_64bit(msg, PCN_A_ECHO_MIN_NS, res->min_ns, PCN_A_PAD) ||
	    nla_put_u64_64bit(msg, PCN_A_ECHO_P50_NS, res->p50_ns, PCN_A_PAD) ||
	    nla_put_u64_64bit(msg, PCN_A_ECHO_P99_NS, res->p99_ns, PCN_A_PAD) ||
	    nla_put_u64_64bit(msg, PCN_A_ECHO_MAX_NS, res->max_ns, PCN_A_PAD) ||
	    nla_put_u64_64bit(msg, PCN_A_ECHO_WALL_NS, res->wall_ns, PCN_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/* The node id of a test command: a configured peer. */
static int pcn_nl_test_peer(struct genl_info *info, int *nid)
{
	struct pcn_node *node;

	if (pcn_nl_get_nid(info, nid))
		return -EINVAL;
	node = pcn_node_get(*nid);
	pcn_node_put(node);
	if (!node) {
		NL_SET_ERR_MSG(info->extack, "no such peer");
		return -ENOENT;
	}
	return 0;
}

/*
 * The answer to self test command @cmd: the peer, the threads and the
 * result; the caller adds its own attributes, then pcn_nl_test_send().
 */
static struct sk_buff *pcn_nl_test_reply(struct genl_info *info, u8 cmd,
					 int nid, u32 threads,
					 const struct pcn_selftest_result *res)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return ERR_PTR(-ENOMEM);
	if (!genlmsg_put_reply(msg, info, &pcn_genl_family, 0, cmd) ||
	    nla_put_u32(msg, PCN_A_NID, nid) ||
	    nla_put_u32(msg, PCN_A_ECHO_THREADS, threads) ||
	    pcn_nl_put_result(msg, res)) {
		nlmsg_free(msg);
		return ERR_PTR(-EMSGSIZE);
	}
	return msg;
}

/* Send @msg, or drop it when adding the caller's attributes @failed. */
static int pcn_nl_test_send(struct sk_buff *msg, struct genl_info *info,
			    bool failed)
{
	if (failed) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	nlmsg_end(msg, nlmsg_hdr(msg));
	return genlmsg_reply(msg, info);
}

int pcn_nl_echo(struct sk_buff *skb, struct genl_info *info)
{
	u32 count = 1000, threads = 1, min_size = 0;
	u32 max_size = PCN_KMSG_MAX_PAYLOAD;
	struct pcn_selftest_result res;
	struct sk_buff *msg;
	int nid, ret;

	ret = pcn_nl_test_peer(info, &nid);
	if (ret)
		return ret;
	if (info->attrs[PCN_A_ECHO_COUNT])
		count = nla_get_u32(info->attrs[PCN_A_ECHO_COUNT]);
	if (info->attrs[PCN_A_ECHO_THREADS])
		threads = nla_get_u32(info->attrs[PCN_A_ECHO_THREADS]);
	if (info->attrs[PCN_A_ECHO_MAX_SIZE])
		max_size = nla_get_u32(info->attrs[PCN_A_ECHO_MAX_SIZE]);
	if (info->attrs[PCN_A_ECHO_MIN_SIZE])
		min_size = nla_get_u32(info->attrs[PCN_A_ECHO_MIN_SIZE]);
	if (!count || count > PCN_ECHO_MAX_COUNT) {
		NL_SET_ERR_MSG(info->extack, "count out of range 1..10000000");
		return -ERANGE;
	}
	if (max_size > PCN_KMSG_MAX_PAYLOAD) {
		NL_SET_ERR_MSG(info->extack, "size larger than the message limit");
		return -EMSGSIZE;
	}
	ret = pcn_echo_run(nid, count, threads, min_size, max_size, &res);
	if (ret)
		return ret;

	msg = pcn_nl_test_reply(info, PCN_CMD_ECHO, nid, threads, &res);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return pcn_nl_test_send(msg, info,
				nla_put_u32(msg, PCN_A_ECHO_COUNT, count) ||
				nla_put_u32(msg, PCN_A_ECHO_MAX_SIZE, max_size) ||
				nla_put_u32(msg, PCN_A_ECHO_MIN_SIZE,
					    min(min_size, max_size)));
}

int pcn_nl_page_test(struct sk_buff *skb, struct genl_info *info)
{
	u32 pages = 1000, threads = 1, mode = PCN_PAGE_TEST_PULL;
	bool probe = nla_get_flag(info->attrs[PCN_A_PAGE_PROBE]);
	struct pcn_selftest_result res;
	int probe_err;
	struct sk_buff *msg;
	int nid, ret;

	ret = pcn_nl_test_peer(info, &nid);
	if (ret)
		return ret;
	if (info->attrs[PCN_A_PAGE_COUNT])
		pages = nla_get_u32(info->attrs[PCN_A_PAGE_COUNT]);
	if (info->attrs[PCN_A_ECHO_THREADS])
		threads = nla_get_u32(info->attrs[PCN_A_ECHO_THREADS]);
	if (info->attrs[PCN_A_PAGE_MODE])
		mode = nla_get_u8(info->attrs[PCN_A_PAGE_MODE]);
	if (!pages || pages > PCN_ECHO_MAX_COUNT) {
		NL_SET_ERR_MSG(info->extack, "page count out of range 1..10000000");
		return -ERANGE;
	}

	ret = pcn_page_test_run(nid, pages, threads, mode, probe, &res,
				&probe_err);
	if (ret)
		return ret;

	msg = pcn_nl_test_reply(info, PCN_CMD_PAGE_TEST, nid, threads, &res);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return pcn_nl_test_send(msg, info,
				nla_put_u32(msg, PCN_A_PAGE_COUNT, pages) ||
				nla_put_u8(msg, PCN_A_PAGE_MODE, mode) ||
				(probe && nla_put_u32(msg, PCN_A_PAGE_PROBE_ERR,
						      -probe_err)));
}

#define PCN_RAW_TIMEOUT		(20 * HZ)

/*
 * One request of any request type, the payload as given (the message
 * layer checks the type and the size bounds, nothing else), and the
 * answer: the request's errno, or the reply's payload.
 */
int pcn_nl_raw_request(struct sk_buff *skb, struct genl_info *info)
{
	struct pcn_kmsg_rx *reply = NULL;
	const struct nlattr *pl;
	struct sk_buff *msg;
	int nid, ret, status;
	u16 type;

	ret = pcn_nl_test_peer(info, &nid);
	if (ret)
		return ret;
	if (GENL_REQ_ATTR_CHECK(info, PCN_A_RAW_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, PCN_A_RAW_PAYLOAD))
		return -EINVAL;
	type = nla_get_u16(info->attrs[PCN_A_RAW_TYPE]);
	pl = info->attrs[PCN_A_RAW_PAYLOAD];
	status = pcn_kmsg_request(nid, type, nla_data(pl), nla_len(pl),
				  &reply, PCN_RAW_TIMEOUT);
	if (status == -EINVAL) {
		NL_SET_ERR_MSG(info->extack,
			       "not a request type, or a size out of its bounds");
		return status;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE + PCN_KMSG_MAX_PAYLOAD, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put_reply(msg, info, &pcn_genl_family, 0,
			       PCN_CMD_RAW_REQUEST) ||
	    nla_put_u32(msg, PCN_A_NID, nid) ||
	    nla_put_u32(msg, PCN_A_RAW_STATUS, -status) ||
	    (!status && nla_put(msg, PCN_A_RAW_REPLY, reply->msg->hdr.size,
				reply->msg->payload))) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	ret = pcn_nl_test_send(msg, info, false);
out:
	if (!status)
		pcn_kmsg_done(reply);
	return ret;
}
