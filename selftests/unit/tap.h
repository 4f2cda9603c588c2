/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - the unit tests' harness: the shape of the kernel's
 * kselftest_harness.h (TEST(), EXPECT_*(), ASSERT_*(), SKIP()) and the
 * output and exit codes of kselftest.h, in the project's own small code.
 *
 *	TEST(parses_a_valid_file)
 *	{
 *		ASSERT_EQ(parse(buf), 0);
 *		EXPECT_STREQ(msg, "");
 *	}
 *
 * Prints "TAP version 13", "1..N", then "ok N name", "not ok N name" or
 * "ok N name # SKIP reason" per TEST(), diagnostics as "# " lines, and
 * "# Totals: ...". Exits 0 when all passed, 1 when any failed, 4 when all
 * were skipped. tap.c holds main().
 */
#ifndef __TCPSTATE_TAP_H
#define __TCPSTATE_TAP_H

#include <string.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
	struct tap_test *next;
};

/* Adds t to the end of the list main() runs, in the order of definition. */
void tap_register(struct tap_test *t);
/* Marks the running test failed and prints "# file:line: ..." */
void tap_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Marks the running test skipped (unless it failed). */
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A "# " diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Whether the running test has failed so far. */
int tap_failed(void);

#define TEST(name)							\
	static void name(void);						\
	static struct tap_test tap__##name = { #name, name, NULL };	\
	__attribute__((constructor)) static void tap__reg_##name(void)	\
	{								\
		tap_register(&tap__##name);				\
	}								\
	static void name(void)

/* EXPECT_*: record a failure and go on; ASSERT_*: and end the test. */
#define TAP__CHECK(ok, on_fail, ...)					\
	do {								\
		if (!(ok)) {						\
			tap_fail(__FILE__, __LINE__, __VA_ARGS__);	\
			on_fail;					\
		}							\
	} while (0)

#define TAP__EQ(a, b, on_fail)						\
	do {								\
		long long tap__a = (long long)(a), tap__b = (long long)(b); \
		TAP__CHECK(tap__a == tap__b, on_fail,			\
			   "%s == %s: %lld != %lld", #a, #b, tap__a, tap__b); \
	} while (0)

#define TAP__UEQ(a, b, on_fail)						\
	do {								\
		unsigned long long tap__a = (a), tap__b = (b);		\
		TAP__CHECK(tap__a == tap__b, on_fail,			\
			   "%s == %s: %llu != %llu", #a, #b, tap__a, tap__b); \
	} while (0)

#define TAP__STREQ(a, b, on_fail)					\
	do {								\
		const char *tap__a = (a), *tap__b = (b);		\
		TAP__CHECK(tap__a && tap__b && !strcmp(tap__a, tap__b), on_fail, \
			   "%s == %s: \"%s\" != \"%s\"", #a, #b,	\
			   tap__a ? tap__a : "(null)", tap__b ? tap__b : "(null)"); \
	} while (0)

/* a contains b */
#define TAP__STRSTR(a, b, on_fail)					\
	do {								\
		const char *tap__a = (a), *tap__b = (b);		\
		TAP__CHECK(tap__a && tap__b && strstr(tap__a, tap__b), on_fail, \
			   "%s contains %s: \"%s\" does not contain \"%s\"", \
			   #a, #b, tap__a ? tap__a : "(null)", tap__b); \
	} while (0)

#define TAP__NE(a, b, on_fail)						\
	do {								\
		long long tap__a = (long long)(a), tap__b = (long long)(b); \
		TAP__CHECK(tap__a != tap__b, on_fail,			\
			   "%s != %s: both %lld", #a, #b, tap__a);	\
	} while (0)

#define EXPECT_TRUE(c)		TAP__CHECK(c, (void)0, "expected %s", #c)
#define EXPECT_NE(a, b)		TAP__NE(a, b, (void)0)
#define EXPECT_EQ(a, b)		TAP__EQ(a, b, (void)0)
#define EXPECT_UEQ(a, b)	TAP__UEQ(a, b, (void)0)
#define EXPECT_STREQ(a, b)	TAP__STREQ(a, b, (void)0)
#define EXPECT_STRSTR(a, b)	TAP__STRSTR(a, b, (void)0)
#define ASSERT_TRUE(c)		TAP__CHECK(c, return, "expected %s", #c)
#define ASSERT_EQ(a, b)		TAP__EQ(a, b, return)
#define ASSERT_UEQ(a, b)	TAP__UEQ(a, b, return)
#define ASSERT_STREQ(a, b)	TAP__STREQ(a, b, return)
#define ASSERT_STRSTR(a, b)	TAP__STRSTR(a, b, return)
#define SKIP(...)		do { tap_skip(__VA_ARGS__); return; } while (0)

#endif /* __TCPSTATE_TAP_H */
