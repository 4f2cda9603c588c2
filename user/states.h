/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * states.h - TCP state names and collector error names, from the tables in
 * include/tcpstate.h: user space's one home for both.
 */
#ifndef __TCPSTATE_STATES_H
#define __TCPSTATE_STATES_H

#include <stdbool.h>
#include <stddef.h>

/* The live states in display order, and how many there are. */
extern const int live_states[];
extern const size_t nr_live_states;

/* "established", "close", ...; NULL for a number with no name. */
const char *state_name(int state);
/* "ESTAB", "SYN-SENT", ... as ss prints them; NULL when unnamed. */
const char *state_ss_name(int state);
/* Writes the name or "unknown(N)" into buf and returns buf. */
const char *state_name_r(int state, char *buf, size_t len);
/* Accepts "time_wait", "time-wait", "TIME-WAIT", "timewait"; -1 if none. */
int state_parse(const char *s);
/*
 * The state named exactly name[0..len) ("fin_wait1", as /proc/net/tcpstate
 * and the metrics spell it), among the live states only or all; -1 if none.
 */
int state_lookup(const char *name, size_t len, bool live_only);

/* "netns_full", ... (TCPSTATE_FOR_EACH_ERROR); NULL when out of range. */
const char *error_name(int err);
/* The error's one-line description; NULL when out of range. */
const char *error_desc(int err);
/* The error named exactly name[0..len); -1 if none. */
int error_lookup(const char *name, size_t len);

#endif /* __TCPSTATE_STATES_H */
