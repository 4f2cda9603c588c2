#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# bench/daemon.sh - tcpstated's cost per interval with ~BENCH_SOCKETS
# (default 100000) sockets in a private namespace and churn beside it:
# bench/reads.sh at that one level (its last table is the daemon's: CPU
# per interval over BENCH_INTERVALS one-second intervals, VmRSS, VmHWM).
exec env BENCH_LEVELS="${BENCH_SOCKETS:-100000}" "$(dirname "$0")/reads.sh"
