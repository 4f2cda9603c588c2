/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* memcg.h - which memory cgroup pays for the collector's kernel memory. */
#ifndef __TCPSTATE_MEMCG_H
#define __TCPSTATE_MEMCG_H

/*
 * Moves the calling process to the root of its memory cgroup hierarchy,
 * so that maps created afterwards (and everything they allocate later,
 * per socket) are charged there and not to the caller's cgroup. Returns 0,
 * or a negative errno when there is no memory controller or no permission;
 * the caller may go on either way.
 */
int memcg_enter_root(void);

#endif /* __TCPSTATE_MEMCG_H */
