// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarking knobs (CONFIG_POPCORN_SELFTEST), in debugfs so that a
 * production node has none: /sys/kernel/debug/popcorn/. Root only (debugfs
 * is mode 0700). Transports add their own under it
 * (pcn_debugfs_dir(), e.g. popcorn/rdma/).
 *
 *   invalidate_serial  invalidate a page's sharers one after the other, as
 *                      before they went out at once (bench/fault-sharers
 *                      compares the two in one boot)
 *   fresh_read_copy    a remote's read of a page nobody ever had gets a
 *                      read-only copy (its first write then upgrades), as
 *                      before such a read was handed the page itself
 *                      (bench/param-ab --knob fresh_read_copy)
 */
#include <linux/debugfs.h>
#include <linux/export.h>
#include "internal.h"

bool pcn_knob_invalidate_serial;
bool pcn_knob_fresh_read_copy;

static struct dentry *pcn_debugfs_root;

/* The core's debugfs folder, for a transport's knobs (or an ERR_PTR). */
struct dentry *pcn_debugfs_dir(void)
{
	return pcn_debugfs_root;
}
EXPORT_SYMBOL_GPL(pcn_debugfs_dir);

void pcn_debugfs_init(void)
{
	/* debugfs failures are not errors: the knobs just are not there. */
	pcn_debugfs_root = debugfs_create_dir("popcorn", NULL);
	debugfs_create_bool("invalidate_serial", 0600, pcn_debugfs_root,
			    &pcn_knob_invalidate_serial);
	debugfs_create_bool("fresh_read_copy", 0600, pcn_debugfs_root,
			    &pcn_knob_fresh_read_copy);
}
