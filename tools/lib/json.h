/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON writer for the tools' --json output: compact (no spaces),
 * one document a line. It places the commas and quotes and escapes the
 * strings itself; callers only say what comes next:
 *
 *	struct json j;
 *
 *	json_init(&j, stdout);
 *	json_begin_object(&j);
 *	json_key(&j, "id");
 *	json_u64(&j, 3);
 *	json_key(&j, "name");
 *	json_string(&j, NULL);		(null)
 *	json_end_object(&j);		{"id":3,"name":null} and a newline
 *
 * Inside an object every value follows a json_key(); inside an array
 * values follow each other. The newline comes when the outermost object
 * or array ends.
 */
#ifndef PCN_JSON_H
#define PCN_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *f;
	int depth;				/* open objects and arrays */
	unsigned char items[JSON_MAX_DEPTH];	/* has one already: comma */
	unsigned char after_key;		/* a value is due, no comma */
};

void json_init(struct json *j, FILE *f);
void json_begin_object(struct json *j);
void json_end_object(struct json *j);
void json_begin_array(struct json *j);
void json_end_array(struct json *j);
void json_key(struct json *j, const char *key);

void json_string(struct json *j, const char *s);	/* NULL: null */
void json_null(struct json *j);
void json_bool(struct json *j, int v);
void json_u64(struct json *j, uint64_t v);
void json_int(struct json *j, long long v);
void json_double(struct json *j, double v, int decimals); /* not finite: null */

/* A key and its value in one call. */
static inline void json_key_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_u64(j, v);
}

static inline void json_key_string(struct json *j, const char *key,
				   const char *s)
{
	json_key(j, key);
	json_string(j, s);
}

static inline void json_key_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}

static inline void json_key_null(struct json *j, const char *key)
{
	json_key(j, key);
	json_null(j);
}

#endif /* PCN_JSON_H */
