// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of pcn-balance's policy (policy.c) and config reader
 * (config.c), on made-up samples: TAP, then "N passed, N failed".
 * Usage: pcn-balance-policy-test DIR (a directory to write config files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"

static int passed, failed;

static void check(int ok, const char *what)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", passed + failed + 1, what);
	if (ok)
		passed++;
	else
		failed++;
}

static struct bal_thread threads[2][8];
static struct bal_proc procs[2][2];

/*
 * Sample @i (0: prev, 1: cur) at @t seconds: nodes 0 (self) and 1, one
 * CPU each, node 0 @busy0 % busy since the last, node 1 @busy1 %.
 */
static void sample(struct bal_sample *s, int i, double t, double busy0,
		   double busy1, uint32_t run0, uint32_t run1)
{
	memset(s, 0, sizeof(*s));
	s->self = 0;
	s->node[0] = (struct bal_node){ 1, 1, run0,
		(uint64_t)(t * busy0 / 100 * 1e9), (uint64_t)(t * 1e9) };
	s->node[1] = (struct bal_node){ 1, 1, run1,
		(uint64_t)(t * busy1 / 100 * 1e9), (uint64_t)(t * 1e9) };
	s->procs = procs[i];
	s->nprocs = 1;
	procs[i][0] = (struct bal_proc){ .pid = 100, .comm = "xz",
		.allowed = 3, .threads = threads[i], .nthreads = 0 };
}

/* Thread @tid of process 100 on @nid, @cpu seconds, @faults so far. */
static void thread(struct bal_sample *s, int i, uint32_t tid, uint32_t nid,
		   double cpu, uint64_t faults)
{
	struct bal_proc *p = &procs[i][0];

	(void)s;
	threads[i][p->nthreads++] = (struct bal_thread){ tid, nid, 1,
		(uint64_t)(cpu * 1e9), faults, 0 };
}

int main(int argc, char **argv)
{
	struct bal_sample prev, cur;
	struct bal_move m[64];
	struct bal_state st = { 0 };
	struct bal_config c;
	char path[512];
	unsigned int n;
	FILE *f;

	bal_config_default(&c);

	/* Two CPU-bound threads share node 0's CPU, node 1 idle: one goes. */
	sample(&prev, 0, 10, 100, 2, 2, 0);
	thread(&prev, 0, 101, 0, 4, 0);
	thread(&prev, 0, 102, 0, 4.2, 0);
	sample(&cur, 1, 12, 100, 2, 2, 0);
	thread(&cur, 1, 101, 0, 4.95, 0);
	thread(&cur, 1, 102, 0, 5.2, 0);
	n = bal_decide(&c, &st, &prev, &cur, m);
	check(n == 1 && m[0].tid == 102 && m[0].from == 0 && m[0].to == 1,
	      "two threads on a busy 1-CPU node, an idle one: the busier thread moves");
	check(n == 1 && strstr(m[0].why, "load: node 0 has 2 runnable") != NULL,
	      "the reason names the loads");

	/* The same samples again: the moved thread cools down. */
	n = bal_decide(&c, &st, &prev, &cur, m);
	check(n == 1 && m[0].tid == 101, "a thread just moved stays put (cooldown)");
	memset(&st, 0, sizeof(st));

	/* One each: balanced. */
	sample(&prev, 0, 10, 100, 100, 1, 1);
	thread(&prev, 0, 101, 0, 4, 0);
	thread(&prev, 0, 102, 1, 4, 0);
	sample(&cur, 1, 12, 100, 100, 1, 1);
	thread(&cur, 1, 101, 0, 6, 0);
	thread(&cur, 1, 102, 1, 6, 0);
	check(bal_decide(&c, &st, &prev, &cur, m) == 0, "one thread per node: nothing moves");

	/* Node 0 not busy enough. */
	sample(&prev, 0, 10, 50, 0, 2, 0);
	thread(&prev, 0, 101, 0, 4, 0);
	thread(&prev, 0, 102, 0, 4, 0);
	sample(&cur, 1, 12, 50, 0, 2, 0);
	thread(&cur, 1, 101, 0, 4.5, 0);
	thread(&cur, 1, 102, 0, 4.5, 0);
	check(bal_decide(&c, &st, &prev, &cur, m) == 0, "a node under busy_min is no source");

	/* A thread that faults a lot stays with the others. */
	sample(&prev, 0, 10, 100, 0, 2, 0);
	thread(&prev, 0, 101, 0, 4, 0);
	thread(&prev, 0, 102, 0, 4, 0);
	sample(&cur, 1, 12, 100, 0, 2, 0);
	thread(&cur, 1, 101, 0, 5, 5000);
	thread(&cur, 1, 102, 0, 5, 0);
	n = bal_decide(&c, &st, &prev, &cur, m);
	check(n == 1 && m[0].tid == 102, "the thread that faults at 2500/s is not the one moved");
	memset(&st, 0, sizeof(st));

	/* Node 1 not allowed for the process. */
	procs[1][0].allowed = 1;
	check(bal_decide(&c, &st, &prev, &cur, m) == 0, "a node outside the process's list is no target");
	memset(&st, 0, sizeof(st));

	/* Node 1 did not answer the first time. */
	sample(&prev, 0, 10, 100, 0, 2, 0);
	prev.node[1].online = 0;
	thread(&prev, 0, 101, 0, 4, 0);
	thread(&prev, 0, 102, 0, 4, 0);
	sample(&cur, 1, 12, 100, 0, 2, 0);
	thread(&cur, 1, 101, 0, 5, 0);
	thread(&cur, 1, 102, 0, 5, 0);
	check(bal_decide(&c, &st, &prev, &cur, m) == 0, "a node without two readings is no target");

	/* At node 1, idle but faulting and calling: home. */
	sample(&prev, 0, 10, 30, 30, 0, 0);
	thread(&prev, 0, 101, 0, 4, 0);
	thread(&prev, 0, 102, 1, 1, 100);
	sample(&cur, 1, 12, 30, 30, 0, 0);
	thread(&cur, 1, 101, 0, 4.2, 0);
	thread(&cur, 1, 102, 1, 1.1, 3100);
	n = bal_decide(&c, &st, &prev, &cur, m);
	check(n == 1 && m[0].tid == 102 && m[0].to == 0 &&
	      strstr(m[0].why, "home:") != NULL,
	      "a thread away that mostly waits on the origin goes home");

	/* A thread that moved between the samples is left alone. */
	memset(&st, 0, sizeof(st));
	threads[0][1].nid = 0;
	check(bal_decide(&c, &st, &prev, &cur, m) == 0, "a thread that just moved has no rates yet");

	/* max_moves: three CPU-bound threads on node 0, two idle nodes. */
	memset(&st, 0, sizeof(st));
	sample(&prev, 0, 10, 100, 0, 3, 0);
	prev.node[2] = (struct bal_node){ 1, 1, 0, 0, 10000000000ULL };
	thread(&prev, 0, 101, 0, 3, 0);
	thread(&prev, 0, 102, 0, 3, 0);
	thread(&prev, 0, 103, 0, 3, 0);
	sample(&cur, 1, 12, 100, 0, 3, 0);
	cur.node[2] = (struct bal_node){ 1, 1, 0, 0, 12000000000ULL };
	procs[0][0].allowed = procs[1][0].allowed = 7;
	thread(&cur, 1, 101, 0, 3.6, 0);
	thread(&cur, 1, 102, 0, 3.7, 0);
	thread(&cur, 1, 103, 0, 3.6, 0);
	n = bal_decide(&c, &st, &prev, &cur, m);
	check(n == 1, "max_moves 1: one move a round");
	c.max_moves = 2;
	memset(&st, 0, sizeof(st));
	n = bal_decide(&c, &st, &prev, &cur, m);
	check(n == 2 && m[0].to != m[1].to && m[0].tid != m[1].tid,
	      "max_moves 2: two threads, to the two idle nodes");

	/* The config file. */
	if (argc < 2)
		return 1;
	snprintf(path, sizeof(path), "%s/balance-test.conf", argv[1]);
	f = fopen(path, "w");
	fputs("# knobs\ninterval = 0.5\n busy_min=60 # comment\ncooldown = 5\n", f);
	fclose(f);
	bal_config_default(&c);
	check(!bal_config_read(&c, path) && c.interval == 0.5 &&
	      c.busy_min == 60 && c.cooldown == 5 && c.max_moves == 1,
	      "config: values, comments, blanks; the rest defaults");
	f = fopen(path, "w");
	fputs("cooldwn = 5\n", f);
	fclose(f);
	check(bal_config_read(&c, path) == -1, "config: an unknown key is an error");
	f = fopen(path, "w");
	fputs("cpu_min = 1.5\n", f);
	fclose(f);
	check(bal_config_read(&c, path) == -1, "config: a value out of range is an error");
	f = fopen(path, "w");
	fputs("max_moves = 1.5\n", f);
	fclose(f);
	check(bal_config_read(&c, path) == -1, "config: a fraction where a whole number goes is an error");
	f = fopen(path, "w");
	fputs("interval 3\n", f);
	fclose(f);
	check(bal_config_read(&c, path) == -1, "config: a line without '=' is an error");
	remove(path);
	check(bal_config_read(&c, path) == -1, "config: a missing file is an error");

	printf("1..%d\n%d passed, %d failed\n", passed + failed, passed,
	       failed);
	return failed != 0;
}
