/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * log.h - the one logger of user space: one line per event on stderr.
 *
 * Under systemd (JOURNAL_STREAM set) or when the caller asks for it (the
 * daemon always does), each line starts with the sd-daemon priority
 * prefix "<3>".."<7>" (systemd's sd-daemon.h: SD_ERR..SD_DEBUG), which
 * journald turns into the entry's priority; otherwise with "progname: ".
 */
#ifndef __TCPSTATE_LOG_H
#define __TCPSTATE_LOG_H

#include <stdbool.h>
#include <syslog.h>	/* LOG_ERR (3) .. LOG_DEBUG (7) */

/* prefix: always use the "<N>" prefixes, not only under systemd. */
void log_init(const char *progname, bool prefix);
/* Lines of a priority above level (less urgent) are dropped. */
void log_set_level(int level);
int log_get_level(void);
/* "err", "warning", "notice", "info", "debug" (or 3..7) -> level; -1. */
int log_level_parse(const char *s);
const char *log_level_name(int level);
/* While on, every line is dropped (a retry loop quiets its callees). */
void log_mute(bool on);

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif /* __TCPSTATE_LOG_H */
