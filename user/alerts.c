// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * alerts.c - one round of alert evaluation (alerts.h).
 *
 * Cost: the namespace-wide figures are O(1) of the socket count (the
 * snapshot's counts). A namespace costs sock_diag queries only when its
 * counts open a gate: LISTEN rows when it has listeners and the accept
 * queue alert is on (the kernel walks only its listening hash for them);
 * CLOSE_WAIT rows when it has CLOSE_WAIT sockets and an alert that needs
 * their age or owner; the port holders when the namespace as a whole
 * holds enough ports that one destination could be over the threshold;
 * TIME_WAIT rows only for a TIME_WAIT alert in force. Each query stops
 * at alert_max_sockets rows, and each runs at most once per round. The
 * culprits of an alert that keeps its level are named again only every
 * alert_culprit_refresh seconds (alert_cache.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
#include "clock.h"
#include "alert_cache.h"
#include "alerts.h"
#include "sockdiag.h"
#include "tw_owner.h"

#define MAX_DEST_GROUPS	64	/* destinations observed per namespace */
#define MAX_EVENTS	256

enum { Q_LISTEN, Q_CLOSE_WAIT, Q_PORTS, Q_TIME_WAIT, NQ };

/* A namespace's rows for this round, queried at most once each. */
struct ns_rows {
	__u32 inum;
	const char *path;		/* NULL: the caller's namespace */
	bool enterable;
	bool done[NQ];
	int err[NQ];
	struct sockdiag_result res[NQ];
	pid_t *pids[NQ];		/* owners of res[q] rows, when asked */
};

/*
 * What is kept of a namespace between rounds: its TIME_WAIT history (for
 * the growth rate), and its last port lookup with the observations it gave.
 */
struct alert_ns_state {
	__u32 netns;
	struct alert_growth growth;
	struct alert_ports_seen seen;
	struct alert_obs *port_obs;
	size_t nport_obs;
	/* The last CLOSE_WAIT lookup: when, its cost, what it observed. */
	bool cw_valid, cw_have;
	double cw_at, cw_cost;
	struct alert_obs cw_obs;
	/* When all its CLOSE_WAIT sockets were last known (a bound on their age). */
	struct alert_cw_ref cw_ref;
};

int alerts_init(struct alerts *a, const struct tsd_config *cfg)
{
	memset(a, 0, sizeof(*a));
	a->cfg = cfg;
	a->tw_map_fd = -1;
	a->listeners_map_fd = -1;
	a->table = alert_table_new(cfg->alert_max_subjects);
	/* The inode map holds every socket of the host, up to 4x the cap. */
	a->map = culprit_map_new(cfg->alert_max_sockets * 4,
				 (__u64)cfg->interval * 1000000000ull);
	a->cache = calloc(1, sizeof(*a->cache));
	a->lookup_share = ALERT_LOOKUP_SHARE;
	if (!a->table || !a->map || !a->cache) {
		alerts_free(a);
		return -ENOMEM;
	}
	return 0;
}

void alerts_free(struct alerts *a)
{
	alert_table_free(a->table);
	culprit_map_free(a->map);
	if (a->cache) {
		alert_cache_free(a->cache);
		free(a->cache);
	}
	for (size_t i = 0; i < a->nnss; i++)
		free(a->nss[i].port_obs);
	free(a->nss);
	free(a->tw);
	memset(a, 0, sizeof(*a));
}

static __u32 states_of(int q)
{
	__u32 all = 0;

	switch (q) {
	case Q_LISTEN:
		return SOCKDIAG_STATE(TCP_LISTEN);
	case Q_CLOSE_WAIT:
		return SOCKDIAG_STATE(TCP_CLOSE_WAIT);
	case Q_TIME_WAIT:
		return SOCKDIAG_STATE(TCP_TIME_WAIT);
	}
	/* Every state that holds a local port but LISTEN (request sockets too). */
	for (int s = 0; s < TCPSTATE_NSTATES; s++)
		if (TCPSTATE_IS_LIVE(s) && s != TCPSTATE_ST_LISTEN)
			all |= SOCKDIAG_STATE(s);
	return all;
}

static int rows_get(struct alerts *a, struct ns_rows *n, int q, bool want_pids,
		    const struct sockdiag_result **out)
{
	struct sockdiag_query sq = {
		.states = states_of(q), .family = AF_UNSPEC,
		.want_info = q == Q_CLOSE_WAIT, .max_rows = a->cfg->alert_max_sockets,
	};
	double t0;

	if (!n->enterable)
		return -ENOENT;
	if (!n->done[q]) {
		t0 = mono_s();
		n->done[q] = true;
		a->lookups++;
		n->err[q] = sockdiag_query_netns(n->path, &sq, &n->res[q]);
		a->last_lookup_s += mono_s() - t0;
		if (n->err[q] == -ENOTRECOVERABLE)
			return n->err[q];
		if (n->err[q])
			a->lookup_errors++;
	}
	if (n->err[q])
		return n->err[q];
	if (want_pids && !n->pids[q] && n->res[q].nr) {
		__u64 now = (__u64)(mono_s() * 1e9);

		__u32 *inodes;

		n->pids[q] = calloc(n->res[q].nr, sizeof(pid_t));
		inodes = calloc(n->res[q].nr, sizeof(*inodes));
		if (!n->pids[q] || !inodes) {
			free(inodes);
			return -ENOMEM;
		}
		/* Only these are kept by a walk: a host with more sockets than the map. */
		for (size_t i = 0; i < n->res[q].nr; i++)
			inodes[i] = n->res[q].rows[i].inode;
		culprit_map_want(a->map, inodes, n->res[q].nr);
		culprit_map_want_netns(a->map, n->inum);
		free(inodes);
		for (size_t i = 0; i < n->res[q].nr; i++)
			if (culprit_map_lookup(a->map, n->res[q].rows[i].inode, now,
					       &n->pids[q][i]))
				n->pids[q][i] = 0;
	}
	*out = &n->res[q];
	return 0;
}

static void ns_rows_free(struct ns_rows *n)
{
	for (int q = 0; q < NQ; q++) {
		sockdiag_result_free(&n->res[q]);
		free(n->pids[q]);
	}
}

struct obs_vec {
	struct alert_obs *v;
	size_t nr, cap;
};

static struct alert_obs *obs_add(struct obs_vec *o)
{
	if (o->nr == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 64;
		struct alert_obs *nv = realloc(o->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		o->v = nv;
		o->cap = ncap;
	}
	memset(&o->v[o->nr], 0, sizeof(o->v[0]));
	return &o->v[o->nr++];
}

/* Listeners are known by port: the collector's map keeps no address. */
static void listener_subject(__u16 port, char *buf, size_t len)
{
	snprintf(buf, len, "port %u", port);
}

/* One listener's figures, merged by port (the fullest queue wins). */
static int listener_obs(struct obs_vec *ov, __u32 netns, __u16 port, __u32 queue,
			__u32 max)
{
	char subj[ALERT_SUBJECT_LEN];
	struct alert_obs *o;
	double v;

	if (!max)
		return 0;
	v = (double)queue / max;
	listener_subject(port, subj, sizeof(subj));
	for (size_t i = 0; i < ov->nr; i++) {
		o = &ov->v[i];
		if (o->kind == ALERT_ACCEPT_QUEUE && o->netns == netns &&
		    !strcmp(o->subject, subj)) {
			if (v > o->value) {
				o->value = v;
				o->count = queue;
				o->limit = max;
			}
			return 0;
		}
	}
	if (!(o = obs_add(ov)))
		return -ENOMEM;
	o->kind = ALERT_ACCEPT_QUEUE;
	o->netns = netns;
	snprintf(o->subject, sizeof(o->subject), "%s", subj);
	o->count = queue;
	o->limit = max;
	o->value = v;
	return 0;
}

static void dest_subject(const struct culprit_key *k, char *buf, size_t len)
{
	char l[INET6_ADDRSTRLEN] = "?", p[64];

	inet_ntop(k->family, k->laddr, l, sizeof(l));
	sockdiag_addr_str(k->family, k->peer, k->pport, p, sizeof(p));
	snprintf(buf, len, "%s -> %s", l, p);
}

/* The rows of q whose local port is in the namespace's ephemeral range. */
static size_t ephemeral(const struct sockdiag_result *res, const pid_t *pids,
			const struct ts_limits *lim, struct sockdiag_row *out, pid_t *opids)
{
	size_t n = 0;

	for (size_t i = 0; i < res->nr; i++) {
		const struct sockdiag_row *r = &res->rows[i];

		if (r->state == TCP_LISTEN || r->state == TCP_SYN_RECV ||
		    r->sport < lim->port_range_lo || r->sport > lim->port_range_hi)
			continue;
		out[n] = *r;
		if (opids)
			opids[n] = pids ? pids[i] : 0;
		n++;
	}
	return n;
}

/* Whether an alert of kind is in force in namespace inum. */
static bool alert_active(const struct alerts *a, int kind, __u32 inum)
{
	const struct alert_state *act[64];
	size_t n = alert_table_active(a->table, act, 64);

	for (size_t i = 0; i < n; i++)
		if (act[i]->obs.kind == kind && act[i]->obs.netns == inum)
			return true;
	return false;
}

/* The namespace's kept state, made on first use; NULL past max_netns. */
static struct alert_ns_state *state_of(struct alerts *a, __u32 inum)
{
	struct alert_ns_state *p;

	for (size_t i = 0; i < a->nnss; i++)
		if (a->nss[i].netns == inum)
			return &a->nss[i];
	if (a->nnss >= a->cfg->max_netns)
		return NULL;
	p = realloc(a->nss, (a->nnss + 1) * sizeof(*p));
	if (!p)
		return NULL;
	a->nss = p;
	p = &a->nss[a->nnss++];
	memset(p, 0, sizeof(*p));
	p->netns = inum;
	p->growth.netns = inum;
	return p;
}

/*
 * Port use per destination: from the namespace's port holders (a lookup
 * of every one of them), or from the last lookup while it stands
 * (alerts_ports_still_valid(): young for what it cost, or no destination
 * within reach since). Appended to ov; what a lookup gave is kept in p
 * (NULL: nothing kept, looked up every round).
 */
static int observe_ports(struct alerts *a, struct alert_ns_state *p,
			 const struct ts_netns *ns, struct ns_rows *n, double now,
			 struct obs_vec *ov)
{
	const struct sockdiag_result *res;
	struct culprit_group *grp = NULL;
	__u32 range = alerts_port_range(&ns->limits);
	struct sockdiag_row *eph;
	struct alert_obs *o, *kept;
	size_t ng = 0, ne, k;
	double max = 0, t0;
	int err;

	if (p && alerts_ports_still_valid(&p->seen, ns, &a->cfg->alerts, now, a->lookup_share)) {
		for (k = 0; k < p->nport_obs; k++) {
			if (!(o = obs_add(ov)))
				return -ENOMEM;
			*o = p->port_obs[k];
		}
		return 0;
	}
	if (p)
		p->seen.valid = false;
	t0 = mono_s();
	err = rows_get(a, n, Q_PORTS, false, &res);
	if (err == -ENOTRECOVERABLE || err == -ENOMEM)
		return err;
	if (err)
		return 0;
	eph = malloc((res->nr ? res->nr : 1) * sizeof(*eph));
	if (!eph)
		return -ENOMEM;
	ne = ephemeral(res, NULL, &ns->limits, eph, NULL);
	err = culprit_group(eph, NULL, ne, CULPRIT_BY_LADDR | CULPRIT_BY_PEER_ADDR |
			    CULPRIT_BY_PEER_PORT, MAX_DEST_GROUPS, &grp, &ng, NULL);
	free(eph);
	if (err)
		return err;
	kept = ng ? malloc(ng * sizeof(*kept)) : NULL;
	for (k = 0; k < ng; k++) {
		if (!(o = obs_add(ov))) {
			free(grp);
			free(kept);
			return -ENOMEM;
		}
		o->kind = ALERT_PORT_USE;
		o->netns = ns->inum;
		dest_subject(&grp[k].key, o->subject, sizeof(o->subject));
		o->count = (double)grp[k].count;
		o->limit = range;
		o->value = (double)grp[k].count / range;
		if (o->count > max)
			max = o->count;
		if (kept) {
			kept[k] = *o;
			kept[k].at = now;
		}
	}
	free(grp);
	/*
	 * Kept for its cost's time; for the bound only when complete (a
	 * truncated lookup may have missed the busiest destination).
	 */
	if (p && (kept || !ng)) {
		free(p->port_obs);
		p->port_obs = kept;
		p->nport_obs = ng;
		p->seen = (struct alert_ports_seen){ .valid = true, .at = now,
						     .cost = mono_s() - t0,
						     .max = res->truncated ? INFINITY : max,
						     .range = range,
						     .opens = alerts_port_opens(ns) };
	} else {
		free(kept);
	}
	return 0;
}

/*
 * The age of the namespace's oldest CLOSE_WAIT socket: from a lookup of
 * them (the kernel walks every socket of the namespace to find them), or
 * from the last one while it stands for what it cost
 * (alerts_lookup_stands(); the kept observation carries its time).
 */
static int observe_close_wait_age(struct alerts *a, struct alert_ns_state *p,
				  const struct ts_netns *ns, struct ns_rows *n,
				  double now, struct obs_vec *ov)
{
	const struct sockdiag_result *res;
	long long oldest = -1;
	bool unknown = false;
	struct alert_obs *o;
	double t0;
	int err;

	if (p && p->cw_valid && alerts_lookup_stands(p->cw_at, p->cw_cost, now, a->lookup_share)) {
		if (!p->cw_have)
			return 0;
		if (!(o = obs_add(ov)))
			return -ENOMEM;
		*o = p->cw_obs;
		return 0;
	}
	t0 = mono_s();
	err = rows_get(a, n, Q_CLOSE_WAIT, false, &res);
	if (err == -ENOTRECOVERABLE || err == -ENOMEM)
		return err;
	if (err)
		return 0;
	for (size_t k = 0; k < res->nr; k++) {
		long long age = sockdiag_age_ms(&res->rows[k]);

		if (age > oldest)
			oldest = age;
		if (age < 0)
			unknown = true;
	}
	if (p) {
		/* Kept only when complete: a truncated one may miss the oldest. */
		p->cw_valid = !res->truncated;
		p->cw_at = now;
		p->cw_cost = mono_s() - t0;
		p->cw_have = oldest >= 0;
		if (p->cw_valid && !unknown)
			p->cw_ref = (struct alert_cw_ref){ .valid = true, .at = now,
							   .oldest = oldest > 0 ? oldest / 1000.0 : 0 };
	}
	if (oldest < 0)
		return 0;
	if (!(o = obs_add(ov)))
		return -ENOMEM;
	o->kind = ALERT_CLOSE_WAIT_AGE;
	o->netns = ns->inum;
	o->value = oldest / 1000.0;
	o->count = (double)res->nr;
	o->at = now;
	if (p)
		p->cw_obs = *o;
	return 0;
}

/* The observations of one namespace. */
static int observe(struct alerts *a, const struct ts_netns *ns, struct ns_rows *n,
		   const struct tcpstate_listener *lst, size_t nlst, __s64 port_bound,
		   double now, struct obs_vec *ov)
{
	const struct alert_rules *r = &a->cfg->alerts;
	const struct sockdiag_result *res;
	struct alert_obs tmp[3], *o;
	struct alert_ns_state *state = state_of(a, ns->inum);
	struct alert_growth scratch = {};
	size_t k, m;
	int err;

	m = alerts_observe_netns(ns, r, state ? &state->growth : &scratch, now, tmp);
	for (k = 0; k < m; k++) {
		if (!(o = obs_add(ov)))
			return -ENOMEM;
		*o = tmp[k];
	}
	if (r->th[ALERT_ACCEPT_QUEUE].warning > 0 && ns->st.live[TCPSTATE_ST_LISTEN] > 0) {
		if (lst) {
			/* The BPF collector's map: no query, no setns. */
			for (k = 0; k < nlst; k++)
				if (lst[k].netns == ns->inum &&
				    (err = listener_obs(ov, ns->inum, lst[k].port,
							lst[k].accept_queue, lst[k].accept_max)))
					return err;
		} else {
			err = rows_get(a, n, Q_LISTEN, false, &res);
			if (err == -ENOTRECOVERABLE || err == -ENOMEM)
				return err;
			for (k = 0; !err && k < res->nr; k++) {
				const struct sockdiag_row *l = &res->rows[k];
				int e = listener_obs(ov, ns->inum, l->sport, l->rqueue, l->wqueue);

				if (e)
					return e;
			}
		}
	}
	if (state && ns->st.live[TCPSTATE_ST_CLOSE_WAIT] <= 0)
		state->cw_ref = (struct alert_cw_ref){ .valid = true, .at = now };
	if (alerts_need_close_wait_lookup(ns, r) && r->th[ALERT_CLOSE_WAIT_AGE].warning > 0 &&
	    !(state && !alert_active(a, ALERT_CLOSE_WAIT_AGE, ns->inum) &&
	      alerts_close_wait_young(&state->cw_ref, r, now))) {
		err = observe_close_wait_age(a, state, ns, n, now, ov);
		if (err)
			return err;
	}
	if (alerts_need_port_lookup(ns, r, alert_active(a, ALERT_PORT_USE, ns->inum), port_bound)) {
		err = observe_ports(a, state, ns, n, now, ov);
		if (err)
			return err;
	}
	return 0;
}

/* The owner the collector recorded for the group's timewait sockets. */
static void owner_at_close(struct alerts *a, __u32 netns, struct alert_culprit *c)
{
	const struct sockdiag_row *s = &c->g.sample;
	/* Grouped by local port (no peer in the key): that port's owner. */
	bool local = c->g.key.lport && !c->g.key.pport;
	struct tw_dest d = { .netns = netns, .family = s->family, .dport = s->dport,
			     .sport = s->sport, .by_local = local };
	struct tw_owner own[4];
	size_t n = 0;
	struct culprit_proc p;

	double t0 = mono_s();

	memcpy(d.daddr, s->daddr, sizeof(d.daddr));
	if (!a->tw_read) {
		/* Once a round, whatever the number of culprits. */
		a->tw_read = true;
		if (tw_read(a->tw_map_fd, a->cfg->alert_max_sockets, &a->tw, &a->ntw))
			a->lookup_errors++;
	}
	culprit_tw_fold(a->tw, a->ntw, &d, own, 4, &n);
	culprit_tw_sort(own, n);
	a->last_owner_s += mono_s() - t0;
	if (!n || !own[0].tgid)
		return;
	c->owner_at_close = true;
	c->owner_sockets = own[0].count;
	if (!culprit_proc_read((pid_t)own[0].tgid, &p) && !strcmp(p.comm, own[0].comm)) {
		c->proc = p;
		return;
	}
	/* Gone (or the pid reused): what the collector recorded. */
	memset(&c->proc, 0, sizeof(c->proc));
	c->proc.pid = (pid_t)own[0].tgid;
	snprintf(c->proc.comm, sizeof(c->proc.comm), "%s", own[0].comm);
	snprintf(c->proc.cmdline, sizeof(c->proc.cmdline), "(exited)");
}

static void add_culprit(struct alerts *a, struct alert_report *rep,
			const struct culprit_group *g)
{
	struct alert_culprit *c;
	pid_t pid;

	if (rep->nculprits == ALERT_MAX_CULPRITS)
		return;
	c = &rep->culprits[rep->nculprits++];
	memset(c, 0, sizeof(*c));
	c->g = *g;
	pid = g->key.pid ? g->key.pid : g->any_pid;
	if (pid && culprit_proc_read(pid, &c->proc))
		c->proc.pid = 0;
	if (!c->proc.pid && a->tw_map_fd >= 0 && g->sample.state == TCP_TIME_WAIT)
		owner_at_close(a, rep->st.obs.netns, c);
}

static unsigned int tw_grouping(const struct sockdiag_result *res)
{
	const unsigned int dest = CULPRIT_BY_PEER_ADDR | CULPRIT_BY_PEER_PORT;
	struct culprit_group *g = NULL;
	__u64 top_dest = 0, top_local = 0;
	size_t ng = 0;

	if (!culprit_group(res->rows, NULL, res->nr, dest, MAX_DEST_GROUPS, &g, &ng, NULL) && ng)
		top_dest = g[0].count;
	free(g);
	g = NULL;
	if (!culprit_group(res->rows, NULL, res->nr, CULPRIT_BY_LPORT, MAX_DEST_GROUPS, &g,
			   &ng, NULL) && ng)
		top_local = g[0].count;
	free(g);
	return top_local > top_dest ? CULPRIT_BY_LADDR | CULPRIT_BY_LPORT : dest;
}

/* Groups rows (with pids) by 'by' and names the largest groups. */
static int name_groups(struct alerts *a, struct alert_report *rep,
		       const struct sockdiag_row *rows,
		       const pid_t *pids, size_t nr, unsigned int by)
{
	struct culprit_group *g = NULL;
	size_t ng = 0;
	int err;

	err = culprit_group(rows, pids, nr, by, MAX_DEST_GROUPS, &g, &ng, NULL);
	if (err)
		return err;
	for (size_t k = 0; k < ng; k++)
		add_culprit(a, rep, &g[k]);
	free(g);
	return 0;
}

static int culprits(struct alerts *a, struct ns_rows *n, const struct ts_netns *ns,
		    struct alert_report *rep)
{
	const struct sockdiag_result *res;
	const struct alert_obs *o = &rep->st.obs;
	struct sockdiag_row *sel = NULL;
	pid_t *spids = NULL;
	char subj[ALERT_SUBJECT_LEN];
	size_t ns_ = 0;
	int err = 0;

	switch (o->kind) {
	case ALERT_CLOSE_WAIT_COUNT:
	case ALERT_CLOSE_WAIT_AGE:
		err = rows_get(a, n, Q_CLOSE_WAIT, true, &res);
		if (err)
			break;
		rep->examined = res->nr;
		rep->truncated = res->truncated;
		err = name_groups(a, rep, res->rows, n->pids[Q_CLOSE_WAIT], res->nr,
				  CULPRIT_BY_LPORT | CULPRIT_BY_PID);
		break;
	case ALERT_TIME_WAIT_COUNT:
	case ALERT_TIME_WAIT_GROWTH:
		err = rows_get(a, n, Q_TIME_WAIT, false, &res);
		if (err)
			break;
		rep->examined = res->nr;
		rep->truncated = res->truncated;
		/*
		 * By destination (the closing client's side: it may spread over
		 * local addresses) or by local port (a server that closes
		 * first), whichever gathers more.
		 */
		err = name_groups(a, rep, res->rows, NULL, res->nr, tw_grouping(res));
		break;
	case ALERT_ACCEPT_QUEUE:
		err = rows_get(a, n, Q_LISTEN, true, &res);
		if (err)
			break;
		rep->examined = res->nr;
		{
			size_t best = res->nr;

			/* The fullest listener on that port. */
			for (size_t k = 0; k < res->nr; k++) {
				const struct sockdiag_row *l = &res->rows[k];

				listener_subject(l->sport, subj, sizeof(subj));
				if (strcmp(subj, o->subject) || !l->wqueue)
					continue;
				if (best == res->nr || (double)l->rqueue / l->wqueue >
				    (double)res->rows[best].rqueue / res->rows[best].wqueue)
					best = k;
			}
			if (best < res->nr)
				err = name_groups(a, rep, &res->rows[best],
						  &n->pids[Q_LISTEN][best], 1, CULPRIT_BY_LADDR |
						  CULPRIT_BY_LPORT | CULPRIT_BY_PID);
		}
		break;
	case ALERT_PORT_USE:
		err = rows_get(a, n, Q_PORTS, true, &res);
		if (err || !res->nr)
			break;
		rep->examined = res->nr;
		rep->truncated = res->truncated;
		sel = malloc(res->nr * sizeof(*sel));
		spids = malloc(res->nr * sizeof(*spids));
		if (!sel || !spids) {
			err = -ENOMEM;
			break;
		}
		ns_ = ephemeral(res, n->pids[Q_PORTS], &ns->limits, sel, spids);
		/* Keep the rows of the subject's destination. */
		{
			size_t w = 0;

			for (size_t k = 0; k < ns_; k++) {
				struct culprit_key key = { .family = sel[k].family,
							   .pport = sel[k].dport };

				memcpy(key.laddr, sel[k].saddr, sizeof(key.laddr));
				memcpy(key.peer, sel[k].daddr, sizeof(key.peer));
				dest_subject(&key, subj, sizeof(subj));
				if (strcmp(subj, o->subject))
					continue;
				sel[w] = sel[k];
				spids[w] = spids[k];
				w++;
			}
			ns_ = w;
		}
		err = name_groups(a, rep, sel, spids, ns_, CULPRIT_BY_LADDR |
				  CULPRIT_BY_PEER_ADDR | CULPRIT_BY_PEER_PORT);
		break;
	}
	free(sel);
	free(spids);
	return err == -ENOTRECOVERABLE || err == -ENOMEM ? err : 0;
}

/* The caller's table entry of inum, or NULL (none, or no table). */
static const struct netns_entry *netns_entry_of(const struct alerts *a, __u32 inum)
{
	return a->netns ? netns_table_find(a->netns, inum) : NULL;
}

static struct ns_rows *rows_of(struct ns_rows *rows, size_t nr, __u32 inum)
{
	for (size_t i = 0; i < nr; i++)
		if (rows[i].inum == inum)
			return &rows[i];
	return NULL;
}

int alerts_round(struct alerts *a, const struct ts_snapshot *snap, double now,
		 struct alert_report **reports, size_t *nreports)
{
	struct ns_rows *rows = NULL;
	struct obs_vec ov = {};
	struct alert_event *ev = NULL;
	const struct alert_state **act = NULL;
	struct alert_report *rep = NULL;
	struct alert_cache kept = {};
	struct tcpstate_listener *lst = NULL;
	size_t nact, nrep = 0, nlst = 0;
	__u32 self = 0;
	int nev = 0, err;

	*reports = NULL;
	*nreports = 0;
	a->last_lookup_s = 0;
	a->last_owner_s = 0;
	free(a->tw);
	a->tw = NULL;
	a->ntw = 0;
	a->tw_read = false;
	culprit_map_unwant(a->map);
	err = netns_self(&self);
	if (err)
		return err;
	if (a->listeners_map_fd >= 0 &&
	    tw_listeners(a->listeners_map_fd, TCPSTATE_MAX_LISTENERS, &lst, &nlst)) {
		a->lookup_errors++;	/* then per namespace, with sock_diag */
		lst = NULL;
	}
	rows = calloc(snap->nr_netns ? snap->nr_netns : 1, sizeof(*rows));
	ev = calloc(MAX_EVENTS, sizeof(*ev));
	act = calloc(a->cfg->alert_max_subjects, sizeof(*act));
	if (!rows || !ev || !act) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < snap->nr_netns; i++) {
		const struct ts_netns *ns = &snap->netns[i];
		struct ns_rows *n = &rows[i];

		n->inum = ns->inum;
		if (ns->inum == self) {
			n->enterable = true;
		} else {
			const struct netns_entry *e = netns_entry_of(a, ns->inum);

			if (e && e->info.path[0]) {
				n->path = e->info.path;
				n->enterable = true;
			}
		}
		err = observe(a, ns, n, lst, nlst, snap->port_bound, now, &ov);
		if (err)
			goto cleanup;
	}
	nev = alert_table_update(a->table, &a->cfg->alerts, ov.v, ov.nr, now, ev, MAX_EVENTS);
	if (nev < 0) {
		err = nev;
		goto cleanup;
	}
	nact = alert_table_active(a->table, act, a->cfg->alert_max_subjects);
	rep = calloc(nact + (size_t)nev + 1, sizeof(*rep));
	if (!rep) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (size_t i = 0; i < nact + (size_t)nev; i++) {
		const struct alert_state *st = i < nact ? act[i] : &ev[i - nact].st;
		struct alert_report *r = &rep[nrep];
		const struct ts_netns *ns = ts_snapshot_find(snap, st->obs.netns);
		struct ns_rows *n = rows_of(rows, snap->nr_netns, st->obs.netns);
		bool dup = false;

		if (i >= nact && st->level != ALERT_OK) {
			/* Already listed as active: mark it changed. */
			for (size_t k = 0; k < nrep; k++)
				if (rep[k].st.obs.kind == st->obs.kind &&
				    rep[k].st.obs.netns == st->obs.netns &&
				    !strcmp(rep[k].st.obs.subject, st->obs.subject)) {
					rep[k].changed = true;
					rep[k].old_level = ev[i - nact].old_level;
					dup = true;
				}
		}
		if (dup)
			continue;
		r->st = *st;
		r->th = &a->cfg->alerts.th[st->obs.kind];
		if (i >= nact) {
			r->changed = true;
			r->old_level = ev[i - nact].old_level;
		}
		{
			const struct netns_entry *e = netns_entry_of(a, st->obs.netns);

			snprintf(r->netns_name, sizeof(r->netns_name), "%s", e ? e->info.name : "");
		}
		if (ns)
			r->limits = ns->limits;
		nrep++;
		if (ns && n && st->level != ALERT_OK) {
			const struct alert_cache_entry *e;
			double named_at = now, cost, t0;

			e = alert_cache_fresh(a->cache, r, now, a->cfg->alert_culprit_refresh);
			if (e) {
				alert_cache_apply(e, r);
				named_at = e->named_at;
				cost = e->cost;
			} else {
				t0 = mono_s();
				err = culprits(a, n, ns, r);
				if (err)
					goto cleanup;
				cost = mono_s() - t0;
			}
			err = alert_cache_put(&kept, r, named_at, cost);
			if (err)
				goto cleanup;
		}
	}
	/* What is no longer in force is forgotten. */
	alert_cache_free(a->cache);
	*a->cache = kept;
	kept = (struct alert_cache){};
	*reports = rep;
	*nreports = nrep;
	rep = NULL;
	err = 0;
cleanup:
	for (size_t i = 0; rows && i < snap->nr_netns; i++)
		ns_rows_free(&rows[i]);
	free(rows);
	free(lst);
	free(a->tw);		/* up to alert_max_sockets records: not kept */
	a->tw = NULL;
	a->ntw = 0;
	a->tw_read = false;
	free(ov.v);
	free(ev);
	free(act);
	free(rep);
	alert_cache_free(&kept);
	return err;
}

bool alerts_need_port_bound(const struct alerts *a, const struct ts_snapshot *snap)
{
	for (size_t i = 0; i < snap->nr_netns; i++) {
		const struct ts_netns *ns = &snap->netns[i];

		if (!alert_active(a, ALERT_PORT_USE, ns->inum) &&
		    alerts_port_holders_may_warn(ns, &a->cfg->alerts))
			return true;
	}
	return false;
}

int alerts_worst(const struct alert_report *r, size_t n)
{
	int w = ALERT_OK;

	for (size_t i = 0; i < n; i++)
		if (r[i].st.level > w)
			w = r[i].st.level;
	return w;
}
