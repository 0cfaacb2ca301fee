// SPDX-License-Identifier: GPL-2.0
/*
 * Message-layer self test: the echo service answers ECHO_REQUEST with an
 * identical ECHO_REPLY; pcn_echo_run() (netlink PCN_CMD_ECHO, `pcnctl echo`)
 * sends COUNT requests from THREADS kernel threads with payload sizes
 * cycling over MIN_SIZE..MAX_SIZE and pseudo-random content, checks every reply
 * byte for byte and reports round-trip percentiles.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "internal.h"

#define PCN_ECHO_TIMEOUT	(20 * HZ)

static void pcn_echo_handle(struct pcn_kmsg_rx *rx)
{
	int ret;

	ret = pcn_kmsg_reply(rx, PCN_KMSG_TYPE_ECHO_REPLY, rx->msg->payload,
			     rx->msg->hdr.size);
	if (ret)
		pr_debug("echo reply to node %d failed: %d\n", rx->from->nid,
			 ret);
	pcn_kmsg_done(rx);
}

struct pcn_echo_run {
	int nid;
	u32 count;
	u32 threads;
	u32 min_size;
	u32 max_size;
	u64 *rtt_ns;		/* one slot per message, 0 = failed */
	atomic_t errors;
	atomic_t first_err;
	atomic_t running;
	bool stop;		/* the caller got a fatal signal */
	struct completion all_done;
};

struct pcn_echo_thread {
	struct pcn_echo_run *run;
	u32 index;
};

static void pcn_echo_fail(struct pcn_echo_run *run, int err)
{
	atomic_inc(&run->errors);
	atomic_cmpxchg(&run->first_err, 0, err);
}

static int pcn_echo_thread_fn(void *data)
{
	struct pcn_echo_thread *th = data;
	struct pcn_echo_run *run = th->run;
	struct pcn_kmsg_rx *reply;
	u8 *buf;
	u32 i;

	buf = kmalloc(PCN_KMSG_MAX_PAYLOAD, GFP_KERNEL);
	if (!buf) {
		pcn_echo_fail(run, -ENOMEM);
		goto out;
	}
	for (i = th->index; i < run->count && !READ_ONCE(run->stop);
	     i += run->threads) {
		size_t size = run->min_size +
			      i % (run->max_size - run->min_size + 1);
		ktime_t t0;
		int ret;

		get_random_bytes(buf, size);
		t0 = ktime_get();
		ret = pcn_kmsg_request(run->nid, PCN_KMSG_TYPE_ECHO_REQUEST,
				       buf, size, &reply, PCN_ECHO_TIMEOUT);
		if (ret) {
			pcn_echo_fail(run, ret);
			if (ret == -ENOTCONN || ret == -EHOSTUNREACH)
				break;	/* the rest would fail the same way */
			continue;
		}
		if (reply->msg->hdr.type != PCN_KMSG_TYPE_ECHO_REPLY ||
		    reply->msg->hdr.size != size ||
		    memcmp(reply->msg->payload, buf, size))
			pcn_echo_fail(run, -EILSEQ);
		else
			run->rtt_ns[i] = max_t(u64, 1,
					       ktime_to_ns(ktime_sub(ktime_get(), t0)));
		pcn_kmsg_done(reply);
		cond_resched();
	}
	kfree(buf);
out:
	if (atomic_dec_and_test(&run->running))
		complete(&run->all_done);
	return 0;
}

static int pcn_echo_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void pcn_echo_summarise(struct pcn_echo_run *run,
			       struct pcn_echo_result *res)
{
	u32 i, n = 0;

	for (i = 0; i < run->count; i++)
		if (run->rtt_ns[i])
			run->rtt_ns[n++] = run->rtt_ns[i];
	res->ok = n;
	if (!n)
		return;
	sort(run->rtt_ns, n, sizeof(u64), pcn_echo_cmp, NULL);
	res->min_ns = run->rtt_ns[0];
	res->p50_ns = run->rtt_ns[(n - 1) / 2];
	res->p99_ns = run->rtt_ns[(u64)(n - 1) * 99 / 100];
	res->max_ns = run->rtt_ns[n - 1];
}

int pcn_echo_run(int nid, u32 count, u32 threads, u32 min_size, u32 max_size,
		 struct pcn_echo_result *res)
{
	struct pcn_echo_thread *th;
	struct pcn_echo_run run = {
		.nid = nid, .count = count, .threads = threads,
		.max_size = min_t(u32, max_size, PCN_KMSG_MAX_PAYLOAD),
	};

	run.min_size = min(min_size, run.max_size);
	ktime_t start;
	u32 i, started = 0;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	res->max_size = run.max_size;
	run.rtt_ns = kvcalloc(count, sizeof(u64), GFP_KERNEL);
	th = kcalloc(threads, sizeof(*th), GFP_KERNEL);
	if (!run.rtt_ns || !th) {
		ret = -ENOMEM;
		goto out;
	}
	init_completion(&run.all_done);
	/* One extra count so that no thread completes before all started. */
	atomic_set(&run.running, 1);

	start = ktime_get();
	for (i = 0; i < threads; i++) {
		struct task_struct *task;

		th[i].run = &run;
		th[i].index = i;
		atomic_inc(&run.running);
		task = kthread_run(pcn_echo_thread_fn, &th[i], "pcn_echo/%u", i);
		if (IS_ERR(task)) {
			atomic_dec(&run.running);
			ret = PTR_ERR(task);
			break;
		}
		started++;
	}
	if (atomic_dec_and_test(&run.running))
		complete(&run.all_done);
	/* Ctrl-C on pcnctl stops the run; the threads still use @run. */
	if (wait_for_completion_killable(&run.all_done)) {
		WRITE_ONCE(run.stop, true);
		wait_for_completion(&run.all_done);
	}
	res->wall_ns = ktime_to_ns(ktime_sub(ktime_get(), start));

	if (!started)
		goto out;
	ret = 0;
	pcn_echo_summarise(&run, res);
	res->errors = count - res->ok;
	res->first_err = atomic_read(&run.first_err);
out:
	kfree(th);
	kvfree(run.rtt_ns);
	return ret;
}

int pcn_echo_init(void)
{
	return pcn_kmsg_register(PCN_KMSG_TYPE_ECHO_REQUEST, pcn_echo_handle);
}
