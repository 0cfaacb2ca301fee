/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcnctl: the result of a kernel self test (ECHO, PAGE_TEST), shared by
 * "echo" and "pagetest": parsing the ECHO_* reply attributes and printing.
 */
#ifndef PCNCTL_SELFTEST_H
#define PCNCTL_SELFTEST_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"

struct pcn_selftest {
	uint32_t ok, errors;
	int32_t first_err;	/* errno of the first failure, 0 none */
	uint64_t min_ns, p50_ns, p99_ns, max_ns, wall_ns;
};

void pcn_selftest_parse(const struct nlattr **tb, struct pcn_selftest *r);
const char *pcn_selftest_times(const struct pcn_selftest *r, char *buf,
			       size_t len);
double pcn_selftest_rate(const struct pcn_selftest *r);
int pcn_selftest_verdict(const char *what, const struct pcn_selftest *r,
			 uint32_t want, const char *done);
const char *pcn_plural(uint32_t n);

#endif /* PCNCTL_SELFTEST_H */
