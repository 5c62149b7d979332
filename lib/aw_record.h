/* The record layer: reading and writing line-delimited JSON records. See aw-record(5). */
#ifndef AW_RECORD_H
#define AW_RECORD_H
#include <stddef.h>
#include <stdint.h>

#include "aw_util.h"

/* ---- input: files or stdin, gzip or plain (by magic), line numbers kept ---- */

struct aw_reader;

/* Files named in argv[0..n-1] ("-" = stdin); n == 0 reads stdin. Unopenable files are
 * reported (aw_rval = 1) and skipped when their turn comes. */
struct aw_reader *aw_reader_open(char **files, int n);
/* Next line without its "\n" (and "\r"); the buffer is writable and valid until the next
 * call. Returns 1, or 0 at the end of the last file. Truncated gzip, read errors and
 * lines over AW_LINE_MAX are reported with file:line and the file is left / line skipped. */
int aw_reader_line(struct aw_reader *r, char **line, size_t *len);
/* Raw bytes for parsers that do their own framing (CSV): up to n bytes of the current
 * file, 0 at the end of the current file (then aw_reader_next_file). */
long aw_reader_bytes(struct aw_reader *r, void *buf, size_t n);
int aw_reader_next_file(struct aw_reader *r);	/* 1 when another file is open */
/* 1 when the current file ended in an error (reported): truncated or corrupt gzip, a read
 * error. aw_reader_line drops its incomplete last line; byte readers should too. */
int aw_reader_failed(const struct aw_reader *r);
const char *aw_reader_name(const struct aw_reader *r);	/* "<stdin>" for stdin */
long aw_reader_lineno(const struct aw_reader *r);
void aw_reader_close(struct aw_reader *r);
#define AW_LINE_MAX (64L << 20)

/* ---- JSON records ---- */

enum aw_jtype { AW_JNULL, AW_JFALSE, AW_JTRUE, AW_JNUM, AW_JSTR, AW_JARR, AW_JOBJ };

/* One top-level field. key/val point into the line: strings without their quotes and
 * still escaped (esc != 0 when they contain a backslash), other values as raw JSON text. */
struct aw_field {
	const char *key, *val;
	uint32_t klen, vlen;
	unsigned char type, kesc, esc;
};

struct aw_record {
	struct aw_field *f;
	size_t n, cap;
	const char *line;	/* the whole line, for pass-through */
	size_t len;
	struct aw_arena *scratch;	/* unescaped strings: stable until the next record */
};

/* bump allocator whose blocks never move: pointers stay valid until the reset */
struct aw_arena;
void *aw_arena_alloc(struct aw_arena **a, size_t n);
void aw_arena_reset(struct aw_arena *a);
void aw_arena_free(struct aw_arena **a);

/* Parses one JSON object line. Returns 0, or -1 with *err set to a static message. */
int aw_json_parse(struct aw_record *r, const char *line, size_t len, const char **err);
/* Next record from the reader; bad lines are reported as FILE:LINE (aw_rval = 1) and
 * skipped. Returns 1, or 0 at the end. */
int aw_read(struct aw_reader *in, struct aw_record *r);
void aw_record_free(struct aw_record *r);

const struct aw_field *aw_get(const struct aw_record *r, const char *key);
/* string value, unescaped and NUL-terminated (valid until the next record), or NULL
 * when absent or not a string */
const char *aw_get_str(struct aw_record *r, const char *key);
const char *aw_field_str(struct aw_record *r, const struct aw_field *f);
/* 1 and *out when the field is a number; 0 otherwise (absent, null, other type) */
int aw_get_num(const struct aw_record *r, const char *key, double *out);
double aw_field_num(const struct aw_field *f);
/* 1 when the field is a string equal to s */
int aw_is(const struct aw_record *r, const char *key, const char *s);
/* bool field: 1 true, 0 false, -1 absent or not a bool */
int aw_get_bool(const struct aw_record *r, const char *key);
/* elements of a string array field; calls fn for each (unescaped, NUL-terminated) */
int aw_field_str_array(struct aw_record *r, const struct aw_field *f,
    void (*fn)(const char *s, void *ctx), void *ctx);
/* parses a number span (JSON syntax) */
double aw_strtonum(const char *s, size_t n);
/* elements of an array field, each as a field without a key (strings without their
 * quotes, still escaped; other values as raw JSON text, so objects can go to
 * aw_json_parse). init: 0, or -1 when f is not an array; next: 1, or 0 at the end. */
struct aw_jiter {
	const char *p, *end;
};
int aw_jiter_init(struct aw_jiter *it, const struct aw_field *f);
int aw_jiter_next(struct aw_jiter *it, struct aw_field *elem);
/* fn for each object element of a JSON array text (NULL: none); other elements, and text
 * that is not an array, are passed over */
void aw_json_each_object(const char *array, void (*fn)(struct aw_record *o, void *ctx),
    void *ctx);

/* ---- output: buffered, checked, stable field order ---- */

struct aw_writer;
extern struct aw_writer *aw_out;	/* stdout, set up by aw_cli_init */

struct aw_writer *aw_writer_fd(int fd, const char *name);
/* a writer appending to b instead of a file: records kept in memory (state objects);
 * the text is complete in b after aw_writer_flush. Before any record it also writes one
 * bare value: an object or array begun with key NULL. */
struct aw_writer *aw_writer_mem(struct aw_buf *b);
/* flushes; returns 0, or -1 after reporting the error (aw_rval = 1). EPIPE exits quietly. */
int aw_writer_flush(struct aw_writer *w);
int aw_writer_close(struct aw_writer *w);

/* records: begin writes {"type":"T"; fields follow in call order; end writes }\n */
void aw_w_begin(struct aw_writer *w, const char *type);
void aw_w_end(struct aw_writer *w);
void aw_w_str(struct aw_writer *w, const char *key, const char *s);
void aw_w_strn(struct aw_writer *w, const char *key, const char *s, size_t n);
/* numbers: decimals >= 0 gives that many decimals with trailing zeros dropped;
 * AW_SHORTEST gives the shortest text that reads back to the same double.
 * NaN and infinities are written as null. */
#define AW_SHORTEST (-1)
void aw_w_num(struct aw_writer *w, const char *key, double v, int decimals);
void aw_w_int(struct aw_writer *w, const char *key, long long v);
void aw_w_bool(struct aw_writer *w, const char *key, int v);
void aw_w_null(struct aw_writer *w, const char *key);
void aw_w_ts(struct aw_writer *w, const char *key, int64_t t);	/* "YYYY-MM-DDTHH:MM:SSZ" */
void aw_w_raw(struct aw_writer *w, const char *key, const char *json, size_t n);
/* a field of an input record, copied unchanged (pass-through of unknown fields) */
void aw_w_field(struct aw_writer *w, const struct aw_field *f);
/* nesting: key is ignored (pass NULL) inside arrays */
void aw_w_arr_begin(struct aw_writer *w, const char *key);
void aw_w_arr_end(struct aw_writer *w);
void aw_w_obj_begin(struct aw_writer *w, const char *key);
void aw_w_obj_end(struct aw_writer *w);
/* a whole line, unchanged, plus "\n" (pass-through of input records) */
void aw_w_line(struct aw_writer *w, const char *line, size_t n);
/* raw bytes, for non-JSON output (tables, CSV) */
void aw_w_bytes(struct aw_writer *w, const void *p, size_t n);
void aw_w_printf(struct aw_writer *w, const char *fmt, ...) AW_PRINTF(2, 3);

/* appends s as a JSON string with its quotes, escaped as the writer does (invalid UTF-8
 * as U+FFFD): for JSON text built outside a writer */
void aw_json_quote(struct aw_buf *b, const char *s);

/* number formatting used by the writer; returns the length written to out[32] */
int aw_fmt_num(char *out, double v, int decimals);

#endif
