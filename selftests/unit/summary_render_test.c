// SPDX-License-Identifier: GPL-2.0
/*
 * summary_render_test.c - user/summary_render.c prints the open-ended last
 * histogram slot as open-ended: "+Inf" in --json, ">4.8h" in the table,
 * never 2^35 us.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "json.h"
#include "states.h"
#include "summary.h"
#include "tap.h"

#define LAST (TCPSTATE_HIST_SLOTS - 1)

static struct ts_netns ns;
static struct tcpstate_errors errs;
static struct summary sum;

/* As summary_build() fills it, without a collector behind it. */
static void build(void)
{
	memset(&sum, 0, sizeof(sum));
	sum.inum = ns.inum = 4026531840u;
	sum.source = "module";
	sum.ns = &ns;
	sum.errors = &errs;
	sum.nr_rows = nr_live_states;
	for (size_t i = 0; i < nr_live_states; i++) {
		const __u64 *d = ns.st.duration[live_states[i]];
		struct summary_row *r = &sum.rows[i];

		r->state = live_states[i];
		r->count = ns.st.live[r->state];
		r->rate = -1;
		r->samples = hist_count(d);
		r->p50_us = hist_quantile_us(d, 0.50);
		r->p90_us = hist_quantile_us(d, 0.90);
		r->p99_us = hist_quantile_us(d, 0.99);
		r->max_us = hist_max_us(d);
		sum.total += r->count;
	}
}

static char *render_json(void)
{
	struct json j;
	size_t len;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	json_init(&j, f);
	summary_render_json(&j, &sum);
	fclose(f);
	return buf;
}

static char *render_text(void)
{
	size_t len;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	summary_render_text(f, &sum, 0, false);
	fclose(f);
	return buf;
}

static void reset(void)
{
	memset(&ns, 0, sizeof(ns));
	memset(&errs, 0, sizeof(errs));
}

TEST(json_last_bucket_is_infinite)
{
	char *out;

	reset();
	ns.st.live[TCPSTATE_ST_TIME_WAIT] = 3;
	ns.st.duration[TCPSTATE_ST_TIME_WAIT][LAST] = 3;
	ns.st.duration[TCPSTATE_ST_ESTABLISHED][10] = 2;
	ns.st.lifetime[LAST] = 1;
	build();
	out = render_json();
	/* time_wait and lifetime: only the open-ended bucket. */
	EXPECT_STRSTR(out, "\"time_wait\":{\"count\":3,\"p50_us\":17179869184,"
		      "\"p90_us\":17179869184,\"p99_us\":17179869184,\"max_us\":\"+Inf\","
		      "\"buckets\":[{\"le_us\":\"+Inf\",\"count\":3}]}");
	EXPECT_STRSTR(out, "\"lifetime\":{\"count\":1,");
	EXPECT_STRSTR(out, "\"buckets\":[{\"le_us\":\"+Inf\",\"count\":1}]}");
	/* A bounded bucket keeps its number. */
	EXPECT_STRSTR(out, "\"max_us\":1024,\"buckets\":[{\"le_us\":1024,\"count\":2}]");
	/* 2^35 us, the old upper bound, appears nowhere. */
	EXPECT_TRUE(!strstr(out, "34359738368"));
	if (tap_failed())
		if (tap_failed())
		tap_diag("%s", out);
	free(out);
}

TEST(json_errors_name_every_error)
{
	char *out, key[64];

	reset();
	errs.count[TCPSTATE_ERR_TW_UNTRACKED] = 7;
	build();
	out = render_json();
	for (int e = 0; e < TCPSTATE_NERRORS; e++) {
		snprintf(key, sizeof(key), "\"%s\":%d", error_name(e),
			 e == TCPSTATE_ERR_TW_UNTRACKED ? 7 : 0);
		EXPECT_STRSTR(out, key);
	}
	free(out);
}

TEST(text_max_of_the_last_bucket)
{
	char *out;

	reset();
	ns.st.live[TCPSTATE_ST_CLOSE_WAIT] = 1;
	ns.st.duration[TCPSTATE_ST_CLOSE_WAIT][LAST] = 1;
	ns.st.duration[TCPSTATE_ST_ESTABLISHED][LAST - 1] = 1;
	build();
	out = render_text();
	/* CLOSE-WAIT: P50..P99 at the lower bound, MAX beyond it. */
	EXPECT_STRSTR(out, "4.8h  >4.8h");
	/* ESTAB: the bounded bucket below, [2^33, 2^34) us, ends at 4.8h. */
	EXPECT_STRSTR(out, "3.6h  4.5h  4.7h   4.8h\n");
	EXPECT_TRUE(!strstr(out, "9.5h"));	/* 2^35 us */
	if (tap_failed())
		tap_diag("%s", out);
	free(out);
}
