// SPDX-License-Identifier: GPL-2.0
/* Popcorn core: start-up. The core is built in; transports are modules. */
#define pr_fmt(fmt) "popcorn: " fmt

#include <linux/init.h>
#include "internal.h"
#include "process.h"

static int __init pcn_core_init(void)
{
	int ret;

	ret = pcn_kmsg_init();
	if (!ret)
		ret = pcn_session_sys_init();
	if (!ret)
		ret = pcn_page_xfer_init();
	if (!ret)
		ret = pcn_selftest_init();
	if (!ret)
		ret = pcn_process_init();
	if (!ret)
		ret = pcn_migrate_init();
	if (!ret)
		ret = pcn_vma_server_init();
	if (!ret)
		ret = pcn_vma_ops_init();
	if (!ret)
		ret = pcn_syscall_fwd_init();
	if (!ret)
		ret = pcn_signal_init();
	if (!ret)
		ret = pcn_fault_actions_init();
	if (!ret)
		ret = pcn_move_init();
	if (!ret)
		ret = pcn_page_server_init();
	if (!ret)
		ret = pcn_stat_remote_init();
	if (!ret)
		ret = pcn_proc_threads_init();
	if (!ret)
		ret = pcn_netlink_init();
	if (ret) {
		pr_err("core initialisation failed: %d\n", ret);
		return ret;
	}
	pr_info("core ready, protocol %d, max message %d bytes\n",
		PCN_KMSG_VERSION, PCN_KMSG_MAX_SIZE);
	return 0;
}
late_initcall(pcn_core_init);
