/* SPDX-License-Identifier: GPL-2.0 */
/* Selftest helper: read a node's counters through `pcnctl stat --json`. */
#ifndef _PCN_SELFTEST_STAT_H
#define _PCN_SELFTEST_STAT_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * One node-wide counter of node @nid (0: this node, the others through
 * vc-exec), or -1 when pcnctl fails or does not report it.
 */
static inline long long pcn_stat_node(int nid, const char *name)
{
	char buf[16384], cmd[64], key[64];
	long long v = -1;
	size_t n;
	FILE *f;
	char *p;

	if (nid)
		snprintf(cmd, sizeof(cmd), "vc-exec %d pcnctl stat --json", nid);
	else
		snprintf(cmd, sizeof(cmd), "pcnctl stat --json");
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	if (pclose(f))
		return -1;
	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(buf, key);
	if (p && isdigit((unsigned char)p[strlen(key)]))
		v = strtoll(p + strlen(key), NULL, 10);
	return v;
}

/* One node-wide counter of this node, or -1. */
static inline long long pcn_stat(const char *name)
{
	return pcn_stat_node(0, name);
}

/* Connections refused so far: bad frames plus refused handshakes. */
static inline long long pcn_refusals(void)
{
	return pcn_stat("rx_bad") + pcn_stat("handshakes_refused");
}

#endif /* _PCN_SELFTEST_STAT_H */
