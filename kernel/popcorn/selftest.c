// SPDX-License-Identifier: GPL-2.0
/*
 * The runner shared by the in-kernel self tests (echo, page transfers):
 * COUNT items spread over THREADS kernel threads, one latency per item,
 * then count, errors and percentiles. A fatal signal to the caller (Ctrl-C
 * on pcnctl) stops the threads early.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "internal.h"

struct pcn_selftest_run {
	const struct pcn_selftest *test;
	u64 *ns;		/* per item, 0 = failed */
	atomic_t first_err;
	atomic_t running;
	bool stop;
	struct completion all_done;
};

struct pcn_selftest_thread {
	struct pcn_selftest_run *run;
	u32 index;
};

static int pcn_selftest_thread_fn(void *data)
{
	struct pcn_selftest_thread *th = data;
	struct pcn_selftest_run *run = th->run;
	const struct pcn_selftest *t = run->test;
	void *buf = t->thread_init ? t->thread_init() : NULL;
	u32 i;

	if (t->thread_init && !buf) {
		atomic_cmpxchg(&run->first_err, 0, -ENOMEM);
		goto out;
	}
	for (i = th->index; i < t->count && !READ_ONCE(run->stop);
	     i += t->threads) {
		u64 ns = 0;
		int ret = t->item(t->ctx, buf, i, &ns);

		if (ret) {
			atomic_cmpxchg(&run->first_err, 0, ret);
			if (ret == -ENOTCONN || ret == -EHOSTUNREACH)
				break;	/* the rest would fail the same way */
			continue;
		}
		run->ns[i] = max_t(u64, ns, 1);
		cond_resched();
	}
	if (t->thread_exit)
		t->thread_exit(buf);
out:
	if (atomic_dec_and_test(&run->running))
		complete(&run->all_done);
	return 0;
}

static int pcn_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void pcn_selftest_summarise(struct pcn_selftest_run *run, u32 count,
				   struct pcn_selftest_result *res)
{
	u64 *ns = run->ns;
	u32 i, n = 0;

	for (i = 0; i < count; i++)
		if (ns[i])
			ns[n++] = ns[i];
	res->ok = n;
	res->errors = count - n;
	res->first_err = atomic_read(&run->first_err);
	if (!n)
		return;
	sort(ns, n, sizeof(u64), pcn_u64_cmp, NULL);
	res->min_ns = ns[0];
	res->p50_ns = ns[(n - 1) / 2];
	res->p99_ns = ns[(u64)(n - 1) * 99 / 100];
	res->max_ns = ns[n - 1];
}

int pcn_selftest_run(const struct pcn_selftest *test,
		     struct pcn_selftest_result *res)
{
	struct pcn_selftest_run run = { .test = test };
	struct pcn_selftest_thread *th;
	ktime_t start;
	u32 i;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	run.ns = kvcalloc(test->count, sizeof(u64), GFP_KERNEL);
	th = kcalloc(test->threads, sizeof(*th), GFP_KERNEL);
	if (!run.ns || !th) {
		ret = -ENOMEM;
		goto out;
	}
	init_completion(&run.all_done);
	/* One extra count so that no thread completes the run early. */
	atomic_set(&run.running, 1);
	start = ktime_get();
	for (i = 0; i < test->threads; i++) {
		struct task_struct *task;

		th[i].run = &run;
		th[i].index = i;
		atomic_inc(&run.running);
		task = kthread_run(pcn_selftest_thread_fn, &th[i], "%s/%u",
				   test->name, i);
		if (IS_ERR(task)) {
			atomic_dec(&run.running);
			atomic_cmpxchg(&run.first_err, 0, PTR_ERR(task));
			break;
		}
	}
	if (atomic_dec_and_test(&run.running))
		complete(&run.all_done);
	/* A fatal signal stops the run; the threads still use @run. */
	if (wait_for_completion_killable(&run.all_done)) {
		WRITE_ONCE(run.stop, true);
		wait_for_completion(&run.all_done);
	}
	res->wall_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	pcn_selftest_summarise(&run, test->count, res);
out:
	kfree(th);
	kvfree(run.ns);
	return ret;
}

/* The self tests' message handlers, and the benchmarking knobs. */
int pcn_selftest_init(void)
{
	int ret;

	ret = pcn_echo_init();
	if (!ret)
		ret = pcn_page_rw_init();
	if (!ret)
		ret = pcn_page_test_init();
	if (!ret)
		pcn_debugfs_init();
	return ret;
}
