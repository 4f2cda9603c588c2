/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * sockstat.h - the kernel's own per-namespace TCP totals, from
 * /proc/net/sockstat ("TCP: inuse N ... tw N": hashed IPv4 full sockets,
 * LISTEN included; timewait sockets of both families) and
 * /proc/net/sockstat6 ("TCP6: inuse N": hashed IPv6 full sockets).
 */
#ifndef __TCPSTATE_SOCKSTAT_H
#define __TCPSTATE_SOCKSTAT_H

#include <stddef.h>
#include <stdint.h>

struct sockstat {
	int64_t full;		/* TCP inuse + TCP6 inuse */
	int64_t tw;		/* TCP tw */
};

/*
 * Parses the text of /proc/net/sockstat (v4) and, if v6 is not NULL, of
 * /proc/net/sockstat6. 0, or -EBADMSG with what is wrong in msg.
 */
int sockstat_parse(const char *v4, const char *v6, struct sockstat *out,
		   char *msg, size_t msglen);

/*
 * Reads both files of the calling thread's network namespace. A kernel
 * without IPv6 has no sockstat6: then full counts IPv4 only. 0 or -errno.
 */
int sockstat_read(struct sockstat *out, char *msg, size_t msglen);

#endif /* __TCPSTATE_SOCKSTAT_H */
