// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed frames sent to the TCP transport's port must be dropped and
 * counted, the connection closed, and the cluster must keep working.
 * Runs on node 0 of a vcluster; talks to its own pcn_tcp listener.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <popcorn/pcn_netlink.h>
#include <popcorn/pcn_wire.h>
#include "kselftest_harness.h"
#include "pcn_stat.h"

/* Longer than the transport's handshake timeout (handshake_ms, 5 s). */
#define CLOSE_WAIT_S	15

static int dial(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(PCN_DEFAULT_PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timeval tv = { .tv_sec = CLOSE_WAIT_S };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 0 when the peer closed the connection, -1 on timeout or data. */
static int wait_closed(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, 0);

	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return 0;
	return -1;
}

static struct pcn_kmsg_hdr hello_hdr(void)
{
	struct pcn_kmsg_hdr h = {
		.magic = PCN_KMSG_MAGIC,
		.version = PCN_KMSG_VERSION,
		.from_nid = 1,
		.type = PCN_KMSG_TYPE_HELLO,
		.size = sizeof(struct pcn_kmsg_hello),
	};
	return h;
}

FIXTURE(stranger) {
	int fd;
	long long before;
};

FIXTURE_SETUP(stranger)
{
	self->before = pcn_refusals();
	self->fd = dial();
	ASSERT_GE(self->fd, 0) TH_LOG("cannot connect to port %d", PCN_DEFAULT_PORT);
}

FIXTURE_TEARDOWN(stranger)
{
	close(self->fd);
}

static void send_hdr(struct __test_metadata *_metadata, int fd,
		     struct pcn_kmsg_hdr *h, size_t payload)
{
	char buf[sizeof(*h) + 64] = { 0 };

	memcpy(buf, h, sizeof(*h));
	ASSERT_LE(payload, (size_t)64);
	ASSERT_EQ(send(fd, buf, sizeof(*h) + payload, MSG_NOSIGNAL),
		  (ssize_t)(sizeof(*h) + payload));
}

#define EXPECT_DROPPED() do {						\
	ASSERT_EQ(wait_closed(self->fd), 0)				\
		TH_LOG("the transport did not close the connection");	\
	ASSERT_GT(pcn_refusals(), self->before)			\
		TH_LOG("the bad frame was not counted");		\
} while (0)

TEST_F(stranger, wrong_magic)
{
	struct pcn_kmsg_hdr h = hello_hdr();

	h.magic = 0xdeadbeef;
	send_hdr(_metadata, self->fd, &h, h.size);
	EXPECT_DROPPED();
}

TEST_F(stranger, wrong_version)
{
	struct pcn_kmsg_hdr h = hello_hdr();

	h.version = PCN_KMSG_VERSION + 7;
	send_hdr(_metadata, self->fd, &h, h.size);
	EXPECT_DROPPED();
}

TEST_F(stranger, oversize_length)
{
	struct pcn_kmsg_hdr h = hello_hdr();

	h.type = PCN_KMSG_TYPE_ECHO_REQUEST;
	h.size = 0xfffffff0;
	send_hdr(_metadata, self->fd, &h, 0);
	EXPECT_DROPPED();
}

TEST_F(stranger, length_past_limit)
{
	struct pcn_kmsg_hdr h = hello_hdr();

	h.type = PCN_KMSG_TYPE_ECHO_REQUEST;
	h.size = PCN_KMSG_MAX_PAYLOAD + 1;
	send_hdr(_metadata, self->fd, &h, 0);
	EXPECT_DROPPED();
}

TEST_F(stranger, unknown_type)
{
	struct pcn_kmsg_hdr h = hello_hdr();

	h.type = 0x7fff;
	send_hdr(_metadata, self->fd, &h, h.size);
	EXPECT_DROPPED();
}

TEST_F(stranger, not_hello_first)
{
	struct pcn_kmsg_hdr h = hello_hdr();

	h.type = PCN_KMSG_TYPE_ECHO_REQUEST;
	h.size = 8;
	send_hdr(_metadata, self->fd, &h, h.size);
	EXPECT_DROPPED();
}

TEST_F(stranger, truncated_frame)
{
	struct pcn_kmsg_hdr h = hello_hdr();

	send_hdr(_metadata, self->fd, &h, h.size / 2);
	shutdown(self->fd, SHUT_WR);
	EXPECT_DROPPED();
}

TEST_F(stranger, impostor_hello)
{
	/* Well formed, but node 1 does not live at 127.0.0.1. */
	struct {
		struct pcn_kmsg_hdr h;
		struct pcn_kmsg_hello hello;
	} __attribute__((packed)) m = {
		.h = hello_hdr(),
		.hello = {
			.nid = 1, .arch = PCN_ARCH_X86_64,
			.proto_version = PCN_KMSG_VERSION,
			.max_size = PCN_KMSG_MAX_SIZE,
		},
	};

	ASSERT_EQ(send(self->fd, &m, sizeof(m), MSG_NOSIGNAL), (ssize_t)sizeof(m));
	EXPECT_DROPPED();
}

TEST_F(stranger, silent_stranger)
{
	/* Never says a word: dropped when the handshake time runs out. */
	EXPECT_DROPPED();
}

/* Closed within @ms (0: now, without waiting), or -1. */
static int closed_within(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;
	ssize_t n;

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	n = recv(fd, &c, 1, MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno == ECONNRESET) ? 0 : -1;
}

TEST_F(stranger, trickling_stranger)
{
	/*
	 * A well-formed HELLO, one byte a second: 72 s to send. The
	 * handshake has handshake_ms (5 s) in all, however the bytes come;
	 * it is closed long before the 20th byte.
	 */
	struct {
		struct pcn_kmsg_hdr h;
		struct pcn_kmsg_hello hello;
	} __attribute__((packed)) m = { .h = hello_hdr() };
	const char *p = (const char *)&m;
	size_t i;

	for (i = 0; i < 20; i++) {
		if (send(self->fd, p + i, 1, MSG_NOSIGNAL) != 1 ||
		    !closed_within(self->fd, 1000))
			break;
	}
	ASSERT_LT(i, (size_t)20)
		TH_LOG("still open after %zu bytes, one a second", i);
	TH_LOG("closed after %zu bytes, one a second", i);
	ASSERT_GT(pcn_refusals(), self->before);
}

/*
 * Many strangers that connect and never speak: beyond max_handshakes (16)
 * they are closed at once and counted, and the link to node 1 carries
 * traffic meanwhile; the others go when handshake_ms runs out.
 */
#define FLOOD 48
TEST(handshake_flood)
{
	long long before = pcn_refusals();
	int fd[FLOOD], i, shut = 0, open = 0;

	for (i = 0; i < FLOOD; i++) {
		fd[i] = dial();
		ASSERT_GE(fd[i], 0);
	}
	/* Time for the listener to accept them all; handshake_ms is 5 s. */
	sleep(2);
	for (i = 0; i < FLOOD; i++)
		shut += !closed_within(fd[i], 0);
	TH_LOG("%d of %d closed at once", shut, FLOOD);
	ASSERT_GE(shut, FLOOD - 16);
	ASSERT_GE(pcn_refusals() - before, (long long)FLOOD - 16);
	ASSERT_EQ(system("pcnctl echo 1 --count 100 >/dev/null"), 0)
		TH_LOG("the flood stopped the cluster");
	for (i = 0; i < FLOOD; i++)
		open += wait_closed(fd[i]) != 0;
	ASSERT_EQ(open, 0) TH_LOG("%d strangers still connected", open);
	for (i = 0; i < FLOOD; i++)
		close(fd[i]);
}

TEST(cluster_still_works)
{
	ASSERT_EQ(system("pcnctl node wait --timeout 30 >/dev/null"), 0);
	ASSERT_EQ(system("pcnctl echo 1 --count 200 --threads 2 >/dev/null"), 0);
}

TEST_HARNESS_MAIN
