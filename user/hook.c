// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hook.c - the alert hook (hook.h): posix_spawn() with the signal mask
 * and dispositions reset (the daemon blocks its signals for ppoll), then
 * waitpid() polled until the timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <time.h>
#include <sys/wait.h>
#include "clock.h"
#include "hook.h"

int hook_run(const char *path, char *const env[], unsigned int timeout_s, int *status)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	double t0;
	char *const argv[] = { (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	pid_t pid, r;
	int err;

	*status = 0;
	sigemptyset(&none);
	sigfillset(&all);
	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	if (posix_spawnattr_init(&attr)) {
		posix_spawn_file_actions_destroy(&fa);
		return -ENOMEM;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETPGROUP);
	err = posix_spawn(&pid, path, &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (err)
		return -err;
	t0 = mono_s();
	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (mono_s() - t0 >= timeout_s) {
			/* Its own process group: children it started go too. */
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -ETIME;
		}
		nanosleep(&tick, NULL);
	}
	return WIFEXITED(*status) && !WEXITSTATUS(*status) ? 0 : -ECHILD;
}
