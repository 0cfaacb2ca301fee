// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl raw: one request of any type to a peer, with a payload given in
 * hex, as a hostile peer would send it (PCN_CMD_RAW_REQUEST, kernels
 * built with CONFIG_POPCORN_SELFTEST). Prints what came back:
 *   "status 0 reply HEX"   the peer answered; the reply's payload
 *   "status ERRNO (text)"  the request failed (timeout, link lost...)
 * For the selftests that check what a node does with wrong input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcnctl.h"

#define RAW_MAX_PAYLOAD	1024

struct raw_res {
	int got;
	uint32_t status;
	const uint8_t *reply;
	uint16_t reply_len;
	uint8_t buf[PCN_NL_BUFSIZE];
};

static int raw_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PCN_A_MAX + 1] = { NULL };
	struct raw_res *r = data;

	if (pcn_attr_parse(nlh, tb) < 0 || !tb[PCN_A_RAW_STATUS])
		return MNL_CB_ERROR;
	r->got = 1;
	r->status = mnl_attr_get_u32(tb[PCN_A_RAW_STATUS]);
	if (tb[PCN_A_RAW_REPLY]) {
		r->reply_len = mnl_attr_get_payload_len(tb[PCN_A_RAW_REPLY]);
		if (r->reply_len > sizeof(r->buf))
			r->reply_len = sizeof(r->buf);
		memcpy(r->buf, mnl_attr_get_payload(tb[PCN_A_RAW_REPLY]),
		       r->reply_len);
		r->reply = r->buf;
	}
	return MNL_CB_OK;
}

/* @hex (an even number of hex digits) into @out; its length, or -1. */
static int raw_unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex), i;
	char byte[3] = "";
	char *end;

	if (n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		byte[0] = hex[2 * i];
		byte[1] = hex[2 * i + 1];
		out[i] = (uint8_t)strtoul(byte, &end, 16);
		if (*end)
			return -1;
	}
	return (int)(n / 2);
}

int cmd_raw(int argc, char **argv)
{
	static const char what[] = "raw";
	static const struct option opts[] = { { NULL, 0, NULL, 0 } };
	uint8_t payload[RAW_MAX_PAYLOAD];
	char buf[PCN_NL_REQSIZE];
	struct pcn_nl nl = { 0 };
	struct raw_res r = { 0 };
	struct nlmsghdr *nlh;
	uint32_t nid, type;
	int len, err, i;

	while (pcn_getopt(argc, argv, opts, what) != -1)
		;
	if (argc - optind != 3)
		pcn_usage_error(what, "expected NID TYPE HEX-PAYLOAD");
	nid = pcn_arg_u32(what, "NID", argv[optind]);
	type = pcn_arg_u32(what, "TYPE", argv[optind + 1]);
	if (type > UINT16_MAX)
		pcn_usage_error(what, "TYPE: out of range");
	len = raw_unhex(argv[optind + 2], payload, sizeof(payload));
	if (len < 0)
		pcn_usage_error(what, "HEX-PAYLOAD: pairs of hex digits, at most %d bytes",
				RAW_MAX_PAYLOAD);
	if (pcn_nl_open(&nl, what) < 0)
		return PCN_EXIT_FAIL;
	nlh = pcn_nl_req(&nl, buf, PCN_CMD_RAW_REQUEST, NLM_F_ACK);
	mnl_attr_put_u32(nlh, PCN_A_NID, nid);
	mnl_attr_put_u16(nlh, PCN_A_RAW_TYPE, type);
	mnl_attr_put(nlh, PCN_A_RAW_PAYLOAD, len, payload);
	err = pcn_nl_talk(&nl, nlh, raw_cb, &r);
	pcn_nl_close(&nl);
	if (!err && !r.got)
		err = -ENODATA;
	if (err)
		return pcn_nl_fail(&nl, what, err);
	if (r.status) {
		printf("status %u (%s)\n", r.status, strerror(r.status));
		return PCN_EXIT_OK;
	}
	printf("status 0 reply ");
	for (i = 0; i < r.reply_len; i++)
		printf("%02x", r.reply[i]);
	printf("\n");
	return PCN_EXIT_OK;
}
