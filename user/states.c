// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * states.c - TCP state names and collector error names, from the tables in
 * include/tcpstate.h.
 */
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

#define X_ERR_NAME(e, name, desc) [e] = name,
static const char *const error_names[TCPSTATE_NERRORS] = {
	TCPSTATE_FOR_EACH_ERROR(X_ERR_NAME)
};

#define X_ERR_DESC(e, name, desc) [e] = desc,
static const char *const error_descs[TCPSTATE_NERRORS] = {
	TCPSTATE_FOR_EACH_ERROR(X_ERR_DESC)
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

static bool is_named(const char *n, const char *name, size_t len)
{
	return n && strlen(n) == len && !strncmp(n, name, len);
}

int state_lookup(const char *name, size_t len, bool live_only)
{
	for (int st = 0; st < TCPSTATE_NSTATES; st++) {
		if (live_only && !TCPSTATE_IS_LIVE(st))
			continue;
		if (is_named(names[st], name, len))
			return st;
	}
	return -1;
}

const char *error_name(int err)
{
	if (err < 0 || err >= TCPSTATE_NERRORS)
		return NULL;
	return error_names[err];
}

const char *error_desc(int err)
{
	if (err < 0 || err >= TCPSTATE_NERRORS)
		return NULL;
	return error_descs[err];
}

int error_lookup(const char *name, size_t len)
{
	for (int e = 0; e < TCPSTATE_NERRORS; e++)
		if (is_named(error_names[e], name, len))
			return e;
	return -1;
}
