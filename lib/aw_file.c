#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_file.h"

int aw_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int aw_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		aw_error_at(dir, 0, "sync: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int aw_replace_file(const char *path, const void *data, size_t n)
{
	struct aw_buf tmp = { 0 };
	int fd, rc = -1;
	struct stat sb;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		/* a device or a pipe (-o /dev/stdout): written into, never replaced */
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 || aw_write_all(fd, data, n) != 0) {
			aw_warn("%s: write error: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		if (close(fd) != 0) {
			aw_warn("%s: write error: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	aw_buf_printf(&tmp, "%s.tmpXXXXXX", path);
	mode_t mask = umask(0);
	umask(mask);
	if ((fd = mkstemp(tmp.s)) < 0) {
		aw_warn("%s: %s", path, strerror(errno));
		goto done;
	}
	if (fchmod(fd, 0666 & ~mask) != 0 || aw_write_all(fd, data, n) != 0 || fsync(fd) != 0) {
		aw_warn("%s: %s", tmp.s, strerror(errno));
		close(fd);
		unlink(tmp.s);
		goto done;
	}
	if (close(fd) != 0 || rename(tmp.s, path) != 0) {
		aw_warn("%s: %s", path, strerror(errno));
		unlink(tmp.s);
		goto done;
	}
	rc = 0;
done:
	aw_buf_free(&tmp);
	return rc;
}

int aw_read_file(const char *path, struct aw_buf *b)
{
	char chunk[65536];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		aw_buf_put(b, chunk, (size_t)r);
	}
	close(fd);
	aw_buf_grow(b, 0);
	return 0;
}

void aw_put_key_num(struct aw_buf *b, const char *key, double v)
{
	char s[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof s, "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	aw_buf_printf(b, "%s %s\n", key, s);
}
