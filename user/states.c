// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* states.c - TCP state names, from the tables in include/tcpstate.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "tcpstate.h"
#include "states.h"

#define X_INDEX(idx, name, ss) idx,
const int live_states[] = { TCPSTATE_FOR_EACH_STATE(X_INDEX) };
const size_t nr_live_states = sizeof(live_states) / sizeof(live_states[0]);

#define X_NAME(idx, name, ss) [idx] = name,
static const char *const names[TCPSTATE_NSTATES] = {
	TCPSTATE_FOR_EACH_STATE(X_NAME)
	TCPSTATE_FOR_EACH_OTHER_STATE(X_NAME)
};

#define X_SS(idx, name, ss) [idx] = ss,
static const char *const ss_names[TCPSTATE_NSTATES] = {
	TCPSTATE_FOR_EACH_STATE(X_SS)
	TCPSTATE_FOR_EACH_OTHER_STATE(X_SS)
};

const char *state_name(int state)
{
	if (state < 0 || state >= TCPSTATE_NSTATES)
		return NULL;
	return names[state];
}

const char *state_ss_name(int state)
{
	if (state < 0 || state >= TCPSTATE_NSTATES)
		return NULL;
	return ss_names[state];
}

const char *state_name_r(int state, char *buf, size_t len)
{
	const char *n = state_name(state);

	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "unknown(%d)", state);
	return buf;
}

int state_parse(const char *s)
{
	char norm[32];
	size_t i, j = 0;

	for (i = 0; s[i] && j < sizeof(norm) - 1; i++) {
		if (s[i] == '-' || s[i] == '_')
			continue;
		norm[j++] = tolower((unsigned char)s[i]);
	}
	if (s[i])
		return -1;
	norm[j] = '\0';
	for (int st = 0; st < TCPSTATE_NSTATES; st++) {
		char cand[32];
		const char *n = names[st];

		if (!n)
			continue;
		for (i = 0, j = 0; n[i] && j < sizeof(cand) - 1; i++)
			if (n[i] != '_')
				cand[j++] = n[i];
		cand[j] = '\0';
		if (!strcmp(cand, norm))
			return st;
	}
	if (!strcmp(norm, "estab"))
		return TCPSTATE_ST_ESTABLISHED;
	return -1;
}
