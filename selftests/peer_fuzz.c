// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile peer on the TCP transport: it joins as a configured node (the
 * test adds node NID at 127.0.0.1), does the handshake (with the cluster
 * key's proof when given the key file), opens a session (SESSION, then
 * every message numbered in order and node 0's acknowledged, as a real
 * peer does) and then sends mutated messages of every type, now and then
 * with a wrong number or acknowledgement: headers mostly valid (so that the payload reaches the
 * handlers), sizes at and around each type's bounds, payloads of zeros,
 * random bytes or zeros with a few random bytes. Whatever node 0 answers
 * is read and dropped; when it closes the link, the fuzzer joins again.
 * The node must survive it all (no splat, no leak of the link to node 1):
 * test_peer_fuzz.sh checks that afterwards.
 *
 *   peer_fuzz --nid N [--key FILE] [--iters N] [--seed S]
 *   peer_fuzz --nid N --key FILE --stall S
 *
 * --stall: send the HELLO, never the proof, and hold the connection for S
 * seconds (a handshake in progress that names node N), then exit 0.
 *
 *   peer_fuzz --nid N [--key FILE] --flood M
 *
 * --flood: join, send M ECHO_REQUESTs back to back without reading, then
 * read the answers until all came or node 0 closed the link; prints
 * "flood: M sent, R answers, link open|closed".
 *
 * Prints "sent S messages, C links closed, F other frames back" and exits 0 when it could
 * keep joining; 1 when a handshake failed (node 0 refused a good one).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <popcorn/pcn_netlink.h>
#include <popcorn/pcn_wire.h>

struct type_bounds {
	uint32_t size[2];	/* payload size bounds */
	int reply;		/* it answers a request: sent with F_REPLY */
	int numbered;		/* a session message (not the transport's) */
};

#define TYPE_BOUNDS(NAME, name, sz, rt, fl)				\
	{ .size = sz, .reply = !!((fl) & PCN_KMSG_T_REPLY),		\
	  .numbered = !((fl) & PCN_KMSG_T_TRANSPORT) },
static const struct type_bounds bounds[] = {
	PCN_KMSG_TYPES(TYPE_BOUNDS)
};

static unsigned char key[PCN_KEY_MAX];
static size_t key_len;
static int my_nid;
static int stall_s;
static long flood_n;
/* The session on the current link: our next number, node 0's next. */
static uint32_t tx_next, rx_next;

static uint64_t rnd(void)
{
	static uint64_t x = 88172645463325252ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static int send_all(int fd, const void *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		buf = (const char *)buf + n;
		len -= n;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t len)
{
	while (len) {
		ssize_t n = recv(fd, buf, len, 0);

		if (n <= 0)
			return -1;
		buf = (char *)buf + n;
		len -= n;
	}
	return 0;
}

static void fill_hdr(struct pcn_kmsg_hdr *h, uint16_t type, uint32_t size)
{
	memset(h, 0, sizeof(*h));
	h->magic = PCN_KMSG_MAGIC;
	h->version = PCN_KMSG_VERSION;
	h->from_nid = my_nid;
	h->type = type;
	h->size = size;
	h->ack = rx_next;
}

/* The next number of our session (0 is never one). */
static uint32_t next_seq(void)
{
	uint32_t seq = tx_next++;

	if (!tx_next)
		tx_next = 1;
	return seq;
}

/* HMAC(key, label\0 | role | prover | verifier | dial nonce | accept nonce) */
static void proof(uint8_t role, uint8_t prover, uint8_t verifier,
		  const uint8_t *dial, const uint8_t *accept, uint8_t *out)
{
	static const char label[] = "popcorn cluster key proof v1";
	uint8_t msg[sizeof(label) + 3 + 2 * PCN_AUTH_NONCE_LEN];
	unsigned int len = PCN_AUTH_MAC_LEN;
	uint8_t *p = msg;

	memcpy(p, label, sizeof(label));
	p += sizeof(label);
	*p++ = role;
	*p++ = prover;
	*p++ = verifier;
	memcpy(p, dial, PCN_AUTH_NONCE_LEN);
	memcpy(p + PCN_AUTH_NONCE_LEN, accept, PCN_AUTH_NONCE_LEN);
	HMAC(EVP_sha256(), key, key_len, msg, sizeof(msg), out, &len);
}

/* Connect from 127.0.0.1 to node 0's port and join as my_nid; fd or -1. */
static int join(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(PCN_DEFAULT_PORT),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct {
		struct pcn_kmsg_hdr h;
		struct pcn_kmsg_hello hello;
	} __attribute__((packed)) me, peer;
	struct {
		struct pcn_kmsg_hdr h;
		struct pcn_kmsg_auth auth;
	} __attribute__((packed)) a;
	struct {
		struct pcn_kmsg_hdr h;
		struct pcn_kmsg_session s;
	} __attribute__((packed)) ses;
	int one = 1, fd, i;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		goto fail;
	tx_next = 1;
	rx_next = 1;
	fill_hdr(&me.h, PCN_KMSG_TYPE_HELLO, sizeof(me.hello));
	memset(&me.hello, 0, sizeof(me.hello));
	me.hello.nid = my_nid;
	me.hello.arch = PCN_ARCH_X86_64;
	me.hello.proto_version = PCN_KMSG_VERSION;
	me.hello.max_size = PCN_KMSG_MAX_SIZE;
	me.hello.flags = key_len ? PCN_HELLO_F_KEY : 0;
	for (i = 0; i < PCN_AUTH_NONCE_LEN; i++)
		me.hello.nonce[i] = rnd();
	if (send_all(fd, &me, sizeof(me)) || recv_all(fd, &peer, sizeof(peer)) ||
	    peer.h.type != PCN_KMSG_TYPE_HELLO)
		goto fail;
	if (stall_s) {
		printf("stalling\n");
		fflush(stdout);
		sleep(stall_s);
		exit(0);
	}
	if (key_len) {
		fill_hdr(&a.h, PCN_KMSG_TYPE_AUTH, sizeof(a.auth));
		proof(PCN_AUTH_ROLE_DIALLER, my_nid, peer.hello.nid,
		      me.hello.nonce, peer.hello.nonce, a.auth.mac);
		if (send_all(fd, &a, sizeof(a)) || recv_all(fd, &a, sizeof(a)) ||
		    a.h.type != PCN_KMSG_TYPE_AUTH)
			goto fail;
	}
	/* A new session each time: node 0 never saw this one. */
	fill_hdr(&ses.h, PCN_KMSG_TYPE_SESSION, sizeof(ses.s));
	memset(&ses.s, 0, sizeof(ses.s));
	ses.s.sid = rnd() | 1;
	ses.s.rx_next = 1;
	if (send_all(fd, &ses, sizeof(ses)))
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * Pace to node 0: an ECHO_REQUEST after each message, and read (and drop)
 * what node 0 sends until its answer comes. The link's receive side has
 * then read past the fuzzed message and handed it on. -1 once node 0
 * closed the link (or said nothing for 10 s).
 */
static int sync_echo(int fd, long *answers)
{
	static char buf[PCN_KMSG_MAX_SIZE];
	struct pcn_kmsg_hdr h;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	fill_hdr(&h, PCN_KMSG_TYPE_ECHO_REQUEST, 0);
	h.seq = next_seq();
	h.ws = 0x3fffffff;
	if (send_all(fd, &h, sizeof(h)))
		return -1;
	for (;;) {
		if (poll(&pfd, 1, 10000) != 1 || recv_all(fd, &h, sizeof(h)) ||
		    h.size > sizeof(buf) || recv_all(fd, buf, h.size))
			return -1;
		/* Acknowledged with our next message. */
		if (h.seq)
			rx_next = h.seq + 1 ?: 1;
		if (h.type == PCN_KMSG_TYPE_ECHO_REPLY && h.ws == 0x3fffffff)
			return 0;
		*answers += 1;
	}
}

/* --flood: M requests at once, then their answers or the link's end. */
static int flood(void)
{
	static char buf[PCN_KMSG_MAX_SIZE];
	struct pcn_kmsg_hdr h;
	long i, answers = 0;
	int fd = join();

	if (fd < 0)
		return 1;
	for (i = 0; i < flood_n; i++) {
		fill_hdr(&h, PCN_KMSG_TYPE_ECHO_REQUEST, 0);
		h.seq = next_seq();
		h.ws = i + 1;
		if (send_all(fd, &h, sizeof(h)))
			break;
	}
	while (answers < i) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 10000) != 1 || recv_all(fd, &h, sizeof(h)) ||
		    h.size > sizeof(buf) || recv_all(fd, buf, h.size))
			break;
		if (h.seq)
			rx_next = h.seq + 1 ?: 1;
		if (h.type == PCN_KMSG_TYPE_ECHO_REPLY)
			answers++;
	}
	printf("flood: %ld sent, %ld answers, link %s\n", i, answers,
	       answers < flood_n ? "closed" : "open");
	close(fd);
	return 0;
}

/* One mutated message of a type from the table (or just past it). */
static size_t mutate(char *buf)
{
	struct pcn_kmsg_hdr *h = (struct pcn_kmsg_hdr *)buf;
	unsigned int ntypes = sizeof(bounds) / sizeof(*bounds);
	uint16_t type = rnd() % (ntypes + 2);
	uint32_t min = 0, max = PCN_KMSG_MAX_PAYLOAD, size, i;
	char *p = buf + sizeof(*h);

	if (type < ntypes) {
		min = bounds[type].size[0];
		max = bounds[type].size[1];
	}
	switch (rnd() % 8) {
	case 0:
		size = min;
		break;
	case 1:
		size = max;
		break;
	case 2:		/* just outside the bounds */
		size = rnd() % 2 && min ? min - 1 : max + 1;
		break;
	default:
		size = min + (max > min ? rnd() % (max - min + 1) : 0);
	}
	if (size > PCN_KMSG_MAX_PAYLOAD)
		size = PCN_KMSG_MAX_PAYLOAD;
	fill_hdr(h, type, size);
	if (type < ntypes && bounds[type].numbered)
		h->seq = next_seq();
	if (type < ntypes && bounds[type].reply)
		h->flags = PCN_KMSG_F_REPLY;
	h->ws = rnd() % 4 ? rnd() % 64 : (uint32_t)rnd();
	switch (rnd() % 3) {
	case 0:
		memset(p, 0, size);
		break;
	case 1:
		for (i = 0; i < size; i++)
			p[i] = rnd();
		break;
	default:
		memset(p, 0, size);
		for (i = 0; size && i < 4; i++)
			p[rnd() % size] = rnd();
	}
	/* Now and then a bad header field too. */
	switch (rnd() % 32) {
	case 0:
		h->magic ^= 1 << (rnd() % 32);
		break;
	case 1:
		h->version++;
		break;
	case 2:
		h->from_nid = rnd();
		break;
	case 3:
		h->flags = rnd();
		break;
	case 4:
		h->reserved = rnd();
		break;
	case 5:
		h->credits = rnd();
		break;
	case 6:		/* out of order: a duplicate is dropped, a gap closes */
		if (h->seq > 1 && rnd() % 2) {
			h->seq -= 1;
			tx_next = h->seq + 1;
		} else {
			h->seq = rnd();
		}
		break;
	case 7:		/* an acknowledgement of what node 0 never sent */
		h->ack = rnd();
		break;
	}
	return sizeof(*h) + size;
}

int main(int argc, char **argv)
{
	static char buf[PCN_KMSG_MAX_SIZE + 64];
	static const struct option opts[] = {
		{ "nid", required_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' },
		{ "iters", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "stall", required_argument, NULL, 'S' },
		{ "flood", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	long iters = 1000, sent = 0, closes = 0, replies = 0, fails = 0;
	long seed = time(NULL);
	int c, fd = -1;
	FILE *f;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			my_nid = atoi(optarg);
			break;
		case 'i':
			iters = atol(optarg);
			break;
		case 's':
			seed = atol(optarg);
			break;
		case 'S':
			stall_s = atoi(optarg);
			break;
		case 'F':
			flood_n = atol(optarg);
			break;
		case 'k':
			f = fopen(optarg, "rb");
			if (!f) {
				perror(optarg);
				return 2;
			}
			key_len = fread(key, 1, sizeof(key), f);
			fclose(f);
			break;
		default:
			fprintf(stderr, "usage: peer_fuzz --nid N [--key FILE] [--iters N] [--seed S] [--stall S]\n");
			return 2;
		}
	}
	if (flood_n)
		return flood();
	printf("seed %ld\n", seed);
	for (c = 0; c < seed % 1000 + 1; c++)
		rnd();
	while (sent < iters) {
		if (fd < 0) {
			fd = join();
			if (fd < 0) {
				/* node 0 may still be tearing the last link down */
				if (++fails > 50) {
					printf("cannot join after %ld messages\n", sent);
					return 1;
				}
				usleep(200000);
				continue;
			}
			fails = 0;
		}
		if (send_all(fd, buf, mutate(buf)) || sync_echo(fd, &replies)) {
			close(fd);
			fd = -1;
			closes++;
		}
		sent++;
	}
	if (fd >= 0)
		close(fd);
	printf("sent %ld messages, %ld links closed, %ld other frames back\n",
	       sent, closes, replies);
	return 0;
}
