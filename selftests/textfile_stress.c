// SPDX-License-Identifier: GPL-2.0
/*
 * textfile_stress.c - rewrites a textfile many times with
 * user/textfile.c, or reads it as fast as it can, checking every file it
 * opens is whole.
 *
 *   textfile_stress write DIR NAME COUNT   COUNT rewrites, each of a
 *                                          different size (100 B to 64 KiB)
 *   textfile_stress write-in-place DIR NAME COUNT
 *                                          the same, rewriting the file in
 *                                          place (O_TRUNC): the control
 *                                          that shows the reader catches
 *                                          partial files
 *   textfile_stress read DIR NAME SECONDS MODE
 *                                          reads DIR/NAME until SECONDS
 *                                          pass or a "stop" file appears
 *                                          in DIR; MODE "marker": each
 *                                          file ends in the writer's
 *                                          "# end SEQ BYTES" line, BYTES
 *                                          the size before it; MODE "prom":
 *                                          each ends in a
 *                                          tcpstate_build_info sample line
 *
 * The reader prints "reads=N whole=N seqs=N" (seqs: changes of file seen,
 * by sequence number, or by inode in prom mode) and exits 1 at the first
 * partial file (printing it), 0 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "textfile.h"

#define MAX_FILE	(1 << 20)

struct body {
	unsigned long seq;
	size_t len;
};

static int fill(FILE *f, void *arg)
{
	const struct body *b = arg;
	size_t n = 0;

	while (n < b->len) {
		int w = fprintf(f, "tcpstate_sockets{seq=\"%lu\",n=\"%zu\"} 1\n", b->seq, n);

		if (w < 0)
			return -EIO;
		n += (size_t)w;
	}
	fprintf(f, "# end %lu %zu\n", b->seq, n);
	return ferror(f) ? -EIO : 0;
}

static int do_write(const char *dir, const char *name, unsigned long count)
{
	char err[512];

	for (unsigned long i = 0; i < count; i++) {
		struct body b = { .seq = i, .len = 100 + (i * 7919) % 65436 };
		int ret = textfile_write(dir, name, fill, &b, err, sizeof(err));

		if (ret) {
			fprintf(stderr, "textfile_stress: rewrite %lu: %s\n", i, err);
			return 1;
		}
	}
	return 0;
}

static int do_write_in_place(const char *dir, const char *name, unsigned long count)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (unsigned long i = 0; i < count; i++) {
		struct body b = { .seq = i, .len = 100 + (i * 7919) % 65436 };
		FILE *f = fopen(path, "w");

		if (!f || fill(f, &b) || fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The last line of buf[0..n), which must end in a newline; NULL if none. */
static const char *last_line(const char *buf, size_t n)
{
	size_t i;

	if (n == 0 || buf[n - 1] != '\n')
		return NULL;
	for (i = n - 1; i > 0 && buf[i - 1] != '\n'; i--)
		;
	return buf + i;
}

static int whole(const char *buf, size_t n, bool prom, unsigned long *seq)
{
	const char *l = last_line(buf, n);
	unsigned long s;
	size_t bytes;

	if (!l)
		return 0;
	if (prom)
		return !strncmp(l, "tcpstate_build_info{", 20) &&
		       !strcmp(buf + n - 3, " 1\n");
	if (sscanf(l, "# end %lu %zu\n", &s, &bytes) != 2)
		return 0;
	*seq = s;
	return bytes == (size_t)(l - buf);
}

static int do_read(const char *dir, const char *name, double secs, bool prom)
{
	static char buf[MAX_FILE + 1];
	char path[4096], stop[4096];
	unsigned long reads = 0, good = 0, seqs = 0, seq = 0, last = ~0UL;
	double end = now_s() + secs;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(stop, sizeof(stop), "%s/stop", dir);
	while (now_s() < end && access(stop, F_OK)) {
		size_t n = 0;
		ssize_t r;
		struct stat st;
		int fd = open(path, O_RDONLY);

		if (fd < 0) {
			if (errno == ENOENT)
				continue;	/* not written yet */
			perror(path);
			return 1;
		}
		/* Every rename puts a new inode in place: prom mode counts those. */
		if (prom && !fstat(fd, &st))
			seq = st.st_ino;
		while (n < MAX_FILE && (r = read(fd, buf + n, MAX_FILE - n)) > 0)
			n += (size_t)r;
		close(fd);
		buf[n] = '\0';
		reads++;
		if (!whole(buf, n, prom, &seq)) {
			printf("partial file after %lu reads (%zu bytes), its end:\n%s\n",
			       reads, n, n > 200 ? buf + n - 200 : buf);
			return 1;
		}
		good++;
		if (seq != last)
			seqs++;
		last = seq;
	}
	printf("reads=%lu whole=%lu seqs=%lu\n", reads, good, seqs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "write"))
		return do_write(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "write-in-place"))
		return do_write_in_place(argv[2], argv[3], strtoul(argv[4], NULL, 10));
	if (argc == 6 && !strcmp(argv[1], "read"))
		return do_read(argv[2], argv[3], strtod(argv[4], NULL),
			       !strcmp(argv[5], "prom"));
	fprintf(stderr, "usage: textfile_stress write|write-in-place DIR NAME COUNT | "
		"read DIR NAME SECONDS marker|prom\n");
	return 2;
}
