/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * render_top.h - lays the top model out as lines of a screen: what goes
 * where at a given width and height, and what each line stands for (its
 * attribute). tui.c draws the lines with curses and maps attributes to
 * colours; `tcpstate top --once` prints them plain. Nothing is computed
 * here beyond layout and formatting.
 */
#ifndef __TCPSTATE_RENDER_TOP_H
#define __TCPSTATE_RENDER_TOP_H

#include <stdbool.h>
#include <stdio.h>
#include "model_top.h"

#define TOP_LINE_BYTES	2048	/* a line's UTF-8 text (sparklines: 3 bytes a cell) */
#define TOP_LINES_MAX	200
#define TOP_WIDTH_MAX	400	/* cells laid out per line */

enum top_attr {
	TOP_A_NORMAL,
	TOP_A_HEADER,		/* the header lines */
	TOP_A_TITLE,		/* column titles, section titles, the key bar */
	TOP_A_HOT,		/* a TIME_WAIT or CLOSE_WAIT row that is not empty */
	TOP_A_SELECTED,		/* the selected row, the picker's cursor */
	TOP_A_CRIT,		/* a critical alert */
	TOP_A_WARN,		/* a warning alert, unhealthy collector */
	TOP_A_DIM,		/* notes: unknown, not available */
	TOP_A_NR
};

struct top_line {
	int attr;
	char text[TOP_LINE_BYTES];	/* at most width cells, no newline */
};

struct top_screen {
	int width, height;
	size_t nr;
	size_t limit;			/* lines past it go to scratch: the body's end */
	struct top_line lines[TOP_LINES_MAX];
	struct top_line scratch;
};

struct top_render_opts {
	int width, height;	/* height 0: as many lines as the content needs */
	bool utf8;		/* block characters for sparklines, else ASCII */
	const char *clock;	/* "12:34:56" for the header's right end, or NULL */
};

/* Lays out m into scr (scr->nr lines, each at most width cells). */
void top_render(const struct top_model *m, const struct top_render_opts *o,
		struct top_screen *scr);
/* Each line, newline-terminated, trailing blanks removed. 0 or -errno. */
int top_render_plain(FILE *f, const struct top_screen *scr);

#endif /* __TCPSTATE_RENDER_TOP_H */
