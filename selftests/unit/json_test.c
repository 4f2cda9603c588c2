// SPDX-License-Identifier: GPL-2.0
/*
 * json_test.c - user/json.c fails loudly: nesting past JSON_MAX_DEPTH,
 * an unbalanced close and a write error are each recorded and returned
 * by json_end(), and nothing is written after the first error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "tap.h"

TEST(writes_a_document_and_ends_clean)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	ASSERT_TRUE(f != NULL);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "a", "x\"y");
	json_arr_open(&j, "b");
	json_u64(&j, NULL, 1);
	json_s64(&j, NULL, -2);
	json_bool(&j, NULL, true);
	json_arr_close(&j);
	json_obj_close(&j);
	EXPECT_EQ(json_end(&j), 0);
	fclose(f);
	EXPECT_STREQ(buf, "{\"a\":\"x\\\"y\",\"b\":[1,-2,true]}\n");
	free(buf);
}

TEST(nesting_past_the_limit_is_an_error)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	ASSERT_TRUE(f != NULL);
	json_init(&j, f);
	for (int i = 0; i < JSON_MAX_DEPTH - 1; i++)
		json_arr_open(&j, NULL);
	EXPECT_EQ(json_error(&j), 0);
	json_arr_open(&j, NULL);	/* one too deep */
	EXPECT_EQ(json_error(&j), -E2BIG);
	json_u64(&j, NULL, 7);		/* written no more */
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_arr_close(&j);
	EXPECT_EQ(json_end(&j), -E2BIG);
	fclose(f);
	EXPECT_TRUE(strchr(buf, '7') == NULL);
	EXPECT_TRUE(strchr(buf, ']') == NULL);
	free(buf);
}

TEST(unbalanced_documents_are_errors)
{
	FILE *f = fopen("/dev/null", "w");
	struct json j;

	ASSERT_TRUE(f != NULL);
	json_init(&j, f);
	json_obj_close(&j);
	EXPECT_EQ(json_end(&j), -EINVAL);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	EXPECT_EQ(json_end(&j), -EINVAL);
	fclose(f);
}

TEST(write_errors_are_returned)
{
	FILE *f = fopen("/dev/full", "w");
	struct json j;

	if (!f)
		SKIP("no /dev/full");
	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "k", "v");
	json_obj_close(&j);
	EXPECT_EQ(json_end(&j), -ENOSPC);
	fclose(f);
}

TEST(unbuffered_write_errors_are_seen_at_once)
{
	FILE *f = fopen("/dev/full", "w");
	struct json j;

	if (!f)
		SKIP("no /dev/full");
	setvbuf(f, NULL, _IONBF, 0);
	json_init(&j, f);
	json_obj_open(&j, NULL);
	EXPECT_EQ(json_error(&j), -ENOSPC);
	EXPECT_EQ(json_end(&j), -ENOSPC);
	fclose(f);
}
