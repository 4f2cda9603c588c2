/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * clock.h - CLOCK_MONOTONIC, the one clock of user space's intervals; and
 * the calling thread's CPU time, for what a step costs the host.
 */
#ifndef __TCPSTATE_CLOCK_H
#define __TCPSTATE_CLOCK_H

#include <time.h>
#include <linux/types.h>

static inline __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline double mono_s(void)
{
	return mono_ns() / 1e9;
}

/*
 * CPU time of the calling thread, user and system (the kernel's work in
 * its system calls too), in seconds.
 */
static inline double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* __TCPSTATE_CLOCK_H */
