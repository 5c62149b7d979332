/* aw-report output. The report is built once as a small document (headings, paragraphs,
 * lists, tables, charts) and rendered as Markdown (charts left out) and as one
 * self-contained HTML page (inline CSS and SVG, no scripts, no external resources).
 * Tables for machines (CSV, JSON) come straight from the computed figures. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_report_impl.h"
#include "aw_svg.h"
#include "aw_time.h"

#define MAX_ALERT_CHARTS 12
#define MAX_QUALITY_CHARTS 24
#define MAX_EXCEEDANCE_ROWS 100
#define MAX_ALERT_ROWS 200
#define CHART_W 1000
#define CHART_H 280

/* ---- the document ---- */

enum { B_H1, B_H2, B_H3, B_P, B_LI, B_PRE, B_NOTE, B_TABLE, B_SVG, B_RAW };
enum { BOTH, MD_ONLY, HTML_ONLY };

struct tbl {
	size_t ncol, n, cap;
	char *align;		/* 'l' or 'r' per column */
	char **cell;		/* header row first */
};

struct blk {
	int kind, only;
	char *text;		/* caption for charts */
	char *svg;
	struct tbl *t;
};

struct doc {
	struct blk *b;
	size_t n;
};

static struct blk *d_add(struct doc *d, int kind, int only)
{
	d->b = aw_reallocarray(d->b, d->n + 1, sizeof *d->b);
	struct blk *b = &d->b[d->n++];
	memset(b, 0, sizeof *b);
	b->kind = kind, b->only = only;
	return b;
}

static void d_text(struct doc *d, int kind, int only, const char *fmt, ...) AW_PRINTF(4, 5);
static void d_text(struct doc *d, int kind, int only, const char *fmt, ...)
{
	struct aw_buf s = { 0 };
	char small[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof small) {
		aw_buf_grow(&s, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(s.s, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else {
		aw_buf_puts(&s, small);
	}
	d_add(d, kind, only)->text = s.s;
}

static void t_add(struct tbl *t, const char *s)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->cell = aw_reallocarray(t->cell, t->cap, sizeof *t->cell);
	}
	t->cell[t->n++] = aw_strdup(s ? s : "");
}

static void t_addf(struct tbl *t, const char *fmt, ...) AW_PRINTF(2, 3);
static void t_addf(struct tbl *t, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	t_add(t, buf);
}

/* a table with the given column alignments and header cells */
static struct tbl *d_table(struct doc *d, int only, const char *align, ...)
{
	struct tbl *t = aw_calloc(1, sizeof *t);
	va_list ap;
	t->ncol = strlen(align);
	t->align = aw_strdup(align);
	va_start(ap, align);
	for (size_t i = 0; i < t->ncol; i++)
		t_add(t, va_arg(ap, const char *));
	va_end(ap);
	d_add(d, B_TABLE, only)->t = t;
	return t;
}

static void d_svg(struct doc *d, const char *caption, struct aw_buf *svg)
{
	struct blk *b = d_add(d, B_SVG, HTML_ONLY);
	b->text = aw_strdup(caption);
	b->svg = svg->s;
	memset(svg, 0, sizeof *svg);
}

static void d_raw(struct doc *d, struct aw_buf *html)
{
	d_add(d, B_RAW, HTML_ONLY)->svg = html->s;
	memset(html, 0, sizeof *html);
}

static void doc_free(struct doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct blk *b = &d->b[i];
		free(b->text), free(b->svg);
		if (b->t) {
			for (size_t j = 0; j < b->t->n; j++)
				free(b->t->cell[j]);
			free(b->t->cell), free(b->t->align), free(b->t);
		}
	}
	free(d->b);
}

/* ---- number formatting ---- */

/* fixed decimals with thousands separated by commas; "–" for NaN. Rotating buffers: up
 * to 16 results may be alive at once. */
static const char *F(double v, int dec)
{
	static char ring[16][64];
	static int next;
	char *out = ring[next++ % 16], tmp[64];
	if (!isfinite(v))
		return "\u2013";
	if (fabs(v) < 0.5 * pow(10, -dec))
		v = 0;
	snprintf(tmp, sizeof tmp, "%.*f", dec, v);
	const char *p = tmp, *dot = strchr(tmp, '.');
	size_t ilen = dot ? (size_t)(dot - tmp) : strlen(tmp);
	char *o = out;
	if (*p == '-')
		*o++ = *p++, ilen--;
	for (size_t i = 0; i < ilen; i++) {
		*o++ = *p++;
		if ((ilen - i - 1) % 3 == 0 && i + 1 < ilen)
			*o++ = ',';
	}
	strcpy(o, p);
	return out;
}

/* machine tables: fixed decimals, trailing zeros dropped, "" for NaN */
static const char *C(double v, int dec)
{
	static char ring[16][40];
	static int next;
	char *out = ring[next++ % 16];
	if (!isfinite(v))
		return "";
	aw_fmt_num(out, v, dec);
	return out;
}

#define PL(n) ((n) == 1 ? "" : "s")

static const char *S(const char *s)
{
	return s && *s ? s : "\u2013";
}

static const char *T(int64_t t)
{
	static char ring[8][24];
	static int next;
	char *out = ring[next++ % 8];
	aw_report_local(out, t);
	return out;
}

static const char *ISO(int64_t t)
{
	static char ring[8][24];
	static int next;
	char *out = ring[next++ % 8];
	if (t == INT64_MIN || t == INT64_MAX)
		return "";
	aw_fmt_time(out, t);
	return out;
}

static const char *day_label(int64_t d)
{
	static char ring[4][16];
	static int next;
	char *out = ring[next++ % 4];
	int y, m, dd;
	aw_civil_from_days(d, &y, &m, &dd);
	snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m, dd);
	return out;
}

static const char *dma_title(const struct rdma *d)
{
	static char buf[320];
	if (d->name)
		snprintf(buf, sizeof buf, "%s \u2014 %s", d->id, d->name);
	else
		snprintf(buf, sizeof buf, "%s", d->id);
	return buf;
}

static const char *carl_source(enum aw_carl_source s)
{
	return s == AW_CARL_BALANCE ? "water balance" : s == AW_CARL_NIGHT_FLOW ? "night flow" : "none";
}

static const char *hours_label(const struct aw_report *r)
{
	static char buf[32];
	snprintf(buf, sizeof buf, "%02d:00\u2013%02d:00", r->night_from, r->night_to);
	return buf;
}

/* ---- charts ---- */

static void minmax(const double *v, size_t n, double *lo, double *hi)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == v[i]) {
			if (!(v[i] >= *lo))
				*lo = v[i];
			if (!(v[i] <= *hi))
				*hi = v[i];
		}
}

static void chart_inflow(struct aw_report *r, struct rdma *d, struct doc *doc)
{
	struct aw_buf b = { 0 };
	struct aw_chart c;
	size_t n = 0;
	double lo = NAN, hi = NAN;
	int hourly = r->nday <= 31;
	size_t cap = hourly ? r->nday * 25 + 2 : r->nday + 1;
	double *x = aw_calloc(cap, sizeof *x), *y = aw_calloc(cap, sizeof *y);
	size_t nm = 0;
	double *mx = aw_calloc(3 * r->nday + 1, sizeof *mx), *my = aw_calloc(3 * r->nday + 1, sizeof *my);

	if (hourly) {
		for (int64_t t = r->per.start; t < r->per.end && n < cap; t += 3600, n++) {
			x[n] = (double)t + 1800;
			y[n] = aw_rdma_flow(r, d, t, t + 3600, 1800);
		}
	} else {
		for (size_t i = 0; i < r->nday; i++, n++) {
			int64_t t0 = aw_local_day_start(r->day0 + (int64_t)i);
			x[n] = (double)t0 + 43200;
			y[n] = d->day[i].inflow_lps;
		}
	}
	/* hourly: each day's MNF as a level across the day; daily: one point per day */
	for (size_t i = 0; i < r->nday; i++) {
		int64_t t0 = aw_local_day_start(r->day0 + (int64_t)i);
		int64_t t1 = aw_local_day_start(r->day0 + (int64_t)i + 1);
		double v = d->day[i].mnf_lps;
		if (hourly) {
			mx[nm] = (double)t0, my[nm++] = v;
			mx[nm] = (double)t1, my[nm++] = v;
			mx[nm] = (double)t1, my[nm++] = NAN;
		} else {
			mx[nm] = (double)t0 + 43200, my[nm++] = v;
		}
	}
	minmax(y, n, &lo, &hi);
	minmax(my, nm, &lo, &hi);
	if (d->night_use_lps == d->night_use_lps && !(d->night_use_lps <= hi))
		hi = d->night_use_lps;
	aw_chart_begin(&c, &b, CHART_W, CHART_H, "DMA inflow and minimum night flow");
	aw_chart_xrange(&c, (double)r->per.start, (double)r->per.end, 1);
	aw_chart_yrange(&c, lo, hi, 1);
	aw_chart_axes(&c, "L/s", NULL);
	aw_chart_line(&c, x, y, n, aw_svg_color(0), AW_SVG_SOLID,
	    hourly ? "inflow (hourly mean)" : "inflow (daily mean)");
	aw_chart_line(&c, mx, my, nm, aw_svg_color(1), AW_SVG_SOLID,
	    hourly ? "minimum night flow of the day" : "minimum night flow");
	aw_chart_hline(&c, d->night_use_lps, "#555", AW_SVG_DASHED, "legitimate night use");
	if (!(lo == lo))
		aw_chart_note(&c, "no inflow data");
	aw_chart_end(&c);
	char cap_s[600];
	snprintf(cap_s, sizeof cap_s, "%s: inflow and minimum night flow (lowest hourly mean %s), L/s",
	    dma_title(d), hours_label(r));
	d_svg(doc, cap_s, &b);
	free(x), free(y), free(mx), free(my);
}

static void chart_monthly(struct aw_report *r, struct doc *doc)
{
	if (!r->ndma || r->dma[0].nmonth < 2)
		return;
	size_t nm = r->dma[0].nmonth, nd = r->ndma > 10 ? 10 : r->ndma;
	int nrw = 0;
	for (size_t i = 0; i < nd; i++)
		for (size_t k = 0; k < r->dma[i].nmonth; k++)
			nrw |= isfinite(r->dma[i].month[k].b.nrw_pct);
	double *v = aw_calloc(nm * nd, sizeof *v), lo = NAN, hi = NAN;
	const char **cats = aw_calloc(nm, sizeof *cats), **cols = aw_calloc(nd, sizeof *cols);
	const char **names = aw_calloc(nd, sizeof *names);
	for (size_t k = 0; k < nm; k++)
		cats[k] = r->dma[0].month[k].label;
	for (size_t i = 0; i < nd; i++) {
		cols[i] = aw_svg_color((int)i);
		names[i] = r->dma[i].id;
		for (size_t k = 0; k < nm; k++) {
			const struct rfig *f = k < r->dma[i].nmonth ? &r->dma[i].month[k] : NULL;
			v[k * nd + i] = !f ? NAN : nrw ? f->b.nrw_pct : f->b.night_losses_m3_per_day;
		}
	}
	minmax(v, nm * nd, &lo, &hi);
	struct aw_buf b = { 0 };
	struct aw_chart c;
	aw_chart_begin(&c, &b, CHART_W, CHART_H, nrw ? "Monthly non-revenue water" :
	    "Monthly real losses from the night flow");
	aw_chart_categories(&c, nm);
	aw_chart_yrange(&c, lo, hi, 1);
	aw_chart_axes(&c, nrw ? "NRW, % of system input" : "real losses, m\u00b3/day", cats);
	aw_chart_bars(&c, v, nd, cols, names);
	if (!(lo == lo))
		aw_chart_note(&c, "no data");
	aw_chart_end(&c);
	char cap_s[200];
	snprintf(cap_s, sizeof cap_s, "%s%s", nrw ? "Non-revenue water by month, % of system input "
	    "volume" : "Real losses from the night flow by month, m\u00b3/day (no billed consumption "
	    "known)", r->ndma > nd ? " (the first 10 DMAs)" : "");
	d_svg(doc, cap_s, &b);
	free(v), free(cats), free(cols), free(names);
}

/* slot means of a series over [t0, t1), aggregated by k slots */
static size_t series_points(const struct rseries *s, int64_t t0, int64_t t1, int64_t k,
    double *x, double *mean, double *lo, double *hi, size_t cap)
{
	size_t n = 0;
	for (int64_t a = aw_slot_of(t0); a < aw_slot_of(t1) && n < cap; a += k, n++) {
		double v = 0, dt = 0, mn = INFINITY, mxv = -INFINITY;
		for (int64_t j = a; j < a + k; j++) {
			const struct rslot *x0 = aw_rseries_get(s, j);
			if (!x0)
				continue;
			v += x0->vdt, dt += x0->dt;
			if (x0->min < mn)
				mn = x0->min;
			if (x0->max > mxv)
				mxv = x0->max;
		}
		x[n] = (double)(a * AW_SLOT) + (double)(k * AW_SLOT) / 2;
		mean[n] = dt > 0 ? v / dt : NAN;
		if (lo)
			lo[n] = mn <= mxv ? mn : NAN, hi[n] = mn <= mxv ? mxv : NAN;
	}
	return n;
}

static void chart_quality(struct aw_report *r, struct rsensor *s, struct doc *doc)
{
	int64_t nslots = aw_slot_of(r->per.end) - aw_slot_of(r->per.start);
	int64_t k = nslots > 1200 ? (nslots + 1199) / 1200 : 1;
	size_t cap = (size_t)(nslots / k + 2);
	double *x = aw_calloc(cap, sizeof *x), *m = aw_calloc(cap, sizeof *m);
	double *lo = aw_calloc(cap, sizeof *lo), *hi = aw_calloc(cap, sizeof *hi);
	size_t n = series_points(&s->ser, r->per.start, r->per.end, k, x, m, lo, hi, cap);
	const struct aw_qlimits *l = &s->q.lim;
	double ylo = NAN, yhi = NAN;
	minmax(lo, n, &ylo, &yhi);
	minmax(hi, n, &ylo, &yhi);
	if (l->min == l->min && !(ylo <= l->min))
		ylo = l->min;
	if (l->min == l->min && !(yhi >= l->min))
		yhi = l->min * 1.5;
	if (l->max == l->max && yhi == yhi && yhi > 0.5 * l->max && yhi < l->max)
		yhi = l->max;
	if (l->p95_max == l->p95_max && yhi == yhi && yhi > 0.5 * l->p95_max && yhi < l->p95_max)
		yhi = l->p95_max;
	struct aw_buf b = { 0 };
	struct aw_chart c;
	aw_chart_begin(&c, &b, CHART_W, 240, s->id);
	aw_chart_xrange(&c, (double)r->per.start, (double)r->per.end, 1);
	aw_chart_yrange(&c, ylo, yhi, strcmp(s->qkind, "ph") != 0);
	aw_chart_hband(&c, l->min, l->max, "#2ca02c", 0.08, "within limits");
	aw_chart_axes(&c, strcmp(s->qkind, "chlorine") == 0 ? "mg/L" :
	    strcmp(s->qkind, "turbidity") == 0 ? "NTU" : "pH", NULL);
	aw_chart_area(&c, x, lo, hi, n, aw_svg_color(0), 0.18, k > 1 ? "min\u2013max" : NULL);
	aw_chart_line(&c, x, m, n, aw_svg_color(0), AW_SVG_SOLID, k > 1 ? "mean" : "value");
	aw_chart_hline(&c, l->min, aw_svg_color(1), AW_SVG_DASHED, "limit");
	aw_chart_hline(&c, l->max, aw_svg_color(1), AW_SVG_DASHED, "limit");
	aw_chart_hline(&c, l->p95_max, aw_svg_color(3), AW_SVG_DASHED, "95 % limit");
	for (size_t i = 0, nb = 0; i < s->q.nep && nb < 40; i++)
		if (s->q.ep[i].breach) {
			aw_chart_vline(&c, (double)s->q.ep[i].start, aw_svg_color(1), AW_SVG_DOTTED, NULL);
			nb++;
		}
	aw_chart_end(&c);
	char cap_s[600];
	char step[32];
	if (k * AW_SLOT % 3600 == 0)
		snprintf(step, sizeof step, "%lld-hour", (long long)(k * AW_SLOT / 3600));
	else
		snprintf(step, sizeof step, "%lld-minute", (long long)(k * AW_SLOT / 60));
	snprintf(cap_s, sizeof cap_s, "%s (%s%s%s), %s mean%s with limits%s", s->id, s->qkind,
	    s->dma >= 0 ? ", DMA " : "", s->dma >= 0 ? r->dma[s->dma].id : "", step,
	    k > 1 ? " and range" : "",
	    aw_qtrack_breaches(&s->q) ? "; dotted lines mark the start of breaches" : "");
	d_svg(doc, cap_s, &b);
	free(x), free(m), free(lo), free(hi);
}

struct drop {
	int sensor;
	double drop, base;
};

static int cmp_drop(const void *a, const void *b)
{
	const struct drop *x = a, *y = b;
	return x->drop > y->drop ? -1 : x->drop < y->drop;
}

/* Pressure around an alert as the change against the same time one day earlier, which
 * takes out the daily cycle: a leak shows as a step down at its start. The sensors are
 * those of the alert's DMA (all when it has none) whose mean over the 6 h after the alert
 * fell most against the same hours the day before. */
static void chart_alert(struct aw_report *r, const struct ralert *a, struct doc *doc)
{
	const int64_t day = 86400 / AW_SLOT;
	int64_t W = (int64_t)(r->window_h * 3600), t0 = a->ts - W, t1 = a->ts + W;
	int64_t aft = W < 6 * 3600 ? W : 6 * 3600;
	int d = -1;
	for (size_t i = 0; a->dma && i < r->ndma; i++)
		if (strcmp(r->dma[i].id, a->dma) == 0)
			d = (int)i;
	struct drop *c = aw_calloc(r->nsen + 1, sizeof *c);
	size_t nc = 0;
	int daily = 1;	/* against the day before; else against the mean before the alert */
	for (int pass = 0; pass < 2 && !nc; pass++) {
		daily = pass == 0;
		for (size_t i = 0; i < r->nsen; i++) {
			const struct rsensor *s = &r->sen[i];
			if (s->kind != RK_PRESSURE || (d >= 0 && s->dma != d))
				continue;
			int64_t k0 = aw_slot_of(a->ts), k1 = aw_slot_of(a->ts + aft);
			double now = aw_rseries_mean(&s->ser, k0, k1, (double)aft / 4, NULL), before;
			if (daily)
				before = aw_rseries_mean(&s->ser, k0 - day, k1 - day, (double)aft / 4, NULL);
			else
				before = aw_rseries_mean(&s->ser, aw_slot_of(t0), k0, (double)W / 4, NULL);
			if (now == now && before == before)
				c[nc++] = (struct drop){ (int)i, before - now, before };
		}
	}
	if (!nc) {
		free(c);
		return;
	}
	qsort(c, nc, sizeof *c, cmp_drop);
	if (nc > 5)
		nc = 5;
	size_t cap = (size_t)(2 * W / AW_SLOT + 2), n = 0;
	double *x = aw_calloc(cap, sizeof *x), *y = aw_calloc(cap * nc, sizeof *y);
	double *xb = aw_calloc(cap, sizeof *xb), *yb = aw_calloc(cap, sizeof *yb), lo = NAN, hi = NAN;
	for (size_t j = 0; j < nc; j++) {
		const struct rseries *ser = &r->sen[c[j].sensor].ser;
		n = series_points(ser, t0, t1, 1, x, y + j * cap, NULL, NULL, cap);
		if (daily)
			series_points(ser, t0 - 86400, t1 - 86400, 1, xb, yb, NULL, NULL, cap);
		for (size_t i = 0; i < n; i++)
			y[j * cap + i] -= daily ? yb[i] : c[j].base;
		minmax(y + j * cap, n, &lo, &hi);
	}
	struct aw_buf b = { 0 };
	struct aw_chart ch;
	aw_chart_begin(&ch, &b, CHART_W, 240, a->id);
	aw_chart_xrange(&ch, (double)t0, (double)t1, 1);
	aw_chart_yrange(&ch, lo, hi, 1);
	aw_chart_axes(&ch, "\u0394 pressure, bar", NULL);
	aw_chart_hline(&ch, 0, "#999", AW_SVG_SOLID, NULL);
	for (size_t j = 0; j < nc; j++)
		aw_chart_line(&ch, x, y + j * cap, n, aw_svg_color((int)j + 2), AW_SVG_SOLID,
		    r->sen[c[j].sensor].id);
	if (a->leak_start != INT64_MIN)
		aw_chart_vline(&ch, (double)a->leak_start, "#333", AW_SVG_DOTTED, "leak start");
	aw_chart_vline(&ch, (double)a->ts, aw_svg_color(1), AW_SVG_DASHED, "alert");
	aw_chart_end(&ch);
	char cap_s[600], who[64];
	if (nc == 1)
		snprintf(who, sizeof who, "the pressure sensor%s", d >= 0 ? " of the DMA" : "");
	else
		snprintf(who, sizeof who, "the %zu pressure sensors%s that dropped most", nc,
		    d >= 0 ? " of the DMA" : "");
	char how[64];
	if (daily)
		snprintf(how, sizeof how, "the pressure at the same time the day before");
	else
		snprintf(how, sizeof how, "its mean over the %s h before", F(r->window_h, 0));
	snprintf(cap_s, sizeof cap_s, "Alert %s (%s%s, detected %s): pressure minus %s, at %s", a->id,
	    a->dma ? "DMA " : "no DMA", a->dma ? a->dma : "", T(a->ts), how, who);
	d_svg(doc, cap_s, &b);
	free(c), free(x), free(y), free(xb), free(yb);
}

static void chart_monitor(struct aw_report *r, struct doc *doc)
{
	double *v = aw_calloc(r->nmon * 3, sizeof *v);
	const char **cats = aw_calloc(r->nmon, sizeof *cats);
	static const char *names[] = { "Brier score", "TPR", "FPR" };
	const char *cols[] = { aw_svg_color(4), aw_svg_color(2), aw_svg_color(1) };
	for (size_t i = 0; i < r->nmon; i++) {
		cats[i] = r->mon[i].label;
		v[i * 3] = r->mon[i].brier, v[i * 3 + 1] = r->mon[i].tpr, v[i * 3 + 2] = r->mon[i].fpr;
	}
	struct aw_buf b = { 0 };
	struct aw_chart c;
	aw_chart_begin(&c, &b, CHART_W, 240, "Model monitoring by month");
	aw_chart_categories(&c, r->nmon);
	aw_chart_yrange(&c, 0, 1, 1);
	aw_chart_axes(&c, "score", cats);
	aw_chart_bars(&c, v, 3, cols, names);
	aw_chart_end(&c);
	d_svg(doc, "Brier score, true-positive rate and false-positive rate by month", &b);
	free(v), free(cats);
}

/* ---- sections ---- */

static void sec_header(struct aw_report *r, struct doc *d)
{
	d_text(d, B_H1, BOTH, "%s \u2014 %s", r->o.title, r->per.label);
	if (!r->nday) {
		d_text(d, B_P, BOTH, "No readings in the period. Time zone %s.", aw_tz_name());
	} else {
		char unused[160] = "";
		if (r->nunused)
			snprintf(unused, sizeof unused, "; %llu of sensors the report does not use",
			    r->nunused);
		if (r->nout_of_period)
			snprintf(unused + strlen(unused), sizeof unused - strlen(unused),
			    "; %llu outside the period", r->nout_of_period);
		char span[40];
		if (r->nday == 1)
			snprintf(span, sizeof span, "%s", day_label(r->day0));
		else
			snprintf(span, sizeof span, "%s to %s", day_label(r->day0),
			    day_label(r->day0 + (int64_t)r->nday - 1));
		d_text(d, B_P, BOTH, "Period %s (%zu day%s), local time %s. Made by aw-report "
		    "from %llu records: %llu readings (%llu with a QC flag, left out%s), %zu alert%s, "
		    "%zu work order%s, %zu label%s, %zu probabilit%s; %llu other record%s ignored.",
		    span, r->nday, PL(r->nday), aw_tz_name(), r->nrec, r->nreadings, r->nflagged, unused,
		    r->nalert, PL(r->nalert), r->nwo, PL(r->nwo), r->nlab, PL(r->nlab), r->nprob,
		    r->nprob == 1 ? "y" : "ies", r->nignored, PL(r->nignored));
	}
}

static size_t quality_breaches(const struct aw_report *r, size_t *nsens)
{
	size_t n = 0;
	*nsens = 0;
	for (size_t i = 0; i < r->nsen; i++)
		if (r->sen[i].has_q && r->sen[i].q.n) {
			(*nsens)++;
			n += aw_qtrack_breaches(&r->sen[i].q);
		}
	return n;
}

static void kpi(struct aw_buf *b, const char *value, const char *what)
{
	aw_buf_puts(b, "<div class=\"kpi\"><b>");
	aw_html_escape(b, value);
	aw_buf_puts(b, "</b>");
	aw_html_escape(b, what);
	aw_buf_puts(b, "</div>\n");
}

static void sec_summary(struct aw_report *r, struct doc *d)
{
	double siv = 0, nrw = 0, siv_nrw = 0, saved = 0;
	size_t conf = 0, nal = 0, nsens;
	int any_nrw = 0;
	for (size_t i = 0; i < r->ndma; i++) {
		const struct rfig *f = &r->dma[i].total;
		if (isfinite(f->siv_m3))
			siv += f->siv_m3;
		if (isfinite(f->b.nrw_m3))
			nrw += f->b.nrw_m3, siv_nrw += f->siv_m3, any_nrw = 1;
	}
	for (size_t i = 0; i < r->nalert; i++) {
		const struct ralert *a = &r->alert[i];
		if (a->ts == INT64_MIN || (!r->per.all && (a->ts < r->per.start || a->ts >= r->per.end)))
			continue;
		nal++;
		conf += a->outcome == 1;
		if (a->saved_m3 == a->saved_m3)
			saved += a->saved_m3;
	}
	size_t br = quality_breaches(r, &nsens);
	d_text(d, B_H2, BOTH, "Summary");
	struct aw_buf k = { 0 };
	char v[64];
	aw_buf_puts(&k, "<div class=\"kpis\">\n");
	snprintf(v, sizeof v, "%zu", r->ndma);
	kpi(&k, v, "DMAs");
	kpi(&k, F(siv, 0), "m\u00b3 system input");
	if (any_nrw)
		kpi(&k, F(siv_nrw > 0 ? nrw / siv_nrw * 100 : NAN, 1), "% non-revenue water");
	if (nsens) {
		snprintf(v, sizeof v, "%zu / %zu", br, nsens);
		kpi(&k, v, "quality breaches / sensors");
	}
	if (nal) {
		snprintf(v, sizeof v, "%zu / %zu", conf, nal);
		kpi(&k, v, "alerts confirmed / raised");
		kpi(&k, F(saved, 0), "m\u00b3 water saved (est.)");
	}
	aw_buf_puts(&k, "</div>\n");
	d_raw(d, &k);
	if (!r->ndma) {
		d_text(d, B_P, BOTH, "No DMA inflow readings: configure dmas.NAME.inlets (or give readings "
		    "of flow sensors that carry a dma).");
		return;
	}
	struct tbl *t = d_table(d, BOTH, "lrrrrrrrrr", "DMA", "complete days", "SIV m\u00b3",
	    "billed m\u00b3", "NRW m\u00b3", "NRW %", "MNF L/s", "CARL L/day", "UARL L/day", "ILI");
	for (size_t i = 0; i < r->ndma; i++) {
		const struct rfig *f = &r->dma[i].total;
		t_add(t, r->dma[i].id);
		t_addf(t, "%d / %d", f->good_days, f->days);
		t_add(t, F(f->siv_m3, 0));
		t_add(t, F(f->billed_m3, 0));
		t_add(t, F(f->b.nrw_m3, 0));
		t_add(t, F(f->b.nrw_pct, 1));
		t_add(t, F(f->mnf_lps, 2));
		t_add(t, F(f->b.carl_l_per_day, 0));
		t_add(t, F(f->b.uarl_l_per_day, 0));
		t_add(t, F(f->b.ili, 2));
	}
	if (r->nmon && r->mon[r->nmon - 1].drift)
		d_text(d, B_NOTE, BOTH, "Model drift warning for %s: see Model monitoring.",
		    r->mon[r->nmon - 1].label);
}

static void join_ids(struct aw_buf *b, const struct aw_report *r, const int *ids, size_t n,
    const char *sep)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			aw_buf_puts(b, sep);
		aw_buf_puts(b, r->sen[ids[i]].id);
	}
}

static void sec_dma(struct aw_report *r, struct rdma *dm, struct doc *d, int html)
{
	const struct rfig *f = &dm->total;
	const struct aw_balance *b = &f->b;
	const struct aw_dma *c = dm->cfg;
	struct aw_buf s = { 0 };
	char src[160];

	d_text(d, B_H3, BOTH, "%s", dma_title(dm));
	aw_buf_puts(&s, "");
	join_ids(&s, r, dm->in, dm->nin, " + ");
	if (dm->nout) {
		aw_buf_puts(&s, " \u2212 ");
		join_ids(&s, r, dm->out, dm->nout, " \u2212 ");
	}
	d_text(d, B_P, BOTH, "Inflow: %s. Complete days: %d of %d (a day is complete when every "
	    "meter covers at least %s %% of it).", dm->nin + dm->nout ? s.s : "no inlet readings",
	    f->good_days, f->days, F(r->completeness * 100, 0));
	aw_buf_free(&s);

	if (f->good_days && f->good_days < f->days)
		d_text(d, B_NOTE, BOTH, "%d incomplete day%s: the system input volume counts them at the "
		    "mean volume of the %d complete days.", f->days - f->good_days,
		    PL(f->days - f->good_days), f->good_days);
	if (strcmp(f->billed_source, "AMR") == 0 && dm->amr_last &&
	    (double)(dm->amr_last - dm->amr_first) < 0.9 * (double)(f->end - f->start))
		d_text(d, B_NOTE, BOTH, "The AMR reads span only %s to %s: billed consumption is what the "
		    "%ld meter%s recorded in that span.", T(dm->amr_first), T(dm->amr_last),
		    dm->amr_accounts, PL(dm->amr_accounts));
	double days = f->days, siv = f->siv_m3;
	struct tbl *t = d_table(d, BOTH, "lrrrl", "IWA water balance", "m\u00b3", "m\u00b3/day",
	    "% of SIV", "source");
#define ROW(name, v, source) do { t_add(t, name); t_add(t, F(v, 0)); t_add(t, F((v) / days, 1)); \
	t_add(t, F((v) / siv * 100, 1)); t_add(t, source); } while (0)
	ROW("System input volume", siv, "inlet meters");
	ROW("Authorised consumption", b->authorised_m3, "billed + unbilled");
	ROW("\u2003Billed authorised", f->billed_m3, f->billed_source);
	ROW("\u2003Unbilled authorised", f->unbilled_m3, f->unbilled_source);
	ROW("Water losses", b->water_losses_m3, "SIV \u2212 authorised");
	if (isfinite(f->in.apparent_pct))
		snprintf(src, sizeof src, "%s %% of billed", F(f->in.apparent_pct, 1));
	else
		snprintf(src, sizeof src, "not estimated (set apparent_loss_pct)");
	ROW("\u2003Apparent losses", b->apparent_m3, src);
	ROW("\u2003Real losses", b->real_m3, "water losses \u2212 apparent");
	ROW("Non-revenue water", b->nrw_m3, "SIV \u2212 billed");
#undef ROW

	t = d_table(d, BOTH, "lrll", "Night flow and leakage index", "value", "unit", "how");
	t_add(t, "Minimum night flow (MNF)");
	t_add(t, F(f->mnf_lps, 2));
	t_add(t, "L/s");
	t_addf(t, "lowest hourly mean inflow %s, mean over %d days", hours_label(r), f->mnf_days);
	t_add(t, "Lowest daily MNF");
	t_add(t, F(f->mnf_min_lps, 2));
	t_add(t, "L/s");
	t_add(t, f->mnf_min_lps == f->mnf_min_lps ? day_label(f->mnf_min_day) : "");
	t_add(t, "Legitimate night use (LNU)");
	t_add(t, F(dm->night_use_lps, 2));
	t_add(t, "L/s");
	if (c && c->connections == c->connections)
		t_addf(t, "%s connections \u00d7 %s L/h (%s) / 3600", F(c->connections, 0),
		    F(c->night_use_l_per_conn_h == c->night_use_l_per_conn_h ? c->night_use_l_per_conn_h :
		    r->night_use_default, 2), dm->night_use_source);
	else
		t_add(t, "connections not configured");
	t_add(t, "Night-day factor (NDF)");
	t_add(t, F(dm->ndf_h, 1));
	t_add(t, "h");
	if (strcmp(dm->ndf_source, "pressure profile") == 0)
		t_addf(t, "\u03a3 (P_h / P_night)^N1 over 24 h, N1 = %s, DMA pressure profile", F(r->n1, 2));
	else
		t_add(t, dm->ndf_source);
	t_add(t, "Real losses from night flow");
	t_add(t, F(b->night_losses_m3_per_day, 1));
	t_add(t, "m\u00b3/day");
	t_add(t, "(MNF \u2212 LNU) \u00d7 NDF \u00d7 3.6");
	t_add(t, "Mains length Lm");
	t_add(t, F(f->in.mains_km, 2));
	t_add(t, "km");
	t_add(t, c && c->mains_km == c->mains_km ? "configured" : "not configured");
	t_add(t, "Service connections Nc");
	t_add(t, F(f->in.connections, 0));
	t_add(t, "");
	t_add(t, c && c->connections == c->connections ? "configured" : "not configured");
	t_add(t, "Private pipe length Lp");
	t_add(t, F(f->in.private_km, 2));
	t_add(t, "km");
	t_add(t, strcmp(dm->private_source, "assumed 0") == 0 ?
	    "assumed 0 (meters at the property boundary)" : dm->private_source);
	t_add(t, "Average pressure P");
	t_add(t, F(f->in.pressure_m, 1));
	t_add(t, "m");
	t_add(t, dm->pressure_source ? (strcmp(dm->pressure_source, "measured") == 0 ?
	    "mean of the DMA's pressure sensors" : dm->pressure_source) : "not known");
	t_add(t, "UARL");
	t_add(t, F(b->uarl_l_per_day, 0));
	t_add(t, "L/day");
	t_add(t, "(18 \u00d7 Lm + 0.8 \u00d7 Nc + 25 \u00d7 Lp) \u00d7 P");
	t_add(t, "CARL");
	t_add(t, F(b->carl_l_per_day, 0));
	t_add(t, "L/day");
	t_add(t, b->carl_source == AW_CARL_NONE ? "no real-loss estimate" :
	    b->carl_source == AW_CARL_BALANCE ? "real losses of the water balance / days" :
	    "real losses from the night flow");
	t_add(t, "Infrastructure leakage index ILI");
	t_add(t, F(b->ili, 2));
	t_add(t, "");
	t_add(t, "CARL / UARL");
	t_add(t, "Real losses per connection");
	t_add(t, F(b->real_l_per_conn_day, 0));
	t_add(t, "L/connection/day");
	t_add(t, "CARL / Nc");
	if (isfinite(b->ili) && (f->in.connections < 3000 || f->in.pressure_m < 25))
		d_text(d, B_NOTE, BOTH, "The UARL formula was derived for systems with more than 3000 "
		    "connections and an average pressure above 25 m; for this DMA (%s connections, %s m) "
		    "the ILI is indicative only.", F(f->in.connections, 0), F(f->in.pressure_m, 1));
	if (html && r->nday)
		chart_inflow(r, dm, d);
	if (dm->nmonth > 1 || strcmp(dm->month[0].label, r->per.label) != 0) {
		t = d_table(d, BOTH, "lrrrrrrrrr", "month", "days", "complete", "SIV m\u00b3", "billed m\u00b3",
		    "NRW m\u00b3", "NRW %", "MNF L/s", "night-flow losses m\u00b3/day", "ILI");
		for (size_t i = 0; i < dm->nmonth; i++) {
			const struct rfig *m = &dm->month[i];
			t_add(t, m->label);
			t_addf(t, "%d", m->days);
			t_addf(t, "%d", m->good_days);
			t_add(t, F(m->siv_m3, 0));
			t_add(t, F(m->billed_m3, 0));
			t_add(t, F(m->b.nrw_m3, 0));
			t_add(t, F(m->b.nrw_pct, 1));
			t_add(t, F(m->mnf_lps, 2));
			t_add(t, F(m->b.night_losses_m3_per_day, 1));
			t_add(t, F(m->b.ili, 2));
		}
	}
}

static void sec_balance(struct aw_report *r, struct doc *d, int html)
{
	if (!r->ndma || !r->nday)
		return;
	d_text(d, B_H2, BOTH, "Water balance (IWA/AWWA M36)");
	if (r->amr_no_dma)
		d_text(d, B_NOTE, BOTH, "%ld customer meter%s (volume readings) without a DMA left out of "
		    "billed consumption: give %s a dma in the sensor table or the readings.",
		    r->amr_no_dma, PL(r->amr_no_dma), r->amr_no_dma == 1 ? "it" : "them");
	for (size_t i = 0; i < r->ndma; i++)
		sec_dma(r, &r->dma[i], d, html);
	if (html && r->dma[0].nmonth >= 2) {
		d_text(d, B_H3, HTML_ONLY, "By month");
		chart_monthly(r, d);
	}
}

static const char *qunit(const char *k)
{
	return !strcmp(k, "chlorine") ? "mg/L" : !strcmp(k, "turbidity") ? "NTU" : "";
}

static void sec_quality(struct aw_report *r, struct doc *d, int html)
{
	size_t nsens;
	quality_breaches(r, &nsens);
	d_text(d, B_H2, BOTH, "Water quality compliance");
	if (!nsens) {
		d_text(d, B_P, BOTH, "No chlorine, turbidity or pH readings in the period.");
		return;
	}
	static const char *const kinds[] = { "chlorine", "turbidity", "ph" };
	struct tbl *t = d_table(d, BOTH, "llrrrr", "parameter", "unit", "min", "max",
	    "max hours below min", "95 % of samples \u2264");
	for (size_t k = 0; k < 3; k++) {
		int seen = 0;
		for (size_t i = 0; i < r->nsen; i++)
			seen |= r->sen[i].has_q && r->sen[i].q.n && !strcmp(r->sen[i].qkind, kinds[k]);
		if (!seen)
			continue;
		struct aw_qlimits l;
		aw_qlimits_get(r->cfg, kinds[k], &l);
		t_add(t, kinds[k]);
		t_add(t, qunit(kinds[k]));
		t_add(t, F(l.min, 2));
		t_add(t, F(l.max, 2));
		t_add(t, F(l.max_hours_below, 1));
		t_add(t, F(l.p95_max, 2));
	}
	t = d_table(d, BOTH, "lllrrrrrrrrl", "sensor", "parameter", "DMA", "samples", "left out (QC)",
	    "min", "mean", "max", "% above 95 % limit", "episodes", "breaches", "compliant");
	for (size_t i = 0; i < r->nsen; i++) {
		const struct rsensor *s = &r->sen[i];
		if (!s->has_q || !s->q.n)
			continue;
		double share = aw_qtrack_p95_share(&s->q);
		size_t br = aw_qtrack_breaches(&s->q);
		int dec = !strcmp(s->qkind, "ph") ? 2 : 3;
		t_add(t, s->id);
		t_add(t, s->qkind);
		t_add(t, s->dma >= 0 ? r->dma[s->dma].id : "");
		t_addf(t, "%ld", s->q.n);
		t_addf(t, "%ld", s->flagged);
		t_add(t, F(s->q.min, dec));
		t_add(t, F(s->q.sum / (double)s->q.n, dec));
		t_add(t, F(s->q.max, dec));
		t_add(t, F(share, 1));
		t_addf(t, "%zu", s->q.nep);
		t_addf(t, "%zu", br);
		t_add(t, br == 0 && !(share > 5) ? "yes" : "no");
	}
	d_text(d, B_H3, BOTH, "Breaches");
	size_t nbr = 0;
	for (size_t i = 0; i < r->nsen; i++)
		if (r->sen[i].has_q)
			nbr += aw_qtrack_breaches(&r->sen[i].q);
	if (!nbr) {
		d_text(d, B_P, BOTH, "None.");
	} else {
		t = d_table(d, BOTH, "lLLrrr", "sensor", "start", "end", "duration h", "extreme", "limit");
		size_t shown = 0;
		for (size_t i = 0; i < r->nsen; i++) {
			const struct rsensor *s = &r->sen[i];
			if (!s->has_q)
				continue;
			int dec = !strcmp(s->qkind, "ph") ? 2 : 3;
			for (size_t j = 0; j < s->q.nep && shown < MAX_EXCEEDANCE_ROWS; j++) {
				const struct aw_qepisode *e = &s->q.ep[j];
				if (!e->breach)
					continue;
				shown++;
				t_add(t, s->id);
				t_add(t, T(e->start));
				t_add(t, T(e->end));
				t_add(t, F((double)(e->end - e->start) / 3600, 2));
				t_addf(t, "%s%s%s", F(e->extreme, dec), *qunit(s->qkind) ? " " : "",
				    qunit(s->qkind));
				t_addf(t, "%s %s", e->above ? ">" : "<", F(e->limit, dec));
			}
		}
		if (shown < nbr)
			d_text(d, B_P, BOTH, "%zu of %zu breaches shown.", shown, nbr);
	}
	/* episodes below a minimum that were short enough: one line per sensor */
	size_t nok = 0;
	for (size_t i = 0; i < r->nsen; i++) {
		const struct rsensor *s = &r->sen[i];
		size_t n = 0;
		double longest = 0, total = 0;
		for (size_t j = 0; s->has_q && j < s->q.nep; j++) {
			const struct aw_qepisode *e = &s->q.ep[j];
			double h = (double)(e->end - e->start) / 3600;
			if (e->breach)
				continue;
			n++;
			total += h;
			if (h > longest)
				longest = h;
		}
		if (!n)
			continue;
		nok += n;
		d_text(d, B_LI, BOTH, "%s: %zu dip%s below %s %s shorter than the %s h allowed (longest "
		    "%s h, %s h in all).", s->id, n, PL(n), F(s->q.lim.min, !strcmp(s->qkind, "ph") ? 2 : 3),
		    qunit(s->qkind), F(s->q.lim.max_hours_below, 1), F(longest, 2), F(total, 2));
	}
	if (nbr || nok)
		d_text(d, B_P, BOTH, "Every episode outside a limit is in quality_exceedances.csv.");
	if (html) {
		size_t nc = 0;
		for (size_t i = 0; i < r->nsen && nc < MAX_QUALITY_CHARTS; i++)
			if (r->sen[i].has_q && r->sen[i].q.n)
				chart_quality(r, &r->sen[i], d), nc++;
	}
}

static int alert_in_period(const struct aw_report *r, const struct ralert *a)
{
	return a->ts != INT64_MIN && (r->per.all || (a->ts >= r->per.start && a->ts < r->per.end));
}

static int cmp_alert_ts(const void *a, const void *b)
{
	const struct ralert *x = *(const struct ralert *const *)a, *y = *(const struct ralert *const *)b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void stats(const double *v, size_t n, double *med, double *mean)
{
	double *c = aw_calloc(n + 1, sizeof *c), s = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] == v[i])
			c[k++] = v[i], s += v[i];
	if (!k) {
		*med = *mean = NAN;
	} else {
		for (size_t i = 1; i < k; i++)	/* insertion sort: small */
			for (size_t j = i; j > 0 && c[j - 1] > c[j]; j--) {
				double x = c[j];
				c[j] = c[j - 1], c[j - 1] = x;
			}
		*med = k % 2 ? c[k / 2] : (c[k / 2 - 1] + c[k / 2]) / 2;
		*mean = s / (double)k;
	}
	free(c);
}

static struct ralert **alerts_sorted(struct aw_report *r, size_t *n)
{
	struct ralert **v = aw_calloc(r->nalert + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < r->nalert; i++)
		if (alert_in_period(r, &r->alert[i]))
			v[(*n)++] = &r->alert[i];
	qsort(v, *n, sizeof *v, cmp_alert_ts);
	return v;
}

static const char *outcome_name(int o)
{
	return o == 1 ? "confirmed" : o == 0 ? "false" : "unresolved";
}

static void sec_operations(struct aw_report *r, struct doc *d, int html)
{
	size_t na, conf = 0, fals = 0;
	struct ralert **al = alerts_sorted(r, &na);
	double *lat = aw_calloc(na + 1, sizeof *lat), *ttr = aw_calloc(r->nwo + 1, sizeof *ttr);
	double saved = 0, med, mean;
	size_t nsaved = 0, nttr = 0;

	d_text(d, B_H2, BOTH, "Operations");
	for (size_t i = 0; i < na; i++) {
		conf += al[i]->outcome == 1;
		fals += al[i]->outcome == 0;
		lat[i] = al[i]->latency_h;
		if (al[i]->saved_m3 == al[i]->saved_m3)
			saved += al[i]->saved_m3, nsaved++;
	}
	struct tbl *t = d_table(d, BOTH, "lrl", "figure", "value", "how");
	t_add(t, "Alerts raised");
	t_addf(t, "%zu", na);
	t_add(t, "alerts with a time in the period (repeats of an id count once)");
	t_add(t, "\u2003confirmed");
	t_addf(t, "%zu", conf);
	t_add(t, "label or work-order outcome confirmed_leak or probable");
	t_add(t, "\u2003false");
	t_addf(t, "%zu", fals);
	t_add(t, "confirmed_no_leak or operational_event");
	t_add(t, "\u2003unresolved");
	t_addf(t, "%zu", na - conf - fals);
	t_add(t, "no outcome yet, or suspected");
	/* work orders by status */
	static const char *const st[] = { "proposed", "approved", "rejected", "dispatched", "closed" };
	size_t nwo = 0;
	for (size_t i = 0; i < r->nwo; i++) {
		const struct rwo *w = &r->wo[i];
		if (w->created != INT64_MIN && !r->per.all && (w->created < r->per.start || w->created >= r->per.end))
			continue;
		nwo++;
		if (w->closed != INT64_MIN && w->created != INT64_MIN)
			ttr[nttr++] = (double)(w->closed - w->created) / 3600;
	}
	t_add(t, "Work orders");
	t_addf(t, "%zu", nwo);
	t_add(t, "created in the period");
	for (size_t k = 0; k < AW_NELEM(st); k++) {
		size_t n = 0;
		for (size_t i = 0; i < r->nwo; i++) {
			const struct rwo *w = &r->wo[i];
			if (w->created != INT64_MIN && !r->per.all &&
			    (w->created < r->per.start || w->created >= r->per.end))
				continue;
			n += w->status && !strcmp(w->status, st[k]);
		}
		t_addf(t, "\u2003%s", st[k]);
		t_addf(t, "%zu", n);
		t_add(t, "");
	}
	stats(ttr, nttr, &med, &mean);
	t_add(t, "Time to repair, median / mean");
	t_addf(t, "%s / %s h", F(med, 1), F(mean, 1));
	t_addf(t, "closed \u2212 created, %zu closed work orders", nttr);
	stats(lat, na, &med, &mean);
	t_add(t, "Detection latency, median / mean");
	t_addf(t, "%s / %s h", F(med, 1), F(mean, 1));
	t_add(t, "alert time \u2212 leak start (from the label), confirmed alerts");
	t_add(t, "Water saved (estimate)");
	t_addf(t, "%s m\u00b3", F(saved, 1));
	t_addf(t, "leak flow \u00d7 (%s h manual detection \u2212 latency), %zu alert%s",
	    F(r->manual_h, 0), nsaved, PL(nsaved));

	if (na) {
		d_text(d, B_H3, BOTH, "Alerts");
		t = d_table(d, BOTH, "LLllllLrrrr", "alert", "detected", "DMA", "type", "severity",
		    "outcome", "work order", "latency h", "repair h", "leak flow L/s", "saved m\u00b3");
		for (size_t i = 0; i < na && i < MAX_ALERT_ROWS; i++) {
			const struct ralert *a = al[i];
			t_add(t, a->id);
			t_add(t, T(a->ts));
			t_add(t, S(a->dma));
			t_add(t, S(a->what));
			t_add(t, S(a->severity));
			t_add(t, a->label ? a->label : outcome_name(a->outcome));
			t_addf(t, "%s%s%s", S(a->wo), a->wo_status ? " " : "", a->wo_status ? a->wo_status : "");
			t_add(t, F(a->latency_h, 1));
			t_add(t, F(a->wo_closed != INT64_MIN && a->wo_created != INT64_MIN ?
			    (double)(a->wo_closed - a->wo_created) / 3600 : NAN, 1));
			t_add(t, F(a->flow_used_lps, 2));
			t_add(t, F(a->saved_m3, 1));
		}
		if (na > MAX_ALERT_ROWS)
			d_text(d, B_P, BOTH, "%d of %zu alerts shown; all are in operations.csv.",
			    MAX_ALERT_ROWS, na);
		if (html) {
			size_t nc = 0;
			for (size_t i = 0; i < na && nc < MAX_ALERT_CHARTS; i++) {
				size_t before = d->n;
				chart_alert(r, al[i], d);
				nc += d->n > before;
			}
		}
	}
	free(al), free(lat), free(ttr);
}

static void sec_monitoring(struct aw_report *r, struct doc *d, int html)
{
	d_text(d, B_H2, BOTH, "Model monitoring");
	if (!r->nprob) {
		d_text(d, B_P, BOTH, "No probability records in the period.");
		return;
	}
	d_text(d, B_P, BOTH, "%zu probability record%s of %zu DMA%s against %zu label%s; a step "
	    "counts as a leak detection when p_leak \u2265 %s.", r->nprob, PL(r->nprob), r->npdma,
	    PL(r->npdma), r->nlab, PL(r->nlab), F(r->threshold, 2));
	struct tbl *t = d_table(d, BOTH, "lrrrrrrrrl", "month", "steps", "Brier", "negatives", "FPR",
	    "leaks", "detected", "TPR", "latency h (median)", "drift");
	for (size_t i = 0; i < r->nmon; i++) {
		const struct aw_monitor *m = &r->mon[i];
		struct aw_buf s = { 0 };
		aw_buf_puts(&s, "");
		if (m->drift & AW_DRIFT_BRIER)
			aw_buf_puts(&s, "Brier ");
		if (m->drift & AW_DRIFT_TPR)
			aw_buf_puts(&s, "TPR ");
		if (m->drift & AW_DRIFT_FPR)
			aw_buf_puts(&s, "FPR ");
		if (m->drift & AW_DRIFT_LATENCY)
			aw_buf_puts(&s, "latency ");
		if (s.len)
			s.s[--s.len] = 0;
		t_add(t, m->label);
		t_addf(t, "%ld", m->steps);
		t_add(t, F(m->brier, 4));
		t_addf(t, "%ld", m->negatives);
		t_add(t, F(m->fpr, 4));
		t_addf(t, "%ld", m->leaks);
		t_addf(t, "%ld", m->detected);
		t_add(t, F(m->tpr, 3));
		t_add(t, F(m->latency_h, 1));
		t_add(t, s.len ? s.s : "");
		aw_buf_free(&s);
	}
	if (r->nmon && r->mon[r->nmon - 1].drift)
		d_text(d, B_NOTE, BOTH, "Drift warning: the model did worse in %s than before (%s). Check "
		    "the sensors and retrain on recent labelled data.", r->mon[r->nmon - 1].label,
		    aw_drift_rules);
	else if (r->nmon >= 2)
		d_text(d, B_P, BOTH, "No drift: %s.", aw_drift_rules);
	if (html)
		chart_monitor(r, d);
}

static void sec_methods(struct aw_report *r, struct doc *d)
{
	d_text(d, B_H2, BOTH, "Methods and units");
	d_text(d, B_P, BOTH, "Flows are L/s, volumes m\u00b3, pressures m of head (1 m = 0.0980665 bar), "
	    "times local (%s) unless marked UTC. Readings with a QC flag other than ok or filled are "
	    "left out; a value holds until the next reading (at most twice the sensor's step).",
	    aw_tz_name());
	d_text(d, B_LI, BOTH, "System input volume SIV (m\u00b3): per local day, the time-weighted mean "
	    "flow of the inlets minus the outlets (L/s) \u00d7 the day's length (s) / 1000; days on "
	    "which a meter covers less than %s %% are left out and SIV = mean complete-day volume "
	    "\u00d7 days in the period.", F(r->completeness * 100, 0));
	d_text(d, B_LI, BOTH, "Billed authorised consumption (m\u00b3): billed_m3_per_day \u00d7 days "
	    "when configured, else the sum of the increases of the AMR meter indexes (volume readings) "
	    "of the DMA's accounts. Unbilled authorised = unbilled_m3_per_day \u00d7 days (0 when not "
	    "configured).");
	d_text(d, B_LI, BOTH, "Authorised consumption = billed + unbilled. Water losses = SIV \u2212 "
	    "authorised consumption. Apparent losses = apparent_loss_pct %% \u00d7 billed (only when "
	    "configured). Real losses = water losses \u2212 apparent losses. Non-revenue water NRW = "
	    "SIV \u2212 billed authorised; NRW %% = NRW / SIV \u00d7 100.");
	d_text(d, B_LI, BOTH, "Minimum night flow MNF (L/s): per day the lowest hourly mean DMA inflow "
	    "starting in %s local time; the period's MNF is the mean over the days.", hours_label(r));
	d_text(d, B_LI, BOTH, "Legitimate night use LNU (L/s) = Nc \u00d7 night use per connection "
	    "(L/h; %s %s unless configured per DMA) / 3600.", r->night_use_source,
	    F(r->night_use_default, 2));
	d_text(d, B_LI, BOTH, "Night-day factor NDF (h) = \u03a3 over the 24 hours of (P_h / P_night)^N1, "
	    "with P_h the DMA's mean pressure in local hour h, P_night its mean over the night hours and "
	    "N1 = %s (FAVAD: leak flow \u221d P^N1); configured per DMA (night_day_factor_h), or %s h "
	    "when no pressure profile is available (20\u201324 h is typical: below 24 h where night "
	    "pressure is higher than by day).", F(r->n1, 2), F(r->ndf_default, 1));
	d_text(d, B_LI, BOTH, "Real losses from the night flow (m\u00b3/day) = (MNF \u2212 LNU) "
	    "\u00d7 NDF \u00d7 3.6 (1 L/s for 1 h = 3.6 m\u00b3), not below 0.");
	d_text(d, B_LI, BOTH, "CARL, current annual real losses, as a daily rate (L/day) = real "
	    "losses of the balance / days \u00d7 1000; from the night flow \u00d7 1000 when the balance "
	    "has none (no billed consumption or no apparent-loss estimate).");
	d_text(d, B_LI, BOTH, "UARL, unavoidable annual real losses (L/day) = (18 \u00d7 Lm + 0.8 "
	    "\u00d7 Nc + 25 \u00d7 Lp) \u00d7 P with Lm mains length (km), Nc service connections, Lp "
	    "private pipe length between property boundary and meters (km), P average pressure (m).");
	d_text(d, B_LI, BOTH, "Infrastructure leakage index ILI = CARL / UARL (no unit). Real losses "
	    "per connection (L/connection/day) = CARL / Nc.");
	d_text(d, B_LI, BOTH, "Water quality: limits per parameter (quality_limits in the "
	    "configuration; defaults chlorine 0.2\u20134.0 mg/L and not below 0.2 for more than 4 h, "
	    "turbidity \u2264 0.3 NTU in 95 %% of samples and never above 1 NTU, pH 6.5\u20138.5). An "
	    "episode runs from the first sample outside a limit to the first sample back within it "
	    "(or the last sample; a return shorter than merge_minutes, default 15, does not end it); "
	    "every episode above a maximum is a breach, one below a minimum is a "
	    "breach when longer than max_hours_below. A sensor complies when it has no breach and at "
	    "most 5 %% of its samples are above p95_max.");
	d_text(d, B_LI, BOTH, "Operations: an alert is confirmed when a label (by alert, event or work "
	    "order) or its work order's outcome is confirmed_leak or probable, false when "
	    "confirmed_no_leak or operational_event. Alert time: its ts, else the start of what it "
	    "detected. Detection latency (h) = alert time \u2212 leak start, the earliest start of the "
	    "leak labels about the alert. Time to repair (h) = work order closed \u2212 created. The "
	    "pressure charts around alerts show the pressure minus the pressure at the same time "
	    "the day before (else minus its mean before the alert).");
	d_text(d, B_LI, BOTH, "Water saved (m\u00b3) = leak flow (L/s) \u00d7 3.6 \u00d7 max(0, %s h "
	    "\u2212 latency h): the leak would have run %s h before a manual detection "
	    "(report.manual_detection_h). Leak flow: the alert's flow_lps, else the label's, else the "
	    "rise of the DMA's MNF (mean of up to 7 days after the start minus the 7 days before).",
	    F(r->manual_h, 0), F(r->manual_h, 0));
	d_text(d, B_LI, BOTH, "Model monitoring: a probability step is positive inside a "
	    "confirmed_leak or probable label interval of its DMA, left out inside a suspected one, "
	    "negative otherwise. Brier score = mean (p_leak \u2212 y)\u00b2; FPR = negative steps with "
	    "p_leak \u2265 threshold / negative steps; TPR = leaks starting in the month with a step "
	    "\u2265 threshold between start and end / leaks; latency = first such step \u2212 start. "
	    "Drift: %s.", aw_drift_rules);
}

static void build(struct aw_report *r, struct doc *d, int html)
{
	sec_header(r, d);
	sec_summary(r, d);
	sec_balance(r, d, html);
	sec_quality(r, d, html);
	sec_operations(r, d, html);
	sec_monitoring(r, d, html);
	sec_methods(r, d);
}

/* ---- renderers ---- */

static void md_cell(struct aw_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			aw_buf_putc(b, '\\');
		aw_buf_putc(b, *s == '\n' ? ' ' : *s);
	}
}

static void render_md(const struct doc *d, struct aw_buf *b)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct blk *k = &d->b[i];
		if (k->only == HTML_ONLY)
			continue;
		switch (k->kind) {
		case B_H1: aw_buf_printf(b, "# %s\n\n", k->text); break;
		case B_H2: aw_buf_printf(b, "## %s\n\n", k->text); break;
		case B_H3: aw_buf_printf(b, "### %s\n\n", k->text); break;
		case B_P: aw_buf_printf(b, "%s\n\n", k->text); break;
		case B_NOTE: aw_buf_printf(b, "> **Note:** %s\n\n", k->text); break;
		case B_PRE: aw_buf_printf(b, "```\n%s\n```\n\n", k->text); break;
		case B_LI:
			aw_buf_printf(b, "- %s\n", k->text);
			if (i + 1 >= d->n || d->b[i + 1].kind != B_LI)
				aw_buf_putc(b, '\n');
			break;
		case B_TABLE: {
			const struct tbl *t = k->t;
			for (size_t j = 0; j < t->n; j++) {
				aw_buf_puts(b, j % t->ncol ? " | " : "| ");
				md_cell(b, t->cell[j]);
				if (j % t->ncol == t->ncol - 1) {
					aw_buf_puts(b, " |\n");
					if (j == t->ncol - 1) {
						for (size_t c = 0; c < t->ncol; c++)
							aw_buf_puts(b, t->align[c] == 'r' ? "|---:" : "|---");
						aw_buf_puts(b, "|\n");
					}
				}
			}
			aw_buf_putc(b, '\n');
			break;
		}
		}
	}
}

static const char css[] =
    "*{box-sizing:border-box}\n"
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;"
    "background:#f6f7f9;margin:0}\n"
    "main{max-width:1080px;margin:0 auto;padding:24px 32px 48px}\n"
    "h1{font-size:24px;margin:8px 0 4px}\n"
    "h2{font-size:19px;margin:36px 0 10px;padding-bottom:4px;border-bottom:2px solid #1f77b4}\n"
    "h3{font-size:16px;margin:26px 0 8px}\n"
    "p,ul{max-width:980px}\n"
    "table{border-collapse:collapse;margin:8px 0 16px;background:#fff;font-size:13px}\n"
    "th,td{border:1px solid #dcdfe4;padding:4px 9px;text-align:left;vertical-align:top}\n"
    "th{background:#eef2f7;font-weight:600}\n"
    "td.r,th.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
    "td.L{white-space:nowrap}\n"
    "tbody tr:nth-child(even){background:#fafbfc}\n"
    ".note{background:#fff4e5;border-left:4px solid #ff7f0e;padding:8px 12px;margin:10px 0}\n"
    ".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}\n"
    ".kpi{background:#fff;border:1px solid #dcdfe4;border-radius:6px;padding:10px 14px;"
    "min-width:150px;color:#555;font-size:12px}\n"
    ".kpi b{display:block;font-size:22px;color:#1f3b57;font-weight:600}\n"
    "figure{margin:12px 0 18px;background:#fff;border:1px solid #dcdfe4;border-radius:6px;"
    "padding:8px 8px 4px}\n"
    "figcaption{font-size:13px;color:#444;margin:2px 4px 6px}\n"
    "svg{max-width:100%;height:auto;display:block}\n"
    "pre{background:#eef0f3;padding:8px 12px;overflow:auto}\n"
    "footer{color:#777;font-size:12px;margin-top:32px}\n";

static void render_html(const struct doc *d, const char *title, struct aw_buf *b)
{
	aw_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	aw_html_escape(b, title);
	aw_buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", css);
	for (size_t i = 0; i < d->n; i++) {
		const struct blk *k = &d->b[i];
		if (k->only == MD_ONLY)
			continue;
		switch (k->kind) {
		case B_H1: case B_H2: case B_H3: {
			int l = k->kind - B_H1 + 1;
			aw_buf_printf(b, "<h%d>", l);
			aw_html_escape(b, k->text);
			aw_buf_printf(b, "</h%d>\n", l);
			break;
		}
		case B_P:
			aw_buf_puts(b, "<p>");
			aw_html_escape(b, k->text);
			aw_buf_puts(b, "</p>\n");
			break;
		case B_NOTE:
			aw_buf_puts(b, "<div class=\"note\">");
			aw_html_escape(b, k->text);
			aw_buf_puts(b, "</div>\n");
			break;
		case B_PRE:
			aw_buf_puts(b, "<pre>");
			aw_html_escape(b, k->text);
			aw_buf_puts(b, "</pre>\n");
			break;
		case B_LI:
			if (i == 0 || d->b[i - 1].kind != B_LI)
				aw_buf_puts(b, "<ul>\n");
			aw_buf_puts(b, "<li>");
			aw_html_escape(b, k->text);
			aw_buf_puts(b, "</li>\n");
			if (i + 1 >= d->n || d->b[i + 1].kind != B_LI)
				aw_buf_puts(b, "</ul>\n");
			break;
		case B_TABLE: {
			const struct tbl *t = k->t;
			aw_buf_puts(b, "<table>\n<thead>\n");
			for (size_t j = 0; j < t->n; j++) {
				size_t c = j % t->ncol;
				int head = j < t->ncol;
				if (c == 0)
					aw_buf_puts(b, "<tr>");
				aw_buf_printf(b, "<%s%s>", head ? "th" : "td", t->align[c] == 'r' ? " class=\"r\"" :
				    t->align[c] == 'L' ? " class=\"L\"" : "");
				aw_html_escape(b, t->cell[j]);
				aw_buf_printf(b, "</%s>", head ? "th" : "td");
				if (c == t->ncol - 1) {
					aw_buf_puts(b, "</tr>\n");
					if (j == t->ncol - 1)
						aw_buf_puts(b, "</thead>\n<tbody>\n");
				}
			}
			aw_buf_puts(b, "</tbody>\n</table>\n");
			break;
		}
		case B_SVG:
			aw_buf_puts(b, "<figure>\n<figcaption>");
			aw_html_escape(b, k->text);
			aw_buf_puts(b, "</figcaption>\n");
			aw_buf_puts(b, k->svg);
			aw_buf_puts(b, "</figure>\n");
			break;
		case B_RAW:
			aw_buf_puts(b, k->svg);
			break;
		}
	}
	aw_buf_puts(b, "<footer>Made by aw-report (AquaWatch " AW_VERSION "). Self-contained: no "
	    "scripts, no external resources.</footer>\n</main>\n</body>\n</html>\n");
}

void aw_report_markdown(struct aw_report *r, struct aw_buf *b)
{
	struct doc d = { 0 };
	build(r, &d, 0);
	render_md(&d, b);
	doc_free(&d);
}

void aw_report_html(struct aw_report *r, struct aw_buf *b)
{
	struct doc d = { 0 };
	char title[256];
	build(r, &d, 1);
	snprintf(title, sizeof title, "%s \u2014 %s", r->o.title, r->per.label);
	render_html(&d, title, b);
	doc_free(&d);
}

/* ---- machine tables ---- */

static void csv_field(struct aw_buf *b, const char *s)
{
	if (strpbrk(s, ",\"\n")) {
		aw_buf_putc(b, '"');
		for (; *s; s++) {
			if (*s == '"')
				aw_buf_putc(b, '"');
			aw_buf_putc(b, *s);
		}
		aw_buf_putc(b, '"');
	} else {
		aw_buf_puts(b, s);
	}
}

static void csv_row(struct aw_buf *b, const char *const *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			aw_buf_putc(b, ',');
		csv_field(b, f[i] ? f[i] : "");
	}
	aw_buf_putc(b, '\n');
}

static const char *const balance_cols[] = { "dma", "period", "start", "end", "days",
	"complete_days", "siv_m3", "billed_m3", "billed_source", "unbilled_m3", "authorised_m3",
	"water_losses_m3", "apparent_m3", "real_m3", "nrw_m3", "nrw_pct", "mnf_lps",
	"night_use_lps", "ndf_h", "night_losses_m3_per_day", "mains_km", "connections",
	"private_km", "pressure_m", "uarl_l_per_day", "carl_l_per_day", "carl_source", "ili" };

#define NBAL AW_NELEM(balance_cols)

static void balance_values(const struct rdma *d, const struct rfig *f, const char **v, char *buf)
{
	const struct aw_balance *b = &f->b;
	char *p = buf;
#define PUT(s) (v[i++] = strcpy(p, (s)), p += strlen(p) + 1)
	size_t i = 0;
	PUT(d->id);
	PUT(f->label);
	PUT(ISO(f->start));
	PUT(ISO(f->end));
	{
		char t[16];
		snprintf(t, sizeof t, "%d", f->days);
		PUT(t);
		snprintf(t, sizeof t, "%d", f->good_days);
		PUT(t);
	}
	PUT(C(f->siv_m3, 3));
	PUT(C(f->billed_m3, 3));
	PUT(f->billed_source);
	PUT(C(f->unbilled_m3, 3));
	PUT(C(b->authorised_m3, 3));
	PUT(C(b->water_losses_m3, 3));
	PUT(C(b->apparent_m3, 3));
	PUT(C(b->real_m3, 3));
	PUT(C(b->nrw_m3, 3));
	PUT(C(b->nrw_pct, 3));
	PUT(C(f->mnf_lps, 4));
	PUT(C(f->in.night_use_lps, 4));
	PUT(C(f->in.ndf_h, 3));
	PUT(C(b->night_losses_m3_per_day, 3));
	PUT(C(f->in.mains_km, 3));
	PUT(C(f->in.connections, 0));
	PUT(C(f->in.private_km, 3));
	PUT(C(f->in.pressure_m, 2));
	PUT(C(b->uarl_l_per_day, 1));
	PUT(C(b->carl_l_per_day, 1));
	PUT(carl_source(b->carl_source));
	PUT(C(b->ili, 4));
#undef PUT
}

void aw_report_csv(struct aw_report *r, enum aw_report_table which, struct aw_buf *b)
{
	const char *v[40];
	char buf[2048];
	switch (which) {
	case AW_T_BALANCE:
		csv_row(b, balance_cols, NBAL);
		for (size_t i = 0; i < r->ndma; i++) {
			const struct rdma *d = &r->dma[i];
			for (size_t k = 0; k < d->nmonth; k++) {
				balance_values(d, &d->month[k], v, buf);
				csv_row(b, v, NBAL);
			}
			if (d->nmonth != 1 || strcmp(d->month[0].label, d->total.label) != 0) {
				balance_values(d, &d->total, v, buf);
				csv_row(b, v, NBAL);
			}
		}
		break;
	case AW_T_QUALITY: {
		static const char *const h[] = { "sensor", "parameter", "dma", "samples", "left_out",
			"min", "mean", "max", "limit_min", "limit_max", "max_hours_below", "p95_max",
			"pct_above_p95_max", "episodes", "breaches", "compliant" };
		csv_row(b, h, AW_NELEM(h));
		for (size_t i = 0; i < r->nsen; i++) {
			const struct rsensor *s = &r->sen[i];
			if (!s->has_q || !s->q.n)
				continue;
			char n1[24], n2[24], n3[24], n4[24];
			double share = aw_qtrack_p95_share(&s->q);
			size_t br = aw_qtrack_breaches(&s->q);
			snprintf(n1, sizeof n1, "%ld", s->q.n);
			snprintf(n2, sizeof n2, "%ld", s->flagged);
			snprintf(n3, sizeof n3, "%zu", s->q.nep);
			snprintf(n4, sizeof n4, "%zu", br);
			const char *row[] = { s->id, s->qkind, s->dma >= 0 ? r->dma[s->dma].id : "", n1, n2,
				C(s->q.min, 6), C(s->q.sum / (double)s->q.n, 6), C(s->q.max, 6),
				C(s->q.lim.min, 6), C(s->q.lim.max, 6), C(s->q.lim.max_hours_below, 3),
				C(s->q.lim.p95_max, 6), C(share, 3), n3, n4,
				br == 0 && !(share > 5) ? "yes" : "no" };
			csv_row(b, row, AW_NELEM(row));
		}
		break;
	}
	case AW_T_EXCEEDANCES: {
		static const char *const h[] = { "sensor", "parameter", "start", "end", "duration_h",
			"extreme", "limit", "side", "breach" };
		csv_row(b, h, AW_NELEM(h));
		for (size_t i = 0; i < r->nsen; i++) {
			const struct rsensor *s = &r->sen[i];
			for (size_t j = 0; s->has_q && j < s->q.nep; j++) {
				const struct aw_qepisode *e = &s->q.ep[j];
				const char *row[] = { s->id, s->qkind, ISO(e->start), ISO(e->end),
					C((double)(e->end - e->start) / 3600, 4), C(e->extreme, 6), C(e->limit, 6),
					e->above ? "above" : "below", e->breach ? "yes" : "no" };
				csv_row(b, row, AW_NELEM(row));
			}
		}
		break;
	}
	case AW_T_OPERATIONS: {
		static const char *const h[] = { "alert", "ts", "dma", "event", "type", "severity", "outcome",
			"label", "workorder", "workorder_status", "workorder_created", "workorder_closed",
			"repair_h", "leak_start", "latency_h", "flow_lps", "flow_source", "saved_m3" };
		size_t na;
		struct ralert **al = alerts_sorted(r, &na);
		csv_row(b, h, AW_NELEM(h));
		for (size_t i = 0; i < na; i++) {
			const struct ralert *a = al[i];
			const char *row[] = { a->id, ISO(a->ts), a->dma, a->event, a->what, a->severity,
				outcome_name(a->outcome), a->label, a->wo, a->wo_status, ISO(a->wo_created),
				ISO(a->wo_closed), C(a->wo_closed != INT64_MIN && a->wo_created != INT64_MIN ?
				(double)(a->wo_closed - a->wo_created) / 3600 : NAN, 3), ISO(a->leak_start),
				C(a->latency_h, 3), C(a->flow_used_lps, 4), a->flow_used_lps == a->flow_used_lps ?
				a->flow_source : "", C(a->saved_m3, 3) };
			csv_row(b, row, AW_NELEM(row));
		}
		free(al);
		break;
	}
	case AW_T_MONITORING: {
		static const char *const h[] = { "month", "steps", "brier", "negatives", "false_positives",
			"fpr", "leaks", "detected", "tpr", "latency_h", "drift" };
		csv_row(b, h, AW_NELEM(h));
		for (size_t i = 0; i < r->nmon; i++) {
			const struct aw_monitor *m = &r->mon[i];
			char s1[24], s2[24], s3[24], s4[24], s5[24], dr[64] = "";
			snprintf(s1, sizeof s1, "%ld", m->steps);
			snprintf(s2, sizeof s2, "%ld", m->negatives);
			snprintf(s3, sizeof s3, "%ld", m->false_pos);
			snprintf(s4, sizeof s4, "%ld", m->leaks);
			snprintf(s5, sizeof s5, "%ld", m->detected);
			if (m->drift & AW_DRIFT_BRIER)
				strcat(dr, "brier ");
			if (m->drift & AW_DRIFT_TPR)
				strcat(dr, "tpr ");
			if (m->drift & AW_DRIFT_FPR)
				strcat(dr, "fpr ");
			if (m->drift & AW_DRIFT_LATENCY)
				strcat(dr, "latency ");
			if (*dr)
				dr[strlen(dr) - 1] = 0;
			const char *row[] = { m->label, s1, C(m->brier, 6), s2, s3, C(m->fpr, 6), s4, s5,
				C(m->tpr, 6), C(m->latency_h, 3), dr };
			csv_row(b, row, AW_NELEM(row));
		}
		break;
	}
	}
}

static void json_fig(struct aw_writer *w, const struct rdma *d, const struct rfig *f)
{
	const struct aw_balance *b = &f->b;
	aw_w_begin(w, "water_balance");
	aw_w_str(w, "dma", d->id);
	aw_w_str(w, "period", f->label);
	aw_w_ts(w, "start", f->start);
	aw_w_ts(w, "end", f->end);
	aw_w_int(w, "days", f->days);
	aw_w_int(w, "complete_days", f->good_days);
	aw_w_num(w, "siv_m3", f->siv_m3, 3);
	aw_w_num(w, "billed_m3", f->billed_m3, 3);
	aw_w_str(w, "billed_source", f->billed_source);
	aw_w_num(w, "unbilled_m3", f->unbilled_m3, 3);
	aw_w_num(w, "authorised_m3", b->authorised_m3, 3);
	aw_w_num(w, "water_losses_m3", b->water_losses_m3, 3);
	aw_w_num(w, "apparent_m3", b->apparent_m3, 3);
	aw_w_num(w, "real_m3", b->real_m3, 3);
	aw_w_num(w, "nrw_m3", b->nrw_m3, 3);
	aw_w_num(w, "nrw_pct", b->nrw_pct, 3);
	aw_w_num(w, "mnf_lps", f->mnf_lps, 4);
	aw_w_num(w, "night_use_lps", f->in.night_use_lps, 4);
	aw_w_num(w, "ndf_h", f->in.ndf_h, 3);
	aw_w_num(w, "night_losses_m3_per_day", b->night_losses_m3_per_day, 3);
	aw_w_num(w, "mains_km", f->in.mains_km, 3);
	aw_w_num(w, "connections", f->in.connections, 0);
	aw_w_num(w, "private_km", f->in.private_km, 3);
	aw_w_num(w, "pressure_m", f->in.pressure_m, 2);
	aw_w_num(w, "uarl_l_per_day", b->uarl_l_per_day, 1);
	aw_w_num(w, "carl_l_per_day", b->carl_l_per_day, 1);
	aw_w_str(w, "carl_source", carl_source(b->carl_source));
	aw_w_num(w, "ili", b->ili, 4);
	aw_w_end(w);
}

void aw_report_balance_json(struct aw_report *r, struct aw_writer *w)
{
	for (size_t i = 0; i < r->ndma; i++) {
		const struct rdma *d = &r->dma[i];
		for (size_t k = 0; k < d->nmonth; k++)
			json_fig(w, d, &d->month[k]);
		if (d->nmonth != 1 || strcmp(d->month[0].label, d->total.label) != 0)
			json_fig(w, d, &d->total);
	}
}

/* ---- files ---- */

static int write_file(const char *dir, const char *name, const struct aw_buf *b,
    void (*json)(struct aw_report *, struct aw_writer *), struct aw_report *r)
{
	struct aw_buf path = { 0 }, tmp = { 0 };
	aw_buf_printf(&path, "%s/%s", dir, name);
	aw_buf_printf(&tmp, "%s/.%s.tmp", dir, name);
	int fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC, 0666), rc = -1;
	if (fd < 0) {
		aw_warn("%s: %s", tmp.s, strerror(errno));
		aw_rval = 1;
		goto out;
	}
	struct aw_writer *w = aw_writer_fd(fd, tmp.s);
	if (json)
		json(r, w);
	else if (b->len)
		aw_w_bytes(w, b->s, b->len);
	if (aw_writer_flush(w) == 0 && fsync(fd) < 0 && errno != EINVAL) {
		aw_warn("%s: %s", tmp.s, strerror(errno));
		aw_rval = 1;
		aw_writer_close(w);
		unlink(tmp.s);
		goto out;
	}
	if (aw_writer_close(w) < 0) {
		unlink(tmp.s);
		goto out;
	}
	if (rename(tmp.s, path.s) < 0) {
		aw_warn("%s: %s", path.s, strerror(errno));
		aw_rval = 1;
		unlink(tmp.s);
		goto out;
	}
	rc = 0;
out:
	aw_buf_free(&path), aw_buf_free(&tmp);
	return rc;
}

int aw_report_write_dir(struct aw_report *r, const char *dir)
{
	static const struct {
		const char *name;
		enum aw_report_table t;
	} tables[] = {
		{ "water_balance.csv", AW_T_BALANCE },
		{ "quality.csv", AW_T_QUALITY },
		{ "quality_exceedances.csv", AW_T_EXCEEDANCES },
		{ "operations.csv", AW_T_OPERATIONS },
		{ "monitoring.csv", AW_T_MONITORING },
	};
	struct aw_buf b = { 0 };
	int rc = 0;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST) {
		aw_warn("%s: %s", dir, strerror(errno));
		aw_rval = 1;
		return -1;
	}
	aw_report_markdown(r, &b);
	rc |= write_file(dir, "report.md", &b, NULL, r);
	aw_buf_reset(&b);
	aw_report_html(r, &b);
	rc |= write_file(dir, "report.html", &b, NULL, r);
	for (size_t i = 0; i < AW_NELEM(tables); i++) {
		aw_buf_reset(&b);
		aw_report_csv(r, tables[i].t, &b);
		rc |= write_file(dir, tables[i].name, &b, NULL, r);
	}
	rc |= write_file(dir, "water_balance.json", &b, aw_report_balance_json, r);
	aw_buf_free(&b);
	return rc ? -1 : 0;
}
