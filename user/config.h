/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * config.h - the daemon's configuration file (tcpstated.conf(5)).
 *
 * "key = value" lines; blank lines and lines whose first non-blank
 * character is '#' are ignored; every key is optional and may appear
 * once. Unknown keys, values that do not parse or are out of range,
 * duplicates and lines without '=' are errors, reported as
 * "file:line: what is wrong". The keys are one table in config.c.
 * Nothing here prints: errors come back in a buffer.
 */
#ifndef __TCPSTATE_CONFIG_H
#define __TCPSTATE_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include "model_alerts.h"

#define CONFIG_DEFAULT_PATH	"/etc/tcpstate/tcpstated.conf"
#define CONFIG_MAX_BYTES	(64 * 1024)

struct tsd_config {
	char textfile_dir[PATH_MAX];	/* where tcpstate.prom is written */
	unsigned long interval;		/* seconds between writes */
	char source[8];			/* bpf, module, auto */
	unsigned long max_netns;	/* namespaces exported */
	unsigned long max_series;	/* transition series, all namespaces */
	int log_level;			/* LOG_ERR .. LOG_DEBUG */
	unsigned long prune_every;	/* intervals between prunes; 0: never */
	/* Alerts (Documentation/alerts.rst); shared with tcpstate alerts. */
	struct alert_rules alerts;	/* thresholds, hysteresis, hold, window */
	unsigned long alert_max_sockets; /* sockets examined per lookup */
	unsigned long alert_max_subjects; /* alert states tracked */
	char alert_hook[PATH_MAX];	/* run on fire and resolve; "" none */
	unsigned long alert_hook_timeout; /* seconds before it is killed */
	double alert_culprit_refresh;	/* seconds an alert's culprits are kept; 0: every round */
};

/* The built-in defaults (every key's default). */
void config_defaults(struct tsd_config *cfg);

/*
 * Sets one key from its text (the same checks as in a file). 0, or
 * -EINVAL / -ENOENT (unknown key) with what is wrong in err.
 */
int config_set(struct tsd_config *cfg, const char *key, const char *value,
	       char *err, size_t errlen);

/*
 * Parses text (file names it in errors) over *cfg, which holds the
 * defaults or earlier settings. On error *cfg is unchanged and err holds
 * "file:line: what is wrong"; returns 0 or -EINVAL.
 */
int config_parse(const char *text, const char *file, struct tsd_config *cfg,
		 char *err, size_t errlen);

/*
 * Reads and parses path over *cfg. -ENOENT when it does not exist (the
 * caller decides whether that is fine), other -errno when it cannot be
 * read, -EINVAL when it does not parse; err says which.
 */
int config_load(const char *path, struct tsd_config *cfg, char *err, size_t errlen);

/* Iterates the keys: the name of key i, or NULL past the last. */
const char *config_key_name(size_t i);
/* key's value in cfg as text (for logging a change); 0 or -ENOENT. */
int config_get(const struct tsd_config *cfg, const char *key, char *buf, size_t len);

#endif /* __TCPSTATE_CONFIG_H */
