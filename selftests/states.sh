#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# states.sh - the exactness tests' set-up, sourced after lib.sh: every TCP
# state ss knows held still in one netns, one stage per state. Each stage
# adds what it makes to EXP[state] and waits until ss shows EXP (the set-up
# itself is checked before tcpstate is).
#
# Ports: 71x0 per stage. nftables rules in the input/output chains of the
# test table keep the packets that would move a state from arriving.

declare -A EXP
for st in $ALL_STATES; do EXP[$st]=0; done

# exp_add STATE N ...
exp_add() {
	while [ $# -ge 2 ]; do
		EXP[$1]=$(( ${EXP[$1]} + $2 ))
		shift 2
	done
}

exp_string() {
	local st s=
	for st in $ALL_STATES; do s+="$st=${EXP[$st]} "; done
	echo "$s"
}

# stage_wait NS: ss shows the expected counts.
stage_wait() {
	wait_ss "$1" "$(exp_string)" 10
}

# pair PORT N GROUP: listener L$GROUP, clients C$GROUP, servers S$GROUP,
# N established connections.
pair() {
	local port=$1 n=$2 g=$3
	hold listen "L$g" "$port" &&
	hold connect "C$g" "$port" "$n" &&
	hold wait-connected "C$g" &&
	[ "$(hold_value connected)" = "$n" ] &&
	hold accept "S$g" "L$g" "$n"
}

# The stages. Each returns non-zero if its set-up did not work.
STAGES="listen established syn_sent syn_recv fin_wait1_close_wait
	fin_wait2_full fin_wait2_timewait last_ack_time_wait closing"

# LISTEN: 3 listeners of their own.
stage_listen() {
	hold listen LA 7101 && hold listen LB 7102 && hold listen LC 7103 &&
	exp_add listen 3 && stage_wait "$1"
}

# ESTABLISHED: 5 connections, both ends.
stage_established() {
	pair 7110 5 E && exp_add listen 1 established 10 && stage_wait "$1"
}

# SYN_SENT: 3 clients whose SYNs are dropped (nothing listens anyway).
stage_syn_sent() {
	nft_rule "$1" input tcp dport 7120 'tcp flags & (syn | ack) == syn' drop &&
	hold connect CS 7120 3 && exp_add syn_sent 3 && stage_wait "$1"
}

# SYN_RECV: the bare ACK that completes the handshake is dropped: 4
# request sockets (SYN-RECV), their clients ESTABLISHED.
stage_syn_recv() {
	nft_rule "$1" input tcp dport 7130 'tcp flags & (syn | ack | fin | rst) == ack' drop &&
	hold listen LR 7130 && hold connect CR 7130 4 &&
	exp_add listen 1 syn_recv 4 established 4 && stage_wait "$1"
}

# FIN_WAIT1 / CLOSE_WAIT: the server's packets are dropped, then the
# client shuts down: its FIN arrives, the ACK does not.
stage_fin_wait1_close_wait() {
	pair 7140 6 W1 && exp_add listen 1 established 12 && stage_wait "$1" &&
	nft_rule "$1" input tcp sport 7140 drop &&
	hold shutdown CW1 &&
	exp_add established -12 fin_wait1 6 close_wait 6 && stage_wait "$1"
}

# FIN_WAIT2 (full socket): shutdown(SHUT_WR) without close.
stage_fin_wait2_full() {
	pair 7150 7 W2 && exp_add listen 1 established 14 && stage_wait "$1" &&
	hold shutdown CW2 &&
	exp_add established -14 fin_wait2 7 close_wait 7 && stage_wait "$1"
}

# FIN_WAIT2 (timewait socket, substate FIN_WAIT2): the client close()s
# first and the server keeps its end open.
stage_fin_wait2_timewait() {
	pair 7160 8 T2 && exp_add listen 1 established 16 && stage_wait "$1" &&
	hold close CT2 &&
	exp_add established -16 fin_wait2 8 close_wait 8 && stage_wait "$1"
}

# LAST_ACK / TIME_WAIT: client close() first (timewait FIN_WAIT2), then the
# client's packets are dropped and the server closes: the client's
# timewait socket turns TIME_WAIT, its ACK never arrives.
stage_last_ack_time_wait() {
	pair 7170 9 LA && exp_add listen 1 established 18 && stage_wait "$1" &&
	hold close CLA &&
	exp_add established -18 fin_wait2 9 close_wait 9 && stage_wait "$1" &&
	nft_rule "$1" input tcp dport 7170 drop &&
	hold close SLA &&
	exp_add fin_wait2 -9 time_wait 9 close_wait -9 last_ack 9 &&
	stage_wait "$1"
}

# CLOSING: both ends shut down while lo is plugged, so both FINs are in
# flight before either arrives; their ACKs are dropped on output.
stage_closing() {
	pair 7180 2 CG && exp_add listen 1 established 4 && stage_wait "$1" &&
	plug_lo "$1" &&
	hold shutdown CCG && hold shutdown SCG &&
	nft_rule "$1" output tcp sport 7180 drop &&
	nft_rule "$1" output tcp dport 7180 drop &&
	exp_add established -4 closing 4 && stage_wait "$1" &&
	unplug_lo "$1"
}

# state_cases NS: one case per state, tcpstate against ss (and against
# what the set-up made).
state_cases() {
	local ns=$1 st t s
	wait_counts_equal "$ns" 5 >/dev/null
	for st in $ALL_STATES; do
		s=$(awk -v k="$st" '$1 == k { print $2 }' "$LIB_TMPDIR/ss.counts")
		t=$(awk -v k="$st" '$1 == k { print $2 }' "$LIB_TMPDIR/tcpstate.counts")
		if [ "$s" = "$t" ] && [ "$s" = "${EXP[$st]}" ]; then
			ktap_test_pass "$st: tcpstate $t, ss $s"
		else
			ktap_test_fail "$st: tcpstate $t, ss $s, set up ${EXP[$st]}"
		fi
	done
}

# exactness_run before|after: the whole exactness test.
exactness_run() {
	local mode=$1 nstages stage health0 health1 t0 t1
	nstages=$(wc -w <<<"$STAGES")

	assert_prereqs tc
	if [ "$mode" = after ] && [ "$TCPSTATE_SOURCE" = module ] &&
	   [ -z "$TCPSTATE_MODULE" ]; then
		ktap_skip_all "source=module: set TCPSTATE_MODULE to load it after the sockets exist"
	fi
	ktap_print_header
	# stages, load (after only), 10 states, release, health
	local nload=0
	[ "$mode" = after ] && nload=1
	ktap_set_plan $(( nstages + 10 + 2 + nload ))

	setup_ns NS || ktap_skip_all "cannot create a network namespace"
	nft_init "$NS" || ktap_skip_all "nftables unusable in a netns"
	if [ "$mode" = before ]; then
		collector_load || ktap_skip_all "cannot load the collector"
		collector_guard
		health0=$(collector_health "$NS")
	else
		collector_unload || ktap_skip_all "cannot unload the collector"
	fi
	hold_start "$NS" 120

	for stage in $STAGES; do
		if ! "stage_$stage" "$NS"; then
			ktap_test_fail "$stage: set-up failed"
			continue
		fi
		if [ "$mode" = after ]; then
			ktap_test_pass "$stage: held ($(exp_string | tr -s ' ' | sed 's/[a-z_0-9]*=0 //g'))"
		elif wait_counts_equal "$NS" 5; then
			ktap_test_pass "$stage: held, tcpstate equals ss"
		else
			ktap_test_fail "$stage: held, tcpstate equals ss"
		fi
	done

	if [ "$mode" = after ]; then
		t0=$(date +%s%N)
		if collector_load; then
			t1=$(date +%s%N)
			collector_guard
			ktap_test_pass "collector loaded with the sockets held ($(( (t1 - t0) / 1000000 )) ms)"
		else
			ktap_test_fail "collector loaded with the sockets held"
		fi
		health0=$(collector_health "$NS")
	fi

	state_cases "$NS"

	# Let everything go: rules off, every descriptor closed. The states
	# move on (TIME_WAIT stays); the counts must follow.
	nft_ns "$NS" flush ruleset
	hold_stop
	ktap_test_result "released: tcpstate equals ss as the sockets move on" \
		wait_counts_equal "$NS" 20
	ktap_print_msg "after release: $(tr '\n' ' ' <"$LIB_TMPDIR/ss.counts")"

	health1=$(collector_health "$NS")
	if [ "$mode" = after ]; then
		health_case "collector health: no error counted, no event missed" \
			'{"errors":{},"events_missed":0}' "$health1"
	else
		health_case "collector health: no error counter grew, no event missed" \
			"$health0" "$health1"
	fi
	ktap_finished
}
