/* Input: files or stdin, gzip detected by magic and inflated with zlib, split into lines.
 * Output: a buffered writer with checked writes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "aw_record.h"
#include "aw_time.h"

#define INCHUNK (256 * 1024)
#define OUTCHUNK (256 * 1024)

struct aw_reader {
	char **files;
	int nfiles, next;
	const char *name;
	int fd;			/* -1 when no file is open */
	int gz, zdone, zinit;
	z_stream z;
	unsigned char *in;	/* compressed input (gzip only) */
	char *buf;		/* decompressed data */
	size_t cap, start, end;
	int eof;		/* current file has no more data */
	int failed;		/* it ended in an error: its last line may be cut */
	long lineno;
};

static const char *display_name(const char *f)
{
	return strcmp(f, "-") == 0 ? "<stdin>" : f;
}

static void close_current(struct aw_reader *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	if (r->zinit)
		inflateEnd(&r->z);
	r->zinit = 0;
}

static int open_next(struct aw_reader *r)
{
	close_current(r);
	while (r->next < r->nfiles) {
		const char *f = r->files[r->next++];
		r->name = display_name(f);
		r->fd = strcmp(f, "-") == 0 ? 0 : open(f, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0) {
			aw_warn("%s: %s", f, strerror(errno));
			aw_rval = 1;
			continue;
		}
		r->start = r->end = 0;
		r->eof = 0;
		r->gz = -1;	/* unknown until the first bytes are seen */
		r->zdone = 0;
		r->failed = 0;
		r->lineno = 0;
		return 1;
	}
	r->fd = -1;
	return 0;
}

struct aw_reader *aw_reader_open(char **files, int n)
{
	static char *stdin_only[] = { "-" };
	struct aw_reader *r = aw_calloc(1, sizeof *r);
	r->files = n > 0 ? files : stdin_only;
	r->nfiles = n > 0 ? n : 1;
	r->cap = INCHUNK * 4;
	r->buf = aw_malloc(r->cap);
	r->in = aw_malloc(INCHUNK);
	r->fd = -1;
	open_next(r);
	return r;
}

static ssize_t read_full(int fd, void *p, size_t n)
{
	ssize_t k;
	do
		k = read(fd, p, n);
	while (k < 0 && errno == EINTR);
	return k;
}

/* appends decompressed data to buf[end..cap); returns bytes added, 0 at end of file */
static size_t fill(struct aw_reader *r)
{
	if (r->eof || r->fd < 0)
		return 0;
	if (r->gz == -1) {
		unsigned char magic[2];
		ssize_t k = read_full(r->fd, magic, 2);
		if (k <= 0) {
			if (k < 0) {
				aw_error_at(r->name, 0, "read error: %s", strerror(errno));
				r->failed = 1;
			}
			r->eof = 1;
			return 0;
		}
		if (k == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
			r->gz = 1;
			memset(&r->z, 0, sizeof r->z);
			if (inflateInit2(&r->z, 15 + 32) != Z_OK)
				aw_die(1, "zlib initialisation failed");
			r->zinit = 1;
			memcpy(r->in, magic, 2);
			r->z.next_in = r->in;
			r->z.avail_in = 2;
		} else {
			r->gz = 0;
			memcpy(r->buf + r->end, magic, (size_t)k);
			r->end += (size_t)k;
			if (k < 2) {
				r->eof = 1;
				return (size_t)k;
			}
			return (size_t)k + fill(r);
		}
	}
	if (!r->gz) {
		ssize_t k = read_full(r->fd, r->buf + r->end, r->cap - r->end);
		if (k < 0) {
			aw_error_at(r->name, r->lineno + 1, "read error: %s", strerror(errno));
			r->failed = 1;
			k = 0;
		}
		if (k == 0)
			r->eof = 1;
		r->end += (size_t)k;
		return (size_t)k;
	}
	size_t before = r->end;
	while (r->end == before) {
		if (r->z.avail_in == 0) {
			ssize_t k = read_full(r->fd, r->in, INCHUNK);
			if (k < 0) {
				aw_error_at(r->name, r->lineno + 1, "read error: %s", strerror(errno));
				r->eof = r->failed = 1;
				break;
			}
			if (k == 0) {
				if (!r->zdone) {
					aw_error_at(r->name, r->lineno + 1, "truncated gzip input");
					r->failed = 1;
				}
				r->eof = 1;
				break;
			}
			r->z.next_in = r->in;
			r->z.avail_in = (uInt)k;
		}
		if (r->zdone) {
			/* another gzip member follows; anything else after the end is garbage */
			if (r->z.avail_in >= 2 && (r->z.next_in[0] != 0x1f || r->z.next_in[1] != 0x8b)) {
				aw_error_at(r->name, r->lineno + 1, "trailing garbage after gzip data");
				r->eof = 1;
				break;
			}
			inflateReset(&r->z);
			r->zdone = 0;
		}
		r->z.next_out = (unsigned char *)r->buf + r->end;
		r->z.avail_out = (uInt)(r->cap - r->end);
		int zr = inflate(&r->z, Z_NO_FLUSH);
		r->end = r->cap - r->z.avail_out;
		if (zr == Z_STREAM_END) {
			r->zdone = 1;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			aw_error_at(r->name, r->lineno + 1, "corrupt gzip input: %s",
			    r->z.msg ? r->z.msg : "inflate failed");
			r->eof = r->failed = 1;
			break;
		}
	}
	return r->end - before;
}

/* makes room at the end of buf: moves the unread part to the front, grows if full */
static int make_room(struct aw_reader *r)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		if (r->cap >= (size_t)AW_LINE_MAX)
			return -1;
		r->cap *= 2;
		r->buf = aw_realloc(r->buf, r->cap);
	}
	return 0;
}

/* a UTF-8 byte-order mark before the first line of a file (Windows editors write one) */
static void skip_bom(const struct aw_reader *r, char **s, size_t *n)
{
	if (r->lineno == 1 && *n >= 3 && memcmp(*s, "\xef\xbb\xbf", 3) == 0) {
		*s += 3;
		*n -= 3;
	}
}

int aw_reader_line(struct aw_reader *r, char **line, size_t *len)
{
	for (;;) {
		char *p = r->start < r->end ? memchr(r->buf + r->start, '\n', r->end - r->start) : NULL;
		if (p) {
			char *s = r->buf + r->start;
			size_t n = (size_t)(p - s);
			r->start += n + 1;
			r->lineno++;
			if (n && s[n - 1] == '\r')
				n--;
			s[n] = 0;
			skip_bom(r, &s, &n);
			*line = s;
			*len = n;
			return 1;
		}
		if (r->eof || r->fd < 0) {
			if (r->start < r->end && r->failed) {
				r->start = r->end;	/* cut off by the error reported */
				continue;
			}
			if (r->start < r->end) {	/* last line without "\n" */
				char *s = r->buf + r->start;
				size_t n = r->end - r->start;
				if (r->end == r->cap)
					make_room(r), s = r->buf + r->start;
				r->start = r->end;
				r->lineno++;
				if (n && s[n - 1] == '\r')
					n--;
				s[n] = 0;
				skip_bom(r, &s, &n);
				*line = s;
				*len = n;
				return 1;
			}
			if (!open_next(r))
				return 0;
			continue;
		}
		if (make_room(r) < 0) {
			aw_error_at(r->name, r->lineno + 1, "line longer than %ld bytes, skipped", AW_LINE_MAX);
			/* discard up to the next newline */
			r->start = r->end = 0;
			for (;;) {
				if (!fill(r))
					break;
				char *q = memchr(r->buf, '\n', r->end);
				if (q) {
					r->start = (size_t)(q - r->buf) + 1;
					r->lineno++;
					break;
				}
				r->end = 0;
			}
			continue;
		}
		fill(r);
	}
}

long aw_reader_bytes(struct aw_reader *r, void *out, size_t n)
{
	if (r->start == r->end) {
		if (r->fd < 0)
			return 0;
		r->start = r->end = 0;
		if (!fill(r))
			return 0;
	}
	size_t k = r->end - r->start;
	if (k > n)
		k = n;
	memcpy(out, r->buf + r->start, k);
	r->start += k;
	/* lines handed out, for the messages of the reader itself */
	for (const char *p = out, *e = p + k; (p = memchr(p, '\n', (size_t)(e - p))); p++)
		r->lineno++;
	return (long)k;
}

int aw_reader_failed(const struct aw_reader *r)
{
	return r->failed;
}

int aw_reader_next_file(struct aw_reader *r)
{
	return open_next(r);
}

const char *aw_reader_name(const struct aw_reader *r)
{
	return r->name ? r->name : "<stdin>";
}

long aw_reader_lineno(const struct aw_reader *r)
{
	return r->lineno;
}

void aw_reader_close(struct aw_reader *r)
{
	if (!r)
		return;
	close_current(r);
	free(r->buf);
	free(r->in);
	free(r);
}

/* ---- writer ---- */

struct aw_writer {
	int fd;
	struct aw_buf *mem;	/* memory writer: the output, fd is -1 */
	const char *name;
	char *buf;
	size_t len;
	int failed;
	int depth;
	unsigned char first[64];	/* per nesting level: no field written yet */
};

struct aw_writer *aw_out;

struct aw_writer *aw_writer_fd(int fd, const char *name)
{
	struct aw_writer *w = aw_calloc(1, sizeof *w);
	w->fd = fd;
	w->name = name;
	w->buf = aw_malloc(OUTCHUNK);
	return w;
}

struct aw_writer *aw_writer_mem(struct aw_buf *b)
{
	struct aw_writer *w = aw_writer_fd(-1, "memory");
	w->mem = b;
	w->first[0] = 1 | 2;	/* a bare top-level value needs neither key nor comma */
	return w;
}

static int write_all(struct aw_writer *w, const char *p, size_t n)
{
	if (w->mem) {
		aw_buf_put(w->mem, p, n);
		return 0;
	}
	while (n > 0 && !w->failed) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			if (errno == EPIPE)
				_exit(141);	/* the reader went away: quietly, like SIGPIPE */
			aw_warn("%s: write error: %s", w->name, strerror(errno));
			aw_rval = 1;
			w->failed = 1;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return w->failed ? -1 : 0;
}

int aw_writer_flush(struct aw_writer *w)
{
	if (w->len && !w->failed)
		write_all(w, w->buf, w->len);
	w->len = 0;
	return w->failed ? -1 : 0;
}

int aw_writer_close(struct aw_writer *w)
{
	int rc = aw_writer_flush(w);
	if (w->fd > 2 && close(w->fd) < 0 && !w->failed) {
		aw_warn("%s: %s", w->name, strerror(errno));
		aw_rval = 1;
		rc = -1;
	}
	free(w->buf);
	free(w);
	return rc;
}

static inline void put(struct aw_writer *w, const char *p, size_t n)
{
	if (w->len + n > OUTCHUNK) {
		aw_writer_flush(w);
		if (n > OUTCHUNK) {
			write_all(w, p, n);
			return;
		}
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static inline void putch(struct aw_writer *w, char c)
{
	if (w->len + 1 > OUTCHUNK)
		aw_writer_flush(w);
	w->buf[w->len++] = c;
}

void aw_w_bytes(struct aw_writer *w, const void *p, size_t n)
{
	put(w, p, n);
}

void aw_w_printf(struct aw_writer *w, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		put(w, small, (size_t)n);
		return;
	}
	char *big = aw_malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	put(w, big, (size_t)n);
	free(big);
}

static void put_escaped(struct aw_writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;
	putch(w, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\')
			continue;
		if (c >= 0x80) {
			int k = aw_utf8_len(s + i, n - i);
			if (k) {
				i += (size_t)k - 1;
				continue;
			}
			/* not UTF-8 (a Latin-1 file, say): U+FFFD keeps the output valid */
			put(w, s + run, i - run);
			put(w, "\xef\xbf\xbd", 3);
			run = i + 1;
			continue;
		}
		put(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(w, "\\\"", 2); break;
		case '\\': put(w, "\\\\", 2); break;
		case '\n': put(w, "\\n", 2); break;
		case '\r': put(w, "\\r", 2); break;
		case '\t': put(w, "\\t", 2); break;
		default: {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(w, u, 6);
		}
		}
	}
	put(w, s + run, n - run);
	putch(w, '"');
}

void aw_json_quote(struct aw_buf *b, const char *s)
{
	struct aw_writer *w = aw_writer_mem(b);
	aw_w_str(w, NULL, s);
	aw_writer_close(w);
}

/* first[] bit 1: nothing written yet at this level; bit 2: the level is an array */
void aw_w_begin(struct aw_writer *w, const char *type)
{
	w->depth = 0;
	put(w, "{\"type\":", 8);
	put_escaped(w, type, strlen(type));
	w->first[0] = 0;
}

void aw_w_end(struct aw_writer *w)
{
	put(w, "}\n", 2);
	w->depth = 0;
}

static void field_key(struct aw_writer *w, const char *k)
{
	unsigned char st = w->first[w->depth];
	if (!(st & 1))
		putch(w, ',');
	w->first[w->depth] = st & 2;
	if (!(st & 2)) {
		put_escaped(w, k ? k : "", k ? strlen(k) : 0);
		putch(w, ':');
	}
}

void aw_w_strn(struct aw_writer *w, const char *k, const char *s, size_t n)
{
	field_key(w, k);
	put_escaped(w, s, n);
}

void aw_w_str(struct aw_writer *w, const char *k, const char *s)
{
	if (!s) {
		aw_w_null(w, k);
		return;
	}
	aw_w_strn(w, k, s, strlen(s));
}

void aw_w_num(struct aw_writer *w, const char *k, double v, int decimals)
{
	char b[40];
	field_key(w, k);
	put(w, b, (size_t)aw_fmt_num(b, v, decimals));
}

void aw_w_int(struct aw_writer *w, const char *k, long long v)
{
	char b[24];
	field_key(w, k);
	put(w, b, (size_t)snprintf(b, sizeof b, "%lld", v));
}

void aw_w_bool(struct aw_writer *w, const char *k, int v)
{
	field_key(w, k);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void aw_w_null(struct aw_writer *w, const char *k)
{
	field_key(w, k);
	put(w, "null", 4);
}

void aw_w_ts(struct aw_writer *w, const char *k, int64_t t)
{
	char b[24];
	field_key(w, k);
	b[0] = '"';
	aw_fmt_time(b + 1, t);
	b[21] = '"';
	put(w, b, 22);
}

void aw_w_raw(struct aw_writer *w, const char *k, const char *json, size_t n)
{
	field_key(w, k);
	put(w, json, n);
}

void aw_w_field(struct aw_writer *w, const struct aw_field *f)
{
	unsigned char st = w->first[w->depth];
	if (!(st & 1))
		putch(w, ',');
	w->first[w->depth] = st & 2;
	putch(w, '"');
	put(w, f->key, f->klen);
	put(w, "\":", 2);
	if (f->type == AW_JSTR) {
		putch(w, '"');
		put(w, f->val, f->vlen);
		putch(w, '"');
	} else {
		put(w, f->val, f->vlen);
	}
}

static void open_level(struct aw_writer *w, const char *k, char c, unsigned char arr)
{
	field_key(w, k);
	putch(w, c);
	if (w->depth + 1 >= (int)sizeof w->first)
		aw_die(1, "record nesting too deep");
	w->depth++;
	w->first[w->depth] = 1 | arr;
}

void aw_w_arr_begin(struct aw_writer *w, const char *k)
{
	open_level(w, k, '[', 2);
}

void aw_w_obj_begin(struct aw_writer *w, const char *k)
{
	open_level(w, k, '{', 0);
}

void aw_w_arr_end(struct aw_writer *w)
{
	putch(w, ']');
	if (w->depth > 0)
		w->depth--;
}

void aw_w_obj_end(struct aw_writer *w)
{
	putch(w, '}');
	if (w->depth > 0)
		w->depth--;
}

void aw_w_line(struct aw_writer *w, const char *line, size_t n)
{
	put(w, line, n);
	putch(w, '\n');
}

/* ---- numbers ---- */

static const double pow10tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18 };

static const unsigned long long pow10int[] = { 1, 10, 100, 1000, 10000, 100000, 1000000,
	10000000, 100000000, 1000000000 };
static const char digit_pairs[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* the n lowest decimal digits of u, zero-padded, ending at end */
static void put_digits(char *end, unsigned long long u, int n)
{
	for (; n >= 2; n -= 2) {
		end -= 2;
		memcpy(end, digit_pairs + 2 * (u % 100), 2);
		u /= 100;
	}
	if (n)
		*--end = (char)('0' + u % 10);
}

int aw_fmt_num(char *out, double v, int decimals)
{
	if (v != v || v - v != 0) {	/* NaN or infinite */
		memcpy(out, "null", 5);
		return 4;
	}
	if (decimals >= 0 && decimals <= 9 && v < 9e15 / pow10tab[decimals] &&
	    v > -9e15 / pow10tab[decimals]) {
		double sc = v * pow10tab[decimals];
		long long q = (long long)(sc < 0 ? sc - 0.5 : sc + 0.5);
		unsigned long long u = q < 0 ? (unsigned long long)-q : (unsigned long long)q;
		/* six decimals (measurements) with a constant divisor: a multiply, not a divide */
		unsigned long long ip = decimals == 6 ? u / 1000000 : u / pow10int[decimals];
		unsigned long long fr = u - ip * pow10int[decimals];
		int d = decimals, k = 0, n = 1;
		if (fr == 0)
			d = 0;
		while (d > 0 && fr % 10 == 0) {	/* trailing zeros of the fraction */
			fr /= 10;
			d--;
		}
		if (q < 0)
			out[k++] = '-';
		for (unsigned long long t = ip; t >= 10; t /= 10)
			n++;
		put_digits(out + k + n, ip, n);
		k += n;
		if (d > 0) {
			out[k++] = '.';
			put_digits(out + k + d, fr, d);
			k += d;
		}
		out[k] = 0;
		return k;
	}
	for (int prec = 15; prec <= 17; prec++) {
		int n = snprintf(out, 32, "%.*g", prec, v);
		if (prec == 17 || strtod(out, NULL) == v)
			return n;
	}
	return 0;
}
