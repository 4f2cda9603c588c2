// SPDX-License-Identifier: GPL-2.0
/*
 * config_test.c - user/config.c: tcpstated.conf, good files and a table
 * of bad ones, each refused with the right line number and reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "config.h"
#include "log.h"
#include "tap.h"

TEST(defaults_without_a_file)
{
	struct tsd_config c;
	char err[256] = "";

	config_defaults(&c);
	ASSERT_EQ(config_parse("", "empty.conf", &c, err, sizeof(err)), 0);
	EXPECT_STREQ(c.textfile_dir, "/var/lib/prometheus/node-exporter");
	EXPECT_UEQ(c.interval, 15);
	EXPECT_STREQ(c.source, "auto");
	EXPECT_UEQ(c.max_netns, 256);
	EXPECT_UEQ(c.max_series, 4096);
	EXPECT_EQ(c.log_level, LOG_INFO);
	EXPECT_UEQ(c.prune_every, 40);
	EXPECT_TRUE(c.alerts.th[ALERT_CLOSE_WAIT_COUNT].warning == 1000);
	EXPECT_TRUE(c.alerts.th[ALERT_PORT_USE].warning == 0.7);
	EXPECT_TRUE(c.alerts.th[ALERT_PORT_USE].critical == 0.9);
	EXPECT_TRUE(c.alerts.hysteresis == 0.1);
	EXPECT_STREQ(c.alert_hook, "");
}

TEST(alert_keys_set)
{
	static const char text[] =
		"close_wait_count = 2000\n"
		"close_wait_count_critical = 0\n"
		"port_use_ratio = 0.5\n"
		"accept_queue_ratio = 1\n"
		"alert_hold_seconds = 0\n"
		"alert_hook = /usr/local/bin/page-me\n"
		"alert_hook = none\n";
	struct tsd_config c;
	char err[256] = "", buf[64];

	config_defaults(&c);
	/* alert_hook twice is a duplicate. */
	ASSERT_EQ(config_parse(text, "a.conf", &c, err, sizeof(err)), -EINVAL);
	EXPECT_STRSTR(err, "a.conf:7: duplicate key 'alert_hook'");
	ASSERT_EQ(config_parse("close_wait_count = 2000\nclose_wait_count_critical = 0\n"
			       "port_use_ratio = 0.5\naccept_queue_ratio = 1\n"
			       "alert_hold_seconds = 0\nalert_hook = /usr/local/bin/page-me\n",
			       "a.conf", &c, err, sizeof(err)), 0);
	EXPECT_TRUE(c.alerts.th[ALERT_CLOSE_WAIT_COUNT].warning == 2000);
	EXPECT_TRUE(c.alerts.th[ALERT_CLOSE_WAIT_COUNT].critical == 0);
	EXPECT_TRUE(c.alerts.th[ALERT_PORT_USE].warning == 0.5);
	EXPECT_TRUE(c.alerts.th[ALERT_ACCEPT_QUEUE].warning == 1);
	EXPECT_TRUE(c.alerts.hold_s == 0);
	EXPECT_STREQ(c.alert_hook, "/usr/local/bin/page-me");
	ASSERT_EQ(config_get(&c, "port_use_ratio", buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "0.5");
	EXPECT_EQ(config_set(&c, "alert_hook", "none", err, sizeof(err)), 0);
	EXPECT_STREQ(c.alert_hook, "");
}

TEST(every_key_set)
{
	static const char text[] =
		"# tcpstated.conf\n"
		"\n"
		"textfile_dir = /run/tcpstate metrics\n"
		"   interval=5   \n"
		"\tsource\t=\tbpf\n"
		"max_netns = 1\n"
		"max_series = 1000000\n"
		"log_level = debug\n"
		"   # indented comment\n"
		"prune_every = 0";	/* no newline at the end */
	struct tsd_config c;
	char err[256] = "", buf[64];

	config_defaults(&c);
	ASSERT_EQ(config_parse(text, "t.conf", &c, err, sizeof(err)), 0);
	EXPECT_STREQ(err, "");
	EXPECT_STREQ(c.textfile_dir, "/run/tcpstate metrics");
	EXPECT_UEQ(c.interval, 5);
	EXPECT_STREQ(c.source, "bpf");
	EXPECT_UEQ(c.max_netns, 1);
	EXPECT_UEQ(c.max_series, 1000000);
	EXPECT_EQ(c.log_level, LOG_DEBUG);
	EXPECT_UEQ(c.prune_every, 0);
	ASSERT_EQ(config_get(&c, "log_level", buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "debug");
	ASSERT_EQ(config_get(&c, "interval", buf, sizeof(buf)), 0);
	EXPECT_STREQ(buf, "5");
}

static const struct {
	const char *text;
	const char *where;	/* "file:line:" expected at the start */
	const char *what;	/* and this in the message */
} bad[] = {
	{ "interval = 5\nbogus = 1\n", "b.conf:2:", "unknown key 'bogus'" },
	{ "interval 5\n", "b.conf:1:", "no '='" },
	{ "# c\n\ninterval = five\n", "b.conf:3:", "is not a number" },
	{ "interval = 5s\n", "b.conf:1:", "is not a number" },
	{ "interval = -1\n", "b.conf:1:", "is not a number" },
	{ "interval = 0\n", "b.conf:1:", "out of range" },
	{ "interval = 3601\n", "b.conf:1:", "out of range" },
	{ "interval = 99999999999999999999999\n", "b.conf:1:", "is not a number" },
	{ "max_netns = 65537\n", "b.conf:1:", "out of range" },
	{ "max_series = 0\n", "b.conf:1:", "out of range" },
	{ "interval = 5\n# x\ninterval = 6\n", "b.conf:3:", "duplicate key 'interval'" },
	{ "source = kernel\n", "b.conf:1:", "not one of auto, bpf, module" },
	{ "log_level = loud\n", "b.conf:1:", "not one of err" },
	{ "textfile_dir = relative/dir\n", "b.conf:1:", "not an absolute path" },
	{ "interval =\n", "b.conf:1:", "no value" },
	{ " = 5\n", "b.conf:1:", "no key" },
	{ "interval = 5 # five\n", "b.conf:1:", "is not a number" },
	{ "\n\n\n\nprune_every = x\n", "b.conf:5:", "is not a number" },
	{ "Interval = 5\n", "b.conf:1:", "unknown key 'Interval'" },
	/* Alerts. */
	{ "close_wait_counts = 5\n", "b.conf:1:", "unknown key 'close_wait_counts'" },
	{ "tcp_state_alert = 1\n", "b.conf:1:", "unknown key" },
	{ "port_use_ratio = 1.5\n", "b.conf:1:", "out of range (0-1)" },
	{ "accept_queue_ratio = -0.5\n", "b.conf:1:", "is not a number" },
	{ "close_wait_count = 1.5\n", "b.conf:1:", "not a whole number" },
	{ "close_wait_count = 1e3\n", "b.conf:1:", "not a whole number" },
	{ "close_wait_age_seconds = nan\n", "b.conf:1:", "is not a number" },
	{ "close_wait_age_seconds = 1.2.3\n", "b.conf:1:", "is not a number" },
	{ "time_wait_count = 100000001\n", "b.conf:1:", "out of range" },
	{ "alert_hysteresis = 0.95\n", "b.conf:1:", "out of range" },
	{ "time_wait_growth_window = 0\n", "b.conf:1:", "out of range" },
	{ "alert_max_sockets = 0\n", "b.conf:1:", "out of range" },
	{ "alert_culprit_refresh = 90000\n", "b.conf:1:", "out of range" },
	{ "alert_culprit_refresh = -1\n", "b.conf:1:", "is not a number" },
	{ "alert_hook = notify.sh\n", "b.conf:1:", "not an absolute path" },
	{ "alert_hook = /bin/sh -c 'x'\n", "b.conf:1:", "without a shell" },
	{ "close_wait_count = 10\n\nclose_wait_count_critical = 5\n", "b.conf:3:",
	  "close_wait_count_critical 5 is below close_wait_count 10" },
	{ "port_use_ratio = 0.95\n", "b.conf:1:", "port_use_ratio_critical 0.9 is below" },
};

TEST(bad_files_refused_with_their_line)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tsd_config c, before;
		char err[256] = "";

		config_defaults(&c);
		before = c;
		EXPECT_EQ(config_parse(bad[i].text, "b.conf", &c, err, sizeof(err)), -EINVAL);
		EXPECT_TRUE(!strncmp(err, bad[i].where, strlen(bad[i].where)));
		EXPECT_STRSTR(err, bad[i].what);
		/* A refused file changes nothing. */
		EXPECT_TRUE(!memcmp(&c, &before, sizeof(c)));
		if (tap_failed()) {
			tap_diag("case %zu: %s", i, err);
			return;
		}
	}
}

TEST(long_line_refused)
{
	char *text = malloc(5000);
	struct tsd_config c;
	char err[256] = "";

	ASSERT_TRUE(text != NULL);
	memset(text, 'a', 4999);
	text[4999] = '\0';
	memcpy(text, "interval = 1\n", 13);
	config_defaults(&c);
	EXPECT_EQ(config_parse(text, "l.conf", &c, err, sizeof(err)), -EINVAL);
	EXPECT_STRSTR(err, "l.conf:2: line too long");
	free(text);
}

TEST(load_missing_and_real_files)
{
	char path[] = "/tmp/tcpstate-config-test.XXXXXX";
	struct tsd_config c;
	char err[256] = "";
	int fd;

	config_defaults(&c);
	EXPECT_EQ(config_load("/nonexistent/tcpstated.conf", &c, err, sizeof(err)), -ENOENT);
	EXPECT_STRSTR(err, "/nonexistent/tcpstated.conf: ");
	fd = mkstemp(path);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(write(fd, "interval = 2\nx\n", 15) == 15);
	close(fd);
	EXPECT_EQ(config_load(path, &c, err, sizeof(err)), -EINVAL);
	EXPECT_STRSTR(err, ":2: expected 'key = value'");
	EXPECT_UEQ(c.interval, 15);
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(write(fd, "interval = 2\0\n", 14) == 14);
	close(fd);
	EXPECT_EQ(config_load(path, &c, err, sizeof(err)), -EINVAL);
	EXPECT_STRSTR(err, ":1: NUL byte");
	fd = open(path, O_WRONLY | O_TRUNC);
	ASSERT_TRUE(write(fd, "interval = 2\n", 13) == 13);
	close(fd);
	EXPECT_EQ(config_load(path, &c, err, sizeof(err)), 0);
	EXPECT_UEQ(c.interval, 2);
	unlink(path);
}

TEST(set_checks_like_the_file)
{
	struct tsd_config c;
	char err[256] = "";

	config_defaults(&c);
	EXPECT_EQ(config_set(&c, "interval", "0", err, sizeof(err)), -EINVAL);
	EXPECT_STRSTR(err, "interval: 0 is out of range (1-3600)");
	EXPECT_EQ(config_set(&c, "nope", "1", err, sizeof(err)), -ENOENT);
	EXPECT_EQ(config_set(&c, "source", "module", err, sizeof(err)), 0);
	EXPECT_STREQ(c.source, "module");
	for (size_t i = 0; config_key_name(i); i++)
		EXPECT_TRUE(config_get(&c, config_key_name(i), err, sizeof(err)) == 0);
}

TEST(log_levels)
{
	EXPECT_EQ(log_level_parse("err"), LOG_ERR);
	EXPECT_EQ(log_level_parse("warning"), LOG_WARNING);
	EXPECT_EQ(log_level_parse("7"), LOG_DEBUG);
	EXPECT_EQ(log_level_parse("8"), -1);
	EXPECT_EQ(log_level_parse("2"), -1);
	EXPECT_EQ(log_level_parse(""), -1);
}

/* Runs fn with stderr into a pipe; returns what it wrote. */
static const char *capture(void (*fn)(void))
{
	static char buf[512];
	int p[2], saved;
	ssize_t n;

	if (pipe(p))
		return "";
	saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void log_some(void)
{
	log_set_level(LOG_INFO);
	log_err("disk %s", "full");
	log_warn("two\nlines");
	log_info("trailing newline\n");
	log_debug("not shown at info");
	log_mute(true);
	log_err("muted");
	log_mute(false);
}

TEST(log_prefixes_one_line_per_event)
{
	log_init("tcpstated", true);
	EXPECT_STREQ(capture(log_some), "<3>disk full\n<4>two lines\n<6>trailing newline\n");
	unsetenv("JOURNAL_STREAM");
	log_init("tcpstate", false);
	EXPECT_STREQ(capture(log_some),
		     "tcpstate: disk full\ntcpstate: two lines\ntcpstate: trailing newline\n");
	setenv("JOURNAL_STREAM", "8:1234", 1);
	log_init("tcpstate", false);
	EXPECT_STRSTR(capture(log_some), "<3>disk full\n");
	unsetenv("JOURNAL_STREAM");
}
