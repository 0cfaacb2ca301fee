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
 *   grant_pages        how many pages of the aligned block around a page
 *                      nobody ever had come with it as zero pages (a power
 *                      of two up to 64; 1: the page alone; 0: as 1)
 *   ahead_pages        the largest read-ahead window of a remote read
 *                      fault, in pages (up to 16; 1 or 0: no read-ahead)
 *   ahead_up_only      read-ahead follows ascending streams only, as before
 *                      it followed descending ones too
 *   inval_single       an origin write invalidates its page alone, as before
 *                      write streams invalidated ahead (page_inval.c)
 *   migratory_off      a read of a page writers hand around gets a copy, as
 *                      before such a read got the page whole (page_dir.h)
 *   drop_link          write a node id: its live link is taken down at once
 *                      (fault injection: the session must resume, or the
 *                      peer be given up after the grace period)
 */
#include <linux/debugfs.h>
#include <linux/export.h>
#include "internal.h"

bool pcn_knob_invalidate_serial;
bool pcn_knob_fresh_read_copy;
bool pcn_knob_ahead_up_only;
bool pcn_knob_inval_single;
bool pcn_knob_migratory_off;
u32 pcn_knob_grant_pages = PCN_PAGE_GRANT_PAGES;
u32 pcn_knob_ahead_pages = PCN_PAGE_AHEAD_MAX;

static struct dentry *pcn_debugfs_root;

static int pcn_debugfs_drop_link(void *data, u64 nid)
{
	struct pcn_transport *t;
	struct pcn_node *node;
	int idx, ret = -EOPNOTSUPP;

	node = nid < PCN_MAX_NODES ? pcn_node_get(nid) : NULL;
	if (!node)
		return -ENOENT;
	t = pcn_node_transport_lock(node, &idx);
	if (t) {
		if (t->drop) {
			t->drop(node);
			ret = 0;
		}
		pcn_node_transport_unlock(idx);
	}
	pcn_node_put(node);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(pcn_debugfs_drop_link_fops, NULL,
			 pcn_debugfs_drop_link, "%llu\n");

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
	debugfs_create_bool("ahead_up_only", 0600, pcn_debugfs_root,
			    &pcn_knob_ahead_up_only);
	debugfs_create_bool("inval_single", 0600, pcn_debugfs_root,
			    &pcn_knob_inval_single);
	debugfs_create_bool("migratory_off", 0600, pcn_debugfs_root,
			    &pcn_knob_migratory_off);
	debugfs_create_u32("grant_pages", 0600, pcn_debugfs_root,
			   &pcn_knob_grant_pages);
	debugfs_create_u32("ahead_pages", 0600, pcn_debugfs_root,
			   &pcn_knob_ahead_pages);
	debugfs_create_file_unsafe("drop_link", 0200, pcn_debugfs_root, NULL,
				   &pcn_debugfs_drop_link_fops);
}
