/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Credit accounting of a message ring: the pure logic, shared by the RDMA
 * transport and its KUnit tests (rdma_ring_kunit.c).
 *
 * The receiver owns a ring of @nslots fixed-size slots. Counters are
 * cumulative u32 sequence numbers compared with serial arithmetic, so they
 * wrap freely:
 *  - the sender reserves sequence number @head for each message; message
 *    seq lands in slot seq % nslots;
 *  - the receiver counts @freed, the slots it has consumed in sequence
 *    order, and reports it back (piggy-backed in headers, or in a CREDIT
 *    message); the sender keeps the newest report in @granted.
 * The sender may use seq while seq - granted < nslots. The last slot is
 * kept for CREDIT messages, so that credits can always flow back even when
 * data has used up every other slot.
 */
#ifndef _PCN_RDMA_RING_H
#define _PCN_RDMA_RING_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/types.h>

struct pcn_ring_tx {
	atomic_t head;		/* next sequence number to reserve */
	u32 granted;		/* peer's newest @freed report */
	u32 nslots;
};

#define PCN_RING_MIN_SLOTS	2
#define PCN_RING_MAX_SLOTS	1024

/*
 * A slot count the ring handles: message seq lands in slot seq % nslots,
 * and the u32 sequence wraps; only a power of two divides 2^32, so only
 * then does slot (2^32 - 1) % nslots + 1 equal slot 0 % nslots.
 */
static inline bool pcn_ring_slots_valid(u32 nslots)
{
	return nslots >= PCN_RING_MIN_SLOTS && nslots <= PCN_RING_MAX_SLOTS &&
	       is_power_of_2(nslots);
}

static inline void pcn_ring_tx_init(struct pcn_ring_tx *tx, u32 nslots,
				    u32 start)
{
	atomic_set(&tx->head, start);
	tx->granted = start;
	tx->nslots = nslots;
}

/*
 * Reserve the next sequence number without a lock. @credit_msg may take
 * the last free slot; data may not. Returns 0 and *seq, or -EAGAIN when
 * the ring is full (wait for a grant and retry).
 */
static inline int pcn_ring_reserve(struct pcn_ring_tx *tx, bool credit_msg,
				   u32 *seq)
{
	u32 limit, head = atomic_read(&tx->head);

	do {
		limit = READ_ONCE(tx->granted) + tx->nslots - (credit_msg ? 0 : 1);
		if ((s32)(limit - head) <= 0)
			return -EAGAIN;
	} while (!atomic_try_cmpxchg(&tx->head, &head, head + 1));
	*seq = head;
	return 0;
}

/*
 * A @freed report arrived. Reports may be stale (reordered) and must never
 * grant more than was reserved: returns 1 if the grant advanced, 0 if the
 * report was old, -EPROTO if it claims slots we never sent.
 * Called from one context at a time (the receive path).
 */
static inline int pcn_ring_grant(struct pcn_ring_tx *tx, u32 freed)
{
	u32 head = atomic_read(&tx->head);

	if ((s32)(freed - head) > 0)
		return -EPROTO;
	if ((s32)(freed - tx->granted) <= 0)
		return 0;
	WRITE_ONCE(tx->granted, freed);
	return 1;
}

struct pcn_ring_rx {
	u32 nslots;
	u32 freed;		/* consumed in sequence order */
	unsigned long *done;	/* consumed ahead of @freed, by slot */
};

/*
 * Message in @slot was consumed. Messages may arrive out of sequence order
 * (senders post concurrently), so @freed only advances over a contiguous
 * run. Returns how far @freed advanced, or -EPROTO for a slot out of range
 * or consumed twice. One context at a time (the receive path).
 */
static inline int pcn_ring_rx_consume(struct pcn_ring_rx *rx, u32 slot)
{
	int advanced = 0;

	if (slot >= rx->nslots || test_bit(slot, rx->done))
		return -EPROTO;
	__set_bit(slot, rx->done);
	while (test_bit(rx->freed % rx->nslots, rx->done)) {
		__clear_bit(rx->freed % rx->nslots, rx->done);
		rx->freed++;
		advanced++;
	}
	return advanced;
}

/* Should the receiver send a standalone CREDIT message? */
static inline bool pcn_ring_credit_due(u32 freed, u32 reported, u32 nslots)
{
	return freed - reported >= max(nslots / 4, 1U);
}

#endif /* _PCN_RDMA_RING_H */
