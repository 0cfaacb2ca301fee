// SPDX-License-Identifier: GPL-2.0
/*
 * The answer to a page fetch or recall, checked before any of it is
 * believed, and the block of pages a fetch of a fresh page may be given
 * with it. Pure logic, tested by KUnit (page_reply_kunit.c).
 */
#include <linux/err.h>
#include <linux/errno.h>
#include "internal.h"

/**
 * pcn_page_reply_check - is this a well-formed answer to our request?
 * @type: the reply's type (the request's reply type, checked by the core)
 * @r: the reply, as received
 * @addr: the page the request was about
 * @window: the pages the request exposed for the answer (0: none)
 * @out: the reply, when well-formed
 *
 * A fetch reply may carry the data (DATA) and with it the pages after it
 * that the request's window had room for (ahead_map), the data as the
 * only copy (DATA | OWNER), or the only copy of a page nobody ever wrote
 * (OWNER | ZERO) with the other pages of @addr's block that come with it;
 * a recall reply only DATA, or DATA | CLEAN for a page its holder was
 * handed whole by a read and never wrote. An error status carries nothing.
 *
 * Return: the reply's status (0 or -errno), or -EPROTO for a malformed one.
 */
int pcn_page_reply_check(enum pcn_kmsg_type type,
			 const struct pcn_page_fetch_reply *r,
			 unsigned long addr, unsigned int window,
			 struct pcn_page_fetch_reply *out)
{
	u32 valid = PCN_PAGE_F_DATA;
	u32 f = r->flags;

	if (type == PCN_KMSG_TYPE_PAGE_FETCH_REPLY)
		valid |= PCN_PAGE_F_OWNER | PCN_PAGE_F_ZERO;
	else if (type == PCN_KMSG_TYPE_PAGE_RECALL_REPLY)
		valid |= PCN_PAGE_F_CLEAN;
	else
		return -EPROTO;
	if (r->status > 0 || r->status < -MAX_ERRNO || (f & ~valid))
		return -EPROTO;
	if (r->status && (f || r->zero_map || r->ahead_map))
		return -EPROTO;
	/* Data needs room for it; pages ahead need room and plain DATA. */
	if ((f & PCN_PAGE_F_DATA) && !window)
		return -EPROTO;
	if ((f & PCN_PAGE_F_CLEAN) && !(f & PCN_PAGE_F_DATA))
		return -EPROTO;	/* only a page sent back can be unwritten */
	if (r->ahead_map &&
	    (type != PCN_KMSG_TYPE_PAGE_FETCH_REPLY ||
	     f != PCN_PAGE_F_DATA || (r->ahead_map & 1) || window > 64 ||
	     (window < 64 && r->ahead_map >> window)))
		return -EPROTO;
	/* The only copy comes with its data, or as known zeros: not both. */
	if ((f & PCN_PAGE_F_OWNER) &&
	    !(f & PCN_PAGE_F_DATA) == !(f & PCN_PAGE_F_ZERO))
		return -EPROTO;
	if ((f & PCN_PAGE_F_ZERO) && !(f & PCN_PAGE_F_OWNER))
		return -EPROTO;
	if (f & PCN_PAGE_F_ZERO) {
		if (!(r->zero_map & BIT_ULL(pcn_page_grant_bit(addr))))
			return -EPROTO;	/* the page asked for must be in it */
	} else if (r->zero_map) {
		return -EPROTO;
	}
	*out = *r;
	return r->status;
}
