/* SPDX-License-Identifier: GPL-2.0 */
/* Selftest helper: read a node's counters through `pcnctl stat --json`. */
#ifndef _PCN_SELFTEST_STAT_H
#define _PCN_SELFTEST_STAT_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * No value means "could not read it": a failed read ends the test here,
 * with the reason, rather than hand back a number that a comparison could
 * take for a counter. abort(): the kselftest harness
 * reports the test as failed ("terminated by assertion").
 */
static inline __attribute__((noreturn)) void
pcn_stat_die(const char *cmd, const char *name, const char *why,
	     const char *out)
{
	fprintf(stderr, "# FAIL: counter \"%s\" from '%s': %s%s%.300s\n",
		name, cmd, why, out ? "; output: " : "", out ? out : "");
	abort();
}

/*
 * The number @field of node @nid's `pcnctl stat --json` (0: this node,
 * the others through vc-exec): the first one in the output, or with
 * @anchor the first one after @anchor, within the object @anchor opens or
 * is in: a message type's traffic (anchor "\"name\":\"page_recall\",",
 * field "msgs_out"), a kind of fault ("\"upgrade\":{", "ok"). Never
 * returns on error (pcnctl fails, its output does not fit, or it does not
 * report @field there as a number).
 */
static inline long long pcn_stat_after(int nid, const char *anchor,
				       const char *field)
{
	char buf[65536], cmd[64], key[64], *p, *end = NULL;
	const char *what = anchor ? anchor : field;
	long long v;
	size_t n;
	FILE *f;
	int rc;

	if (nid)
		snprintf(cmd, sizeof(cmd), "vc-exec %d pcnctl stat --json", nid);
	else
		snprintf(cmd, sizeof(cmd), "pcnctl stat --json");
	f = popen(cmd, "r");
	if (!f)
		pcn_stat_die(cmd, what, strerror(errno), NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	if (n == sizeof(buf) - 1 && fgetc(f) != EOF)
		pcn_stat_die(cmd, what, "output longer than the buffer", NULL);
	rc = pclose(f);
	if (rc)
		pcn_stat_die(cmd, what, rc == -1 ? strerror(errno) :
			     "command failed", buf);
	p = buf;
	if (anchor) {
		p = strstr(buf, anchor);
		if (!p)
			pcn_stat_die(cmd, what, "not reported", buf);
		end = strchr(p + strlen(anchor), '}');
	}
	snprintf(key, sizeof(key), "\"%s\":", field);
	p = strstr(p, key);
	if (!p || (end && p > end))
		pcn_stat_die(cmd, field, "not reported", buf);
	p += strlen(key);
	if (!isdigit((unsigned char)*p))
		pcn_stat_die(cmd, field, "not a number", p);
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || (*end != ',' && *end != '}'))
		pcn_stat_die(cmd, field, "not a number", p);
	return v;
}

/* One node-wide counter of node @nid; never returns on error. */
static inline long long pcn_stat_node(int nid, const char *name)
{
	return pcn_stat_after(nid, NULL, name);
}

/* One node-wide counter of this node; never returns on error. */
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
