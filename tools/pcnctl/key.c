// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl key set|clear|status: the cluster key every handshake from now on
 * must prove (PCN_CMD_KEY_SET, PCN_CMD_KEY_CLEAR; kernel/popcorn/auth.c).
 * The kernel never gives the key back: the SELF entry of the NODE_GET
 * dump only says whether one is set (PCN_A_KEY_SET).
 *
 * The key is the bytes of a file as they are, PCN_KEY_MIN to PCN_KEY_MAX
 * of them, no text parsing (a trailing newline is part of the key):
 *   head -c 32 /dev/urandom > cluster.key; chmod 600 cluster.key
 * A regular file that group or others may read or write is refused, as
 * ssh refuses such a private key; "-" (standard input) is not checked.
 * The key is read with read(2), no stdio buffer, and every copy of it
 * here (the read buffer, the request, the receive buffer an error ack
 * may echo the request into) is wiped once the request is done.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pcnctl.h"

/* Group or others may read or write it (execute alone gives nothing). */
#define KEY_MODE_OPEN	0066

static const struct option no_opts[] = {
	{ NULL, 0, NULL, 0 }
};

/* No options, exactly @args arguments (a lone "-" is an argument). */
static void key_args(int argc, char **argv, const char *what, int args,
		     const char *expect)
{
	while (pcn_getopt(argc, argv, no_opts, what) != -1)
		;
	if (argc - optind != args)
		pcn_usage_error(what, "%s", expect);
}

/* A named key file as ssh wants a private key; 0, or -1 (reported). */
static int key_check_mode(const char *what, const char *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		fprintf(stderr, "pcnctl: %s: %s: %s\n", what, path,
			strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode) && (st.st_mode & KEY_MODE_OPEN)) {
		fprintf(stderr, "pcnctl: %s: %s: permissions %04o are too open: group or others may read or write the key (chmod 600 %s)\n",
			what, path, (unsigned int)(st.st_mode & 07777), path);
		return -1;
	}
	return 0;
}

/*
 * Reads the key from @path ("-": standard input) into @key (PCN_KEY_MAX + 1
 * bytes); its length, or -1 (reported). What was read stays in @key,
 * to be wiped by the caller either way.
 */
static int key_read(const char *what, const char *path, uint8_t *key)
{
	int is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "standard input" : path;
	size_t len = 0;
	ssize_t n;
	int fd, err = 0;

	fd = is_stdin ? STDIN_FILENO :
	     open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pcnctl: %s: %s: %s\n", what, path,
			strerror(errno));
		return -1;
	}
	if (!is_stdin && key_check_mode(what, path, fd) < 0) {
		close(fd);
		return -1;
	}
	/* One byte more than a key can have tells a key too long. */
	while (len < PCN_KEY_MAX + 1) {
		n = read(fd, key + len, PCN_KEY_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		len += n;
	}
	if (!is_stdin)
		close(fd);
	if (err) {
		fprintf(stderr, "pcnctl: %s: %s: %s\n", what, name,
			strerror(err));
		return -1;
	}
	if (len > PCN_KEY_MAX) {
		fprintf(stderr, "pcnctl: %s: %s: more than %d bytes; a key is %d to %d bytes\n",
			what, name, PCN_KEY_MAX, PCN_KEY_MIN, PCN_KEY_MAX);
		return -1;
	}
	if (len < PCN_KEY_MIN) {
		fprintf(stderr, "pcnctl: %s: %s: %zu bytes; a key is %d to %d bytes (e.g. head -c 32 /dev/urandom)\n",
			what, name, len, PCN_KEY_MIN, PCN_KEY_MAX);
		return -1;
	}
	return (int)len;
}

/* As pcn_nl_fail(), and what EPERM means here. */
static int key_fail(const struct pcn_nl *nl, const char *what, int err)
{
	if (err != -EPERM)
		return pcn_nl_fail(nl, what, err);
	if (nl->extack[0])
		fprintf(stderr, "%s: %s: %s (%s; needs CAP_NET_ADMIN)\n",
			pcn_nl_prog, what, nl->extack, strerror(-err));
	else
		fprintf(stderr, "%s: %s: %s (needs CAP_NET_ADMIN)\n",
			pcn_nl_prog, what, strerror(-err));
	return PCN_EXIT_FAIL;
}

/* @cmd, with the key as PCN_A_KEY when @key; waits for the ack. */
static int key_send(const char *what, uint8_t cmd, const uint8_t *key,
		    int len)
{
	char buf[PCN_NL_REQSIZE];
	struct pcn_nl nl = { 0 };
	struct nlmsghdr *nlh;
	int err;

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	nlh = pcn_nl_req(&nl, buf, cmd, NLM_F_ACK);
	if (key)
		mnl_attr_put(nlh, PCN_A_KEY, len, key);
	err = pcn_nl_talk(&nl, nlh, NULL, NULL);
	pcn_nl_close(&nl);
	/* The request held the key, and so may an error ack (uncapped). */
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(nl.buf, sizeof(nl.buf));
	return err ? key_fail(&nl, what, err) : PCN_EXIT_OK;
}

static int key_set(int argc, char **argv)
{
	static const char what[] = "key set";
	uint8_t key[PCN_KEY_MAX + 1];
	int len, ret;

	key_args(argc, argv, what, 1,
		 "expected exactly one argument: FILE (- for standard input)");
	len = key_read(what, argv[optind], key);
	ret = len < 0 ? PCN_EXIT_FAIL :
	      key_send(what, PCN_CMD_KEY_SET, key, len);
	explicit_bzero(key, sizeof(key));
	return ret;
}

static int key_clear(int argc, char **argv)
{
	static const char what[] = "key clear";

	key_args(argc, argv, what, 0, "takes no argument");
	return key_send(what, PCN_CMD_KEY_CLEAR, NULL, 0);
}

/*
 * "cluster key: set" or "cluster key: none" (as node list ends), from the
 * SELF entry of the node dump.
 */
static int key_status(int argc, char **argv)
{
	static const char what[] = "key status";
	const struct pcn_node *self = NULL;
	struct pcn_nodes nodes = { 0 };
	struct pcn_nl nl = { 0 };
	unsigned int i;
	int ret;

	key_args(argc, argv, what, 0, "takes no argument");
	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	ret = pcn_nl_end(&nl, what, pcn_nodes_get(&nl, &nodes));
	for (i = 0; ret == PCN_EXIT_OK && i < nodes.n; i++)
		if (nodes.v[i].self)
			self = &nodes.v[i];
	if (ret == PCN_EXIT_OK && !self) {
		fprintf(stderr, "pcnctl: %s: the kernel listed no entry for this node\n",
			what);
		ret = PCN_EXIT_FAIL;
	} else if (ret == PCN_EXIT_OK) {
		printf("cluster key: %s\n", self->key_set ? "set" : "none");
	}
	pcn_nodes_free(&nodes);
	return ret;
}

int cmd_key(int argc, char **argv)
{
	if (argc < 2)
		pcn_usage_error("key", "missing subcommand");
	if (!strcmp(argv[1], "set"))
		return key_set(argc - 1, argv + 1);
	if (!strcmp(argv[1], "clear"))
		return key_clear(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status"))
		return key_status(argc - 1, argv + 1);
	pcn_usage_error("key", "unknown subcommand '%s'", argv[1]);
}
