/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcnctl: shared helpers and the command entry points.
 */
#ifndef PCNCTL_H
#define PCNCTL_H

#include <getopt.h>
#include <stdint.h>

#include "nl.h"
#include "pcnstat.h"

/* Exit statuses. */
#define PCN_EXIT_OK	0
#define PCN_EXIT_FAIL	1
#define PCN_EXIT_USAGE	2

void pcn_usage(int status) __attribute__((noreturn));
void pcn_usage_error(const char *what, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
int pcn_getopt(int argc, char **argv, const struct option *opts,
	       const char *what);
uint32_t pcn_arg_u32(const char *what, const char *name, const char *arg);

void pcn_json_str(const char *s);

int cmd_node(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_echo(int argc, char **argv);
int cmd_pagetest(int argc, char **argv);
int cmd_proc(int argc, char **argv);

#endif /* PCNCTL_H */
