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
 * One node-wide counter of node @nid (0: this node, the others through
 * vc-exec). Never returns on error (pcnctl fails, its output does not fit,
 * or it does not report @name as a number).
 */
static inline long long pcn_stat_node(int nid, const char *name)
{
	char buf[65536], cmd[64], key[64], *p, *end;
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
		pcn_stat_die(cmd, name, strerror(errno), NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	if (n == sizeof(buf) - 1 && fgetc(f) != EOF)
		pcn_stat_die(cmd, name, "output longer than the buffer", NULL);
	rc = pclose(f);
	if (rc)
		pcn_stat_die(cmd, name, rc == -1 ? strerror(errno) :
			     "command failed", buf);
	snprintf(key, sizeof(key), "\"%s\":", name);
	p = strstr(buf, key);
	if (!p)
		pcn_stat_die(cmd, name, "not reported", buf);
	p += strlen(key);
	if (!isdigit((unsigned char)*p))
		pcn_stat_die(cmd, name, "not a number", p);
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || (*end != ',' && *end != '}'))
		pcn_stat_die(cmd, name, "not a number", p);
	return v;
}

/*
 * The number @field of node @nid's `pcnctl stat --json` that comes first
 * after @anchor, within the object @anchor opens or is in: a message
 * type's traffic (anchor "\"name\":\"page_recall\",", field "msgs_out"),
 * a kind of fault ("\"upgrade\":{", "ok"). Never returns on error.
 */
static inline long long pcn_stat_after(int nid, const char *anchor,
				       const char *field)
{
	char buf[65536], cmd[64], key[64], *p, *end;
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
		pcn_stat_die(cmd, anchor, strerror(errno), NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	rc = pclose(f);
	if (rc)
		pcn_stat_die(cmd, anchor, "command failed", buf);
	p = strstr(buf, anchor);
	if (!p)
		pcn_stat_die(cmd, anchor, "not reported", buf);
	end = strchr(p + strlen(anchor), '}');
	snprintf(key, sizeof(key), "\"%s\":", field);
	p = strstr(p, key);
	if (!p || !end || p > end)
		pcn_stat_die(cmd, anchor, "no such field after it", field);
	p += strlen(key);
	errno = 0;
	v = strtoll(p, &end, 10);
	if (errno || !isdigit((unsigned char)*p) || (*end != ',' && *end != '}'))
		pcn_stat_die(cmd, anchor, "not a number", p);
	return v;
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
