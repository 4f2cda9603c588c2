/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* json.h - a small streaming JSON writer (commas and escaping). */
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

#endif /* __TCPSTATE_JSON_H */
