/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tui.h - the curses terminal of `tcpstate top`: opens and restores it,
 * draws a laid-out screen (render_top.h) and reads keys. It draws what it
 * is given and decides nothing.
 *
 * The terminal is restored on every way out: tui_close() (idempotent),
 * an atexit() guard, and a hook on the fatal signals that restores the
 * terminal before the default action. SIGINT, SIGTERM, SIGHUP and SIGQUIT
 * only set cli.h's exiting flag: the caller's loop sees it within one key
 * wait and closes normally.
 */
#ifndef __TCPSTATE_TUI_H
#define __TCPSTATE_TUI_H

#include <stdbool.h>
#include "render_top.h"

#define TUI_TIMEOUT	(-1)	/* no key within the wait */
#define TUI_RESIZE	(-2)	/* the terminal changed size */

/* Opens the terminal (alternate screen); colour unless color is false. 0 or -errno. */
int tui_open(bool color);
void tui_close(void);
/* The terminal's size now. */
void tui_size(int *width, int *height);
/* Whether the terminal and locale draw UTF-8 block characters. */
bool tui_utf8(void);
/* Draws scr in one update: erase, the lines, wnoutrefresh, doupdate. */
void tui_draw(const struct top_screen *scr);
/*
 * Waits up to timeout_ms for a key; returns a top_keycode or printable
 * key, TUI_TIMEOUT, or TUI_RESIZE. A signal ends the wait early
 * (TUI_TIMEOUT).
 */
int tui_key(int timeout_ms);

#endif /* __TCPSTATE_TUI_H */
