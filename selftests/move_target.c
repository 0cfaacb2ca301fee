// SPDX-License-Identifier: GPL-2.0
/*
 * An ordinary threaded program for test_move.sh, built without
 * libpopcorn: nothing in it knows about Popcorn. `pcnctl migrate` moves
 * its threads from outside.
 *
 * It prints "pid P spin S wait W" and runs:
 *  - a spinner thread that keeps adding i to arr[i] (all in registers and
 *    SSE between two memory operations: a move between any two
 *    instructions must keep every register);
 *  - a waiter blocked in pthread_cond_wait() (a futex wait) until the
 *    main thread says "go";
 *  - the main thread, blocked in read() on stdin until "go".
 * On "go" the waiter wakes and checks a value the main thread wrote, the
 * spinner stops after a second, and the program checks arr and prints
 * "ok COUNT" (exit 0) or "bad ..." (exit 1).
 *
 * move_target --as-nobody CMD [ARG...]: run CMD as uid/gid 65534 (the
 * test's unprivileged caller).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WORDS	(1 << 15)

static unsigned long arr[WORDS];
static volatile unsigned long rounds;
static volatile int stop;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int go, message, seen;
static volatile pid_t spin_tid, wait_tid;

static void *spinner(void *arg)
{
	spin_tid = syscall(SYS_gettid);
	while (!stop) {
		for (int i = 0; i < WORDS; i++)
			arr[i] += i;
		rounds++;
	}
	return NULL;
}

static void *waiter(void *arg)
{
	wait_tid = syscall(SYS_gettid);
	pthread_mutex_lock(&lock);
	while (!go)
		pthread_cond_wait(&cond, &lock);
	seen = message;
	pthread_mutex_unlock(&lock);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t s, w;
	char line[16];
	int i;

	if (argc > 2 && !strcmp(argv[1], "--as-nobody")) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			return 126;
		execvp(argv[2], argv + 2);
		return 127;
	}
	pthread_create(&s, NULL, spinner, NULL);
	pthread_create(&w, NULL, waiter, NULL);
	while (!spin_tid || !wait_tid)
		usleep(1000);
	printf("pid %d spin %d wait %d\n", getpid(), spin_tid, wait_tid);
	fflush(stdout);

	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "go\n")) {
		printf("bad input\n");
		return 1;
	}
	pthread_mutex_lock(&lock);
	message = 42;
	go = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(w, NULL);
	sleep(1);
	stop = 1;
	pthread_join(s, NULL);
	for (i = 0; i < WORDS; i++)
		if (arr[i] != (unsigned long)i * rounds) {
			printf("bad arr[%d] = %lu after %lu rounds\n", i,
			       arr[i], rounds);
			return 1;
		}
	if (seen != 42) {
		printf("bad: the waiter saw %d\n", seen);
		return 1;
	}
	printf("ok %lu\n", rounds);
	return 0;
}
