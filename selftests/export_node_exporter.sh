#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# export_node_exporter.sh - Debian's prometheus-node-exporter scrapes what
# `tcpstate export -d` wrote: node_exporter runs in a namespace of its
# own, listening on 127.0.0.1:9999 (outside ip_local_port_range, design.md
# section 3) with only the textfile collector; the sockets are held in a
# second namespace, where the export runs. Every family of the file is
# in the scrape with its type, node_textfile_scrape_error is 0, the
# tcpstate_sockets of the test namespace equal `tcpstate summary --json`
# there, the limits equal its sysctls, and `promtool check metrics` is
# clean on the file and on the scrape.
TEST_NAME=export_node_exporter
. "$(dirname "$0")/lib.sh"

NODE_EXPORTER=${NODE_EXPORTER:-prometheus-node-exporter}
PORT=9999
DIR=$LIB_TMPDIR/textfile
FILE=$DIR/tcpstate.prom
SCRAPE=$LIB_TMPDIR/scrape.txt

scrape() {
	ip netns exec "$NSX" curl -sf --max-time 5 "http://127.0.0.1:$PORT/metrics" >"$SCRAPE"
}

listening() {
	ip netns exec "$NSX" ss -tlnH "sport = :$PORT" | grep -q LISTEN
}

# family_types FILE: "name type" of every # TYPE line of tcpstate_*.
family_types() {
	awk '$1 == "#" && $2 == "TYPE" && $3 ~ /^tcpstate_/ { print $3, $4 }' "$1" | sort
}

# every_family_scraped: each family of the file, with its type, scraped.
every_family_scraped() {
	local missing
	missing=$(comm -23 <(family_types "$FILE") <(family_types "$SCRAPE"))
	[ -z "$missing" ] && return 0
	ktap_print_msg "not scraped: $missing"
	return 1
}

# has_families NAME...: the file has each family.
has_families() {
	local f ok=0
	for f in "$@"; do
		grep -q "^# TYPE $f " "$FILE" || { ktap_print_msg "missing family: $f"; ok=1; }
	done
	return $ok
}

# sample NAME LABELS: the value of one sample in the scrape ("" if none).
sample() {
	awk -v k="$1{$2}" '$1 == k { print $2 }' "$SCRAPE"
}

sockets_equal_summary() {
	local s want got bad=0
	for s in $ALL_STATES; do
		want=$(jq -r --arg s "$s" '.states[$s]' "$LIB_TMPDIR/summary.json")
		got=$(sample tcpstate_sockets "netns=\"$INUM\",state=\"$s\"")
		if [ "$want" != "$got" ]; then
			ktap_print_msg "$s: summary $want, scrape '$got'"
			bad=1
		fi
	done
	return $bad
}

limits_equal_sysctls() {
	local lo hi tw fin
	read -r lo hi < <(ip netns exec "$NS" cat /proc/sys/net/ipv4/ip_local_port_range)
	tw=$(ip netns exec "$NS" cat /proc/sys/net/ipv4/tcp_max_tw_buckets)
	fin=$(ip netns exec "$NS" cat /proc/sys/net/ipv4/tcp_fin_timeout)
	[ "$(sample tcpstate_limit_local_ports "netns=\"$INUM\"")" = $((hi - lo + 1)) ] &&
	[ "$(sample tcpstate_limit_max_tw_buckets "netns=\"$INUM\"")" = "$tw" ] &&
	[ "$(sample tcpstate_limit_fin_timeout_seconds "netns=\"$INUM\"")" = "$fin" ]
}

assert_prereqs curl promtool "$NODE_EXPORTER"
ktap_print_header
ktap_set_plan 9
collector_load || ktap_skip_all "cannot load the collector"
collector_guard
setup_ns NS NSX
mkdir -p "$DIR"
# Limits of its own, so that the host's values would not pass by chance.
ip netns exec "$NS" sysctl -qw net.ipv4.ip_local_port_range="20000 29999" \
	net.ipv4.tcp_fin_timeout=37 net.ipv4.tcp_max_tw_buckets=5000
INUM=$(ip netns exec "$NS" stat -L -c %i /proc/self/ns/net)

ip netns exec "$NSX" "$NODE_EXPORTER" --web.listen-address="127.0.0.1:$PORT" \
	--web.disable-exporter-metrics --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$DIR" \
	>"$LIB_TMPDIR/node_exporter.log" 2>&1 &
LIB_CHILDREN+=($!)
wait_until 10 listening || {
	ktap_print_msg "$(tail -5 "$LIB_TMPDIR/node_exporter.log")"
	ktap_skip_all "node_exporter did not start"
}

# Sockets held still: a listener and 3 connections.
hold_start "$NS"
hold listen L 8080 && hold connect C 8080 3 && hold accept S L 3 &&
wait_ss "$NS" "listen=1 established=6"

# --max-netns: other tests' namespaces must not push this one out.
ktap_test_result "tcpstate export -d" \
	tcpstate_ns "$NS" export $(tcpstate_src) --max-netns 100000 -d "$DIR"
summary_json "$NS" >"$LIB_TMPDIR/summary.json"
ktap_test_result "node_exporter scrape" scrape

families="tcpstate_sockets tcpstate_transitions_total tcpstate_state_duration_seconds
	tcpstate_connection_duration_seconds tcpstate_collector_errors_total
	tcpstate_events_missed_total tcpstate_limit_local_ports tcpstate_limit_max_tw_buckets
	tcpstate_limit_fin_timeout_seconds tcpstate_export_netns_dropped
	tcpstate_export_transitions_dropped tcpstate_build_info"
[ "$TCPSTATE_SOURCE" = module ] ||
	families="$families tcpstate_kernel_check_drifts_total tcpstate_kernel_check_repairs_total
		  tcpstate_kernel_sockets"
# shellcheck disable=SC2086
ktap_test_result "the file has every family" has_families $families
ktap_test_result "every family is scraped with its type" every_family_scraped
ktap_print_msg "$(family_types "$SCRAPE" | wc -l) tcpstate families scraped"
ktap_test_result "node_textfile_scrape_error is 0" \
	[ "$(awk '$1 == "node_textfile_scrape_error" { print $2 }' "$SCRAPE")" = 0 ]
ktap_test_result "tcpstate_sockets equal tcpstate summary --json" sockets_equal_summary
ktap_test_result "the limits equal the namespace's sysctls" limits_equal_sysctls
ktap_test_result "promtool check metrics: the file" \
	bash -c "promtool check metrics <'$FILE'"
ktap_test_result "promtool check metrics: the scrape" \
	bash -c "promtool check metrics <'$SCRAPE'"

ktap_finished
