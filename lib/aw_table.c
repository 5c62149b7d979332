#include <stdlib.h>
#include <string.h>

#include "aw_table.h"

void aw_table_head(struct aw_table *t, const char *name)
{
	t->head = aw_reallocarray(t->head, t->ncols + 1, sizeof *t->head);
	t->head[t->ncols++] = aw_strdup(name);
}

void aw_table_cell(struct aw_table *t, const char *s)
{
	if (t->ncells == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = aw_reallocarray(t->cells, t->cap, sizeof *t->cells);
	}
	t->cells[t->ncells++] = aw_strdup(s && *s ? s : "-");
}

/* display width: UTF-8 code points */
static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int is_number(const char *s)
{
	double v;
	return strcmp(s, "-") == 0 || aw_parse_double(s, &v) == 0;
}

static void pad(struct aw_writer *w, size_t n)
{
	static const char spaces[] = "                                ";
	while (n > 0) {
		size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		aw_w_bytes(w, spaces, k);
		n -= k;
	}
}

static void put_cell(struct aw_writer *w, const char *s, size_t wid, int right, int last)
{
	size_t n = width(s);
	if (right)
		pad(w, wid - n);
	aw_w_bytes(w, s, strlen(s));
	if (!right && !last)
		pad(w, wid - n);
	aw_w_bytes(w, last ? "\n" : "  ", last ? 1 : 2);
}

void aw_table_write(const struct aw_table *t, struct aw_writer *w)
{
	size_t nc = t->ncols, nr = nc ? t->ncells / nc : 0;
	size_t *wid = aw_calloc(nc ? nc : 1, sizeof *wid);
	unsigned char *right = aw_calloc(nc ? nc : 1, 1);

	for (size_t c = 0; c < nc; c++) {
		wid[c] = width(t->head[c]);
		right[c] = nr > 0;
		for (size_t r = 0; r < nr; r++) {
			const char *s = t->cells[r * nc + c];
			if (width(s) > wid[c])
				wid[c] = width(s);
			if (!is_number(s))
				right[c] = 0;
		}
	}
	for (size_t c = 0; c < nc; c++)
		put_cell(w, t->head[c], wid[c], right[c], c + 1 == nc);
	for (size_t r = 0; r < nr; r++)
		for (size_t c = 0; c < nc; c++)
			put_cell(w, t->cells[r * nc + c], wid[c], right[c], c + 1 == nc);
	free(wid);
	free(right);
}

void aw_table_write_vertical(const struct aw_table *t, struct aw_writer *w)
{
	size_t wid = 0;
	for (size_t c = 0; c < t->ncols; c++)
		if (width(t->head[c]) > wid)
			wid = width(t->head[c]);
	for (size_t c = 0; c < t->ncols && c < t->ncells; c++) {
		put_cell(w, t->head[c], wid, 0, 0);
		put_cell(w, t->cells[c], 0, 0, 1);
	}
}

void aw_table_free(struct aw_table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		free(t->head[i]);
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->head);
	free(t->cells);
	memset(t, 0, sizeof *t);
}
