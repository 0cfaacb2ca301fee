// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl node self|add|del|list|wait
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pcnctl.h"

#define WAIT_POLL_MS		200
#define WAIT_DEFAULT_S		60

static const struct option no_opts[] = {
	{ NULL, 0, NULL, 0 }
};

static const char *arch_name(int arch)
{
	if (arch < 0)
		return "-";
	return arch == PCN_ARCH_X86_64 ? "x86_64" : "unknown";
}

/* ------------------------------------------------------------------ */
/* Configuration commands: one request, wait for the ack.             */

static int node_simple(const char *what, struct nlmsghdr *nlh,
		       struct pcn_nl *nl)
{
	return pcn_nl_end(nl, what, pcn_nl_talk(nl, nlh, NULL, NULL));
}

/* node self ID, node del ID: @cmd with the one node id. */
static int node_id_cmd(int argc, char **argv, const char *what, uint8_t cmd)
{
	char buf[PCN_NL_REQSIZE];
	struct pcn_nl nl = { 0 };
	struct nlmsghdr *nlh;
	uint32_t nid;

	while (pcn_getopt(argc, argv, no_opts, what) != -1)
		;
	if (argc - optind != 1)
		pcn_usage_error(what, "expected exactly one argument: ID");
	nid = pcn_arg_u32(what, "ID", argv[optind]);

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	nlh = pcn_nl_req(&nl, buf, cmd, NLM_F_ACK);
	mnl_attr_put_u32(nlh, PCN_A_NID, nid);
	return node_simple(what, nlh, &nl);
}

static int node_add(int argc, char **argv)
{
	static const char what[] = "node add";
	static const struct option opts[] = {
		{ "port",	required_argument, NULL, 'p' },
		{ "transport",	required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	const char *transport = NULL;
	char buf[PCN_NL_REQSIZE];
	struct pcn_nl nl = { 0 };
	struct nlmsghdr *nlh;
	uint32_t nid, port = 0;
	int have_port = 0;
	int c;

	while ((c = pcn_getopt(argc, argv, opts, what)) != -1) {
		if (c == 'p') {
			port = pcn_arg_u32(what, "port", optarg);
			if (port > UINT16_MAX)
				pcn_usage_error(what, "port %s does not fit in 16 bits",
						optarg);
			have_port = 1;
		} else {
			transport = optarg;
		}
	}
	if (argc - optind != 2)
		pcn_usage_error(what, "expected two arguments: ID ADDR");
	nid = pcn_arg_u32(what, "ID", argv[optind]);

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	nlh = pcn_nl_req(&nl, buf, PCN_CMD_NODE_ADD, NLM_F_ACK);
	mnl_attr_put_u32(nlh, PCN_A_NID, nid);
	mnl_attr_put_strz(nlh, PCN_A_ADDR, argv[optind + 1]);
	if (have_port)
		mnl_attr_put_u16(nlh, PCN_A_PORT, port);
	if (transport)
		mnl_attr_put_strz(nlh, PCN_A_TRANSPORT, transport);
	return node_simple(what, nlh, &nl);
}

/* ------------------------------------------------------------------ */
/* node list                                                          */

static void node_address(const struct pcn_node *n, char *buf, size_t len)
{
	if (!n->addr[0])
		snprintf(buf, len, "-");
	else if (n->port < 0)
		snprintf(buf, len, "%s", n->addr);
	else
		snprintf(buf, len, "%s:%d", n->addr, n->port);
}

static void node_transport(const struct pcn_node *n, char *buf, size_t len)
{
	const char *t = n->transport[0] ? n->transport : "-";

	if (!n->self && !n->loaded)
		snprintf(buf, len, "%s (not loaded)", t);
	else
		snprintf(buf, len, "%s", t);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void list_table(const struct pcn_nodes *nodes)
{
	char addr[96], tr[64], id[16], terr[24];
	int wa = strlen("ADDRESS"), wt = strlen("TRANSPORT");
	unsigned int i;

	for (i = 0; i < nodes->n; i++) {
		node_address(&nodes->v[i], addr, sizeof(addr));
		node_transport(&nodes->v[i], tr, sizeof(tr));
		wa = max_int(wa, strlen(addr));
		wt = max_int(wt, strlen(tr));
	}

	printf("%-5s %-*s  %-*s  %-10s  %-7s  %10s  %10s  %6s  %6s\n", "ID",
	       wa, "ADDRESS", wt, "TRANSPORT", "STATE", "ARCH",
	       "MSGS_IN", "MSGS_OUT", "BAD", "TERR");
	for (i = 0; i < nodes->n; i++) {
		const struct pcn_node *n = &nodes->v[i];

		snprintf(id, sizeof(id), "%" PRIu32 "%s", n->nid,
			 n->self ? "*" : "");
		node_address(n, addr, sizeof(addr));
		node_transport(n, tr, sizeof(tr));
		if (n->have_terr)
			snprintf(terr, sizeof(terr), "%" PRIu64,
				 n->transport_errors);
		else
			snprintf(terr, sizeof(terr), "-");
		printf("%-5s %-*s  %-*s  %-10s  %-7s  %10" PRIu64 "  %10" PRIu64
		       "  %6" PRIu64 "  %6s\n", id, wa, addr, wt, tr,
		       n->self ? "self" : pcn_state_name(n->state),
		       arch_name(n->arch), n->msgs_in, n->msgs_out,
		       n->bad_msgs, terr);
	}
	/* The kernel says it in the SELF entry only (pcnctl key status). */
	for (i = 0; i < nodes->n; i++)
		if (nodes->v[i].self)
			printf("cluster key: %s\n",
			       nodes->v[i].key_set ? "set" : "none");
}

/* "types":{"name":{"msgs_in":..},..}, the types with any traffic only. */
static void list_json_types(struct json *j, const struct pcn_types *types)
{
	const struct pcn_type *t;
	unsigned int i;
	char name[80];

	json_key(j, "types");
	json_begin_object(j);
	for (i = 0; i < types->n; i++) {
		t = &types->v[i];
		if (!t->msgs_in && !t->msgs_out && !t->bytes_in &&
		    !t->bytes_out)
			continue;
		if (t->name[0])
			snprintf(name, sizeof(name), "%s", t->name);
		else
			snprintf(name, sizeof(name), "type_%d", t->id);
		json_key(j, name);
		json_begin_object(j);
		pcn_json_traffic(j, t);
		json_end_object(j);
	}
	json_end_object(j);
}

static void list_json_node(struct json *j, const struct pcn_node *n)
{
	json_begin_object(j);
	json_key_u64(j, "id", n->nid);
	json_key_string(j, "addr", n->addr[0] ? n->addr : NULL);
	json_key(j, "port");
	if (n->port < 0)
		json_null(j);
	else
		json_int(j, n->port);
	json_key_string(j, "transport", n->transport[0] ? n->transport : NULL);
	json_key_bool(j, "transport_loaded", n->loaded);
	json_key_bool(j, "self", n->self);
	if (n->self)	/* peers' keys are not theirs to tell */
		json_key_bool(j, "key_set", n->key_set);
	else
		json_key_null(j, "key_set");
	json_key_string(j, "state",
			n->state < 0 ? NULL : pcn_state_name(n->state));
	json_key_string(j, "arch", n->arch < 0 ? NULL : arch_name(n->arch));
	json_key_u64(j, "msgs_in", n->msgs_in);
	json_key_u64(j, "msgs_out", n->msgs_out);
	json_key_u64(j, "bytes_in", n->bytes_in);
	json_key_u64(j, "bytes_out", n->bytes_out);
	json_key_u64(j, "bad_msgs", n->bad_msgs);
	json_key_u64(j, "connects", n->connects);
	if (n->have_terr)
		json_key_u64(j, "transport_errors", n->transport_errors);
	else
		json_key_null(j, "transport_errors");
	list_json_types(j, &n->types);
	json_end_object(j);
}

static void list_json(const struct pcn_nodes *nodes)
{
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_begin_array(&j);
	for (i = 0; i < nodes->n; i++)
		list_json_node(&j, &nodes->v[i]);
	json_end_array(&j);
}

static int node_list(int argc, char **argv)
{
	static const char what[] = "node list";
	struct pcn_nodes nodes = { 0 };
	struct pcn_nl nl = { 0 };
	int json = pcn_show_args(argc, argv, what, 0);
	int ret;

	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	ret = pcn_nl_end(&nl, what, pcn_nodes_get(&nl, &nodes));
	if (ret == PCN_EXIT_OK)
		(json ? list_json : list_table)(&nodes);
	pcn_nodes_free(&nodes);
	return ret;
}

/* ------------------------------------------------------------------ */
/* node wait                                                          */

static const struct pcn_node *node_find(const struct pcn_nodes *nodes,
					uint32_t nid)
{
	unsigned int i;

	for (i = 0; i < nodes->n; i++)
		if (nodes->v[i].nid == nid)
			return &nodes->v[i];
	return NULL;
}

static int node_is_up(const struct pcn_node *n)
{
	return n && (n->self || n->state == PCN_NODE_ONLINE);
}

/* Prints the laggards to stderr when @report; returns how many there are. */
static int wait_check(const struct pcn_nodes *nodes, const uint32_t *ids,
		      int nids, int report)
{
	const struct pcn_node *n;
	int i, bad = 0;

	if (!nids) {
		for (i = 0; i < (int)nodes->n; i++) {
			n = &nodes->v[i];
			if (node_is_up(n))
				continue;
			if (report)
				fprintf(stderr, "%s %" PRIu32 " (%s)",
					bad ? "," : "", n->nid,
					pcn_state_name(n->state));
			bad++;
		}
		return bad;
	}
	for (i = 0; i < nids; i++) {
		n = node_find(nodes, ids[i]);
		if (node_is_up(n))
			continue;
		if (report)
			fprintf(stderr, "%s %" PRIu32 " (%s)", bad ? "," : "",
				ids[i], n ? pcn_state_name(n->state) :
				"not configured");
		bad++;
	}
	return bad;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wait_timeout_arg(const char *what, const char *arg)
{
	char *end;
	double t;

	errno = 0;
	t = strtod(arg, &end);
	if (errno || end == arg || *end || !(t >= 0))
		pcn_usage_error(what, "timeout '%s' is not a number of seconds",
				arg);
	return t;
}

static int wait_loop(struct pcn_nl *nl, const uint32_t *ids, int nids,
		     double timeout)
{
	static const char what[] = "node wait";
	const struct timespec poll = { 0, WAIT_POLL_MS * 1000000L };
	struct pcn_nodes nodes = { 0 };
	double deadline = now_s() + timeout;
	int err;

	for (;;) {
		err = pcn_nodes_get(nl, &nodes);
		if (err) {
			pcn_nodes_free(&nodes);
			return pcn_nl_fail(nl, what, err);
		}
		if (!wait_check(&nodes, ids, nids, 0))
			break;
		if (now_s() >= deadline) {
			fprintf(stderr, "pcnctl: %s: timed out after %g s; not online:",
				what, timeout);
			wait_check(&nodes, ids, nids, 1);
			fputc('\n', stderr);
			pcn_nodes_free(&nodes);
			return PCN_EXIT_FAIL;
		}
		nanosleep(&poll, NULL);
	}
	pcn_nodes_free(&nodes);
	return PCN_EXIT_OK;
}

static int node_wait(int argc, char **argv)
{
	static const char what[] = "node wait";
	static const struct option opts[] = {
		{ "timeout",	required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	double timeout = WAIT_DEFAULT_S;
	struct pcn_nl nl = { 0 };
	uint32_t *ids;
	int i, nids, ret;

	while (pcn_getopt(argc, argv, opts, what) != -1)
		timeout = wait_timeout_arg(what, optarg);

	nids = argc - optind;
	ids = calloc(nids ? nids : 1, sizeof(*ids));
	if (!ids) {
		perror("pcnctl");
		return PCN_EXIT_FAIL;
	}
	for (i = 0; i < nids; i++)
		ids[i] = pcn_arg_u32(what, "ID", argv[optind + i]);

	if (pcn_nl_open(&nl, what) < 0) {
		free(ids);
		return PCN_EXIT_FAIL;
	}
	ret = wait_loop(&nl, ids, nids, timeout);
	pcn_nl_close(&nl);
	free(ids);
	return ret;
}

int cmd_node(int argc, char **argv)
{
	if (argc < 2)
		pcn_usage_error("node", "missing subcommand");
	if (!strcmp(argv[1], "self"))
		return node_id_cmd(argc - 1, argv + 1, "node self",
				   PCN_CMD_SELF_SET);
	if (!strcmp(argv[1], "add"))
		return node_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return node_id_cmd(argc - 1, argv + 1, "node del",
				   PCN_CMD_NODE_DEL);
	if (!strcmp(argv[1], "list"))
		return node_list(argc - 1, argv + 1);
	if (!strcmp(argv[1], "wait"))
		return node_wait(argc - 1, argv + 1);
	pcn_usage_error("node", "unknown subcommand '%s'", argv[1]);
}
