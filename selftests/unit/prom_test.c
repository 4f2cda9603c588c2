// SPDX-License-Identifier: GPL-2.0
/*
 * prom_test.c - user/model_prom.c and user/prom_render.c: cumulative
 * buckets in seconds ending in +Inf, _sum estimated and _count, HELP and
 * TYPE once per family, label values escaped, the series caps counted,
 * write errors returned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model_prom.h"
#include "prom.h"
#include "states.h"
#include "tap.h"

#define NS0	4026531840u

static struct ts_netns nss[4];
static struct ts_snapshot snap;

static void setup(size_t nr)
{
	memset(nss, 0, sizeof(nss));
	memset(&snap, 0, sizeof(snap));
	snap.source = "module";
	snap.netns = nss;
	snap.nr_netns = nr;
	for (size_t i = 0; i < nr; i++)
		nss[i].inum = NS0 + (__u32)i;
}

static char *render(const struct prom_opts *o, int *ret)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	*ret = prom_render(f, &snap, o);
	fclose(f);
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

TEST(buckets_are_cumulative_in_seconds_and_end_in_inf)
{
	struct prom_model m;

	setup(1);
	nss[0].st.duration[TCPSTATE_ST_TIME_WAIT][0] = 1;	/* 0 us */
	nss[0].st.duration[TCPSTATE_ST_TIME_WAIT][3] = 2;	/* [4, 8) us */
	nss[0].st.duration[TCPSTATE_ST_TIME_WAIT][TCPSTATE_HIST_SLOTS - 1] = 4;
	ASSERT_EQ(prom_model_build(&m, &snap, NULL), 0);
	EXPECT_STREQ(m.le[0], "0.000001");
	EXPECT_STREQ(m.le[3], "0.000008");
	EXPECT_STREQ(m.le[20], "1.048576");
	EXPECT_STREQ(m.le[PROM_NR_LE - 1], "17179.869184");
	for (size_t i = 0; i < m.netns[0].nr_states; i++) {
		const struct prom_hist *h = &m.netns[0].states[i].duration;

		if (strcmp(m.netns[0].states[i].name, "time_wait"))
			continue;
		EXPECT_UEQ(h->cum[0], 1);
		EXPECT_UEQ(h->cum[2], 1);
		EXPECT_UEQ(h->cum[3], 3);
		EXPECT_UEQ(h->cum[PROM_NR_LE - 1], 3);
		EXPECT_UEQ(h->count, 7);
		/* 0 + 2 * 6 us + 4 * 2^34 us */
		EXPECT_TRUE(h->sum_s > 68719.476747 && h->sum_s < 68719.476749);
	}
	prom_model_free(&m);
}

TEST(histogram_lines_as_prometheus_reads_them)
{
	char *out;
	int ret;

	setup(1);
	nss[0].st.lifetime[1] = 5;	/* [1, 2) us */
	nss[0].st.lifetime[2] = 1;	/* [2, 4) us; _sum 5 * 1.5 + 3 us */
	out = render(NULL, &ret);
	EXPECT_EQ(ret, 0);
	EXPECT_STRSTR(out, "# TYPE tcpstate_connection_duration_seconds histogram\n");
	EXPECT_STRSTR(out, "tcpstate_connection_duration_seconds_bucket{netns=\"4026531840\",le=\"0.000001\"} 0\n");
	EXPECT_STRSTR(out, "tcpstate_connection_duration_seconds_bucket{netns=\"4026531840\",le=\"0.000002\"} 5\n");
	EXPECT_STRSTR(out, "tcpstate_connection_duration_seconds_bucket{netns=\"4026531840\",le=\"0.000004\"} 6\n");
	EXPECT_STRSTR(out, "tcpstate_connection_duration_seconds_bucket{netns=\"4026531840\",le=\"+Inf\"} 6\n");
	EXPECT_STRSTR(out, "tcpstate_connection_duration_seconds_sum{netns=\"4026531840\"} 1.05e-05\n");
	EXPECT_STRSTR(out, "tcpstate_connection_duration_seconds_count{netns=\"4026531840\"} 6\n");
	EXPECT_UEQ(count(out, "tcpstate_connection_duration_seconds_bucket{"), TCPSTATE_HIST_SLOTS);
	/* No state was left: no duration series (metrics.rst). */
	EXPECT_UEQ(count(out, "tcpstate_state_duration_seconds"), 0);
	free(out);
}

TEST(a_duration_series_for_each_state_left_and_none_for_the_others)
{
	char *out;
	int ret;

	setup(1);
	nss[0].st.duration[TCPSTATE_ST_TIME_WAIT][5] = 1;
	nss[0].st.duration[TCPSTATE_ST_SYN_SENT][0] = 3;	/* 0 us counts too */
	out = render(NULL, &ret);
	EXPECT_EQ(ret, 0);
	EXPECT_UEQ(count(out, "tcpstate_state_duration_seconds_bucket{netns=\"4026531840\",state=\"time_wait\","),
		   TCPSTATE_HIST_SLOTS);
	EXPECT_UEQ(count(out, "tcpstate_state_duration_seconds_bucket{netns=\"4026531840\",state=\"syn_sent\","),
		   TCPSTATE_HIST_SLOTS);
	EXPECT_STRSTR(out, "tcpstate_state_duration_seconds_count{netns=\"4026531840\",state=\"syn_sent\"} 3\n");
	EXPECT_UEQ(count(out, "tcpstate_state_duration_seconds_bucket{"), 2 * TCPSTATE_HIST_SLOTS);
	EXPECT_UEQ(count(out, "tcpstate_state_duration_seconds_count{"), 2);
	free(out);
}

TEST(help_and_type_once_per_family_and_no_timestamps)
{
	const char *families[] = {
		"tcpstate_sockets gauge", "tcpstate_transitions_total counter",
		"tcpstate_state_duration_seconds histogram",
		"tcpstate_connection_duration_seconds histogram",
		"tcpstate_collector_errors_total counter",
		"tcpstate_events_missed_total counter",
		"tcpstate_kernel_check_drifts_total counter",
		"tcpstate_kernel_check_repairs_total counter",
		"tcpstate_kernel_sockets gauge", "tcpstate_limit_local_ports gauge",
		"tcpstate_limit_max_tw_buckets gauge",
		"tcpstate_limit_fin_timeout_seconds gauge",
		"tcpstate_export_netns_dropped gauge",
		"tcpstate_export_transitions_dropped gauge",
		"tcpstate_build_info gauge",
	};
	char *out, *line, *save;
	char name[128];
	int ret;

	setup(3);
	for (int i = 0; i < 3; i++) {
		nss[i].st.live[TCPSTATE_ST_ESTABLISHED] = 2 + i;
		nss[i].st.transitions[TCPSTATE_ST_SYN_SENT][TCPSTATE_ST_ESTABLISHED] = 9;
		nss[i].st.duration[TCPSTATE_ST_SYN_SENT][3] = 9;
		nss[i].check.done = true;
		nss[i].limits.known = true;
		nss[i].limits.port_range_lo = 32768;
		nss[i].limits.port_range_hi = 60999;
	}
	out = render(NULL, &ret);
	EXPECT_EQ(ret, 0);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		char type[160];

		snprintf(type, sizeof(type), "# TYPE %s\n", families[i]);
		EXPECT_UEQ(count(out, type), 1);
		snprintf(name, sizeof(name), "%s", families[i]);
		*strchr(name, ' ') = '\0';
		snprintf(type, sizeof(type), "# HELP %s ", name);
		EXPECT_UEQ(count(out, type), 1);
	}
	EXPECT_STRSTR(out, "tcpstate_limit_local_ports{netns=\"4026531841\"} 28232\n");
	EXPECT_STRSTR(out, "tcpstate_sockets{netns=\"4026531842\",state=\"established\"} 4\n");
	/* Every sample line: name{labels} value, nothing after the value. */
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *v;

		if (line[0] == '#')
			continue;
		v = strrchr(line, ' ');
		ASSERT_TRUE(v != NULL);
		EXPECT_TRUE(strchr(line, ' ') == v || strchr(line, '}') < v);
	}
	free(out);
}

TEST(label_values_are_escaped)
{
	struct prom_opts o = { .version = "a\\b\"c\nd" };
	char *out;
	int ret;

	setup(0);
	snap.source = "x\"y";
	out = render(&o, &ret);
	EXPECT_EQ(ret, 0);
	EXPECT_STRSTR(out, "tcpstate_build_info{version=\"a\\\\b\\\"c\\nd\",source=\"x\\\"y\"} 1\n");
	free(out);
}

TEST(empty_families_are_left_out)
{
	char *out;
	int ret;

	setup(0);
	out = render(NULL, &ret);
	EXPECT_EQ(ret, 0);
	EXPECT_TRUE(strstr(out, "tcpstate_sockets") == NULL);
	EXPECT_TRUE(strstr(out, "tcpstate_kernel_sockets") == NULL);
	EXPECT_STRSTR(out, "tcpstate_collector_errors_total{error=\"netns_full\"} 0\n");
	EXPECT_STRSTR(out, "tcpstate_events_missed_total 0\n");
	free(out);
}

TEST(caps_bound_the_series_and_count_the_rest)
{
	struct prom_opts o = { .max_netns = 2, .max_transitions = 3 };
	struct prom_model m;
	char *out;
	int ret;

	setup(4);
	for (int i = 0; i < 4; i++) {
		nss[i].st.transitions[TCPSTATE_ST_CLOSE][TCPSTATE_ST_SYN_SENT] = 1;
		nss[i].st.transitions[TCPSTATE_ST_SYN_SENT][TCPSTATE_ST_ESTABLISHED] = 1;
	}
	ASSERT_EQ(prom_model_build(&m, &snap, &o), 0);
	EXPECT_UEQ(m.nr_netns, 2);
	EXPECT_UEQ(m.netns_dropped, 2);
	/* Of the two namespaces kept: 4 transition series, 3 kept. */
	EXPECT_UEQ(m.nr_transitions, 3);
	EXPECT_UEQ(m.transitions_dropped, 1);
	prom_model_free(&m);

	out = render(&o, &ret);
	EXPECT_EQ(ret, 0);
	EXPECT_STRSTR(out, "tcpstate_export_netns_dropped 2\n");
	EXPECT_STRSTR(out, "tcpstate_export_transitions_dropped 1\n");
	EXPECT_UEQ(count(out, "tcpstate_transitions_total{"), 3);
	EXPECT_TRUE(strstr(out, "netns=\"4026531842\"") == NULL);
	free(out);
}

TEST(defaults_cap_at_256_namespaces)
{
	static struct ts_netns many[300];
	struct prom_model m;

	memset(&snap, 0, sizeof(snap));
	for (int i = 0; i < 300; i++)
		many[i].inum = NS0 + (__u32)i;
	snap.netns = many;
	snap.nr_netns = 300;
	ASSERT_EQ(prom_model_build(&m, &snap, NULL), 0);
	EXPECT_UEQ(m.nr_netns, PROM_MAX_NETNS_DEFAULT);
	EXPECT_UEQ(m.netns_dropped, 300 - PROM_MAX_NETNS_DEFAULT);
	EXPECT_STREQ(m.netns[0].netns, "4026531840");
	prom_model_free(&m);
}

TEST(write_errors_are_returned)
{
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		SKIP("no /dev/full");
	setup(2);
	EXPECT_EQ(prom_render(f, &snap, NULL), -ENOSPC);
	fclose(f);
}
