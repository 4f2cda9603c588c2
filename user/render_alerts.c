// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * render_alerts.c - alert reports (alerts.h) as text or JSON: render,
 * compute nothing beyond formatting.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/tcp.h>
#include "json.h"
#include "render_alerts.h"
#include "sockdiag.h"

static const char *upper_level(int level)
{
	switch (level) {
	case ALERT_WARNING:
		return "WARNING";
	case ALERT_CRITICAL:
		return "CRITICAL";
	}
	return "RESOLVED";
}

/* The sysctls that matter for a kind, as "name=value" into buf. */
static const char *sysctls(const struct alert_report *r, char *buf, size_t len)
{
	const struct ts_limits *l = &r->limits;

	buf[0] = '\0';
	if (!l->known)
		return "(not readable in that namespace)";
	switch (r->st.obs.kind) {
	case ALERT_TIME_WAIT_COUNT:
	case ALERT_TIME_WAIT_GROWTH:
	case ALERT_PORT_USE:
		snprintf(buf, len, "net.ipv4.ip_local_port_range=%u %u "
			 "net.ipv4.tcp_tw_reuse=%lld net.ipv4.tcp_max_tw_buckets=%llu "
			 "net.ipv4.tcp_fin_timeout=%llu", l->port_range_lo, l->port_range_hi,
			 l->tw_reuse, (unsigned long long)l->max_tw_buckets,
			 (unsigned long long)l->fin_timeout_s);
		break;
	case ALERT_ACCEPT_QUEUE:
		snprintf(buf, len, "net.core.somaxconn=%lld", l->somaxconn);
		break;
	default:
		snprintf(buf, len, "none governs CLOSE_WAIT (net.ipv4.tcp_fin_timeout=%llu "
			 "is for orphaned FIN_WAIT2)", (unsigned long long)l->fin_timeout_s);
	}
	return buf;
}

/* "2000 CLOSE_WAIT sockets", "81% of 1000 ports", ... */
static void what(const struct alert_report *r, char *buf, size_t len)
{
	const struct alert_state *s = &r->st;
	const struct alert_obs *o = &s->obs;

	switch (o->kind) {
	case ALERT_TIME_WAIT_COUNT:
		snprintf(buf, len, "%.0f TIME_WAIT sockets", o->value);
		break;
	case ALERT_TIME_WAIT_GROWTH:
		snprintf(buf, len, "TIME_WAIT growing by %.1f/s (now %.0f)", o->value, o->count);
		break;
	case ALERT_CLOSE_WAIT_COUNT:
		snprintf(buf, len, "%.0f CLOSE_WAIT sockets", o->value);
		break;
	case ALERT_CLOSE_WAIT_AGE:
		snprintf(buf, len, "oldest CLOSE_WAIT socket %.0f s old (%.0f examined)",
			 o->value, o->count);
		break;
	case ALERT_ACCEPT_QUEUE:
		snprintf(buf, len, "listener on %s: accept queue %.0f of %.0f (%.0f%%)",
			 o->subject, o->count, o->limit, 100 * o->value);
		break;
	case ALERT_PORT_USE:
		if (s->eta_s >= 0)
			snprintf(buf, len, "%s holds %.0f of %.0f ephemeral ports (%.0f%%), "
				 "exhausted in %.0f s at +%.1f/s", o->subject, o->count,
				 o->limit, 100 * o->value, s->eta_s, s->rate);
		else
			snprintf(buf, len, "%s holds %.0f of %.0f ephemeral ports (%.0f%%), "
				 "not growing", o->subject, o->count, o->limit, 100 * o->value);
		break;
	default:
		snprintf(buf, len, "%g", o->value);
	}
}

static void culprit_line(FILE *f, const struct alert_report *r, const struct alert_culprit *c)
{
	const struct culprit_group *g = &c->g;
	const struct sockdiag_row *s = &g->sample;
	char peer[64], local[64];

	sockdiag_addr_str(s->family, s->daddr, s->dport, peer, sizeof(peer));
	sockdiag_addr_str(s->family, s->saddr, s->sport, local, sizeof(local));
	if (r->st.obs.kind == ALERT_ACCEPT_QUEUE) {
		if (c->proc.pid)
			fprintf(f, "  culprit: pid %d comm %s cmdline \"%s\" cgroup %s%s%s, "
				"listening on %s\n", (int)c->proc.pid, c->proc.comm,
				c->proc.cmdline, c->proc.cgroup[0] ? c->proc.cgroup : "/",
				c->proc.container[0] ? " container " : "", c->proc.container,
				local);
		else
			fprintf(f, "  culprit: no process found, listening on %s\n", local);
		return;
	}
	fprintf(f, "  culprit: %llu sockets", (unsigned long long)g->count);
	if (c->owner_at_close)
		fprintf(f, " (TIME_WAIT), owner when they closed (%llu of them): pid %d comm %s "
			"cmdline \"%s\" cgroup %s%s%s", (unsigned long long)c->owner_sockets,
			(int)c->proc.pid, c->proc.comm, c->proc.cmdline,
			c->proc.cgroup[0] ? c->proc.cgroup : "/",
			c->proc.container[0] ? " container " : "", c->proc.container);
	else if (c->proc.pid)
		fprintf(f, ", pid %d comm %s cmdline \"%s\" cgroup %s%s%s", (int)c->proc.pid,
			c->proc.comm, c->proc.cmdline, c->proc.cgroup[0] ? c->proc.cgroup : "/",
			c->proc.container[0] ? " container " : "", c->proc.container);
	else if (r->st.obs.kind == ALERT_TIME_WAIT_COUNT ||
		 r->st.obs.kind == ALERT_TIME_WAIT_GROWTH)
		fprintf(f, " (TIME_WAIT: no process holds them)");
	else
		fprintf(f, ", no process found");
	if (g->lport_min != g->lport_max)
		fprintf(f, ", local ports %u-%u", g->lport_min, g->lport_max);
	else
		fprintf(f, ", local %s", local);
	fprintf(f, ", peer %s", peer);
	if (g->oldest_ms >= 0)
		fprintf(f, ", oldest %.0f s", g->oldest_ms / 1000.0);
	fputc('\n', f);
}

static const char *netns_label(const struct alert_report *r, char *buf, size_t len)
{
	if (r->netns_name[0])
		snprintf(buf, len, "%u (%s)", r->st.obs.netns, r->netns_name);
	else
		snprintf(buf, len, "%u", r->st.obs.netns);
	return buf;
}

int render_alerts_text(FILE *f, const struct alert_report *reps, size_t n)
{
	char buf[512], ns[96];
	size_t shown = 0;

	for (size_t i = 0; i < n; i++) {
		const struct alert_report *r = &reps[i];
		const char *const *h;

		if (r->st.level == ALERT_OK && !r->changed)
			continue;
		shown++;
		what(r, buf, sizeof(buf));
		fprintf(f, "%s %s netns %s: %s (warning %g", upper_level(r->st.level),
			alert_kind_name(r->st.obs.kind), netns_label(r, ns, sizeof(ns)), buf,
			r->th->warning);
		if (r->th->critical > 0)
			fprintf(f, ", critical %g", r->th->critical);
		fputs(")\n", f);
		for (size_t k = 0; k < r->nculprits; k++)
			culprit_line(f, r, &r->culprits[k]);
		if (r->truncated)
			fprintf(f, "  (culprits from the first %zu sockets only: alert_max_sockets)\n",
				r->examined);
		if (r->st.level == ALERT_OK)
			continue;
		fprintf(f, "  sysctls: %s\n", sysctls(r, buf, sizeof(buf)));
		for (h = alert_hints(r->st.obs.kind); *h; h++)
			fprintf(f, "  hint: %s\n", *h);
	}
	if (!shown)
		fputs("OK: no alert\n", f);
	return ferror(f) ? -EIO : 0;
}

static void json_culprit(struct json *j, const struct alert_culprit *c)
{
	const struct culprit_group *g = &c->g;
	const struct sockdiag_row *s = &g->sample;
	char a[INET6_ADDRSTRLEN] = "";

	json_obj_open(j, NULL);
	json_u64(j, "sockets", g->count);
	if (c->proc.pid) {
		json_s64(j, "pid", c->proc.pid);
		json_str(j, "comm", c->proc.comm);
		json_str(j, "cmdline", c->proc.cmdline);
		json_str(j, "cgroup", c->proc.cgroup);
		json_str(j, "container", c->proc.container);
		json_bool(j, "owner_at_close", c->owner_at_close);
		if (c->owner_at_close)
			json_u64(j, "owner_sockets", c->owner_sockets);
	}
	inet_ntop(s->family, s->saddr, a, sizeof(a));
	json_str(j, "local_addr", a);
	json_u64(j, "local_port_min", g->lport_min);
	json_u64(j, "local_port_max", g->lport_max);
	inet_ntop(s->family, s->daddr, a, sizeof(a));
	json_str(j, "peer_addr", a);
	json_u64(j, "peer_port", s->dport);
	if (g->oldest_ms >= 0)
		json_u64(j, "oldest_ms", (__u64)g->oldest_ms);
	json_obj_close(j);
}

int render_alerts_json(FILE *f, const struct alert_report *reps, size_t n, int worst)
{
	struct json j;
	char buf[512];

	json_init(&j, f);
	json_obj_open(&j, NULL);
	json_str(&j, "status", alert_level_name(worst));
	json_arr_open(&j, "alerts");
	for (size_t i = 0; i < n; i++) {
		const struct alert_report *r = &reps[i];
		const struct ts_limits *l = &r->limits;
		const char *const *h;

		if (r->st.level == ALERT_OK && !r->changed)
			continue;
		json_obj_open(&j, NULL);
		json_str(&j, "alert", alert_kind_name(r->st.obs.kind));
		json_str(&j, "level", alert_level_name(r->st.level));
		json_u64(&j, "netns", r->st.obs.netns);
		json_str(&j, "netns_name", r->netns_name);
		json_str(&j, "subject", r->st.obs.subject);
		snprintf(buf, sizeof(buf), "%g", r->st.obs.value);
		json_str(&j, "value", buf);
		snprintf(buf, sizeof(buf), "%g", r->th->warning);
		json_str(&j, "warning", buf);
		snprintf(buf, sizeof(buf), "%g", r->th->critical);
		json_str(&j, "critical", buf);
		json_u64(&j, "count", (__u64)r->st.obs.count);
		if (r->st.obs.limit > 0)
			json_u64(&j, "limit", (__u64)r->st.obs.limit);
		if (r->st.obs.kind == ALERT_PORT_USE) {
			snprintf(buf, sizeof(buf), "%g", r->st.rate);
			json_str(&j, "rate_per_second", buf);
			if (r->st.eta_s >= 0)
				json_u64(&j, "exhausted_in_seconds", (__u64)(r->st.eta_s + 0.5));
		}
		what(r, buf, sizeof(buf));
		json_str(&j, "summary", buf);
		json_arr_open(&j, "culprits");
		for (size_t k = 0; k < r->nculprits; k++)
			json_culprit(&j, &r->culprits[k]);
		json_arr_close(&j);
		json_u64(&j, "sockets_examined", r->examined);
		json_bool(&j, "truncated", r->truncated);
		json_obj_open(&j, "sysctls");
		if (l->known) {
			snprintf(buf, sizeof(buf), "%u %u", l->port_range_lo, l->port_range_hi);
			json_str(&j, "net.ipv4.ip_local_port_range", buf);
			json_s64(&j, "net.ipv4.tcp_tw_reuse", l->tw_reuse);
			json_u64(&j, "net.ipv4.tcp_max_tw_buckets", l->max_tw_buckets);
			json_u64(&j, "net.ipv4.tcp_fin_timeout", l->fin_timeout_s);
			json_s64(&j, "net.core.somaxconn", l->somaxconn);
		}
		json_obj_close(&j);
		json_arr_open(&j, "hints");
		for (h = alert_hints(r->st.obs.kind); *h; h++)
			json_str(&j, NULL, *h);
		json_arr_close(&j);
		json_obj_close(&j);
	}
	json_arr_close(&j);
	json_obj_close(&j);
	fputc('\n', f);
	return json_end(&j);
}

int render_alert_line(const struct alert_report *r, char *buf, size_t len)
{
	const struct alert_culprit *c = r->nculprits ? &r->culprits[0] : NULL;
	char w[400], ns[96], peer[64] = "";
	int n;

	what(r, w, sizeof(w));
	if (c)
		sockdiag_addr_str(c->g.sample.family, c->g.sample.daddr, c->g.sample.dport,
				  peer, sizeof(peer));
	n = snprintf(buf, len, "alert %s %s netns %s: %s", r->st.level == ALERT_OK ? "resolved" :
		     alert_level_name(r->st.level), alert_kind_name(r->st.obs.kind),
		     netns_label(r, ns, sizeof(ns)), w);
	if (!c || n < 0 || (size_t)n >= len)
		return n;
	if (c->proc.pid)
		n += snprintf(buf + n, len - n, "; culprit: %spid %d comm %s cgroup %s",
			      c->owner_at_close ? "owner at close " : "",
			      (int)c->proc.pid, c->proc.comm,
			      c->proc.cgroup[0] ? c->proc.cgroup : "/");
	else
		n += snprintf(buf + n, len - n, "; culprit: no process (%s)",
			      c->g.sample.state == TCP_TIME_WAIT ? "TIME_WAIT holds no file" :
			      "none found");
	if ((size_t)n >= len)
		return n;
	if (c->g.lport_min != c->g.lport_max)
		n += snprintf(buf + n, len - n, " local ports %u-%u", c->g.lport_min,
			      c->g.lport_max);
	else
		n += snprintf(buf + n, len - n, " local port %u", c->g.sample.sport);
	if ((size_t)n >= len)
		return n;
	n += snprintf(buf + n, len - n, " peer %s sockets %llu", peer,
		      (unsigned long long)c->g.count);
	if ((size_t)n < len && c->g.oldest_ms >= 0)
		n += snprintf(buf + n, len - n, " oldest %.0f s", c->g.oldest_ms / 1000.0);
	return n;
}
