// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tui.c - the curses terminal of `tcpstate top` (tui.h).
 *
 * The screen is redrawn whole every frame into curses' virtual screen
 * (werase, then the lines), and sent with wnoutrefresh + doupdate, which
 * writes only the cells that changed: no clear, no flicker. Resizes come
 * as KEY_RESIZE from curses' own SIGWINCH handler.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "model_top.h"
#include "tui.h"

static bool opened;
static bool utf8;
static attr_t attrs[TOP_A_NR];

enum { PAIR_HEADER = 1, PAIR_HOT, PAIR_CRIT, PAIR_WARN, PAIR_TITLE };

static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

/* The panic hook: the terminal back first, then the default action. */
static void on_fatal(int sig)
{
	if (opened)
		endwin();
	opened = false;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_quit(int sig)
{
	(void)sig;
	exiting = 1;
}

void tui_close(void)
{
	if (!opened)
		return;
	opened = false;
	curs_set(1);
	endwin();
	fflush(stdout);
}

static void set_attrs(bool color)
{
	attrs[TOP_A_NORMAL] = A_NORMAL;
	attrs[TOP_A_HEADER] = A_BOLD;
	attrs[TOP_A_TITLE] = A_REVERSE;
	attrs[TOP_A_HOT] = A_BOLD;
	attrs[TOP_A_SELECTED] = A_REVERSE | A_BOLD;
	attrs[TOP_A_CRIT] = A_REVERSE | A_BOLD;
	attrs[TOP_A_WARN] = A_BOLD;
	attrs[TOP_A_DIM] = A_DIM;
	if (!color || !has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	init_pair(PAIR_HEADER, COLOR_CYAN, -1);
	init_pair(PAIR_HOT, COLOR_YELLOW, -1);
	init_pair(PAIR_CRIT, COLOR_WHITE, COLOR_RED);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
	attrs[TOP_A_HEADER] = A_BOLD | COLOR_PAIR(PAIR_HEADER);
	attrs[TOP_A_HOT] = A_BOLD | COLOR_PAIR(PAIR_HOT);
	attrs[TOP_A_CRIT] = A_BOLD | COLOR_PAIR(PAIR_CRIT);
	attrs[TOP_A_WARN] = A_BOLD | COLOR_PAIR(PAIR_WARN);
	attrs[TOP_A_TITLE] = COLOR_PAIR(PAIR_TITLE);
}

int tui_open(bool color)
{
	struct sigaction sa = { .sa_handler = on_quit };
	const char *cs;

	cs = nl_langinfo(CODESET);
	utf8 = cs && !strcmp(cs, "UTF-8");
	/* newterm, not initscr: a terminal it cannot drive is an error, not exit(). */
	if (!newterm(NULL, stdout, stdin))
		return -ENOTTY;
	opened = true;
	atexit(tui_close);
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal ends the key wait at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		signal(fatal_signals[i], on_fatal);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE);
	set_attrs(color);
	return 0;
}

void tui_size(int *width, int *height)
{
	int h, w;

	getmaxyx(stdscr, h, w);
	*width = w;
	*height = h;
}

bool tui_utf8(void)
{
	return utf8;
}

void tui_draw(const struct top_screen *scr)
{
	int h, w;

	getmaxyx(stdscr, h, w);
	werase(stdscr);
	for (size_t i = 0; i < scr->nr && (int)i < h; i++) {
		attr_t a = attrs[scr->lines[i].attr < TOP_A_NR ? scr->lines[i].attr : 0];

		wattrset(stdscr, a);
		mvwaddstr(stdscr, (int)i, 0, scr->lines[i].text);
	}
	wattrset(stdscr, A_NORMAL);
	(void)w;
	wnoutrefresh(stdscr);
	doupdate();
}

int tui_key(int timeout_ms)
{
	int c;

	wtimeout(stdscr, timeout_ms < 0 ? 0 : timeout_ms);
	c = wgetch(stdscr);
	switch (c) {
	case ERR: return TUI_TIMEOUT;
	case KEY_RESIZE: return TUI_RESIZE;
	case KEY_UP: return TOP_KEY_UP;
	case KEY_DOWN: return TOP_KEY_DOWN;
	case KEY_PPAGE: return TOP_KEY_PGUP;
	case KEY_NPAGE: return TOP_KEY_PGDN;
	case KEY_HOME: return TOP_KEY_HOME;
	case KEY_END: return TOP_KEY_END;
	case KEY_ENTER: case '\n': case '\r': return TOP_KEY_ENTER;
	case 27: return TOP_KEY_ESC;
	case 3: exiting = 1; return TUI_TIMEOUT;	/* Ctrl-C with the tty in raw-ish mode */
	default: return c >= 0 && c < 0x100 ? c : TUI_TIMEOUT;
	}
}
