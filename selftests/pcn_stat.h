/* SPDX-License-Identifier: GPL-2.0 */
/* Selftest helper: read this node's counters through `pcnctl stat --json`. */
#ifndef _PCN_SELFTEST_STAT_H
#define _PCN_SELFTEST_STAT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One node-wide counter, or -1 when pcnctl fails. */
static inline long long pcn_stat(const char *name)
{
	char buf[8192], key[64];
	long long v = -1;
	size_t n;
	FILE *f;
	char *p;

	f = popen("pcnctl stat --json", "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	if (pclose(f))
		return -1;
	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(buf, key);
	if (p)
		v = strtoll(p + strlen(key), NULL, 10);
	return v;
}

/* Connections refused so far: bad frames plus refused handshakes. */
static inline long long pcn_refusals(void)
{
	return pcn_stat("rx_bad") + pcn_stat("handshakes_refused");
}

#endif /* _PCN_SELFTEST_STAT_H */
