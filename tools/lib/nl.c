// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink plumbing on top of libmnl, for pcnctl and pcn-top (tools/lib).
 *
 * Every request is sent with NLM_F_ACK (dumps excepted: the kernel never
 * acks a dump, it ends it with NLMSG_DONE) and pcn_nl_talk() reads until the
 * ack, the NLMSG_DONE or an error arrives. Errors come back as -errno; the
 * kernel's extended ACK message, if any, is left in nl->extack.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>

#include "nl.h"

const char *pcn_nl_prog = "pcnctl";
int pcn_nl_quiet;

struct pcn_talk {
	struct pcn_nl *nl;
	mnl_cb_t cb;
	void *data;
	int err;
};

/*
 * Copy NLMSGERR_ATTR_MSG out of the TLVs starting at @off in the payload.
 * A bare NLMSGERR_ATTR_MISS_TYPE (GENL_REQ_ATTR_CHECK) is turned into text.
 */
static void nl_extack(const struct nlmsghdr *nlh, size_t off, char *msg,
		      size_t len)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(attr, nlh, off) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(msg, len, "%s", mnl_attr_get_str(attr));
		else if (type == NLMSGERR_ATTR_MISS_TYPE && !msg[0] &&
			 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			snprintf(msg, len, "missing attribute %u",
				 mnl_attr_get_u32(attr));
	}
}

static int nl_noop_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pcn_talk *t = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		t->err = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;	/* the ack */

	/* Unless capped, the original request sits between us and the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	nl_extack(nlh, off, t->nl->extack, sizeof(t->nl->extack));
	t->err = e->error < 0 ? e->error : -e->error;
	return MNL_CB_ERROR;
}

/* A failed dump ends with NLMSG_DONE carrying a negative errno (+ TLVs). */
static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pcn_talk *t = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (!err)
		return MNL_CB_STOP;
	nl_extack(nlh, sizeof(int), t->nl->extack, sizeof(t->nl->extack));
	t->err = err < 0 ? err : -err;
	return MNL_CB_ERROR;
}

static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pcn_talk *t = data;
	int ret;

	if (!t->cb)
		return MNL_CB_OK;
	errno = 0;
	ret = t->cb(nlh, t->data);
	if (ret == MNL_CB_ERROR)
		t->err = errno ? -errno : -EPROTO;
	return ret;
}

int pcn_nl_talk(struct pcn_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
		void *data)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP]	= nl_noop_cb,
		[NLMSG_ERROR]	= nl_error_cb,
		[NLMSG_DONE]	= nl_done_cb,
		[NLMSG_OVERRUN]	= nl_noop_cb,
	};
	struct pcn_talk t = { .nl = nl, .cb = cb, .data = data };
	ssize_t n;
	int ret;

	nl->extack[0] = '\0';
	req->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;

	do {
		n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		errno = 0;
		ret = mnl_cb_run2(nl->buf, n, req->nlmsg_seq, nl->portid,
				  nl_data_cb, &t, ctl, NLMSG_MIN_TYPE);
		if (ret < 0)
			return t.err ? t.err : (errno ? -errno : -EPROTO);
	} while (ret > 0);

	return 0;
}

/*
 * @buf must be PCN_NL_REQSIZE bytes. It is zeroed first: libmnl 1.0.4 does
 * not clear attribute padding, and we send no stack garbage to the kernel.
 */
struct nlmsghdr *pcn_nl_req(struct pcn_nl *nl, void *buf, uint8_t cmd,
			    uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, PCN_NL_REQSIZE);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = PCN_GENL_VERSION;
	return nlh;
}

/* Prints "PROG: WHAT: kernel message (strerror)"; returns exit status 1. */
int pcn_nl_fail(const struct pcn_nl *nl, const char *what, int err)
{
	if (nl && nl->extack[0])
		fprintf(stderr, "%s: %s: %s (%s)\n", pcn_nl_prog, what,
			nl->extack, strerror(-err));
	else
		fprintf(stderr, "%s: %s: %s\n", pcn_nl_prog, what,
			strerror(-err));
	return 1;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	uint16_t *family = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != CTRL_ATTR_FAMILY_ID)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		*family = mnl_attr_get_u16(attr);
	}
	return MNL_CB_OK;
}

static int resolve_family(struct pcn_nl *nl, const char *what)
{
	char buf[PCN_NL_REQSIZE];
	struct nlmsghdr *nlh;
	int err;

	nl->family = GENL_ID_CTRL;
	nlh = pcn_nl_req(nl, buf, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PCN_GENL_NAME);

	nl->family = 0;
	err = pcn_nl_talk(nl, nlh, family_cb, &nl->family);
	if (err == -ENOENT) {
		fprintf(stderr, "%s: %s: generic netlink family not found (is the kernel built with CONFIG_POPCORN?)\n",
			pcn_nl_prog, PCN_GENL_NAME);
		return -1;
	}
	if (!err && !nl->family)
		err = -EPROTO;
	if (err) {
		pcn_nl_fail(nl, what, err);
		return -1;
	}
	return 0;
}

/* Opens the socket and resolves the family; prints its own errors. */
int pcn_nl_open(struct pcn_nl *nl, const char *what)
{
	int one = 1;

	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		fprintf(stderr, "%s: %s: netlink socket: %s\n", pcn_nl_prog,
			what, strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "%s: %s: netlink bind: %s\n", pcn_nl_prog,
			what, strerror(errno));
		pcn_nl_close(nl);
		return -1;
	}
	/* Best effort: without it we only lose the kernel's error text. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);

	if (resolve_family(nl, what) < 0) {
		pcn_nl_close(nl);
		return -1;
	}
	return 0;
}

void pcn_nl_close(struct pcn_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

static const enum mnl_attr_data_type pcn_policy[PCN_A_MAX + 1] = {
	[PCN_A_NID]			= MNL_TYPE_U32,
	[PCN_A_ADDR]			= MNL_TYPE_NUL_STRING,
	[PCN_A_PORT]			= MNL_TYPE_U16,
	[PCN_A_TRANSPORT]		= MNL_TYPE_NUL_STRING,
	[PCN_A_STATE]			= MNL_TYPE_U8,
	[PCN_A_ARCH]			= MNL_TYPE_U8,
	[PCN_A_SELF]			= MNL_TYPE_FLAG,
	[PCN_A_MSGS_IN]			= MNL_TYPE_U64,
	[PCN_A_MSGS_OUT]		= MNL_TYPE_U64,
	[PCN_A_BYTES_IN]		= MNL_TYPE_U64,
	[PCN_A_BYTES_OUT]		= MNL_TYPE_U64,
	[PCN_A_BAD_MSGS]		= MNL_TYPE_U64,
	[PCN_A_CONNECTS]		= MNL_TYPE_U64,
	[PCN_A_TRANSPORT_LOADED]	= MNL_TYPE_FLAG,
	[PCN_A_ECHO_COUNT]		= MNL_TYPE_U32,
	[PCN_A_ECHO_THREADS]		= MNL_TYPE_U32,
	[PCN_A_ECHO_MAX_SIZE]		= MNL_TYPE_U32,
	[PCN_A_ECHO_OK]			= MNL_TYPE_U32,
	[PCN_A_ECHO_ERRORS]		= MNL_TYPE_U32,
	[PCN_A_ECHO_FIRST_ERR]		= MNL_TYPE_U32,
	[PCN_A_ECHO_MIN_NS]		= MNL_TYPE_U64,
	[PCN_A_ECHO_P50_NS]		= MNL_TYPE_U64,
	[PCN_A_ECHO_P99_NS]		= MNL_TYPE_U64,
	[PCN_A_ECHO_MAX_NS]		= MNL_TYPE_U64,
	[PCN_A_ECHO_WALL_NS]		= MNL_TYPE_U64,
	[PCN_A_STAT_RX_BAD]		= MNL_TYPE_U64,
	[PCN_A_STAT_HS_REFUSED]		= MNL_TYPE_U64,
	[PCN_A_STAT_WS_TIMEOUTS]	= MNL_TYPE_U64,
	[PCN_A_STAT_LATE_REPLIES]	= MNL_TYPE_U64,
	[PCN_A_STAT_MAX_PAYLOAD]	= MNL_TYPE_U32,
	[PCN_A_STAT_TYPE]		= MNL_TYPE_NESTED,
	[PCN_A_TYPE_ID]			= MNL_TYPE_U16,
	[PCN_A_TYPE_NAME]		= MNL_TYPE_NUL_STRING,
	[PCN_A_PAGE_COUNT]		= MNL_TYPE_U32,
	[PCN_A_PAGE_MODE]		= MNL_TYPE_U8,
	[PCN_A_PAGE_PROBE]		= MNL_TYPE_FLAG,
	[PCN_A_PAGE_PROBE_ERR]		= MNL_TYPE_U32,
	[PCN_A_STAT_PAGES_EXPOSED]	= MNL_TYPE_U64,
	[PCN_A_STAT_PAGES_EXPOSED_TOTAL] = MNL_TYPE_U64,
	[PCN_A_STAT_REMOTE_REGIONS]	= MNL_TYPE_U64,
	[PCN_A_STAT_REMOTE_BYTES]	= MNL_TYPE_U64,
	[PCN_A_STAT_TX_STALLS]		= MNL_TYPE_U64,
	[PCN_A_STAT_PROCESSES]	= MNL_TYPE_U64,
	[PCN_A_STAT_REMOTE_THREADS]	= MNL_TYPE_U64,
	[PCN_A_STAT_MIGRATIONS_OUT]	= MNL_TYPE_U64,
	[PCN_A_STAT_MIGRATIONS_IN]	= MNL_TYPE_U64,
	[PCN_A_STAT_VMA_FETCHES]	= MNL_TYPE_U64,
	[PCN_A_STAT_PAGE_FETCHES]	= MNL_TYPE_U64,
	[PCN_A_STAT_PAGE_FETCH_RETRIES]	= MNL_TYPE_U64,
	[PCN_A_STAT_PAGE_RECALLS]	= MNL_TYPE_U64,
	[PCN_A_STAT_PAGE_SERVED]	= MNL_TYPE_U64,
	[PCN_A_ECHO_MIN_SIZE]		= MNL_TYPE_U32,
	[PCN_A_STAT_FAULT]		= MNL_TYPE_NESTED,
	[PCN_A_FAULT_KIND]		= MNL_TYPE_U8,
	[PCN_A_FAULT_OK]		= MNL_TYPE_U64,
	[PCN_A_FAULT_RETRY]		= MNL_TYPE_U64,
	[PCN_A_FAULT_ERROR]		= MNL_TYPE_U64,
	[PCN_A_LAT_HIST]		= MNL_TYPE_BINARY,
	[PCN_A_STAT_INVAL_SENT]		= MNL_TYPE_U64,
	[PCN_A_STAT_INVAL_RECV]		= MNL_TYPE_U64,
	[PCN_A_STAT_TRANSPORT_ERRORS]	= MNL_TYPE_U64,
	[PCN_A_STAT_MIGRATE]		= MNL_TYPE_NESTED,
	[PCN_A_MIGRATE_DIR]		= MNL_TYPE_U8,
	[PCN_A_MIGRATE_COUNT]		= MNL_TYPE_U64,
	[PCN_A_PROC_PID]		= MNL_TYPE_U32,
	[PCN_A_PROC_ORIGIN_NID]		= MNL_TYPE_U32,
	[PCN_A_PROC_ORIGIN_PID]		= MNL_TYPE_U32,
	[PCN_A_PROC_COMM]		= MNL_TYPE_NUL_STRING,
	[PCN_A_PROC_THREAD]		= MNL_TYPE_NESTED,
	[PCN_A_THREAD_TID]		= MNL_TYPE_U32,
	[PCN_A_THREAD_NID]		= MNL_TYPE_U32,
	[PCN_A_THREAD_LOCAL_TID]	= MNL_TYPE_U32,
	[PCN_A_RAW_TYPE]	= MNL_TYPE_U16,
	[PCN_A_RAW_PAYLOAD]	= MNL_TYPE_BINARY,
	[PCN_A_RAW_STATUS]	= MNL_TYPE_U32,
	[PCN_A_RAW_REPLY]	= MNL_TYPE_BINARY,
	[PCN_A_MOVE_TID]	= MNL_TYPE_U32,
	[PCN_A_MOVE_PID]	= MNL_TYPE_U32,
	[PCN_A_MOVE_WAIT_MS]	= MNL_TYPE_U32,
	[PCN_A_MOVE]		= MNL_TYPE_NESTED,
	[PCN_A_MOVE_STATUS]	= MNL_TYPE_U32,
	[PCN_A_MOVE_NS]		= MNL_TYPE_U64,
	[PCN_A_PLACE_PID]	= MNL_TYPE_U32,
	[PCN_A_PLACE_MODE]	= MNL_TYPE_U8,
	[PCN_A_PLACE_NODES]	= MNL_TYPE_BINARY,
	[PCN_A_STAT_UPTIME_NS]	= MNL_TYPE_U64,
	[PCN_A_STAT_CPU_BUSY_NS] = MNL_TYPE_U64,
	[PCN_A_STAT_CPUS]	= MNL_TYPE_U32,
	[PCN_A_STAT_NR_RUNNING]	= MNL_TYPE_U32,
	[PCN_A_THREAD_CPU_NS]	= MNL_TYPE_U64,
	[PCN_A_THREAD_FAULTS]	= MNL_TYPE_U64,
	[PCN_A_THREAD_CALLS]	= MNL_TYPE_U64,
	[PCN_A_STAT_PAGES_GRANTED] = MNL_TYPE_U64,
	[PCN_A_STAT_GRANTED_MAPPED] = MNL_TYPE_U64,
	[PCN_A_STAT_AHEAD_SENT]	= MNL_TYPE_U64,
	[PCN_A_STAT_AHEAD_MAPPED] = MNL_TYPE_U64,
	[PCN_A_STAT_AHEAD_USED]	= MNL_TYPE_U64,
	[PCN_A_STAT_AHEAD_UNUSED] = MNL_TYPE_U64,
	[PCN_A_STAT_SESSIONS_RESUMED] = MNL_TYPE_U64,
	[PCN_A_STAT_SESSIONS_LOST] = MNL_TYPE_U64,
	[PCN_A_STAT_MSGS_RESENT] = MNL_TYPE_U64,
	[PCN_A_STAT_RX_DUPS] = MNL_TYPE_U64,
	[PCN_A_KEY]		= MNL_TYPE_BINARY,
	[PCN_A_KEY_SET]		= MNL_TYPE_FLAG,
};

/* The type an attribute is validated as; MNL_TYPE_UNSPEC: not parsed. */
enum mnl_attr_data_type pcn_attr_policy(uint16_t type)
{
	return type <= PCN_A_MAX ? pcn_policy[type] : MNL_TYPE_UNSPEC;
}

/*
 * Keeps the last instance of each known attribute in tb[]. Unknown ones
 * (PCN_A_PAD, anything newer than this header) are skipped; malformed ones
 * are skipped with a warning so a kernel/tool mismatch is visible.
 */
static int pcn_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > PCN_A_MAX || pcn_policy[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, pcn_policy[type]) < 0) {
		if (!pcn_nl_quiet)
			fprintf(stderr, "%s: warning: ignoring malformed attribute %u (length %u)\n",
				pcn_nl_prog, type,
				mnl_attr_get_payload_len(attr));
		return MNL_CB_OK;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

/* tb must have PCN_A_MAX + 1 entries, zeroed by the caller. */
int pcn_attr_parse(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), pcn_attr_cb, tb);
}

int pcn_attr_parse_nested(const struct nlattr *nest, const struct nlattr **tb)
{
	return mnl_attr_parse_nested(nest, pcn_attr_cb, tb);
}
