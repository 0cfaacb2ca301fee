// SPDX-License-Identifier: LGPL-2.1
/*
 * libpopcorn: moving and placing threads of any program, from a program
 * (the "popcorn" generic netlink family's PCN_CMD_MIGRATE and PCN_CMD_PLACE,
 * as pcnctl migrate and pcnctl place use them). Plain netlink sockets: no
 * library beyond libc, so a static program needs nothing else.
 *
 * Each call opens a socket, asks, reads the answer and closes it; the
 * kernel checks the caller's right (ptrace) and every value.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "popcorn.h"

#define CTL_BUF		8192

struct ctl {
	int fd;
	uint16_t family;
	uint32_t seq;
	union {
		struct nlmsghdr nlh;
		char buf[CTL_BUF];
	} u;
};

/* Appends attribute @type with @len bytes of @data to the message. */
static int put(struct nlmsghdr *nlh, uint16_t type, const void *data,
	       size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)nlh +
					     NLMSG_ALIGN(nlh->nlmsg_len));

	if (NLMSG_ALIGN(nlh->nlmsg_len) + NLA_HDRLEN + NLA_ALIGN(len) > CTL_BUF)
		return -1;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return 0;
}

static int put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	return put(nlh, type, &v, sizeof(v));
}

static struct nlmsghdr *start(struct ctl *c, uint16_t family, uint8_t cmd,
			      uint8_t version)
{
	struct nlmsghdr *nlh = &c->u.nlh;
	struct genlmsghdr *g = NLMSG_DATA(nlh);

	memset(c->u.buf, 0, NLMSG_LENGTH(GENL_HDRLEN));
	nlh->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++c->seq;
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/*
 * Sends the message in @c and reads until its ack: each reply message's
 * attributes go to @each (may be NULL) with @arg. 0, or -1 with errno (the
 * kernel's error, or EPROTO for an answer that makes no sense).
 */
static int talk(struct ctl *c,
		int (*each)(const struct nlattr *a, int len, void *arg),
		void *arg)
{
	uint32_t seq = c->u.nlh.nlmsg_seq;
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret = 0;

	if (send(c->fd, c->u.buf, c->u.nlh.nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		n = recv(c->fd, c->u.buf, sizeof(c->u.buf), 0);
		if (n < 0)
			return -1;
		for (nlh = &c->u.nlh; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					goto proto;
				if (e->error) {
					errno = -e->error;
					return -1;
				}
				return ret;
			}
			if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
				goto proto;
			if (each && !ret)
				ret = each((const struct nlattr *)
					   ((char *)NLMSG_DATA(nlh) + GENL_HDRLEN),
					   nlh->nlmsg_len -
					   NLMSG_LENGTH(GENL_HDRLEN), arg);
		}
	}
proto:
	errno = EPROTO;
	return -1;
}

/* Walks the attributes in [@a, @a + @len); @fn sees each whole one. */
#define for_each_attr(a, len)						\
	for (; (len) >= (int)NLA_HDRLEN && (a)->nla_len >= NLA_HDRLEN &&	\
	       (a)->nla_len <= (len);					\
	     (len) -= NLA_ALIGN((a)->nla_len),				\
	     (a) = (const struct nlattr *)((const char *)(a) +		\
					   NLA_ALIGN((a)->nla_len)))

static int family_of(const struct nlattr *a, int len, void *arg)
{
	for_each_attr(a, len) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
		    a->nla_len >= NLA_HDRLEN + sizeof(uint16_t)) {
			memcpy(arg, (const char *)a + NLA_HDRLEN,
			       sizeof(uint16_t));
			return 0;
		}
	}
	return 0;
}

static int ctl_open(struct ctl *c)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh;
	int saved;

	c->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (c->fd < 0)
		return -1;
	c->seq = 0;
	c->family = 0;
	if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)))
		goto fail;
	nlh = start(c, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	if (put(nlh, CTRL_ATTR_FAMILY_NAME, PCN_GENL_NAME,
		sizeof(PCN_GENL_NAME)) || talk(c, family_of, &c->family))
		goto fail;
	if (!c->family) {
		errno = ENOSYS;
		goto fail;
	}
	return 0;
fail:
	saved = errno == ENOENT ? ENOSYS : errno;
	close(c->fd);
	errno = saved;
	return -1;
}

/* The answer of a MIGRATE: every thread's MOVE_STATUS, the first bad one. */
struct move_res {
	int threads;
	uint32_t status;	/* 0, or the first refusal or EINPROGRESS */
};

static int move_each(const struct nlattr *a, int len, void *arg)
{
	struct move_res *r = arg;
	const struct nlattr *in;
	uint32_t st;
	int ilen;

	for_each_attr(a, len) {
		if ((a->nla_type & NLA_TYPE_MASK) != PCN_A_MOVE)
			continue;
		in = (const struct nlattr *)((const char *)a + NLA_HDRLEN);
		ilen = a->nla_len - NLA_HDRLEN;
		for_each_attr(in, ilen) {
			if (in->nla_type != PCN_A_MOVE_STATUS ||
			    in->nla_len < NLA_HDRLEN + sizeof(st))
				continue;
			memcpy(&st, (const char *)in + NLA_HDRLEN, sizeof(st));
			r->threads++;
			if (st == EALREADY)
				st = 0;
			/* A refusal says more than "pending". */
			if (st && (!r->status || r->status == EINPROGRESS))
				r->status = st;
		}
	}
	return 0;
}

static int move(uint16_t attr, pid_t id, int nid, unsigned int wait_ms)
{
	struct move_res r = { 0 };
	struct nlmsghdr *nlh;
	struct ctl c;
	int ret;

	if (id <= 0 || nid < 0) {
		errno = EINVAL;
		return -1;
	}
	if (ctl_open(&c))
		return -1;
	nlh = start(&c, c.family, PCN_CMD_MIGRATE, PCN_GENL_VERSION);
	ret = put_u32(nlh, PCN_A_NID, nid) || put_u32(nlh, attr, id) ||
	      put_u32(nlh, PCN_A_MOVE_WAIT_MS, wait_ms) ? -1 :
	      talk(&c, move_each, &r);
	close(c.fd);
	if (ret)
		return -1;
	if (!r.threads) {
		errno = EPROTO;
		return -1;
	}
	if (r.status) {
		errno = r.status;
		return -1;
	}
	return 0;
}

int popcorn_move_thread(pid_t tid, int nid, unsigned int wait_ms)
{
	return move(PCN_A_MOVE_TID, tid, nid, wait_ms);
}

int popcorn_move_process(pid_t pid, int nid, unsigned int wait_ms)
{
	return move(PCN_A_MOVE_PID, pid, nid, wait_ms);
}

int popcorn_place(pid_t pid, int mode, const int *nodes, int count)
{
	unsigned char ids[POPCORN_MAX_NODES];
	struct nlmsghdr *nlh;
	struct ctl c;
	int i, ret;

	if (pid < 0 || mode < 0 || mode > 255 || count < 0 ||
	    count > POPCORN_MAX_NODES || (count && !nodes)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < count; i++) {
		if (nodes[i] < 0 || nodes[i] > 255) {
			errno = EINVAL;
			return -1;
		}
		ids[i] = nodes[i];
	}
	if (ctl_open(&c))
		return -1;
	nlh = start(&c, c.family, PCN_CMD_PLACE, PCN_GENL_VERSION);
	ret = (pid && put_u32(nlh, PCN_A_PLACE_PID, pid)) ||
	      put(nlh, PCN_A_PLACE_MODE, &(uint8_t){ mode }, 1) ||
	      (count && put(nlh, PCN_A_PLACE_NODES, ids, count)) ? -1 :
	      talk(&c, NULL, NULL);
	close(c.fd);
	return ret;
}
