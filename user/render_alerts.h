/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* render_alerts.h - alert reports as text, JSON, or one log line. */
#ifndef __TCPSTATE_RENDER_ALERTS_H
#define __TCPSTATE_RENDER_ALERTS_H

#include <stdio.h>
#include "alerts.h"

/*
 * Each report at warning/critical (or changed) with its culprits, the
 * sysctls that matter and the hints; "OK: no alert" when none. 0 or -EIO.
 */
int render_alerts_text(FILE *f, const struct alert_report *r, size_t n);
/* {"status": worst, "alerts": [...]}. 0 or -errno (json_end). */
int render_alerts_json(FILE *f, const struct alert_report *r, size_t n, int worst);
/* One line for the log: the alert and its first culprit; snprintf's return. */
int render_alert_line(const struct alert_report *r, char *buf, size_t len);

#endif /* __TCPSTATE_RENDER_ALERTS_H */
