/* Streaming features. Every sensor keeps one ring of per-step sums covering seven days,
 * two hours and the lateness allowance; the rolling seven-day sums, the lagged step means
 * (1 h, 24 h, the same local time on the previous days) and the neighbours' baselines are
 * all read from it. A sensor's step is closed (summed into the ring) when its own reading of
 * a later step arrives; steps are written for all sensors together, in time order, once
 * every sensor has closed them or the newest reading is more than the lateness ahead
 * (then the sensors behind are closed as they are), so the neighbours' means of a step
 * are known when its features are computed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_csv.h"
#include "aw_features.h"
#include "aw_units.h"
#include "aw_net.h"
#include "aw_time.h"

#define FEATURES(X) \
	X(pressure_mean) X(pressure_std) X(pressure_min) X(pressure_max) X(pressure_range) \
	X(pressure_diff_upstream) X(pressure_diff_downstream) X(pressure_gradient) \
	X(gradient_anomaly) \
	X(pressure_drop_rate) X(pressure_1h_change) X(pressure_24h_change) X(rolling_mean_7d) \
	X(deviation_from_baseline) \
	X(hour_of_day) X(is_night) X(day_of_week) X(is_weekend) \
	X(mnf_pressure) X(night_day_ratio) X(mnf_deviation) X(pressure_zscore) X(leak_index) \
	X(mnf_flow) X(mnf_flow_deviation)
#define NAME(x) #x,
#define KEY(x) { ",\"" #x "\":", sizeof ",\"" #x "\":" - 1 },
const char *const aw_feature_names[AW_NFEATURES] = { FEATURES(NAME) };
static const struct {
	const char *s;
	size_t n;
} feature_keys[AW_NFEATURES] = { FEATURES(KEY) };

#define NONE INT64_MIN
#define M_HEAD_BAR 0.0980665	/* bar per m of head */
#define IGNORED ((size_t)-1)
#define BASE_DAYS 7		/* baselines: the previous seven days / nights */
#define NIGHT_H0 1
#define NIGHT_H1 4
#define DAY_H0 8
#define DAY_H1 20

enum { SIDE_AUTO, SIDE_UP, SIDE_DOWN };

struct slot {
	int64_t step;
	double sum, sumsq;	/* of value - shift over the step's usable readings */
	double min, max;
	uint32_t n;
};

/* a local-time window of one day (night 01-04 or day 08-20) being summed */
struct window {
	int64_t day;		/* local day index, NONE when no window is open */
	double sum, minmean;	/* minmean: smallest complete step mean (flow) */
	double seconds;		/* real length of the window that day (DST) */
	uint32_t n;
};

struct past {
	int64_t day;
	double value;		/* NaN when that window was incomplete */
};

struct nbr {
	char *id;
	int side;
	size_t idx;		/* sensor index, IGNORED while the sensor is unseen */
};

struct nbrlist {
	char *owner;		/* the sensor, in neighbour tables */
	struct nbr *v;
	size_t n;
};

struct sensor {
	char *id, *dma;
	int role;
	double sign;
	double elev;		/* m, from the network; NaN when unknown */
	int64_t first;		/* first step with a reading */
	int64_t open;		/* step being summed; earlier ones are in the ring */
	int64_t last_ts;
	long interval;		/* learned sampling interval, 0 while unknown */
	int shifted;
	double shift;		/* first usable value: sums are taken relative to it */
	double sum, sumsq, min, max;
	uint32_t n;
	/* rolling seven days, and everything so far (for upstream/downstream) */
	double rsum, rsumsq, csum;
	uint64_t rn, cn;
	struct slot *ring;
	struct window night, day;
	struct past nights[BASE_DAYS + 1];
	double mnf, mnf_dev, day_mean;	/* of the latest finished night / day window */
	struct nbrlist nb;
};

struct aw_features {
	const struct aw_config *cfg;
	struct aw_features_opts o;
	aw_features_fn fn;
	void *ctx;
	long S, H, D, W7, L, R;	/* step s; steps per hour, day, 7 days; lateness; ring */
	struct sensor **s;
	size_t ns, cap;
	struct aw_map index;	/* sensor id -> index, IGNORED for other kinds */
	int64_t W;		/* newest step seen */
	int64_t E;		/* next step to write */
	size_t nready;		/* sensors that have closed step E */
	int64_t lt_step;
	struct aw_local lt;
	int64_t lag_step;
	int64_t lag[BASE_DAYS + 1];	/* the step at the same local time j days earlier */
	struct aw_map table_index;	/* neighbour table: sensor -> tables[] */
	struct nbrlist *tables;
	size_t ntables;
	struct aw_map net_index;	/* sensor -> netinfo[] */
	struct netinfo {
		char *dma;
		double elev;
	} *netinfo;
	size_t nnetinfo;
	int64_t ts_val;		/* last parsed ts text */
	char ts_text[40];
	size_t ts_len;
	struct aw_features_row row;
};

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* R is a power of two: the position is a mask, not a division */
static size_t ring_pos(const struct aw_features *f, int64_t step)
{
	return (size_t)((uint64_t)step & (uint64_t)(f->R - 1));
}

void aw_features_defaults(struct aw_features_opts *o, const struct aw_config *c)
{
	memset(o, 0, sizeof *o);
	o->step = 900;
	o->completeness = c ? aw_config_num(c, "qc.completeness", 0.8) : 0.8;
	o->k = 3;
	o->from = NONE;
	aw_rules_thresholds(c, o->th);
}

/* ---- neighbours ---- */

static void list_add(struct nbrlist *l, const char *id, int side)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0) {
			l->v[i].side = side;
			return;
		}
	l->v = aw_reallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n].id = aw_strdup(id);
	l->v[l->n].side = side;
	l->v[l->n].idx = IGNORED;
	l->n++;
}

static void list_free(struct nbrlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].id);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void table_free(struct nbrlist *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		list_free(&t[i]);
		free(t[i].owner);
	}
	free(t);
}

static struct nbrlist *table_for(struct aw_features *f, const char *sensor)
{
	size_t i;
	if (aw_map_get(&f->table_index, sensor, &i))
		return &f->tables[i];
	f->tables = aw_reallocarray(f->tables, f->ntables + 1, sizeof *f->tables);
	f->tables[f->ntables] = (struct nbrlist){ .owner = aw_strdup(sensor) };
	aw_map_put(&f->table_index, sensor, f->ntables);
	return &f->tables[f->ntables++];
}

static const struct aw_ynode *ychild(const struct aw_ynode *n, const char *key)
{
	if (!n || n->type != AW_YMAP)
		return NULL;
	for (size_t i = 0; i < n->nkids; i++)
		if (strcmp(n->kids[i]->key, key) == 0)
			return n->kids[i];
	return NULL;
}

/* sensors[].upstream / downstream / neighbours from the configuration */
static void config_neighbours(struct aw_features *f)
{
	static const struct {
		const char *key;
		int side;
	} keys[] = { { "neighbours", SIDE_AUTO }, { "upstream", SIDE_UP }, { "downstream", SIDE_DOWN } };
	const struct aw_ynode *seq = f->cfg ? ychild(f->cfg->root, "sensors") : NULL;
	if (!seq || seq->type != AW_YSEQ)
		return;
	for (size_t i = 0; i < seq->nkids; i++) {
		const struct aw_ynode *e = seq->kids[i], *id = ychild(e, "id");
		if (!id || id->type != AW_YSCALAR)
			continue;
		for (size_t k = 0; k < AW_NELEM(keys); k++) {
			const struct aw_ynode *l = ychild(e, keys[k].key);
			if (!l || l->type != AW_YSEQ)
				continue;
			struct nbrlist *t = table_for(f, id->value);
			for (size_t j = 0; j < l->nkids; j++)
				if (l->kids[j]->type == AW_YSCALAR && strcmp(l->kids[j]->value, id->value))
					list_add(t, l->kids[j]->value, keys[k].side);
		}
	}
}

struct ncsv {
	struct aw_features *f;
	const char *file;
	int col[3];
	int errors;
};

static int ncsv_row(const struct aw_csv_row *row, void *ctx)
{
	struct ncsv *c = ctx;
	static const char *const names[3] = { "sensor", "neighbour", "side" };
	if (row->line == 1) {
		for (int i = 0; i < 3; i++) {
			c->col[i] = -1;
			for (size_t j = 0; j < row->n; j++)
				if (aw_strcaseeq(aw_trim(row->f[j]), names[i]))
					c->col[i] = (int)j;
		}
		if (c->col[0] < 0 || c->col[1] < 0) {
			aw_error_at(c->file, row->line, "neighbour table needs the columns sensor and neighbour");
			c->errors++;
			return 1;
		}
		return 0;
	}
	const char *sv = (size_t)c->col[0] < row->n ? aw_trim(row->f[c->col[0]]) : "";
	const char *nv = (size_t)c->col[1] < row->n ? aw_trim(row->f[c->col[1]]) : "";
	const char *side = c->col[2] >= 0 && (size_t)c->col[2] < row->n ? aw_trim(row->f[c->col[2]]) : "";
	int sd;
	if (!*sv || !*nv || strcmp(sv, nv) == 0) {
		aw_error_at(c->file, row->line, "neighbour row needs two different sensors");
		c->errors++;
		return 0;
	}
	if (!*side)
		sd = SIDE_AUTO;
	else if (strcmp(side, "upstream") == 0)
		sd = SIDE_UP;
	else if (strcmp(side, "downstream") == 0)
		sd = SIDE_DOWN;
	else {
		aw_error_at(c->file, row->line, "side must be upstream, downstream or empty, not '%s'", side);
		c->errors++;
		return 0;
	}
	list_add(table_for(c->f, sv), nv, sd);
	return 0;
}

int aw_features_neighbours_csv(struct aw_features *f, const char *path)
{
	/* the table replaces what the configuration said for the sensors it names */
	struct aw_features tmp = { 0 };
	struct ncsv c = { .f = &tmp, .file = path };
	int rc = aw_csv_file(path, ',', ncsv_row, &c);
	for (size_t i = 0; i < tmp.ntables; i++) {
		struct nbrlist *t = table_for(f, tmp.tables[i].owner);
		list_free(t);
		t->v = tmp.tables[i].v;
		t->n = tmp.tables[i].n;
		tmp.tables[i].v = NULL;
		tmp.tables[i].n = 0;
	}
	table_free(tmp.tables, tmp.ntables);
	aw_map_free(&tmp.table_index);
	return rc < 0 || c.errors ? -1 : 0;
}

struct cand {
	double d;
	const char *id;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* the configured neighbours, else the k nearest pressure sensors of the same DMA by
 * coordinates */
static void choose_neighbours(struct aw_features *f, const char *id, const char *dma,
    struct nbrlist *out)
{
	size_t t;
	if (aw_map_get(&f->table_index, id, &t)) {
		for (size_t i = 0; i < f->tables[t].n; i++)
			list_add(out, f->tables[t].v[i].id, f->tables[t].v[i].side);
		return;
	}
	const struct aw_sensor *me = f->cfg ? aw_sensor_find(f->cfg, id) : NULL;
	if (!me || f->o.k <= 0 || !isfinite(me->x) || !isfinite(me->y))
		return;
	struct cand *c = aw_reallocarray(NULL, f->cfg->nsensors + 1, sizeof *c);
	size_t n = 0;
	for (size_t i = 0; i < f->cfg->nsensors; i++) {
		const struct aw_sensor *o = &f->cfg->sensors[i];
		if (o == me || !o->kind || strcmp(o->kind, "pressure") || !isfinite(o->x) ||
		    !isfinite(o->y) || (dma && o->dma && strcmp(dma, o->dma)))
			continue;
		c[n].d = hypot(o->x - me->x, o->y - me->y);
		c[n++].id = o->id;
	}
	qsort(c, n, sizeof *c, cand_cmp);
	for (size_t i = 0; i < n && i < (size_t)f->o.k; i++)
		list_add(out, c[i].id, SIDE_AUTO);
	free(c);
}

size_t aw_features_neighbours(struct aw_features *f, const char *sensor, size_t i,
    const char **id, int *side)
{
	size_t k;
	if (!aw_map_get(&f->index, sensor, &k) || k == IGNORED || i >= f->s[k]->nb.n)
		return 0;
	*id = f->s[k]->nb.v[i].id;
	*side = f->s[k]->nb.v[i].side;
	return f->s[k]->nb.n;
}

void aw_features_use_network(struct aw_features *f, struct aw_net *net)
{
	struct aw_near *near = aw_calloc((size_t)(f->o.k > 0 ? f->o.k : 1), sizeof *near);
	unsigned char *want = aw_calloc(net->nsensors + 1, 1);
	for (size_t i = 0; i < net->nsensors; i++) {
		const struct aw_net_sensor *x = &net->sensors[i];
		if (aw_map_get(&f->net_index, x->id, &(size_t){ 0 }))
			continue;
		f->netinfo = aw_reallocarray(f->netinfo, f->nnetinfo + 1, sizeof *f->netinfo);
		f->netinfo[f->nnetinfo].dma = x->dma >= 0 ? aw_strdup(net->dmas[x->dma].id) : NULL;
		f->netinfo[f->nnetinfo].elev = net->nodes[x->node].elev;
		aw_map_put(&f->net_index, x->id, f->nnetinfo++);
		if (strcmp(x->kind, "pressure") != 0 || f->o.k <= 0 ||
		    aw_map_get(&f->table_index, x->id, &(size_t){ 0 }))
			continue;
		for (size_t j = 0; j < net->nsensors; j++)
			want[j] = strcmp(net->sensors[j].kind, "pressure") == 0 &&
			    (x->dma < 0 || net->sensors[j].dma < 0 || net->sensors[j].dma == x->dma);
		size_t got = aw_net_nearest(net, x->node, want, i, (size_t)f->o.k, near);
		struct nbrlist *t = table_for(f, x->id);
		for (size_t r = 0; r < got; r++)
			list_add(t, net->sensors[near[r].idx].id, SIDE_AUTO);
	}
	free(near);
	free(want);
}

/* ---- engine ---- */

struct aw_features *aw_features_new(const struct aw_config *cfg,
    const struct aw_features_opts *o, aw_features_fn fn, void *ctx)
{
	struct aw_features *f = aw_calloc(1, sizeof *f);
	f->cfg = cfg;
	f->o = *o;
	f->fn = fn;
	f->ctx = ctx;
	f->S = o->step > 0 ? o->step : 900;
	f->H = 3600 / f->S;
	f->D = 24 * f->H;
	f->W7 = BASE_DAYS * f->D;
	f->L = o->lateness > 0 ? (o->lateness + f->S - 1) / f->S : 0;
	for (f->R = 1; f->R < f->W7 + 2 * f->H + f->L + 2; f->R *= 2)
		;
	f->W = f->E = NONE;
	f->lt_step = f->lag_step = NONE;
	config_neighbours(f);
	return f;
}

static void sensor_free(struct sensor *s)
{
	free(s->id);
	free(s->dma);
	free(s->ring);
	list_free(&s->nb);
	free(s);
}

void aw_features_free(struct aw_features *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ns; i++)
		sensor_free(f->s[i]);
	free(f->s);
	aw_map_free(&f->index);
	table_free(f->tables, f->ntables);
	aw_map_free(&f->table_index);
	for (size_t i = 0; i < f->nnetinfo; i++)
		free(f->netinfo[i].dma);
	free(f->netinfo);
	aw_map_free(&f->net_index);
	free(f);
}

static const struct aw_local *local_of(struct aw_features *f, int64_t step)
{
	if (step != f->lt_step) {
		aw_tz_local(step * f->S, &f->lt);
		f->lt_step = step;
	}
	return &f->lt;
}

/* lag[j]: the step j days before u at the same local wall time, NONE when that time did
 * not exist that day (a spring-forward gap) */
static const int64_t *lags_of(struct aw_features *f, int64_t u)
{
	if (u != f->lag_step) {
		int64_t lu = u * f->S + aw_tz_offset(u * f->S);
		for (int j = 1; j <= BASE_DAYS; j++) {
			int64_t v = u - j * f->D;
			v += (lu - v * f->S - aw_tz_offset(v * f->S) - j * 86400) / f->S;
			int64_t lv = v * f->S + aw_tz_offset(v * f->S);
			f->lag[j] = lv == lu - j * 86400 ? v : NONE;
		}
		f->lag_step = u;
	}
	return f->lag;
}

static double expect_interval(const struct aw_features *f, const struct sensor *s)
{
	if (f->o.interval > 0)
		return (double)f->o.interval;
	return s->interval > 0 ? (double)s->interval : (double)f->S;
}

static struct sensor *sensor_new(struct aw_features *f, const char *id, size_t idlen,
    const char *kind, const char *dma, int64_t step)
{
	char *name = aw_strndup(id, idlen);
	const struct aw_sensor *cs = f->cfg ? aw_sensor_find(f->cfg, name) : NULL;
	if (!kind && cs)
		kind = cs->kind;
	int role = !kind ? 0 : strcmp(kind, "pressure") == 0 ? AW_ROLE_PRESSURE :
	    strcmp(kind, "flow") == 0 ? AW_ROLE_FLOW : 0;
	if (!role) {
		aw_map_put(&f->index, name, IGNORED);
		free(name);
		return NULL;
	}
	struct sensor *s = aw_calloc(1, sizeof *s);
	s->id = name;
	s->elev = NAN;
	size_t ni;
	int onnet = aw_map_get(&f->net_index, name, &ni);
	if (onnet)
		s->elev = f->netinfo[ni].elev;
	if (!dma && cs)
		dma = cs->dma;
	if (!dma && onnet)
		dma = f->netinfo[ni].dma;
	s->dma = dma && *dma ? aw_strdup(dma) : NULL;
	s->role = role;
	s->sign = cs && cs->sign < 0 ? -1 : 1;
	s->first = s->open = step;
	s->last_ts = NONE;
	s->min = INFINITY;
	s->max = -INFINITY;
	s->ring = aw_malloc((size_t)f->R * sizeof *s->ring);
	for (long i = 0; i < f->R; i++)
		s->ring[i].step = NONE;
	s->night.day = s->day.day = NONE;
	for (int i = 0; i <= BASE_DAYS; i++)
		s->nights[i].day = NONE;
	s->mnf = s->mnf_dev = s->day_mean = NAN;
	if (role == AW_ROLE_PRESSURE)
		choose_neighbours(f, s->id, s->dma, &s->nb);
	if (f->ns == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 64;
		f->s = aw_reallocarray(f->s, f->cap, sizeof *f->s);
	}
	aw_map_put(&f->index, s->id, f->ns);
	f->s[f->ns++] = s;
	if (s->open > f->E)
		f->nready++;
	return s;
}

/* closes the sensor's steps before k into its ring */
static void close_until(struct aw_features *f, struct sensor *s, int64_t k)
{
	if (s->open <= f->E && k > f->E)
		f->nready++;
	for (; s->open < k; s->open++) {
		struct slot *e = &s->ring[ring_pos(f, s->open)];
		e->step = s->open;
		e->sum = s->sum;
		e->sumsq = s->sumsq;
		e->min = s->min;
		e->max = s->max;
		e->n = s->n;
		s->sum = s->sumsq = 0;
		s->min = INFINITY;
		s->max = -INFINITY;
		s->n = 0;
	}
}

/* local UTC instants of hour h0 and h1 of a local day: the window's real length */
static double window_seconds(int64_t day, int h0, int h1)
{
	int64_t a = aw_tz_to_utc(day * 86400 + h0 * 3600, NULL, NULL);
	int64_t b = aw_tz_to_utc(day * 86400 + h1 * 3600, &a, NULL);
	return (double)(b - a);
}

static int window_complete(const struct aw_features *f, const struct sensor *s,
    const struct window *w)
{
	return w->n > 0 && w->n >= f->o.completeness * w->seconds / expect_interval(f, s);
}

static void night_done(struct aw_features *f, struct sensor *s)
{
	struct window *w = &s->night;
	double v = NAN;
	if (window_complete(f, s, w))
		v = s->role == AW_ROLE_FLOW ? (isfinite(w->minmean) ? w->minmean : NAN) :
		    s->shift + w->sum / w->n;
	double base = 0;
	int nb = 0;
	for (int i = 0; i <= BASE_DAYS; i++) {
		const struct past *p = &s->nights[i];
		if (p->day != NONE && p->day >= w->day - BASE_DAYS && p->day < w->day &&
		    !isnan(p->value)) {
			base += p->value;
			nb++;
		}
	}
	int64_t m = w->day % (BASE_DAYS + 1);
	s->nights[m < 0 ? m + BASE_DAYS + 1 : m] = (struct past){ w->day, v };
	s->mnf = v;
	s->mnf_dev = nb > 0 && nb >= f->o.completeness * BASE_DAYS ? v - base / nb : NAN;
	w->day = NONE;
}

static void day_done(struct aw_features *f, struct sensor *s)
{
	struct window *w = &s->day;
	s->day_mean = window_complete(f, s, w) ? s->shift + w->sum / w->n : NAN;
	w->day = NONE;
}

static void window_add(struct window *w, int64_t day, int h0, int h1,
    const struct slot *e, double complete_mean)
{
	if (w->day != day) {
		w->day = day;
		w->sum = 0;
		w->n = 0;
		w->minmean = INFINITY;
		w->seconds = window_seconds(day, h0, h1);
	}
	w->sum += e->sum;
	w->n += e->n;
	if (!isnan(complete_mean) && complete_mean < w->minmean)
		w->minmean = complete_mean;
}

static double slot_mean(const struct sensor *s, const struct slot *e, int64_t step)
{
	return e->step == step && e->n > 0 ? s->shift + e->sum / e->n : NAN;
}

static int step_complete(const struct aw_features *f, const struct sensor *s, uint32_t n,
    double *share)
{
	double expect = (double)f->S / expect_interval(f, s);
	if (expect < 1)
		expect = 1;
	if (share)
		*share = n >= expect ? 1 : n / expect;
	return n > 0 && n >= f->o.completeness * expect;
}

/* step u enters the sensor's rolling sums and day windows */
static void account(struct aw_features *f, struct sensor *s, int64_t u)
{
	const struct slot *old = &s->ring[ring_pos(f, u - f->W7)], *e = &s->ring[ring_pos(f, u)];
	if (old->step == u - f->W7) {
		s->rsum -= old->sum;
		s->rsumsq -= old->sumsq;
		s->rn -= old->n;
	}
	s->rsum += e->sum;
	s->rsumsq += e->sumsq;
	s->rn += e->n;
	s->csum += e->sum;
	s->cn += e->n;

	const struct aw_local *lt = local_of(f, u);
	if (lt->hour >= NIGHT_H0 && lt->hour < NIGHT_H1) {
		if (s->night.day != NONE && s->night.day != lt->day_index)
			night_done(f, s);
		window_add(&s->night, lt->day_index, NIGHT_H0, NIGHT_H1, e,
		    step_complete(f, s, e->n, NULL) ? s->shift + e->sum / e->n : NAN);
	} else if (s->night.day != NONE) {
		night_done(f, s);
	}
	if (s->role != AW_ROLE_PRESSURE)
		return;
	if (lt->hour >= DAY_H0 && lt->hour < DAY_H1) {
		if (s->day.day != NONE && s->day.day != lt->day_index)
			day_done(f, s);
		window_add(&s->day, lt->day_index, DAY_H0, DAY_H1, e, NAN);
	} else if (s->day.day != NONE) {
		day_done(f, s);
	}
}

static void pressure_features(struct aw_features *f, struct sensor *s, int64_t u, double *v)
{
	struct slot *e = &s->ring[ring_pos(f, u)];
	double p = slot_mean(s, e, u);
	v[AW_F_PRESSURE_MEAN] = p;
	if (e->n > 1) {
		double var = (e->sumsq - e->sum * e->sum / e->n) / (e->n - 1);
		v[AW_F_PRESSURE_STD] = var > 0 ? sqrt(var) : 0;
	}
	if (e->n > 0) {
		v[AW_F_PRESSURE_MIN] = e->min;
		v[AW_F_PRESSURE_MAX] = e->max;
		v[AW_F_PRESSURE_RANGE] = e->max - e->min;
	}

	/* neighbours; the gradient anomaly compares each neighbour's difference with its
	 * own baseline, so that a neighbour without data changes nothing */
	const int64_t *lag = lags_of(f, u);
	double need = f->o.completeness * BASE_DAYS;
	double up = 0, down = 0, all = 0, anom = 0;
	int nup = 0, ndown = 0, nall = 0, nanom = 0;
	double mine = s->cn ? s->shift + s->csum / s->cn : NAN;
	for (size_t i = 0; i < s->nb.n && !isnan(p); i++) {
		struct nbr *b = &s->nb.v[i];
		if (b->idx == IGNORED && !aw_map_get(&f->index, b->id, &b->idx))
			continue;
		if (b->idx == IGNORED)
			continue;
		const struct sensor *o = f->s[b->idx];
		if (o->role != AW_ROLE_PRESSURE)
			continue;
		double q = slot_mean(o, &o->ring[ring_pos(f, u)], u);
		if (isnan(q))
			continue;
		int side = b->side;
		if (side == SIDE_AUTO) {
			/* the higher mean head is upstream; pressure when elevations are unknown */
			double theirs = o->shift + o->csum / o->cn;
			if (!isnan(s->elev) && !isnan(o->elev))
				side = theirs / M_HEAD_BAR + o->elev > mine / M_HEAD_BAR + s->elev ?
				    SIDE_UP : SIDE_DOWN;
			else
				side = theirs > mine ? SIDE_UP : SIDE_DOWN;
		}
		if (side == SIDE_UP)
			up += q, nup++;
		else
			down += q, ndown++;
		all += q;
		nall++;
		double base = 0;
		int nb = 0;
		for (int j = 1; j <= BASE_DAYS; j++) {
			if (lag[j] == NONE)
				continue;
			double a = slot_mean(o, &o->ring[ring_pos(f, lag[j])], lag[j]);
			double c = slot_mean(s, &s->ring[ring_pos(f, lag[j])], lag[j]);
			if (!isnan(a) && !isnan(c))
				base += a - c, nb++;
		}
		if (nb > 0 && nb >= need)
			anom += q - p - base / nb, nanom++;
	}
	v[AW_F_DIFF_UPSTREAM] = nup ? up / nup - p : NAN;
	v[AW_F_DIFF_DOWNSTREAM] = ndown ? p - down / ndown : NAN;
	v[AW_F_GRADIENT] = nall ? all / nall - p : NAN;
	v[AW_F_GRADIENT_ANOMALY] = nanom ? anom / nanom : NAN;

	/* baseline: the same local time on the previous seven days */
	double bp = 0;
	int np = 0;
	for (int j = 1; j <= BASE_DAYS; j++) {
		if (lag[j] == NONE)
			continue;
		double x = slot_mean(s, &s->ring[ring_pos(f, lag[j])], lag[j]);
		if (!isnan(x))
			bp += x, np++;
	}
	v[AW_F_DEVIATION] = np > 0 && np >= need ? p - bp / np : NAN;

	/* temporal */
	v[AW_F_CHANGE_1H] = p - slot_mean(s, &s->ring[ring_pos(f, u - f->H)], u - f->H);
	v[AW_F_CHANGE_24H] = p - slot_mean(s, &s->ring[ring_pos(f, u - f->D)], u - f->D);
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int n = 0;
	for (long k = 0; k <= f->H && !isnan(p); k++) {
		double y = slot_mean(s, &s->ring[ring_pos(f, u - k)], u - k);
		if (isnan(y))
			continue;
		double x = -(double)k;
		sx += x, sy += y, sxx += x * x, sxy += x * y;
		n++;
	}
	double den = n * sxx - sx * sx;
	v[AW_F_DROP_RATE] = n >= 2 && den > 0 ? -(n * sxy - sx * sy) / den * f->H : NAN;
	double expect7 = (double)f->W7 * f->S / expect_interval(f, s);
	double rmean = NAN, rstd = NAN;
	if (s->rn > 0 && s->rn >= f->o.completeness * expect7) {
		rmean = s->shift + s->rsum / s->rn;
		if (s->rn > 1) {
			double var = (s->rsumsq - s->rsum * s->rsum / s->rn) / (s->rn - 1);
			rstd = var > 0 ? sqrt(var) : 0;
		}
	}
	v[AW_F_ROLLING_MEAN_7D] = rmean;
	v[AW_F_ZSCORE] = rstd > 0 ? (p - rmean) / rstd : NAN;

	/* night */
	v[AW_F_MNF_PRESSURE] = s->mnf;
	v[AW_F_NIGHT_DAY_RATIO] = s->day_mean > 0 ? s->mnf / s->day_mean : NAN;
	v[AW_F_MNF_DEVIATION] = s->mnf_dev;

	static const int feat[AW_NRULES] = { AW_F_DEVIATION, AW_F_DROP_RATE,
		AW_F_NIGHT_DAY_RATIO, AW_F_MNF_DEVIATION, AW_F_GRADIENT_ANOMALY };
	double li = 0;
	int nli = 0;
	for (int r = 0; r < AW_NRULES; r++) {
		double sh = aw_rule_share(r, v[feat[r]], f->o.th);
		if (!isnan(sh))
			li += sh, nli++;
	}
	v[AW_F_LEAK_INDEX] = nli ? li / nli : NAN;
}

static void emit(struct aw_features *f, struct sensor *s, int64_t u)
{
	struct aw_features_row *row = &f->row;
	double *v = row->v;
	for (int i = 0; i < AW_NFEATURES; i++)
		v[i] = NAN;
	row->ts = u * f->S;
	row->sensor = s->id;
	row->dma = s->dma;
	row->role = s->role;
	const struct aw_local *lt = local_of(f, u);
	v[AW_F_HOUR_OF_DAY] = lt->hour;
	v[AW_F_IS_NIGHT] = lt->hour >= NIGHT_H0 && lt->hour < NIGHT_H1;
	v[AW_F_DAY_OF_WEEK] = lt->wday;
	v[AW_F_IS_WEEKEND] = lt->wday >= 5;
	row->complete = step_complete(f, s, s->ring[ring_pos(f, u)].n, &row->completeness);
	if (s->role == AW_ROLE_PRESSURE) {
		pressure_features(f, s, u, v);
	} else {
		v[AW_F_MNF_FLOW] = s->mnf;
		v[AW_F_MNF_FLOW_DEVIATION] = s->mnf_dev;
	}
	if (f->o.from == NONE || row->ts >= f->o.from)
		f->fn(row, f->ctx);
}

/* writes steps while every sensor has closed them, or while they are more than the
 * lateness behind the newest step (up to step `upto` exclusive) */
static void flush(struct aw_features *f, int64_t upto)
{
	while (f->E < upto && (f->nready == f->ns || f->W - f->E > f->L)) {
		int64_t u = f->E;
		for (size_t i = 0; i < f->ns; i++)
			if (f->s[i]->open <= u)
				close_until(f, f->s[i], u + 1);
		for (size_t i = 0; i < f->ns; i++)
			if (f->s[i]->first <= u)
				account(f, f->s[i], u);
		for (size_t i = 0; i < f->ns; i++)
			if (f->s[i]->first <= u)
				emit(f, f->s[i], u);
		f->E = u + 1;
		f->nready = 0;
		for (size_t i = 0; i < f->ns; i++)
			f->nready += f->s[i]->open > f->E;
	}
}

static int add(struct aw_features *f, struct sensor *s, int64_t k, int64_t ts, double value, int ok)
{
	int usable = ok && isfinite(value);
	if (k < s->open)
		return usable ? -1 : 1;
	if (k > s->open)
		close_until(f, s, k);
	if (s->last_ts != NONE && ts > s->last_ts) {
		int64_t d = ts - s->last_ts;
		if (s->interval == 0 || d < s->interval)
			s->interval = (long)d;
	}
	if (s->last_ts == NONE || ts > s->last_ts)
		s->last_ts = ts;
	if (!usable)
		return 1;
	value *= s->sign;
	if (!s->shifted) {
		s->shift = value;
		s->shifted = 1;
	}
	double x = value - s->shift;
	s->sum += x;
	s->sumsq += x * x;
	if (value < s->min)
		s->min = value;
	if (value > s->max)
		s->max = value;
	s->n++;
	return 1;
}

static struct sensor *lookup(struct aw_features *f, const char *id, size_t idlen, int *ignored)
{
	size_t i;
	*ignored = 0;
	if (!aw_map_getn(&f->index, id, idlen, &i))
		return NULL;
	if (i == IGNORED) {
		*ignored = 1;
		return NULL;
	}
	return f->s[i];
}

/* the newest step moves to k: write what is ready and what is too far behind */
static void step_to(struct aw_features *f, int64_t k)
{
	if (f->W == NONE) {
		f->W = f->E = k;
	} else if (k > f->W) {
		f->W = k;
		flush(f, k);
	}
}

static int reading(struct aw_features *f, struct sensor *s, const char *id, size_t idlen,
    const char *kind, const char *dma, int64_t ts, double value, int ok)
{
	int64_t k = floordiv(ts, f->S);
	if (f->W != NONE && k - f->W > AW_FEATURES_MAX_JUMP / f->S)
		return -2;
	step_to(f, k);
	if (k < f->E)	/* already written */
		return ok && isfinite(value) ? -1 : 1;
	if (!s && !(s = sensor_new(f, id, idlen, kind, dma, k)))
		return 0;
	int rc = add(f, s, k, ts, value, ok);
	if (f->nready == f->ns)
		flush(f, f->W);
	return rc;
}

int aw_features_add(struct aw_features *f, const char *sensor, size_t slen,
    const char *kind, const char *dma, int64_t ts, double value, int ok)
{
	int ignored;
	struct sensor *s = lookup(f, sensor, slen, &ignored);
	if (ignored)
		return 0;
	return reading(f, s, sensor, slen, kind, dma, ts, value, ok);
}

int aw_features_record(struct aw_features *f, struct aw_record *r, const char *file, long line)
{
	const struct aw_field *tf = r->n ? &r->f[0] : NULL;
	if (!tf || tf->klen != 4 || memcmp(tf->key, "type", 4) != 0)
		tf = aw_get(r, "type");
	if (!tf || tf->type != AW_JSTR || tf->vlen != 7 || memcmp(tf->val, "reading", 7) != 0)
		return 0;
	/* one pass over the fields instead of a lookup per key: this is the hot path */
	const struct aw_field *sf = NULL, *tsf = NULL, *vf = NULL, *qf = NULL, *uf = NULL;
	int kesc = 0;
	for (size_t i = 0; i < r->n; i++) {
		const struct aw_field *x = &r->f[i];
		if (x->kesc) {
			kesc = 1;
			continue;
		}
		if (x->klen == 2 && x->key[0] == 't' && x->key[1] == 's')
			tsf = tsf ? tsf : x;
		else if (x->klen == 2 && x->key[0] == 'q' && x->key[1] == 'c')
			qf = qf ? qf : x;
		else if (x->klen == 5 && memcmp(x->key, "value", 5) == 0)
			vf = vf ? vf : x;
		else if (x->klen == 6 && memcmp(x->key, "sensor", 6) == 0)
			sf = sf ? sf : x;
		else if (x->klen == 4 && memcmp(x->key, "unit", 4) == 0)
			uf = uf ? uf : x;
	}
	if (kesc) {	/* keys written with escapes: rare, leave them to aw_get */
		sf = sf ? sf : aw_get(r, "sensor");
		tsf = tsf ? tsf : aw_get(r, "ts");
		vf = vf ? vf : aw_get(r, "value");
		qf = qf ? qf : aw_get(r, "qc");
		uf = uf ? uf : aw_get(r, "unit");
	}
	if (!sf || sf->type != AW_JSTR || sf->vlen == 0) {
		aw_error_at(file, line, "reading without a sensor");
		return 1;
	}
	if (!tsf || tsf->type != AW_JSTR) {
		aw_error_at(file, line, "reading without a ts");
		return 1;
	}
	int64_t ts;
	if (tsf->vlen == f->ts_len && memcmp(tsf->val, f->ts_text, tsf->vlen) == 0) {
		ts = f->ts_val;
	} else {
		int zoned;
		if (aw_parse_time(tsf->val, tsf->vlen, &ts, &zoned) != 0) {
			aw_error_at(file, line, "bad ts '%.*s'", (int)tsf->vlen, tsf->val);
			return 1;
		}
		if (!zoned)
			ts = aw_tz_to_utc(ts, NULL, NULL);
		if (tsf->vlen < sizeof f->ts_text) {
			memcpy(f->ts_text, tsf->val, tsf->vlen);
			f->ts_len = tsf->vlen;
			f->ts_val = ts;
		}
	}
	const char *id = sf->val, *kind = NULL, *dma = NULL;
	size_t idlen = sf->vlen;
	if (sf->esc) {
		id = aw_field_str(r, sf);
		idlen = strlen(id);
	}
	int ignored;
	struct sensor *s = lookup(f, id, idlen, &ignored);
	if (ignored)
		return 1;
	if (!s) {
		kind = aw_get_str(r, "kind");
		dma = aw_get_str(r, "dma");
		if (sf->esc)
			id = aw_field_str(r, sf);	/* the scratch buffer may have moved */
	}
	/* readings carry canonical units (aw-record(5)); anything else would be summed as if */
	const char *canon = s ? (s->role == AW_ROLE_PRESSURE ? "bar" : "L/s") :
	    kind ? aw_unit_canonical(kind) : NULL;
	if (canon && uf && uf->type == AW_JSTR &&
	    (uf->vlen != strlen(canon) || memcmp(uf->val, canon, uf->vlen) != 0)) {
		aw_error_at(file, line, "reading of %.*s in '%.*s', not %s: skipped", (int)idlen, id,
		    (int)uf->vlen, uf->val, canon);
		return 1;
	}
	double value = NAN;
	if (vf && vf->type == AW_JNUM)
		value = aw_strtonum(vf->val, vf->vlen);
	int ok = !qf || (qf->type == AW_JSTR && qf->vlen == 2 && memcmp(qf->val, "ok", 2) == 0);
	int rc = reading(f, s, id, idlen, kind, dma, ts, value, ok);
	if (rc < 0) {
		char now[24];
		aw_fmt_time(now, ts);
		if (rc == -1)
			aw_error_at(file, line, "reading of %.*s at %s comes after its step was closed",
			    (int)idlen, id, now);
		else
			aw_error_at(file, line, "reading of %.*s at %s is more than a year after the "
			    "newest reading: a clock error? skipped", (int)idlen, id, now);
	}
	return 1;
}

void aw_features_finish(struct aw_features *f)
{
	if (f->W == NONE)
		return;
	f->W++;	/* everything is behind now */
	flush(f, f->W);
}

/* the feature columns are formatted here rather than field by field through the writer:
 * their keys need no escaping, and this is the hot path of the tool */
void aw_features_write(struct aw_writer *w, const struct aw_features_row *row)
{
	char buf[AW_NFEATURES * 64 + 128];
	size_t n = 0;

	aw_w_begin(w, "features");
	aw_w_ts(w, "ts", row->ts);
	aw_w_str(w, "sensor", row->sensor);
	aw_w_str(w, "dma", row->dma);
	for (int i = 0; i < AW_NFEATURES; i++) {
		if (row->role == AW_ROLE_PRESSURE ? i > AW_F_LEAK_INDEX :
		    i < AW_F_HOUR_OF_DAY || (i > AW_F_IS_WEEKEND && i < AW_F_MNF_FLOW))
			continue;
		memcpy(buf + n, feature_keys[i].s, feature_keys[i].n);
		n += feature_keys[i].n;
		if (i == AW_F_IS_NIGHT || i == AW_F_IS_WEEKEND) {
			memcpy(buf + n, row->v[i] != 0 ? "true" : "false", 5);
			n += row->v[i] != 0 ? 4 : 5;
		} else {
			n += (size_t)aw_fmt_num(buf + n, row->v[i], i == AW_F_HOUR_OF_DAY ||
			    i == AW_F_DAY_OF_WEEK ? 0 : 6);
		}
	}
	memcpy(buf + n, ",\"completeness\":", 16);
	n += 16;
	n += (size_t)aw_fmt_num(buf + n, row->completeness, 6);
	memcpy(buf + n, row->complete ? ",\"complete\":true}\n" : ",\"complete\":false}\n",
	    row->complete ? 18 : 19);
	n += row->complete ? 18 : 19;
	aw_w_bytes(w, buf, n);
}
