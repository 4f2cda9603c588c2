// SPDX-License-Identifier: GPL-2.0
/*
 * proc_file.c - /proc/net/tcpstate as module/proc.c (tcpstate_proc_show())
 * writes it: the same X-macros, the same TCPSTATE_PROC_* names, the same
 * order, rows of "<Table>:" and " <word>".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proc_file.h"

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

struct pf_name {
	int idx;
	const char *name;
};

#define PF_NAME(i, n, x) { i, n },
static const struct pf_name live_names[] = {
	TCPSTATE_FOR_EACH_STATE(PF_NAME)
	{ -1, NULL }
};
static const struct pf_name all_names[] = {
	TCPSTATE_FOR_EACH_STATE(PF_NAME)
	TCPSTATE_FOR_EACH_OTHER_STATE(PF_NAME)
	{ -1, NULL }
};
static const struct pf_name error_names[] = {
	TCPSTATE_FOR_EACH_ERROR(PF_NAME)
	{ -1, NULL }
};
#undef PF_NAME

static void add_col_owned(struct pf_table *t, char *col, char *val)
{
	if (t->n == PF_MAX_COLS)
		abort();
	t->cols[t->n] = col;
	t->vals[t->n] = val;
	t->n++;
}

void pf_add_col(struct pf_table *t, const char *col, const char *val)
{
	add_col_owned(t, xstrdup(col), xstrdup(val));
}

struct pf_table *pf_insert(struct proc_file *f, int at, const char *name)
{
	if (f->n == PF_MAX_TABLES || at < 0 || at > f->n)
		abort();
	memmove(&f->t[at + 1], &f->t[at], (f->n - at) * sizeof(f->t[0]));
	memset(&f->t[at], 0, sizeof(f->t[0]));
	f->t[at].name = xstrdup(name);
	f->n++;
	return &f->t[at];
}

static void table_free(struct pf_table *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->cols[i]);
		free(t->vals[i]);
	}
	free(t->name);
}

void pf_remove(struct proc_file *f, int at)
{
	table_free(&f->t[at]);
	memmove(&f->t[at], &f->t[at + 1], (f->n - at - 1) * sizeof(f->t[0]));
	f->n--;
}

void pf_duplicate(struct proc_file *f, int at)
{
	struct pf_table *src = &f->t[at], *t = pf_insert(f, f->n, src->name);

	src = &f->t[at];
	for (int i = 0; i < src->n; i++)
		pf_add_col(t, src->cols[i], src->vals[i]);
}

static void hist(struct proc_file *f, const char *table, const char *state,
		 const __u64 *slots)
{
	struct pf_table *t;
	char *name = xasprintf("%s%s", table, state);

	t = pf_insert(f, f->n, name);
	free(name);
	for (unsigned int j = 0; j < TCPSTATE_HIST_SLOTS; j++)
		add_col_owned(t, xasprintf("%c%u", TCPSTATE_PROC_SLOT, j),
			      xasprintf("%llu", (unsigned long long)slots[j]));
}

#define PF_CHECK_NAME(i, n) [i] = n,
static const char *const check_names[TCPSTATE_CHECK_NCOLS] = {
	TCPSTATE_FOR_EACH_CHECK_COL(PF_CHECK_NAME)
};
#undef PF_CHECK_NAME

void pf_build(struct proc_file *f, __u32 inum, const struct tcpstate_stats *st,
	      const __s64 *check, const struct tcpstate_errors *errs)
{
	const struct pf_name *a, *b;
	struct pf_table *t;

	memset(f, 0, sizeof(*f));
	f->first = xasprintf(TCPSTATE_PROC_MAGIC " %d", TCPSTATE_PROC_VERSION);

	t = pf_insert(f, f->n, TCPSTATE_PROC_NETNS);
	add_col_owned(t, xstrdup(TCPSTATE_PROC_INUM), xasprintf("%u", inum));

	t = pf_insert(f, f->n, TCPSTATE_PROC_LIVE);
	for (a = live_names; a->name; a++)
		add_col_owned(t, xstrdup(a->name),
			      xasprintf("%lld", (long long)st->live[a->idx]));

	if (check) {
		t = pf_insert(f, f->n, TCPSTATE_PROC_CHECK);
		for (int i = 0; i < TCPSTATE_CHECK_NCOLS; i++)
			add_col_owned(t, xstrdup(check_names[i]),
				      xasprintf("%lld", (long long)check[i]));
	}

	t = pf_insert(f, f->n, TCPSTATE_PROC_TRANSITIONS);
	for (a = all_names; a->name; a++)
		for (b = all_names; b->name; b++)
			add_col_owned(t, xasprintf("%s%c%s", a->name, TCPSTATE_PROC_TRANS_SEP,
						   b->name),
				      xasprintf("%llu", (unsigned long long)
						st->transitions[a->idx][b->idx]));

	for (a = live_names; a->name; a++)
		hist(f, TCPSTATE_PROC_DURATION, a->name, st->duration[a->idx]);
	hist(f, TCPSTATE_PROC_LIFETIME, "", st->lifetime);

	t = pf_insert(f, f->n, TCPSTATE_PROC_ERRORS);
	for (a = error_names; a->name; a++)
		add_col_owned(t, xstrdup(a->name),
			      xasprintf("%llu", (unsigned long long)errs->count[a->idx]));

	t = pf_insert(f, f->n, TCPSTATE_PROC_COLLECTOR);
	pf_add_col(t, TCPSTATE_PROC_RECORDS, "12");
	pf_add_col(t, TCPSTATE_PROC_RECORDS_MAX, "65536");
}

void pf_free(struct proc_file *f)
{
	for (int i = 0; i < f->n; i++)
		table_free(&f->t[i]);
	free(f->first);
	memset(f, 0, sizeof(*f));
}

char *pf_render(const struct proc_file *f, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	if (!m)
		abort();
	fprintf(m, "%s\n", f->first);
	for (int i = 0; i < f->n; i++) {
		const struct pf_table *t = &f->t[i];

		fprintf(m, "%s:", t->name);
		for (int c = 0; c < t->n; c++)
			fprintf(m, " %s", t->cols[c]);
		fprintf(m, "\n%s:", t->name);
		for (int c = 0; c < t->n; c++)
			fprintf(m, " %s", t->vals[c]);
		fputc('\n', m);
	}
	fclose(m);
	return buf;
}

int pf_find(const struct proc_file *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (!strcmp(f->t[i].name, name))
			return i;
	return -1;
}

static int find_col(struct proc_file *f, const char *table, const char *col,
		    struct pf_table **t)
{
	int at = pf_find(f, table);

	if (at < 0)
		return -1;
	*t = &f->t[at];
	for (int c = 0; c < (*t)->n; c++)
		if (!strcmp((*t)->cols[c], col))
			return c;
	return -1;
}

int pf_set(struct proc_file *f, const char *table, const char *col, const char *val)
{
	struct pf_table *t;
	int c = find_col(f, table, col, &t);

	if (c < 0)
		return -1;
	free(t->vals[c]);
	t->vals[c] = xstrdup(val);
	return 0;
}

int pf_rename(struct proc_file *f, const char *table, const char *col, const char *to)
{
	struct pf_table *t;
	int c = find_col(f, table, col, &t);

	if (c < 0)
		return -1;
	free(t->cols[c]);
	t->cols[c] = xstrdup(to);
	return 0;
}

char *pf_splice(const char *text, size_t len, int lineno, const char *raw,
		size_t rawlen, int insert, size_t *outlen)
{
	size_t start = 0, end;
	char *out;
	int line = 1;

	while (line < lineno && start < len) {
		if (text[start++] == '\n')
			line++;
	}
	end = start;
	if (!insert) {
		while (end < len && text[end] != '\n')
			end++;
		if (end < len)
			end++;
	}
	*outlen = start + rawlen + (len - end);
	out = malloc(*outlen + 1);
	if (!out)
		abort();
	memcpy(out, text, start);
	memcpy(out + start, raw, rawlen);
	memcpy(out + start + rawlen, text + end, len - end);
	out[*outlen] = '\0';
	return out;
}
