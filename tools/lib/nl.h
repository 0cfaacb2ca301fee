/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic netlink plumbing on top of libmnl, for pcnctl and pcn-top (tools/lib).
 */
#ifndef PCNCTL_NL_H
#define PCNCTL_NL_H

#include <stdint.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>
#include <popcorn/pcn_netlink.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Large enough for one dump skb (the kernel caps them at 32 KiB). */
#define PCN_NL_BUFSIZE	32768
#define PCN_NL_REQSIZE	4096

/* Messages on stderr start with pcn_nl_prog; pcn_nl_quiet mutes warnings. */
extern const char *pcn_nl_prog;
extern int pcn_nl_quiet;

struct pcn_nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t portid;
	uint32_t seq;
	char extack[256];		/* NLMSGERR_ATTR_MSG of the last error */
	char buf[PCN_NL_BUFSIZE];	/* receive buffer */
};

int pcn_nl_open(struct pcn_nl *nl, const char *what);
void pcn_nl_close(struct pcn_nl *nl);

struct nlmsghdr *pcn_nl_req(struct pcn_nl *nl, void *buf, uint8_t cmd,
			    uint16_t flags);
int pcn_nl_talk(struct pcn_nl *nl, struct nlmsghdr *req, mnl_cb_t cb,
		void *data);
int pcn_nl_fail(const struct pcn_nl *nl, const char *what, int err);

enum mnl_attr_data_type pcn_attr_policy(uint16_t type);
int pcn_attr_parse(const struct nlmsghdr *nlh, const struct nlattr **tb);
int pcn_attr_parse_nested(const struct nlattr *nest, const struct nlattr **tb);

/* The value of an optional (already validated) attribute, or @dflt. */
static inline uint32_t pcn_attr_u32(const struct nlattr *attr, uint32_t dflt)
{
	return attr ? mnl_attr_get_u32(attr) : dflt;
}

static inline uint64_t pcn_attr_u64(const struct nlattr *attr, uint64_t dflt)
{
	return attr ? mnl_attr_get_u64(attr) : dflt;
}

#endif /* PCNCTL_NL_H */
