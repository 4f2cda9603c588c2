// SPDX-License-Identifier: GPL-2.0
/*
 * proc_parse_test.c - tcpstate_proc_parse() (user/proc_parse.c) on the
 * file module/proc.c writes (proc_file.c builds it from include/tcpstate.h)
 * and on every way of breaking it: each must fail with a message that
 * names the line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proc_parse.h"
#include "proc_file.h"
#include "states.h"
#include "tap.h"

#define PATH	"/proc/net/tcpstate"
#define INUM	4026531840u

static struct tcpstate_stats ref;
static struct tcpstate_errors ref_errs;
/* The Check table's values, distinct, negative ones included. */
static const __s64 ref_check[TCPSTATE_CHECK_NCOLS] = {
	[TCPSTATE_CHECK_SOCKETS] = 45,
	[TCPSTATE_CHECK_KERNEL_SOCKETS] = 40,
	[TCPSTATE_CHECK_TIMEWAIT] = 9,
	[TCPSTATE_CHECK_KERNEL_TIMEWAIT] = 11,
	[TCPSTATE_CHECK_VERDICT] = TCPSTATE_DRIFT_PENDING,
	[TCPSTATE_CHECK_DRIFTS] = 4,
	[TCPSTATE_CHECK_LAST_SOCKETS] = -5,
	[TCPSTATE_CHECK_LAST_TIMEWAIT] = 6,
	[TCPSTATE_CHECK_REPAIRS] = 3,
	[TCPSTATE_CHECK_GENERATION] = 7,
};
static struct ts_netns out;
static struct tcpstate_errors out_errs;
static char msg[512];

/* Distinct values in every field the file carries, extremes included. */
static void fill_reference(void)
{
	memset(&ref, 0, sizeof(ref));
	memset(&ref_errs, 0, sizeof(ref_errs));
	for (int s = 0; s < TCPSTATE_NSTATES; s++) {
		if (!state_name(s))
			continue;
		if (TCPSTATE_IS_LIVE(s)) {
			ref.live[s] = 1000 + s;
			for (int j = 0; j < TCPSTATE_HIST_SLOTS; j++)
				ref.duration[s][j] = s * 1000 + j;
		}
		for (int t = 0; t < TCPSTATE_NSTATES; t++)
			if (state_name(t))
				ref.transitions[s][t] = s * 100 + t + 1;
	}
	ref.live[TCPSTATE_ST_CLOSING] = -7;	/* a collector fault, kept */
	ref.live[TCPSTATE_ST_LISTEN] = INT64_MIN;
	ref.live[TCPSTATE_ST_ESTABLISHED] = INT64_MAX;
	ref.transitions[TCPSTATE_ST_ESTABLISHED][TCPSTATE_ST_FIN_WAIT1] = UINT64_MAX;
	for (int j = 0; j < TCPSTATE_HIST_SLOTS; j++)
		ref.lifetime[j] = 5000000000ULL + j;
	for (int e = 0; e < TCPSTATE_NERRORS; e++)
		ref_errs.count[e] = 10 + e;
	/* The reader takes the timewait part of live[] from the Check table. */
	ref.timewait[0] = ref_check[TCPSTATE_CHECK_TIMEWAIT];
}

static void build(struct proc_file *f)
{
	fill_reference();
	pf_build(f, INUM, &ref, ref_check, &ref_errs);
}

static int parse_buf(const char *buf, size_t len)
{
	FILE *f;
	int err;

	memset(&out, 0, sizeof(out));
	memset(&out_errs, 0, sizeof(out_errs));
	f = len ? fmemopen((void *)buf, len, "r") : fopen("/dev/null", "re");
	if (!f)
		abort();
	err = tcpstate_proc_parse(f, PATH, &out, &out_errs, msg, sizeof(msg));
	fclose(f);
	return err;
}

static int parse_file(const struct proc_file *f)
{
	size_t len;
	char *text = pf_render(f, &len);
	int err = parse_buf(text, len);

	free(text);
	return err;
}

static int parses_to_reference(void)
{
	return out.inum == INUM && !memcmp(&out.st, &ref, sizeof(ref)) &&
	       !memcmp(&out_errs, &ref_errs, sizeof(ref_errs));
}

/* "<PATH>: line N: " */
static const char *at_line(int n)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), PATH ": line %d: ", n);
	return buf;
}

/* msg starts with at_line(n) and contains what. */
static void expect_msg(const char *file, int line, int n, const char *what)
{
	if (strncmp(msg, at_line(n), strlen(at_line(n))) || !strstr(msg, what))
		tap_fail(file, line, "expected \"%s...%s...\", got \"%s\"", at_line(n),
			 what, msg);
}
#define EXPECT_MSG(n, what)	expect_msg(__FILE__, __LINE__, n, what)

#define LAYOUT_START "tcpstate 1\nNetns: inum\nNetns: 4026531840\nLive: established syn_sent "

TEST(a_valid_file_as_the_module_writes_it)
{
	struct proc_file f;
	size_t len;
	char *text;

	build(&f);
	text = pf_render(&f, &len);
	/* The generator follows module/proc.c's literal layout. */
	EXPECT_TRUE(!strncmp(text, LAYOUT_START, strlen(LAYOUT_START)));
	EXPECT_STRSTR(text, "\nDuration_time_wait: s0 s1 s2 ");
	EXPECT_STRSTR(text, "\nLifetime: s0 ");
	EXPECT_STRSTR(text, " established-fin_wait1 ");
	EXPECT_STRSTR(text, "\nCollector: records records_max\nCollector: 12 65536\n");
	ASSERT_EQ(parse_buf(text, len), 0);
	EXPECT_STREQ(msg, "");
	EXPECT_TRUE(parses_to_reference());
	/* A few fields by hand, not through the generator's own tables. */
	EXPECT_UEQ(out.inum, INUM);
	EXPECT_EQ(out.st.live[TCPSTATE_ST_CLOSING], -7);
	EXPECT_EQ(out.st.live[TCPSTATE_ST_LISTEN], INT64_MIN);
	EXPECT_EQ(out.st.live[TCPSTATE_ST_SYN_SENT], 1002);
	EXPECT_UEQ(out.st.transitions[TCPSTATE_ST_ESTABLISHED][TCPSTATE_ST_FIN_WAIT1],
		   UINT64_MAX);
	EXPECT_UEQ(out.st.transitions[TCPSTATE_ST_CLOSE][TCPSTATE_ST_SYN_SENT], 703);
	EXPECT_UEQ(out.st.duration[TCPSTATE_ST_TIME_WAIT][TCPSTATE_HIST_SLOTS - 1],
		   6000 + TCPSTATE_HIST_SLOTS - 1);
	EXPECT_UEQ(out.st.lifetime[0], 5000000000ULL);
	EXPECT_UEQ(out_errs.count[TCPSTATE_ERR_TW_UNTRACKED], 10 + TCPSTATE_ERR_TW_UNTRACKED);
	EXPECT_EQ(out.st.live[TCPSTATE_ST_NEW_SYN_RECV], 0);
	/* The Check table, right after Live, into ns.check. */
	EXPECT_STRSTR(text, "\nCheck: sockets kernel_sockets timewait kernel_timewait "
		      "verdict drifts last_drift_sockets last_drift_timewait repairs "
		      "generation\nCheck: 45 40 9 11 2 4 -5 6 3 7\nTransitions: ");
	EXPECT_TRUE(out.check.done);
	EXPECT_TRUE(!out.check.repaired);
	EXPECT_EQ(out.check.full, 45);
	EXPECT_EQ(out.check.kern_full, 40);
	EXPECT_EQ(out.check.tw, 9);
	EXPECT_EQ(out.check.kern_tw, 11);
	EXPECT_EQ(out.check.verdict, TCPSTATE_DRIFT_PENDING);
	EXPECT_UEQ(out.check.drifts, 4);
	EXPECT_EQ(out.check.last_full, -5);
	EXPECT_EQ(out.check.last_tw, 6);
	EXPECT_UEQ(out.check.repairs, 3);
	EXPECT_UEQ(out.check.generation, 7);
	EXPECT_EQ(out.st.timewait[0], 9);
	free(text);
	pf_free(&f);
}

TEST(the_check_table_is_optional)
{
	struct proc_file f;

	/* An older module writes none: read, with no check done. */
	fill_reference();
	ref.timewait[0] = 0;
	pf_build(&f, INUM, &ref, NULL, &ref_errs);
	EXPECT_EQ(pf_find(&f, TCPSTATE_PROC_CHECK), -1);
	ASSERT_EQ(parse_file(&f), 0);
	EXPECT_STREQ(msg, "");
	EXPECT_TRUE(!out.check.done);
	EXPECT_UEQ(out.check.repairs, 0);
	EXPECT_TRUE(!memcmp(&out.st, &ref, sizeof(ref)));
	pf_free(&f);

	/* A Check table with a column this reader lacks, and one missing. */
	build(&f);
	pf_add_col(&f.t[pf_find(&f, TCPSTATE_PROC_CHECK)], "future", "x");
	EXPECT_EQ(pf_rename(&f, TCPSTATE_PROC_CHECK, "repairs", "recounts"), 0);
	ASSERT_EQ(parse_file(&f), 0);
	EXPECT_TRUE(out.check.done);
	EXPECT_UEQ(out.check.repairs, 0);
	EXPECT_UEQ(out.check.drifts, 4);
	pf_free(&f);
}

TEST(a_failure_leaves_the_outputs_as_they_were)
{
	static const char bad[] = "tcpstate 1\nNetns: inum\nNetns: x\n";
	struct ts_netns ns, ns0;
	struct tcpstate_errors e, e0;
	FILE *f = fmemopen((void *)bad, sizeof(bad) - 1, "r");

	ASSERT_TRUE(f != NULL);
	memset(&ns, 0xa5, sizeof(ns));
	memset(&e, 0x5a, sizeof(e));
	ns0 = ns;
	e0 = e;
	EXPECT_EQ(tcpstate_proc_parse(f, PATH, &ns, &e, NULL, 0), -EBADMSG);
	EXPECT_TRUE(!memcmp(&ns, &ns0, sizeof(ns)) && !memcmp(&e, &e0, sizeof(e)));
	fclose(f);
}

TEST(unknown_tables_and_columns_are_skipped)
{
	struct proc_file f;
	struct pf_table *t;

	build(&f);
	t = pf_insert(&f, 1, "Future");		/* between Netns and Live */
	pf_add_col(t, "a", "1");
	pf_add_col(t, "b", "not-a-number");
	pf_duplicate(&f, 1);			/* unknown: twice is fine */
	t = pf_insert(&f, f.n, "Duration_close");	/* not a live state */
	pf_add_col(t, "s0", "1");
	t = pf_insert(&f, f.n, "Duration_bogus");
	pf_add_col(t, "s0", "1");
	t = pf_insert(&f, f.n, TCPSTATE_PROC_PROBE_COST);
	pf_add_col(t, "set_state_runs", "5");
	pf_add_col(t, "set_state_ns", "500");
	t = pf_insert(&f, f.n, "Empty");
	t = &f.t[pf_find(&f, "Netns")];
	pf_add_col(t, "cookie", "x");
	t = &f.t[pf_find(&f, "Live")];
	pf_add_col(t, "bogus", "5");
	pf_add_col(t, "bogus", "x");		/* an unknown column twice */
	pf_add_col(t, "close", "3");		/* a state, but not a live one */
	pf_add_col(t, "new_state", "-3");
	t = &f.t[pf_find(&f, "Transitions")];
	pf_add_col(t, "foo-bar", "1");
	pf_add_col(t, "established-bogus", "2");
	pf_add_col(t, "nodash", "3");
	pf_add_col(t, "established-", "x");
	pf_add_col(t, "-established", "x");
	t = &f.t[pf_find(&f, "Duration_established")];
	pf_add_col(t, "s36", "9");
	pf_add_col(t, "s07", "9");
	pf_add_col(t, "s", "9");
	pf_add_col(t, "s-1", "9");
	pf_add_col(t, "s+1", "9");
	pf_add_col(t, "x", "9");
	t = &f.t[pf_find(&f, "Lifetime")];
	pf_add_col(t, "s99999999999999999999", "1");
	t = &f.t[pf_find(&f, "Errors")];
	pf_add_col(t, "new_error", "1");
	t = &f.t[pf_find(&f, "Collector")];
	pf_add_col(t, "extra", "x");
	ASSERT_EQ(parse_file(&f), 0);
	EXPECT_STREQ(msg, "");
	EXPECT_TRUE(parses_to_reference());
	pf_free(&f);
}

TEST(missing_known_columns_read_as_zero)
{
	struct proc_file f;
	struct pf_table *t;

	build(&f);
	t = &f.t[pf_find(&f, "Live")];
	t->n--;					/* the last live state */
	free(t->cols[t->n]);
	free(t->vals[t->n]);
	ASSERT_EQ(parse_file(&f), 0);
	EXPECT_EQ(out.st.live[live_states[nr_live_states - 1]], 0);
	EXPECT_EQ(out.st.live[TCPSTATE_ST_SYN_SENT], 1002);
	pf_free(&f);
}

TEST(a_file_cut_at_every_line_boundary_is_an_error)
{
	struct proc_file f;
	size_t len, off;
	int lines = 0, bad = 0;
	char *text;

	build(&f);
	text = pf_render(&f, &len);
	for (off = 0; off <= len; off++) {
		int err, line = lines + 1;

		if (off && text[off - 1] != '\n')
			continue;
		err = parse_buf(text, off);
		if (off == len) {
			EXPECT_EQ(err, 0);
			break;
		}
		lines++;
		if (err == -EBADMSG && !strncmp(msg, at_line(line), strlen(at_line(line))) &&
		    (strstr(msg, "end of file") || strstr(msg, "an empty file")))
			continue;
		if (bad++ < 3) {
			tap_fail(__FILE__, __LINE__, "cut after %d lines: %d", lines - 1, err);
			tap_diag("message: %s", msg);
		}
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(lines, 1 + 2 * f.n);
	free(text);
	pf_free(&f);
}

TEST(a_file_cut_mid_line_is_an_error)
{
	struct proc_file f;
	int line = 1, bad = 0, cuts = 0;
	size_t len, off;
	char *text, want[160];

	build(&f);
	text = pf_render(&f, &len);
	for (off = 1; off < len; off++) {
		if (text[off - 1] == '\n') {
			line++;
			continue;
		}
		cuts++;
		snprintf(want, sizeof(want), "%sno newline at the end (file cut short?)",
			 at_line(line));
		if (parse_buf(text, off) == -EBADMSG && !strcmp(msg, want))
			continue;
		if (bad++ < 3) {
			tap_fail(__FILE__, __LINE__, "cut at byte %zu (line %d)", off, line);
			tap_diag("message: %s", msg);
		}
	}
	EXPECT_EQ(bad, 0);
	EXPECT_TRUE(cuts > 1000);
	free(text);
	pf_free(&f);
}

TEST(an_unknown_version_is_eproto)
{
	static const char *const versions[] = {
		"2", "0", "100", "18446744073709551616", "99999999999999999999999999",
	};
	struct proc_file f;

	build(&f);
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		free(f.first);
		if (asprintf(&f.first, "tcpstate %s", versions[i]) < 0)
			abort();
		EXPECT_EQ(parse_file(&f), -EPROTO);
		EXPECT_MSG(1, "unknown version");
		EXPECT_STRSTR(msg, "this tcpstate reads version 1");
	}
	pf_free(&f);
}

TEST(a_bad_first_line_is_an_error)
{
	static const char *const firsts[] = {
		"", "tcpstat 1", "tcpstate", "tcpstate ", "tcpstate x", "tcpstate 1 ",
		"tcpstate  1", "tcpstate -1", "tcpstate +1", "TCPSTATE 1", "tcpstate\t1",
		"tcpstate 1x", "Netns: inum",
	};
	struct proc_file f;

	build(&f);
	for (size_t i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
		free(f.first);
		f.first = strdup(firsts[i]);
		EXPECT_EQ(parse_file(&f), -EBADMSG);
		EXPECT_MSG(1, "expected \"tcpstate <version>\"");
	}
	EXPECT_EQ(parse_buf("", 0), -EBADMSG);
	EXPECT_MSG(1, "an empty file");
	pf_free(&f);
}

TEST(every_known_table_is_required)
{
	struct proc_file f;
	char want[64];

	build(&f);
	for (int at = 0; at < f.n; at++) {
		struct proc_file g;
		char *name;

		build(&g);
		name = strdup(g.t[at].name);
		pf_remove(&g, at);
		if (!strcmp(name, TCPSTATE_PROC_CHECK)) {
			/* The one optional table (the_check_table_is_optional). */
			EXPECT_EQ(parse_file(&g), 0);
			EXPECT_TRUE(!out.check.done);
			free(name);
			pf_free(&g);
			continue;
		}
		EXPECT_EQ(parse_file(&g), -EBADMSG);
		snprintf(want, sizeof(want), "end of file, but no %s table", name);
		EXPECT_MSG(2 + 2 * g.n, want);
		free(name);
		pf_free(&g);
	}
	pf_free(&f);
}

TEST(missing_netns_or_live_table)
{
	struct proc_file f;

	build(&f);
	pf_remove(&f, pf_find(&f, "Netns"));
	EXPECT_EQ(parse_file(&f), -EBADMSG);
	EXPECT_MSG(2 + 2 * f.n, "end of file, but no Netns table");
	pf_free(&f);

	build(&f);
	pf_remove(&f, pf_find(&f, "Live"));
	EXPECT_EQ(parse_file(&f), -EBADMSG);
	EXPECT_MSG(2 + 2 * f.n, "end of file, but no Live table");
	pf_free(&f);

	build(&f);
	EXPECT_EQ(pf_rename(&f, "Netns", "inum", "inode"), 0);
	EXPECT_EQ(parse_file(&f), -EBADMSG);
	EXPECT_MSG(2, "table Netns has no inum column");
	pf_free(&f);
}

/* Sets table's column col to val and expects -EBADMSG naming the values line. */
static void expect_bad_value(const char *table, const char *col, const char *val,
			     const char *what)
{
	struct proc_file f;
	char want[256];

	build(&f);
	if (pf_set(&f, table, col, val)) {
		tap_fail(__FILE__, __LINE__, "no column %s in table %s", col, table);
		pf_free(&f);
		return;
	}
	EXPECT_EQ(parse_file(&f), -EBADMSG);
	snprintf(want, sizeof(want), "table %s, column %s: ", table, col);
	EXPECT_MSG(pf_values_line(pf_find(&f, table)), want);
	EXPECT_MSG(pf_values_line(pf_find(&f, table)), what);
	pf_free(&f);
}

/* A known column of every known table, and whether its value is signed. */
static const struct {
	const char *table, *col;
} known[] = {
	{ "Netns", "inum" },
	{ "Live", "established" },
	{ "Live", "closing" },
	{ "Check", "sockets" },
	{ "Check", "generation" },
	{ "Transitions", "established-fin_wait1" },
	{ "Transitions", "bound_inactive-bound_inactive" },
	{ "Duration_established", "s0" },
	{ "Duration_closing", "s35" },
	{ "Lifetime", "s17" },
	{ "Errors", "netns_full" },
	{ "Errors", "bad_state" },
	{ "Collector", "records" },
	{ "Collector", "records_max" },
};
#define NR_KNOWN (sizeof(known) / sizeof(known[0]))

TEST(non_numeric_values)
{
	static const char *const vals[] = {
		"abc", "1x", "x1", "0x10", "+5", "1.5", "1e3", "--1", "-", "1-", "½",
	};
	char what[64];

	for (size_t k = 0; k < NR_KNOWN; k++)
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			snprintf(what, sizeof(what), "\"%s\" is not a number", vals[v]);
			expect_bad_value(known[k].table, known[k].col, vals[v], what);
		}
}

TEST(out_of_range_values)
{
	/* Namespace inode numbers are 32 bits, and never 0. */
	expect_bad_value("Netns", "inum", "0", "0 is out of range (1-4294967295)");
	expect_bad_value("Netns", "inum", "4294967296", "out of range (1-4294967295)");
	expect_bad_value("Netns", "inum", "99999999999999999999", "out of range");
	expect_bad_value("Netns", "inum", "-1", "-1 is negative");
	/* Live counts are signed 64 bits. */
	expect_bad_value("Live", "established", "9223372036854775808", "out of range");
	expect_bad_value("Live", "closing", "-9223372036854775809", "out of range");
	/* So are the Check table's values. */
	expect_bad_value("Check", "sockets", "9223372036854775808", "out of range");
	expect_bad_value("Check", "last_drift_timewait", "-9223372036854775809",
			 "out of range");
	/* Everything else is a count: unsigned 64 bits. */
	for (size_t k = 0; k < NR_KNOWN; k++) {
		if (!strcmp(known[k].table, "Live") || !strcmp(known[k].table, "Netns") ||
		    !strcmp(known[k].table, "Check"))
			continue;
		expect_bad_value(known[k].table, known[k].col, "18446744073709551616",
				 "18446744073709551616 is out of range");
		expect_bad_value(known[k].table, known[k].col, "-1",
				 "-1 is negative, a count cannot be");
		expect_bad_value(known[k].table, known[k].col, "-0", "is negative");
	}
}

TEST(values_at_the_edges_of_their_range)
{
	struct proc_file f;

	build(&f);
	pf_set(&f, "Netns", "inum", "4294967295");
	pf_set(&f, "Live", "syn_sent", "-9223372036854775808");
	pf_set(&f, "Live", "syn_recv", "-1");
	pf_set(&f, "Lifetime", "s3", "18446744073709551615");
	pf_set(&f, "Errors", "netns_full", "0");
	pf_set(&f, "Transitions", "close-syn_sent", "007");
	ASSERT_EQ(parse_file(&f), 0);
	EXPECT_UEQ(out.inum, 4294967295u);
	EXPECT_EQ(out.st.live[TCPSTATE_ST_SYN_SENT], INT64_MIN);
	EXPECT_EQ(out.st.live[TCPSTATE_ST_SYN_RECV], -1);
	EXPECT_UEQ(out.st.lifetime[3], UINT64_MAX);
	EXPECT_UEQ(out_errs.count[TCPSTATE_ERR_NETNS_FULL], 0);
	EXPECT_UEQ(out.st.transitions[TCPSTATE_ST_CLOSE][TCPSTATE_ST_SYN_SENT], 7);
	pf_free(&f);
}

/* The rendered file with line n replaced by raw (insert: raw before line n). */
static int parse_spliced(int n, const char *raw, size_t rawlen, int insert)
{
	struct proc_file f;
	size_t len, olen;
	char *text, *spliced;
	int err;

	build(&f);
	text = pf_render(&f, &len);
	spliced = pf_splice(text, len, n, raw, rawlen, insert, &olen);
	err = parse_buf(spliced, olen);
	free(spliced);
	free(text);
	pf_free(&f);
	return err;
}

#define S(lit) lit, sizeof(lit) - 1

TEST(malformed_lines)
{
	int live = pf_names_line(1);	/* Netns is table 0, Live table 1 */

	EXPECT_EQ(parse_spliced(live, S("Live established syn_sent\n"), 0), -EBADMSG);
	EXPECT_MSG(live, "expected \"<Table>: <columns>\", found \"Live established");
	EXPECT_EQ(parse_spliced(live, S("\n"), 1), -EBADMSG);
	EXPECT_MSG(live, "an empty line");
	EXPECT_EQ(parse_spliced(live + 1, S("\n"), 1), -EBADMSG);
	EXPECT_MSG(live + 1, "an empty line");
	EXPECT_EQ(parse_spliced(live, S(" Live: established\n"), 0), -EBADMSG);
	EXPECT_MSG(live, "bad table name \" Live\"");
	EXPECT_EQ(parse_spliced(live, S(": established\n"), 0), -EBADMSG);
	EXPECT_MSG(live, "bad table name \"\"");
	EXPECT_EQ(parse_spliced(live, S("Li-ve: established\n"), 1), -EBADMSG);
	EXPECT_MSG(live, "bad table name \"Li-ve\"");
	/* The values row dropped: the next table's names stand in its place. */
	EXPECT_EQ(parse_spliced(live + 1, "", 0, 0), -EBADMSG);
	EXPECT_MSG(live + 1, "expected the values of table Live, found table Check");
	EXPECT_EQ(parse_spliced(live + 1, S("Netns: 1 2 3 4 5 6 7 8 9 10\n"), 0), -EBADMSG);
	EXPECT_MSG(live + 1, "expected the values of table Live, found table Netns");
	/* More or fewer values than names. */
	EXPECT_EQ(parse_spliced(live + 1, S("Live: 1 2 3 4 5 6 7 8 9 10 11\n"), 0), -EBADMSG);
	EXPECT_MSG(live + 1, "table Live has 10 columns but 11 values");
	EXPECT_EQ(parse_spliced(live + 1, S("Live: 1 2 3 4 5 6 7 8 9\n"), 0), -EBADMSG);
	EXPECT_MSG(live + 1, "table Live has 10 columns but 9 values");
	EXPECT_EQ(parse_spliced(live + 1, S("Live:\n"), 0), -EBADMSG);
	EXPECT_MSG(live + 1, "table Live has 10 columns but 0 values");
	/* The same in a table this reader does not know. */
	EXPECT_EQ(parse_spliced(live, S("Future: a b\nFuture: 1\n"), 1), -EBADMSG);
	EXPECT_MSG(live + 1, "table Future has 2 columns but 1 values");
	/* A NUL byte. */
	EXPECT_EQ(parse_spliced(live + 1, S("Live: 1 2 3\0 4 5 6 7 8 9 10\n"), 0), -EBADMSG);
	EXPECT_MSG(live + 1, "a NUL byte in the line");
	/* A names row at the end with no values. */
	{
		struct proc_file f;
		size_t len, olen;
		char *text, *s;

		build(&f);
		text = pf_render(&f, &len);
		s = pf_splice(text, len, 1 + 2 * f.n + 1, S("Future: a\n"), 1, &olen);
		EXPECT_EQ(parse_buf(s, olen), -EBADMSG);
		EXPECT_MSG(1 + 2 * f.n + 2, "end of file, but table Future has no row of values");
		free(s);
		free(text);
		pf_free(&f);
	}
}

TEST(overlong_lines)
{
	size_t n = TCPSTATE_PROC_LINE_MAX;
	char *raw = malloc(2 * n + 16);
	int at = pf_names_line(1);

	ASSERT_TRUE(raw != NULL);
	/* Exactly the limit: accepted (an unknown table with a long column). */
	memcpy(raw, "Huge: ", 6);
	memset(raw + 6, 'a', n - 6);
	memcpy(raw + n, "\nHuge: 1\n", 9);
	EXPECT_EQ(parse_spliced(at, raw, n + 9, 1), 0);
	EXPECT_STREQ(msg, "");
	/* One byte more, in a names row and in a values row. */
	memset(raw + 6, 'a', n - 5);
	memcpy(raw + n + 1, "\nHuge: 1\n", 9);
	EXPECT_EQ(parse_spliced(at, raw, n + 10, 1), -EBADMSG);
	EXPECT_MSG(at, "longer than 65536 bytes");
	memcpy(raw, "Huge: a\nHuge: ", 14);
	memset(raw + 14, '1', n);
	memcpy(raw + 14 + n, "\n", 1);
	EXPECT_EQ(parse_spliced(at, raw, n + 15, 1), -EBADMSG);
	EXPECT_MSG(at + 1, "longer than 65536 bytes");
	free(raw);
}

TEST(duplicate_tables_and_columns)
{
	static const char *const tables[] = {
		"Netns", "Live", "Check", "Transitions", "Duration_established",
		"Duration_closing",
		"Lifetime", "Errors", "Collector",
	};
	struct proc_file f;
	char want[128];

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int at;

		build(&f);
		at = pf_find(&f, tables[i]);
		pf_duplicate(&f, at);
		EXPECT_EQ(parse_file(&f), -EBADMSG);
		snprintf(want, sizeof(want), "table %s appears twice (first on line %d)",
			 tables[i], pf_names_line(at));
		EXPECT_MSG(pf_names_line(f.n - 1), want);
		pf_free(&f);
	}
	for (size_t k = 0; k < NR_KNOWN; k++) {
		int at;

		build(&f);
		at = pf_find(&f, known[k].table);
		pf_add_col(&f.t[at], known[k].col, "1");
		EXPECT_EQ(parse_file(&f), -EBADMSG);
		snprintf(want, sizeof(want), "table %s: column %s appears twice",
			 known[k].table, known[k].col);
		EXPECT_MSG(pf_names_line(at), want);
		pf_free(&f);
	}
}

TEST(a_message_names_the_path_and_the_line)
{
	struct proc_file f;
	char small[16];
	size_t len;
	char *text;
	FILE *in;

	build(&f);
	pf_set(&f, "Live", "established", "x");
	ASSERT_EQ(parse_file(&f), -EBADMSG);
	EXPECT_STREQ(msg, PATH ": line 5: table Live, column established: \"x\" is not a number");
	/* No message buffer, or a short one: the same error, no overrun. */
	text = pf_render(&f, &len);
	in = fmemopen(text, len, "r");
	ASSERT_TRUE(in != NULL);
	EXPECT_EQ(tcpstate_proc_parse(in, PATH, &out, &out_errs, NULL, 0), -EBADMSG);
	rewind(in);
	EXPECT_EQ(tcpstate_proc_parse(in, PATH, &out, &out_errs, small, sizeof(small)),
		  -EBADMSG);
	EXPECT_STREQ(small, "/proc/net/tcpst");
	fclose(in);
	free(text);
	pf_free(&f);
}

TEST(a_read_error_is_minus_errno)
{
	FILE *f = fopen(".", "r");	/* a directory: read() fails with EISDIR */
	int err;

	if (!f)
		SKIP("cannot open . to read: %s", strerror(errno));
	err = tcpstate_proc_parse(f, PATH, &out, &out_errs, msg, sizeof(msg));
	fclose(f);
	EXPECT_EQ(err, -EISDIR);
	EXPECT_MSG(1, strerror(EISDIR));
}
