// SPDX-License-Identifier: GPL-2.0
/*
 * Message-layer self test: the echo service answers ECHO_REQUEST with an
 * identical ECHO_REPLY; pcn_echo_run() (netlink PCN_CMD_ECHO, `pcnctl echo`)
 * sends COUNT requests from THREADS kernel threads (selftest.c), payload
 * sizes cycling over MIN_SIZE..MAX_SIZE, pseudo-random content, checks every
 * reply byte for byte and reports round-trip percentiles.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/slab.h>
#include "internal.h"

#define PCN_ECHO_TIMEOUT	(20 * HZ)

static void pcn_echo_handle(struct pcn_kmsg_rx *rx)
{
	int ret;

	ret = pcn_kmsg_reply(rx, rx->msg->payload, rx->msg->hdr.size);
	if (ret)
		pr_debug("echo reply to node %d failed: %d\n", rx->from->nid,
			 ret);
	pcn_kmsg_done(rx);
}

struct pcn_echo_run {
	int nid;
	u32 min_size;
	u32 max_size;
};

static void *pcn_echo_buf_alloc(void)
{
	return kmalloc(PCN_KMSG_MAX_PAYLOAD, GFP_KERNEL);
}

static void pcn_echo_buf_free(void *buf)
{
	kfree(buf);
}

/* Message @i: sizes cycle over min..max, content is random. */
static int pcn_echo_one(void *ctx, void *buf, u32 i, u64 *ns)
{
	struct pcn_echo_run *run = ctx;
	size_t size = run->min_size + i % (run->max_size - run->min_size + 1);
	struct pcn_kmsg_rx *reply;
	ktime_t t0;
	int ret;

	get_random_bytes(buf, size);
	t0 = ktime_get();
	ret = pcn_kmsg_request(run->nid, PCN_KMSG_TYPE_ECHO_REQUEST, buf, size,
			       &reply, PCN_ECHO_TIMEOUT);
	if (ret)
		return ret;
	*ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	if (reply->msg->hdr.size != size ||
	    memcmp(reply->msg->payload, buf, size))
		ret = -EILSEQ;
	pcn_kmsg_done(reply);
	return ret;
}

int pcn_echo_run(int nid, u32 count, u32 threads, u32 min_size, u32 max_size,
		 struct pcn_selftest_result *res)
{
	struct pcn_echo_run run = { .nid = nid, .max_size = max_size };
	struct pcn_selftest test = {
		.name = "pcn_echo", .count = count, .threads = threads,
		.ctx = &run, .thread_init = pcn_echo_buf_alloc,
		.thread_exit = pcn_echo_buf_free, .item = pcn_echo_one,
	};

	run.min_size = min(min_size, max_size);
	return pcn_selftest_run(&test, res);
}

int pcn_echo_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_ECHO_REQUEST, pcn_echo_handle);
}
