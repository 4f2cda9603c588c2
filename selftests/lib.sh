#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lib.sh - shared helpers for the tcpstate host selftests.
#
# Source it from a test script. It gives:
#   KTAP output     ktap_print_header, ktap_set_plan, ktap_test_pass/fail/skip,
#                   ktap_test_result, ktap_print_msg, ktap_finished
#   environment     assert_root, assert_tools, assert_have_tcpstate
#   namespaces      setup_ns VAR [VAR...] (cleaned up on EXIT)
#   the collector   collector_load, collector_unload, collector_reload,
#                   tcpstate_ns, summary_json
#   counts          ss_counts, tcpstate_counts, counts_diff, wait_counts_equal,
#                   transitions, transitions_delta, expect_transitions,
#                   trans (one count from summary JSON), snmp (a Tcp: MIB)
#   holding states  hold_start, hold, hold_stop (selftests/tcphold.c),
#                   nft_ns
#   polling         wait_until TIMEOUT_S CMD...
#
# Environment:
#   TCPSTATE          the CLI (default: <repo>/.output/tcpstate)
#   TCPSTATE_SOURCE   bpf|module|auto (default auto), passed as --source
#   TCPSTATE_MODULE   path of tcpstate.ko; with TCPSTATE_SOURCE=module the
#                     load/unload steps insmod/rmmod it (unset: do nothing)
#   TCPSTATE_SELFTEST_BIN  where the built helpers are (default:
#                     $OUTPUT or <repo>/.output/selftests)

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4
KSFT_TIMEOUT=124

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$LIB_DIR/.." && pwd)
TCPSTATE=${TCPSTATE:-$REPO_DIR/.output/tcpstate}
TCPSTATE_SOURCE=${TCPSTATE_SOURCE:-auto}
TCPSTATE_SELFTEST_BIN=${TCPSTATE_SELFTEST_BIN:-${OUTPUT:-$REPO_DIR/.output/selftests}}
TCPHOLD=${TCPHOLD:-$TCPSTATE_SELFTEST_BIN/tcphold}
TCPCHURN=${TCPCHURN:-$TCPSTATE_SELFTEST_BIN/tcpchurn}
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}

# One collector serves the whole host: a test that loads, reloads or counts
# it must not overlap another tree's test doing the same. Each test script
# runs under this lock, held by flock(1) as its parent for the script's
# lifetime: the script is re-executed under it, and neither it nor its
# children hold the lock's file (flock -o), so a child left running cannot
# keep the next test waiting. TCPSTATE_TEST_LOCK= disables it.
TCPSTATE_TEST_LOCK=${TCPSTATE_TEST_LOCK-/run/tcpstate-selftest.lock}
if [ -n "$TCPSTATE_TEST_LOCK" ] && [ -z "${TCPSTATE_TEST_LOCKED:-}" ] &&
   command -v flock >/dev/null && [ -f "$0" ] &&
   { : >>"$TCPSTATE_TEST_LOCK"; } 2>/dev/null; then
	export TCPSTATE_TEST_LOCKED=1
	flock -n "$TCPSTATE_TEST_LOCK" true ||
		echo "# waiting for $TCPSTATE_TEST_LOCK (another tree's test holds the collector)"
	exec flock -o "$TCPSTATE_TEST_LOCK" bash "$0" "$@"
fi

# The states tcpstate summary --json reports, in its order, and ss's names.
ALL_STATES="established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close_wait last_ack listen closing"

# ---------------------------------------------------------------- KTAP

KTAP_CNT=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0

ktap_print_header() { echo "TAP version 13"; }
ktap_set_plan() { echo "1..$1"; }
ktap_print_msg() { local l; while IFS= read -r l; do echo "# $l"; done <<< "$*"; }
ktap_test_pass() { KTAP_CNT=$((KTAP_CNT + 1)); KTAP_PASS=$((KTAP_PASS + 1)); echo "ok $KTAP_CNT $*"; }
ktap_test_fail() { KTAP_CNT=$((KTAP_CNT + 1)); KTAP_FAIL=$((KTAP_FAIL + 1)); echo "not ok $KTAP_CNT $*"; }
ktap_test_skip() { KTAP_CNT=$((KTAP_CNT + 1)); KTAP_SKIP=$((KTAP_SKIP + 1)); echo "ok $KTAP_CNT $* # SKIP"; }

# ktap_test_result DESC CMD...: run CMD, report its result as one case.
ktap_test_result() {
	local desc=$1
	shift
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}

# ktap_skip_all REASON: the whole test cannot run here.
ktap_skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

# collector_id: identifies the loaded collector instance (the inode of
# its pinned state-event link; a reload re-pins it). Empty when unknown.
collector_id() {
	[ "$TCPSTATE_SOURCE" = module ] && return 0
	stat -c %i /sys/fs/bpf/tcpstate/link_set_state 2>/dev/null
}

# collector_guard: remember the collector instance now; ktap_finished says
# so if another one replaced it meanwhile (someone else reloaded it, which
# resets every counter and invalidates this test's numbers).
COLLECTOR_GUARD=
collector_guard() {
	COLLECTOR_GUARD=$(collector_id)
}

# ktap_finished: totals line and the test's exit code (1 on any failure,
# 4 when every case was skipped, else 0).
ktap_finished() {
	if [ -n "$COLLECTOR_GUARD" ] && [ "$(collector_id)" != "$COLLECTOR_GUARD" ]; then
		echo "# WARNING: the collector was reloaded by someone else during this test;"
		echo "# its counters restarted, so failures above may not be collector bugs"
	fi
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	if [ "$KTAP_FAIL" -gt 0 ]; then exit $KSFT_FAIL; fi
	if [ "$KTAP_PASS" -eq 0 ] && [ "$KTAP_SKIP" -gt 0 ]; then exit $KSFT_SKIP; fi
	exit $KSFT_PASS
}

# ---------------------------------------------------------------- environment

assert_root() {
	[ "$(id -u)" -eq 0 ] || ktap_skip_all "must be run as root"
}

assert_tools() {
	local t
	for t in ip ss nft jq timeout "$@"; do
		command -v "$t" >/dev/null 2>&1 || ktap_skip_all "missing tool: $t"
	done
}

assert_have_tcpstate() {
	[ -x "$TCPSTATE" ] || ktap_skip_all "no tcpstate binary at $TCPSTATE (run make)"
	[ -x "$TCPHOLD" ] || ktap_skip_all "no tcphold at $TCPHOLD (run make -C selftests)"
	if [ "$TCPSTATE_SOURCE" = module ] && [ -z "$TCPSTATE_MODULE" ] &&
	   [ ! -e /proc/net/tcpstate ]; then
		ktap_skip_all "source=module but tcpstate.ko is not loaded and TCPSTATE_MODULE is unset"
	fi
}

# assert_prereqs: everything a test needs before it starts.
assert_prereqs() {
	assert_root
	assert_tools "$@"
	assert_have_tcpstate
}

# ---------------------------------------------------------------- polling

# wait_until TIMEOUT_S CMD...: run CMD every 0.1 s until it succeeds or
# TIMEOUT_S seconds have passed. Returns CMD's last status.
wait_until() {
	local timeout=$1 deadline
	shift
	deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
	while :; do
		"$@" && return 0
		[ "$(date +%s%N)" -ge "$deadline" ] && break
		sleep 0.1
	done
	"$@"
}

# ---------------------------------------------------------------- namespaces

LIB_NAMESPACES=()
LIB_CHILDREN=()

cleanup() {
	local ns pid
	hold_stop 2>/dev/null
	for pid in "${LIB_CHILDREN[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for ns in "${LIB_NAMESPACES[@]}"; do
		ip netns exec "$ns" nft flush ruleset 2>/dev/null
		ns_drain "$ns"
		ip netns del "$ns" 2>/dev/null
	done
	LIB_NAMESPACES=()
	[ -n "$LIB_TMPDIR" ] && rm -rf "$LIB_TMPDIR"
	# Defined by a test that needs more.
	declare -F test_cleanup >/dev/null && test_cleanup
	return 0
}
trap cleanup EXIT

LIB_TMPDIR=$(mktemp -d "/tmp/tcpstate-$TEST_NAME.XXXXXX")

# setup_ns VAR...: a fresh network namespace per VAR, lo up, its name
# stored in VAR. Deleted on exit.
LIB_NS_SEQ=0
setup_ns() {
	local var name
	for var in "$@"; do
		# Unique within the run (a counter, not $RANDOM: 32 names drawn
		# from 32768 collide in one run in 60); the PID and the time
		# keep runs apart.
		LIB_NS_SEQ=$((LIB_NS_SEQ + 1))
		name="tcpstate-$TEST_NAME-$$-$(date +%s%N | cut -c10-13)-$LIB_NS_SEQ"
		ip netns add "$name" || return 1
		LIB_NAMESPACES+=("$name")
		ip -n "$name" link set lo up || return 1
		eval "$var=\$name"
	done
}

# ns_drain NS [STATES]: nothing of NS left to end after the test. A
# deleted namespace lives on while sockets hold it (orphans retransmitting
# until they give up); their last events, and its timewait sockets' when
# it is dismantled, would fall in the next test, after it perhaps reloaded
# the collector, which cannot reach the namespace any more to count them
# first (Documentation/architecture.rst, "Namespaces out of reach"). So
# its processes are ended, then its TCP sockets in STATES (an ss state
# filter, "all" by default) destroyed: ss -K, SOCK_DESTROY, whose
# tcp_abort() takes orphans and timewait sockets alike. Bounded: about
# 10 s at worst, and says so if something stays.
ns_drain() {
	local ns=$1 states=${2:-all} i pids sig=TERM
	for i in $(seq 50); do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -z "$pids" ] && break
		# shellcheck disable=SC2086 # one PID a word
		kill -s "$sig" $pids 2>/dev/null
		[ "$i" -ge 20 ] && sig=KILL
		sleep 0.1
	done
	for i in $(seq 50); do
		# shellcheck disable=SC2086 # the filter's words
		ip netns exec "$ns" ss -K -t -a state $states >/dev/null 2>&1
		# shellcheck disable=SC2086
		[ -z "$(ip netns exec "$ns" ss -H -t -a state $states 2>/dev/null)" ] &&
			return 0
		sleep 0.1
	done
	ktap_print_msg "namespace $ns: sockets left at its deletion"
	return 1
}

# cleanup_ns NS...: delete namespaces now, as a step of the test: their
# timewait sockets are left to the kernel's teardown (which kills them,
# what some tests check), the rest drained first so that it starts at once.
cleanup_ns() {
	local ns i
	for ns in "$@"; do
		ns_drain "$ns" "all exclude time-wait"
		ip netns del "$ns" 2>/dev/null
		for i in "${!LIB_NAMESPACES[@]}"; do
			[ "${LIB_NAMESPACES[$i]}" = "$ns" ] && unset "LIB_NAMESPACES[$i]"
		done
	done
}

# nft_ns NS ARGS...: nft inside NS.
nft_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" nft "$@"
}

# nft_init NS: table inet tcpstate_test with an input and an output chain.
nft_init() {
	nft_ns "$1" -f - <<-EOT
	table inet tcpstate_test {
		chain input { type filter hook input priority 0; policy accept; }
		chain output { type filter hook output priority 0; policy accept; }
	}
	EOT
}

# nft_rule NS CHAIN RULE...: append a rule to the test table.
nft_rule() {
	local ns=$1 chain=$2
	shift 2
	nft_ns "$ns" add rule inet tcpstate_test "$chain" "$@"
}

# ---------------------------------------------------------------- the collector

tcpstate_src() {
	echo "--source $TCPSTATE_SOURCE"
}

module_loaded() {
	grep -qw '^tcpstate' /proc/modules 2>/dev/null || [ -e /proc/net/tcpstate ]
}

# collector_load: make sure the collector runs (loads it if it does not).
collector_load() {
	if [ "$TCPSTATE_SOURCE" = module ]; then
		module_loaded && return 0
		[ -n "$TCPSTATE_MODULE" ] || return 0
		insmod "$TCPSTATE_MODULE"
		return
	fi
	if [ -e /sys/fs/bpf/tcpstate ]; then
		# Reuse only this tree's collector: another tree's build, or
		# one loaded outside the tests, is not what is under test.
		[ "$(cat "$COLLECTOR_OWNER" 2>/dev/null)" = "$(collector_owner)" ] &&
			return 0
		"$TCPSTATE" unload >"$LIB_TMPDIR/load.out" 2>&1 || {
			cat "$LIB_TMPDIR/load.out" >&2
			return 1
		}
	fi
	"$TCPSTATE" load >"$LIB_TMPDIR/load.out" 2>&1 || {
		cat "$LIB_TMPDIR/load.out" >&2
		return 1
	}
	collector_owner >"$COLLECTOR_OWNER" 2>/dev/null || true
}

# collector_owner: this tree's CLI (which embeds the BPF object) and the
# loaded collector instance; written beside the pins by collector_load.
COLLECTOR_OWNER=/run/tcpstate-selftest.owner
collector_owner() {
	echo "$(sha256sum <"$TCPSTATE" | cut -c1-16) $(collector_id)"
}

# collector_unload: stop the collector (module: rmmod when TCPSTATE_MODULE
# says which module the tests manage).
collector_unload() {
	if [ "$TCPSTATE_SOURCE" = module ]; then
		[ -n "$TCPSTATE_MODULE" ] || return 0
		module_loaded || return 0
		rmmod tcpstate
		return
	fi
	[ -e /sys/fs/bpf/tcpstate ] || return 0
	"$TCPSTATE" unload
}

collector_reload() {
	collector_unload && collector_load
}

# sub_test DESC SCRIPT [NAME=VALUE...]: another selftest as one case of
# this one, with those variables in its environment; its lines become
# comments.
sub_test() {
	local desc=$1 script=$2 out=$LIB_TMPDIR/sub.out rc
	shift 2
	env "$@" "$LIB_DIR/$script" >"$out" 2>&1
	rc=$?
	ktap_print_msg "$(sed 's/^/  /' "$out")"
	if [ "$rc" -eq 0 ]; then ktap_test_pass "$desc"; else ktap_test_fail "$desc (exit $rc)"; fi
}

# load_refused OPTION VALUE WORDS: `tcpstate load OPTION VALUE` exits 64
# saying WORDS, and nothing is loaded by it; one test result.
load_refused() {
	local rc
	"$TCPSTATE" load "$1" "$2" >"$LIB_TMPDIR/bad.out" 2>&1
	rc=$?
	if [ "$rc" -eq 64 ] && grep -q "$3" "$LIB_TMPDIR/bad.out"; then
		ktap_test_pass "$1 $2 is refused (exit 64)"
	else
		ktap_print_msg "$(cat "$LIB_TMPDIR/bad.out")"
		ktap_test_fail "$1 $2 is refused: exit $rc"
	fi
}

# collector_load_with OPTION...: the BPF collector reloaded with load
# options, and owned like collector_load's, so that the other selftests a
# test runs under it (as sk_slots.sh does) keep it instead of reloading.
collector_load_with() {
	collector_unload >/dev/null 2>&1 || return 1
	"$TCPSTATE" load "$@" >"$LIB_TMPDIR/load.out" 2>&1 || {
		cat "$LIB_TMPDIR/load.out" >&2
		return 1
	}
	collector_owner >"$COLLECTOR_OWNER" 2>/dev/null || true
}

# tcpstate_ns NS ARGS...: the CLI inside NS.
tcpstate_ns() {
	local ns=$1
	shift
	# shellcheck disable=SC2046
	ip netns exec "$ns" "$TCPSTATE" "$@"
}

# summary_json NS: the summary of NS, one JSON object.
summary_json() {
	# shellcheck disable=SC2046
	tcpstate_ns "$1" summary --json $(tcpstate_src)
}

# ---------------------------------------------------------------- counts

# bucket_delta BEFORE AFTER STATE: "le_us count" lines of one state's
# duration histogram, counted between two summary JSON files.
bucket_delta() {
	jq -n -r --arg s "$3" --slurpfile b "$1" --slurpfile a "$2" '
		($b[0].durations[$s].buckets // [] | map({key: "\(.le_us)", value: .count}) | from_entries) as $old |
		$a[0].durations[$s].buckets[]? |
		select(.count - ($old["\(.le_us)"] // 0) != 0) |
		"\(.le_us) \(.count - ($old["\(.le_us)"] // 0))"'
}


# ss_counts NS: "state count" for every state, ss's view.
ss_counts() {
	ip netns exec "$1" ss -tanH | awk -v states="$ALL_STATES" '
	BEGIN {
		n = split(states, s, " ")
		for (i = 1; i <= n; i++) c[s[i]] = 0
		m["ESTAB"] = "established"; m["SYN-SENT"] = "syn_sent"
		m["SYN-RECV"] = "syn_recv"; m["FIN-WAIT-1"] = "fin_wait1"
		m["FIN-WAIT-2"] = "fin_wait2"; m["TIME-WAIT"] = "time_wait"
		m["CLOSE-WAIT"] = "close_wait"; m["LAST-ACK"] = "last_ack"
		m["LISTEN"] = "listen"; m["CLOSING"] = "closing"
	}
	($1 in m) { c[m[$1]]++ }
	END { for (i = 1; i <= n; i++) print s[i], c[s[i]] }'
}

# json_counts FILE: "state count" for every state from a summary object.
json_counts() {
	jq -r --arg states "$ALL_STATES" '
		.states as $s | $states | split(" ")[] |
		"\(.) \($s[.] // "missing")"' "$1"
}

# tcpstate_counts NS: "state count" for every state, tcpstate's view.
tcpstate_counts() {
	local f="$LIB_TMPDIR/summary.$BASHPID.json"
	summary_json "$1" >"$f" || return 1
	json_counts "$f"
}

# counts_diff NS: compare both views now; on a difference print
# "state ss=N tcpstate=M" lines and fail. Writes the last views to
# $LIB_TMPDIR/ss.counts and tcpstate.counts.
counts_diff() {
	local ns=$1
	ss_counts "$ns" >"$LIB_TMPDIR/ss.counts"
	tcpstate_counts "$ns" >"$LIB_TMPDIR/tcpstate.counts" || {
		echo "tcpstate summary --json failed"
		return 1
	}
	# ss again: a state that moved between the two reads is not a miss.
	ss_counts "$ns" >"$LIB_TMPDIR/ss2.counts"
	cmp -s "$LIB_TMPDIR/ss.counts" "$LIB_TMPDIR/ss2.counts" || {
		echo "ss changed while reading"
		return 1
	}
	join "$LIB_TMPDIR/ss.counts" "$LIB_TMPDIR/tcpstate.counts" 2>/dev/null |
		awk '$2 != $3 { printf "%s ss=%s tcpstate=%s\n", $1, $2, $3; bad = 1 }
		     END { exit bad }'
}

# wait_counts_equal NS [TIMEOUT_S]: poll until tcpstate equals ss in
# every state; on failure print the last difference as KTAP comments.
wait_counts_equal() {
	local ns=$1 timeout=${2:-5}
	if wait_until "$timeout" counts_diff "$ns" >/dev/null 2>&1; then
		return 0
	fi
	counts_diff "$ns" >"$LIB_TMPDIR/diff" 2>&1 && return 0
	ktap_print_msg "$(cat "$LIB_TMPDIR/diff")"
	ktap_print_msg "ss:       $(tr '\n' ' ' <"$LIB_TMPDIR/ss.counts")"
	ktap_print_msg "tcpstate: $(tr '\n' ' ' <"$LIB_TMPDIR/tcpstate.counts")"
	summary_json "$ns" >"$LIB_TMPDIR/diag.json" 2>&1 &&
	ktap_print_msg "$(jq -r '"transitions: " + ([.transitions[] | "\(.from)>\(.to)=\(.count)"] | join(" ")),
		"errors: " + (.errors | tostring) + " events_missed: " + (.events_missed | tostring)' \
		"$LIB_TMPDIR/diag.json")"
	return 1
}

# ss_state_count NS STATE: ss's count of one state (json name).
ss_state_count() {
	ss_counts "$1" | awk -v s="$2" '$1 == s { print $2 }'
}

# ss_is NS "state=N ...": ss shows exactly these counts (the rest 0).
# Two processes per call: wait_ss polls it while a test times states.
ss_is() {
	ss_counts "$1" | awk -v want="$2" '
		BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { split(w[i], kv, "="); wanted[kv[1]] = kv[2] } }
		{ if ($2 != ($1 in wanted ? wanted[$1] : 0)) bad = 1 }
		END { exit bad }'
}

# wait_ss NS "state=N ..." [TIMEOUT_S]: the set-up reached its states.
wait_ss() {
	local ns=$1 want=$2 timeout=${3:-10}
	wait_until "$timeout" ss_is "$ns" "$want" && return 0
	ktap_print_msg "set-up did not reach: $want"
	ktap_print_msg "ss now: $(ss_counts "$ns" | tr '\n' ' ')"
	return 1
}

# trans FILE FROM TO: one transition count (0 when absent).
trans() {
	jq -r --arg f "$2" --arg t "$3" \
		'[.transitions[] | select(.from == $f and .to == $t) | .count] | add // 0' "$1"
}

# snmp NS FIELD: a Tcp: counter of the netns.
snmp() {
	ip netns exec "$1" awk -v f="$2" '
		$1 == "Tcp:" && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == "Tcp:" { print $col[f] }' /proc/net/snmp
}

# transitions NS: "from to count" lines, sorted.
transitions() {
	summary_json "$1" | jq -r '.transitions[] | "\(.from) \(.to) \(.count)"' | sort
}

# transitions_delta BEFORE AFTER: "from to count" of AFTER minus BEFORE
# (files), nonzero lines only, sorted.
transitions_delta() {
	awk 'FILENAME == ARGV[1] { b[$1 " " $2] = $3; next }
	     { k = $1 " " $2; d = $3 - b[k]; seen[k] = 1; if (d) print k, d }
	     END { for (k in b) if (!(k in seen) && b[k]) print k, -b[k] }' \
		"$1" "$2" | sort
}

# expect_lines DESC GOT_FILE "from to count" ...: GOT equals the list.
expect_lines() {
	local desc=$1 got want
	got=$(cat "$2")
	shift 2
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	if [ "$got" = "$want" ]; then
		ktap_test_pass "$desc"
		return 0
	fi
	ktap_print_msg "expected:"
	ktap_print_msg "$want"
	ktap_print_msg "got:"
	ktap_print_msg "$got"
	ktap_test_fail "$desc"
	return 1
}

# ---------------------------------------------------------------- tcphold

HOLD_PID=
# hold_start NS [LIFETIME_S]: start tcphold in NS as a coprocess.
hold_start() {
	local ns=$1 life=${2:-120}
	coproc HOLD { exec ip netns exec "$ns" "$TCPHOLD" -t "$life" 2>&1; }
	HOLD_PID=$HOLD_PID
	HOLD_IN=${HOLD[1]}
	HOLD_OUT=${HOLD[0]}
}

# hold CMD...: one command to tcphold; its answer is in HOLD_REPLY.
# Fails (and says why) unless the answer starts with "ok".
hold() {
	HOLD_REPLY=
	echo "$*" >&"$HOLD_IN" || { ktap_print_msg "tcphold is gone"; return 1; }
	if ! read -r -t 30 HOLD_REPLY <&"$HOLD_OUT"; then
		ktap_print_msg "tcphold: no answer to: $*"
		return 1
	fi
	case "$HOLD_REPLY" in
	ok*) return 0 ;;
	esac
	ktap_print_msg "tcphold: $* -> $HOLD_REPLY"
	return 1
}

# hold_value KEY: a key=value from the last answer.
hold_value() {
	tr ' ' '\n' <<<"$HOLD_REPLY" | awk -F= -v k="$1" '$1 == k { print $2 }'
}

# hold_stop: tcphold closes everything and exits.
hold_stop() {
	[ -n "$HOLD_PID" ] || return 0
	{ echo quit >&"$HOLD_IN"; } 2>/dev/null
	exec {HOLD_IN}>&- 2>/dev/null
	local i
	for i in $(seq 50); do
		kill -0 "$HOLD_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$HOLD_PID" 2>/dev/null
	wait "$HOLD_PID" 2>/dev/null
	HOLD_PID=
}

# ---------------------------------------------------------------- plugging lo

# plug_lo NS: hold every packet sent on NS's lo for about 0.7 s, then let
# them all through in order. An htb class at 100 kbit/s is put in debt by
# one 8000-byte UDP datagram (dropped on input); what is sent meanwhile
# waits in the queue. There is no sch_netem or sch_plug on these kernels.
plug_lo() {
	local ns=$1
	nft_ns "$ns" list chain inet tcpstate_test input >/dev/null 2>&1 || nft_init "$ns"
	nft_rule "$ns" input udp dport 9 drop
	ip netns exec "$ns" tc qdisc add dev lo root handle 1: htb default 10 r2q 1 &&
	ip netns exec "$ns" tc class add dev lo parent 1: classid 1:10 htb \
		rate 100kbit burst 1 cburst 1 quantum 1500 2>/dev/null &&
	ip netns exec "$ns" bash -c 'head -c 8000 /dev/zero >/dev/udp/127.0.0.1/9'
}

# unplug_lo NS: remove the htb (call once plug_lo's packets went through).
unplug_lo() {
	ip netns exec "$1" tc qdisc del dev lo root 2>/dev/null
	return 0
}

# ---------------------------------------------------------------- health

# collector_health NS: the collector's error counters and missed events.
collector_health() {
	summary_json "$1" | jq -c '{errors: (.errors // {}), events_missed: (.events_missed // 0),
		negative_counts: (.negative_counts // 0), drifts: (.check.drifts // 0)}'
}

# stats_corrupt NS STATE DELTA [TW_DELTA]: adds DELTA to NS's live count
# of STATE (and TW_DELTA to its timewait sockets), behind the collector's
# back: for the BPF collector through a shared entry of its netns_spill
# map, which readers add to the per-CPU one (a second call adds to what
# the first left); for the module through the
# test-only "skew" command of /proc/net/tcpstate_ctl (module_load_skew).
# The test of the self-check and re-count (repair.sh).
stats_corrupt() {
	local ns=$1 state=$2 delta=$3 twd=${4:-0} json cookie gen inum idx key value i b old v
	if [ "$TCPSTATE_SOURCE" = module ]; then
		ip netns exec "$ns" bash -c 'echo "$1" >/proc/net/tcpstate_ctl' _ \
			"skew $state $delta $twd"
		return
	fi
	json=$(summary_json "$ns") || return 1
	cookie=$(jq -r .netns_cookie <<<"$json")
	gen=$(jq -r '.check.generation // 0' <<<"$json")
	inum=$(ip netns exec "$ns" stat -L -c %i /proc/self/ns/net) || return 1
	idx=$(state_index "$state") || return 1
	le() { local v=$1 n=$2 i; for ((i = 0; i < n; i++)); do printf '%02x ' $(( (v >> (8 * i)) & 255 )); done; }
	key="$(le "$cookie" 8)$(le "$inum" 4)$(le 0 4)"
	# What an earlier call left there, added to (its live counts and
	# timewait sockets; the rest of a spill entry of ours is zero).
	# shellcheck disable=SC2086
	old=$(bpftool -j map lookup pinned /sys/fs/bpf/tcpstate/map_netns_spill \
		key hex $key 2>/dev/null | jq -c '.formatted.value // empty')
	[ -n "$old" ] || old='{}'
	# struct tcpstate_stats: live[16] (even generations), live_alt[16]
	# (odd), timewait[2], the counters (zero), then epoch and pad.
	value=""
	for b in 0 1; do
		for ((i = 0; i < 16; i++)); do
			v=$(jq -r --argjson i "$i" "(if $b == 0 then .live else .live_alt end // [])[\$i] // 0" <<<"$old")
			if [ "$b" = $((gen & 1)) ] && [ "$i" = "$idx" ]; then
				v=$((v + delta))
			fi
			value+=$(le "$v" 8)
		done
	done
	for b in 0 1; do
		v=$(jq -r ".timewait[$b] // 0" <<<"$old")
		[ "$b" = $((gen & 1)) ] && v=$((v + twd))
		value+=$(le "$v" 8)
	done
	value+=$(printf '00 %.0s' $(seq $(( $(stats_size) - 16 * 8 * 2 - 16 - 8 ))))
	value+=$(le "$gen" 4)$(le 0 4)
	bpftool map delete pinned /sys/fs/bpf/tcpstate/map_netns_spill key hex $key 2>/dev/null
	# shellcheck disable=SC2086
	bpftool map update pinned /sys/fs/bpf/tcpstate/map_netns_spill \
		key hex $key value hex $value noexist
}

# module_load_skew: tcpstate.ko loaded with test_skew=1 (reloaded from
# TCPSTATE_MODULE if it runs without); MODULE_SKEW_RELOADED=1 when it was.
MODULE_SKEW_RELOADED=0
module_load_skew() {
	[ "$(cat /sys/module/tcpstate/parameters/test_skew 2>/dev/null)" = Y ] && return 0
	[ -n "$TCPSTATE_MODULE" ] || return 1
	if module_loaded; then
		rmmod tcpstate || return 1
	fi
	insmod "$TCPSTATE_MODULE" test_skew=1 || return 1
	MODULE_SKEW_RELOADED=1
}

# module_unload_skew: undo module_load_skew (the module as the other
# tests load it).
module_unload_skew() {
	[ "$MODULE_SKEW_RELOADED" = 1 ] || return 0
	rmmod tcpstate && insmod "$TCPSTATE_MODULE"
	MODULE_SKEW_RELOADED=0
}

# stats_size: sizeof(struct tcpstate_stats), from the map's BTF.
stats_size() {
	bpftool map show pinned /sys/fs/bpf/tcpstate/map_netns_spill -j | jq -r .bytes_value
}

# state_index NAME: the kernel's number of a live state.
state_index() {
	local i=1 s
	for s in established syn_sent syn_recv fin_wait1 fin_wait2 time_wait \
		 close close_wait last_ack listen closing; do
		[ "$s" = "$1" ] && { echo "$i"; return 0; }
		i=$((i + 1))
	done
	return 1
}

# health_case DESC BEFORE AFTER: no error counter grew, nothing missed.
# kernel_skips BEFORE AFTER: sets SKIPPED to the sockets the kernel's
# blind spot cost between two collector_health reads, and SKIPS_AFTER to
# AFTER with their marks set back to BEFORE's, for health_case. On the test
# machines the kernel runs no BPF program for events in a softirq on top
# of the sandbox's agent (Documentation/architecture.rst, "What the
# namespace bursts lost"): a socket whose close falls there stays
# recorded live until its destruction, a re-count or the next socket at
# its address drops it (close_unseen), a socket whose later events are
# seen has its next event disagree with its record (missed_event), and a
# timewait socket it had is met unrecorded when it dies
# (timewait_untracked). So: close_unseen and missed_event grew, and
# timewait_untracked by no more than the two. Anything else: AFTER as it is
# (SKIPPED 0), for health_case to judge. Not in a subshell: it sets both.
kernel_skips() {
	local before=$1 after=$2 cu tu
	cu=$(jq -n --argjson b "$before" --argjson a "$after" \
		'($a.errors.close_unseen // 0) - ($b.errors.close_unseen // 0) +
		 ($a.errors.missed_event // 0) - ($b.errors.missed_event // 0)')
	tu=$(jq -n --argjson b "$before" --argjson a "$after" \
		'($a.errors.timewait_untracked // 0) - ($b.errors.timewait_untracked // 0)')
	SKIPPED=0 SKIPS_AFTER=$after
	if [ "$cu" -gt 0 ] && [ "$tu" -le "$cu" ]; then
		SKIPPED=$cu
		SKIPS_AFTER=$(jq -c --argjson b "$before" \
			'.errors.close_unseen = ($b.errors.close_unseen // 0) |
			 .errors.missed_event = ($b.errors.missed_event // 0) |
			 .errors.timewait_untracked = ($b.errors.timewait_untracked // 0)' <<<"$after")
	fi
}

health_case() {
	local desc=$1 before=$2 after=$3 grew
	grew=$(jq -n -r --argjson b "$before" --argjson a "$after" '
		[($a.errors | to_entries[] | select(.value > ($b.errors[.key] // 0)) |
		  "\(.key): \($b.errors[.key] // 0) -> \(.value)"),
		 (select($a.events_missed > $b.events_missed) |
		  "events_missed: \($b.events_missed) -> \($a.events_missed)"),
		 (select(($a.negative_counts // 0) > 0) |
		  "negative_counts: \($a.negative_counts)"),
		 (select(($a.drifts // 0) > ($b.drifts // 0)) |
		  "drifts from the kernel'"'"'s counters: \($b.drifts // 0) -> \($a.drifts)")] | .[]' 2>&1)
	if [ -z "$grew" ] && [ -n "$after" ]; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "${grew:-no health counters in summary --json}"
		ktap_test_fail "$desc"
	fi
}
