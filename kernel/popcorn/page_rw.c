// SPDX-License-Identifier: GPL-2.0
/*
 * Synchronous page transfers for the page self test (page_test.c,
 * CONFIG_POPCORN_SELFTEST): pcn_page_write() and pcn_page_read() put a
 * page into, or get it from, a peer's exposure and return once it is
 * done. Over RDMA they are the transport's one-sided WRITE and READ; over
 * messages, PAGE_WRITE and PAGE_READ requests that the peer answers after
 * copying under its cookie table's lock (pcn_page_cookie_access()).
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/highmem.h>
#include <linux/slab.h>
#include "internal.h"

#define PCN_PAGE_RW_TIMEOUT	(20 * HZ)

static int pcn_page_status(struct pcn_kmsg_rx *reply, size_t data_len)
{
	const struct pcn_page_status *st = (const void *)reply->msg->payload;

	if (reply->msg->hdr.size != sizeof(*st) + data_len && st->status == 0)
		return -EPROTO;
	return st->status > 0 || st->status < -MAX_ERRNO ? -EPROTO : st->status;
}

int pcn_page_write(int nid, const struct pcn_page_desc *to, struct page *page)
{
	struct pcn_kmsg_rx *reply;
	struct pcn_page_msg *msg;
	int ret;

	msg = pcn_page_write_msg(nid, to, page, &ret);
	if (!msg)
		return ret;
	ret = pcn_kmsg_request(nid, PCN_KMSG_TYPE_PAGE_WRITE, msg,
			       sizeof(*msg) + PCN_PAGE_SIZE, &reply,
			       PCN_PAGE_RW_TIMEOUT);
	kfree(msg);
	if (ret)
		return ret;
	ret = pcn_page_status(reply, 0);
	pcn_kmsg_done(reply);
	return ret;
}

int pcn_page_read(int nid, const struct pcn_page_desc *from, struct page *page)
{
	const struct pcn_page_status *st;
	struct pcn_kmsg_rx *reply;
	int ret;

	ret = pcn_page_op(nid, from, page, false);
	if (ret <= 0)
		return ret;
	ret = pcn_kmsg_request(nid, PCN_KMSG_TYPE_PAGE_READ, from,
			       sizeof(*from), &reply, PCN_PAGE_RW_TIMEOUT);
	if (ret)
		return ret;
	ret = pcn_page_status(reply, PCN_PAGE_SIZE);
	if (!ret) {
		st = (const void *)reply->msg->payload;
		memcpy_to_page(page, 0, st->data, PCN_PAGE_SIZE);
	}
	pcn_kmsg_done(reply);
	return ret;
}

static void pcn_page_write_handle(struct pcn_kmsg_rx *rx)
{
	struct pcn_page_msg *msg = (void *)rx->msg->payload;
	struct pcn_page_status st = {};

	st.status = pcn_page_cookie_access(rx, &msg->desc, true, msg->data);
	pcn_kmsg_reply(rx, &st, sizeof(st));
	pcn_kmsg_done(rx);
}

static void pcn_page_read_handle(struct pcn_kmsg_rx *rx)
{
	struct pcn_page_msg *msg = (void *)rx->msg->payload;
	struct pcn_page_status *st;
	size_t len = sizeof(*st) + PCN_PAGE_SIZE;

	st = kzalloc(len, GFP_KERNEL);
	if (st) {
		st->status = pcn_page_cookie_access(rx, &msg->desc, false,
						    st->data);
		if (st->status)
			len = sizeof(*st);
		pcn_kmsg_reply(rx, st, len);
		kfree(st);
	}
	pcn_kmsg_done(rx);
}

int pcn_page_rw_init(void)
{
	int ret;

	ret = pcn_kmsg_register(PCN_KMSG_TYPE_PAGE_WRITE, pcn_page_write_handle);
	if (!ret)
		ret = pcn_kmsg_register(PCN_KMSG_TYPE_PAGE_READ,
					pcn_page_read_handle);
	return ret;
}
