#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# exactness_load_before.sh - the collector runs before the sockets exist:
# hold every state still in a fresh netns, one state after another, and
# assert that tcpstate summary --json equals ss -tan in every state after
# each stage; then release everything and check again.
TEST_NAME=exactness_load_before
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/states.sh"

exactness_run before
