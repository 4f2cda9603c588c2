// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * empty.bpf.c - the yardstick for the collector's per-event cost: a
 * program that does nothing, on each tracepoint the collector uses. What
 * it costs (the attach, the call, bpf_stats' own clock reads) every
 * program on that tracepoint costs too; the rest is the collector's work.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(empty_set_state)
{
	return 0;
}

SEC("tp_btf/timer_start")
int BPF_PROG(empty_timer_start)
{
	return 0;
}

SEC("tp_btf/timer_cancel")
int BPF_PROG(empty_timer_cancel)
{
	return 0;
}

SEC("tp_btf/tcp_destroy_sock")
int BPF_PROG(empty_destroy)
{
	return 0;
}
