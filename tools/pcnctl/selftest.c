// SPDX-License-Identifier: GPL-2.0
/*
 * pcnctl: self test results (PCN_A_ECHO_OK .. PCN_A_ECHO_WALL_NS), as
 * returned by both PCN_CMD_ECHO and PCN_CMD_PAGE_TEST.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pcnctl.h"
#include "selftest.h"

/* tb as filled by pcn_attr_parse(); absent attributes count as 0. */
void pcn_selftest_parse(const struct nlattr **tb, struct pcn_selftest *r)
{
	r->ok = pcn_attr_u32(tb[PCN_A_ECHO_OK], 0);
	r->errors = pcn_attr_u32(tb[PCN_A_ECHO_ERRORS], 0);
	r->first_err = (int32_t)pcn_attr_u32(tb[PCN_A_ECHO_FIRST_ERR], 0);
	r->min_ns = pcn_attr_u64(tb[PCN_A_ECHO_MIN_NS], 0);
	r->p50_ns = pcn_attr_u64(tb[PCN_A_ECHO_P50_NS], 0);
	r->p99_ns = pcn_attr_u64(tb[PCN_A_ECHO_P99_NS], 0);
	r->max_ns = pcn_attr_u64(tb[PCN_A_ECHO_MAX_NS], 0);
	r->wall_ns = pcn_attr_u64(tb[PCN_A_ECHO_WALL_NS], 0);
}

/* Two or three significant digits are all TCG timings deserve. */
static const char *fmt_ms(uint64_t ns, char *buf, size_t len)
{
	double ms = ns / 1e6;

	snprintf(buf, len, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
	return buf;
}

/* "min 0.41 ms, median 0.80 ms, p99 2.10 ms, max 9.30 ms" */
const char *pcn_selftest_times(const struct pcn_selftest *r, char *buf,
			       size_t len)
{
	char mn[32], p50[32], p99[32], mx[32];

	snprintf(buf, len, "min %s ms, median %s ms, p99 %s ms, max %s ms",
		 fmt_ms(r->min_ns, mn, sizeof(mn)),
		 fmt_ms(r->p50_ns, p50, sizeof(p50)),
		 fmt_ms(r->p99_ns, p99, sizeof(p99)),
		 fmt_ms(r->max_ns, mx, sizeof(mx)));
	return buf;
}

/* Successful operations per second over the whole run. */
double pcn_selftest_rate(const struct pcn_selftest *r)
{
	return r->wall_ns ? r->ok * 1e9 / r->wall_ns : 0;
}

/*
 * Reports the first error and a shortfall on stderr ("pcnctl: WHAT: FAILED:
 * 3 of 10 DONE"); returns the exit status. @want is how many were asked for.
 */
int pcn_selftest_verdict(const char *what, const struct pcn_selftest *r,
			 uint32_t want, const char *done)
{
	int ret = PCN_EXIT_OK;

	if (r->first_err)
		fprintf(stderr, "pcnctl: %s: first error: %s (%" PRId32 ")\n",
			what, strerror(r->first_err < 0 ? -r->first_err :
				       r->first_err), r->first_err);
	if (r->errors || r->ok != want) {
		fprintf(stderr, "pcnctl: %s: FAILED: %" PRIu32 " of %" PRIu32
			" %s\n", what, r->ok, want, done);
		ret = PCN_EXIT_FAIL;
	}
	return ret;
}

const char *pcn_plural(uint32_t n)
{
	return n == 1 ? "" : "s";
}
