/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcnctl: shared helpers and the command entry points.
 */
#ifndef PCNCTL_H
#define PCNCTL_H

#include <getopt.h>
#include <stdint.h>

#include "json.h"
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

int pcn_show_args(int argc, char **argv, const char *what, int args);
int pcn_nl_end(struct pcn_nl *nl, const char *what, int err);

/* JSON pieces shared by stat, node list and proc (tools/lib/json.h). */
void pcn_json_scalar(struct json *j, const char *key,
		     const struct pcn_scalars *s, int attr);
void pcn_json_traffic(struct json *j, const struct pcn_type *t);
void pcn_json_faults(struct json *j, const struct pcn_fault_stat *fault,
		     int hist);

int cmd_node(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_echo(int argc, char **argv);
int cmd_pagetest(int argc, char **argv);
int cmd_proc(int argc, char **argv);
int cmd_raw(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_place(int argc, char **argv);
int cmd_balance(int argc, char **argv);

#endif /* PCNCTL_H */
