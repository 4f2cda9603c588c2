// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * proc_parse.c - reading one /proc/net/tcpstate: the layout of
 * include/tcpstate.h (TCPSTATE_PROC_*), the rules of proc_parse.h.
 * Prints nothing: every failure is a return value and a message that
 * names the line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "proc_parse.h"
#include "states.h"

/* The tables this reader knows; all but Check are required. */
enum table_kind {
	T_NETNS,
	T_LIVE,
	T_CHECK,	/* optional: a module older than the check has none */
	T_TRANSITIONS,
	T_DURATION,	/* one per live state: Duration_<state> */
	T_LIFETIME,
	T_ERRORS,
	T_COLLECTOR,
	T_NKINDS,
	T_UNKNOWN = T_NKINDS,
};

static const char *const table_names[T_NKINDS] = {
	[T_NETNS] = TCPSTATE_PROC_NETNS,
	[T_LIVE] = TCPSTATE_PROC_LIVE,
	[T_CHECK] = TCPSTATE_PROC_CHECK,
	[T_TRANSITIONS] = TCPSTATE_PROC_TRANSITIONS,
	[T_DURATION] = TCPSTATE_PROC_DURATION,
	[T_LIFETIME] = TCPSTATE_PROC_LIFETIME,
	[T_ERRORS] = TCPSTATE_PROC_ERRORS,
	[T_COLLECTOR] = TCPSTATE_PROC_COLLECTOR,
};

static const char *const collector_cols[] = {
	TCPSTATE_PROC_RECORDS,
	TCPSTATE_PROC_RECORDS_MAX,
};
#define NR_COLLECTOR_COLS (sizeof(collector_cols) / sizeof(collector_cols[0]))

#define CHECK_COL_NAME(i, name) name,
static const char *const check_cols[TCPSTATE_CHECK_NCOLS] = {
	TCPSTATE_FOR_EACH_CHECK_COL(CHECK_COL_NAME)
};
#undef CHECK_COL_NAME

/* What a known column's value is and where it goes. */
enum value_kind { V_INUM, V_SIGNED, V_COUNT };

struct column {
	enum value_kind kind;
	bool *seen;
	void *dst;		/* __u32, __s64 or __u64; NULL: checked, not kept */
};

struct parser {
	FILE *f;
	const char *path;
	char *msg;
	size_t msglen;
	int line;		/* the line last read, from 1 */
	char names[TCPSTATE_PROC_LINE_MAX + 1];
	char vals[TCPSTATE_PROC_LINE_MAX + 1];
	struct ts_netns ns;
	struct tcpstate_errors errs;
	/* The line each known table was found on (0: not yet). */
	int table_line[T_NKINDS];
	int duration_line[TCPSTATE_NSTATES];
	/* The known columns found so far. */
	bool inum_seen;
	bool live_seen[TCPSTATE_NSTATES];
	bool trans_seen[TCPSTATE_NSTATES][TCPSTATE_NSTATES];
	bool duration_seen[TCPSTATE_NSTATES][TCPSTATE_HIST_SLOTS];
	bool lifetime_seen[TCPSTATE_HIST_SLOTS];
	bool error_seen[TCPSTATE_NERRORS];
	bool collector_seen[NR_COLLECTOR_COLS];
	__u64 collector[NR_COLLECTOR_COLS];
	bool check_seen[TCPSTATE_CHECK_NCOLS];
	__s64 check[TCPSTATE_CHECK_NCOLS];
};

static int fail(struct parser *p, int err, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct parser *p, int err, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->msg || !p->msglen)
		return err;
	n = snprintf(p->msg, p->msglen, "%s: line %d: ", p->path, line);
	if (n >= 0 && (size_t)n < p->msglen) {
		va_start(ap, fmt);
		vsnprintf(p->msg + n, p->msglen - n, fmt, ap);
		va_end(ap);
	}
	return err;
}

/*
 * Reads the next line into buf without its newline: 1, 0 at the end of
 * the file, or a negative error. A line that is too long, holds a NUL or
 * has no newline (a file cut short) is malformed.
 */
static int read_line(struct parser *p, char *buf)
{
	size_t n = 0;
	int c;

	p->line++;
	while ((c = getc_unlocked(p->f)) != EOF) {
		if (c == '\n') {
			buf[n] = '\0';
			return 1;
		}
		if (c == '\0')
			return fail(p, -EBADMSG, p->line, "a NUL byte in the line");
		if (n == TCPSTATE_PROC_LINE_MAX)
			return fail(p, -EBADMSG, p->line, "longer than %d bytes",
				    TCPSTATE_PROC_LINE_MAX);
		buf[n++] = (char)c;
	}
	if (ferror(p->f)) {
		int err = errno ? errno : EIO;

		return fail(p, -err, p->line, "read failed: %s", strerror(err));
	}
	if (n)
		return fail(p, -EBADMSG, p->line, "no newline at the end (file cut short?)");
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int check_version(struct parser *p, const char *line)
{
	size_t n = strlen(TCPSTATE_PROC_MAGIC);
	unsigned long v;

	if (strncmp(line, TCPSTATE_PROC_MAGIC, n) || line[n] != ' ' ||
	    !all_digits(line + n + 1))
		return fail(p, -EBADMSG, 1, "expected \"%s <version>\", found \"%.40s\"",
			    TCPSTATE_PROC_MAGIC, line);
	errno = 0;
	v = strtoul(line + n + 1, NULL, 10);
	if (errno || v != TCPSTATE_PROC_VERSION)
		return fail(p, -EPROTO, 1, "unknown version %.24s (this tcpstate reads version %d)",
			    line + n + 1, TCPSTATE_PROC_VERSION);
	return 0;
}

/* Splits "<Table>: words" at the colon: *table and *rest; 0 or -EBADMSG. */
static int split_row(struct parser *p, char *buf, char **table, char **rest)
{
	char *colon = strchr(buf, ':');
	char *c;

	if (!*buf)
		return fail(p, -EBADMSG, p->line, "an empty line");
	if (!colon)
		return fail(p, -EBADMSG, p->line, "expected \"<Table>: <columns>\", found \"%.40s\"",
			    buf);
	*colon = '\0';
	for (c = buf; *c; c++)
		if (!(*c == '_' || (*c >= '0' && *c <= '9') ||
		      (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')))
			break;
	if (c == buf || *c)
		return fail(p, -EBADMSG, p->line, "bad table name \"%.40s\"", buf);
	*table = buf;
	*rest = colon + 1;
	return 0;
}

static int count_words(const char *s)
{
	int n = 0;

	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		n++;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

static enum table_kind table_kind(const char *name, int *state)
{
	size_t n = strlen(TCPSTATE_PROC_DURATION);

	for (int k = 0; k < T_NKINDS; k++)
		if (k != T_DURATION && !strcmp(name, table_names[k]))
			return k;
	if (!strncmp(name, TCPSTATE_PROC_DURATION, n)) {
		*state = state_lookup(name + n, strlen(name + n), true);
		if (*state >= 0)
			return T_DURATION;
	}
	return T_UNKNOWN;
}

/* "s<slot>", the slot in canonical decimal; -1 otherwise. */
static int slot_of(const char *col)
{
	const char *d = col + 1;
	unsigned long v;

	if (col[0] != TCPSTATE_PROC_SLOT || !all_digits(d) ||
	    (d[0] == '0' && d[1]) || strlen(d) > 3)
		return -1;
	v = strtoul(d, NULL, 10);
	return v < TCPSTATE_HIST_SLOTS ? (int)v : -1;
}

/* Fills *c for a known column; false for one this reader skips. */
static bool find_column(struct parser *p, enum table_kind kind, int state,
			const char *col, struct column *c)
{
	struct tcpstate_stats *st = &p->ns.st;
	const char *sep;
	int a, b, s;

	c->kind = V_COUNT;
	switch (kind) {
	case T_NETNS:
		if (strcmp(col, TCPSTATE_PROC_INUM))
			return false;
		*c = (struct column){ V_INUM, &p->inum_seen, &p->ns.inum };
		return true;
	case T_LIVE:
		a = state_lookup(col, strlen(col), true);
		if (a < 0)
			return false;
		*c = (struct column){ V_SIGNED, &p->live_seen[a], &st->live[a] };
		return true;
	case T_TRANSITIONS:
		sep = strchr(col, TCPSTATE_PROC_TRANS_SEP);
		if (!sep)
			return false;
		a = state_lookup(col, sep - col, false);
		b = state_lookup(sep + 1, strlen(sep + 1), false);
		if (a < 0 || b < 0)
			return false;
		c->seen = &p->trans_seen[a][b];
		c->dst = &st->transitions[a][b];
		return true;
	case T_DURATION:
		s = slot_of(col);
		if (s < 0)
			return false;
		c->seen = &p->duration_seen[state][s];
		c->dst = &st->duration[state][s];
		return true;
	case T_LIFETIME:
		s = slot_of(col);
		if (s < 0)
			return false;
		c->seen = &p->lifetime_seen[s];
		c->dst = &st->lifetime[s];
		return true;
	case T_ERRORS:
		a = error_lookup(col, strlen(col));
		if (a < 0)
			return false;
		c->seen = &p->error_seen[a];
		c->dst = &p->errs.count[a];
		return true;
	case T_CHECK:
		for (int i = 0; i < TCPSTATE_CHECK_NCOLS; i++)
			if (!strcmp(col, check_cols[i])) {
				*c = (struct column){ V_SIGNED, &p->check_seen[i], &p->check[i] };
				return true;
			}
		return false;
	case T_COLLECTOR:
		for (size_t i = 0; i < NR_COLLECTOR_COLS; i++)
			if (!strcmp(col, collector_cols[i])) {
				c->seen = &p->collector_seen[i];
				c->dst = &p->collector[i];
				return true;
			}
		return false;
	default:
		return false;
	}
}

/* Stores one value; 0 or -EBADMSG with a message for the values line. */
static int store(struct parser *p, const char *table, const char *col,
		 const char *val, const struct column *c)
{
	bool neg = val[0] == '-';
	unsigned long long u;
	long long s;

	if (!all_digits(val + neg))
		return fail(p, -EBADMSG, p->line,
			    "table %s, column %.64s: \"%.32s\" is not a number",
			    table, col, val);
	if (neg && c->kind != V_SIGNED)
		return fail(p, -EBADMSG, p->line,
			    "table %s, column %.64s: %.32s is negative, a count cannot be",
			    table, col, val);
	errno = 0;
	if (c->kind == V_SIGNED) {
		s = strtoll(val, NULL, 10);
		if (errno)
			goto range;
		*(__s64 *)c->dst = s;
		return 0;
	}
	u = strtoull(val, NULL, 10);
	if (errno)
		goto range;
	if (c->kind == V_INUM) {
		if (u == 0 || u > UINT32_MAX)
			goto range;
		*(__u32 *)c->dst = (__u32)u;
	} else {
		*(__u64 *)c->dst = u;
	}
	return 0;
range:
	return fail(p, -EBADMSG, p->line, "table %s, column %.64s: %.32s is out of range%s",
		    table, col, val, c->kind == V_INUM ? " (1-4294967295)" : "");
}

/* The line a known table was first found on: a slot in p to set or check. */
static int *table_seen(struct parser *p, enum table_kind kind, int state)
{
	return kind == T_DURATION ? &p->duration_line[state] : &p->table_line[kind];
}

/*
 * One table: the names row, already read into p->names on line name_line,
 * and the values row read here.
 */
static int parse_table(struct parser *p, int name_line)
{
	char *table, *vtable, *cols, *vals, *cs = NULL, *vs = NULL, *col, *val;
	enum table_kind kind;
	int err, state = -1, ncols, nvals, *seen;

	err = split_row(p, p->names, &table, &cols);
	if (err)
		return err;
	err = read_line(p, p->vals);
	if (err < 0)
		return err;
	if (err == 0)
		return fail(p, -EBADMSG, p->line,
			    "end of file, but table %s has no row of values", table);
	err = split_row(p, p->vals, &vtable, &vals);
	if (err)
		return err;
	if (strcmp(table, vtable))
		return fail(p, -EBADMSG, p->line,
			    "expected the values of table %s, found table %.40s", table, vtable);
	ncols = count_words(cols);
	nvals = count_words(vals);
	if (ncols != nvals)
		return fail(p, -EBADMSG, p->line, "table %s has %d columns but %d values",
			    table, ncols, nvals);
	kind = table_kind(table, &state);
	if (kind == T_UNKNOWN)
		return 0;
	seen = table_seen(p, kind, state);
	if (*seen)
		return fail(p, -EBADMSG, name_line, "table %s appears twice (first on line %d)",
			    table, *seen);
	*seen = name_line;

	col = strtok_r(cols, " \t", &cs);
	val = strtok_r(vals, " \t", &vs);
	for (; col && val; col = strtok_r(NULL, " \t", &cs), val = strtok_r(NULL, " \t", &vs)) {
		struct column c = { 0 };

		if (!find_column(p, kind, state, col, &c))
			continue;	/* a column of a newer writer */
		if (*c.seen)
			return fail(p, -EBADMSG, name_line, "table %s: column %.64s appears twice",
				    table, col);
		*c.seen = true;
		err = store(p, table, col, val, &c);
		if (err)
			return err;
	}
	if (kind == T_NETNS && !p->inum_seen)
		return fail(p, -EBADMSG, name_line, "table %s has no %s column",
			    TCPSTATE_PROC_NETNS, TCPSTATE_PROC_INUM);
	return 0;
}

/* Every known table was found; the first missing one, in file order, if not. */
static int check_complete(struct parser *p)
{
	static const enum table_kind order[] = {
		T_NETNS, T_LIVE, T_TRANSITIONS, T_DURATION, T_LIFETIME, T_ERRORS,
		T_COLLECTOR,
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (order[i] != T_DURATION) {
			if (!p->table_line[order[i]])
				return fail(p, -EBADMSG, p->line, "end of file, but no %s table",
					    table_names[order[i]]);
			continue;
		}
		for (size_t j = 0; j < nr_live_states; j++)
			if (!p->duration_line[live_states[j]])
				return fail(p, -EBADMSG, p->line,
					    "end of file, but no %s%s table",
					    TCPSTATE_PROC_DURATION, state_name(live_states[j]));
	}
	return 0;
}

/* The Check table, when the file has one, into ns.check. */
static void fill_check(struct parser *p)
{
	struct ts_check *c = &p->ns.check;
	const __s64 *v = p->check;

	if (!p->table_line[T_CHECK])
		return;
	c->done = true;
	c->verdict = (int)v[TCPSTATE_CHECK_VERDICT];
	c->full = v[TCPSTATE_CHECK_SOCKETS];
	c->kern_full = v[TCPSTATE_CHECK_KERNEL_SOCKETS];
	c->tw = v[TCPSTATE_CHECK_TIMEWAIT];
	c->kern_tw = v[TCPSTATE_CHECK_KERNEL_TIMEWAIT];
	c->drifts = (__u64)v[TCPSTATE_CHECK_DRIFTS];
	c->last_full = v[TCPSTATE_CHECK_LAST_SOCKETS];
	c->last_tw = v[TCPSTATE_CHECK_LAST_TIMEWAIT];
	c->repairs = (__u64)v[TCPSTATE_CHECK_REPAIRS];
	c->generation = (__u32)v[TCPSTATE_CHECK_GENERATION];
	p->ns.st.timewait[0] = c->tw;
}

int tcpstate_proc_parse(FILE *f, const char *path, struct ts_netns *ns,
			struct tcpstate_errors *errs, char *msg, size_t msglen)
{
	struct parser *p;
	int err;

	if (msg && msglen)
		msg[0] = '\0';
	p = calloc(1, sizeof(*p));
	if (!p) {
		if (msg && msglen)
			snprintf(msg, msglen, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	p->f = f;
	p->path = path;
	p->msg = msg;
	p->msglen = msglen;

	err = read_line(p, p->names);
	if (err == 0)
		err = fail(p, -EBADMSG, 1, "an empty file (expected \"%s %d\")",
			   TCPSTATE_PROC_MAGIC, TCPSTATE_PROC_VERSION);
	if (err < 0)
		goto cleanup;
	err = check_version(p, p->names);
	while (!err) {
		err = read_line(p, p->names);
		if (err <= 0)
			break;
		err = parse_table(p, p->line);
	}
	if (!err)
		err = check_complete(p);
	if (!err) {
		fill_check(p);
		*ns = p->ns;
		*errs = p->errs;
	}
cleanup:
	free(p);
	return err;
}
