#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# exactness_load_after.sh - the sockets exist before the collector: unload
# it, hold every state still in a fresh netns, load it, and assert that
# tcpstate summary --json equals ss -tan in every state (the baseline);
# then release everything and check again (transitions of sockets the
# collector only knows from the baseline).
TEST_NAME=exactness_load_after
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/states.sh"

exactness_run after
