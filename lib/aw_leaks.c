#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_csv.h"
#include "aw_time.h"
#include "aw_leaks.h"

static const char *field(const struct aw_csv_row *row, int c)
{
	if (c < 0 || (size_t)c >= row->n || !row->f[c])
		return NULL;
	char *s = aw_trim(row->f[c]);
	return *s ? s : NULL;
}

/* ---- leak lists ---- */

enum { C_ID, C_PIPE, C_NODE, C_START, C_END, C_PEAK, C_PEAKT, C_DMA, C_KIND, C_NCOL };

static const char *const col_names[C_NCOL][4] = {
	[C_ID] = { "leak_id", "id", NULL },
	[C_PIPE] = { "pipe", "pipe_id", "link", "link_id" },
	[C_NODE] = { "node", "node_id", NULL },
	[C_START] = { "start", "start_time", NULL },
	[C_END] = { "end", "end_time", NULL },
	[C_PEAK] = { "peak_lps", "peak_flow_lps", NULL },
	[C_PEAKT] = { "peak_time", "peak", NULL },
	[C_DMA] = { "dma", NULL },
	[C_KIND] = { "kind", "leak_type", "type", NULL },
};

struct leak_reader {
	struct aw_leaks *t;
	int col[C_NCOL];
	int header, bad;
};

static int leak_row(const struct aw_csv_row *row, void *ctx)
{
	struct leak_reader *lr = ctx;
	struct aw_leaks *t = lr->t;
	const char *s;

	if (!lr->header) {
		lr->header = 1;
		for (int c = 0; c < C_NCOL; c++) {
			lr->col[c] = -1;
			for (int k = 0; k < 4 && col_names[c][k] && lr->col[c] < 0; k++)
				for (size_t i = 0; i < row->n && lr->col[c] < 0; i++)
					if (row->f[i] && aw_strcaseeq(aw_trim(row->f[i]), col_names[c][k]))
						lr->col[c] = (int)i;
		}
		if (lr->col[C_START] < 0 || (lr->col[C_PIPE] < 0 && lr->col[C_NODE] < 0)) {
			aw_error_at(row->file, row->line,
			    "not a leak list: need a start column and a pipe or node column");
			lr->bad = 1;
			return 1;
		}
		return 0;
	}
	if (row->n == 1 && !field(row, 0))
		return 0;

	struct aw_score_leak l = { 0 };
	const char *pipe = field(row, lr->col[C_PIPE]), *node = field(row, lr->col[C_NODE]);
	const char *id = field(row, lr->col[C_ID]);
	if (!pipe && !node) {
		aw_error_at(row->file, row->line, "leak without a pipe or node");
		return 0;
	}
	if (!(s = field(row, lr->col[C_START]))) {
		aw_error_at(row->file, row->line, "missing start time");
		return 0;
	}
	if (aw_parse_time_local(s, strlen(s), &l.start)) {
		aw_error_at(row->file, row->line, "bad start time '%s'", s);
		return 0;
	}
	l.end = AW_SCORE_OPEN;
	if ((s = field(row, lr->col[C_END])) &&
	    (aw_parse_time_local(s, strlen(s), &l.end) || l.end < l.start)) {
		aw_error_at(row->file, row->line, "bad end time '%s'", s);
		return 0;
	}
	int64_t peak_t = l.start;
	if ((s = field(row, lr->col[C_PEAKT])) &&
	    (aw_parse_time_local(s, strlen(s), &peak_t) || peak_t < l.start)) {
		aw_error_at(row->file, row->line, "bad peak time '%s'", s);
		return 0;
	}
	l.peak_lps = NAN;
	if ((s = field(row, lr->col[C_PEAK])) &&
	    (aw_parse_double(s, &l.peak_lps) || !(l.peak_lps >= 0))) {
		aw_error_at(row->file, row->line, "bad peak flow '%s'", s);
		return 0;
	}
	l.pipe = pipe ? aw_strdup(pipe) : NULL;
	l.node = !pipe ? aw_strdup(node) : NULL;
	l.id = aw_strdup(id ? id : pipe ? pipe : node);
	l.dma = (s = field(row, lr->col[C_DMA])) ? aw_strdup(s) : NULL;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->v = aw_reallocarray(t->v, t->cap, sizeof *t->v);
		t->kind = aw_reallocarray(t->kind, t->cap, sizeof *t->kind);
		t->peak = aw_reallocarray(t->peak, t->cap, sizeof *t->peak);
	}
	t->peak[t->n] = peak_t;
	t->kind[t->n] = (s = field(row, lr->col[C_KIND])) ? aw_strdup(s) : NULL;
	t->v[t->n++] = l;
	return 0;
}

int aw_leaks_load(struct aw_leaks *t, const char *path)
{
	struct leak_reader lr = { .t = t };

	if (aw_csv_file(path, 0, leak_row, &lr) < 0 && !lr.header)
		return -1;
	if (!lr.header)
		aw_error_at(path, 0, "no leak list");
	return lr.header && !lr.bad ? 0 : -1;
}

void aw_leaks_free(struct aw_leaks *t)
{
	for (size_t j = 0; j < t->n; j++) {
		free((char *)t->v[j].id);
		free((char *)t->v[j].pipe);
		free((char *)t->v[j].node);
		free((char *)t->v[j].dma);
		free(t->kind[j]);
		if (t->flow)
			free(t->flow[j]);
	}
	free(t->v);
	free(t->kind);
	free(t->peak);
	free(t->flow);
	memset(t, 0, sizeof *t);
}

/* ---- leak flow series ---- */

struct flow_reader {
	struct aw_leaks *t;
	int *leak;		/* column -> leak index, or -1 */
	double *scale;		/* column -> factor to L/s */
	size_t ncol, n, cap;
	int header;
};

static int find_leak(const struct aw_leaks *t, const char *key)
{
	for (size_t j = 0; j < t->n; j++)
		if (strcmp(t->v[j].id, key) == 0)
			return (int)j;
	for (size_t j = 0; j < t->n; j++)
		if (t->v[j].pipe && strcmp(t->v[j].pipe, key) == 0)
			return (int)j;
	return -1;
}

static int ends_with(const char *s, const char *suf, size_t *prefix)
{
	size_t n = strlen(s), m = strlen(suf);
	if (n <= m || strcmp(s + n - m, suf) != 0)
		return 0;
	*prefix = n - m;
	return 1;
}

static void flow_header(struct flow_reader *fr, const struct aw_csv_row *row)
{
	fr->header = 1;
	fr->ncol = row->n;
	fr->leak = aw_calloc(row->n, sizeof *fr->leak);
	fr->scale = aw_calloc(row->n, sizeof *fr->scale);
	for (size_t i = 0; i < row->n; i++) {
		char *h = row->f[i] ? aw_trim(row->f[i]) : "";
		size_t k;
		fr->leak[i] = -1;
		if (i == 0)
			continue;
		if (ends_with(h, "_flow_lps", &k) || ends_with(h, "_lps", &k))
			fr->scale[i] = 1;
		else if (ends_with(h, "_m3h", &k))
			fr->scale[i] = 1 / 3.6;
		else if (strchr(h, '_'))
			continue;	/* other quantities (leak pressures) */
		else
			k = strlen(h), fr->scale[i] = 1 / 3.6;
		char save = h[k];
		h[k] = 0;
		fr->leak[i] = find_leak(fr->t, h);
		h[k] = save;
	}
}

static int flow_row(const struct aw_csv_row *row, void *ctx)
{
	struct flow_reader *fr = ctx;
	struct aw_leaks *t = fr->t;
	const char *s;
	int64_t ts;

	if (!fr->header) {
		flow_header(fr, row);
		return 0;
	}
	if (!(s = field(row, 0)))
		return 0;
	if (aw_parse_time_local(s, strlen(s), &ts)) {
		aw_error_at(row->file, row->line, "bad timestamp: %s", s);
		return 1;
	}
	if (fr->n == 0)
		t->flow_t0 = ts;
	else if (fr->n == 1)
		t->flow_dt = (long)(ts - t->flow_t0);
	if ((fr->n >= 1 && t->flow_dt <= 0) || ts != t->flow_t0 + (int64_t)fr->n * t->flow_dt) {
		aw_error_at(row->file, row->line, "flows must have one regular time step");
		return 1;
	}
	if (fr->n == fr->cap) {
		fr->cap = fr->cap ? 2 * fr->cap : 4096;
		for (size_t j = 0; j < t->n; j++)
			t->flow[j] = aw_reallocarray(t->flow[j], fr->cap, sizeof **t->flow);
	}
	for (size_t j = 0; j < t->n; j++)
		t->flow[j][fr->n] = NAN;
	for (size_t i = 1; i < fr->ncol && i < row->n; i++) {
		double v;
		char *p;
		if (fr->leak[i] < 0 || !row->f[i] || !*(p = aw_trim(row->f[i])))
			continue;
		for (char *c = p; *c; c++)
			if (*c == ',')
				*c = '.';	/* decimal comma */
		if (aw_parse_double(p, &v)) {
			aw_error_at(row->file, row->line, "bad flow: %s", row->f[i]);
			continue;
		}
		t->flow[fr->leak[i]][fr->n] = v * fr->scale[i];
	}
	fr->n++;
	return 0;
}

int aw_leaks_load_flows(struct aw_leaks *t, const char *path, struct aw_buf *missing)
{
	struct flow_reader fr = { .t = t };
	int rc;

	t->flow = aw_calloc(t->n ? t->n : 1, sizeof *t->flow);
	rc = aw_csv_file(path, 0, flow_row, &fr);
	t->nflow = fr.n;
	for (size_t j = 0; j < t->n; j++) {
		int any = 0;
		for (size_t i = 0; i < fr.n && !any; i++)
			any = !isnan(t->flow[j][i]);
		if (!any || fr.n < 2) {
			if (missing)
				aw_buf_printf(missing, "%s%s", missing->len ? ", " : "", t->v[j].id);
			continue;
		}
		t->v[j].flow = t->flow[j];
		t->v[j].nflow = fr.n;
		t->v[j].flow_t0 = t->flow_t0;
		t->v[j].flow_dt = t->flow_dt;
	}
	free(fr.leak);
	free(fr.scale);
	return rc < 0 || !fr.header ? -1 : 0;
}

/* ---- distance tables ---- */

static const char *pair_key(struct aw_buf *b, const char *a, const char *c)
{
	aw_buf_reset(b);
	aw_buf_puts(b, a);
	aw_buf_putc(b, '\x1f');
	aw_buf_puts(b, c);
	return b->s;
}

static int dist_row(const struct aw_csv_row *row, void *ctx)
{
	struct aw_dist_table *d = ctx;
	const char *a = field(row, 0), *b = field(row, 1), *m = field(row, 2);
	double v;

	if (!a && !b)
		return 0;
	if (!a || !b || !m || aw_parse_double(m, &v) || !(v >= 0)) {
		if (row->line > 1)	/* the first line may be a header */
			aw_error_at(row->file, row->line, "expected a,b,metres");
		return 0;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->m = aw_reallocarray(d->m, d->cap, sizeof *d->m);
	}
	d->m[d->n] = v;
	aw_map_put(&d->idx, pair_key(&d->key, a, b), d->n);
	aw_map_put(&d->idx, pair_key(&d->key, b, a), d->n);
	d->n++;
	return 0;
}

int aw_dist_table_load(struct aw_dist_table *d, const char *path)
{
	return aw_csv_file(path, 0, dist_row, d) < 0 ? -1 : 0;
}

double aw_dist_table_get(const char *a, const char *b, void *ctx)
{
	struct aw_dist_table *d = ctx;
	size_t i;
	return aw_map_get(&d->idx, pair_key(&d->key, a, b), &i) ? d->m[i] : NAN;
}

void aw_dist_table_free(struct aw_dist_table *d)
{
	aw_map_free(&d->idx);
	aw_buf_free(&d->key);
	free(d->m);
	memset(d, 0, sizeof *d);
}
