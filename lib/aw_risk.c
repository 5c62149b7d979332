/* Main-break risk: prior, break history, weather, SCADA context, static head, features,
 * model file. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_csv.h"
#include "aw_file.h"
#include "aw_risk.h"
#include "aw_time.h"

#define DAY 86400
#define YEAR (365.25 * DAY)

/* ---- prior ---- */

static const struct {
	const char *name;
	double factor;
} materials[] = {
	{ "pvc", .3 }, { "upvc", .3 }, { "pvc_u", .3 },
	{ "ductile_iron", .5 }, { "di", .5 },
	{ "cast_iron", .8 }, { "ci", .8 },
	{ "asbestos_cement", .9 }, { "ac", .9 },
};

double aw_material_factor(const char *material)
{
	for (size_t i = 0; material && i < AW_NELEM(materials); i++)
		if (strcmp(material, materials[i].name) == 0)
			return materials[i].factor;
	return .6;
}

double aw_age_factor(double age)
{
	if (isnan(age))
		age = 25;
	if (age < 0)
		age = 0;
	return age / 50 < 1 ? age / 50 : 1;
}

double aw_risk_prior(double age, const char *material)
{
	return 0.01 * (1 + aw_age_factor(age) + aw_material_factor(material)) / 3;
}

double aw_pipe_age(const struct aw_link *l, int64_t t)
{
	if (l->install_year <= 0)
		return NAN;
	int64_t born = aw_days_from_civil(l->install_year, 7, 1) * DAY;
	double age = (double)(t - born) / YEAR;
	return age < 0 ? 0 : age;
}

/* ---- break history ---- */

void aw_breaks_init(struct aw_breaks *b, const struct aw_net *net)
{
	memset(b, 0, sizeof *b);
	b->nlinks = net->nlinks;
	b->t = aw_calloc(net->nlinks + 1, sizeof *b->t);
	b->n = aw_calloc(net->nlinks + 1, sizeof *b->n);
	b->cap = aw_calloc(net->nlinks + 1, sizeof *b->cap);
	b->first = INT64_MAX;
	b->last = INT64_MIN;
}

void aw_breaks_free(struct aw_breaks *b)
{
	for (size_t i = 0; i < b->nlinks; i++)
		free(b->t[i]);
	for (size_t i = 0; i < b->npend; i++)
		free(b->pend[i].wo);
	free(b->t), free(b->n), free(b->cap), free(b->pend);
	aw_map_free(&b->wo_labelled);
	memset(b, 0, sizeof *b);
}

void aw_breaks_add(struct aw_breaks *b, size_t link, int64_t t)
{
	if (b->n[link] == b->cap[link]) {
		b->cap[link] = b->cap[link] ? 2 * b->cap[link] : 4;
		b->t[link] = aw_reallocarray(b->t[link], b->cap[link], sizeof **b->t);
	}
	b->t[link][b->n[link]++] = t;
	b->total++;
	if (t < b->first)
		b->first = t;
	if (t > b->last)
		b->last = t;
}

static int name_is(const char *h, const char *const *names)
{
	for (; *names; names++)
		if (aw_strcaseeq(h, *names))
			return 1;
	return 0;
}

/* a date or date-time; naive ones are local */
static int parse_when(const char *s, int64_t *t)
{
	int zoned = 0;
	int64_t v;
	size_t n = strlen(s);

	if (aw_parse_time(s, n, &v, &zoned) != 0) {
		if (aw_parse_time_dmy(s, n, &v) != 0) {
			char buf[32];
			if (n > 10 || n < 8)
				return -1;
			snprintf(buf, sizeof buf, "%s 00:00", s);	/* DD/MM/YYYY */
			if (aw_parse_time_dmy(buf, strlen(buf), &v) != 0)
				return -1;
		}
	}
	*t = zoned ? v : aw_tz_to_utc(v, NULL, NULL);
	return 0;
}

static int not_a_break(const char *type)
{
	static const char *const no[] = { "no_leak", "confirmed_no_leak", "operational_event",
		"none", NULL };
	return type && name_is(type, no);
}

struct breaks_csv {
	struct aw_breaks *b;
	const struct aw_net *net;
	int cpipe, cdate, ctype, header_done;
	long taken;
};

static int breaks_row(const struct aw_csv_row *r, void *ctx)
{
	static const char *const pipe_names[] = { "pipe", "pipe_id", "asset_id", "link", "link_id",
		NULL };
	static const char *const date_names[] = { "date", "time", "timestamp", "start", "ts",
		"break_date", "date_time", NULL };
	static const char *const type_names[] = { "type", "kind", "failure_type", NULL };
	struct breaks_csv *c = ctx;
	int64_t t;
	size_t link;

	if (r->n == 1 && r->len[0] == 0)
		return 0;
	if (!c->header_done) {
		c->header_done = 1;
		if (r->n >= 2 && parse_when(aw_trim(r->f[1]), &t) != 0) {
			c->cpipe = c->cdate = c->ctype = -1;
			for (size_t i = 0; i < r->n; i++) {
				const char *h = aw_trim(r->f[i]);
				if (c->cpipe < 0 && name_is(h, pipe_names))
					c->cpipe = (int)i;
				else if (c->cdate < 0 && name_is(h, date_names))
					c->cdate = (int)i;
				else if (c->ctype < 0 && name_is(h, type_names))
					c->ctype = (int)i;
			}
			if (c->cpipe < 0 || c->cdate < 0) {
				aw_error_at(r->file, r->line, "break history needs pipe and date columns");
				return 1;
			}
			return 0;
		}
	}
	if ((size_t)c->cpipe >= r->n || (size_t)c->cdate >= r->n) {
		aw_error_at(r->file, r->line, "expected pipe and date");
		return 0;
	}
	const char *pipe = aw_trim(r->f[c->cpipe]), *date = aw_trim(r->f[c->cdate]);
	const char *type = c->ctype >= 0 && (size_t)c->ctype < r->n ? aw_trim(r->f[c->ctype]) : NULL;
	if (not_a_break(type))
		return 0;
	if (!aw_net_link(c->net, pipe, &link)) {
		aw_error_at(r->file, r->line, "unknown pipe '%s'", pipe);
		return 0;
	}
	if (parse_when(date, &t) != 0) {
		aw_error_at(r->file, r->line, "bad date '%s'", date);
		return 0;
	}
	aw_breaks_add(c->b, link, t);
	c->taken++;
	return 0;
}

long aw_breaks_read_csv(struct aw_breaks *b, const struct aw_net *net, const char *path)
{
	struct breaks_csv c = { b, net, 0, 1, 2, 0, 0 };
	if (aw_csv_file(path, 0, breaks_row, &c) != 0)
		return -1;
	return c.taken;
}

static int positive_label(const char *s)
{
	return s && (strcmp(s, "confirmed_leak") == 0 || strcmp(s, "probable") == 0);
}

int aw_breaks_add_record(struct aw_breaks *b, const struct aw_net *net, struct aw_record *r,
    const char *file, long line)
{
	const char *s;
	int64_t t;
	size_t link;
	int is_label = aw_is(r, "type", "label"), zoned;

	if (!is_label && !aw_is(r, "type", "workorder"))
		return 0;
	if (is_label ? !positive_label(aw_get_str(r, "label")) :
	    !aw_is(r, "status", "closed") || !positive_label(aw_get_str(r, "outcome")))
		return 0;
	if (is_label && (s = aw_get_str(r, "workorder")))
		aw_map_put(&b->wo_labelled, s, 1);
	if (!(s = aw_get_str(r, is_label ? "pipe" : "asset_id")))
		return 0;	/* a label of an event, not of a pipe */
	if (!aw_net_link(net, s, &link)) {
		aw_error_at(file, line, "unknown pipe '%s'", s);
		return -1;
	}
	const char *keys[2] = { is_label ? "start" : "updated", is_label ? "ts" : "created" };
	int ok = 0;
	for (int k = 0; k < 2 && !ok; k++)
		ok = (s = aw_get_str(r, keys[k])) && aw_parse_time(s, strlen(s), &t, &zoned) == 0;
	if (!ok) {
		aw_error_at(file, line, "%s without a time", is_label ? "label" : "work order");
		return -1;
	}
	if (!zoned)
		t = aw_tz_to_utc(t, NULL, NULL);
	if (is_label) {
		aw_breaks_add(b, link, t);
		return 1;
	}
	s = aw_get_str(r, "id");
	b->pend = aw_reallocarray(b->pend, b->npend + 1, sizeof *b->pend);
	b->pend[b->npend++] = (struct aw_break_wo){ link, t, aw_strdup(s ? s : "") };
	return 1;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t day_of(int64_t t)
{
	struct aw_local lt;
	aw_tz_local(t, &lt);
	return lt.day_index;
}

void aw_breaks_finish(struct aw_breaks *b)
{
	size_t v;
	for (size_t i = 0; i < b->npend; i++) {
		if (!aw_map_get(&b->wo_labelled, b->pend[i].wo, &v))
			aw_breaks_add(b, b->pend[i].link, b->pend[i].t);
		free(b->pend[i].wo);
	}
	free(b->pend);
	b->pend = NULL;
	b->npend = 0;
	b->total = 0;
	b->first = INT64_MAX;
	b->last = INT64_MIN;
	for (size_t l = 0; l < b->nlinks; l++) {
		size_t k = 0;
		if (b->n[l] > 1)
			qsort(b->t[l], b->n[l], sizeof **b->t, cmp_i64);
		for (size_t i = 0; i < b->n[l]; i++)
			if (k == 0 || day_of(b->t[l][i]) != day_of(b->t[l][k - 1]))
				b->t[l][k++] = b->t[l][i];
		b->n[l] = k;
		b->total += (long)k;
		if (k && b->t[l][0] < b->first)
			b->first = b->t[l][0];
		if (k && b->t[l][k - 1] > b->last)
			b->last = b->t[l][k - 1];
	}
}

/* index of the first break at or after t */
static size_t lower(const struct aw_breaks *b, size_t link, int64_t t)
{
	size_t lo = 0, hi = b->n[link];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (b->t[link][mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t aw_breaks_count(const struct aw_breaks *b, size_t link, int64_t from, int64_t to)
{
	if (link >= b->nlinks || to <= from)
		return 0;
	return lower(b, link, to) - lower(b, link, from);
}

int64_t aw_breaks_last(const struct aw_breaks *b, size_t link, int64_t t)
{
	size_t i = link < b->nlinks ? lower(b, link, t) : 0;
	return i ? b->t[link][i - 1] : INT64_MIN;
}

/* ---- weather ---- */

struct weather_csv {
	struct aw_weather *w;
	int ctime, ctemp, header_done;
	long taken;
};

static void weather_grow(struct aw_weather *w, int64_t day)
{
	if (!w->ndays) {
		w->day0 = day;
	} else if (day < w->day0) {
		size_t shift = (size_t)(w->day0 - day), n = w->ndays + shift;
		w->tmin = aw_reallocarray(w->tmin, n, sizeof *w->tmin);
		w->tmax = aw_reallocarray(w->tmax, n, sizeof *w->tmax);
		w->tsum = aw_reallocarray(w->tsum, n, sizeof *w->tsum);
		w->nobs = aw_reallocarray(w->nobs, n, sizeof *w->nobs);
		memmove(w->tmin + shift, w->tmin, w->ndays * sizeof *w->tmin);
		memmove(w->tmax + shift, w->tmax, w->ndays * sizeof *w->tmax);
		memmove(w->tsum + shift, w->tsum, w->ndays * sizeof *w->tsum);
		memmove(w->nobs + shift, w->nobs, w->ndays * sizeof *w->nobs);
		memset(w->nobs, 0, shift * sizeof *w->nobs);
		w->day0 = day;
		w->ndays = n;
		return;
	}
	if ((size_t)(day - w->day0) < w->ndays)
		return;
	size_t n = (size_t)(day - w->day0) + 1;
	w->tmin = aw_reallocarray(w->tmin, n, sizeof *w->tmin);
	w->tmax = aw_reallocarray(w->tmax, n, sizeof *w->tmax);
	w->tsum = aw_reallocarray(w->tsum, n, sizeof *w->tsum);
	w->nobs = aw_reallocarray(w->nobs, n, sizeof *w->nobs);
	memset(w->nobs + w->ndays, 0, (n - w->ndays) * sizeof *w->nobs);
	w->ndays = n;
}

static int weather_row(const struct aw_csv_row *r, void *ctx)
{
	struct weather_csv *c = ctx;
	int64_t t, day;
	int zoned = 0;
	double v;

	if (!c->header_done) {
		c->header_done = 1;
		c->ctime = c->ctemp = -1;
		for (size_t i = 0; i < r->n; i++) {
			char *h = r->f[i];
			for (char *p = h; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (c->ctime < 0 && (strstr(h, "date") || strstr(h, "time")))
				c->ctime = (int)i;
			else if (c->ctemp < 0 && strstr(h, "temp"))
				c->ctemp = (int)i;
		}
		if (c->ctime < 0 || c->ctemp < 0) {
			aw_error_at(r->file, r->line, "weather needs a date-time and a temperature column");
			return 1;
		}
		return 0;
	}
	if (r->n == 1 && r->len[0] == 0)
		return 0;
	if ((size_t)c->ctime >= r->n || (size_t)c->ctemp >= r->n) {
		aw_error_at(r->file, r->line, "short row");
		return 0;
	}
	const char *ts = aw_trim(r->f[c->ctime]), *val = aw_trim(r->f[c->ctemp]);
	if (!*val || aw_strcaseeq(val, "nan"))
		return 0;	/* missing */
	if (aw_parse_time(ts, strlen(ts), &t, &zoned) != 0 &&
	    aw_parse_time_dmy(ts, strlen(ts), &t) != 0) {
		aw_error_at(r->file, r->line, "bad time '%s'", ts);
		return 0;
	}
	if (aw_parse_double(val, &v) != 0 || !isfinite(v) || v < -90 || v > 70) {
		aw_error_at(r->file, r->line, "bad temperature '%s'", val);
		return 0;
	}
	day = zoned ? day_of(t) : (t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY));
	struct aw_weather *w = c->w;
	weather_grow(w, day);
	size_t i = (size_t)(day - w->day0);
	if (w->nobs[i] == 0) {
		w->tmin[i] = w->tmax[i] = (float)v;
		w->tsum[i] = 0;
	}
	if (v < w->tmin[i])
		w->tmin[i] = (float)v;
	if (v > w->tmax[i])
		w->tmax[i] = (float)v;
	w->tsum[i] += (float)v;
	w->nobs[i]++;
	c->taken++;
	return 0;
}

long aw_weather_read(struct aw_weather *w, const char *path)
{
	struct weather_csv c = { .w = w };
	if (aw_csv_file(path, 0, weather_row, &c) != 0 || !c.header_done)
		return -1;
	return c.taken;
}

void aw_weather_free(struct aw_weather *w)
{
	free(w->tmin), free(w->tmax), free(w->tsum), free(w->nobs);
	memset(w, 0, sizeof *w);
}

size_t aw_weather_window(const struct aw_weather *w, int64_t d0, int64_t d1, double out[4])
{
	size_t days = 0, freeze = 0;
	double lo = INFINITY, range = 0, sum = 0;

	for (int64_t d = d0; d < d1; d++) {
		if (d < w->day0 || (size_t)(d - w->day0) >= w->ndays)
			continue;
		size_t i = (size_t)(d - w->day0);
		if (w->nobs[i] == 0)
			continue;
		days++;
		freeze += w->tmin[i] <= 0;
		if (w->tmin[i] < lo)
			lo = w->tmin[i];
		if (w->tmax[i] - w->tmin[i] > range)
			range = w->tmax[i] - w->tmin[i];
		sum += w->tsum[i] / w->nobs[i];
	}
	if (!days) {
		out[0] = out[1] = out[2] = out[3] = NAN;
		return 0;
	}
	out[0] = (double)freeze / (double)days;
	out[1] = lo;
	out[2] = range;
	out[3] = sum / (double)days;
	return days;
}

/* ---- SCADA ---- */

static struct aw_scada_bin *scada_bin(struct aw_scada_sensor *s, int64_t h)
{
	if (!s->nbins) {
		s->h0 = h;
		s->nbins = 1;
		s->bins = aw_calloc(1, sizeof *s->bins);
	} else if (h < s->h0) {
		size_t shift = (size_t)(s->h0 - h);
		s->bins = aw_reallocarray(s->bins, s->nbins + shift, sizeof *s->bins);
		memmove(s->bins + shift, s->bins, s->nbins * sizeof *s->bins);
		memset(s->bins, 0, shift * sizeof *s->bins);
		s->nbins += shift;
		s->h0 = h;
	} else if ((size_t)(h - s->h0) >= s->nbins) {
		size_t n = (size_t)(h - s->h0) + 1, cap = s->nbins;
		while (cap < n)
			cap *= 2;
		s->bins = aw_reallocarray(s->bins, cap, sizeof *s->bins);
		memset(s->bins + s->nbins, 0, (cap - s->nbins) * sizeof *s->bins);
		s->nbins = cap;
	}
	return &s->bins[h - s->h0];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

void aw_scada_add(struct aw_scada *sc, const char *sensor, size_t node, int64_t ts, double bar)
{
	size_t i;
	if (!aw_map_get(&sc->index, sensor, &i)) {
		i = sc->n++;
		sc->s = aw_reallocarray(sc->s, sc->n, sizeof *sc->s);
		memset(&sc->s[i], 0, sizeof sc->s[i]);
		sc->s[i].id = aw_strdup(sensor);
		sc->s[i].node = node;
		sc->s[i].last_ts = INT64_MIN;
		aw_map_put(&sc->index, sensor, i);
		if (sc->n == 1)
			sc->latest = INT64_MIN;
	}
	struct aw_scada_sensor *s = &sc->s[i];
	struct aw_scada_bin *b = scada_bin(s, floor_div(ts, 3600));
	b->sum += (float)bar;
	b->n++;
	if (s->last_ts != INT64_MIN && ts > s->last_ts && ts - s->last_ts <= 3600) {
		float step = (float)fabs(bar - s->last_val);
		if (step > b->max_step)
			b->max_step = step;
	}
	if (ts > s->last_ts) {
		s->last_ts = ts;
		s->last_val = bar;
	}
	s->readings++;
	if (ts > sc->latest)
		sc->latest = ts;
}

void aw_scada_free(struct aw_scada *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->s[i].id);
		free(sc->s[i].bins);
	}
	free(sc->s);
	aw_map_free(&sc->index);
	memset(sc, 0, sizeof *sc);
}

unsigned long aw_scada_window(const struct aw_scada_sensor *s, int64_t t, double out[3])
{
	int64_t h1 = floor_div(t, 3600), h0 = h1 - 72;
	double sum = 0, step = 0, nsum = 0, dsum = 0;
	unsigned long n = 0, nn = 0, dn = 0;
	struct aw_local lt;

	for (int64_t h = h0; h < h1; h++) {
		if (h < s->h0 || (size_t)(h - s->h0) >= s->nbins)
			continue;
		const struct aw_scada_bin *b = &s->bins[h - s->h0];
		if (!b->n)
			continue;
		n += b->n;
		sum += b->sum;
		if (b->max_step > step)
			step = b->max_step;
		aw_tz_local(h * 3600, &lt);
		if (lt.hour >= 1 && lt.hour < 4)
			nsum += b->sum, nn += b->n;
		else if (lt.hour >= 7 && lt.hour < 22)
			dsum += b->sum, dn += b->n;
	}
	out[0] = n ? sum / (double)n : NAN;
	out[1] = n ? step : NAN;
	out[2] = nn && dn ? nsum / (double)nn - dsum / (double)dn : NAN;
	return n;
}

/* ---- static head ---- */

static double pump_head(const struct aw_net *net, const struct aw_link *l)
{
	if (!l->curve)
		return 0;
	for (size_t i = 0; i < net->ncurves; i++)
		if (strcmp(net->curves[i].id, l->curve) == 0 && net->curves[i].n)
			return net->curves[i].y[0] * (net->us_units ? 0.3048 : 1);
	return 0;
}

/* head reaching the far end of link l entered from node u (NAN: no flow that way) */
static double carry(const struct aw_net *net, size_t l, size_t u, double h)
{
	const struct aw_link *k = &net->links[l];
	int forward = k->n1 == u;

	if (k->closed)
		return NAN;
	if ((k->type != AW_PIPE || k->check) && !forward)
		return NAN;
	if (k->type == AW_PUMP)
		return h + pump_head(net, k);
	if (k->type == AW_VALVE && strcmp(k->valve, "PRV") == 0) {
		double cap = net->nodes[k->n2].elev + k->setting;
		return h < cap ? h : cap;
	}
	return h;
}

void aw_static_head(const struct aw_net *net, double *head)
{
	size_t n = net->nnodes, *queue = aw_reallocarray(NULL, n + 1, sizeof *queue);
	unsigned char *inq = aw_calloc(n + 1, 1);
	size_t qh = 0, qn = 0;
	double top = -INFINITY;	/* no head goes above the sources plus every pump */

	for (size_t i = 0; i < n; i++) {
		const struct aw_node *v = &net->nodes[i];
		head[i] = v->type == AW_RESERVOIR ? v->elev : v->type == AW_TANK ?
		    v->elev + v->init_level : NAN;
		if (v->type != AW_JUNCTION) {
			queue[qn++] = i;
			inq[i] = 1;
			if (head[i] > top)
				top = head[i];
		}
	}
	for (size_t l = 0; l < net->nlinks; l++)
		if (net->links[l].type == AW_PUMP)
			top += fabs(pump_head(net, &net->links[l]));
	/* label-correcting: a node goes back into the ring when its head rises */
	while (qn) {
		size_t u = queue[qh];
		qh = (qh + 1) % (n + 1);
		qn--;
		inq[u] = 0;
		for (size_t e = net->adj_start[u]; e < net->adj_start[u + 1]; e++) {
			size_t v = net->adj_node[e];
			if (net->nodes[v].type != AW_JUNCTION)
				continue;
			double h = carry(net, net->adj_link[e], u, head[u]);
			if (h > top)
				h = top;
			if (isnan(h) || (!isnan(head[v]) && h <= head[v] + 1e-9))
				continue;
			head[v] = h;
			if (!inq[v]) {
				queue[(qh + qn) % (n + 1)] = v;
				qn++;
				inq[v] = 1;
			}
		}
	}
	free(queue);
	free(inq);
}

/* ---- features ---- */

const char *const aw_risk_feature_names[AW_RF_N] = {
	"age_years", "material_factor", "diameter_mm", "length_m", "static_pressure_m",
	"breaks_1y", "breaks_5y", "days_since_break", "neighbour_breaks_1y", "observed_years",
	"pressure_mean", "pressure_max_step", "pressure_night_day", "sensor_distance_m",
	"freeze_share", "temp_min", "temp_range_max", "temp_mean",
};

void aw_risk_data_prepare(struct aw_risk_data *d)
{
	struct aw_net *net = d->net;
	size_t nl = net->nlinks, nn = net->nnodes;

	d->head = aw_calloc(nn + 1, sizeof *d->head);
	aw_static_head(net, d->head);

	/* nearest pressure sensors: one Dijkstra per sensor */
	d->near = aw_calloc(nl * AW_RISK_NEAR + 1, sizeof *d->near);
	d->near_dist = aw_calloc(nl * AW_RISK_NEAR + 1, sizeof *d->near_dist);
	d->nnear = aw_calloc(nl + 1, sizeof *d->nnear);
	double *dist = aw_calloc(nn + 1, sizeof *dist);
	for (size_t s = 0; s < d->scada.n; s++) {
		aw_net_dijkstra(net, d->scada.s[s].node, dist, NULL);
		for (size_t l = 0; l < nl; l++) {
			const struct aw_link *k = &net->links[l];
			double x = (dist[k->n1] < dist[k->n2] ? dist[k->n1] : dist[k->n2]) +
			    aw_net_link_weight(net, l) / 2;
			if (!isfinite(x))
				continue;
			size_t *nb = d->near + l * AW_RISK_NEAR;
			double *nd = d->near_dist + l * AW_RISK_NEAR;
			size_t j = d->nnear[l] < AW_RISK_NEAR ? d->nnear[l]++ : AW_RISK_NEAR;
			if (j == AW_RISK_NEAR) {
				if (!(x < nd[AW_RISK_NEAR - 1]))
					continue;
				j = AW_RISK_NEAR - 1;
			}
			while (j > 0 && nd[j - 1] > x) {
				nb[j] = nb[j - 1];
				nd[j] = nd[j - 1];
				j--;
			}
			nb[j] = s;
			nd[j] = x;
		}
	}
	free(dist);

	/* pipes sharing a node */
	d->nbr_start = aw_calloc(nl + 1, sizeof *d->nbr_start);
	struct aw_buf nb = { 0 };
	for (size_t l = 0; l < nl; l++) {
		const struct aw_link *k = &net->links[l];
		size_t ends[2] = { k->n1, k->n2 };
		d->nbr_start[l] = nb.len / sizeof(size_t);
		for (int e = 0; e < 2; e++)
			for (size_t a = net->adj_start[ends[e]]; a < net->adj_start[ends[e] + 1]; a++) {
				size_t o = net->adj_link[a];
				if (o != l && net->links[o].type == AW_PIPE)
					aw_buf_put(&nb, &o, sizeof o);
			}
	}
	d->nbr_start[nl] = nb.len / sizeof(size_t);
	d->nbr = (size_t *)nb.s;
}

void aw_risk_data_free(struct aw_risk_data *d)
{
	aw_breaks_free(&d->breaks);
	aw_weather_free(&d->weather);
	aw_scada_free(&d->scada);
	free(d->head), free(d->near), free(d->near_dist), free(d->nnear);
	free(d->nbr_start), free(d->nbr), free(d->sensor_x);
}

void aw_risk_at(struct aw_risk_data *d, int64_t t)
{
	double w[4];
	int64_t day = day_of(t);

	d->at = t;
	aw_weather_window(&d->weather, day - 7, day + (d->horizon + DAY - 1) / DAY, w);
	for (int i = 0; i < 4; i++)
		d->weather_x[i] = (float)w[i];
	if (!d->sensor_x)
		d->sensor_x = aw_calloc(4 * d->scada.n + 1, sizeof *d->sensor_x);
	for (size_t s = 0; s < d->scada.n; s++)
		d->sensor_x[4 * s + 3] = (double)aw_scada_window(&d->scada.s[s], t,
		    d->sensor_x + 4 * s);
}

void aw_risk_features(const struct aw_risk_data *d, size_t l, float *x)
{
	const struct aw_net *net = d->net;
	const struct aw_link *k = &net->links[l];
	const struct aw_breaks *b = &d->breaks;
	int64_t t = d->at, year = (int64_t)YEAR, obs = d->observed_from;
	double h1 = d->head[k->n1] - net->nodes[k->n1].elev;
	double h2 = d->head[k->n2] - net->nodes[k->n2].elev;

	x[AW_RF_AGE] = (float)aw_pipe_age(k, t);
	x[AW_RF_MATERIAL] = (float)aw_material_factor(k->material);
	x[AW_RF_DIAMETER] = (float)(k->asset_diameter * 1000);
	x[AW_RF_LENGTH] = (float)k->length;
	x[AW_RF_STATIC_PRESSURE] = isnan(h1) ? (float)h2 : isnan(h2) ? (float)h1 :
	    (float)((h1 + h2) / 2);
	x[AW_RF_BREAKS_1Y] = (float)aw_breaks_count(b, l, t - year, t);
	x[AW_RF_BREAKS_5Y] = (float)aw_breaks_count(b, l, t - 5 * year, t);
	int64_t last = aw_breaks_last(b, l, t);
	x[AW_RF_DAYS_SINCE] = last == INT64_MIN ? NAN : (float)((double)(t - last) / DAY);
	size_t nbr = 0;
	for (size_t i = d->nbr_start[l]; i < d->nbr_start[l + 1]; i++)
		nbr += aw_breaks_count(b, d->nbr[i], t - year, t);
	x[AW_RF_NBR_BREAKS_1Y] = (float)nbr;
	if (obs == INT64_MIN)
		obs = b->first;
	double oy = obs == INT64_MAX || t <= obs ? 0 : (double)(t - obs) / YEAR;
	x[AW_RF_OBSERVED_YEARS] = (float)(oy < 5 ? oy : 5);

	x[AW_RF_PRESSURE_MEAN] = x[AW_RF_PRESSURE_STEP] = x[AW_RF_PRESSURE_NIGHT_DAY] = NAN;
	x[AW_RF_SENSOR_DIST] = NAN;
	for (size_t j = 0; j < d->nnear[l]; j++) {
		const double *p = d->sensor_x + 4 * d->near[l * AW_RISK_NEAR + j];
		if (p[3] < 24)
			continue;
		x[AW_RF_PRESSURE_MEAN] = (float)p[0];
		x[AW_RF_PRESSURE_STEP] = (float)p[1];
		x[AW_RF_PRESSURE_NIGHT_DAY] = (float)p[2];
		x[AW_RF_SENSOR_DIST] = (float)d->near_dist[l * AW_RISK_NEAR + j];
		break;
	}
	x[AW_RF_FREEZE_SHARE] = d->weather_x[0];
	x[AW_RF_TEMP_MIN] = d->weather_x[1];
	x[AW_RF_TEMP_RANGE] = d->weather_x[2];
	x[AW_RF_TEMP_MEAN] = d->weather_x[3];
}

/* ---- model file ---- */

#define MAGIC "aquawatch-risk-model"
#define VERSION 1

int aw_riskmodel_write(struct aw_riskmodel *m, const char *path)
{
	struct aw_buf head = { 0 }, model = { 0 }, out = { 0 };
	int rc;

	if (aw_gbm_save(m->gbm, &model) != 0)
		return -1;
	aw_put_key_num(&head, "horizon_days", m->horizon_days);
	aw_put_key_num(&head, "step_days", m->step_days);
	aw_buf_printf(&head, "rows %lld\npositives %lld\npipes %lld\n", m->rows, m->positives,
	    m->pipes);
	if (m->trained_from[0])
		aw_buf_printf(&head, "trained_from %s\n", m->trained_from);
	if (m->trained_to[0])
		aw_buf_printf(&head, "trained_to %s\n", m->trained_to);
	aw_buf_printf(&head, "rounds %d\nmax_depth %d\n", m->params.rounds, m->params.max_depth);
	aw_put_key_num(&head, "eta", m->params.eta);
	aw_put_key_num(&head, "min_child_weight", m->params.min_child_weight);
	aw_put_key_num(&head, "subsample", m->params.subsample);
	aw_buf_printf(&head, "seed %" PRIu64 "\n", m->params.seed);
	for (size_t i = 0; i < m->nfeatures; i++)
		aw_buf_printf(&head, "feature %s\n", m->features[i]);
	if (!m->id[0]) {
		uint64_t h = aw_hash(head.s, head.len) ^ aw_hash(model.s, model.len) * 31;
		snprintf(m->id, sizeof m->id, "risk-%012" PRIx64, (uint64_t)(h & 0xffffffffffffULL));
	}
	aw_buf_printf(&out, "%s %d\nid %s\n", MAGIC, VERSION, m->id);
	aw_buf_put(&out, head.s, head.len);
	aw_buf_printf(&out, "xgboost ubj %zu\n", model.len);
	aw_buf_put(&out, model.s, model.len);

	rc = aw_replace_file(path, out.s, out.len);
	aw_buf_free(&head), aw_buf_free(&model), aw_buf_free(&out);
	return rc;
}

struct aw_riskmodel *aw_riskmodel_read(const char *path)
{
	struct aw_buf b = { 0 };
	struct aw_riskmodel *m;
	long line = 0;
	char *p, *end;

	if (aw_read_file(path, &b) != 0) {
		aw_error_at(path, 0, "%s", strerror(errno));
		aw_buf_free(&b);
		return NULL;
	}
	m = aw_calloc(1, sizeof *m);
	aw_gbm_params_default(&m->params);
	p = b.s;
	end = b.s + b.len;
	for (;;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		if (!nl) {
			aw_error_at(path, line, "truncated model file");
			goto fail;
		}
		*nl = 0;
		char *key = p, *val = strchr(p, ' ');
		p = nl + 1;
		if (!val) {
			aw_error_at(path, line, "expected KEY VALUE");
			goto fail;
		}
		*val++ = 0;
		if (line == 1) {
			if (strcmp(key, MAGIC) != 0) {
				aw_error_at(path, line, "not an aw-risk model");
				goto fail;
			}
			if (atoi(val) != VERSION) {
				aw_error_at(path, line, "model format %s, this aw-risk reads %d", val, VERSION);
				goto fail;
			}
		} else if (strcmp(key, "id") == 0) {
			snprintf(m->id, sizeof m->id, "%s", val);
		} else if (strcmp(key, "horizon_days") == 0) {
			m->horizon_days = strtod(val, NULL);
		} else if (strcmp(key, "step_days") == 0) {
			m->step_days = strtod(val, NULL);
		} else if (strcmp(key, "rows") == 0) {
			m->rows = strtoll(val, NULL, 10);
		} else if (strcmp(key, "positives") == 0) {
			m->positives = strtoll(val, NULL, 10);
		} else if (strcmp(key, "pipes") == 0) {
			m->pipes = strtoll(val, NULL, 10);
		} else if (strcmp(key, "trained_from") == 0) {
			snprintf(m->trained_from, sizeof m->trained_from, "%s", val);
		} else if (strcmp(key, "trained_to") == 0) {
			snprintf(m->trained_to, sizeof m->trained_to, "%s", val);
		} else if (strcmp(key, "feature") == 0) {
			m->features = aw_reallocarray(m->features, m->nfeatures + 1, sizeof *m->features);
			m->features[m->nfeatures++] = aw_strdup(val);
		} else if (strcmp(key, "xgboost") == 0) {
			char *e;
			size_t n = strncmp(val, "ubj ", 4) == 0 ? strtoul(val + 4, &e, 10) : 0;
			if (!n || (size_t)(end - p) != n) {
				aw_error_at(path, line, "booster size does not match the file");
				goto fail;
			}
			if (!(m->gbm = aw_gbm_load(p, n, 1)))
				goto fail;
			break;
		}
		/* other keys (training parameters) are informative */
	}
	if (!m->nfeatures || m->horizon_days <= 0) {
		aw_error_at(path, 0, "model without features or horizon");
		goto fail;
	}
	/* the scorer hands the booster rows of nfeatures columns */
	if (!m->gbm) {
		aw_error_at(path, 0, "model without its booster");
		goto fail;
	}
	if (aw_gbm_nfeatures(m->gbm) != m->nfeatures) {
		aw_error_at(path, 0, "booster has %zu features, the list %zu", aw_gbm_nfeatures(m->gbm),
		    m->nfeatures);
		goto fail;
	}
	aw_buf_free(&b);
	return m;
fail:
	aw_rval = 1;
	aw_buf_free(&b);
	aw_riskmodel_free(m);
	return NULL;
}

void aw_riskmodel_free(struct aw_riskmodel *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfeatures; i++)
		free(m->features[i]);
	free(m->features);
	aw_gbm_free(m->gbm);
	free(m);
}
