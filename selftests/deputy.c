// SPDX-License-Identifier: GPL-2.0
/*
 * The deputy: a thread at node 1 makes its system calls at the origin,
 * through its twin, and takes its signals at node 1 with the process's
 * handlers. Files, pipes and identity are the origin's; blocking calls
 * are interrupted by signals as at home; the calls not supported yet fail
 * with their documented errno.
 *
 * What a test sees at node 1 is recorded and asserted at the origin, once
 * the thread is back. Each test checks that it really ran at node 1.
 *
 * Helper modes for test_deputy.sh:
 *   --print  writes numbered lines to stdout and stderr from node 0, node
 *            1 and node 0 again; the script checks that they arrive, in
 *            order (it also runs a copy of this program that only node 0
 *            has: its text must come from node 0)
 *   --park   migrates to node 1, prints "parked" and waits there for a
 *            signal; the script looks at the task node 1 runs for it
 *   --spin   migrates to node 1, prints "spinning" and computes there
 *            until a signal ends it; the script stops and continues it
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "kselftest_harness.h"
#include "popcorn.h"

#define ORIGIN	0
#define REMOTE	1

/* Where the last signal handler ran, and how often it did. */
static atomic_int handler_nid = -1;
static atomic_int handler_runs;
static atomic_int handler_sig;

static void on_signal(int sig)
{
	int saved = errno;

	atomic_store(&handler_nid, popcorn_getnid());
	atomic_store(&handler_sig, sig);
	atomic_fetch_add(&handler_runs, 1);
	errno = saved;
}

static void handle(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	atomic_store(&handler_nid, -1);
	atomic_store(&handler_runs, 0);
	atomic_store(&handler_sig, 0);
}

static void block(int how, int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(how, &set, NULL);
}

/* A thread at the origin that signals @target every 100 ms until @stop. */
struct nagger {
	pthread_t thread;
	pthread_t target;
	int sig;
	int write_fd;		/* >= 0: after 3 signals, write a byte there */
	atomic_int stop;
	atomic_int sent;
};

static void *nag(void *arg)
{
	struct nagger *n = arg;
	int i;

	/* Process-wide signals are not for this thread. */
	block(SIG_BLOCK, SIGALRM);
	for (i = 0; i < 600 && !atomic_load(&n->stop); i++) {
		usleep(100000);
		if (!pthread_kill(n->target, n->sig))
			atomic_fetch_add(&n->sent, 1);
		if (n->write_fd >= 0 && atomic_load(&n->sent) == 3)
			(void)!write(n->write_fd, "x", 1);
	}
	return NULL;
}

static void nag_start(struct nagger *n, int sig, int write_fd)
{
	n->target = pthread_self();
	n->sig = sig;
	n->write_fd = write_fd;
	atomic_store(&n->stop, 0);
	atomic_store(&n->sent, 0);
	pthread_create(&n->thread, NULL, nag, n);
}

static void nag_stop(struct nagger *n)
{
	atomic_store(&n->stop, 1);
	pthread_join(n->thread, NULL);
}

/* The result and errno of a call made at node 1. */
struct res {
	long ret;
	int err;
};

#define CALL(expr) ({ long __r = (expr); \
	(struct res){ __r, __r < 0 ? errno : 0 }; })

FIXTURE(dep) {
	char dir[64];
	char cwd[PATH_MAX];
};

FIXTURE_SETUP(dep)
{
	ASSERT_EQ(popcorn_getnid(), ORIGIN);
	ASSERT_NE(getcwd(self->cwd, sizeof(self->cwd)), NULL);
	/* A folder that exists at the origin only. */
	snprintf(self->dir, sizeof(self->dir), "/tmp/deputy.%d", getpid());
	ASSERT_EQ(mkdir(self->dir, 0700), 0);
	ASSERT_EQ(chdir(self->dir), 0);
}

FIXTURE_TEARDOWN(dep)
{
	if (popcorn_getnid() > ORIGIN)
		popcorn_migrate(ORIGIN);
	unlink("in.txt");
	unlink("out.txt");
	unlink("map1.txt");
	unlink("map2.txt");
	unlink("exec.pid");
	(void)!chdir(self->cwd);
	rmdir(self->dir);
}

/* Migrate to node 1; false (and the test fails) when it does not happen. */
#define GO_REMOTE() ASSERT_EQ(popcorn_migrate(REMOTE), 0) \
	TH_LOG("popcorn_migrate(1): %s", strerror(errno))
#define GO_HOME(nid) ({ (nid) = popcorn_getnid(); popcorn_migrate(ORIGIN); })

TEST(origin_identity)
{
	pid_t pid = getpid(), tid = gettid(), ppid = getppid();
	pid_t pid1, tid1, ppid1, pgid1, sid1;
	char exe[PATH_MAX] = "", exe1[PATH_MAX] = "", status1[4096] = "";
	char want[64];
	int nid1, fd;
	ssize_t n;

	ASSERT_GT(readlink("/proc/self/exe", exe, sizeof(exe) - 1), 0);
	GO_REMOTE();
	pid1 = getpid();
	tid1 = gettid();
	ppid1 = getppid();
	pgid1 = getpgid(0);
	sid1 = getsid(0);
	(void)!readlink("/proc/self/exe", exe1, sizeof(exe1) - 1);
	fd = open("/proc/self/status", O_RDONLY);
	n = fd >= 0 ? read(fd, status1, sizeof(status1) - 1) : -1;
	if (fd >= 0)
		close(fd);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(pid1, pid);
	EXPECT_EQ(tid1, tid);
	EXPECT_EQ(ppid1, ppid);
	EXPECT_EQ(pgid1, getpgid(0));
	EXPECT_EQ(sid1, getsid(0));
	EXPECT_STREQ(exe1, exe);
	ASSERT_GT(n, 0);
	snprintf(want, sizeof(want), "\nPid:\t%d\n", pid);
	EXPECT_NE(strstr(status1, want), NULL) TH_LOG("%s", status1);
}

static long long now_ns(clockid_t clock, bool syscall_path)
{
	struct timespec ts;

	if (syscall_path)
		syscall(SYS_clock_gettime, clock, &ts);
	else
		clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The process's clocks at node 1 are the origin's: read at node 0, at
 * node 1 (vDSO and system call), at node 0 again, each of them only goes
 * forward. The nodes booted at different times: node 1's own clocks are
 * behind or ahead of node 0's by far more than a migration takes.
 */
TEST(origin_clocks)
{
	static const clockid_t clocks[] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME };
	long long t0[2], t1[2], t1s[2], t2[2];
	int i, nid1;

	for (i = 0; i < 2; i++)
		t0[i] = now_ns(clocks[i], false);
	GO_REMOTE();
	for (i = 0; i < 2; i++) {
		t1[i] = now_ns(clocks[i], false);
		t1s[i] = now_ns(clocks[i], true);
	}
	GO_HOME(nid1);
	for (i = 0; i < 2; i++)
		t2[i] = now_ns(clocks[i], false);
	ASSERT_EQ(nid1, REMOTE);
	for (i = 0; i < 2; i++) {
		TH_LOG("clock %d: node 1 read %lld ns after node 0, node 0 %lld ns after node 1",
		       clocks[i], t1[i] - t0[i], t2[i] - t1s[i]);
		EXPECT_LE(t0[i], t1[i]);
		EXPECT_LE(t1[i], t1s[i]);
		EXPECT_LE(t1s[i], t2[i]);
	}
}

TEST_F(dep, files)
{
	static const char text[] = "written at the origin\n";
	char buf[64] = "";
	struct res rd, wr, bad, cl, st;
	struct stat sb;
	int fd, fd1, nid1;

	fd = open("in.txt", O_CREAT | O_WRONLY | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ASSERT_EQ(close(fd), 0);
	/* Opened at the origin, read at node 1. */
	fd = open("in.txt", O_RDONLY);
	ASSERT_GE(fd, 0);

	GO_REMOTE();
	rd = CALL(read(fd, buf, sizeof(buf) - 1));
	/* A relative path, in a folder node 1 does not have. */
	fd1 = open("out.txt", O_CREAT | O_WRONLY | O_EXCL, 0600);
	wr = CALL(write(fd1, "from node 1", 11));
	cl = CALL(close(fd1));
	bad = CALL(read(987, buf, 1));
	st = CALL(stat("in.txt", &sb));
	GO_HOME(nid1);

	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(rd.ret, (long)strlen(text)) TH_LOG("read: %s", strerror(rd.err));
	EXPECT_STREQ(buf, text);
	ASSERT_GE(fd1, 0) TH_LOG("open at node 1: %s", strerror(errno));
	EXPECT_EQ(wr.ret, 11);
	EXPECT_EQ(cl.ret, 0);
	EXPECT_EQ(bad.ret, -1);
	EXPECT_EQ(bad.err, EBADF);
	EXPECT_EQ(st.ret, 0);
	EXPECT_EQ(sb.st_size, (off_t)strlen(text));
	close(fd);

	memset(buf, 0, sizeof(buf));
	fd = open("out.txt", O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(read(fd, buf, sizeof(buf)), 11);
	EXPECT_STREQ(buf, "from node 1");
	close(fd);
}

/*
 * Reads and writes of up to 4 KiB carry their bytes with the call
 * (kernel/popcorn/deputy_inline.c): file positions, pread/pwrite offsets,
 * the errors of the call (wrong open mode, a pipe's ESPIPE, a bad buffer
 * that consumes nothing, EOF) and a 4 KiB block are exactly as at home.
 */
/* An address no mapping covers, hidden from the compiler. */
static void *volatile bad_buf = (void *)8;

TEST_F(dep, small_io)
{
	static char block[4096], back[4096];
	struct res w1, w2, r1, r2, pr, pw, eof, rdonly, wronly, spipe;
	struct res badr, badw;
	char a[8] = "", b[8] = "", c[8] = "";
	int fd, p[2], nid1, same = 0;
	off_t pos = -1;
	unsigned int i;

	for (i = 0; i < sizeof(block); i++)
		block[i] = 'A' + i % 23;
	fd = open("io.txt", O_CREAT | O_RDWR | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pipe(p), 0);

	GO_REMOTE();
	w1 = CALL(write(fd, "0123456789", 10));
	w2 = CALL(write(fd, block, sizeof(block)));
	pw = CALL(pwrite(fd, "xy", 2, 3));	/* the position stays */
	lseek(fd, 0, SEEK_SET);
	r1 = CALL(read(fd, a, 5));
	r2 = CALL(read(fd, b, 5));		/* from where r1 ended */
	pr = CALL(pread(fd, c, 4, 2));
	if (pread(fd, back, sizeof(back), 10) == sizeof(back))
		same = !memcmp(back, block, sizeof(block));
	lseek(fd, 0, SEEK_END);
	eof = CALL(read(fd, a, 5));
	rdonly = CALL(write(p[0], "z", 1));	/* a read end */
	wronly = CALL(read(p[1], a, 1));	/* a write end */
	spipe = CALL(pread(p[0], a, 1, 0));
	lseek(fd, 0, SEEK_SET);
	badr = CALL(read(fd, bad_buf, 4));	/* nothing read */
	badw = CALL(write(fd, bad_buf, 4));	/* nothing written */
	pos = lseek(fd, 0, SEEK_CUR);
	GO_HOME(nid1);

	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(w1.ret, 10);
	EXPECT_EQ(w2.ret, (long)sizeof(block));
	EXPECT_EQ(pw.ret, 2);
	EXPECT_EQ(r1.ret, 5);
	EXPECT_EQ(memcmp(a, "012xy", 5), 0);
	EXPECT_EQ(r2.ret, 5);
	EXPECT_EQ(memcmp(b, "56789", 5), 0);
	EXPECT_EQ(pr.ret, 4);
	EXPECT_EQ(memcmp(c, "2xy5", 4), 0);
	EXPECT_TRUE(same);
	EXPECT_EQ(eof.ret, 0);
	EXPECT_EQ(rdonly.err, EBADF);
	EXPECT_EQ(wronly.err, EBADF);
	EXPECT_EQ(spipe.err, ESPIPE);
	EXPECT_EQ(badr.err, EFAULT);
	EXPECT_EQ(badw.err, EFAULT);
	EXPECT_EQ(pos, 0);
	close(fd);
	close(p[0]);
	close(p[1]);
}

TEST(pipe_to_origin)
{
	char msg[64], got[64];
	struct res wr;
	int p[2], nid1, i;

	for (i = 0; i < 64; i++)
		msg[i] = 'a' + i % 26;
	ASSERT_EQ(pipe(p), 0);
	GO_REMOTE();
	wr = CALL(write(p[1], msg, sizeof(msg)));
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(wr.ret, 64);
	EXPECT_EQ(read(p[0], got, sizeof(got)), 64);
	EXPECT_EQ(memcmp(got, msg, 64), 0);
}

/* A read at node 1 that blocks at the origin, ended by a signal: EINTR. */
TEST(blocking_read_eintr)
{
	struct nagger n;
	struct res rd;
	int p[2], nid1;
	char c;

	handle(SIGUSR1, 0);
	ASSERT_EQ(pipe(p), 0);
	GO_REMOTE();
	nag_start(&n, SIGUSR1, -1);
	rd = CALL(read(p[0], &c, 1));
	nag_stop(&n);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(rd.ret, -1);
	EXPECT_EQ(rd.err, EINTR);
	EXPECT_GE(atomic_load(&handler_runs), 1);
	EXPECT_EQ(atomic_load(&handler_nid), REMOTE)
		TH_LOG("the handler ran at node %d", handler_nid);
}

/* With SA_RESTART the read goes on after the handler and gets its byte. */
TEST(blocking_read_restart)
{
	struct nagger n;
	struct res rd;
	int p[2], nid1;
	char c = 0;

	handle(SIGUSR1, SA_RESTART);
	ASSERT_EQ(pipe(p), 0);
	GO_REMOTE();
	nag_start(&n, SIGUSR1, p[1]);
	rd = CALL(read(p[0], &c, 1));
	nag_stop(&n);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(rd.ret, 1) TH_LOG("read: %s", strerror(rd.err));
	EXPECT_EQ(c, 'x');
	EXPECT_GE(atomic_load(&handler_runs), 1);
	EXPECT_EQ(atomic_load(&handler_nid), REMOTE);
}

/* alarm() at node 1: SIGALRM, process-wide, runs the handler there. */
TEST(alarm_pause)
{
	struct res ps;
	int nid1, runs1, hnid1;

	handle(SIGALRM, 0);
	GO_REMOTE();
	alarm(1);
	ps = CALL(pause());
	runs1 = atomic_load(&handler_runs);
	hnid1 = atomic_load(&handler_nid);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(ps.ret, -1);
	EXPECT_EQ(ps.err, EINTR);
	EXPECT_EQ(runs1, 1);
	EXPECT_EQ(hnid1, REMOTE);
}

/*
 * The mask set at node 1 holds at the origin too: a signal blocked there
 * waits (sigpending shows it) and runs at node 1 once unblocked.
 */
TEST(mask_and_self_signal)
{
	int nid1, runs_blocked, runs_after, hnid1, pend1;
	sigset_t pending;
	struct res k;

	handle(SIGUSR2, 0);
	GO_REMOTE();
	block(SIG_BLOCK, SIGUSR2);
	k = CALL(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR2));
	runs_blocked = atomic_load(&handler_runs);
	sigemptyset(&pending);
	sigpending(&pending);
	pend1 = sigismember(&pending, SIGUSR2);
	block(SIG_UNBLOCK, SIGUSR2);
	runs_after = atomic_load(&handler_runs);
	hnid1 = atomic_load(&handler_nid);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(k.ret, 0);
	EXPECT_EQ(runs_blocked, 0);
	EXPECT_EQ(pend1, 1);
	EXPECT_EQ(runs_after, 1);
	EXPECT_EQ(hnid1, REMOTE);
}

/*
 * With three nodes, the same from node 2, reached straight from home:
 * identity, a write into a pipe the origin reads, a file read, a signal
 * sent to the thread and its handler run at node 2.
 */
TEST(third_node)
{
	const char *env = getenv("PCN_NODES");
	pid_t pid2 = 0, ppid2 = 0;
	int nid2 = -1, hnid2 = -1, p[2], fd;
	struct res wr, rd, k;
	char got[16] = "", buf[16] = "";

	if (!env || atoi(env) < 3)
		SKIP(return, "needs 3 nodes");
	handle(SIGUSR1, 0);
	ASSERT_EQ(pipe(p), 0);
	fd = open("/proc/self/comm", O_RDONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(popcorn_migrate(2), 0) TH_LOG("popcorn_migrate(2): %s",
						strerror(errno));
	pid2 = getpid();
	ppid2 = getppid();
	wr = CALL(write(p[1], "node two", 8));
	rd = CALL(read(fd, buf, sizeof(buf) - 1));
	k = CALL(syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1));
	hnid2 = atomic_load(&handler_nid);
	GO_HOME(nid2);
	ASSERT_EQ(nid2, 2);
	EXPECT_EQ(pid2, getpid());
	EXPECT_EQ(ppid2, getppid());
	EXPECT_EQ(wr.ret, 8);
	EXPECT_EQ(read(p[0], got, 8), 8);
	EXPECT_STREQ(got, "node two");
	EXPECT_GT(rd.ret, 0);
	EXPECT_EQ(strncmp(buf, "deputy", 6), 0) TH_LOG("comm: %s", buf);
	EXPECT_EQ(k.ret, 0);
	EXPECT_EQ(hnid2, 2);
	close(fd);
	close(p[0]);
	close(p[1]);
}

/* sigsuspend() at node 1 lets in a signal the thread blocks otherwise. */
TEST(sigsuspend_lets_in)
{
	struct nagger n;
	sigset_t none;
	struct res su;
	int nid1;

	handle(SIGUSR1, 0);
	block(SIG_BLOCK, SIGUSR1);
	sigemptyset(&none);
	GO_REMOTE();
	nag_start(&n, SIGUSR1, -1);
	su = CALL(sigsuspend(&none));
	nag_stop(&n);
	block(SIG_UNBLOCK, SIGUSR1);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(su.ret, -1);
	EXPECT_EQ(su.err, EINTR);
	EXPECT_GE(atomic_load(&handler_runs), 1);
	EXPECT_EQ(atomic_load(&handler_nid), REMOTE);
}

static sigjmp_buf fault_jmp;
/* Hidden from the compiler, which would turn the faults into traps. */
static int *volatile fault_null;
static volatile int fault_one = 1, fault_zero, fault_sink;

static void on_fault(int sig)
{
	atomic_store(&handler_nid, popcorn_getnid());
	atomic_store(&handler_sig, sig);
	atomic_fetch_add(&handler_runs, 1);
	siglongjmp(fault_jmp, 1);
}

/*
 * Handlers installed at home before migrating run at node 1 for the
 * faults raised there (a SIGSEGV, a SIGFPE), without any signal having
 * been sent there before.
 */
TEST(fault_handlers_at_remote)
{
	struct sigaction sa = { .sa_handler = on_fault };
	int segv_nid = -1, segv_sig = 0, fpe_nid = -1, fpe_sig = 0, nid1;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(sigaction(SIGSEGV, &sa, NULL), 0);
	ASSERT_EQ(sigaction(SIGFPE, &sa, NULL), 0);
	atomic_store(&handler_nid, -1);
	GO_REMOTE();
	if (!sigsetjmp(fault_jmp, 1))
		fault_sink = *fault_null;
	segv_nid = atomic_load(&handler_nid);
	segv_sig = atomic_load(&handler_sig);
	atomic_store(&handler_nid, -1);
	if (!sigsetjmp(fault_jmp, 1))
		fault_sink = fault_one / fault_zero;
	fpe_nid = atomic_load(&handler_nid);
	fpe_sig = atomic_load(&handler_sig);
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(segv_sig, SIGSEGV);
	EXPECT_EQ(segv_nid, REMOTE);
	EXPECT_EQ(fpe_sig, SIGFPE);
	EXPECT_EQ(fpe_nid, REMOTE);
}

/* Which of the two fault handlers ran last: 1 (on_fault) or 2. */
static atomic_int fault_handler_id;

static void on_fault_other(int sig)
{
	atomic_store(&fault_handler_id, 2);
	on_fault(sig);
}

static atomic_int action_step;

/* At the origin: at step 1, make on_fault_other SIGSEGV's handler. */
static void *change_segv_action(void *arg)
{
	struct sigaction sa = { .sa_handler = on_fault_other };

	sigemptyset(&sa.sa_mask);
	while (atomic_load(&action_step) != 1)
		usleep(1000);
	sigaction(SIGSEGV, &sa, NULL);
	atomic_store(&action_step, 2);
	return NULL;
}

static int fault_once(void)
{
	atomic_store(&fault_handler_id, 1);
	atomic_store(&handler_nid, -1);
	if (!sigsetjmp(fault_jmp, 1))
		fault_sink = *fault_null;
	return atomic_load(&fault_handler_id);
}

/*
 * A fault signal's action changed while the thread is at node 1, by a
 * thread at home or by the thread itself there: its next fault runs the
 * new handler, as it would on one machine.
 */
TEST(fault_handler_changed_while_away)
{
	struct sigaction sa = { .sa_handler = on_fault };
	int before, after_home, after_here, nid_home, nid1;
	pthread_t changer;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(sigaction(SIGSEGV, &sa, NULL), 0);
	atomic_store(&action_step, 0);
	ASSERT_EQ(pthread_create(&changer, NULL, change_segv_action, NULL), 0);
	GO_REMOTE();
	before = fault_once();
	atomic_store(&action_step, 1);
	while (atomic_load(&action_step) != 2)
		usleep(1000);
	after_home = fault_once();
	nid_home = atomic_load(&handler_nid);
	sigaction(SIGSEGV, &sa, NULL);
	after_here = fault_once();
	GO_HOME(nid1);
	pthread_join(changer, NULL);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(before, 1);
	EXPECT_EQ(after_home, 2);
	EXPECT_EQ(nid_home, REMOTE);
	EXPECT_EQ(after_here, 1);
}

/* Byte @i of the big test file: a pattern no two nearby pages share. */
static char big_byte(unsigned long i)
{
	return (char)(i * 7 + i / 4096);
}

static bool big_same(const char *buf, unsigned long off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != big_byte(off + i))
			return false;
	return true;
}

/*
 * Reads of more than 4 KiB at node 1, whose bytes come back as pages
 * (deputy_bulk.c): a 200 KiB read, a pread at an odd offset, a read that
 * meets the end of the file, a read of a pipe (what is there), a read of
 * /dev/zero (a device: the ordinary way), a bad buffer (EFAULT, nothing
 * consumed), a read larger than the pages may carry (the ordinary way).
 */
TEST_F(dep, big_reads)
{
	static char file_bytes[300 * 1024], r[200 * 1024], pr[70 * 1024];
	static char tail[64 * 1024], pipe_buf[64 * 1024], zero[64 * 1024];
	static char huge[400 * 1024];
	struct res read1, pread1, eof, piped, dz, bad, big;
	int fd, zfd, p[2], nid1;
	off_t pos = -1;
	size_t i;

	for (i = 0; i < sizeof(file_bytes); i++)
		file_bytes[i] = big_byte(i);
	fd = open("big.bin", O_CREAT | O_RDWR | O_TRUNC, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, file_bytes, sizeof(file_bytes)),
		  (ssize_t)sizeof(file_bytes));
	ASSERT_EQ(lseek(fd, 0, SEEK_SET), 0);
	zfd = open("/dev/zero", O_RDONLY);
	ASSERT_GE(zfd, 0);
	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(write(p[1], file_bytes, 10000), 10000);
	memset(zero, 1, sizeof(zero));

	GO_REMOTE();
	read1 = CALL(read(fd, r, sizeof(r)));
	pread1 = CALL(pread(fd, pr, sizeof(pr), 5001));
	lseek(fd, sizeof(file_bytes) - 5000, SEEK_SET);
	eof = CALL(read(fd, tail, sizeof(tail)));
	piped = CALL(read(p[0], pipe_buf, sizeof(pipe_buf)));
	dz = CALL(read(zfd, zero, sizeof(zero)));
	lseek(fd, 0, SEEK_SET);
	bad = CALL(read(fd, bad_buf, 8192));
	pos = lseek(fd, 0, SEEK_CUR);
	big = CALL(read(fd, huge, sizeof(huge)));
	GO_HOME(nid1);

	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(read1.ret, (long)sizeof(r));
	EXPECT_TRUE(big_same(r, 0, sizeof(r)));
	EXPECT_EQ(pread1.ret, (long)sizeof(pr));
	EXPECT_TRUE(big_same(pr, 5001, sizeof(pr)));
	EXPECT_EQ(eof.ret, 5000);
	EXPECT_TRUE(big_same(tail, sizeof(file_bytes) - 5000, 5000));
	EXPECT_EQ(piped.ret, 10000);
	EXPECT_TRUE(big_same(pipe_buf, 0, 10000));
	EXPECT_EQ(dz.ret, (long)sizeof(zero));
	for (i = 0; i < sizeof(zero) && !zero[i]; i++)
		;
	EXPECT_EQ(i, sizeof(zero)) TH_LOG("/dev/zero gave a non-zero byte");
	EXPECT_EQ(bad.err, EFAULT);
	EXPECT_EQ(pos, 0);
	EXPECT_EQ(big.ret, (long)sizeof(file_bytes));
	EXPECT_TRUE(big_same(huge, 0, sizeof(file_bytes)));
	close(fd);
	close(zfd);
	close(p[0]);
	close(p[1]);
	unlink("big.bin");
}

/* A 32-bit system call (getpid, 20 on i386) through int 0x80. */
static long int80_getpid(void)
{
	long ret;

	asm volatile ("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	return ret;
}

/* What is not supported at a remote yet fails with its documented errno. */
TEST(refused_calls)
{
	struct res sh, x32, unknown;
	long i80, i80_home;
	int nid1;

	GO_REMOTE();
	sh = CALL(syscall(SYS_pkey_alloc, 0, 0));
	x32 = CALL(syscall(0x40000000 | SYS_getpid));
	unknown = CALL(syscall(600));
	i80 = int80_getpid();
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(sh.err, EOPNOTSUPP);
	EXPECT_EQ(x32.err, ENOSYS);
	EXPECT_EQ(unknown.err, ENOSYS);
	EXPECT_EQ(i80, -ENOSYS);
	/* At the origin too, once the process is distributed. */
	i80_home = int80_getpid();
	EXPECT_EQ(i80_home, -ENOSYS);
}

#define FORK_PAGES	16
#define FORK_WORDS	(FORK_PAGES * 4096 / sizeof(unsigned long))

static void fork_fill(unsigned long *a, unsigned long seed)
{
	size_t i;

	for (i = 0; i < FORK_WORDS; i++)
		a[i] = i * 2654435761u + seed;
}

/* In a child: 0 when @a holds fork_fill(@seed)'s words. */
static int fork_check(const unsigned long *a, unsigned long seed)
{
	size_t i;

	for (i = 0; i < FORK_WORDS; i++)
		if (a[i] != i * 2654435761u + seed)
			return 1;
	return 0;
}

/*
 * fork() at node 1: the child runs at the origin with a private copy of
 * memory node 1 has just written (only node 1 has those pages); the
 * parent reaps it. Then vfork, system(), posix_spawn() and popen().
 */
TEST(children_at_remote)
{
	unsigned long *a = mmap(NULL, FORK_PAGES * 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st_fork = -1, st_vfork = -1, sys = -1, st_spawn = -1, nid1;
	int spawn_ret = -1, child_nid = -1, pclose_st = -1;
	char *sh_argv[] = { "sh", "-c", "exit 5", NULL };
	pid_t pid, vpid, spid = -1, wret = -1;
	char line[64] = "";
	FILE *p;

	ASSERT_NE(a, MAP_FAILED);
	GO_REMOTE();
	fork_fill(a, 0x1234);
	pid = fork();
	if (pid == 0)
		_exit(fork_check(a, 0x1234) ? 1 : 42 + popcorn_getnid());
	if (pid > 0)
		wret = waitpid(pid, &st_fork, 0);
	vpid = vfork();
	if (vpid == 0)
		_exit(7);
	if (vpid > 0)
		waitpid(vpid, &st_vfork, 0);
	sys = system("exit 3");
	spawn_ret = posix_spawn(&spid, "/bin/sh", NULL, NULL, sh_argv, environ);
	if (!spawn_ret)
		waitpid(spid, &st_spawn, 0);
	p = popen("echo from a child", "r");
	if (p) {
		if (!fgets(line, sizeof(line), p))
			line[0] = 0;
		pclose_st = pclose(p);
	}
	child_nid = popcorn_getnid();
	GO_HOME(nid1);

	ASSERT_EQ(nid1, REMOTE);
	ASSERT_GT(pid, 0) TH_LOG("fork at node 1: %s", strerror(errno));
	EXPECT_EQ(wret, pid);
	ASSERT_TRUE(WIFEXITED(st_fork));
	/* 42 + 0: the child had the data, and ran at the origin. */
	EXPECT_EQ(WEXITSTATUS(st_fork), 42);
	ASSERT_GT(vpid, 0);
	EXPECT_TRUE(WIFEXITED(st_vfork) && WEXITSTATUS(st_vfork) == 7);
	EXPECT_TRUE(WIFEXITED(sys) && WEXITSTATUS(sys) == 3)
		TH_LOG("system: %#x", sys);
	EXPECT_EQ(spawn_ret, 0) TH_LOG("posix_spawn: %s", strerror(spawn_ret));
	EXPECT_TRUE(WIFEXITED(st_spawn) && WEXITSTATUS(st_spawn) == 5);
	EXPECT_STREQ(line, "from a child\n");
	EXPECT_EQ(pclose_st, 0);
	EXPECT_EQ(child_nid, REMOTE);
	munmap(a, FORK_PAGES * 4096);
}

/*
 * execve() at node 1: the program runs at the origin, as the same process
 * (its pid), in the origin's cwd (a folder node 1 does not have).
 */
TEST_F(dep, exec_at_remote)
{
	char *argv[] = { "sh", "-c", "echo $$ > exec.pid; exit 9", NULL };
	int st = -1, fd, got = 0;
	char buf[32] = "";
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (popcorn_migrate(REMOTE))
			_exit(100);
		execve("/bin/sh", argv, environ);
		_exit(101);
	}
	ASSERT_GT(pid, 0);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(WEXITSTATUS(st), 9) TH_LOG("100: no migration, 101: exec failed");
	fd = open("exec.pid", O_RDONLY);
	ASSERT_GE(fd, 0);
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		got = atoi(buf);
	close(fd);
	unlink("exec.pid");
	EXPECT_EQ(got, pid);
}

/* fork() at the origin while node 1 holds the only copy of some pages. */
TEST(fork_at_origin)
{
	unsigned long *a = mmap(NULL, FORK_PAGES * 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int st = -1, nid1;
	pid_t pid;

	ASSERT_NE(a, MAP_FAILED);
	fork_fill(a, 1);
	GO_REMOTE();
	fork_fill(a, 0xabcd);	/* node 1 owns these pages now */
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	/* No touch here first: the fork itself must bring them home. */
	pid = fork();
	if (pid == 0)
		_exit(fork_check(a, 0xabcd));
	ASSERT_GT(pid, 0);
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(WEXITSTATUS(st), 0) TH_LOG("the child saw stale pages");
	EXPECT_EQ(fork_check(a, 0xabcd), 0);
	munmap(a, FORK_PAGES * 4096);
}

#define HUGE	(2UL << 20)

/* AnonHugePages of this process, in kB; -1 when unreadable. */
static long anon_huge_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * A transparent huge page made before the process is distributed (the
 * test kernel has THP "always") stays coherent: node 1 reads what the
 * origin wrote, its writes reach the origin, and a write at the origin to
 * a page node 1 holds a copy of is seen there next time.
 */
TEST(thp_region)
{
	char *raw = mmap(NULL, 2 * HUGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i, pages = HUGE / 4096, bad1 = 0, bad0 = 0;
	int nid1, nid2, seen = -1;
	char *a;

	ASSERT_NE(raw, MAP_FAILED);
	if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK))
		SKIP(return, "kernel without transparent huge pages");
	a = (char *)(((unsigned long)raw + HUGE - 1) & ~(HUGE - 1));
	madvise(a, HUGE, MADV_HUGEPAGE);
	memset(a, 1, HUGE);
	ASSERT_GE(anon_huge_kb(), 2048) TH_LOG("no huge page was made");

	GO_REMOTE();
	for (i = 0; i < pages; i++) {
		bad1 += a[i * 4096] != 1;
		a[i * 4096 + 1] = 2;
	}
	GO_HOME(nid1);
	ASSERT_EQ(nid1, REMOTE);
	EXPECT_EQ(bad1, 0);
	for (i = 0; i < pages; i++)
		bad0 += a[i * 4096] != 1 || a[i * 4096 + 1] != 2;
	EXPECT_EQ(bad0, 0);

	/* A read copy at node 1, then a write here: node 1 must see it. */
	GO_REMOTE();
	seen = a[4096 * 7];
	GO_HOME(nid2);
	ASSERT_EQ(nid2, REMOTE);
	EXPECT_EQ(seen, 1);
	a[4096 * 7] = 3;
	GO_REMOTE();
	seen = a[4096 * 7];
	GO_HOME(nid2);
	EXPECT_EQ(seen, 3) TH_LOG("node 1 kept a stale copy of a huge page's part");
	munmap(raw, 2 * HUGE);
}

/* Two pages of text in @name, at the origin. */
static void write_file(const char *name, const char *tag, char *text,
		       size_t size)
{
	size_t i;
	int fd;

	for (i = 0; i < size; i++)
		text[i] = tag[i % strlen(tag)];
	fd = open(name, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd >= 0) {
		(void)!write(fd, text, size);
		close(fd);
	}
}

/*
 * Files made at the origin, in a folder node 1 does not have: one mapped
 * before migrating, one opened and mapped at node 1. Both read right at
 * node 1, private writes stay private, the files are unchanged.
 */
TEST_F(dep, file_maps)
{
	static char want1[8192], want2[8192];
	char *m1, *m2 = MAP_FAILED, back[16] = "";
	int fd1, fd2 = -1, nid1, same1 = 0, same2 = 0;
	struct res rd, shared;
	int same_shared = 0;

	write_file("map1.txt", "before migrating ", want1, sizeof(want1));
	write_file("map2.txt", "mapped at node 1 ", want2, sizeof(want2));
	fd1 = open("map1.txt", O_RDONLY);
	ASSERT_GE(fd1, 0);
	m1 = mmap(NULL, sizeof(want1), PROT_READ | PROT_WRITE, MAP_PRIVATE,
		  fd1, 0);
	ASSERT_NE(m1, MAP_FAILED);

	GO_REMOTE();
	same1 = !memcmp(m1, want1, sizeof(want1));
	fd2 = open("map2.txt", O_RDONLY);
	if (fd2 >= 0)
		m2 = mmap(NULL, sizeof(want2), PROT_READ, MAP_PRIVATE, fd2, 0);
	if (m2 != MAP_FAILED)
		same2 = !memcmp(m2, want2, sizeof(want2));
	memcpy(m1 + 4096, "private", 8);	/* a copy of the page, ours */
	shared = CALL((long)mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd1, 0));
	if (shared.ret != -1)
		same_shared = !memcmp((void *)shared.ret, want1, 4096);
	GO_HOME(nid1);

	ASSERT_EQ(nid1, REMOTE);
	EXPECT_TRUE(same1);
	ASSERT_GE(fd2, 0);
	ASSERT_NE(m2, MAP_FAILED);
	EXPECT_TRUE(same2);
	EXPECT_STREQ(m1 + 4096, "private");
	/* A shared mapping of the file reads the origin's page cache. */
	EXPECT_EQ(shared.err, 0);
	EXPECT_TRUE(same_shared);
	if (shared.ret != -1)
		munmap((void *)shared.ret, 4096);
	rd = CALL(pread(fd1, back, 8, 4096));
	EXPECT_EQ(rd.ret, 8);
	EXPECT_EQ(memcmp(back, want1 + 4096, 8), 0);
	munmap(m1, sizeof(want1));
	munmap(m2, sizeof(want2));
	close(fd1);
	close(fd2);
	unlink("map1.txt");
	unlink("map2.txt");
}

/* --park: at node 1 until a signal ends the process. */
static int park_mode(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (popcorn_migrate(REMOTE)) {
		printf("failed: popcorn_migrate(1): %s\n", strerror(errno));
		return 1;
	}
	printf("parked at node %d\n", popcorn_getnid());
	for (;;)
		pause();
}

/* --spin: compute at node 1 until a signal ends the process. */
static int spin_mode(void)
{
	volatile unsigned long n = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (popcorn_migrate(REMOTE)) {
		printf("failed: popcorn_migrate(1): %s\n", strerror(errno));
		return 1;
	}
	printf("spinning at node %d\n", popcorn_getnid());
	for (;;)
		n++;
}

/* --print: lines from node 0, node 1, node 0, on stdout and stderr. */
static int print_mode(void)
{
	int nid1 = -1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("out 1 at node %d\n", popcorn_getnid());
	fprintf(stderr, "err 1 at node %d\n", popcorn_getnid());
	if (popcorn_migrate(REMOTE)) {
		printf("failed: popcorn_migrate(1): %s\n", strerror(errno));
		return 1;
	}
	printf("out 2 at node %d\n", popcorn_getnid());
	fprintf(stderr, "err 2 at node %d\n", popcorn_getnid());
	printf("out 3 at node %d\n", popcorn_getnid());
	nid1 = popcorn_getnid();
	popcorn_migrate(ORIGIN);
	printf("out 4 at node %d (was at %d)\n", popcorn_getnid(), nid1);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--print"))
		return print_mode();
	if (argc > 1 && !strcmp(argv[1], "--park"))
		return park_mode();
	if (argc > 1 && !strcmp(argv[1], "--spin"))
		return spin_mode();
	return test_harness_run(argc, argv);
}
