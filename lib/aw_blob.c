#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "aw_blob.h"
#include "aw_file.h"

int aw_blob_hash_ok(const char *s)
{
	size_t i;
	for (i = 0; s && s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s && i == 64;
}

char *aw_blob_path(const char *dir, const char *hash)
{
	struct aw_buf p = { 0 };
	if (!aw_blob_hash_ok(hash))
		return NULL;
	aw_buf_printf(&p, "%s/blobs/sha256/%.2s/%s", dir, hash, hash);
	return p.s;
}

static int mkdir_in(const char *path)
{
	if (mkdir(path, 0700) == 0 || errno == EEXIST)
		return 0;
	aw_error_at(path, 0, "cannot create: %s", strerror(errno));
	return -1;
}

static void hex(const unsigned char *md, char out[AW_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = 0;
}

/* hashes fd to its end, copying to out (-1: no copy); 0 or -1 (errno set) */
static int hash_fd(int fd, int out, char hash[AW_SHA256_HEX], unsigned long long *bytes)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int mdlen = 0;
	ssize_t r;
	int rc = -1;

	*bytes = 0;
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		aw_die(1, "sha-256 failed in libcrypto");
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)r);
		*bytes += (unsigned long long)r;
		if (out >= 0 && aw_write_all(out, buf, (size_t)r) < 0)
			goto out;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32)
		aw_die(1, "sha-256 failed in libcrypto");
	hex(md, hash);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int aw_blob_put_file(const char *dir, const char *path, char hash[AW_SHA256_HEX],
    unsigned long long *bytes, int *existed)
{
	struct aw_buf blobs = { 0 }, tmp = { 0 }, sub = { 0 };
	char *dst = NULL;
	int in = -1, out = -1, rc = -1;
	struct stat sb;

	*existed = 0;
	aw_buf_printf(&blobs, "%s/blobs", dir);
	aw_buf_printf(&sub, "%s/sha256", blobs.s);
	aw_buf_printf(&tmp, "%s/tmp", blobs.s);
	if (mkdir_in(blobs.s) < 0 || mkdir_in(sub.s) < 0 || mkdir_in(tmp.s) < 0)
		goto out;
	if ((in = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(in, &sb) < 0) {
		aw_error_at(path, 0, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		aw_error_at(path, 0, "not a regular file");
		goto out;
	}
	aw_buf_puts(&tmp, "/in.XXXXXX");
	if ((out = mkstemp(tmp.s)) < 0) {
		aw_error_at(tmp.s, 0, "%s", strerror(errno));
		goto out;
	}
	if (hash_fd(in, out, hash, bytes) < 0) {
		aw_error_at(path, 0, "%s", strerror(errno));
		goto out_unlink;
	}
	if (fchmod(out, 0400) < 0 || fsync(out) < 0 || close(out) < 0) {
		out = -1;
		aw_error_at(tmp.s, 0, "%s", strerror(errno));
		goto out_unlink;
	}
	out = -1;
	aw_buf_printf(&sub, "/%.2s", hash);
	if (mkdir_in(sub.s) < 0)
		goto out_unlink;
	dst = aw_blob_path(dir, hash);
	/* link(2) never replaces an existing name: a blob, once there, stays as it is */
	if (link(tmp.s, dst) < 0) {
		if (errno != EEXIST) {
			aw_error_at(dst, 0, "%s", strerror(errno));
			goto out_unlink;
		}
		*existed = 1;
	} else if (aw_fsync_dir(sub.s) < 0) {
		goto out_unlink;
	}
	rc = 0;
out_unlink:
	unlink(tmp.s);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(dst);
	aw_buf_free(&blobs), aw_buf_free(&tmp), aw_buf_free(&sub);
	return rc;
}

int aw_blob_check(const char *dir, const char *hash, unsigned long long *bytes)
{
	char *p = aw_blob_path(dir, hash), got[AW_SHA256_HEX];
	int fd, rc;

	*bytes = 0;
	if (!p)
		return 0;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	free(p);
	if (fd < 0)
		return 0;
	rc = hash_fd(fd, -1, got, bytes) == 0 && strcmp(got, hash) == 0 ? 1 : -1;
	close(fd);
	return rc;
}

int aw_blob_copy(const char *dir, const char *hash, struct aw_writer *w)
{
	char *p = aw_blob_path(dir, hash), buf[65536];
	ssize_t r;
	int fd;

	if (!p || (fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		aw_error_at(p ? p : hash, 0, "%s", p ? strerror(errno) : "not a sha-256 hash");
		free(p);
		return -1;
	}
	while ((r = read(fd, buf, sizeof buf)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			aw_error_at(p, 0, "%s", strerror(errno));
			close(fd);
			free(p);
			return -1;
		}
		aw_w_bytes(w, buf, (size_t)r);
	}
	close(fd);
	free(p);
	return 0;
}

int aw_blob_remove(const char *dir, const char *hash)
{
	char *p = aw_blob_path(dir, hash);
	int rc = 0;

	if (!p)
		return -1;
	if (unlink(p) < 0 && errno != ENOENT) {
		aw_error_at(p, 0, "cannot remove: %s", strerror(errno));
		rc = -1;
	}
	free(p);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **aw_blob_list(const char *dir, size_t *n)
{
	struct aw_buf p = { 0 };
	char **out = NULL;
	DIR *top, *d;
	struct dirent *e, *f;

	*n = 0;
	aw_buf_printf(&p, "%s/blobs/sha256", dir);
	size_t base = p.len;
	if (!(top = opendir(p.s))) {
		aw_buf_free(&p);
		return NULL;
	}
	while ((e = readdir(top))) {
		if (strlen(e->d_name) != 2 || e->d_name[0] == '.')
			continue;
		p.len = base;
		aw_buf_printf(&p, "/%s", e->d_name);
		if (!(d = opendir(p.s)))
			continue;
		while ((f = readdir(d)))
			if (aw_blob_hash_ok(f->d_name) && strncmp(f->d_name, e->d_name, 2) == 0) {
				out = aw_reallocarray(out, *n + 1, sizeof *out);
				out[(*n)++] = aw_strdup(f->d_name);
			}
		closedir(d);
	}
	closedir(top);
	aw_buf_free(&p);
	if (*n)
		qsort(out, *n, sizeof *out, cmp_str);
	return out;
}
