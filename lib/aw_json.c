/* JSON object lines: a validating scanner that records top-level fields as spans of the
 * line. Nested values are validated and kept as raw text, so they pass through unchanged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_record.h"

#define MAXDEPTH 256

struct scan {
	const char *p, *end;
	const char *err;
};

static inline void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* the bytes that end a plain ASCII run inside a string: quote, backslash, control
 * characters, and the lead bytes of UTF-8 sequences (checked one sequence at a time) */
static const unsigned char stops[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

/* at the opening quote; leaves p after the closing quote. *esc set when escapes occur. */
static int string(struct scan *s, unsigned char *esc)
{
	const char *p = s->p + 1, *end = s->end;
	*esc = 0;
	for (;;) {
		while (p < end && !stops[(unsigned char)*p])
			p++;
		if (p >= end) {
			s->err = "unterminated string";
			return -1;
		}
		if (*p == '"')
			break;
		if ((unsigned char)*p < 0x20) {
			s->err = "control character in string";
			return -1;
		}
		if ((unsigned char)*p >= 0x80) {
			int k = aw_utf8_len(p, (size_t)(end - p));
			if (!k) {
				s->err = "invalid UTF-8 in string";
				return -1;
			}
			p += k;
			continue;
		}
		*esc = 1;
		if (++p >= end) {
			s->err = "unterminated string";
			return -1;
		}
		switch (*p) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			p++;
			break;
		case 'u':
			if (end - p < 5 || hexval(p[1]) < 0 || hexval(p[2]) < 0 || hexval(p[3]) < 0 ||
			    hexval(p[4]) < 0) {
				s->err = "bad \\u escape in string";
				return -1;
			}
			p += 5;
			break;
		default:
			s->err = "bad escape in string";
			return -1;
		}
	}
	s->p = p + 1;
	return 0;
}

static int number(struct scan *s)
{
	const char *p = s->p, *end = s->end, *digits;
	long exp = 0;
	int eneg = 0;
	if (p < end && *p == '-')
		p++;
	if (p >= end || *p < '0' || *p > '9')
		goto bad;
	digits = p;
	if (*p == '0')
		p++;
	else
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	exp = p - digits;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		long e = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			if ((e = e * 10 + (*p++ - '0')) > 100000)
				e = 100000;
		exp = eneg ? exp - e : exp + e;
	}
	/* beyond about 1e308 a number has no double: rare, so only then the exact test */
	if (exp > 300 && isinf(aw_strtonum(s->p, (size_t)(p - s->p)))) {
		s->err = "number out of range";
		return -1;
	}
	s->p = p;
	return 0;
bad:
	s->err = "bad number";
	return -1;
}

static int literal(struct scan *s, const char *lit, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0) {
		s->err = "unexpected character";
		return -1;
	}
	s->p += n;
	return 0;
}

static int value(struct scan *s, int depth, unsigned char *type, unsigned char *esc);

static int container(struct scan *s, int depth, char close)
{
	unsigned char t, e;
	if (depth > MAXDEPTH) {
		s->err = "nesting too deep";
		return -1;
	}
	s->p++;
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (s->p >= s->end || *s->p != '"') {
				s->err = "expected a key";
				return -1;
			}
			if (string(s, &e))
				return -1;
			ws(s);
			if (s->p >= s->end || *s->p != ':') {
				s->err = "expected ':'";
				return -1;
			}
			s->p++;
			ws(s);
		}
		if (value(s, depth + 1, &t, &e))
			return -1;
		ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			return 0;
		}
		s->err = close == '}' ? "expected ',' or '}'" : "expected ',' or ']'";
		return -1;
	}
}

static int value(struct scan *s, int depth, unsigned char *type, unsigned char *esc)
{
	*esc = 0;
	if (s->p >= s->end) {
		s->err = "expected a value";
		return -1;
	}
	switch (*s->p) {
	case '"':
		*type = AW_JSTR;
		return string(s, esc);
	case '{':
		*type = AW_JOBJ;
		return container(s, depth, '}');
	case '[':
		*type = AW_JARR;
		return container(s, depth, ']');
	case 't':
		*type = AW_JTRUE;
		return literal(s, "true", 4);
	case 'f':
		*type = AW_JFALSE;
		return literal(s, "false", 5);
	case 'n':
		*type = AW_JNULL;
		return literal(s, "null", 4);
	default:
		*type = AW_JNUM;
		return number(s);
	}
}

int aw_json_parse(struct aw_record *r, const char *line, size_t len, const char **err)
{
	struct scan s = { line, line + len, NULL };
	r->n = 0;
	r->line = line;
	r->len = len;
	aw_arena_reset(r->scratch);
	ws(&s);
	if (s.p >= s.end || *s.p != '{') {
		*err = s.p >= s.end ? "empty line" : "not a JSON object";
		return -1;
	}
	s.p++;
	ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
		goto tail;
	}
	for (;;) {
		struct aw_field f;
		if (s.p >= s.end || *s.p != '"') {
			s.err = "expected a key";
			goto fail;
		}
		f.key = s.p + 1;
		if (string(&s, &f.kesc))
			goto fail;
		f.klen = (uint32_t)(s.p - 1 - f.key);
		ws(&s);
		if (s.p >= s.end || *s.p != ':') {
			s.err = "expected ':'";
			goto fail;
		}
		s.p++;
		ws(&s);
		const char *v = s.p;
		if (value(&s, 1, &f.type, &f.esc))
			goto fail;
		if (f.type == AW_JSTR) {
			f.val = v + 1;
			f.vlen = (uint32_t)(s.p - v - 2);
		} else {
			f.val = v;
			f.vlen = (uint32_t)(s.p - v);
		}
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->f = aw_reallocarray(r->f, r->cap, sizeof *r->f);
		}
		r->f[r->n++] = f;
		ws(&s);
		if (s.p < s.end && *s.p == ',') {
			s.p++;
			ws(&s);
			continue;
		}
		if (s.p < s.end && *s.p == '}') {
			s.p++;
			break;
		}
		s.err = "expected ',' or '}'";
		goto fail;
	}
tail:
	ws(&s);
	if (s.p != s.end) {
		*err = "trailing characters after the record";
		return -1;
	}
	return 0;
fail:
	*err = s.err ? s.err : "malformed JSON";
	return -1;
}

int aw_read(struct aw_reader *in, struct aw_record *r)
{
	char *line;
	size_t len;
	const char *err;

	while (aw_reader_line(in, &line, &len)) {
		if (len == 0)
			continue;
		if (aw_json_parse(r, line, len, &err) == 0)
			return 1;
		aw_error_at(aw_reader_name(in), aw_reader_lineno(in), "%s", err);
	}
	return 0;
}

void aw_record_free(struct aw_record *r)
{
	free(r->f);
	aw_arena_free(&r->scratch);
	memset(r, 0, sizeof *r);
}

struct aw_arena {
	struct aw_arena *next;
	size_t size, used;
	char data[];
};

void *aw_arena_alloc(struct aw_arena **a, size_t n)
{
	struct aw_arena *b = *a, *last = NULL;
	n = (n + 7) & ~(size_t)7;
	for (; b; last = b, b = b->next)
		if (b->size - b->used >= n) {
			void *p = b->data + b->used;
			b->used += n;
			return p;
		}
	size_t size = n > 8192 ? n : 8192;
	b = aw_malloc(sizeof *b + size);
	b->next = NULL;
	b->size = size;
	b->used = n;
	if (last)
		last->next = b;
	else
		*a = b;
	return b->data;
}

void aw_arena_reset(struct aw_arena *a)
{
	for (; a; a = a->next)
		a->used = 0;
}

void aw_arena_free(struct aw_arena **a)
{
	while (*a) {
		struct aw_arena *n = (*a)->next;
		free(*a);
		*a = n;
	}
}

static char *put_utf8(char *o, unsigned long c)
{
	if (c < 0x80) {
		*o++ = (char)c;
	} else if (c < 0x800) {
		*o++ = (char)(0xc0 | c >> 6);
		*o++ = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		*o++ = (char)(0xe0 | c >> 12);
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	} else {
		*o++ = (char)(0xf0 | c >> 18);
		*o++ = (char)(0x80 | (c >> 12 & 0x3f));
		*o++ = (char)(0x80 | (c >> 6 & 0x3f));
		*o++ = (char)(0x80 | (c & 0x3f));
	}
	return o;
}

static unsigned long hex4(const char *p)
{
	return (unsigned long)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

/* a validated string span, unescaped and NUL-terminated in the record's arena (an
 * escape never takes fewer bytes than the UTF-8 it stands for) */
static char *unescape(struct aw_arena **a, const char *s, size_t n)
{
	char *out = aw_arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			*o++ = s[i];
			continue;
		}
		char c = s[++i];
		switch (c) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			unsigned long u = hex4(s + i + 1);
			i += 4;
			if (u >= 0xd800 && u < 0xdc00 && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
				unsigned long lo = hex4(s + i + 3);
				if (lo >= 0xdc00 && lo < 0xe000) {
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
			}
			if (u == 0 || (u >= 0xd800 && u < 0xe000))
				u = 0xfffd;
			o = put_utf8(o, u);
			break;
		}
		default: *o++ = c;
		}
	}
	*o = 0;
	return out;
}

const struct aw_field *aw_get(const struct aw_record *r, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i < r->n; i++) {
		const struct aw_field *f = &r->f[i];
		if (f->klen == kl && !f->kesc && memcmp(f->key, key, kl) == 0)
			return f;
	}
	for (size_t i = 0; i < r->n; i++) {	/* keys written with escapes: rare */
		const struct aw_field *f = &r->f[i];
		if (f->kesc) {
			struct aw_arena *tmp = NULL;
			int eq = strcmp(unescape(&tmp, f->key, f->klen), key) == 0;
			aw_arena_free(&tmp);
			if (eq)
				return f;
		}
	}
	return NULL;
}

const char *aw_field_str(struct aw_record *r, const struct aw_field *f)
{
	if (!f || f->type != AW_JSTR)
		return NULL;
	if (f->esc)
		return unescape(&r->scratch, f->val, f->vlen);
	char *p = aw_arena_alloc(&r->scratch, f->vlen + 1);
	memcpy(p, f->val, f->vlen);
	p[f->vlen] = 0;
	return p;
}

const char *aw_get_str(struct aw_record *r, const char *key)
{
	return aw_field_str(r, aw_get(r, key));
}

int aw_get_num(const struct aw_record *r, const char *key, double *out)
{
	const struct aw_field *f = aw_get(r, key);
	if (!f || f->type != AW_JNUM)
		return 0;
	*out = aw_strtonum(f->val, f->vlen);
	return 1;
}

double aw_field_num(const struct aw_field *f)
{
	return f && f->type == AW_JNUM ? aw_strtonum(f->val, f->vlen) : NAN;
}

int aw_is(const struct aw_record *r, const char *key, const char *s)
{
	const struct aw_field *f = aw_get(r, key);
	size_t n = strlen(s);
	return f && f->type == AW_JSTR && !f->esc && f->vlen == n && memcmp(f->val, s, n) == 0;
}

int aw_get_bool(const struct aw_record *r, const char *key)
{
	const struct aw_field *f = aw_get(r, key);
	if (!f)
		return -1;
	return f->type == AW_JTRUE ? 1 : f->type == AW_JFALSE ? 0 : -1;
}

int aw_field_str_array(struct aw_record *r, const struct aw_field *f,
    void (*fn)(const char *s, void *ctx), void *ctx)
{
	if (!f || f->type != AW_JARR)
		return -1;
	struct scan s = { f->val + 1, f->val + f->vlen - 1, NULL };
	int n = 0;
	for (;;) {
		ws(&s);
		if (s.p >= s.end)
			break;
		if (*s.p == ',') {
			s.p++;
			continue;
		}
		if (*s.p != '"')
			return -1;
		const char *v = s.p;
		unsigned char esc;
		if (string(&s, &esc))
			return -1;
		fn(unescape(&r->scratch, v + 1, (size_t)(s.p - v - 2)), ctx);
		n++;
	}
	return n;
}

static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

double aw_strtonum(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	int neg = 0, frac = 0, nd = 0;
	unsigned long long m = 0;

	if (p < end && *p == '-')
		neg = 1, p++;
	while (p < end && *p >= '0' && *p <= '9') {
		m = m * 10 + (unsigned)(*p++ - '0');
		if (++nd > 15)
			goto slow;
	}
	if (p < end && *p == '.') {
		p++;
		while (p < end && *p >= '0' && *p <= '9') {
			m = m * 10 + (unsigned)(*p++ - '0');
			frac++;
			if (++nd > 15)
				goto slow;
		}
	}
	if (p != end)
		goto slow;
	/* m < 10^15 < 2^53 and 10^frac exact: one correctly rounded division */
	double v = (double)m / p10[frac];
	return neg ? -v : v;
slow: {
		char tmp[64];
		if (n >= sizeof tmp) {
			char *big = aw_strndup(s, n);
			double v2 = strtod(big, NULL);
			free(big);
			return v2;
		}
		memcpy(tmp, s, n);
		tmp[n] = 0;
		return strtod(tmp, NULL);
	}
}

int aw_jiter_init(struct aw_jiter *it, const struct aw_field *f)
{
	if (!f || f->type != AW_JARR)
		return -1;
	it->p = f->val + 1;
	it->end = f->val + f->vlen - 1;
	return 0;
}

/* the span was validated by aw_json_parse, so scanning cannot fail here */
int aw_jiter_next(struct aw_jiter *it, struct aw_field *e)
{
	struct scan s = { it->p, it->end, NULL };
	ws(&s);
	if (s.p < s.end && *s.p == ',') {
		s.p++;
		ws(&s);
	}
	if (s.p >= s.end)
		return 0;
	const char *v = s.p;
	memset(e, 0, sizeof *e);
	if (value(&s, 1, &e->type, &e->esc))
		return 0;
	if (e->type == AW_JSTR) {
		e->val = v + 1;
		e->vlen = (uint32_t)(s.p - v - 2);
	} else {
		e->val = v;
		e->vlen = (uint32_t)(s.p - v);
	}
	it->p = s.p;
	return 1;
}

void aw_json_each_object(const char *array, void (*fn)(struct aw_record *o, void *ctx),
    void *ctx)
{
	struct aw_record outer = { 0 }, o = { 0 };
	struct aw_buf b = { 0 };
	struct aw_jiter it;
	struct aw_field e;
	const char *err;

	if (!array)
		return;
	aw_buf_printf(&b, "{\"a\":%s}", array);
	if (aw_json_parse(&outer, b.s, b.len, &err) == 0 &&
	    aw_jiter_init(&it, aw_get(&outer, "a")) == 0)
		while (aw_jiter_next(&it, &e))
			if (e.type == AW_JOBJ && aw_json_parse(&o, e.val, e.vlen, &err) == 0)
				fn(&o, ctx);
	aw_record_free(&o);
	aw_record_free(&outer);
	aw_buf_free(&b);
}
