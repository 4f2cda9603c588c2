/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* states.h - TCP state names, from the tables in include/tcpstate.h. */
#ifndef __TCPSTATE_STATES_H
#define __TCPSTATE_STATES_H

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

#endif /* __TCPSTATE_STATES_H */
