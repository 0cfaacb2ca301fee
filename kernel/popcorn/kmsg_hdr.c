// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of a received message header. Pure logic, no state: every
 * transport runs it on each header before it trusts any field (the size
 * above all), and KUnit tests it (kmsg_hdr_kunit.c).
 */
#include <linux/errno.h>
#include <popcorn/pcn_kmsg.h>

/**
 * pcn_kmsg_check_hdr - is this header acceptable?
 * @hdr: the header as received
 * @expect_nid: the peer the connection belongs to, or -1 if not known yet
 * @types: the message table: per-type payload size bounds and flags
 * @ntypes: number of entries in @types
 *
 * Return: 0, or a negative errno that names the first violation:
 * -EBADMSG wrong magic, -EPROTO wrong version, -EINVAL unknown type or
 * non-zero reserved field, -EOPNOTSUPP unknown flags, or the reply flag on
 * a type that is not a reply (or missing on one), -EMSGSIZE payload size
 * outside the type's bounds, -EPERM sender is not the connected peer.
 */
int pcn_kmsg_check_hdr(const struct pcn_kmsg_hdr *hdr, int expect_nid,
		       const struct pcn_kmsg_type_info *types,
		       unsigned int ntypes)
{
	const struct pcn_kmsg_type_info *t;

	if (hdr->magic != PCN_KMSG_MAGIC)
		return -EBADMSG;
	if (hdr->version != PCN_KMSG_VERSION)
		return -EPROTO;
	if (hdr->type >= ntypes || hdr->reserved)
		return -EINVAL;
	t = &types[hdr->type];
	if (hdr->flags & ~PCN_KMSG_F_ALL)
		return -EOPNOTSUPP;
	if (!(hdr->flags & PCN_KMSG_F_REPLY) != !(t->flags & PCN_KMSG_T_REPLY))
		return -EOPNOTSUPP;
	if (hdr->size > PCN_KMSG_MAX_PAYLOAD ||
	    hdr->size < t->size.min || hdr->size > t->size.max)
		return -EMSGSIZE;
	if (hdr->from_nid >= PCN_MAX_NODES ||
	    (expect_nid >= 0 && hdr->from_nid != expect_nid))
		return -EPERM;
	return 0;
}
