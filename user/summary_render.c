// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * summary_render.c - prints a struct summary as a table or as JSON.
 * Nothing is computed here beyond formatting.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "hist.h"
#include "json.h"
#include "states.h"
#include "drift.h"
#include "summary.h"

#define NCOLS	8
#define CELL	24

enum align { LEFT, RIGHT };

struct column {
	const char *title;
	enum align align;
	int drop_order;		/* dropped first when the terminal is narrow: highest */
};

static const struct column columns[NCOLS] = {
	{ "STATE", LEFT, 0 },
	{ "COUNT", RIGHT, 0 },
	{ "SHARE", RIGHT, 3 },
	{ "ENTER/s", RIGHT, 4 },
	{ "P50", RIGHT, 1 },
	{ "P90", RIGHT, 6 },
	{ "P99", RIGHT, 5 },
	{ "MAX", RIGHT, 2 },
};

static void row_cells(const struct summary_row *r, char cells[NCOLS][CELL])
{
	const char *n = state_ss_name(r->state);
	bool d = r->samples > 0;

	snprintf(cells[0], CELL, "%s", n ? n : "?");
	snprintf(cells[1], CELL, "%" PRId64, (int64_t)r->count);
	snprintf(cells[2], CELL, "%.1f%%", r->share * 100.0);
	if (r->rate < 0)
		snprintf(cells[3], CELL, "-");
	else
		snprintf(cells[3], CELL, "%.1f", r->rate);
	hist_format_us(cells[4], CELL, r->p50_us, d);
	hist_format_us(cells[5], CELL, r->p90_us, d);
	hist_format_us(cells[6], CELL, r->p99_us, d);
	hist_format_us(cells[7], CELL, r->max_us, d);
}

static bool stands_out(const struct summary_row *r)
{
	return r->state == TCPSTATE_ST_TIME_WAIT || r->state == TCPSTATE_ST_CLOSE_WAIT;
}

/* The comparison with the kernel's own counters, when one was made. */
static void render_check(FILE *f, const struct ts_check *c)
{
	if (!c || !c->done)
		return;
	fprintf(f, "kernel check: sockets %" PRId64 "/%" PRId64 ", timewait %"
		PRId64 "/%" PRId64 " (tcpstate/sockstat), %s",
		(int64_t)c->full, (int64_t)c->kern_full, (int64_t)c->tw,
		(int64_t)c->kern_tw, drift_verdict_name(c->verdict));
	if (c->drifts || c->repairs)
		fprintf(f, "; %" PRIu64 " drifts (last: sockets %+" PRId64 ", timewait %+"
			PRId64 "), %" PRIu64 " re-counts", (uint64_t)c->drifts,
			(int64_t)c->last_full, (int64_t)c->last_tw, (uint64_t)c->repairs);
	if (c->repaired)
		fputs("; re-counted now", f);
	fputc('\n', f);
}

void summary_render_text(FILE *f, const struct summary *s, int width, bool color)
{
	char cells[TCPSTATE_NSTATES + 1][NCOLS][CELL];
	int w[NCOLS];
	bool shown[NCOLS];
	size_t nr = s->nr_rows;
	int total_w, drop;
	__u64 errs = 0;

	for (size_t i = 0; i < nr; i++)
		row_cells(&s->rows[i], cells[i]);
	snprintf(cells[nr][0], CELL, "TOTAL");
	snprintf(cells[nr][1], CELL, "%" PRId64, (int64_t)s->total);
	snprintf(cells[nr][2], CELL, "100.0%%");
	for (int c = 3; c < NCOLS; c++)
		cells[nr][c][0] = '\0';

	for (int c = 0; c < NCOLS; c++) {
		w[c] = (int)strlen(columns[c].title);
		shown[c] = true;
		for (size_t i = 0; i <= nr; i++)
			if ((int)strlen(cells[i][c]) > w[c])
				w[c] = (int)strlen(cells[i][c]);
	}
	/* Drop the least useful columns until the table fits. */
	for (drop = 6; drop >= 1; drop--) {
		total_w = 0;
		for (int c = 0; c < NCOLS; c++)
			if (shown[c])
				total_w += w[c] + (c ? 2 : 0);
		if (width <= 0 || total_w <= width)
			break;
		for (int c = 0; c < NCOLS; c++)
			if (columns[c].drop_order == drop)
				shown[c] = false;
	}

	fprintf(f, "netns %u", s->inum);
	if (s->name[0])
		fprintf(f, " (%s)", s->name);
	fprintf(f, "  source %s", s->source);
	if (s->interval_s > 0)
		fprintf(f, "  rates over %.1fs", s->interval_s);
	fputc('\n', f);
	for (size_t i = 0; i <= nr + 1; i++) {
		/* i == 0: titles; then rows; the last is TOTAL. */
		size_t r = i - 1;
		bool hl = i > 0 && r < nr && stands_out(&s->rows[r]) && s->rows[r].count > 0;
		char line[NCOLS * (CELL + 2) + 1];
		size_t len = 0;

		for (int c = 0; c < NCOLS; c++) {
			const char *txt = i == 0 ? columns[c].title : cells[r][c];

			if (!shown[c])
				continue;
			len += snprintf(line + len, sizeof(line) - len,
					columns[c].align == LEFT ? "%s%-*s" : "%s%*s",
					len ? "  " : "", w[c], txt);
		}
		while (len && line[len - 1] == ' ')
			line[--len] = '\0';
		if (hl && color)
			fputs("\033[1;33m", f);
		fputs(line, f);
		if (hl && color)
			fputs("\033[0m", f);
		else if (hl)
			fputs("  <", f);
		fputc('\n', f);
	}
	for (int i = 0; i < TCPSTATE_NERRORS; i++)
		errs += s->errors ? s->errors->count[i] : 0;
	if (errs || s->events_missed || s->negative_counts) {
		fprintf(f, "collector: %" PRIu64 " events missed", (uint64_t)s->events_missed);
		for (int e = 0; e < TCPSTATE_NERRORS; e++)
			if (s->errors && s->errors->count[e])
				fprintf(f, ", %s %" PRIu64, error_name(e),
					(uint64_t)s->errors->count[e]);
		if (s->negative_counts)
			fprintf(f, ", %" PRIu64 " counts below zero shown as 0",
				(uint64_t)s->negative_counts);
		fputc('\n', f);
	}
	render_check(f, s->ns ? &s->ns->check : NULL);
}

/* A bound in us; the open-ended last slot's is "+Inf", as Prometheus spells it. */
static void json_bound_us(struct json *j, const char *key, __u64 us)
{
	if (us == HIST_US_INF)
		json_str(j, key, "+Inf");
	else
		json_u64(j, key, us);
}

static void hist_json(struct json *j, const char *key, const __u64 *slots)
{
	json_obj_open(j, key);
	json_u64(j, "count", hist_count(slots));
	json_u64(j, "p50_us", hist_quantile_us(slots, 0.50));
	json_u64(j, "p90_us", hist_quantile_us(slots, 0.90));
	json_u64(j, "p99_us", hist_quantile_us(slots, 0.99));
	json_bound_us(j, "max_us", hist_max_us(slots));
	json_arr_open(j, "buckets");
	for (int k = 0; k < TCPSTATE_HIST_SLOTS; k++) {
		if (!slots[k])
			continue;
		json_obj_open(j, NULL);
		json_bound_us(j, "le_us", hist_slot_hi_us(k));
		json_u64(j, "count", slots[k]);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

void summary_render_json(struct json *j, const struct summary *s)
{
	const struct tcpstate_stats *st = &s->ns->st;
	char a[32], b[32];

	json_obj_open(j, NULL);
	json_u64(j, "netns", s->inum);
	if (s->name[0])
		json_str(j, "name", s->name);
	json_str(j, "source", s->source);
	json_obj_open(j, "states");
	for (size_t i = 0; i < s->nr_rows; i++)
		json_s64(j, state_name(s->rows[i].state), s->rows[i].count);
	json_obj_close(j);
	json_s64(j, "total", s->total);
	json_arr_open(j, "transitions");
	for (int from = 0; from < TCPSTATE_NSTATES; from++)
		for (int to = 0; to < TCPSTATE_NSTATES; to++) {
			if (!st->transitions[from][to])
				continue;
			json_obj_open(j, NULL);
			json_str(j, "from", state_name_r(from, a, sizeof(a)));
			json_str(j, "to", state_name_r(to, b, sizeof(b)));
			json_u64(j, "count", st->transitions[from][to]);
			json_obj_close(j);
		}
	json_arr_close(j);
	json_obj_open(j, "durations");
	for (size_t i = 0; i < s->nr_rows; i++)
		hist_json(j, state_name(s->rows[i].state),
			  st->duration[s->rows[i].state]);
	json_obj_close(j);
	hist_json(j, "lifetime", st->lifetime);
	json_obj_open(j, "rates");
	for (size_t i = 0; i < s->nr_rows; i++)
		if (s->rows[i].rate >= 0)
			json_u64(j, state_name(s->rows[i].state),
				 (__u64)(s->rows[i].rate + 0.5));
	json_obj_close(j);
	json_obj_open(j, "errors");
	for (int e = 0; e < TCPSTATE_NERRORS; e++)
		json_u64(j, error_name(e), s->errors ? s->errors->count[e] : 0);
	json_obj_close(j);
	json_u64(j, "events_missed", s->events_missed);
	json_u64(j, "negative_counts", s->negative_counts);
	json_u64(j, "events_recovered", s->events_recovered);
	if (s->ns && s->ns->check.done) {
		const struct ts_check *c = &s->ns->check;

		json_obj_open(j, "check");
		json_s64(j, "sockets", c->full);
		json_s64(j, "kernel_sockets", c->kern_full);
		json_s64(j, "timewait", c->tw);
		json_s64(j, "kernel_timewait", c->kern_tw);
		json_str(j, "verdict", drift_verdict_name(c->verdict));
		json_u64(j, "drifts", c->drifts);
		json_s64(j, "last_drift_sockets", c->last_full);
		json_s64(j, "last_drift_timewait", c->last_tw);
		json_u64(j, "repairs", c->repairs);
		json_u64(j, "generation", c->generation);
		json_bool(j, "repaired", c->repaired);
		json_obj_close(j);
	}
	json_u64(j, "netns_cookie", s->ns ? s->ns->cookie : 0);
	json_obj_close(j);
}
