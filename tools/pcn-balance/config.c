// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-balance's knobs: defaults, and "key = value" lines of a config file
 * ("#" starts a comment). An unknown key, a value out of its range or a
 * malformed line is an error: a typo must not silently leave a default.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balance.h"

void bal_config_default(struct bal_config *c)
{
	c->interval = 2.0;
	c->busy_min = 80.0;
	c->cpu_min = 0.5;
	c->home_rate = 500.0;
	c->home_cpu_max = 0.2;
	c->cooldown = 3;
	c->max_moves = 1;
}

/* Each knob: where it goes, its range, whether it is a whole number. */
static const struct {
	const char *key;
	size_t off;
	double min, max;
	int integer;
} knobs[] = {
	{ "interval",	  offsetof(struct bal_config, interval), 0.1, 3600, 0 },
	{ "busy_min",	  offsetof(struct bal_config, busy_min), 0, 100, 0 },
	{ "cpu_min",	  offsetof(struct bal_config, cpu_min), 0, 1, 0 },
	{ "home_rate",	  offsetof(struct bal_config, home_rate), 0, 1e9, 0 },
	{ "home_cpu_max", offsetof(struct bal_config, home_cpu_max), 0, 1, 0 },
	{ "cooldown",	  offsetof(struct bal_config, cooldown), 0, 1000, 1 },
	{ "max_moves",	  offsetof(struct bal_config, max_moves), 1, 64, 1 },
};

static void set(struct bal_config *c, unsigned int i, double v)
{
	char *p = (char *)c + knobs[i].off;

	if (knobs[i].integer)
		*(unsigned int *)p = (unsigned int)v;
	else
		*(double *)p = v;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

int bal_config_read(struct bal_config *c, const char *path)
{
	char line[256], *key, *val, *end, *hash;
	unsigned int i, no = 0;
	FILE *f = fopen(path, "r");
	double v;

	if (!f) {
		fprintf(stderr, "pcn-balance: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		no++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		key = trim(line);
		if (!*key)
			continue;
		val = strchr(key, '=');
		if (!val)
			goto bad;
		*val++ = '\0';
		key = trim(key);
		val = trim(val);
		for (i = 0; i < ARRAY_SIZE(knobs); i++)
			if (!strcmp(key, knobs[i].key))
				break;
		if (i == ARRAY_SIZE(knobs)) {
			fprintf(stderr, "pcn-balance: %s:%u: unknown key '%s'\n",
				path, no, key);
			goto fail;
		}
		errno = 0;
		v = strtod(val, &end);
		if (errno || end == val || *end || v < knobs[i].min ||
		    v > knobs[i].max ||
		    (knobs[i].integer && v != (double)(unsigned int)v)) {
			fprintf(stderr, "pcn-balance: %s:%u: %s: '%s' is not %s %g to %g\n",
				path, no, key, val,
				knobs[i].integer ? "a whole number" : "a number",
				knobs[i].min, knobs[i].max);
			goto fail;
		}
		set(c, i, v);
	}
	fclose(f);
	return 0;
bad:
	fprintf(stderr, "pcn-balance: %s:%u: expected 'key = value'\n", path,
		no);
fail:
	fclose(f);
	return -1;
}
