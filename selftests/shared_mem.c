// SPDX-License-Identifier: GPL-2.0
/*
 * Memory of every kind at a remote (kernel/popcorn/shared.c, vma_ops.c,
 * vma_server.c): MAP_SHARED anonymous memory, memfd and SysV shm are
 * coherent between the process's threads at node 0 and node 1; msync,
 * munmap and shmdt at node 1 bring the data home to the object, and so
 * does another process's read, write or new mapping of it; a page node 1
 * may not have (a region another process maps too, or this one at two
 * addresses, a shared mapping of a file that is not shmem) sends the
 * thread that touches it there home to do so, never silently diverging;
 * the stack grows at node 1 by
 * several MiB as at home, within the process's RLIMIT_STACK.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/aio_abi.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "popcorn.h"

#define ORIGIN	0
#define REMOTE	1
#define PAGES	16
#define SIZE	(PAGES * 4096)

#define GO_REMOTE() ASSERT_EQ(popcorn_migrate(REMOTE), 0) \
	TH_LOG("popcorn_migrate(1): %s", strerror(errno))
#define GO_HOME(nid) ({ (nid) = popcorn_getnid(); popcorn_migrate(ORIGIN); })

/* Word 0 of every page of @p holds @seed + its page number. */
static void fill(volatile unsigned long *p, unsigned long seed)
{
	int i;

	for (i = 0; i < PAGES; i++)
		p[i * 512] = seed + i;
}

/* How many pages of @p do not hold what fill(@seed) wrote. */
static int wrong(volatile unsigned long *p, unsigned long seed)
{
	int i, bad = 0;

	for (i = 0; i < PAGES; i++)
		bad += p[i * 512] != seed + i;
	return bad;
}

/*
 * MAP_SHARED anonymous memory made at the origin: written there, read and
 * written at node 1, read here; a write here is seen at node 1 after.
 */
TEST(anon_shared)
{
	unsigned long *p;
	int nid1, bad1, bad2, nid2;

	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(p, MAP_FAILED);
	fill(p, 100);
	GO_REMOTE();
	bad1 = wrong(p, 100);
	fill(p, 200);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(bad1, 0);
	EXPECT_EQ(wrong(p, 200), 0) TH_LOG("node 1's writes did not come home");
	fill(p, 300);
	GO_REMOTE();
	bad2 = wrong(p, 300);
	GO_HOME(nid2);
	ASSERT_EQ(nid2, REMOTE);
	EXPECT_EQ(bad2, 0) TH_LOG("node 1 kept stale copies");
	munmap(p, SIZE);
}

/* MAP_SHARED anonymous memory mapped at node 1, read at the origin. */
TEST(anon_shared_made_at_remote)
{
	unsigned long *p = MAP_FAILED;
	int nid1;

	GO_REMOTE();
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		fill(p, 400);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	ASSERT_NE(p, MAP_FAILED);
	EXPECT_EQ(wrong(p, 400), 0);
	munmap(p, SIZE);
}

/* A memfd of SIZE bytes, mapped shared at *@pp; -1 on failure. */
static int memfd_mapped(const char *name, unsigned long **pp)
{
	int fd = memfd_create(name, 0);

	if (fd < 0)
		return -1;
	*pp = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ftruncate(fd, SIZE) || *pp == MAP_FAILED) {
		close(fd);
		return -1;
	}
	return fd;
}

/* wrong() for the file itself: its pages read with pread. */
static int file_wrong(int fd, unsigned long seed)
{
	unsigned long got;
	int i, bad = 0;

	for (i = 0; i < PAGES; i++)
		bad += pread(fd, &got, sizeof(got), i * 4096L) !=
		       sizeof(got) || got != seed + i;
	return bad;
}

/*
 * A memfd written through a mapping at node 1: after msync there, and
 * after munmap there, the file itself (read with pread at the origin)
 * holds the data.
 */
TEST(memfd_msync_munmap)
{
	unsigned long *p;
	int fd, nid1, sync_ret = -1;

	fd = memfd_mapped("pcn-shared", &p);
	ASSERT_GE(fd, 0);
	GO_REMOTE();
	fill(p, 500);
	sync_ret = msync(p, SIZE, MS_SYNC);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(sync_ret, 0);
	EXPECT_EQ(file_wrong(fd, 500), 0)
		TH_LOG("msync at node 1 left the memfd stale");

	GO_REMOTE();
	fill(p, 600);
	munmap(p, SIZE);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(file_wrong(fd, 600), 0)
		TH_LOG("munmap at node 1 lost the memfd's data");
	close(fd);
}

/*
 * A memfd written through its mapping at node 1 and through its file
 * descriptor at both nodes: pread and pwrite (at node 1, made at the
 * origin for it) and pread at the origin see the mapping's latest data,
 * and the mapping at node 1 sees what pwrite wrote.
 */
TEST(memfd_fd_and_mapping)
{
	unsigned long got1 = 0, seen1 = 0, got0 = 0, val = 7777;
	long rd1 = -1, wr1 = -1;
	unsigned long *p;
	int fd, nid1;

	fd = memfd_mapped("pcn-fd", &p);
	ASSERT_GE(fd, 0);
	GO_REMOTE();
	fill(p, 1000);				/* node 1 owns the pages */
	rd1 = pread(fd, &got1, sizeof(got1), 4096);
	wr1 = pwrite(fd, &val, sizeof(val), 2 * 4096);
	seen1 = p[2 * 512];
	fill(p, 1100);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(rd1, (long)sizeof(got1));
	EXPECT_EQ(got1, 1001UL) TH_LOG("pread at node 1 read a stale page");
	EXPECT_EQ(wr1, (long)sizeof(val));
	EXPECT_EQ(seen1, val) TH_LOG("node 1's mapping missed a pwrite");
	/* Node 1 holds the pages again: a pread here must see them. */
	ASSERT_EQ(pread(fd, &got0, sizeof(got0), 3 * 4096),
		  (ssize_t)sizeof(got0));
	EXPECT_EQ(got0, 1103UL) TH_LOG("pread at the origin read a stale page");
	munmap(p, SIZE);
	close(fd);
}

/*
 * Another process, an ordinary one holding the memfd's descriptor, on
 * command: 'r' counts the pages pread finds wrong for the seed that
 * follows, 'w' pwrites the value that follows to page 2, 'm' maps the
 * memfd and counts the pages wrong through its mapping. It answers with
 * a long (the count, or the call's result).
 */
struct other {
	pid_t pid;
	int cmd, ans;		/* pipes: the test's ends */
};

static void other_serve(int fd, int cmd, int ans)
{
	unsigned long arg, *q;
	long res;
	char c;

	while (read(cmd, &c, 1) == 1 && read(cmd, &arg, sizeof(arg)) > 0) {
		if (c == 'r') {
			res = file_wrong(fd, arg);
		} else if (c == 'w') {
			res = pwrite(fd, &arg, sizeof(arg), 2 * 4096);
		} else {
			q = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
			res = q == MAP_FAILED ? -1 : wrong(q, arg);
		}
		if (write(ans, &res, sizeof(res)) != sizeof(res))
			break;
	}
	_exit(0);
}

static int other_start(struct other *o, int fd, void *map)
{
	long ready = -1;
	int c[2], a[2];

	if (pipe(c) || pipe(a))
		return -1;
	o->pid = fork();
	if (o->pid < 0)
		return -1;
	if (o->pid == 0) {
		close(c[1]);
		close(a[0]);
		/* Only the descriptor: fork copied the test's mapping. */
		ready = munmap(map, SIZE);
		if (write(a[1], &ready, sizeof(ready)) != sizeof(ready))
			_exit(1);
		other_serve(fd, c[0], a[1]);
	}
	close(c[0]);
	close(a[1]);
	o->cmd = c[1];
	o->ans = a[0];
	if (read(o->ans, &ready, sizeof(ready)) != sizeof(ready))
		return -1;
	return ready;
}

static long other_do(struct other *o, char c, unsigned long arg)
{
	long res = -2;

	if (write(o->cmd, &c, 1) != 1 ||
	    write(o->cmd, &arg, sizeof(arg)) != sizeof(arg) ||
	    read(o->ans, &res, sizeof(res)) != sizeof(res))
		return -2;
	return res;
}

/*
 * A memfd whose pages node 1 holds (written there, the thread back home)
 * read, written and mapped by another process, one that only has its
 * descriptor: it reads node 1's data, node 1 then reads what it wrote,
 * and its new mapping reads node 1's latest data.
 */
TEST(memfd_another_process)
{
	unsigned long *p, val = 4242, seen1 = 0;
	struct other o;
	int fd, nid1;

	fd = memfd_mapped("pcn-other", &p);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(other_start(&o, fd, p), 0);
	GO_REMOTE();
	fill(p, 1200);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(other_do(&o, 'r', 1200), 0)
		TH_LOG("another process's pread read stale pages");

	GO_REMOTE();
	fill(p, 1300);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(other_do(&o, 'w', val), (long)sizeof(val));
	GO_REMOTE();
	seen1 = p[2 * 512];
	fill(p, 1400);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(seen1, val) TH_LOG("node 1 missed another process's pwrite");
	EXPECT_EQ(other_do(&o, 'm', 1400), 0)
		TH_LOG("another process's new mapping read stale pages");
	close(o.cmd);
	waitpid(o.pid, NULL, 0);
	close(o.ans);
	munmap(p, SIZE);
	close(fd);
}

/* Linux AIO (io_submit), a read of @len bytes at @off of @fd into @buf. */
static long aio_pread(int fd, void *buf, size_t len, off_t off)
{
	struct iocb cb = {
		.aio_lio_opcode = IOCB_CMD_PREAD, .aio_fildes = fd,
		.aio_buf = (unsigned long)buf, .aio_nbytes = len,
		.aio_offset = off,
	};
	struct iocb *cbs[1] = { &cb };
	struct io_event ev;
	aio_context_t ctx = 0;
	long ret = -1;

	if (syscall(SYS_io_setup, 1, &ctx))
		return -1;
	if (syscall(SYS_io_submit, ctx, 1, cbs) == 1 &&
	    syscall(SYS_io_getevents, ctx, 1, 1, &ev, NULL) == 1)
		ret = ev.res;
	syscall(SYS_io_destroy, ctx);
	return ret;
}

/*
 * A memfd whose pages node 1 holds, read at the origin with Linux AIO
 * (not a read() the process makes: the kernel's AIO path): node 1's data.
 */
TEST(memfd_aio_read)
{
	unsigned long *p, got[2] = { 0, 0 };
	int fd, nid1;

	fd = memfd_mapped("pcn-aio", &p);
	ASSERT_GE(fd, 0);
	GO_REMOTE();
	fill(p, 1500);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	ASSERT_EQ(aio_pread(fd, &got[0], sizeof(got[0]), 3 * 4096),
		  (long)sizeof(got[0]));
	EXPECT_EQ(got[0], 1503UL) TH_LOG("an AIO read saw a stale page");
	munmap(p, SIZE);
	close(fd);
}

/*
 * remap_file_pages at node 1 (made at the origin for it, with the
 * coherence work of any mapping call): after node 1 wrote the memfd's
 * pages, page 0 of the mapping shows the file's page 5 (an alias now:
 * the thread reads it at home).
 */
TEST(remap_file_pages_at_remote)
{
	unsigned long *p, got1 = 0;
	long ret = -1;
	int fd, nid1;

	fd = memfd_mapped("pcn-remap", &p);
	ASSERT_GE(fd, 0);
	GO_REMOTE();
	fill(p, 1600);
	nid1 = popcorn_getnid();
	ret = syscall(SYS_remap_file_pages, p, 4096, 0, 5, 0);
	/* The file's page 5 at two addresses now: read at home (move.c). */
	got1 = p[0];
	if (popcorn_getnid() != ORIGIN)
		popcorn_migrate(ORIGIN);
	ASSERT_EQ(nid1, REMOTE);
	ASSERT_EQ(ret, 0) TH_LOG("remap_file_pages: %s", strerror(errno));
	EXPECT_EQ(got1, 1605UL);
	EXPECT_EQ(p[0], 1605UL);
	EXPECT_EQ(file_wrong(fd, 1600), 0);
	munmap(p, SIZE);
	close(fd);
}

/*
 * SysV shm: a segment attached at node 1 (shmat at the origin, for it),
 * written there and detached there; attached again here, it holds the
 * data. SHM_REMAP is refused with EOPNOTSUPP.
 */
TEST(sysv_shm)
{
	unsigned long *p = (void *)-1, *q;
	int id, nid1, dt = -1, remap_err = 0;
	void *remap;

	id = shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	GO_REMOTE();
	p = shmat(id, NULL, 0);
	if (p != (void *)-1) {
		fill(p, 700);
		remap = shmat(id, p, SHM_REMAP);
		remap_err = remap == (void *)-1 ? errno : 0;
		dt = shmdt(p);
	}
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	ASSERT_NE(p, (void *)-1) TH_LOG("shmat at node 1: %s", strerror(errno));
	EXPECT_EQ(remap_err, EOPNOTSUPP);
	EXPECT_EQ(dt, 0);
	q = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(q, (void *)-1);
	EXPECT_EQ(wrong(q, 700), 0) TH_LOG("shmdt at node 1 lost the data");
	shmdt(q);
	shmctl(id, IPC_RMID, NULL);
}

/*
 * A child of the test migrates to node 1 and writes @val to *@p there;
 * with @fd >= 0 it first maps that file (at two addresses, @twice) and
 * writes through the first mapping. A page node 1 may not have sends it
 * home to make the write: it exits with the node it made it on (255:
 * it could not get going).
 */
static int touch_at_remote(volatile unsigned long *p, int fd, bool twice,
			   unsigned long val)
{
	pid_t child;
	int status, nid;

	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		if (fd >= 0) {
			p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0);
			if (p == MAP_FAILED ||
			    (twice && mmap(NULL, SIZE, PROT_READ, MAP_SHARED,
					   fd, 0) == MAP_FAILED))
				_exit(255);
		}
		if (popcorn_migrate(REMOTE))
			_exit(255);
		p[0] = val;
		nid = popcorn_getnid();
		if (nid != ORIGIN)
			popcorn_migrate(ORIGIN);
		_exit(nid);
	}
	if (waitpid(child, &status, 0) != child)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256 + status;
}

/* Word 0 of the file's first page. */
static unsigned long file_word0(int fd)
{
	unsigned long got = 0;

	return pread(fd, &got, sizeof(got), 0) == sizeof(got) ? got : ~0UL;
}

/*
 * A region another process maps too (here the test and its child both
 * do): node 1 gets no page of it, so the child that writes it there goes
 * home to do so; the write lands, and the test still reads its own data.
 */
TEST(shared_with_another_process)
{
	volatile unsigned long *p;

	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(p, MAP_FAILED);
	fill(p, 800);
	EXPECT_EQ(touch_at_remote(p, -1, false, 4444), ORIGIN)
		TH_LOG("the child did not go home to write");
	EXPECT_EQ(p[0], 4444UL);
	p[0] = 800;
	EXPECT_EQ(wrong(p, 800), 0);
	munmap((void *)p, SIZE);
}

/* A memfd one process maps at two addresses: the same. */
TEST(shared_alias_in_process)
{
	int fd;

	fd = memfd_create("pcn-alias", 0);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, SIZE), 0);
	EXPECT_EQ(touch_at_remote(NULL, fd, true, 5555), ORIGIN)
		TH_LOG("the child did not go home to write");
	EXPECT_EQ(file_word0(fd), 5555UL);
	close(fd);
}

/*
 * A shared mapping of a file that is not shmem (here on ramfs), made at
 * home or at node 1: node 1 gets no page of it, a thread that reads or
 * writes it there goes home to do so, and reads and writes the file.
 */
TEST(shared_file_not_shmem)
{
	char dir[64], path[80];
	unsigned long *p, *q = MAP_FAILED, got = 0;
	int fd, nid_after = -1;

	snprintf(dir, sizeof(dir), "/tmp/pcn-ramfs.%d", getpid());
	ASSERT_EQ(mkdir(dir, 0700), 0);
	if (mount("none", dir, "ramfs", 0, NULL)) {
		rmdir(dir);
		SKIP(return, "cannot mount ramfs: %s", strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_CREAT | O_RDWR, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, SIZE), 0);
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(p, MAP_FAILED);
	fill(p, 900);

	GO_REMOTE();
	q = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (q != MAP_FAILED)
		got = q[3 * 512];	/* home for this */
	nid_after = popcorn_getnid();
	if (nid_after != ORIGIN)
		popcorn_migrate(ORIGIN);
	ASSERT_NE(q, MAP_FAILED) TH_LOG("mmap at node 1: %s", strerror(errno));
	EXPECT_EQ(got, 903UL);
	EXPECT_EQ(nid_after, ORIGIN) TH_LOG("read it at node %d", nid_after);
	munmap(q, SIZE);

	munmap(p, SIZE);
	EXPECT_EQ(touch_at_remote(NULL, fd, false, 6666), ORIGIN)
		TH_LOG("the child did not go home to write");
	EXPECT_EQ(file_word0(fd), 6666UL);
	close(fd);
	unlink(path);
	umount(dir);
	rmdir(dir);
}

/* Ask for @n huge pages (2 MiB); false if the kernel has none to give. */
static bool huge_pages(int n)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%d\n", n) > 0;
	return !fclose(f) && ok;
}

/*
 * Hugetlb memory, mapped at home and at node 1 (made at the origin for
 * it): no page of it leaves the origin, a thread that reads it at node 1
 * goes home to do so and reads what was written.
 */
TEST(hugetlb_goes_home)
{
	unsigned long *h, *h1 = MAP_FAILED, got = 0, got1 = 0;
	int nid_read = -1, nid_read1 = -1;
	size_t len = 2UL << 20;

	if (!huge_pages(4))
		SKIP(return, "no huge pages: %s", strerror(errno));
	h = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (h == MAP_FAILED)
		SKIP(return, "MAP_HUGETLB: %s", strerror(errno));
	h[1000] = 31337;
	GO_REMOTE();
	got = h[1000];		/* home for this */
	nid_read = popcorn_getnid();
	if (nid_read == ORIGIN)
		GO_REMOTE();
	h1 = mmap(NULL, len, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (h1 != MAP_FAILED) {
		h1[7] = 4711;
		got1 = h1[7];
	}
	nid_read1 = popcorn_getnid();
	if (popcorn_getnid() != ORIGIN)
		popcorn_migrate(ORIGIN);
	EXPECT_EQ(got, 31337UL);
	EXPECT_EQ(nid_read, ORIGIN) TH_LOG("read it at node %d", nid_read);
	ASSERT_NE(h1, MAP_FAILED) TH_LOG("MAP_HUGETLB at node 1: %s",
					 strerror(errno));
	EXPECT_EQ(got1, 4711UL);
	EXPECT_EQ(nid_read1, ORIGIN) TH_LOG("wrote it at node %d", nid_read1);
	munmap(h1, len);
	munmap(h, len);
	huge_pages(0);
}

#define FRAME	(64 * 1024)
#define DEPTH	96		/* 6 MiB of stack */

/* @depth frames of FRAME bytes, each page of each written and read. */
static unsigned long deep(int level, int depth)
{
	volatile unsigned char frame[FRAME];
	unsigned long sum;
	int i;

	for (i = 0; i < FRAME; i += 4096)
		frame[i] = (unsigned char)(level + i / 4096);
	sum = level + 1 < depth ? deep(level + 1, depth) : 0;
	for (i = 0; i < FRAME; i += 4096)
		sum += frame[i];
	return sum;
}

static unsigned long deep_want(int depth)
{
	unsigned long sum = 0;
	int level, i;

	for (level = 0; level < depth; level++)
		for (i = 0; i < FRAME; i += 4096)
			sum += (unsigned char)(level + i / 4096);
	return sum;
}

/*
 * The stack tests fault thousands of pages one at a time: a debug kernel
 * (KASAN, lockdep) needs more than the harness's default 30 s for them.
 */
FIXTURE(stack) {};
FIXTURE_SETUP(stack) {}
FIXTURE_TEARDOWN(stack) {}

/* The stack grows by 6 MiB at node 1, then again at the origin. */
TEST_F_TIMEOUT(stack, grows_at_remote, 600)
{
	unsigned long got1 = 0, got0;
	int nid1;

	GO_REMOTE();
	got1 = deep(0, DEPTH);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(got1, deep_want(DEPTH));
	got0 = deep(0, DEPTH);
	EXPECT_EQ(got0, deep_want(DEPTH));
}

/*
 * In a child with RLIMIT_STACK @limit MiB, @mib MiB of stack at node 1.
 * How the child ended: exit 0 when the sum was right.
 */
static int deep_at_remote(int limit, int mib)
{
	struct rlimit rl = { .rlim_cur = limit << 20, .rlim_max = RLIM_INFINITY };
	int status, depth = (mib << 20) / FRAME;
	pid_t child;

	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		if (setrlimit(RLIMIT_STACK, &rl) || popcorn_migrate(REMOTE))
			_exit(2);
		_exit(deep(0, depth) == deep_want(depth) ? 0 : 1);
	}
	if (waitpid(child, &status, 0) != child)
		return -1;
	return status;
}

/*
 * The stack at node 1 grows within the process's RLIMIT_STACK, not the
 * default 8 MiB: 16 MiB with a limit of 64 MiB; 6 MiB with a limit of
 * 4 MiB is a SIGSEGV, as at home.
 */
TEST_F_TIMEOUT(stack, limit_is_the_process, 600)
{
	int status;

	status = deep_at_remote(64, 16);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("16 MiB under a 64 MiB limit: status %#x", status);
	status = deep_at_remote(4, 6);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)
		TH_LOG("6 MiB under a 4 MiB limit: status %#x", status);
}

TEST_HARNESS_MAIN
