// SPDX-License-Identifier: GPL-2.0
/*
 * busy_pair SECONDS: an ordinary program (no libpopcorn) with two
 * CPU-bound threads, for the balancer's test (test_balance.sh). It prints
 * "pid P threads A B" once both run, lets them step a random number
 * generator for SECONDS, then checks each thread's result against its
 * own recomputation: a thread that ran at another node with a wrong view
 * of its memory ends with a wrong sum. Exit 0 when both agree.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct worker {
	pthread_t thread;
	volatile pid_t tid;
	uint64_t seed, steps, sum;
};

static volatile int stop;

static uint64_t step(uint64_t x)
{
	return x * 6364136223846793005ULL + 1442695040888963407ULL;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t x = w->seed, sum = 0, n = 0;

	w->tid = gettid();
	while (!stop) {
		x = step(x);
		sum += x >> 33;
		n++;
	}
	w->steps = n;
	w->sum = sum;
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[2] = { { .seed = 1 }, { .seed = 2 } };
	uint64_t x, sum, n;
	int i, bad = 0;

	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: busy_pair SECONDS\n");
		return 2;
	}
	for (i = 0; i < 2; i++)
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	while (!w[0].tid || !w[1].tid)
		usleep(1000);
	printf("pid %d threads %d %d\n", getpid(), w[0].tid, w[1].tid);
	fflush(stdout);
	sleep(atoi(argv[1]));
	stop = 1;
	for (i = 0; i < 2; i++) {
		pthread_join(w[i].thread, NULL);
		for (x = w[i].seed, sum = 0, n = 0; n < w[i].steps; n++) {
			x = step(x);
			sum += x >> 33;
		}
		printf("thread %d: %llu steps, %s\n", i,
		       (unsigned long long)w[i].steps,
		       sum == w[i].sum ? "sum right" : "SUM WRONG");
		bad |= sum != w[i].sum;
	}
	return bad;
}
