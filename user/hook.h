/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hook.h - runs the configured alert hook: one program, no shell, no
 * arguments, what it needs to know in its environment, stdin from
 * /dev/null, stdout and stderr the daemon's, killed after a timeout.
 */
#ifndef __TCPSTATE_HOOK_H
#define __TCPSTATE_HOOK_H

/*
 * Runs path with exactly the environment env (NULL-terminated
 * "NAME=value" strings) and waits for it at most timeout_s seconds, then
 * kills it (SIGKILL) and reaps it. *status is its wait status. Returns 0
 * when it ran and exited 0, -ETIME when it was killed, -ECHILD when it
 * exited otherwise (see *status), or the -errno of posix_spawn().
 */
int hook_run(const char *path, char *const env[], unsigned int timeout_s, int *status);

#endif /* __TCPSTATE_HOOK_H */
