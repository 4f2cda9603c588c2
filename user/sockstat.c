// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* sockstat.c - the kernel's own per-namespace TCP totals (sockstat.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sockstat.h"

#define SOCKSTAT_V4	"/proc/thread-self/net/sockstat"
#define SOCKSTAT_V6	"/proc/thread-self/net/sockstat6"

/*
 * The value of "key N" on the line that starts with "table:"; -1 when the
 * line or the key is missing or the number is malformed.
 */
static int64_t field(const char *text, const char *table, const char *key)
{
	size_t tl = strlen(table), kl = strlen(key);
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > tl && !strncmp(line, table, tl) && line[tl] == ':') {
			const char *p = line + tl + 1;

			while (p < line + len) {
				char *num_end;
				long long v;

				while (p < line + len && *p == ' ')
					p++;
				if ((size_t)(line + len - p) > kl && !strncmp(p, key, kl) &&
				    p[kl] == ' ') {
					errno = 0;
					v = strtoll(p + kl + 1, &num_end, 10);
					if (errno || num_end == p + kl + 1 || v < 0 ||
					    (*num_end != ' ' && *num_end != '\n' && *num_end))
						return -1;
					return v;
				}
				while (p < line + len && *p != ' ')
					p++;
			}
			return -1;
		}
		line = end ? end + 1 : NULL;
	}
	return -1;
}

int sockstat_parse(const char *v4, const char *v6, struct sockstat *out,
		   char *msg, size_t msglen)
{
	int64_t inuse = field(v4, "TCP", "inuse"), tw = field(v4, "TCP", "tw");
	int64_t inuse6 = 0;

	if (inuse < 0 || tw < 0) {
		snprintf(msg, msglen, "sockstat: no \"TCP: inuse N ... tw N\" line");
		return -EBADMSG;
	}
	if (v6) {
		inuse6 = field(v6, "TCP6", "inuse");
		if (inuse6 < 0) {
			snprintf(msg, msglen, "sockstat6: no \"TCP6: inuse N\" line");
			return -EBADMSG;
		}
	}
	out->full = inuse + inuse6;
	out->tw = tw;
	return 0;
}

/* The whole of a small proc file, NUL-terminated, in buf. */
static int slurp(const char *path, char *buf, size_t len)
{
	size_t have = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (have < len - 1 && (n = read(fd, buf + have, len - 1 - have)) > 0)
		have += n;
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[have] = '\0';
	return 0;
}

int sockstat_read(struct sockstat *out, char *msg, size_t msglen)
{
	char v4[1024], v6[1024];
	int err, err6;

	err = slurp(SOCKSTAT_V4, v4, sizeof(v4));
	if (err) {
		snprintf(msg, msglen, "%s: %s", SOCKSTAT_V4, strerror(-err));
		return err;
	}
	err6 = slurp(SOCKSTAT_V6, v6, sizeof(v6));
	if (err6 && err6 != -ENOENT) {
		snprintf(msg, msglen, "%s: %s", SOCKSTAT_V6, strerror(-err6));
		return err6;
	}
	return sockstat_parse(v4, err6 ? NULL : v6, out, msg, msglen);
}
