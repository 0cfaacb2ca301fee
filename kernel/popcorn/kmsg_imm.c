// SPDX-License-Identifier: GPL-2.0
/*
 * Messages that travel as an immediate. The answer to a page request that
 * carries the page (a fetch or a recall reply saying "the data is in your
 * exposure") is fully described by its type and its wait station; a
 * transport that writes the page with an immediate (RDMA WRITE_WITH_IMM)
 * carries it in the immediate and spares a message, and its ACK, per
 * remote fault. Pure logic, tested by KUnit (kmsg_imm_kunit.c).
 *
 * Layout, PCN_KMSG_IMM_BITS bits: bit 30 set for a recall reply (clear for
 * a fetch reply), bit 29 set for a fetch reply that hands over the only
 * copy (PCN_PAGE_F_OWNER) or for a recall reply whose page its holder
 * never wrote (PCN_PAGE_F_CLEAN), bits 0..28 the wait station
 * (1..PCN_KMSG_IMM_WS_MAX). The transport keeps the bits above for itself.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/string.h>
#include <popcorn/pcn_kmsg.h>

#define PCN_KMSG_IMM_RECALL	BIT(30)
#define PCN_KMSG_IMM_OWNER	BIT(29)	/* fetch reply: OWNER; recall: CLEAN */

static const struct pcn_page_fetch_reply pcn_kmsg_imm_data = {
	.status = 0,
	.flags = PCN_PAGE_F_DATA,
};

static const struct pcn_page_fetch_reply pcn_kmsg_imm_owner = {
	.status = 0,
	.flags = PCN_PAGE_F_DATA | PCN_PAGE_F_OWNER,
};

static const struct pcn_page_fetch_reply pcn_kmsg_imm_clean = {
	.status = 0,
	.flags = PCN_PAGE_F_DATA | PCN_PAGE_F_CLEAN,
};

/**
 * pcn_kmsg_to_imm - can this message travel as an immediate?
 * @hdr: the header, filled by the core
 * @payload: its @hdr->size payload bytes
 * @imm: the immediate, when it can
 *
 * Return: true if @imm says all of it.
 */
bool pcn_kmsg_to_imm(const struct pcn_kmsg_hdr *hdr, const void *payload,
		     u32 *imm)
{
	bool fetch = hdr->type == PCN_KMSG_TYPE_PAGE_FETCH_REPLY;
	bool bit29;

	if (hdr->flags != PCN_KMSG_F_REPLY || !hdr->ws ||
	    hdr->ws > PCN_KMSG_IMM_WS_MAX ||
	    hdr->size != sizeof(pcn_kmsg_imm_data))
		return false;
	if (!fetch && hdr->type != PCN_KMSG_TYPE_PAGE_RECALL_REPLY)
		return false;
	bit29 = !memcmp(payload, fetch ? &pcn_kmsg_imm_owner :
			&pcn_kmsg_imm_clean, sizeof(pcn_kmsg_imm_data));
	if (!bit29 &&
	    memcmp(payload, &pcn_kmsg_imm_data, sizeof(pcn_kmsg_imm_data)))
		return false;
	*imm = hdr->ws | (bit29 ? PCN_KMSG_IMM_OWNER : 0) |
	       (fetch ? 0 : PCN_KMSG_IMM_RECALL);
	return true;
}
EXPORT_SYMBOL_GPL(pcn_kmsg_to_imm);

/**
 * pcn_kmsg_from_imm - rebuild the message an immediate stands for
 * @imm: as received (the transport's own bits cleared)
 * @from_nid: the peer it came from
 * @msg: room for a header and PCN_KMSG_IMM_PAYLOAD bytes
 *
 * Return: 0, or -EPROTO for an immediate no peer may send.
 */
int pcn_kmsg_from_imm(u32 imm, int from_nid, struct pcn_kmsg *msg)
{
	u32 ws = imm & PCN_KMSG_IMM_WS_MAX;
	bool bit29 = imm & PCN_KMSG_IMM_OWNER;
	bool recall = imm & PCN_KMSG_IMM_RECALL;
	const struct pcn_page_fetch_reply *r = &pcn_kmsg_imm_data;

	if ((imm & ~(PCN_KMSG_IMM_WS_MAX | PCN_KMSG_IMM_RECALL |
		     PCN_KMSG_IMM_OWNER)) || !ws ||
	    from_nid < 0 || from_nid >= PCN_MAX_NODES)
		return -EPROTO;
	if (bit29)
		r = recall ? &pcn_kmsg_imm_clean : &pcn_kmsg_imm_owner;
	memset(&msg->hdr, 0, sizeof(msg->hdr));
	msg->hdr.magic = PCN_KMSG_MAGIC;
	msg->hdr.version = PCN_KMSG_VERSION;
	msg->hdr.from_nid = from_nid;
	msg->hdr.type = imm & PCN_KMSG_IMM_RECALL ?
			PCN_KMSG_TYPE_PAGE_RECALL_REPLY :
			PCN_KMSG_TYPE_PAGE_FETCH_REPLY;
	msg->hdr.flags = PCN_KMSG_F_REPLY;
	msg->hdr.size = sizeof(pcn_kmsg_imm_data);
	msg->hdr.ws = ws;
	memcpy(msg->payload, r, sizeof(*r));
	return 0;
}
EXPORT_SYMBOL_GPL(pcn_kmsg_from_imm);
