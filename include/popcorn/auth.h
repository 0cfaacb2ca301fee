/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Popcorn cluster key: the mutual challenge-response of the handshake
 * (kernel/popcorn/auth.c), as the transports use it.
 *
 * Each side sends a fresh nonce with its HELLO (TCP) or connection private
 * data (RDMA) and says whether it has a key. When both have one, each
 * proves it with HMAC-SHA256(key, label, prover's role, prover's and
 * verifier's node ids, the dialler's and the acceptor's nonces): the
 * acceptor in its answer (TCP: an AUTH frame after the dialler's; RDMA:
 * the accept private data), the dialler in its AUTH frame (TCP) or its
 * first control SEND (RDMA). On TCP the acceptor proves itself only after
 * the dialler did; the role is in the MAC, so neither side's proof serves
 * as the other's. A side with a key admits no peer without one.
 */
#ifndef _POPCORN_AUTH_H
#define _POPCORN_AUTH_H

#include <linux/types.h>
#include <popcorn/pcn_wire.h>

/* One handshake's secrets, filled by pcn_auth_begin() and pcn_peer_admit(). */
struct pcn_auth {
	bool keyed;		/* this node had a key when the handshake began */
	bool ready;		/* proofs computed: the peer was keyed too */
	u8 nonce[PCN_AUTH_NONCE_LEN];	/* ours */
	u8 mine[PCN_AUTH_MAC_LEN];	/* our proof, to send */
	u8 theirs[PCN_AUTH_MAC_LEN];	/* the proof the peer must send */
};

/* A fresh nonce; whether this node has a key. Callable from any context. */
void pcn_auth_begin(struct pcn_auth *auth);

/*
 * Check the peer's proof (@mac, PCN_AUTH_MAC_LEN bytes) when the handshake
 * is keyed; 0, or -EACCES (counted, logged rate-limited with @peer_addr).
 * Constant time. Callable from any context.
 */
int pcn_auth_check(struct pcn_auth *auth, const u8 *mac, __be32 peer_addr);

struct pcn_kmsg;
/* An AUTH message with our proof, in @msg (room for its payload). */
void pcn_auth_msg_prepare(struct pcn_kmsg *msg, const struct pcn_auth *auth);

/* Forget the handshake's secrets. */
void pcn_auth_end(struct pcn_auth *auth);

#endif /* _POPCORN_AUTH_H */
