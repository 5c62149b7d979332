/* SVG charts as text. Coordinates are written with one decimal (they are pixels, not
 * measurements). Clip-path ids are numbered per process, so a document that draws its
 * charts in a fixed order is byte-for-byte reproducible. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aw_svg.h"
#include "aw_time.h"

static const char *const palette[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
	"#7f7f7f", "#bcbd22",
};

static int clip_seq;

const char *aw_svg_color(int i)
{
	if (i < 0)
		i = -i;
	return palette[i % (int)AW_NELEM(palette)];
}

void aw_html_escape(struct aw_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': aw_buf_puts(b, "&amp;"); break;
		case '<': aw_buf_puts(b, "&lt;"); break;
		case '>': aw_buf_puts(b, "&gt;"); break;
		case '"': aw_buf_puts(b, "&quot;"); break;
		case '\'': aw_buf_puts(b, "&#39;"); break;
		default: aw_buf_putc(b, *s);
		}
	}
}

/* ---- ticks ---- */

double aw_nice_step(double lo, double hi, int maxticks, double *first, double *last)
{
	static const double mant[] = { 1, 2, 2.5, 5, 10 };
	if (maxticks < 1)
		maxticks = 1;
	if (!(hi > lo)) {
		double m = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
		lo -= m, hi += m;
	}
	double raw = (hi - lo) / maxticks;
	double mag = pow(10, floor(log10(raw)));
	double step = 0, f = 0, l = 0;
	for (int e = 0; e < 3; e++, mag *= 10) {
		for (size_t i = 0; i < AW_NELEM(mant); i++) {
			step = mant[i] * mag;
			if (step < raw * (1 - 1e-9))
				continue;
			f = floor(lo / step + 1e-9) * step;
			l = ceil(hi / step - 1e-9) * step;
			if ((l - f) / step <= maxticks + 1e-9)
				goto done;
		}
	}
done:
	if (first)
		*first = f == 0 ? 0 : f;	/* no "-0" */
	if (last)
		*last = l;
	return step;
}

int aw_step_decimals(double step)
{
	for (int d = 0; d < 9; d++) {
		double s = step * pow(10, d);
		if (fabs(s - round(s)) < 1e-6 * (s > 1 ? s : 1))
			return d;
	}
	return 9;
}

static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
	"Sep", "Oct", "Nov", "Dec" };

static int64_t floordiv(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

long aw_time_ticks(int64_t t0, int64_t t1, int maxticks, int64_t *ticks, char (*labels)[24],
    int *nticks)
{
	static const long steps[] = { 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600,
		86400, 2 * 86400, 7 * 86400, 14 * 86400, -1, -2, -3, -6, -12, -24, -60, -120 };
	long step = steps[AW_NELEM(steps) - 1];
	int n = 0;

	if (maxticks < 1)
		maxticks = 1;
	if (t1 < t0) {
		int64_t t = t0;
		t0 = t1, t1 = t;
	}
	for (size_t i = 0; i < AW_NELEM(steps); i++) {
		double len = steps[i] > 0 ? steps[i] : -steps[i] * 30.44 * 86400;
		if ((double)(t1 - t0) / len <= maxticks) {
			step = steps[i];
			break;
		}
	}
	if (step > 0) {
		int64_t l0 = t0 + aw_tz_offset(t0);
		int64_t L;
		if (step < 86400) {
			L = floordiv(l0, step) * step;
		} else {
			int64_t d = floordiv(l0, 86400), k = step / 86400;
			if (k == 7 || k == 14)
				while (aw_weekday(d) != 0)	/* weeks start on Mondays */
					d--;
			else
				d = floordiv(d, k) * k;
			L = d * 86400;
		}
		for (; n < maxticks + 2; L += step) {
			int fl;
			int64_t u = aw_tz_to_utc(L, NULL, &fl);
			if (u > t1)
				break;
			if (u < t0 || (fl & AW_TZ_GAP))
				continue;
			int64_t days = floordiv(L, 86400);
			int64_t secs = L - days * 86400;
			int y, m, dd;
			aw_civil_from_days(days, &y, &m, &dd);
			ticks[n] = u;
			if (step < 86400 && secs != 0)
				snprintf(labels[n], 24, "%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60));
			else
				snprintf(labels[n], 24, "%d %s", dd, mon[m - 1]);
			n++;
		}
	} else {
		int k = (int)-step;
		struct aw_local lt;
		aw_tz_local(t0, &lt);
		int y = lt.year, m = lt.month;
		if (k >= 12) {
			int ky = k / 12;
			y = (int)floordiv(y, ky) * ky;
			m = 1;
		} else {
			m = (m - 1) / k * k + 1;
		}
		while (n < maxticks + 2) {
			int fl;
			int64_t u = aw_tz_to_utc(aw_days_from_civil(y, m, 1) * 86400, NULL, &fl);
			if (u > t1)
				break;
			if (u >= t0) {
				ticks[n] = u;
				if (k >= 12)
					snprintf(labels[n], 24, "%d", y);
				else
					snprintf(labels[n], 24, "%s %d", mon[m - 1], y);
				n++;
			}
			m += k;
			while (m > 12)
				m -= 12, y++;
		}
		step = k >= 12 ? (long)k / 12 * 365 * 86400 : (long)k * 30 * 86400;
	}
	*nticks = n;
	return step;
}

/* ---- drawing ---- */

static double px(const struct aw_chart *c, double x)
{
	if (c->ncat)
		return c->pl + x * (c->pr - c->pl) / (double)c->ncat;
	return c->pl + (x - c->x0) / (c->x1 - c->x0) * (c->pr - c->pl);
}

static double py(const struct aw_chart *c, double y)
{
	return c->pb - (y - c->y0) / (c->y1 - c->y0) * (c->pb - c->pt);
}

static void dash(struct aw_buf *b, int style)
{
	if (style == AW_SVG_DASHED)
		aw_buf_puts(b, " stroke-dasharray=\"6 4\"");
	else if (style == AW_SVG_DOTTED)
		aw_buf_puts(b, " stroke-dasharray=\"2 3\"");
}

static void legend_add(struct aw_chart *c, const char *name, const char *color, int kind, int style,
    double opacity)
{
	if (!name || !*name || c->nleg >= AW_SVG_MAXLEGEND)
		return;
	for (int i = 0; i < c->nleg; i++)
		if (strcmp(c->leg[i].name, name) == 0)
			return;
	snprintf(c->leg[c->nleg].name, sizeof c->leg[0].name, "%s", name);
	c->leg[c->nleg].color = color;
	c->leg[c->nleg].kind = kind;
	c->leg[c->nleg].style = style;
	c->leg[c->nleg].opacity = opacity;
	c->nleg++;
}

void aw_chart_begin(struct aw_chart *c, struct aw_buf *b, int w, int h, const char *title)
{
	memset(c, 0, sizeof *c);
	c->b = b;
	c->w = w, c->h = h;
	c->pl = 62, c->pr = w - 14, c->pt = 30, c->pb = h - 32;
	c->x0 = 0, c->x1 = 1, c->y0 = 0, c->y1 = 1;
	clip_seq++;
	aw_buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	    "height=\"%d\" role=\"img\" font-family=\"system-ui, -apple-system, 'Segoe UI', "
	    "Helvetica, Arial, sans-serif\" font-size=\"11\">\n<title>", w, h, w, h);
	aw_html_escape(b, title);
	aw_buf_printf(b, "</title>\n<defs><clipPath id=\"awc%d\"><rect x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"%.1f\"/></clipPath></defs>\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
	    clip_seq, c->pl, c->pt - 1, c->pr - c->pl, c->pb - c->pt + 2, w, h);
}

void aw_chart_xrange(struct aw_chart *c, double x0, double x1, int xtime)
{
	c->xtime = xtime;
	if (!(x0 == x0) || !(x1 == x1))
		x0 = 0, x1 = 1;
	if (x1 <= x0)
		x1 = x0 + (xtime ? 3600 : 1);
	c->x0 = x0, c->x1 = x1;
}

void aw_chart_yrange(struct aw_chart *c, double y0, double y1, int zero)
{
	if (!(y0 == y0) || !(y1 == y1))
		y0 = 0, y1 = 1;
	if (zero) {
		if (y0 > 0)
			y0 = 0;
		if (y1 < 0)
			y1 = 0;
	}
	double f, l, pad = (y1 - y0) * 0.04;
	if (y1 > y0) {	/* keep lines off the frame */
		if (!(zero && y1 <= 0))
			y1 += pad;
		if (!(zero && y0 >= 0))
			y0 -= pad;
	}
	c->ystep = aw_nice_step(y0, y1, 5, &f, &l);
	c->y0 = f, c->y1 = l;
	if (c->y1 <= c->y0)
		c->y1 = c->y0 + c->ystep;
}

void aw_chart_categories(struct aw_chart *c, size_t n)
{
	c->ncat = n ? n : 1;
	c->x0 = 0, c->x1 = (double)c->ncat;
}

static void text(struct aw_buf *b, double x, double y, const char *anchor, const char *fill,
    const char *s)
{
	aw_buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">", x, y, anchor, fill);
	aw_html_escape(b, s);
	aw_buf_puts(b, "</text>\n");
}

void aw_chart_axes(struct aw_chart *c, const char *ylabel, const char *const *cats)
{
	struct aw_buf *b = c->b;
	char lab[48];
	int dec = aw_step_decimals(c->ystep);

	aw_buf_puts(b, "<g stroke=\"#e3e3e3\" stroke-width=\"1\">\n");
	for (double y = c->y0; y <= c->y1 + c->ystep * 1e-6; y += c->ystep)
		aw_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
		    c->pl, py(c, y), c->pr, py(c, y));
	aw_buf_puts(b, "</g>\n<g fill=\"#444\">\n");
	for (double y = c->y0; y <= c->y1 + c->ystep * 1e-6; y += c->ystep) {
		double v = fabs(y) < c->ystep * 1e-6 ? 0 : y;
		snprintf(lab, sizeof lab, "%.*f", dec, v);
		text(b, c->pl - 6, py(c, y) + 4, "end", "#444", lab);
	}
	if (c->ncat) {
		double cw = (c->pr - c->pl) / (double)c->ncat;
		size_t maxlen = 1;
		for (size_t i = 0; cats && i < c->ncat; i++)
			if (cats[i] && strlen(cats[i]) > maxlen)
				maxlen = strlen(cats[i]);
		size_t every = (size_t)ceil((double)maxlen * 6.5 / cw);
		if (every < 1)
			every = 1;
		for (size_t i = 0; cats && i < c->ncat; i += every)
			text(b, px(c, (double)i + 0.5), c->pb + 15, "middle", "#444", cats[i] ? cats[i] : "");
	} else if (c->xtime) {
		int64_t ticks[64];
		char labels[64][24];
		int n, maxt = (int)((c->pr - c->pl) / 70);
		if (maxt > 60)
			maxt = 60;
		aw_time_ticks((int64_t)c->x0, (int64_t)c->x1, maxt, ticks, labels, &n);
		aw_buf_puts(b, "</g>\n<g stroke=\"#efefef\">\n");
		for (int i = 0; i < n; i++)
			aw_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			    px(c, (double)ticks[i]), c->pt, px(c, (double)ticks[i]), c->pb);
		aw_buf_puts(b, "</g>\n<g fill=\"#444\">\n");
		double right = -1e9;	/* right edge of the last label drawn */
		for (int i = 0; i < n; i++) {
			double X = px(c, (double)ticks[i]);
			double w = 6.4 * (double)strlen(labels[i]), x0 = X - w / 2;
			const char *anchor = "middle";
			if (X + w / 2 > c->w - 2)
				anchor = "end", x0 = X - w;
			else if (x0 < 2)
				anchor = "start", x0 = X;
			if (x0 < right + 8)
				continue;
			text(b, X, c->pb + 15, anchor, "#444", labels[i]);
			right = x0 + w;
		}
	} else {
		double f, l, st = aw_nice_step(c->x0, c->x1, (int)((c->pr - c->pl) / 70), &f, &l);
		int xd = aw_step_decimals(st);
		for (double x = f; x <= c->x1 + st * 1e-6; x += st) {
			if (x < c->x0 - st * 1e-6)
				continue;
			snprintf(lab, sizeof lab, "%.*f", xd, fabs(x) < st * 1e-6 ? 0 : x);
			text(b, px(c, x), c->pb + 15, "middle", "#444", lab);
		}
	}
	aw_buf_puts(b, "</g>\n");
	aw_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n",
	    c->pl, c->pb, c->pr, c->pb);
	aw_buf_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n",
	    c->pl, c->pt, c->pl, c->pb);
	if (ylabel && *ylabel) {
		double cy = (c->pt + c->pb) / 2;
		aw_buf_printf(b, "<text transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\" "
		    "fill=\"#444\">", cy);
		aw_html_escape(b, ylabel);
		aw_buf_puts(b, "</text>\n");
	}
}

static void path_begin(struct aw_chart *c)
{
	aw_buf_puts(c->b, "<path d=\"");
}

void aw_chart_line(struct aw_chart *c, const double *x, const double *y, size_t n,
    const char *color, int style, const char *name)
{
	struct aw_buf *b = c->b;
	int pen = 0, any = 0;
	size_t run = 0;

	path_begin(c);
	for (size_t i = 0; i < n; i++) {
		if (!(y[i] == y[i]) || !(x[i] == x[i])) {
			pen = 0;
			continue;
		}
		aw_buf_printf(b, "%s%.1f %.1f", pen ? "L" : "M", px(c, x[i]), py(c, y[i]));
		if (!pen)
			run = 0;
		pen = any = 1;
		run++;
		/* an isolated point between gaps is drawn as a short tick so it stays visible */
		if (run == 1 && (i + 1 >= n || !(y[i + 1] == y[i + 1])))
			aw_buf_printf(b, "h1.5");
	}
	if (!any)
		aw_buf_puts(b, "M0 0");
	aw_buf_printf(b, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" stroke-linejoin=\"round\""
	    " stroke-linecap=\"round\"", color);
	dash(b, style);
	aw_buf_printf(b, " clip-path=\"url(#awc%d)\"/>\n", clip_seq);
	legend_add(c, name, color, 0, style, 1);
}

void aw_chart_area(struct aw_chart *c, const double *x, const double *lo, const double *hi,
    size_t n, const char *color, double opacity, const char *name)
{
	struct aw_buf *b = c->b;
	size_t i = 0;
	int any = 0;

	path_begin(c);
	while (i < n) {
		while (i < n && !(lo[i] == lo[i] && hi[i] == hi[i]))
			i++;
		size_t s = i;
		while (i < n && lo[i] == lo[i] && hi[i] == hi[i])
			i++;
		if (i == s)
			continue;
		any = 1;
		for (size_t k = s; k < i; k++)
			aw_buf_printf(b, "%s%.1f %.1f", k == s ? "M" : "L", px(c, x[k]), py(c, hi[k]));
		for (size_t k = i; k-- > s;)
			aw_buf_printf(b, "L%.1f %.1f", px(c, x[k]), py(c, lo[k]));
		aw_buf_putc(b, 'Z');
	}
	if (!any)
		aw_buf_puts(b, "M0 0");
	aw_buf_printf(b, "\" fill=\"%s\" fill-opacity=\"%.2f\" stroke=\"none\" clip-path=\"url(#awc%d)\"/>\n",
	    color, opacity, clip_seq);
	legend_add(c, name, color, 1, 0, opacity < 0.3 ? opacity * 2 : opacity);
}

void aw_chart_hband(struct aw_chart *c, double ylo, double yhi, const char *color,
    double opacity, const char *name)
{
	double top = yhi == yhi ? py(c, yhi) : c->pt, bot = ylo == ylo ? py(c, ylo) : c->pb;
	if (top < c->pt)
		top = c->pt;
	if (bot > c->pb)
		bot = c->pb;
	if (bot > top)
		aw_buf_printf(c->b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
		    "fill-opacity=\"%.2f\"/>\n", c->pl, top, c->pr - c->pl, bot - top, color, opacity);
	legend_add(c, name, color, 1, 0, opacity < 0.3 ? opacity * 2 : opacity);
}

void aw_chart_hline(struct aw_chart *c, double y, const char *color, int style, const char *name)
{
	if (!(y == y) || y < c->y0 || y > c->y1)
		return;
	aw_buf_printf(c->b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
	    "stroke-width=\"1.3\"", c->pl, py(c, y), c->pr, py(c, y), color);
	dash(c->b, style);
	aw_buf_puts(c->b, "/>\n");
	legend_add(c, name, color, 0, style, 1);
}

void aw_chart_vline(struct aw_chart *c, double x, const char *color, int style, const char *label)
{
	if (!(x == x) || x < c->x0 || x > c->x1)
		return;
	double X = px(c, x);
	aw_buf_printf(c->b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
	    "stroke-width=\"1.3\"", X, c->pt, X, c->pb, color);
	dash(c->b, style);
	aw_buf_puts(c->b, "/>\n");
	if (label && *label) {
		/* the first row whose labels are all far enough away */
		int right = X > (c->pl + c->pr) / 2, row = 0;
		double w = 6.4 * (double)strlen(label) + 12;
		for (int i = 0; i < c->nvlab; i++)
			if (fabs(c->vlab[i] - X) < w)
				row++;
		if (c->nvlab < (int)AW_NELEM(c->vlab))
			c->vlab[c->nvlab++] = X;
		text(c->b, right ? X - 4 : X + 4, c->pt + 11 + 13 * row, right ? "end" : "start", color,
		    label);
	}
}

void aw_chart_bars(struct aw_chart *c, const double *vals, size_t nser,
    const char *const *colors, const char *const *names)
{
	double cw = (c->pr - c->pl) / (double)c->ncat;
	double gw = cw * 0.8, bw = gw / (double)(nser ? nser : 1);
	if (bw > 44) {
		bw = 44;
		gw = bw * (double)nser;
	}
	double base = py(c, c->y0 > 0 ? c->y0 : (c->y1 < 0 ? c->y1 : 0));

	for (size_t i = 0; i < c->ncat; i++)
		for (size_t s = 0; s < nser; s++) {
			double v = vals[i * nser + s];
			if (!(v == v))
				continue;
			double y = py(c, v), x = c->pl + (double)i * cw + (cw - gw) / 2 + (double)s * bw;
			double top = y < base ? y : base, h = fabs(base - y);
			aw_buf_printf(c->b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			    "fill=\"%s\"/>\n", x + 0.5, top, bw > 2 ? bw - 1 : bw, h, colors[s]);
		}
	for (size_t s = 0; names && s < nser; s++) {
		int any = 0;
		for (size_t i = 0; i < c->ncat; i++)
			any |= vals[i * nser + s] == vals[i * nser + s];
		if (any)
			legend_add(c, names[s], colors[s], 1, 0, 1);
	}
}

void aw_chart_note(struct aw_chart *c, const char *msg)
{
	text(c->b, (c->pl + c->pr) / 2, (c->pt + c->pb) / 2, "middle", "#888", msg);
}

void aw_chart_end(struct aw_chart *c)
{
	struct aw_buf *b = c->b;
	double x = c->pl;
	for (int i = 0; i < c->nleg; i++) {
		const char *col = c->leg[i].color;
		if (c->leg[i].kind == 1)
			aw_buf_printf(b, "<rect x=\"%.1f\" y=\"9\" width=\"16\" height=\"10\" fill=\"%s\" "
			    "fill-opacity=\"%.2f\"/>\n", x, col, c->leg[i].opacity);
		else {
			aw_buf_printf(b, "<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"14\" stroke=\"%s\" "
			    "stroke-width=\"2\"", x, x + 16, col);
			dash(b, c->leg[i].style);
			aw_buf_puts(b, "/>\n");
		}
		aw_buf_printf(b, "<text x=\"%.1f\" y=\"18\" fill=\"#333\">", x + 21);
		aw_html_escape(b, c->leg[i].name);
		aw_buf_puts(b, "</text>\n");
		x += 21 + 6.3 * (double)strlen(c->leg[i].name) + 14;
	}
	aw_buf_puts(b, "</svg>\n");
}
