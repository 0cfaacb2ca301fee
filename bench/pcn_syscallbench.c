// SPDX-License-Identifier: GPL-2.0
/*
 * pcn_syscallbench: the cost of the deputy (kernel/popcorn/deputy.c), a
 * system call of a thread at node 1 made at the origin by its twin. Each
 * figure is measured at node 0 and at node 1 in the same run, so that the
 * two compare directly.
 *
 *   pcn_syscallbench getppid [--rounds N]
 *       N getppid() calls, each timed: the round trip of a trivial call
 *       (getppid_origin, getppid_remote).
 *   pcn_syscallbench pipe    [--rounds N]
 *       N 64-byte writes to a pipe that a thread at node 0 drains, each
 *       timed (pipe64_origin, pipe64_remote).
 *   pcn_syscallbench read    [--mib M] [--rounds N]
 *       node 0 writes an M MiB file (default 16) in /tmp; it is read N
 *       times (default 3) whole with 128 KiB reads into one buffer, each
 *       pass timed and its data checked (file_read_origin,
 *       file_read_remote: microseconds per MiB; MiB/s = 1e6 / value).
 *
 * Output as pcn_faultbench's, microseconds:
 *   sample,FIGURE,-,VALUE
 *   summary,FIGURE,-,median,M,p99,P,n,N
 * Samples taken at node 1 are kept in memory and printed at node 0.
 * Exit status: 0 done and verified; 1 a call or a check failed; 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "popcorn.h"

#define ORIGIN		0
#define REMOTE		1
#define MAX_ROUNDS	100000
#define READ_CHUNK	(128 * 1024)
#define MIB		(1024 * 1024)

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void fail(const char *what)
{
	fprintf(stderr, "pcn_syscallbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Print the samples of @fig and their median and p99. */
static void report(const char *fig, double *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		printf("sample,%s,-,%.3f\n", fig, v[i]);
	qsort(v, n, sizeof(*v), cmp_double);
	printf("summary,%s,-,median,%.3f,p99,%.3f,n,%d\n", fig, v[n / 2],
	       v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], n);
}

/* At node 1 for the duration of @fn; false when the thread did not go. */
static int at_remote(void (*fn)(void *), void *arg)
{
	int nid;

	if (popcorn_migrate(REMOTE))
		return 0;
	fn(arg);
	nid = popcorn_getnid();
	if (popcorn_migrate(ORIGIN)) {
		fprintf(stderr, "pcn_syscallbench: stranded at node %d\n", nid);
		_exit(3);
	}
	return nid == REMOTE;
}

struct run {
	int rounds;
	double *v;
	int fd;			/* pipe: write end; read: the file */
	char *buf;
	size_t size;		/* read: the file's size */
	size_t bad;		/* read: bytes not as written */
};

/* ---- getppid ---- */

static void getppid_loop(void *arg)
{
	struct run *r = arg;
	double t;
	int i;

	for (i = 0; i < r->rounds; i++) {
		t = now_us();
		getppid();
		r->v[i] = now_us() - t;
	}
}

/* ---- 64-byte pipe writes ---- */

static void *drain(void *arg)
{
	char buf[4096];
	int fd = *(int *)arg;

	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static void pipe_loop(void *arg)
{
	struct run *r = arg;
	char msg[64];
	double t;
	int i;

	memset(msg, 'p', sizeof(msg));
	for (i = 0; i < r->rounds; i++) {
		t = now_us();
		if (write(r->fd, msg, sizeof(msg)) != sizeof(msg))
			r->bad++;
		r->v[i] = now_us() - t;
	}
}

/* ---- reading a file ---- */

static char file_byte(size_t off)
{
	return (char)((off * 2654435761u) >> 13);
}

static void read_loop(void *arg)
{
	struct run *r = arg;
	size_t off, i;
	ssize_t n;
	double t;
	int pass;

	for (pass = 0; pass < r->rounds; pass++) {
		off = 0;
		t = now_us();
		while ((n = pread(r->fd, r->buf, READ_CHUNK, off)) > 0) {
			for (i = 0; i < (size_t)n; i += 4096)
				r->bad += r->buf[i] != file_byte(off + i);
			off += n;
		}
		r->v[pass] = (now_us() - t) / ((double)r->size / MIB);
		if (off != r->size)
			r->bad++;
	}
}

static int make_file(const char *path, size_t size)
{
	char *buf = malloc(MIB);
	size_t off, i;
	int fd;

	if (!buf)
		fail("malloc");
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	if (fd < 0)
		fail(path);
	for (off = 0; off < size; off += MIB) {
		for (i = 0; i < MIB; i++)
			buf[i] = file_byte(off + i);
		if (write(fd, buf, MIB) != MIB)
			fail("write");
	}
	free(buf);
	return fd;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pcn_syscallbench getppid [--rounds N]\n"
		"       pcn_syscallbench pipe    [--rounds N]\n"
		"       pcn_syscallbench read    [--mib M] [--rounds N]\n");
	exit(2);
}

/* Run @fn at node 0, then at node 1; report FIGURE_origin, _remote. */
static void both(const char *fig, void (*fn)(void *), struct run *r)
{
	double *v0 = calloc(r->rounds, sizeof(double));
	double *v1 = calloc(r->rounds, sizeof(double));
	char name[64];

	if (!v0 || !v1)
		fail("calloc");
	r->v = v0;
	fn(r);
	snprintf(name, sizeof(name), "%s_origin", fig);
	report(name, v0, r->rounds);
	r->v = v1;
	if (!at_remote(fn, r)) {
		fprintf(stderr, "pcn_syscallbench: %s: not run at node 1: %s\n",
			fig, strerror(errno));
		exit(1);
	}
	snprintf(name, sizeof(name), "%s_remote", fig);
	report(name, v1, r->rounds);
	free(v0);
	free(v1);
}

int main(int argc, char **argv)
{
	struct run r = { .rounds = 0 };
	const char *cmd = argc > 1 ? argv[1] : "";
	char path[64];
	pthread_t t;
	int mib = 16, i, p[2];

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			r.rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--mib") && i + 1 < argc)
			mib = atoi(argv[++i]);
		else
			usage();
	}
	if (r.rounds < 0 || r.rounds > MAX_ROUNDS || mib < 1 || mib > 1024)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(cmd, "getppid")) {
		r.rounds = r.rounds ?: 1000;
		both("getppid", getppid_loop, &r);
	} else if (!strcmp(cmd, "pipe")) {
		r.rounds = r.rounds ?: 1000;
		if (pipe(p))
			fail("pipe");
		if (pthread_create(&t, NULL, drain, &p[0]))
			fail("pthread_create");
		r.fd = p[1];
		both("pipe64", pipe_loop, &r);
		close(p[1]);
		pthread_join(t, NULL);
	} else if (!strcmp(cmd, "read")) {
		r.rounds = r.rounds ?: 3;
		r.size = (size_t)mib * MIB;
		r.buf = malloc(READ_CHUNK);
		if (!r.buf)
			fail("malloc");
		snprintf(path, sizeof(path), "/tmp/pcn_syscallbench.%d",
			 getpid());
		r.fd = make_file(path, r.size);
		unlink(path);
		both("file_read", read_loop, &r);
		printf("info,file_mib,%d\n", mib);
	} else {
		usage();
	}
	if (r.bad) {
		fprintf(stderr, "pcn_syscallbench: %zu bad bytes or writes\n",
			r.bad);
		return 1;
	}
	return 0;
}
