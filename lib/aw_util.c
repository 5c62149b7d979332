#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_util.h"

const char *aw_prog = "aw";
int aw_rval;

void aw_setprog(const char *argv0)
{
	const char *s = strrchr(argv0, '/');
	aw_prog = s ? s + 1 : argv0;
}

static void vmsg(const char *file, long line, const char *fmt, va_list ap)
{
	char buf[4096];
	int n;

	if (file && line > 0)
		n = snprintf(buf, sizeof buf, "%s: %s:%ld: ", aw_prog, file, line);
	else if (file)
		n = snprintf(buf, sizeof buf, "%s: %s: ", aw_prog, file);
	else
		n = snprintf(buf, sizeof buf, "%s: ", aw_prog);
	if (n < 0 || (size_t)n >= sizeof buf)
		n = 0;
	vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
	/* one write per message so parallel tools do not interleave within a line */
	strcat(buf, "\n");
	fputs(buf, stderr);
}

void aw_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(NULL, 0, fmt, ap);
	va_end(ap);
}

void aw_error_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(file, line, fmt, ap);
	va_end(ap);
	aw_rval = 1;
}

void aw_note_at(const char *file, long line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(file, line, fmt, ap);
	va_end(ap);
}

void aw_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(NULL, 0, fmt, ap);
	va_end(ap);
	exit(status);
}

void *aw_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		aw_die(1, "out of memory");
	return p;
}

void *aw_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		aw_die(1, "out of memory");
	return p;
}

void *aw_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		aw_die(1, "out of memory");
	return p;
}

void *aw_reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		aw_die(1, "out of memory");
	return aw_realloc(p, n * size);
}

char *aw_strdup(const char *s)
{
	return aw_strndup(s, strlen(s));
}

char *aw_strndup(const char *s, size_t n)
{
	char *p = aw_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void aw_buf_grow(struct aw_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->s = aw_realloc(b->s, cap);
	b->cap = cap;
}

void aw_buf_put(struct aw_buf *b, const void *p, size_t n)
{
	aw_buf_grow(b, n);
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = 0;
}

void aw_buf_putc(struct aw_buf *b, int c)
{
	aw_buf_grow(b, 1);
	b->s[b->len++] = (char)c;
	b->s[b->len] = 0;
}

void aw_buf_puts(struct aw_buf *b, const char *s)
{
	aw_buf_put(b, s, strlen(s));
}

void aw_buf_printf(struct aw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	aw_buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void aw_buf_reset(struct aw_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
}

void aw_buf_free(struct aw_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

uint64_t aw_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */
	while (n--) {
		h ^= *s++;
		h *= 1099511628211ULL;
	}
	return h;
}

int aw_map_getn(const struct aw_map *m, const char *k, size_t klen, size_t *val)
{
	if (!m->cap)
		return 0;
	size_t mask = m->cap - 1, i = aw_hash(k, klen) & mask;
	while (m->keys[i]) {
		if (strncmp(m->keys[i], k, klen) == 0 && m->keys[i][klen] == 0) {
			if (val)
				*val = m->vals[i];
			return 1;
		}
		i = (i + 1) & mask;
	}
	return 0;
}

int aw_map_get(const struct aw_map *m, const char *k, size_t *val)
{
	return aw_map_getn(m, k, strlen(k), val);
}

static void map_insert(struct aw_map *m, char *k, size_t val)
{
	size_t mask = m->cap - 1, i = aw_hash(k, strlen(k)) & mask;
	while (m->keys[i]) {
		if (strcmp(m->keys[i], k) == 0) {
			m->vals[i] = val;
			free(k);
			return;
		}
		i = (i + 1) & mask;
	}
	m->keys[i] = k;
	m->vals[i] = val;
	m->n++;
}

void aw_map_put(struct aw_map *m, const char *k, size_t val)
{
	if ((m->n + 1) * 2 > m->cap) {
		struct aw_map nm = { 0 };
		nm.cap = m->cap ? m->cap * 2 : 16;
		nm.keys = aw_calloc(nm.cap, sizeof *nm.keys);
		nm.vals = aw_calloc(nm.cap, sizeof *nm.vals);
		for (size_t i = 0; i < m->cap; i++)
			if (m->keys[i])
				map_insert(&nm, m->keys[i], m->vals[i]);
		free(m->keys);
		free(m->vals);
		*m = nm;
	}
	map_insert(m, aw_strdup(k), val);
}

void aw_map_free(struct aw_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

int aw_strcaseeq(const char *a, const char *b)
{
	while (*a && *b && tolower((unsigned char)*a) == tolower((unsigned char)*b))
		a++, b++;
	return *a == 0 && *b == 0;
}

char *aw_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

int aw_utf8_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int k;

	if (n == 0 || p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	k = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (n < (size_t)k)
		return 0;
	for (int i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return k;
}

int aw_parse_double(const char *s, double *out)
{
	char *end;
	if (!*s)
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end)
		return -1;
	if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))
		return -1;
	*out = v;
	return 0;
}
