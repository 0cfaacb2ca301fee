// SPDX-License-Identifier: GPL-2.0
/*
 * A small JSON writer (json.h): commas, quoting and string escapes are
 * placed here, never by the callers.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->after_key = 0;
}

/* Before a key or a value: the comma, unless it is the first or keyed. */
static void json_next(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth && j->items[j->depth - 1]++)
		fputc(',', j->f);
}

static void json_open(struct json *j, char c)
{
	json_next(j);
	if (j->depth == JSON_MAX_DEPTH) {
		fputs("json: nested too deep\n", stderr);
		abort();
	}
	j->items[j->depth++] = 0;
	fputc(c, j->f);
}

static void json_close(struct json *j, char c)
{
	if (!j->depth) {
		fputs("json: nothing to close\n", stderr);
		abort();
	}
	j->depth--;
	fputc(c, j->f);
	if (!j->depth)
		fputc('\n', j->f);
}

void json_begin_object(struct json *j)
{
	json_open(j, '{');
}

void json_end_object(struct json *j)
{
	json_close(j, '}');
}

void json_begin_array(struct json *j)
{
	json_open(j, '[');
}

void json_end_array(struct json *j)
{
	json_close(j, ']');
}

/* "s", with '"', '\\' and control characters escaped. */
static void json_quote(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	json_next(j);
	json_quote(j->f, key);
	fputc(':', j->f);
	j->after_key = 1;
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_next(j);
	json_quote(j->f, s);
}

void json_null(struct json *j)
{
	json_next(j);
	fputs("null", j->f);
}

void json_bool(struct json *j, int v)
{
	json_next(j);
	fputs(v ? "true" : "false", j->f);
}

void json_u64(struct json *j, uint64_t v)
{
	json_next(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_int(struct json *j, long long v)
{
	json_next(j);
	fprintf(j->f, "%lld", v);
}

void json_double(struct json *j, double v, int decimals)
{
	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	json_next(j);
	fprintf(j->f, "%.*f", decimals, v);
}
