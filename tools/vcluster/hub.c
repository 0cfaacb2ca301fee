// SPDX-License-Identifier: GPL-2.0
/*
 * vc-hub: a tiny L2 learning switch for QEMU "-netdev dgram" guests.
 *
 *   vc-hub HUB_PORT NODE_PORT...
 *
 * Binds 127.0.0.1:HUB_PORT. Every datagram is one Ethernet frame sent by a
 * guest whose dgram netdev is bound to 127.0.0.1:NODE_PORT and points its
 * remote end at the hub. The hub learns source MAC -> sender address and
 * forwards unicast frames to the learned port of the destination; broadcast,
 * multicast and unknown destinations are flooded to every other NODE_PORT.
 *
 * The host has no multicast on loopback, which is why 3+ guests need this.
 * The hub exits on SIGTERM/SIGINT, or when its parent (vcluster) dies.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PORTS 64
#define MAX_MACS 256
#define FRAME_MAX 65536

struct mac_entry {
	unsigned char mac[6];
	struct sockaddr_in addr;
};

static struct mac_entry macs[MAX_MACS];
static int nmacs;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static struct mac_entry *lookup(const unsigned char *mac)
{
	for (int i = 0; i < nmacs; i++)
		if (!memcmp(macs[i].mac, mac, 6))
			return &macs[i];
	return NULL;
}

static void learn(const unsigned char *mac, const struct sockaddr_in *from)
{
	struct mac_entry *e = lookup(mac);

	if (mac[0] & 1)		/* never learn a group address */
		return;
	if (!e) {
		if (nmacs == MAX_MACS)
			return;
		e = &macs[nmacs++];
		memcpy(e->mac, mac, 6);
	}
	e->addr = *from;	/* a guest may move to another port: re-learn */
}

static int same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
}

static int parse_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0 || v > 65535) {
		fprintf(stderr, "vc-hub: bad port '%s'\n", s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char **argv)
{
	struct sockaddr_in nodes[MAX_PORTS], self = { 0 };
	static unsigned char buf[FRAME_MAX];
	pid_t parent = getppid();
	struct sigaction sa = { 0 };
	int nnodes = 0, fd;

	if (argc < 3 || argc - 2 > MAX_PORTS) {
		fprintf(stderr, "usage: vc-hub HUB_PORT NODE_PORT... (at most %d)\n", MAX_PORTS);
		return 2;
	}

	/* Die with the parent: PDEATHSIG, and a getppid() check below. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		return 0;
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	self.sin_family = AF_INET;
	self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	self.sin_port = htons(parse_port(argv[1]));
	for (int i = 2; i < argc; i++) {
		nodes[nnodes] = self;
		nodes[nnodes++].sin_port = htons(parse_port(argv[i]));
	}

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&self, sizeof(self)) < 0) {
		perror("vc-hub: bind");
		return 1;
	}

	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		struct mac_entry *dst;
		ssize_t n;
		int r = poll(&pfd, 1, 1000);

		if (getppid() != parent)
			break;
		if (r <= 0)
			continue;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (n < 14)	/* error, or not even an Ethernet header */
			continue;

		learn(buf + 6, &from);
		dst = (buf[0] & 1) ? NULL : lookup(buf);
		if (dst) {
			if (!same_addr(&dst->addr, &from))
				sendto(fd, buf, n, 0, (struct sockaddr *)&dst->addr, sizeof(dst->addr));
			continue;
		}
		for (int i = 0; i < nnodes; i++)
			if (!same_addr(&nodes[i], &from))
				sendto(fd, buf, n, 0, (struct sockaddr *)&nodes[i], sizeof(nodes[i]));
	}
	return 0;
}
