/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * model_top.h - the model of `tcpstate top`: what the live view shows,
 * computed from successive snapshots, and what its keys do to it.
 *
 * Pure: no terminal, no clock, no files. cmd_top.c feeds it snapshots
 * (top_feed) and keys (top_key); render_top.c lays it out as lines; tui.c
 * draws those lines with curses. Feeding a frame costs O(namespaces in
 * scope x states), never O(sockets).
 *
 * Two seams take what the model does not compute from a snapshot: the
 * culprits behind the rows shown (top TIME_WAIT and CLOSE_WAIT keys: local
 * port, peer, owning process, namespace, age), and the active alerts. The
 * caller fills them with top_set_culprits() and top_set_alerts(), at most
 * once per interval; the model only keeps, sorts and shows them.
 */
#ifndef __TCPSTATE_MODEL_TOP_H
#define __TCPSTATE_MODEL_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "netns.h"
#include "source.h"

#define TOP_HISTORY		60	/* samples per state's sparkline */
#define TOP_MAX_TRANSITIONS	8	/* busiest transitions kept */
#define TOP_MAX_LISTENERS	8	/* fullest listeners kept */
#define TOP_MAX_CULPRITS	16
#define TOP_MAX_ALERTS		8
#define TOP_MAX_NS		4096	/* namespaces the picker lists */
#define TOP_INTERVAL_MIN	0.25
#define TOP_INTERVAL_MAX	60.0

enum top_sort {
	TOP_SORT_STATE,		/* the table's fixed order (as summary prints) */
	TOP_SORT_COUNT,
	TOP_SORT_CHANGE,	/* |change since the previous frame| */
	TOP_SORT_RATE,		/* entries per second */
	TOP_SORT_P99,		/* time in state */
	TOP_SORT_NR
};

enum top_view {
	TOP_VIEW_TABLE,
	TOP_VIEW_HELP,
	TOP_VIEW_DETAIL,	/* the selected row's state */
	TOP_VIEW_NSPICK,	/* choosing the namespace */
};

/* Keys, as tui.c maps curses' codes to them; printable keys are themselves. */
enum top_keycode {
	TOP_KEY_UP = 0x100,
	TOP_KEY_DOWN,
	TOP_KEY_ENTER,
	TOP_KEY_ESC,
	TOP_KEY_PGUP,
	TOP_KEY_PGDN,
	TOP_KEY_HOME,
	TOP_KEY_END,
};

/* What top_key() asks of its caller (bits). */
#define TOP_ACT_QUIT		(1u << 0)
#define TOP_ACT_REFEED		(1u << 1)	/* scope changed: top_feed() the last snapshot again */
#define TOP_ACT_INTERVAL	(1u << 2)	/* interval changed: reschedule */
#define TOP_ACT_REDRAW		(1u << 3)
#define TOP_ACT_CULPRITS	(1u << 4)	/* detail opened: culprits of its state wanted now */

struct top_row {
	int state;
	__s64 count;
	__s64 change;		/* since the previous frame */
	bool change_known;	/* there was a previous frame of this scope */
	double rate;		/* entries per second over the last frame; < 0: unknown */
	/* Since the rate base: the last r, or (none yet) the collector's start. */
	double avg_rate;	/* entries per second; < 0: unknown */
	__u64 entered;		/* entries */
	__u64 samples;		/* durations recorded */
	__u64 p50_us, p90_us, p99_us, max_us;
	__s64 peak;		/* highest count in the history */
};

struct top_transition {
	int from, to;
	__u64 since_base;	/* since the rate base (r, else the collector's start) */
	double rate;		/* per second over the last frame; < 0: unknown */
};

/* One listener of the scope, from the snapshot (BPF collector). */
struct top_listener {
	__u32 netns;
	__u16 port, family;
	__u32 accept_queue, accept_max, syn_recv;
	double use;		/* accept_queue / accept_max, 0..1 (more: over) */
};

/*
 * The culprit seam: one key of sockets in a state (TIME_WAIT, CLOSE_WAIT)
 * as the culprit finder reports it. The model copies them.
 */
struct top_culprit {
	int state;
	__u32 netns;
	__u16 family;
	__u16 lport, rport;
	__u8 raddr[16];		/* peer, IPv4 in the first 4 bytes */
	__u32 pid;		/* 0: unknown (TIME_WAIT holds no process) */
	char comm[16];
	__u32 sockets;		/* sockets behind this key */
	__u64 age_s;		/* the oldest of them; 0: unknown */
};

enum top_severity { TOP_SEV_WARNING, TOP_SEV_CRITICAL };

/* The alert seam: one active alert, already worded. */
struct top_alert {
	int severity;		/* enum top_severity */
	char text[200];
};

/* The collector's health over the scope (header). */
struct top_health {
	__u64 errors;		/* sum of the collector's error counters */
	int worst_error;	/* the largest of them, -1 when none */
	__u64 events_missed, negative_counts;
	__u64 drifts, repairs;	/* the self-check's, over the scope */
	int verdict;		/* worst enum drift_verdict seen; -1: no check */
};

struct top_ns {
	__u32 inum;
	__s64 total;
	char name[NETNS_NAME_MAX];	/* the caller fills it, "" when unknown */
};

struct top_model {
	/* Header */
	const char *source;		/* the snapshot's */
	char kernel[64];		/* the caller's uname -r */
	double interval_s;
	bool paused;
	bool all_netns;			/* namespaces beyond the caller's are read */
	__u32 self_inum;		/* the caller's namespace */
	__u32 scope;			/* 0: every namespace read; else one */
	char scope_name[NETNS_NAME_MAX];
	struct top_health health;
	__u64 frames;			/* snapshots fed */
	double dt_s;			/* the last frame's length; 0: first frame */

	/* The table */
	enum top_sort sort;
	size_t nr_rows;
	struct top_row rows[TCPSTATE_NSTATES];	/* sorted by sort */
	__s64 total;
	size_t sel;			/* selected row (index in rows) */
	int sel_state;			/* its state: kept across sorts */
	enum top_view view;

	/* History: per state, a ring of counts, oldest overwritten */
	__s64 hist[TCPSTATE_NSTATES][TOP_HISTORY];
	size_t hist_len, hist_head;	/* samples held; the next slot */

	size_t nr_trans;
	struct top_transition trans[TOP_MAX_TRANSITIONS];
	bool listeners_known;
	size_t nr_listeners, listeners_total;
	struct top_listener listeners[TOP_MAX_LISTENERS];
	size_t nr_culprits;
	struct top_culprit culprits[TOP_MAX_CULPRITS];
	bool culprits_known;		/* a finder ran for this scope */
	size_t nr_alerts;
	struct top_alert alerts[TOP_MAX_ALERTS];

	/* Namespaces of the last snapshot, for the picker */
	size_t nr_ns;
	struct top_ns ns[TOP_MAX_NS];
	struct top_ns ns_old[TOP_MAX_NS];	/* the last list, while the next is made */
	size_t ns_cursor;		/* 0: "all"; i: ns[i - 1] */

	/* What the next frame is compared with (one scope) */
	bool has_prev, has_base;
	__u64 prev_ns, base_ns;		/* taken_ns of the previous frame, of the base */
	__s64 prev_live[TCPSTATE_NSTATES];
	__u64 prev_trans[TCPSTATE_NSTATES][TCPSTATE_NSTATES];
	__u64 base_trans[TCPSTATE_NSTATES][TCPSTATE_NSTATES];
	struct tcpstate_stats cur;	/* the scope's sum, this frame */
};

/* A model with nothing fed yet: interval_s, all_netns and self_inum set. */
void top_init(struct top_model *m, double interval_s, bool all_netns, __u32 self_inum);

/*
 * Takes one snapshot: the scope's sum, rows, changes, rates, history,
 * transitions, listeners, health, the namespace list. Ignored while
 * paused (the frame stays as it was). Returns 0, or -EAGAIN when paused.
 */
int top_feed(struct top_model *m, const struct ts_snapshot *snap);

/* Acts on one key; returns TOP_ACT_* bits. Unknown keys return 0. */
unsigned int top_key(struct top_model *m, int key);

/* The seams: copy at most the TOP_MAX_* of them, sorted for display. */
void top_set_culprits(struct top_model *m, const struct top_culprit *c, size_t nr);
void top_set_alerts(struct top_model *m, const struct top_alert *a, size_t nr);

/* One state's count history, oldest first, into out[max]; returns how many. */
size_t top_history(const struct top_model *m, int state, __s64 *out, size_t max);

/* The row of a state, or NULL. */
const struct top_row *top_row_of(const struct top_model *m, int state);
/* The selected row, or NULL when there are none. */
const struct top_row *top_selected(const struct top_model *m);

/* The next or previous interval on the ladder 0.25 .. 60 s. */
double top_interval_step(double cur, int dir);

/*
 * Transitions from (dir < 0: into) a state with the largest counts since
 * the base, into out[max]; returns how many. For the detail view.
 */
size_t top_transitions_of(const struct top_model *m, int state, bool into,
			  struct top_transition *out, size_t max);

const char *top_sort_name(enum top_sort s);

#endif /* __TCPSTATE_MODEL_TOP_H */
