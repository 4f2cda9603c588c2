/* SPDX-License-Identifier: GPL-2.0 */
/*
 * proc_file.h - a /proc/net/tcpstate file as module/proc.c writes it,
 * built from include/tcpstate.h's tables and names, held as tables of
 * strings so a test can break it one piece at a time, then rendered.
 */
#ifndef __TCPSTATE_PROC_FILE_H
#define __TCPSTATE_PROC_FILE_H

#include <stddef.h>
#include <linux/types.h>
#include "tcpstate.h"

#define PF_MAX_TABLES	48
#define PF_MAX_COLS	512

struct pf_table {
	char *name;
	int n;
	char *cols[PF_MAX_COLS];
	char *vals[PF_MAX_COLS];
};

struct proc_file {
	char *first;		/* line 1, without its newline */
	int n;
	struct pf_table t[PF_MAX_TABLES];
};

/*
 * Every table module/proc.c writes, in its order, probe_stats=0; check
 * holds the Check table's TCPSTATE_CHECK_NCOLS values (NULL: no Check
 * table, as an older module writes).
 */
void pf_build(struct proc_file *f, __u32 inum, const struct tcpstate_stats *st,
	      const __s64 *check, const struct tcpstate_errors *errs);
void pf_free(struct proc_file *f);
/* The text, malloc'd; *len its length. */
char *pf_render(const struct proc_file *f, size_t *len);

/* The index of the first table so named, or -1. */
int pf_find(const struct proc_file *f, const char *name);
/* Adds an empty table at index at (f->n: the end); returns it. */
struct pf_table *pf_insert(struct proc_file *f, int at, const char *name);
void pf_remove(struct proc_file *f, int at);
/* Appends a copy of table at to the end. */
void pf_duplicate(struct proc_file *f, int at);
void pf_add_col(struct pf_table *t, const char *col, const char *val);
/* Sets the value of the first column so named; -1 if none. */
int pf_set(struct proc_file *f, const char *table, const char *col, const char *val);
/* Renames the first column so named; -1 if none. */
int pf_rename(struct proc_file *f, const char *table, const char *col, const char *to);
/* The line numbers of table at's names and values rows. */
static inline int pf_names_line(int at) { return 2 + 2 * at; }
static inline int pf_values_line(int at) { return 3 + 2 * at; }

/* text with line lineno (from 1) replaced by (or, insert: preceded by) raw[0..rawlen). */
char *pf_splice(const char *text, size_t len, int lineno, const char *raw,
		size_t rawlen, int insert, size_t *outlen);

#endif /* __TCPSTATE_PROC_FILE_H */
