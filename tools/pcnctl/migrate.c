// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl migrate: move a thread, or every thread of a process, of a
 * program that started on this node to another node or home
 * (PCN_CMD_MIGRATE). One line per thread:
 *   "TID: moved to node N" (with --time: "... in X.XXX ms", from the
 *   request until the kernel saw it go, or come home)
 *   "TID: already on node N"
 *   "TID: pending: still on node N, moves to node M when its call returns"
 *   "TID: refused: REASON"
 * Exit status 0 when every thread moved, was there already or is
 * pending; 1 when one was refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pcnctl.h"

struct migrate_res {
	int threads, refused, show_time;
	uint32_t nid;
};

static const char *migrate_reason(uint32_t status)
{
	switch (status) {
	case EPERM:
		return "not allowed to ptrace it";
	case EREMOTE:
		return "it runs here for another node: ask its origin";
	case EHOSTDOWN:
		return "that node is not online";
	case EINVAL:
		return "no such node, or not a user thread";
	case ESRCH:
		return "it has ended";
	default:
		return strerror(status);
	}
}

static int migrate_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct migrate_res *r = data;
	const struct nlattr *nest;
	uint32_t tid, nid, status;

	mnl_attr_for_each(nest, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(nest) != PCN_A_MOVE)
			continue;
		memset(tb, 0, sizeof(tb));
		if (pcn_attr_parse_nested(nest, tb) < 0 ||
		    !tb[PCN_A_THREAD_TID] || !tb[PCN_A_THREAD_NID] ||
		    !tb[PCN_A_MOVE_STATUS])
			return MNL_CB_ERROR;
		tid = mnl_attr_get_u32(tb[PCN_A_THREAD_TID]);
		nid = mnl_attr_get_u32(tb[PCN_A_THREAD_NID]);
		status = mnl_attr_get_u32(tb[PCN_A_MOVE_STATUS]);
		r->threads++;
		if (!status && r->show_time && tb[PCN_A_MOVE_NS])
			printf("%u: moved to node %u in %.3f ms\n", tid, nid,
			       mnl_attr_get_u64(tb[PCN_A_MOVE_NS]) / 1e6);
		else if (!status)
			printf("%u: moved to node %u\n", tid, nid);
		else if (status == EALREADY)
			printf("%u: already on node %u\n", tid, nid);
		else if (status == EINPROGRESS)
			printf("%u: pending: still on node %u, moves to node %u when its call returns\n",
			       tid, nid, r->nid);
		else {
			printf("%u: refused: %s\n", tid,
			       migrate_reason(status));
			r->refused++;
		}
	}
	return MNL_CB_OK;
}

int cmd_migrate(int argc, char **argv)
{
	static const char what[] = "migrate";
	static const struct option opts[] = {
		{ "pid",	required_argument, NULL, 'p' },
		{ "wait",	required_argument, NULL, 'w' },
		{ "time",	no_argument,	   NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct migrate_res r = { 0 };
	char buf[PCN_NL_REQSIZE];
	struct pcn_nl nl = { 0 };
	uint32_t pid = 0, tid = 0, wait_ms = 0;
	int have_wait = 0, c, err;
	struct nlmsghdr *nlh;

	while ((c = pcn_getopt(argc, argv, opts, what)) != -1) {
		if (c == 'p')
			pid = pcn_arg_u32(what, "PID", optarg);
		else if (c == 't')
			r.show_time = 1;
		else if (c == 'w') {
			wait_ms = pcn_arg_u32(what, "MS", optarg);
			have_wait = 1;
		}
	}
	if (argc - optind != (pid ? 1 : 2))
		pcn_usage_error(what, "expected TID NODE or --pid PID NODE");
	if (!pid)
		tid = pcn_arg_u32(what, "TID", argv[optind++]);
	if (!pid && !tid)
		pcn_usage_error(what, "TID: must be positive");
	r.nid = pcn_arg_u32(what, "NODE", argv[optind]);
	if (have_wait && wait_ms > 60000)
		pcn_usage_error(what, "--wait: at most 60000 ms");

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	nlh = pcn_nl_req(&nl, buf, PCN_CMD_MIGRATE, NLM_F_ACK);
	mnl_attr_put_u32(nlh, PCN_A_NID, r.nid);
	mnl_attr_put_u32(nlh, pid ? PCN_A_MOVE_PID : PCN_A_MOVE_TID,
			 pid ? pid : tid);
	if (have_wait)
		mnl_attr_put_u32(nlh, PCN_A_MOVE_WAIT_MS, wait_ms);
	err = pcn_nl_talk(&nl, nlh, migrate_cb, &r);
	pcn_nl_close(&nl);
	if (!err && !r.threads)
		err = -ENODATA;
	if (err)
		return pcn_nl_fail(&nl, what, err);
	return r.refused ? PCN_EXIT_FAIL : PCN_EXIT_OK;
}
