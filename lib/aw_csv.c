#include <csv.h>
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "aw_csv.h"

/* a row is refused beyond AW_LINE_MAX bytes or this many fields, so that one broken line
 * cannot take all memory */
#define MAX_FIELDS (1 << 20)
#define CSV_OPTIONS (CSV_APPEND_NULL | CSV_EMPTY_IS_NULL)
/* libcsv's state inside a quoted field whose closing quote has not come (libcsv.c) */
#define CSV_FIELD_BEGUN 2

struct rowbuf {
	struct aw_csv_row row;
	size_t cap;
	struct aw_buf data;	/* fields back to back, NUL-separated */
	size_t *off;
	aw_csv_fn fn;
	void *ctx;
	long line, newlines;	/* line where the current row starts; newlines inside it */
	int stop;
	int nul;		/* the row holds a NUL byte */
	int toolong;		/* the row is beyond the limits: its fields are not kept */
};

static void field_cb(void *s, size_t n, void *ctx)
{
	struct rowbuf *b = ctx;
	if (b->toolong || b->row.n >= MAX_FIELDS || b->data.len + n >= (size_t)AW_LINE_MAX) {
		b->toolong = 1;
		for (size_t i = 0; s && i < n; i++)
			b->newlines += ((char *)s)[i] == '\n';
		return;
	}
	if (b->row.n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->off = aw_reallocarray(b->off, b->cap, sizeof *b->off);
		b->row.len = aw_reallocarray(b->row.len, b->cap, sizeof *b->row.len);
		b->row.f = aw_reallocarray(b->row.f, b->cap, sizeof *b->row.f);
	}
	b->off[b->row.n] = b->data.len;
	b->row.len[b->row.n] = n;
	aw_buf_put(&b->data, s ? s : "", s ? n : 0);
	aw_buf_putc(&b->data, 0);
	if (s) {
		for (size_t i = 0; i < n; i++)
			b->newlines += ((char *)s)[i] == '\n';
		b->nul |= memchr(s, 0, n) != NULL;
	}
	b->row.n++;
}

static void row_cb(int c, void *ctx)
{
	struct rowbuf *b = ctx;
	(void)c;
	for (size_t i = 0; i < b->row.n; i++)
		b->row.f[i] = b->data.s + b->off[i];
	b->row.line = b->line;
	/* a field cut short by a NUL would read as something else: the row goes */
	if (b->toolong && !b->stop)
		aw_error_at(b->row.file, b->line, "row longer than %ld bytes or %d fields, skipped",
		    AW_LINE_MAX, MAX_FIELDS);
	else if (b->nul && !b->stop)
		aw_error_at(b->row.file, b->line, "NUL byte in the row, skipped");
	else if (!b->stop && b->fn(&b->row, b->ctx))
		b->stop = 1;
	b->nul = b->toolong = 0;
	b->line += 1 + b->newlines;
	b->newlines = 0;
	b->row.n = 0;
	aw_buf_reset(&b->data);
}

int aw_csv_guess_delim(const char *line, size_t n)
{
	static const char cand[] = ";,\t|";
	int best = ',', bestn = 0;
	for (const char *c = cand; *c; c++) {
		int k = 0, q = 0;
		for (size_t i = 0; i < n && line[i] != '\n'; i++) {
			if (line[i] == '"')
				q = !q;
			else if (!q && line[i] == *c)
				k++;
		}
		if (k > bestn)
			best = *c, bestn = k;
	}
	return best;
}

int aw_csv_read(struct aw_reader *r, int delim, aw_csv_fn fn, void *ctx)
{
	struct csv_parser p;
	struct rowbuf b = { .fn = fn, .ctx = ctx, .line = 1 };
	char buf[65536];
	long n;
	int rc = 0, first = 1, to_newline = 0;

	b.row.file = aw_reader_name(r);
	if (csv_init(&p, CSV_OPTIONS) != 0)
		aw_die(1, "out of memory");
	while (!b.stop && (n = aw_reader_bytes(r, buf, sizeof buf)) > 0) {
		size_t skip = 0;
		if (first) {
			/* the delimiter is guessed from the whole first line, however the
			 * input arrives in pieces */
			long k;
			while (!memchr(buf, '\n', (size_t)n) && (size_t)n < sizeof buf &&
			    (k = aw_reader_bytes(r, buf + n, sizeof buf - (size_t)n)) > 0)
				n += k;
			if (n >= 3 && (unsigned char)buf[0] == 0xef && (unsigned char)buf[1] == 0xbb &&
			    (unsigned char)buf[2] == 0xbf)
				skip = 3;	/* UTF-8 byte-order mark */
			b.row.delim = delim ? delim : aw_csv_guess_delim(buf + skip, (size_t)n - skip);
			csv_set_delim(&p, (unsigned char)b.row.delim);
			first = 0;
		}
		if (to_newline) {
			char *nl = memchr(buf, '\n', (size_t)n);
			if (!nl)
				continue;
			skip = (size_t)(nl - buf) + 1;
			to_newline = 0;
		}
		if (csv_parse(&p, buf + skip, (size_t)n - skip, field_cb, row_cb, &b) != (size_t)n - skip) {
			aw_error_at(b.row.file, b.line, "%s", csv_strerror(csv_error(&p)));
			rc = -1;
			break;
		}
		if (p.entry_pos >= (size_t)AW_LINE_MAX) {
			/* one field beyond the limit: libcsv would keep growing it, so its state
			 * goes and the input is skipped to the end of the line */
			aw_error_at(b.row.file, b.line, "row longer than %ld bytes, skipped", AW_LINE_MAX);
			csv_free(&p);
			if (csv_init(&p, CSV_OPTIONS) != 0)
				aw_die(1, "out of memory");
			csv_set_delim(&p, (unsigned char)b.row.delim);
			b.row.n = 0;
			aw_buf_reset(&b.data);
			b.nul = b.toolong = 0;
			b.line += 1 + b.newlines;
			b.newlines = 0;
			to_newline = 1;
		}
	}
	/* A quote opened and never closed: the field holds the rest of the file. Its row is
	 * dropped, the lines after that row are read again. */
	while (!b.stop && rc == 0 && !aw_reader_failed(r) && p.quoted &&
	    p.pstate == CSV_FIELD_BEGUN) {
		char *nl = memchr(p.entry_buf, '\n', p.entry_pos), *rest = NULL;
		size_t k = nl ? p.entry_pos - (size_t)(nl + 1 - (char *)p.entry_buf) : 0;
		aw_error_at(b.row.file, b.line, "quote not closed in the row, skipped");
		if (k)
			rest = aw_strndup(nl + 1, k);
		csv_free(&p);
		if (csv_init(&p, CSV_OPTIONS) != 0)
			aw_die(1, "out of memory");
		csv_set_delim(&p, (unsigned char)b.row.delim);
		b.row.n = 0;
		aw_buf_reset(&b.data);
		b.nul = b.toolong = 0;
		b.line += 1 + b.newlines;
		b.newlines = 0;
		if (rest && csv_parse(&p, rest, k, field_cb, row_cb, &b) != k) {
			aw_error_at(b.row.file, b.line, "%s", csv_strerror(csv_error(&p)));
			rc = -1;
		}
		free(rest);
	}
	/* after a truncated or corrupt file the unfinished last row is dropped, not read */
	if (!b.stop && rc == 0 && !aw_reader_failed(r) &&
	    csv_fini(&p, field_cb, row_cb, &b) != 0) {
		aw_error_at(b.row.file, b.line, "%s", csv_strerror(csv_error(&p)));
		rc = -1;
	}
	csv_free(&p);
	free(b.row.f);
	free(b.row.len);
	free(b.off);
	aw_buf_free(&b.data);
	return rc;
}

int aw_csv_file(const char *path, int delim, aw_csv_fn fn, void *ctx)
{
	char *files[] = { (char *)path };
	if (access(path, R_OK) != 0) {
		aw_warn("%s: %s", path, strerror(errno));
		aw_rval = 1;
		return -1;
	}
	struct aw_reader *r = aw_reader_open(files, 1);
	int rc = aw_csv_read(r, delim, fn, ctx);
	aw_reader_close(r);
	return rc;
}
