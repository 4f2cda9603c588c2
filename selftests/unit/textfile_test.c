// SPDX-License-Identifier: GPL-2.0
/*
 * textfile_test.c - user/textfile.c: the file appears whole with mode
 * 0644 and no temp file left; on every error (directory missing, a file
 * where the directory should be, a fill() failure, a symlink where the
 * temp file goes) -errno and a message are returned, the temp file is
 * gone and the previous file is intact.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "textfile.h"
#include "tap.h"

static char dir[64];
static char err[512];

static int fill_text(FILE *f, void *arg)
{
	fputs((const char *)arg, f);
	return 0;
}

static int fill_fails(FILE *f, void *arg)
{
	(void)arg;
	fputs("half", f);
	return -EIO;
}

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/textfile_test.XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static void rm_tmp(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		tap_diag("could not remove %s", dir);
}

static char *slurp(const char *name)
{
	static char buf[256];
	char path[128];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries in dir besides . and .. */
static int entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

TEST(writes_the_file_whole_with_mode_0644)
{
	char path[128];
	struct stat st;
	mode_t old = umask(077);

	mkdir_tmp();
	EXPECT_EQ(textfile_write(dir, "t.prom", fill_text, "one\n", err, sizeof(err)), 0);
	EXPECT_STREQ(err, "");
	EXPECT_STREQ(slurp("t.prom"), "one\n");
	snprintf(path, sizeof(path), "%s/t.prom", dir);
	ASSERT_EQ(stat(path, &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0644);
	EXPECT_EQ(textfile_write(dir, "t.prom", fill_text, "two\n", err, sizeof(err)), 0);
	EXPECT_STREQ(slurp("t.prom"), "two\n");
	EXPECT_EQ(entries(), 1);
	umask(old);
	rm_tmp();
}

TEST(a_missing_directory_is_an_error)
{
	EXPECT_EQ(textfile_write("/nonexistent/tcpstate", "t.prom", fill_text, "x",
				 err, sizeof(err)), -ENOENT);
	EXPECT_STRSTR(err, "/nonexistent/tcpstate");
	EXPECT_STRSTR(err, "No such file or directory");
}

TEST(a_file_in_place_of_the_directory_is_an_error)
{
	char path[128];
	FILE *f;

	mkdir_tmp();
	snprintf(path, sizeof(path), "%s/notadir", dir);
	f = fopen(path, "w");
	ASSERT_TRUE(f != NULL);
	fclose(f);
	EXPECT_EQ(textfile_write(path, "t.prom", fill_text, "x", err, sizeof(err)), -ENOTDIR);
	EXPECT_STRSTR(err, "notadir");
	rm_tmp();
}

TEST(a_failed_fill_keeps_the_previous_file)
{
	mkdir_tmp();
	ASSERT_EQ(textfile_write(dir, "t.prom", fill_text, "old\n", err, sizeof(err)), 0);
	EXPECT_EQ(textfile_write(dir, "t.prom", fill_fails, NULL, err, sizeof(err)), -EIO);
	EXPECT_STRSTR(err, "writing");
	EXPECT_STREQ(slurp("t.prom"), "old\n");
	EXPECT_EQ(entries(), 1);	/* no temp file left */
	rm_tmp();
}

TEST(a_symlink_as_the_temp_file_is_not_followed)
{
	char link[128], target[128], name[64];

	mkdir_tmp();
	ASSERT_EQ(textfile_write(dir, "t.prom", fill_text, "old\n", err, sizeof(err)), 0);
	/* A planted link where this pid's temp file goes, to a victim file. */
	snprintf(target, sizeof(target), "%s/victim", dir);
	snprintf(name, sizeof(name), ".t.prom.tmp.%ld", (long)getpid());
	snprintf(link, sizeof(link), "%s/%s", dir, name);
	ASSERT_EQ(symlink(target, link), 0);
	/* The stale entry is unlinked and the temp file created afresh. */
	EXPECT_EQ(textfile_write(dir, "t.prom", fill_text, "new\n", err, sizeof(err)), 0);
	EXPECT_STREQ(slurp("t.prom"), "new\n");
	EXPECT_TRUE(slurp("victim") == NULL);
	EXPECT_EQ(entries(), 1);
	rm_tmp();
}

TEST(bad_names_are_refused)
{
	EXPECT_EQ(textfile_write("/tmp", "a/b", fill_text, "x", err, sizeof(err)), -EINVAL);
	EXPECT_EQ(textfile_write("/tmp", "..", fill_text, "x", err, sizeof(err)), -EINVAL);
	EXPECT_EQ(textfile_write("", "t.prom", fill_text, "x", NULL, 0), -EINVAL);
}

TEST(a_write_error_of_fill_output_is_returned)
{
	/* /dev/full cannot be the directory; a long name past PATH_MAX can. */
	char longname[300];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	mkdir_tmp();
	EXPECT_EQ(textfile_write(dir, longname, fill_text, "x", err, sizeof(err)), -ENAMETOOLONG);
	EXPECT_EQ(entries(), 0);
	rm_tmp();
}
