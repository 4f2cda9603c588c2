// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* log.c - one line per event on stderr, with sd-daemon prefixes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"

static const char *log_ident = "tcpstate";
static bool log_prefix;
static int log_level = LOG_INFO;
static bool log_muted;

static const char *const level_names[] = {
	[LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_init(const char *progname, bool prefix)
{
	const char *js = getenv("JOURNAL_STREAM");

	log_ident = progname;
	log_prefix = prefix || (js && *js);
}

void log_set_level(int level)
{
	if (level >= LOG_ERR && level <= LOG_DEBUG)
		log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *s)
{
	for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
		if (!strcmp(s, level_names[i]) || (s[0] == '0' + i && !s[1]))
			return i;
	return -1;
}

const char *log_level_name(int level)
{
	if (level < LOG_ERR || level > LOG_DEBUG)
		return "unknown";
	return level_names[level];
}

void log_mute(bool on)
{
	log_muted = on;
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (prio < LOG_ERR)
		prio = LOG_ERR;
	if (prio > log_level || log_muted)
		return;
	if (log_prefix)
		n = snprintf(line, sizeof(line), "<%d>", prio);
	else
		n = snprintf(line, sizeof(line), "%s: ", log_ident);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	/* One line per event: no newline inside, one at the end. */
	for (char *p = line + n; *p; p++)
		if (*p == '\n')
			*p = ' ';
	n = strlen(line);
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n++] = '\n';
	/* One write(2), so that lines of concurrent writers do not mix. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}
