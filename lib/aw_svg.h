/* SVG charts written directly as text: axes with nice ticks (numbers and local-time
 * labels), lines, envelopes, bars, limit bands and lines, markers, legends. Self-contained
 * (no scripts, no external resources), for inline use in HTML reports. */
#ifndef AW_SVG_H
#define AW_SVG_H
#include <stddef.h>
#include <stdint.h>

#include "aw_util.h"

/* Line styles */
enum { AW_SVG_SOLID, AW_SVG_DASHED, AW_SVG_DOTTED };

#define AW_SVG_MAXLEGEND 12

struct aw_chart {
	struct aw_buf *b;
	int w, h;
	double pl, pr, pt, pb;		/* plot area in px: left, right, top, bottom */
	double x0, x1, y0, y1;		/* data ranges */
	double ystep;			/* tick step chosen for y */
	int xtime;			/* x is UTC seconds, labels in local time */
	size_t ncat;			/* categorical x (bars): categories 0..ncat-1 */
	int nvlab;
	double vlab[8];			/* x of the vertical-marker labels drawn, by row */
	int nleg;
	struct {
		char name[64];
		const char *color;
		int kind;		/* 0 line, 1 area/band/bar */
		int style;
		double opacity;
	} leg[AW_SVG_MAXLEGEND];
};

/* The palette: color i (cycling). */
const char *aw_svg_color(int i);

/* Escapes text for HTML/SVG (& < > " ') into b. */
void aw_html_escape(struct aw_buf *b, const char *s);

/* Nice numbers (Heckbert): a step of 1, 2, 2.5 or 5 × 10^k such that [lo, hi] is covered
 * by at most maxticks steps; *first and *last get the covering multiples of the step. */
double aw_nice_step(double lo, double hi, int maxticks, double *first, double *last);
/* decimals needed to print multiples of step exactly (0 for steps >= 1) */
int aw_step_decimals(double step);

/* Time ticks for [t0, t1] (UTC seconds) aligned in local time (aw_tz_*): returns the step
 * chosen from 1 min .. 10 years (months and years are calendar steps, reported as
 * 30·86400·k and 365·86400·k) and fills up to max ticks into ticks[]/labels[][24]. */
long aw_time_ticks(int64_t t0, int64_t t1, int maxticks, int64_t *ticks, char (*labels)[24],
    int *nticks);

/* A chart of w × h px into b. title is for screen readers (<title>). */
void aw_chart_begin(struct aw_chart *c, struct aw_buf *b, int w, int h, const char *title);
/* Data ranges; y is widened to nice tick multiples (and to include 0 when zero is set).
 * NaN bounds mean "no data": a unit range is used. */
void aw_chart_xrange(struct aw_chart *c, double x0, double x1, int xtime);
void aw_chart_yrange(struct aw_chart *c, double y0, double y1, int zero);
/* categorical x axis for bars */
void aw_chart_categories(struct aw_chart *c, size_t n);
/* Grid, ticks and tick labels; ylabel is written along the y axis. cats: labels of the
 * categories when categorical (may be NULL otherwise). */
void aw_chart_axes(struct aw_chart *c, const char *ylabel, const char *const *cats);
/* A polyline; NaN y values break it. */
void aw_chart_line(struct aw_chart *c, const double *x, const double *y, size_t n,
    const char *color, int style, const char *name);
/* The band between lo[i] and hi[i] (e.g. min/max envelope); NaN breaks it. */
void aw_chart_area(struct aw_chart *c, const double *x, const double *lo, const double *hi,
    size_t n, const char *color, double opacity, const char *name);
/* A horizontal band between two y values across the plot (limits); NaN = plot edge. */
void aw_chart_hband(struct aw_chart *c, double ylo, double yhi, const char *color,
    double opacity, const char *name);
void aw_chart_hline(struct aw_chart *c, double y, const char *color, int style, const char *name);
/* A vertical marker with a short label at the top. */
void aw_chart_vline(struct aw_chart *c, double x, const char *color, int style, const char *label);
/* Grouped bars: vals[cat * nser + ser]; NaN = no bar. */
void aw_chart_bars(struct aw_chart *c, const double *vals, size_t nser,
    const char *const *colors, const char *const *names);
/* A message in the middle of the plot area (e.g. "no data"). */
void aw_chart_note(struct aw_chart *c, const char *text);
/* Legend and closing tag. */
void aw_chart_end(struct aw_chart *c);
#endif
