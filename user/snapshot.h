/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* snapshot.h - building a struct ts_snapshot (for the sources). */
#ifndef __TCPSTATE_SNAPSHOT_H
#define __TCPSTATE_SNAPSHOT_H

#include "source.h"

/* The entry for inum, added (zeroed, kept sorted) when missing; NULL on ENOMEM. */
struct ts_netns *snapshot_get(struct ts_snapshot *snap, __u32 inum);
/* The entry for inum, or NULL. */
struct ts_netns *snapshot_find_mut(struct ts_snapshot *snap, __u32 inum);

#endif /* __TCPSTATE_SNAPSHOT_H */
