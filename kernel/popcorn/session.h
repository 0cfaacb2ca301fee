/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure logic of sessions (session.c): sequence numbers that wrap, the
 * receiver's verdict on a number, and the verdict on a new link's two
 * SESSIONs. KUnit tests it (session_kunit.c).
 */
#ifndef _KERNEL_POPCORN_SESSION_H
#define _KERNEL_POPCORN_SESSION_H

#include <linux/types.h>
#include <popcorn/pcn_wire.h>

/* @a comes before @b (numbers wrap; half the space apart at most). */
static inline bool pcn_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/* The number after @seq: 0 is never one (it means "none"). */
static inline u32 pcn_seq_next(u32 seq)
{
	return seq + 1 ?: 1;
}

enum pcn_seq_verdict {
	PCN_SEQ_NEXT,		/* the one expected: take it */
	PCN_SEQ_DUP,		/* had it already: drop it */
	PCN_SEQ_GAP,		/* one is missing: the protocol is broken */
};

static inline enum pcn_seq_verdict pcn_seq_check(u32 seq, u32 rx_next)
{
	if (seq == rx_next)
		return PCN_SEQ_NEXT;
	return pcn_seq_before(seq, rx_next) ? PCN_SEQ_DUP : PCN_SEQ_GAP;
}

/*
 * May the peer acknowledge @ack? Not beyond what we numbered (@tx_next);
 * one before what it acknowledged already (@acked), or 0, says nothing.
 * Returns -1 for a lie, 1 for news, 0 otherwise.
 */
static inline int pcn_ack_check(u32 ack, u32 acked, u32 tx_next)
{
	if (!ack || !pcn_seq_before(acked, ack))
		return 0;
	return pcn_seq_before(tx_next, ack) ? -1 : 1;
}

/*
 * A new link: does the session resume? @mine is the SESSION we sent,
 * @peer the one we got; @acked and @tx_next our stream's state. Both
 * sides come to the same verdict from the same pair: each must know the
 * other's stream, and the peer may not claim what we never sent nor
 * have forgotten what it acknowledged.
 */
static inline bool pcn_session_resumes(const struct pcn_kmsg_session *mine,
				       const struct pcn_kmsg_session *peer,
				       u32 acked, u32 tx_next)
{
	return mine->seen_sid && peer->seen_sid == mine->sid &&
	       peer->sid == mine->seen_sid &&
	       !pcn_seq_before(peer->rx_next, acked) &&
	       !pcn_seq_before(tx_next, peer->rx_next);
}

#endif /* _KERNEL_POPCORN_SESSION_H */
