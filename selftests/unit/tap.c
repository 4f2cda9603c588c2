// SPDX-License-Identifier: GPL-2.0
/*
 * tap.c - runs every TEST() and prints TAP 13 as kselftest.h does
 * (ksft_print_header, ksft_set_plan, ksft_test_result_*, ksft_print_cnts),
 * with its exit codes: 0 pass, 1 fail, 4 all skipped.
 */
#include <stdarg.h>
#include <stdio.h>
#include "tap.h"

#define TAP_PASS	0
#define TAP_FAIL	1
#define TAP_SKIP	4

static struct tap_test *head, **tail = &head;
static int cur_failed, cur_skipped;
static char skip_reason[256];

void tap_register(struct tap_test *t)
{
	t->next = NULL;
	*tail = t;
	tail = &t->next;
}

/* Prints a diagnostic, every line of it a "# " comment. */
static void vdiag(const char *prefix, const char *fmt, va_list ap)
{
	char buf[4096];
	const char *p = buf;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	printf("# %s", prefix);
	for (; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1])
			printf("# ");
	}
	if (p == buf || p[-1] != '\n')
		putchar('\n');
}

void tap_fail(const char *file, int line, const char *fmt, ...)
{
	char prefix[256];
	va_list ap;

	cur_failed = 1;
	snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vdiag(prefix, fmt, ap);
	va_end(ap);
}

void tap_skip(const char *fmt, ...)
{
	va_list ap;

	cur_skipped = 1;
	va_start(ap, fmt);
	vsnprintf(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag("", fmt, ap);
	va_end(ap);
}

int tap_failed(void)
{
	return cur_failed;
}

int main(void)
{
	unsigned int n = 0, i = 0, pass = 0, fail = 0, skip = 0;
	struct tap_test *t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (t = head; t; t = t->next)
		n++;
	printf("TAP version 13\n1..%u\n", n);
	for (t = head; t; t = t->next) {
		cur_failed = cur_skipped = 0;
		skip_reason[0] = '\0';
		t->fn();
		i++;
		if (cur_failed) {
			printf("not ok %u %s\n", i, t->name);
			fail++;
		} else if (cur_skipped) {
			printf("ok %u %s # SKIP %s\n", i, t->name, skip_reason);
			skip++;
		} else {
			printf("ok %u %s\n", i, t->name);
			pass++;
		}
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       pass, fail, skip);
	if (fail)
		return TAP_FAIL;
	if (n && skip == n)
		return TAP_SKIP;
	return TAP_PASS;
}
