// SPDX-License-Identifier: GPL-2.0
/*
 * Popcorn cluster key: set from user space (PCN_CMD_KEY_SET, write-only),
 * proved both ways in every handshake (include/popcorn/auth.h describes
 * the exchange, PROTOCOL.md the bytes).
 *
 * The key lives only in an HMAC-SHA256 transform; pcn_auth_lock guards
 * swapping it and every use of it (setkey and digest must not race). The
 * handshakes that use it are rare and run in process context.
 */
#define pr_fmt(fmt) "popcorn: " fmt

#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <linux/random.h>
#include <linux/string.h>
#include <popcorn/auth.h>
#include "internal.h"

static DEFINE_MUTEX(pcn_auth_lock);
static struct crypto_shash *pcn_auth_tfm;	/* NULL: no key */

/* Bound into every proof: another protocol's MAC under the key is no use. */
static const char pcn_auth_label[] = "popcorn cluster key proof v1";

int pcn_auth_key_set(const u8 *key, unsigned int len)
{
	struct crypto_shash *tfm, *old;
	int ret;

	if (len < PCN_KEY_MIN || len > PCN_KEY_MAX)
		return -EINVAL;
	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	ret = crypto_shash_setkey(tfm, key, len);
	if (ret) {
		crypto_free_shash(tfm);
		return ret;
	}
	mutex_lock(&pcn_auth_lock);
	old = pcn_auth_tfm;
	pcn_auth_tfm = tfm;
	mutex_unlock(&pcn_auth_lock);
	crypto_free_shash(old);		/* zeroes the old key */
	pr_info("cluster key set: handshakes must prove it\n");
	return 0;
}

void pcn_auth_key_clear(void)
{
	struct crypto_shash *old;

	mutex_lock(&pcn_auth_lock);
	old = pcn_auth_tfm;
	pcn_auth_tfm = NULL;
	mutex_unlock(&pcn_auth_lock);
	if (old)
		pr_info("cluster key cleared: peers are admitted by address\n");
	crypto_free_shash(old);
}

bool pcn_auth_key_is_set(void)
{
	return READ_ONCE(pcn_auth_tfm) != NULL;
}

void pcn_auth_begin(struct pcn_auth *auth)
{
	memset(auth, 0, sizeof(*auth));
	get_random_bytes(auth->nonce, sizeof(auth->nonce));
	auth->keyed = pcn_auth_key_is_set();
}
EXPORT_SYMBOL_GPL(pcn_auth_begin);

/* HMAC(key, label | role | prover | verifier | dialler's | acceptor's nonce) */
static int pcn_auth_mac(struct crypto_shash *tfm, u8 role, u8 prover,
			u8 verifier, const u8 *dial_nonce,
			const u8 *accept_nonce, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 ids[3] = { role, prover, verifier };
	int ret;

	desc->tfm = tfm;
	ret = crypto_shash_init(desc);
	if (!ret)
		ret = crypto_shash_update(desc, pcn_auth_label,
					  sizeof(pcn_auth_label));
	if (!ret)
		ret = crypto_shash_update(desc, ids, sizeof(ids));
	if (!ret)
		ret = crypto_shash_update(desc, dial_nonce, PCN_AUTH_NONCE_LEN);
	if (!ret)
		ret = crypto_shash_update(desc, accept_nonce,
					  PCN_AUTH_NONCE_LEN);
	if (!ret)
		ret = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return ret;
}

/*
 * Both nonces are known (pcn_peer_admit): compute our proof and the one we
 * expect. @dialler: we dialled @peer_nid. Fails when the key went away
 * since pcn_auth_begin() (the handshake is refused; the next one is not
 * keyed).
 */
int pcn_auth_prepare(struct pcn_auth *auth, bool dialler, int peer_nid,
		     const u8 *peer_nonce)
{
	u8 me = pcn_my_nid(), peer = peer_nid;
	const u8 *dial_nonce = dialler ? auth->nonce : peer_nonce;
	const u8 *accept_nonce = dialler ? peer_nonce : auth->nonce;
	u8 my_role = dialler ? PCN_AUTH_ROLE_DIALLER : PCN_AUTH_ROLE_ACCEPTOR;
	u8 peer_role = dialler ? PCN_AUTH_ROLE_ACCEPTOR : PCN_AUTH_ROLE_DIALLER;
	int ret = -ENOKEY;

	mutex_lock(&pcn_auth_lock);
	if (pcn_auth_tfm) {
		ret = pcn_auth_mac(pcn_auth_tfm, my_role, me, peer, dial_nonce,
				   accept_nonce, auth->mine);
		if (!ret)
			ret = pcn_auth_mac(pcn_auth_tfm, peer_role, peer, me,
					   dial_nonce, accept_nonce,
					   auth->theirs);
	}
	mutex_unlock(&pcn_auth_lock);
	auth->ready = !ret;
	return ret;
}

int pcn_auth_check(struct pcn_auth *auth, const u8 *mac, __be32 peer_addr)
{
	if (!auth->keyed)
		return 0;
	if (auth->ready && !crypto_memneq(mac, auth->theirs, PCN_AUTH_MAC_LEN))
		return 0;
	pcn_stat_inc(hs_refused);
	pr_warn_ratelimited("handshake from %pI4 refused: wrong cluster key\n",
			    &peer_addr);
	return -EACCES;
}
EXPORT_SYMBOL_GPL(pcn_auth_check);

/* An AUTH message carrying our proof (keyed handshakes). */
void pcn_auth_msg_prepare(struct pcn_kmsg *msg, const struct pcn_auth *auth)
{
	struct pcn_kmsg_auth *body = (struct pcn_kmsg_auth *)msg->payload;

	pcn_kmsg_fill_hdr(&msg->hdr, PCN_KMSG_TYPE_AUTH, sizeof(*body));
	memcpy(body->mac, auth->mine, sizeof(body->mac));
}
EXPORT_SYMBOL_GPL(pcn_auth_msg_prepare);

void pcn_auth_end(struct pcn_auth *auth)
{
	memzero_explicit(auth, sizeof(*auth));
}
EXPORT_SYMBOL_GPL(pcn_auth_end);
