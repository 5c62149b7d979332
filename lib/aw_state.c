#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "aw_file.h"
#include "aw_record.h"
#include "aw_state.h"
#include "aw_time.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define PREV_SUFFIX_LEN 75	/* ,"prev":"<64 hex>"} */

struct change {
	char *kind, *id;
	char *json;		/* NULL: removal */
	size_t len;
};

struct aw_state {
	char *dir, *log_path, *head_path, *lock_path;
	int lock_fd, locked;
	char *damaged;
	long long head_seq, head_off;
	char head_hash[AW_SHA256_HEX];
	struct change *ch;
	size_t nch;
};

/* one parsed audit line; pointers into the line */
struct aline {
	long long seq, part, parts;
	const char *kind, *id;
	size_t kindlen, idlen;
	const char *before;	/* 64 hex digits, or NULL */
	const char *after;	/* JSON, or NULL */
	size_t afterlen;
	const char *prev;	/* 64 hex digits */
};

void aw_sha256_hex(const void *p, size_t n, char out[AW_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		aw_die(1, "sha-256 failed in libcrypto");
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = 0;
}

time_t aw_state_now(void)
{
	const char *s = getenv("AW_NOW");
	char *end;

	if (s && *s) {
		long long t = strtoll(s, &end, 10);
		if (*end == 0)
			return (time_t)t;
	}
	return time(NULL);
}

int aw_state_name_ok(const char *s)
{
	size_t n = 0;
	if (!s || *s == '.')
		return 0;
	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == ':' || c == '-'))
			return 0;
	}
	return n >= 1 && n <= 64;
}

/* ---- files ---- */

static char *path_join(const char *a, const char *b, const char *c)
{
	struct aw_buf p = { 0 };
	aw_buf_puts(&p, a);
	aw_buf_putc(&p, '/');
	aw_buf_puts(&p, b);
	if (c)
		aw_buf_puts(&p, c);
	return p.s;
}

static char *object_dir(const struct aw_state *st, const char *kind)
{
	return path_join(st->dir, kind, NULL);
}

static char *object_path(const struct aw_state *st, const char *kind, const char *id)
{
	struct aw_buf p = { 0 };
	aw_buf_printf(&p, "%s/%s/%s.json", st->dir, kind, id);
	return p.s;
}

/* dir/name = data + "\n", through dir/.name.tmp, fsync, rename and fsync of dir */
static int atomic_write(const char *dir, const char *name, const char *data, size_t n,
    int newline)
{
	char *tmp = path_join(dir, ".", name), *dst = path_join(dir, name, NULL);
	int fd, rc = -1;
	struct aw_buf t = { 0 };

	aw_buf_puts(&t, tmp);
	aw_buf_puts(&t, ".tmp");
	fd = open(t.s, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		aw_error_at(t.s, 0, "%s", strerror(errno));
		goto out;
	}
	if (aw_write_all(fd, data, n) < 0 || (newline && aw_write_all(fd, "\n", 1) < 0) ||
	    fsync(fd) < 0) {
		aw_error_at(t.s, 0, "%s", strerror(errno));
		close(fd);
		unlink(t.s);
		goto out;
	}
	if (close(fd) < 0 || rename(t.s, dst) < 0) {
		aw_error_at(dst, 0, "%s", strerror(errno));
		unlink(t.s);
		goto out;
	}
	rc = aw_fsync_dir(dir);
out:
	aw_buf_free(&t);
	free(tmp);
	free(dst);
	return rc;
}

/* 1 and the contents, 0 when the file does not exist, -1 after reporting */
static int read_file(const char *path, struct aw_buf *b)
{
	char chunk[65536];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	aw_buf_grow(b, 0);
	aw_buf_reset(b);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		aw_error_at(path, 0, "%s", strerror(errno));
		return -1;
	}
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			aw_error_at(path, 0, "%s", strerror(errno));
			close(fd);
			return -1;
		}
		aw_buf_put(b, chunk, (size_t)r);
	}
	close(fd);
	return 1;
}

/* object file contents minus the final newline */
static int read_object(const char *path, struct aw_buf *b)
{
	int rc = read_file(path, b);
	if (rc == 1 && b->len && b->s[b->len - 1] == '\n')
		b->s[--b->len] = 0;
	return rc;
}

static int mkdir_p(const char *dir)
{
	char *p = aw_strdup(dir);
	struct stat sb;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			aw_error_at(p, 0, "cannot create: %s", strerror(errno));
			free(p);
			return -1;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		aw_error_at(dir, 0, "not a directory");
		return -1;
	}
	return 0;
}

static int ensure_kind_dir(struct aw_state *st, const char *kind)
{
	char *d = object_dir(st, kind);
	int rc = 0;

	if (mkdir(d, 0700) == 0)
		rc = aw_fsync_dir(st->dir);
	else if (errno != EEXIST) {
		aw_error_at(d, 0, "cannot create: %s", strerror(errno));
		rc = -1;
	}
	free(d);
	return rc;
}

static int is_tmp_name(const char *s)
{
	size_t n = strlen(s);
	return s[0] == '.' && n > 5 && strcmp(s + n - 4, ".tmp") == 0;
}

static int is_object_name(const char *s, size_t *idlen)
{
	size_t n = strlen(s);
	if (s[0] == '.' || n <= 5 || strcmp(s + n - 5, ".json") != 0)
		return 0;
	*idlen = n - 5;
	return 1;
}

static int dirent_sort(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_subdir(const char *dir, const char *name)
{
	struct stat sb;
	char *p;
	int r;

	if (name[0] == '.')
		return 0;
	p = path_join(dir, name, NULL);
	r = lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(p);
	return r;
}

/* temp files of a run killed during an atomic write */
static void remove_temp_files(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p = path_join(dir, e->d_name, NULL);
		if (is_tmp_name(e->d_name))
			unlink(p);
		else if (depth == 0 && is_subdir(dir, e->d_name))
			remove_temp_files(p, 1);
		free(p);
	}
	closedir(d);
}

/* ---- audit lines ---- */

struct cur {
	const char *p, *e;
};

static int lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(c->e - c->p) < n || memcmp(c->p, s, n) != 0)
		return 0;
	c->p += n;
	return 1;
}

static int num(struct cur *c, long long *v)
{
	long long x = 0;
	const char *s = c->p;
	while (c->p < c->e && *c->p >= '0' && *c->p <= '9' && c->p - s < 18)
		x = x * 10 + (*c->p++ - '0');
	if (c->p == s || (*s == '0' && c->p - s > 1))
		return 0;
	*v = x;
	return 1;
}

static int skip_str(struct cur *c)
{
	if (!lit(c, "\""))
		return 0;
	while (c->p < c->e) {
		unsigned char ch = (unsigned char)*c->p++;
		if (ch == '"')
			return 1;
		if (ch < 0x20)
			return 0;
		if (ch == '\\') {
			if (c->p == c->e)
				return 0;
			c->p++;
		}
	}
	return 0;
}

static int name(struct cur *c, const char **s, size_t *n)
{
	char tmp[65];
	if (!lit(c, "\""))
		return 0;
	*s = c->p;
	while (c->p < c->e && *c->p != '"')
		c->p++;
	*n = (size_t)(c->p - *s);
	if (c->p == c->e || *n >= sizeof tmp)
		return 0;
	memcpy(tmp, *s, *n);
	tmp[*n] = 0;
	c->p++;
	return aw_state_name_ok(tmp);
}

static int is_hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int hash(struct cur *c, const char **h)
{
	if (!lit(c, "\"") || c->e - c->p < 65 || c->p[64] != '"' || !is_hex64(c->p))
		return 0;
	*h = c->p;
	c->p += 65;
	return 1;
}

/* the exact format written by aw_state_commit, nothing else */
static int parse_line(const char *s, size_t n, struct aline *a)
{
	struct cur c = { s, s + n }, tail;
	const char *action;
	size_t actionlen;

	memset(a, 0, sizeof *a);
	if (!lit(&c, "{\"seq\":") || !num(&c, &a->seq) || a->seq < 1 ||
	    !lit(&c, ",\"ts\":") || !skip_str(&c) ||
	    !lit(&c, ",\"who\":") || !skip_str(&c) ||
	    !lit(&c, ",\"action\":") || !name(&c, &action, &actionlen) ||
	    !lit(&c, ",\"kind\":") || !name(&c, &a->kind, &a->kindlen) ||
	    !lit(&c, ",\"id\":") || !name(&c, &a->id, &a->idlen) ||
	    !lit(&c, ",\"part\":") || !num(&c, &a->part) ||
	    !lit(&c, ",\"parts\":") || !num(&c, &a->parts) ||
	    a->part < 1 || a->part > a->parts ||
	    !lit(&c, ",\"before\":"))
		return -1;
	if (!lit(&c, "null") && !hash(&c, &a->before))
		return -1;
	if (!lit(&c, ",\"after\":") || c.e - c.p < PREV_SUFFIX_LEN + 4)
		return -1;
	tail.p = c.e - PREV_SUFFIX_LEN;
	tail.e = c.e;
	if (!lit(&tail, ",\"prev\":") || !hash(&tail, &a->prev) || !lit(&tail, "}"))
		return -1;
	a->after = c.p;
	a->afterlen = (size_t)(c.e - PREV_SUFFIX_LEN - c.p);
	if (a->afterlen == 4 && memcmp(a->after, "null", 4) == 0)
		a->after = NULL;
	else if (a->after[0] != '{' || a->after[a->afterlen - 1] != '}' ||
	    memchr(a->after, '\n', a->afterlen))
		return -1;
	return 0;
}

static char *aline_path(const struct aw_state *st, const struct aline *a)
{
	struct aw_buf p = { 0 };
	aw_buf_printf(&p, "%s/%.*s/%.*s.json", st->dir, (int)a->kindlen, a->kind,
	    (int)a->idlen, a->id);
	return p.s;
}

/* writes out (or removes) the object of one audit line */
static int apply_line(struct aw_state *st, const struct aline *a)
{
	char *kind = aw_strndup(a->kind, a->kindlen);
	char *file = aw_malloc(a->idlen + 6);
	char *dir = object_dir(st, kind);
	int rc = 0;

	memcpy(file, a->id, a->idlen);
	memcpy(file + a->idlen, ".json", 6);
	if (a->after) {
		rc = ensure_kind_dir(st, kind);
		if (rc == 0)
			rc = atomic_write(dir, file, a->after, a->afterlen, 1);
	} else {
		char *p = aline_path(st, a);
		if (unlink(p) == 0) {
			rc = aw_fsync_dir(dir);
		} else if (errno != ENOENT) {
			aw_error_at(p, 0, "%s", strerror(errno));
			rc = -1;
		}
		free(p);
	}
	free(dir);
	free(file);
	free(kind);
	return rc;
}

/* ---- head ---- */

/* 1 read, 0 absent, -1 malformed or unreadable (not reported) */
static int read_head(const struct aw_state *st, long long *seq, long long *off,
    char hash_out[AW_SHA256_HEX])
{
	struct aw_buf b = { 0 };
	struct cur c;
	int rc = read_file(st->head_path, &b);

	if (rc != 1)
		goto out;
	c.p = b.s;
	c.e = b.s + b.len;
	rc = -1;
	if (num(&c, seq) && lit(&c, " ") && num(&c, off) && lit(&c, " ") &&
	    c.e - c.p == 64 + 1 && c.e[-1] == '\n' && is_hex64(c.p)) {
		memcpy(hash_out, c.p, 64);
		hash_out[64] = 0;
		rc = 1;
	}
out:
	aw_buf_free(&b);
	return rc;
}

static int write_head(struct aw_state *st, long long seq, long long off, const char *h)
{
	char line[128];
	int n = snprintf(line, sizeof line, "%lld %lld %s", seq, off, h);
	if (atomic_write(st->dir, "audit.head", line, (size_t)n, 1) < 0)
		return -1;
	st->head_seq = seq;
	st->head_off = off;
	memcpy(st->head_hash, h, AW_SHA256_HEX);
	return 0;
}

static void set_damaged(struct aw_state *st, const char *why)
{
	free(st->damaged);
	st->damaged = aw_strdup(why);
}

/* Finishes a commit that reached the log, cuts off one that did not. */
static int recover(struct aw_state *st)
{
	struct aw_buf tail = { 0 };
	struct stat sb;
	long long seq, off;
	char h[AW_SHA256_HEX], prev[AW_SHA256_HEX];
	int fd, rc = 0, r;

	free(st->damaged);
	st->damaged = NULL;
	remove_temp_files(st->dir, 0);
	st->head_seq = st->head_off = 0;
	memcpy(st->head_hash, ZERO_HASH, AW_SHA256_HEX);
	r = read_head(st, &seq, &off, h);
	if (r < 0) {
		set_damaged(st, "audit.head is unreadable or malformed");
		return 0;
	}
	if (r == 1) {
		st->head_seq = seq;
		st->head_off = off;
		memcpy(st->head_hash, h, AW_SHA256_HEX);
	}
	fd = open(st->log_path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT) {
			aw_error_at(st->log_path, 0, "%s", strerror(errno));
			return -1;
		}
		if (st->head_seq > 0)
			set_damaged(st, "audit.log is missing");
		return 0;
	}
	if (fstat(fd, &sb) < 0) {
		aw_error_at(st->log_path, 0, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	if (sb.st_size < st->head_off) {
		set_damaged(st, "audit.log is shorter than audit.head records");
		goto out;
	}
	if (sb.st_size == st->head_off)
		goto out;

	/* the lines beyond the head: whole commits roll forward, the rest is cut off */
	size_t want = (size_t)(sb.st_size - st->head_off);
	aw_buf_grow(&tail, want);
	while (tail.len < want) {
		ssize_t n = pread(fd, tail.s + tail.len, want - tail.len,
		    st->head_off + (off_t)tail.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			aw_error_at(st->log_path, 0, "%s", n < 0 ? strerror(errno) : "short read");
			rc = -1;
			goto out;
		}
		tail.len += (size_t)n;
	}
	size_t pos = 0, done = 0, nlines = 0, ndone = 0;
	long long expect = st->head_seq + 1, done_seq = st->head_seq;
	char done_hash[AW_SHA256_HEX];
	struct aline a;

	memcpy(prev, st->head_hash, AW_SHA256_HEX);
	memcpy(done_hash, st->head_hash, AW_SHA256_HEX);
	while (pos < tail.len) {
		char *nl = memchr(tail.s + pos, '\n', tail.len - pos);
		if (!nl)
			break;
		/* Without a head only the very first commit can be unfinished (the head is
		 * written after it); more than that means the head was removed, which would
		 * also hide an edited last line. */
		if (r == 0 && done) {
			set_damaged(st, "audit.head is missing but audit.log holds more than its first commit");
			goto out;
		}
		size_t len = (size_t)(nl - (tail.s + pos));
		if (parse_line(tail.s + pos, len, &a) < 0 || a.seq != expect ||
		    memcmp(a.prev, prev, 64) != 0) {
			set_damaged(st, "audit.log has lines beyond audit.head that do not follow it");
			break;
		}
		aw_sha256_hex(tail.s + pos, len, prev);
		expect++;
		nlines++;
		pos += len + 1;
		if (a.part == a.parts) {
			done = pos;
			ndone = nlines;
			done_seq = a.seq;
			memcpy(done_hash, prev, AW_SHA256_HEX);
		}
	}
	/* roll forward lines [0, done) */
	for (size_t p = 0; p < done;) {
		char *nl = memchr(tail.s + p, '\n', done - p);
		parse_line(tail.s + p, (size_t)(nl - (tail.s + p)), &a);
		if (apply_line(st, &a) < 0) {
			rc = -1;
			goto out;
		}
		p = (size_t)(nl - tail.s) + 1;
	}
	if (done && write_head(st, done_seq, st->head_off + (long long)done, done_hash) < 0) {
		rc = -1;
		goto out;
	}
	if (ndone)
		aw_warn("%s: finished an interrupted commit (%zu audit lines)", st->dir, ndone);
	if (!st->damaged && done < tail.len) {
		if (ftruncate(fd, st->head_off) < 0 || fsync(fd) < 0) {
			aw_error_at(st->log_path, 0, "%s", strerror(errno));
			rc = -1;
			goto out;
		}
		aw_warn("%s: discarded an incomplete commit (%zu bytes)", st->dir, tail.len - done);
	}
out:
	aw_buf_free(&tail);
	close(fd);
	return rc;
}

/* ---- the state ---- */

struct aw_state *aw_state_open(const char *dir, int create)
{
	struct aw_state *st;
	struct stat sb;
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 0) {
		aw_error_at(dir, 0, "empty state directory name");
		return NULL;
	}
	st = aw_calloc(1, sizeof *st);
	st->dir = aw_strndup(dir, n);
	if (create && mkdir_p(st->dir) < 0)
		goto fail;
	if (stat(st->dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		aw_error_at(st->dir, 0, "no such state directory");
		goto fail;
	}
	if (sb.st_mode & 077)
		aw_warn("%s: state directory is accessible by others (mode %04o)", st->dir,
		    (unsigned)(sb.st_mode & 07777));
	st->log_path = path_join(st->dir, "audit.log", NULL);
	st->head_path = path_join(st->dir, "audit.head", NULL);
	st->lock_path = path_join(st->dir, "lock", NULL);
	st->lock_fd = open(st->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->lock_fd < 0) {
		aw_error_at(st->lock_path, 0, "%s", strerror(errno));
		goto fail;
	}
	memcpy(st->head_hash, ZERO_HASH, AW_SHA256_HEX);
	return st;
fail:
	aw_state_close(st);
	return NULL;
}

void aw_state_close(struct aw_state *st)
{
	if (!st)
		return;
	aw_state_abort(st);
	aw_state_unlock(st);
	if (st->lock_fd > 0)
		close(st->lock_fd);
	free(st->ch);
	free(st->damaged);
	free(st->dir);
	free(st->log_path);
	free(st->head_path);
	free(st->lock_path);
	free(st);
}

const char *aw_state_dir(const struct aw_state *st)
{
	return st->dir;
}

const char *aw_state_audit_path(const struct aw_state *st)
{
	return st->log_path;
}

const char *aw_state_damaged(const struct aw_state *st)
{
	return st->damaged;
}

long long aw_state_head(const struct aw_state *st, char h[AW_SHA256_HEX])
{
	memcpy(h, st->head_hash, AW_SHA256_HEX);
	return st->head_seq;
}

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int aw_state_lock(struct aw_state *st, double wait)
{
	double deadline = mono_now() + wait;
	char pid[32];

	if (st->locked)
		return 0;
	while (flock(st->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			aw_error_at(st->lock_path, 0, "%s", strerror(errno));
			return -1;
		}
		if (mono_now() >= deadline) {
			ssize_t n = pread(st->lock_fd, pid, sizeof pid - 1, 0);
			pid[n > 0 ? n : 0] = 0;
			pid[strcspn(pid, "\n")] = 0;
			if (wait > 0)
				aw_error_at(st->dir, 0, "locked by another run (pid %s), gave up after %.1f s",
				    *pid ? pid : "unknown", wait);
			else
				aw_error_at(st->dir, 0, "locked by another run (pid %s)",
				    *pid ? pid : "unknown");
			return -1;
		}
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	st->locked = 1;
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(st->lock_fd, 0) < 0 || pwrite(st->lock_fd, pid, (size_t)n, 0) < 0)
		aw_warn("%s: %s", st->lock_path, strerror(errno));
	/* An interrupted commit that cannot be finished now (a full disk, say) stays in the
	 * log for the next run; until then this handle reads but does not write. */
	if (recover(st) < 0)
		set_damaged(st, "an interrupted commit could not be finished now (error above); "
		    "the next run finishes it");
	return 0;
}

void aw_state_unlock(struct aw_state *st)
{
	if (!st->locked)
		return;
	if (ftruncate(st->lock_fd, 0) < 0)
		aw_warn("%s: %s", st->lock_path, strerror(errno));
	flock(st->lock_fd, LOCK_UN);
	st->locked = 0;
}

int aw_state_get(struct aw_state *st, const char *kind, const char *id, struct aw_buf *json)
{
	if (!aw_state_name_ok(kind) || !aw_state_name_ok(id))
		return 0;
	char *p = object_path(st, kind, id);
	int rc = read_object(p, json);
	free(p);
	return rc;
}

static int list_kind(struct aw_state *st, const char *kind, struct dirent ***ents)
{
	char *d = object_dir(st, kind);
	int n = scandir(d, ents, NULL, dirent_sort);
	if (n < 0) {
		if (errno != ENOENT)
			aw_error_at(d, 0, "%s", strerror(errno));
		*ents = NULL;
		n = 0;
	}
	free(d);
	return n;
}

char **aw_state_list(struct aw_state *st, const char *kind, size_t *count)
{
	struct dirent **ents;
	char **ids;
	size_t idlen;
	int n = aw_state_name_ok(kind) ? list_kind(st, kind, &ents) : 0;

	*count = 0;
	ids = aw_calloc((size_t)n + 1, sizeof *ids);
	for (int i = 0; i < n; i++) {
		if (is_object_name(ents[i]->d_name, &idlen)) {
			char *id = aw_strndup(ents[i]->d_name, idlen);
			if (aw_state_name_ok(id))
				ids[(*count)++] = id;
			else
				free(id);
		}
		free(ents[i]);
	}
	free(ents);
	return ids;
}

void aw_state_list_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static long long id_number(const char *id, const char *prefix)
{
	size_t pl = strlen(prefix);
	long long v = 0;
	const char *s;

	if (strncmp(id, prefix, pl) != 0 || !id[pl])
		return -1;
	for (s = id + pl; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000000000LL)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

char *aw_state_new_id(struct aw_state *st, const char *kind, const char *prefix)
{
	size_t n;
	char **ids = aw_state_list(st, kind, &n);
	long long max = 0;
	struct aw_buf b = { 0 };

	for (size_t i = 0; i < n; i++)
		if (id_number(ids[i], prefix) > max)
			max = id_number(ids[i], prefix);
	for (size_t i = 0; i < st->nch; i++)
		if (strcmp(st->ch[i].kind, kind) == 0 && id_number(st->ch[i].id, prefix) > max)
			max = id_number(st->ch[i].id, prefix);
	aw_state_list_free(ids, n);
	aw_buf_printf(&b, "%s%06lld", prefix, max + 1);
	return b.s;
}

static void stage(struct aw_state *st, const char *kind, const char *id, const char *json,
    size_t len)
{
	struct change *c = NULL;

	if (!st->locked)
		aw_die(1, "%s: internal error: change staged without the lock", st->dir);
	if (!aw_state_name_ok(kind) || !aw_state_name_ok(id))
		aw_die(1, "%s: internal error: bad object name '%s/%s'", st->dir, kind, id);
	for (size_t i = 0; i < st->nch; i++)
		if (strcmp(st->ch[i].kind, kind) == 0 && strcmp(st->ch[i].id, id) == 0)
			c = &st->ch[i];
	if (c) {
		free(c->json);
	} else {
		st->ch = aw_reallocarray(st->ch, st->nch + 1, sizeof *st->ch);
		c = &st->ch[st->nch++];
		c->kind = aw_strdup(kind);
		c->id = aw_strdup(id);
	}
	c->json = json ? aw_strndup(json, len) : NULL;
	c->len = len;
}

void aw_state_put(struct aw_state *st, const char *kind, const char *id, const char *json,
    size_t len)
{
	struct aw_record r = { 0 };
	const char *err;

	if (memchr(json, '\n', len) || aw_json_parse(&r, json, len, &err) < 0 ||
	    json[0] != '{' || json[len - 1] != '}')
		aw_die(1, "%s: internal error: object %s is not one line of JSON", st->dir, id);
	aw_record_free(&r);
	stage(st, kind, id, json, len);
}

void aw_state_remove(struct aw_state *st, const char *kind, const char *id)
{
	stage(st, kind, id, NULL, 0);
}

void aw_state_abort(struct aw_state *st)
{
	for (size_t i = 0; i < st->nch; i++) {
		free(st->ch[i].kind);
		free(st->ch[i].id);
		free(st->ch[i].json);
	}
	st->nch = 0;
}

int aw_state_commit(struct aw_state *st, const char *who, const char *action)
{
	struct aw_buf lines = { 0 }, cur = { 0 };
	char prev[AW_SHA256_HEX], after[AW_SHA256_HEX], ts[21];
	char (*befores)[AW_SHA256_HEX] = NULL;
	int *live = NULL;
	size_t nlive = 0;
	long long seq;
	int fd = -1, rc = -1, created;
	struct stat sb;

	if (!st->locked)
		aw_die(1, "%s: internal error: commit without the lock", st->dir);
	if (!aw_state_name_ok(action) || !who || !*who)
		aw_die(1, "%s: internal error: commit needs who and an action name", st->dir);
	if (st->damaged) {
		aw_error_at(st->dir, 0, "refusing to write: %s (check with 'aw-workorder audit verify')",
		    st->damaged);
		goto out;
	}
	/* which staged changes change something, and their before digests */
	live = aw_calloc(st->nch + 1, sizeof *live);
	befores = aw_calloc(st->nch + 1, sizeof *befores);
	for (size_t i = 0; i < st->nch; i++) {
		struct change *c = &st->ch[i];
		char *p = object_path(st, c->kind, c->id);
		int r = read_object(p, &cur);
		free(p);
		if (r < 0)
			goto out;
		if (r == 1)
			aw_sha256_hex(cur.s, cur.len, befores[i]);
		if (c->json)
			aw_sha256_hex(c->json, c->len, after);
		if ((r == 0 && !c->json) || (r == 1 && c->json && strcmp(befores[i], after) == 0))
			continue;
		live[i] = r == 1 ? 2 : 1;
		nlive++;
	}
	if (nlive == 0) {
		rc = 0;
		goto out;
	}

	aw_fmt_time(ts, (int64_t)aw_state_now());
	memcpy(prev, st->head_hash, AW_SHA256_HEX);
	seq = st->head_seq;
	for (size_t i = 0, part = 0; i < st->nch; i++) {
		struct change *c = &st->ch[i];
		size_t start = lines.len;
		if (!live[i])
			continue;
		aw_buf_printf(&lines, "{\"seq\":%lld,\"ts\":\"%s\",\"who\":", ++seq, ts);
		aw_json_quote(&lines, who);
		aw_buf_printf(&lines, ",\"action\":\"%s\",\"kind\":\"%s\",\"id\":\"%s\","
		    "\"part\":%zu,\"parts\":%zu,\"before\":", action, c->kind, c->id, ++part, nlive);
		if (live[i] == 2)
			aw_buf_printf(&lines, "\"%s\"", befores[i]);
		else
			aw_buf_puts(&lines, "null");
		aw_buf_puts(&lines, ",\"after\":");
		if (c->json)
			aw_buf_put(&lines, c->json, c->len);
		else
			aw_buf_puts(&lines, "null");
		aw_buf_printf(&lines, ",\"prev\":\"%s\"}", prev);
		aw_sha256_hex(lines.s + start, lines.len - start, prev);
		aw_buf_putc(&lines, '\n');
	}

	created = stat(st->log_path, &sb) < 0;
	fd = open(st->log_path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		aw_error_at(st->log_path, 0, "%s", strerror(errno));
		goto out;
	}
	if (aw_write_all(fd, lines.s, lines.len) < 0 || fsync(fd) < 0) {
		aw_error_at(st->log_path, 0, "%s", strerror(errno));
		if (ftruncate(fd, st->head_off) < 0 || fsync(fd) < 0)
			set_damaged(st, "audit.log could not be cut back after a failed write");
		goto out;
	}
	if (created && aw_fsync_dir(st->dir) < 0)
		goto unfinished;
	/* committed: a failure from here on leaves the roll-forward to the next lock */
	for (size_t i = 0; i < st->nch; i++) {
		struct change *c = &st->ch[i];
		struct aline a = { 0 };
		if (!live[i])
			continue;
		a.kind = c->kind;
		a.kindlen = strlen(c->kind);
		a.id = c->id;
		a.idlen = strlen(c->id);
		a.after = c->json;
		a.afterlen = c->len;
		if (apply_line(st, &a) < 0)
			goto unfinished;
	}
	if (write_head(st, seq, st->head_off + (long long)lines.len, prev) < 0)
		goto unfinished;
	rc = 0;
	goto out;
unfinished:
	set_damaged(st, "a commit is unfinished after a write error; the next run finishes it");
out:
	if (fd >= 0)
		close(fd);
	free(live);
	free(befores);
	aw_buf_free(&lines);
	aw_buf_free(&cur);
	aw_state_abort(st);
	return rc;
}

/* ---- verification ---- */

struct vobj {
	char digest[AW_SHA256_HEX];
	long line;		/* audit line of the last version */
	int live, seen;
};

struct verify {
	struct aw_state *st;
	struct aw_map index;	/* "kind/id" -> objs */
	struct vobj *objs;
	size_t nobjs;
	long problems;
};

static void problem(struct verify *v, const char *file, long line, const char *fmt, ...)
    AW_PRINTF(4, 5);

static void problem(struct verify *v, const char *file, long line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	aw_error_at(file, line, "%s", msg);
	v->problems++;
}

static struct vobj *vobj_find(struct verify *v, const char *key, int create)
{
	size_t i;
	if (aw_map_get(&v->index, key, &i))
		return &v->objs[i];
	if (!create)
		return NULL;
	v->objs = aw_reallocarray(v->objs, v->nobjs + 1, sizeof *v->objs);
	memset(&v->objs[v->nobjs], 0, sizeof *v->objs);
	aw_map_put(&v->index, key, v->nobjs);
	return &v->objs[v->nobjs++];
}

static void verify_objects(struct verify *v)
{
	struct aw_state *st = v->st;
	struct dirent **kinds, **ents;
	struct aw_buf key = { 0 }, body = { 0 };
	char digest[AW_SHA256_HEX];
	int nk = scandir(st->dir, &kinds, NULL, dirent_sort);
	size_t idlen;

	for (int k = 0; k < nk; k++) {
		const char *kind = kinds[k]->d_name;
		if (is_subdir(st->dir, kind) && aw_state_name_ok(kind)) {
			int ne = list_kind(st, kind, &ents);
			for (int e = 0; e < ne; e++) {
				const char *f = ents[e]->d_name;
				if (is_object_name(f, &idlen)) {
					char *path = path_join(st->dir, kind, NULL);
					char *full = path_join(path, f, NULL);
					struct vobj *o;
					aw_buf_reset(&key);
					aw_buf_printf(&key, "%s/%.*s", kind, (int)idlen, f);
					o = vobj_find(v, key.s, 0);
					if (!o || !o->live) {
						problem(v, full, 0, "not in the audit log");
					} else if (read_object(full, &body) == 1) {
						o->seen = 1;
						aw_sha256_hex(body.s, body.len, digest);
						if (strcmp(digest, o->digest) != 0)
							problem(v, full, 0, "differs from its last version "
							    "in the audit log (line %ld)", o->line);
					}
					free(full);
					free(path);
				}
				free(ents[e]);
			}
			free(ents);
		}
		free(kinds[k]);
	}
	if (nk >= 0)
		free(kinds);
	for (size_t i = 0; i < v->index.cap; i++) {
		if (!v->index.keys[i])
			continue;
		struct vobj *o = &v->objs[v->index.vals[i]];
		if (o->live && !o->seen) {
			char *full = path_join(st->dir, v->index.keys[i], ".json");
			problem(v, full, 0, "missing (written by %s:%ld)", st->log_path, o->line);
			free(full);
		}
	}
	aw_buf_free(&key);
	aw_buf_free(&body);
}

long aw_state_verify(struct aw_state *st, long long *nlines, size_t *nobjects)
{
	struct verify v = { .st = st };
	struct aw_buf key = { 0 };
	char prev[AW_SHA256_HEX], h[AW_SHA256_HEX], digest[AW_SHA256_HEX];
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0, txn_line = 0;
	long long expect = 1, last_seq = 0, hseq, hoff, txn_parts = 0, txn_part = 0;
	const char *log = st->log_path;
	FILE *f;
	struct aline a;
	int r;

	memcpy(prev, ZERO_HASH, AW_SHA256_HEX);
	f = fopen(log, "r");
	if (!f && errno != ENOENT) {
		problem(&v, log, 0, "%s", strerror(errno));
		goto out;
	}
	while (f && (len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[len - 1] != '\n') {
			problem(&v, log, lineno, "incomplete line (no newline at the end of the log)");
			break;
		}
		line[--len] = 0;
		aw_sha256_hex(line, (size_t)len, h);
		if (parse_line(line, (size_t)len, &a) < 0) {
			problem(&v, log, lineno, "not an audit line");
			expect++;
			memcpy(prev, h, AW_SHA256_HEX);
			continue;
		}
		if (a.seq != expect) {
			problem(&v, log, lineno, "seq %lld where %lld was expected "
			    "(a line was removed, inserted or moved)", a.seq, expect);
		} else if (memcmp(a.prev, prev, 64) != 0) {
			if (lineno == 1)
				problem(&v, log, lineno, "prev of the first line is not zero");
			else
				problem(&v, log, lineno - 1, "line changed after it was written "
				    "(its hash is not the prev of line %ld)", lineno);
		}
		if (a.seq > last_seq)
			last_seq = a.seq;
		expect = a.seq + 1;
		memcpy(prev, h, AW_SHA256_HEX);

		if (a.part == 1) {
			if (txn_part != txn_parts)
				problem(&v, log, txn_line, "commit of %lld lines has only %lld",
				    txn_parts, txn_part);
			txn_line = lineno;
			txn_parts = a.parts;
			txn_part = 1;
		} else if (a.part != txn_part + 1 || a.parts != txn_parts) {
			problem(&v, log, lineno, "part %lld of %lld out of place", a.part, a.parts);
			txn_part = txn_parts = a.parts;
		} else {
			txn_part++;
		}

		aw_buf_reset(&key);
		aw_buf_printf(&key, "%.*s/%.*s", (int)a.kindlen, a.kind, (int)a.idlen, a.id);
		struct vobj *o = vobj_find(&v, key.s, 1);
		if (a.before ? !o->live || memcmp(a.before, o->digest, 64) != 0 : o->live)
			problem(&v, log, lineno, "before does not match the previous version of %s",
			    key.s);
		o->live = a.after != NULL;
		o->line = lineno;
		if (a.after)
			aw_sha256_hex(a.after, a.afterlen, o->digest);
	}
	if (f && ferror(f))
		problem(&v, log, 0, "%s", strerror(errno));
	r = read_head(st, &hseq, &hoff, digest);
	if (txn_part != txn_parts && !(r == 1 && hseq > last_seq))
		problem(&v, log, txn_line, "commit of %lld lines has only %lld", txn_parts, txn_part);
	if (r < 0) {
		problem(&v, st->head_path, 0, "unreadable or malformed");
	} else if (r == 0) {
		if (lineno > 0)
			problem(&v, st->head_path, 0, "missing");
	} else if (hseq > last_seq) {
		problem(&v, log, lineno, "log ends at seq %lld but audit.head records seq %lld "
		    "(lines removed from the end)", last_seq, hseq);
	} else if (hseq < last_seq) {
		problem(&v, log, lineno, "lines after seq %lld are beyond audit.head (a commit not "
		    "finished yet, or lines added by hand)", hseq);
	} else if (strcmp(digest, prev) != 0) {
		problem(&v, log, lineno, "line changed after it was written "
		    "(its hash is not the one in audit.head)");
	}
	verify_objects(&v);
out:
	*nlines = lineno;
	*nobjects = 0;
	for (size_t i = 0; i < v.nobjs; i++)
		*nobjects += v.objs[i].live != 0;
	if (f)
		fclose(f);
	free(line);
	free(v.objs);
	aw_map_free(&v.index);
	aw_buf_free(&key);
	return v.problems;
}
