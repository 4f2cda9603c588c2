// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* json.c - a small streaming JSON writer that records its first error. */
#include <errno.h>
#include <inttypes.h>
#include "json.h"

void json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	j->after_key = false;
	j->err = 0;
}

/* Records a write error of the stream, if there is one and none before. */
static void check_stream(struct json *j)
{
	if (!j->err && ferror(j->f))
		j->err = errno ? -errno : -EIO;
}

static void fail(struct json *j, int err)
{
	if (!j->err)
		j->err = err;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/*
 * Writes the separator and the key, if any, before a value; false when
 * nothing more may be written.
 */
static bool begin(struct json *j, const char *key)
{
	if (j->err)
		return false;
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		put_string(j->f, key);
		fputc(':', j->f);
	}
	return true;
}

static void open_(struct json *j, const char *key, char c)
{
	if (j->err)
		return;
	if (j->depth >= JSON_MAX_DEPTH - 1) {
		fail(j, -E2BIG);
		return;
	}
	begin(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first[j->depth] = true;
	check_stream(j);
}

static void close_(struct json *j, char c)
{
	if (j->err)
		return;
	if (j->depth == 0) {
		fail(j, -EINVAL);
		return;
	}
	fputc(c, j->f);
	j->depth--;
	if (j->depth == 0)
		fputc('\n', j->f);
	check_stream(j);
}

void json_obj_open(struct json *j, const char *key) { open_(j, key, '{'); }
void json_obj_close(struct json *j) { close_(j, '}'); }
void json_arr_open(struct json *j, const char *key) { open_(j, key, '['); }
void json_arr_close(struct json *j) { close_(j, ']'); }

void json_u64(struct json *j, const char *key, __u64 v)
{
	if (!begin(j, key))
		return;
	fprintf(j->f, "%" PRIu64, (uint64_t)v);
	check_stream(j);
}

void json_s64(struct json *j, const char *key, __s64 v)
{
	if (!begin(j, key))
		return;
	fprintf(j->f, "%" PRId64, (int64_t)v);
	check_stream(j);
}

void json_str(struct json *j, const char *key, const char *v)
{
	if (!begin(j, key))
		return;
	put_string(j->f, v);
	check_stream(j);
}

void json_bool(struct json *j, const char *key, bool v)
{
	if (!begin(j, key))
		return;
	fputs(v ? "true" : "false", j->f);
	check_stream(j);
}

int json_error(const struct json *j)
{
	return j->err;
}

int json_end(struct json *j)
{
	if (!j->err && j->depth != 0)
		fail(j, -EINVAL);
	if (fflush(j->f) && !j->err)
		fail(j, errno ? -errno : -EIO);
	check_stream(j);
	return j->err;
}
