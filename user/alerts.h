/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * alerts.h - one round of alert evaluation, shared by `tcpstate alerts`
 * and tcpstated: the snapshot's figures (model_alerts.h), the socket
 * lookups the gates allow (sockdiag.h, each capped at alert_max_sockets),
 * the table update, then the culprits of what is active (culprit.h).
 * Nothing here prints.
 */
#ifndef __TCPSTATE_ALERTS_H
#define __TCPSTATE_ALERTS_H

#include "config.h"
#include "culprit.h"
#include "model_alerts.h"
#include "netns.h"
#include "netns_table.h"
#include "source.h"

#define ALERT_MAX_CULPRITS	3	/* groups named per alert */

struct alert_culprit {
	struct culprit_group g;
	struct culprit_proc proc;	/* proc.pid 0: no process found */
	/*
	 * TIME_WAIT holds no file: proc is then the owner the BPF collector
	 * recorded when the timewait sockets were born (tw_owner.h), of
	 * owner_sockets of them; comm is the recorded one, the rest is read
	 * from /proc when that pid still runs the same comm.
	 */
	bool owner_at_close;
	__u64 owner_sockets;
};

/* One alert in force (or just resolved), with what names its cause. */
struct alert_report {
	struct alert_state st;
	bool changed;				/* its level changed in this round */
	int old_level;				/* the level before, when changed */
	const struct alert_threshold *th;
	char netns_name[NETNS_NAME_MAX];	/* "" when it has none */
	struct ts_limits limits;		/* that namespace's sysctls */
	size_t nculprits;
	struct alert_culprit culprits[ALERT_MAX_CULPRITS];
	size_t examined;			/* sockets looked at for them */
	bool truncated;				/* alert_max_sockets reached */
};

struct alert_cache;
struct alert_ns_state;

struct alerts {
	const struct tsd_config *cfg;
	struct alert_table *table;
	struct alert_ns_state *nss;		/* one per namespace, by inum */
	size_t nnss;
	struct culprit_map *map;
	struct alert_cache *cache;		/* culprits kept between rounds */
	double lookup_share;			/* alerts_ports_still_valid(); 0: measure each round */
	int tw_map_fd;				/* BPF "timewait" map, or -1 (set by the caller) */
	int listeners_map_fd;			/* BPF "listeners" map, or -1 (likewise) */
	/*
	 * Paths and names of the namespaces, set by the caller (the table
	 * its reads go by); NULL: only the caller's own can be looked into.
	 */
	const struct netns_table *netns;
	/* Counted for the daemon's metrics. */
	__u64 lookups;				/* sock_diag queries */
	__u64 lookup_errors;
	double last_lookup_s;			/* time the last round's queries took */
	double last_owner_s;			/* and its reads of the timewait map */
	/* The timewait map as read once in a round (tw_owner.h). */
	struct tcpstate_tw *tw;
	size_t ntw;
	bool tw_read;
};

/* 0 or -ENOMEM. cfg must outlive a. */
int alerts_init(struct alerts *a, const struct tsd_config *cfg);
void alerts_free(struct alerts *a);

/*
 * One round over snap (limits filled: netns_table_fill_limits()) at now
 * (seconds, monotonic). reports/nreports (allocated; free() it) receive
 * what is active after the round and what changed level in it (the
 * resolved ones at ok), with culprits: named anew when an alert changes
 * level, else kept from an earlier round for up to alert_culprit_refresh
 * seconds (alert_cache.h). Returns 0, or -errno when the caller's
 * namespace could not be restored (fatal); lookups that fail are counted
 * and leave their alert without culprits.
 */
int alerts_round(struct alerts *a, const struct ts_snapshot *snap, double now,
		 struct alert_report **reports, size_t *nreports);

/*
 * Whether a round over snap (limits filled) would use snap->port_bound:
 * some namespace holds enough ports that only the bound can spare it a
 * lookup. The caller reads the bound then (ts_source_port_bound()).
 */
bool alerts_need_port_bound(const struct alerts *a, const struct ts_snapshot *snap);

/* The highest level among reports (ALERT_OK when none). */
int alerts_worst(const struct alert_report *r, size_t n);

#endif /* __TCPSTATE_ALERTS_H */
