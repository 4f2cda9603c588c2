/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * json.h - a small streaming JSON writer (commas and escaping).
 *
 * Every call records the first error it meets and writes nothing once
 * there is one: a write error of the stream (-errno), nesting deeper than
 * JSON_MAX_DEPTH (-E2BIG), or a close without its open (-EINVAL). Callers
 * check json_end() (or json_error()) once, at the end.
 */
#ifndef __TCPSTATE_JSON_H
#define __TCPSTATE_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool after_key;
	int err;		/* the first error, 0 while none */
};

void json_init(struct json *j, FILE *f);
/* key is NULL inside arrays and at the top level. */
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_u64(struct json *j, const char *key, __u64 v);
void json_s64(struct json *j, const char *key, __s64 v);
void json_str(struct json *j, const char *key, const char *v);
void json_bool(struct json *j, const char *key, bool v);
/* The first error so far: 0 or -errno. */
int json_error(const struct json *j);
/*
 * Ends the document: -EINVAL if an object or array is left open, else
 * fflush()es the stream; returns the first error, 0 when none.
 */
int json_end(struct json *j);

#endif /* __TCPSTATE_JSON_H */
