// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * config.c - tcpstated.conf: one table of keys, one parser.
 *
 * Adding a key is one entry in keys[] (and a field in struct tsd_config,
 * and a line in Documentation/tcpstated.conf.5.rst).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "log.h"

enum key_type {
	KEY_ULONG,	/* decimal, in [min, max] */
	KEY_PATH,	/* an absolute path */
	KEY_CHOICE,	/* one of choices[] */
	KEY_LEVEL,	/* a log level (log_level_parse) */
	KEY_NUMBER,	/* a double: decimal with an optional fraction, in [dmin, dmax] */
	KEY_HOOK,	/* an absolute path, or "" (none); executed without a shell */
};

struct config_key {
	const char *name;
	enum key_type type;
	size_t off;			/* the field in struct tsd_config */
	size_t size;			/* its size (strings) */
	unsigned long min, max;		/* KEY_ULONG */
	const char *const *choices;	/* KEY_CHOICE, NULL-terminated */
	double dmin, dmax;		/* KEY_NUMBER */
	bool integer;			/* KEY_NUMBER: no fraction */
};

static const char *const sources[] = { "auto", "bpf", "module", NULL };

#define F(f) .off = offsetof(struct tsd_config, f), \
	     .size = sizeof(((struct tsd_config *)0)->f)
static const struct config_key keys[] = {
	{ "textfile_dir", KEY_PATH, F(textfile_dir) },
	{ "interval", KEY_ULONG, F(interval), .min = 1, .max = 3600 },
	{ "source", KEY_CHOICE, F(source), .choices = sources },
	{ "max_netns", KEY_ULONG, F(max_netns), .min = 1, .max = 65536 },
	{ "max_series", KEY_ULONG, F(max_series), .min = 1, .max = 1000000 },
	{ "log_level", KEY_LEVEL, F(log_level) },
	{ "prune_every", KEY_ULONG, F(prune_every), .min = 0, .max = 1000000 },
	/* Alerts: the warning threshold under the alert's name, 0 turns it off. */
#define TH(name, kind, max, integ) \
	{ name, KEY_NUMBER, F(alerts.th[kind].warning), .dmax = max, .integer = integ }, \
	{ name "_critical", KEY_NUMBER, F(alerts.th[kind].critical), .dmax = max, .integer = integ }
	TH("time_wait_count", ALERT_TIME_WAIT_COUNT, 1e8, true),
	TH("time_wait_growth", ALERT_TIME_WAIT_GROWTH, 1e7, false),
	TH("close_wait_count", ALERT_CLOSE_WAIT_COUNT, 1e8, true),
	TH("close_wait_age_seconds", ALERT_CLOSE_WAIT_AGE, 1e7, false),
	TH("accept_queue_ratio", ALERT_ACCEPT_QUEUE, 1, false),
	TH("port_use_ratio", ALERT_PORT_USE, 1, false),
#undef TH
	{ "alert_hysteresis", KEY_NUMBER, F(alerts.hysteresis), .dmax = 0.9 },
	{ "alert_hold_seconds", KEY_NUMBER, F(alerts.hold_s), .dmax = 86400 },
	{ "time_wait_growth_window", KEY_NUMBER, F(alerts.growth_window_s), .dmin = 1,
	  .dmax = 86400 },
	{ "alert_max_sockets", KEY_ULONG, F(alert_max_sockets), .min = 1, .max = 10000000 },
	{ "alert_max_subjects", KEY_ULONG, F(alert_max_subjects), .min = 1, .max = 100000 },
	{ "alert_hook", KEY_HOOK, F(alert_hook) },
	{ "alert_hook_timeout", KEY_ULONG, F(alert_hook_timeout), .min = 1, .max = 3600 },
	{ "alert_culprit_refresh", KEY_NUMBER, F(alert_culprit_refresh), .dmax = 86400 },
};
#undef F
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void config_defaults(struct tsd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* Debian's prometheus-node-exporter reads this directory. */
	strcpy(cfg->textfile_dir, "/var/lib/prometheus/node-exporter");
	cfg->interval = 15;
	strcpy(cfg->source, "auto");
	cfg->max_netns = 256;
	cfg->max_series = 4096;
	cfg->log_level = LOG_INFO;
	cfg->prune_every = 40;
	cfg->alerts.th[ALERT_TIME_WAIT_COUNT] = (struct alert_threshold){ 50000, 200000 };
	cfg->alerts.th[ALERT_TIME_WAIT_GROWTH] = (struct alert_threshold){ 500, 0 };
	cfg->alerts.th[ALERT_CLOSE_WAIT_COUNT] = (struct alert_threshold){ 1000, 10000 };
	cfg->alerts.th[ALERT_CLOSE_WAIT_AGE] = (struct alert_threshold){ 300, 3600 };
	cfg->alerts.th[ALERT_ACCEPT_QUEUE] = (struct alert_threshold){ 0.9, 1.0 };
	cfg->alerts.th[ALERT_PORT_USE] = (struct alert_threshold){ 0.7, 0.9 };
	cfg->alerts.hysteresis = 0.1;
	cfg->alerts.hold_s = 30;
	cfg->alerts.growth_window_s = 60;
	cfg->alert_max_sockets = 100000;
	cfg->alert_max_subjects = 1024;
	cfg->alert_hook_timeout = 10;
	cfg->alert_culprit_refresh = 30;
}

static void say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const struct config_key *find_key(const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

/* Copies an absolute path checked by the caller into field, if it fits. */
static int set_path(const struct config_key *k, const char *v, char *field,
		    char *err, size_t errlen)
{
	if (strlen(v) >= k->size) {
		say(err, errlen, "%s: the path is too long", k->name);
		return -EINVAL;
	}
	strcpy(field, v);
	return 0;
}

/* "12", "0.75": digits with at most one '.', in [dmin, dmax]. */
static int set_number(const struct config_key *k, const char *v, double *out,
		      char *err, size_t errlen)
{
	size_t dots = 0, digits = 0;
	double d;
	char *end;

	for (const char *p = v; *p; p++) {
		if (*p == '.')
			dots++;
		else if (isdigit((unsigned char)*p))
			digits++;
		else
			digits = 0, dots = 2;
		if (dots > 1)
			break;
	}
	if (!digits || dots > 1 || (k->integer && dots)) {
		say(err, errlen, "%s: '%s' is not %s", k->name, v,
		    k->integer ? "a whole number" : "a number");
		return -EINVAL;
	}
	errno = 0;
	d = strtod(v, &end);
	if (errno == ERANGE || *end) {
		say(err, errlen, "%s: '%s' is not a number", k->name, v);
		return -EINVAL;
	}
	if (d < k->dmin || d > k->dmax) {
		say(err, errlen, "%s: %s is out of range (%g-%g)", k->name, v, k->dmin, k->dmax);
		return -EINVAL;
	}
	*out = d;
	return 0;
}

static int set_key(struct tsd_config *cfg, const struct config_key *k,
		   const char *v, char *err, size_t errlen)
{
	char *field = (char *)cfg + k->off;
	unsigned long n;
	char *end;
	int lvl;

	switch (k->type) {
	case KEY_ULONG:
		if (!isdigit((unsigned char)v[0])) {
			say(err, errlen, "%s: '%s' is not a number", k->name, v);
			return -EINVAL;
		}
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno == ERANGE || *end) {
			say(err, errlen, "%s: '%s' is not a number", k->name, v);
			return -EINVAL;
		}
		if (n < k->min || n > k->max) {
			say(err, errlen, "%s: %s is out of range (%lu-%lu)",
			    k->name, v, k->min, k->max);
			return -EINVAL;
		}
		*(unsigned long *)field = n;
		return 0;
	case KEY_PATH:
		if (v[0] != '/') {
			say(err, errlen, "%s: '%s' is not an absolute path", k->name, v);
			return -EINVAL;
		}
		return set_path(k, v, field, err, errlen);
	case KEY_CHOICE:
		for (const char *const *c = k->choices; *c; c++)
			if (!strcmp(*c, v)) {
				strcpy(field, v);
				return 0;
			}
		say(err, errlen, "%s: '%s' is not one of auto, bpf, module", k->name, v);
		return -EINVAL;
	case KEY_NUMBER:
		return set_number(k, v, (double *)field, err, errlen);
	case KEY_HOOK:
		if (!strcmp(v, "\"\"") || !strcmp(v, "none")) {
			field[0] = '\0';
			return 0;
		}
		if (v[0] != '/' || strpbrk(v, " \t")) {
			say(err, errlen, "%s: '%s' is not an absolute path (it is run without a "
			    "shell: no arguments; 'none' for no hook)", k->name, v);
			return -EINVAL;
		}
		return set_path(k, v, field, err, errlen);
	case KEY_LEVEL:
		lvl = log_level_parse(v);
		if (lvl < 0) {
			say(err, errlen, "%s: '%s' is not one of err, warning, notice, "
			    "info, debug", k->name, v);
			return -EINVAL;
		}
		*(int *)field = lvl;
		return 0;
	}
	return -EINVAL;
}

int config_set(struct tsd_config *cfg, const char *key, const char *value,
	       char *err, size_t errlen)
{
	const struct config_key *k = find_key(key);

	if (!k) {
		say(err, errlen, "unknown key '%s'", key);
		return -ENOENT;
	}
	return set_key(cfg, k, value, err, errlen);
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* One line (NUL-terminated, no newline); 0 or -EINVAL with msg. */
static int parse_line(char *line, struct tsd_config *cfg, bool *seen,
		      unsigned int *at, unsigned int lineno, char *msg, size_t len)
{
	const struct config_key *k;
	char *eq, *key, *val;

	line = trim(line);
	if (!*line || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (!eq) {
		say(msg, len, "expected 'key = value', found no '='");
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	if (!*key) {
		say(msg, len, "no key before '='");
		return -EINVAL;
	}
	k = find_key(key);
	if (!k) {
		say(msg, len, "unknown key '%s'", key);
		return -EINVAL;
	}
	if (seen[k - keys]) {
		say(msg, len, "duplicate key '%s'", key);
		return -EINVAL;
	}
	seen[k - keys] = true;
	at[k - keys] = lineno;
	if (!*val) {
		say(msg, len, "%s: no value after '='", key);
		return -EINVAL;
	}
	return set_key(cfg, k, val, msg, len);
}

int config_parse(const char *text, const char *file, struct tsd_config *cfg,
		 char *err, size_t errlen)
{
	struct tsd_config next = *cfg;
	bool seen[NKEYS] = {};
	unsigned int at[NKEYS] = {};
	char line[4096], msg[512];
	unsigned int lineno = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		if (n >= sizeof(line)) {
			say(err, errlen, "%s:%u: line too long (at most %zu bytes)",
			    file, lineno, sizeof(line) - 1);
			return -EINVAL;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (parse_line(line, &next, seen, at, lineno, msg, sizeof(msg))) {
			say(err, errlen, "%s:%u: %s", file, lineno, msg);
			return -EINVAL;
		}
		p += n + (nl ? 1 : 0);
	}
	/* A critical level under its warning could never be reached in order. */
	for (size_t i = 0; i < NKEYS; i++) {
		const struct config_key *w = &keys[i], *c = &keys[i + 1];
		double wv, cv;

		size_t wl = strlen(w->name);

		if (i + 1 == NKEYS || w->type != KEY_NUMBER || strncmp(c->name, w->name, wl) ||
		    strcmp(c->name + wl, "_critical"))
			continue;
		wv = *(const double *)((const char *)&next + w->off);
		cv = *(const double *)((const char *)&next + c->off);
		if (cv > 0 && cv < wv) {
			unsigned int l = at[i + 1] > at[i] ? at[i + 1] : at[i];

			say(err, errlen, "%s:%u: %s %g is below %s %g", file, l,
			    c->name, cv, w->name, wv);
			return -EINVAL;
		}
	}
	*cfg = next;
	return 0;
}

int config_load(const char *path, struct tsd_config *cfg, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		say(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	buf = malloc(CONFIG_MAX_BYTES + 1);
	if (!buf) {
		ret = -ENOMEM;
		say(err, errlen, "%s: %s", path, strerror(-ret));
		goto cleanup;
	}
	while ((n = read(fd, buf + len, CONFIG_MAX_BYTES + 1 - len)) > 0) {
		len += n;
		if (len > CONFIG_MAX_BYTES)
			break;
	}
	if (n < 0) {
		ret = -errno;
		say(err, errlen, "%s: %s", path, strerror(-ret));
		goto cleanup;
	}
	if (len > CONFIG_MAX_BYTES) {
		ret = -EFBIG;
		say(err, errlen, "%s: larger than %d bytes", path, CONFIG_MAX_BYTES);
		goto cleanup;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		/* Find the line for the message. */
		unsigned int line = 1;

		for (char *q = buf; *q; q++)
			line += *q == '\n';
		ret = -EINVAL;
		say(err, errlen, "%s:%u: NUL byte in line", path, line);
		goto cleanup;
	}
	ret = config_parse(buf, path, cfg, err, errlen);
cleanup:
	free(buf);
	close(fd);
	return ret;
}

const char *config_key_name(size_t i)
{
	return i < NKEYS ? keys[i].name : NULL;
}

int config_get(const struct tsd_config *cfg, const char *key, char *buf, size_t len)
{
	const struct config_key *k = find_key(key);
	const char *field;

	if (!k)
		return -ENOENT;
	field = (const char *)cfg + k->off;
	switch (k->type) {
	case KEY_ULONG:
		snprintf(buf, len, "%lu", *(const unsigned long *)field);
		break;
	case KEY_LEVEL:
		snprintf(buf, len, "%s", log_level_name(*(const int *)field));
		break;
	case KEY_NUMBER:
		snprintf(buf, len, "%g", *(const double *)field);
		break;
	default:
		snprintf(buf, len, "%s", field);
	}
	return 0;
}
