/* Water-quality features, rule detection, events and the sensor-fault check. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_quality.h"
#include "aw_time.h"

/* per kind: the noise floor under which a scale is not trusted (about the resolution of
 * the usual instruments) and the plausible range (as aw-ingest's QC) */
static const struct {
	const char *name;
	double floor, lo, hi;
} kinds[AW_Q_NKINDS] = {
	{ "chlorine", 0.002, 0, 5 },
	{ "turbidity", 0.002, 0, 1000 },
	{ "ph", 0.005, 0, 14 },
	{ "conductivity", 0.5, 0, 10000 },
	{ "redox", 0.5, -1000, 1500 },
	{ "temperature", 0.02, -5, 50 },
};

int aw_qkind(const char *kind)
{
	if (!kind)
		return -1;
	for (int k = 0; k < AW_Q_NKINDS; k++)
		if (strcmp(kind, kinds[k].name) == 0)
			return k;
	return -1;
}

const char *aw_qkind_name(int k)
{
	return k >= 0 && k < AW_Q_NKINDS ? kinds[k].name : "unknown";
}

long aw_qkinds_parse(const char *list)
{
	long mask = 0;
	char buf[32];

	while (*list) {
		size_t n = strcspn(list, ",");
		if (n == 0 || n >= sizeof buf)
			return -1;
		memcpy(buf, list, n);
		buf[n] = 0;
		int k = aw_qkind(buf);
		if (k < 0)
			return -1;
		mask |= 1L << k;
		list += n;
		if (*list == ',' && *++list == 0)
			return -1;
	}
	return mask ? mask : -1;
}

void aw_quality_limit(const struct aw_config *c, int k, struct aw_qlimit *l)
{
	char path[96];

	l->min = l->max = l->max_hours_below = NAN;
	if (k == AW_Q_CHLORINE)
		l->min = 0.2, l->max = 4, l->max_hours_below = 4;
	else if (k == AW_Q_TURBIDITY)
		l->max = 1;
	else if (k == AW_Q_PH)
		l->min = 6.5, l->max = 8.5;
	if (!c || k < 0)
		return;
	snprintf(path, sizeof path, "quality_limits.%s.min", kinds[k].name);
	l->min = aw_config_num(c, path, l->min);
	snprintf(path, sizeof path, "quality_limits.%s.max", kinds[k].name);
	l->max = aw_config_num(c, path, l->max);
	snprintf(path, sizeof path, "quality_limits.%s.max_hours_below", kinds[k].name);
	l->max_hours_below = aw_config_num(c, path, l->max_hours_below);
}

/* ---- features ---- */

void aw_qf_defaults(struct aw_qf_opts *o)
{
	memset(o, 0, sizeof *o);
	o->step = 900;
	o->window = 7200;
	o->rate_steps = 4;
	o->freeze = 6 * 3600;
	o->z_freeze = 4;
	o->tau = 86400;
	o->days = 7;
	o->from = INT64_MIN;
}

#define NROUGH 5
#define NCAND 8
#define RES_SEEN 10
#define MAXDAYS 31

/* a running mean for the first 1/a values, an exponential one after */
struct scale {
	double s;
	long n;
};

static void scale_add(struct scale *sc, double x, double a)
{
	if (!isfinite(x))
		return;
	sc->n++;
	double w = 1.0 / (double)sc->n;
	if (w < a)
		w = a;
	sc->s += w * (x - sc->s);
}

static double scaled(double x, const struct scale *sc, double floor)
{
	if (!isfinite(x) || sc->n == 0)
		return NAN;
	return x / (sc->s > floor ? sc->s : floor);
}

struct qsensor {
	char *id, *dma;
	int k;
	double lo, hi;
	struct aw_qlimit lim;
	/* the open step */
	double sum;
	int n_ok, n_all, n_bad, n_range;
	/* baseline: values of normal steps, and of all steps (for re-baselining) */
	double *base, *recent;
	int nbase, nrecent, ibase, irecent;
	long frozen;
	struct scale s_dev, s_chg, s_d1, s_day;
	double *hist;		/* levels of the last rate_steps steps, NAN when missing */
	int ihist, nhist;
	double d1[NROUGH];
	int id1, nd1;
	double prev;
	/* step changes seen in normal steps, with how often: the most frequent one, once seen
	 * RES_SEEN times, is the instrument's resolution (quantised sensors) */
	double cand[NCAND];
	long cand_n[NCAND];
	double res;
	double flat_v;
	int64_t flat_start, out_start;
	/* same local hour on previous days */
	double hmean[24][MAXDAYS];
	int64_t hday[24][MAXDAYS];
	int64_t acc_day;
	int acc_hour;
	double acc_sum;
	long acc_n;
};

struct aw_qfeatures {
	struct aw_qf_opts o;
	const struct aw_config *cfg;
	aw_qrows_fn fn;
	void *ctx;
	struct qsensor *s;
	size_t ns;
	struct aw_map idx;
	int64_t cur;		/* start of the open step, INT64_MIN before the first */
	int W, need;
	double *scratch;
	struct aw_qrow *rows;
	unsigned long late;
};

struct aw_qfeatures *aw_qfeatures_new(const struct aw_config *cfg, const struct aw_qf_opts *o,
    aw_qrows_fn fn, void *ctx)
{
	struct aw_qfeatures *f = aw_calloc(1, sizeof *f);
	f->o = *o;
	if (f->o.step <= 0)
		f->o.step = 900;
	if (f->o.rate_steps < 1)
		f->o.rate_steps = 1;
	if (f->o.days < 1)
		f->o.days = 1;
	if (f->o.days > MAXDAYS)
		f->o.days = MAXDAYS;
	f->cfg = cfg;
	f->fn = fn;
	f->ctx = ctx;
	f->cur = INT64_MIN;
	f->W = (int)(f->o.window / f->o.step);
	if (f->W < 3)
		f->W = 3;
	f->need = (f->W + 1) / 2;
	f->scratch = aw_calloc((size_t)f->W, sizeof *f->scratch);
	return f;
}

static size_t sensor_of(struct aw_qfeatures *f, const char *id, int k, const char *dma)
{
	size_t i;
	if (aw_map_get(&f->idx, id, &i))
		return i;
	f->s = aw_reallocarray(f->s, f->ns + 1, sizeof *f->s);
	struct qsensor *s = &f->s[f->ns];
	memset(s, 0, sizeof *s);
	s->id = aw_strdup(id);
	const struct aw_sensor *cs = f->cfg ? aw_sensor_find(f->cfg, id) : NULL;
	if (!dma && cs && cs->dma)
		dma = cs->dma;
	if (!dma)
		dma = f->o.dma;
	s->dma = dma ? aw_strdup(dma) : NULL;
	s->k = k;
	s->lo = cs && isfinite(cs->lo) ? cs->lo : kinds[k].lo;
	s->hi = cs && isfinite(cs->hi) ? cs->hi : kinds[k].hi;
	aw_quality_limit(f->cfg, k, &s->lim);
	s->base = aw_calloc((size_t)f->W, sizeof *s->base);
	s->recent = aw_calloc((size_t)f->W, sizeof *s->recent);
	s->hist = aw_calloc((size_t)f->o.rate_steps, sizeof *s->hist);
	s->prev = s->flat_v = NAN;
	s->res = INFINITY;
	s->flat_start = s->out_start = INT64_MIN;
	s->acc_day = INT64_MIN;
	for (int h = 0; h < 24; h++)
		for (int d = 0; d < MAXDAYS; d++)
			s->hday[h][d] = INT64_MIN;
	aw_map_put(&f->idx, id, f->ns);
	f->rows = aw_reallocarray(f->rows, f->ns + 1, sizeof *f->rows);
	return f->ns++;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(struct aw_qfeatures *f, const double *v, int n)
{
	memcpy(f->scratch, v, (size_t)n * sizeof *v);
	qsort(f->scratch, (size_t)n, sizeof *f->scratch, cmp_double);
	return n % 2 ? f->scratch[n / 2] : (f->scratch[n / 2 - 1] + f->scratch[n / 2]) / 2;
}

static void ring_push(double *r, int cap, int *i, int *n, double v)
{
	r[*i] = v;
	*i = (*i + 1) % cap;
	if (*n < cap)
		(*n)++;
}

/* the mean of the same local hour on the previous days, and this level into the hour */
static double same_hour(struct qsensor *s, int days, const struct aw_local *lt, double level)
{
	if (s->acc_day != INT64_MIN && (s->acc_day != lt->day_index || s->acc_hour != lt->hour)) {
		if (s->acc_n > 0) {
			int slot = (int)(((s->acc_day % days) + days) % days);
			s->hmean[s->acc_hour][slot] = s->acc_sum / (double)s->acc_n;
			s->hday[s->acc_hour][slot] = s->acc_day;
		}
		s->acc_sum = 0;
		s->acc_n = 0;
	}
	s->acc_day = lt->day_index;
	s->acc_hour = lt->hour;
	if (isfinite(level)) {
		s->acc_sum += level;
		s->acc_n++;
	}
	double sum = 0;
	int n = 0;
	for (int d = 0; d < days; d++) {
		int64_t day = s->hday[lt->hour][d];
		if (day != INT64_MIN && day < lt->day_index && day >= lt->day_index - days) {
			sum += s->hmean[lt->hour][d];
			n++;
		}
	}
	return n && isfinite(level) ? level - sum / n : NAN;
}

static void resolution(struct qsensor *s, double d)
{
	int i, best = -1, low = 0;
	for (i = 0; i < NCAND && s->cand_n[i]; i++) {
		if (fabs(s->cand[i] - d) <= 1e-6 * d) {
			s->cand_n[i]++;
			break;
		}
		if (s->cand_n[i] < s->cand_n[low])
			low = i;
	}
	if (i == NCAND) {
		s->cand[low] = d;
		s->cand_n[low] = 1;
	} else if (!s->cand_n[i]) {
		s->cand[i] = d;
		s->cand_n[i] = 1;
	}
	for (i = 0; i < NCAND && s->cand_n[i]; i++)
		if (s->cand_n[i] >= RES_SEEN && (best < 0 || s->cand_n[i] > s->cand_n[best] ||
		    (s->cand_n[i] == s->cand_n[best] && s->cand[i] < s->cand[best])))
			best = i;
	if (best >= 0)
		s->res = s->cand[best];
}

static void close_sensor(struct aw_qfeatures *f, struct qsensor *s, int64_t ts,
    const struct aw_local *lt, struct aw_qrow *r)
{
	const double a = (double)f->o.step / (double)f->o.tau;
	double floor = kinds[s->k].floor;
	if (isfinite(s->res) && s->res > floor)
		floor = s->res;
	const int K = f->o.rate_steps;
	double level = s->n_ok ? s->sum / s->n_ok : NAN;

	memset(r, 0, sizeof *r);
	r->ts = ts;
	r->sensor = s->id;
	r->dma = s->dma;
	r->kind = kinds[s->k].name;
	r->k = s->k;
	r->n = s->n_all;
	r->level = level;
	r->baseline = r->dev = r->z = r->change = r->change_z = r->rough = NAN;
	r->cross_z = r->flat_h = r->hours_outside = r->day_z = NAN;
	r->qc_bad = s->n_all ? (double)s->n_bad / s->n_all : NAN;
	r->hour = lt->hour;
	r->anomalous = -1;
	r->ascore = NAN;
	r->limit = AW_QNOLIMIT;
	r->out_of_range = s->n_range > 0 || (isfinite(level) && (level < s->lo || level > s->hi));
	r->dev_day = same_hour(s, f->o.days, lt, level);

	double ago = s->nhist == K ? s->hist[s->ihist] : NAN;	/* K steps before this one */
	ring_push(s->hist, K, &s->ihist, &s->nhist, level);
	double d1 = fabs(level - s->prev);
	s->prev = level;
	if (!isfinite(level)) {
		s->sum = 0;
		s->n_ok = s->n_all = s->n_bad = s->n_range = 0;
		return;
	}
	if (isfinite(d1))
		ring_push(s->d1, NROUGH, &s->id1, &s->nd1, d1);

	if (s->nbase >= f->need) {
		r->baseline = median(f, s->base, s->nbase);
		r->dev = level - r->baseline;
		r->z = scaled(r->dev, &s->s_dev, floor);
	}
	r->day_z = scaled(r->dev_day, &s->s_day, floor);
	r->change = level - ago;
	r->change_z = scaled(r->change, &s->s_chg, floor);
	if (s->nd1 >= 3) {
		double m = 0;
		for (int i = 0; i < s->nd1; i++)
			m += s->d1[i];
		r->rough = scaled(m / s->nd1, &s->s_d1, floor);
	}

	if (level == s->flat_v) {
		r->flat_h = (double)(ts - s->flat_start) / 3600;
	} else {
		s->flat_v = level;
		s->flat_start = ts;
		r->flat_h = 0;
	}
	if (isfinite(s->lim.min) || isfinite(s->lim.max)) {
		r->limit = level < s->lim.min ? -1 : level > s->lim.max ? 1 : 0;
		if (r->limit) {
			if (s->out_start == INT64_MIN)
				s->out_start = ts;
			r->hours_outside = (double)(ts + f->o.step - s->out_start) / 3600;
		} else {
			s->out_start = INT64_MIN;
			r->hours_outside = 0;
		}
	}

	ring_push(s->recent, f->W, &s->irecent, &s->nrecent, level);
	int unusual = fabs(r->z) > f->o.z_freeze || fabs(r->change_z) > f->o.z_freeze;
	if (unusual) {
		s->frozen += f->o.step;
		if (s->frozen > f->o.freeze) {
			/* a lasting new level: start over from the recent values */
			memcpy(s->base, s->recent, (size_t)f->W * sizeof *s->base);
			s->nbase = s->nrecent;
			s->ibase = s->irecent;
			s->frozen = 0;
		}
	} else {
		s->frozen = 0;
		if (d1 > 1e-9 * (1 + fabs(level)))
			resolution(s, d1);
		if (isfinite(r->dev))
			scale_add(&s->s_dev, fabs(r->dev), a);
		scale_add(&s->s_chg, fabs(r->change), a);
		scale_add(&s->s_day, fabs(r->dev_day), a);
		if (isfinite(d1))
			scale_add(&s->s_d1, d1, a);
		ring_push(s->base, f->W, &s->ibase, &s->nbase, level);
	}
	s->sum = 0;
	s->n_ok = s->n_all = s->n_bad = s->n_range = 0;
}

static void close_step(struct aw_qfeatures *f)
{
	struct aw_local lt;
	aw_tz_local(f->cur, &lt);
	for (size_t i = 0; i < f->ns; i++)
		close_sensor(f, &f->s[i], f->cur, &lt, &f->rows[i]);
	/* cross-sensor consistency: z against the other sensors of the kind and group */
	for (size_t i = 0; i < f->ns; i++) {
		struct aw_qrow *r = &f->rows[i];
		double sum = 0;
		int n = 0;
		if (!isfinite(r->z))
			continue;
		for (size_t j = 0; j < f->ns; j++) {
			const struct aw_qrow *o = &f->rows[j];
			if (j == i || o->k != r->k || !isfinite(o->z))
				continue;
			if ((r->dma == NULL) != (o->dma == NULL) || (r->dma && strcmp(r->dma, o->dma)))
				continue;
			sum += o->z;
			n++;
		}
		if (n)
			r->cross_z = r->z - sum / n;
	}
	if (f->cur >= f->o.from && f->ns)
		f->fn(f->rows, f->ns, f->ctx);
}

int aw_qfeatures_add(struct aw_qfeatures *f, const char *sensor, const char *kind,
    const char *dma, int64_t ts, double value, const char *qc)
{
	if (!kind && f->cfg) {
		const struct aw_sensor *cs = aw_sensor_find(f->cfg, sensor);
		kind = cs ? cs->kind : NULL;
	}
	int k = aw_qkind(kind);
	if (k < 0)
		return 0;
	int64_t step = ts - (((ts % f->o.step) + f->o.step) % f->o.step);
	if (f->cur != INT64_MIN && step < f->cur) {
		if (!isfinite(value))
			return 1;	/* a late gap changes nothing */
		f->late++;
		return -1;
	}
	if (step > f->cur) {
		if (f->cur != INT64_MIN)
			close_step(f);
		f->cur = step;
	}
	size_t si = sensor_of(f, sensor, k, dma);
	struct qsensor *s = &f->s[si];
	s->n_all++;
	int usable = (!qc || !strcmp(qc, "ok") || !strcmp(qc, "filled")) && isfinite(value);
	if (qc && strcmp(qc, "ok") && strcmp(qc, "filled"))
		s->n_bad++;
	if (qc && !strcmp(qc, "range"))
		s->n_range++;
	if (usable) {
		s->sum += value;
		s->n_ok++;
	}
	return 1;
}

int aw_qfeatures_record(struct aw_qfeatures *f, struct aw_record *r, const char *file,
    long line)
{
	if (!aw_is(r, "type", "reading"))
		return 0;
	const char *kind = aw_get_str(r, "kind"), *sensor = aw_get_str(r, "sensor");
	if (!sensor)
		return 0;
	if (!kind && f->cfg) {
		const struct aw_sensor *cs = aw_sensor_find(f->cfg, sensor);
		kind = cs ? cs->kind : NULL;
	}
	if (aw_qkind(kind) < 0)
		return 0;
	const char *ts = aw_get_str(r, "ts");
	int64_t t;
	int zoned;
	if (!ts || aw_parse_time(ts, strlen(ts), &t, &zoned)) {
		aw_error_at(file, line, "reading of %s without a valid ts", sensor);
		return 1;
	}
	double v = NAN;
	if (!aw_get_num(r, "value", &v))
		v = NAN;
	if (aw_qfeatures_add(f, sensor, kind, aw_get_str(r, "dma"), t, v, aw_get_str(r, "qc")) < 0 &&
	    f->late == 1)
		aw_error_at(file, line, "reading of %s at %s is earlier than the step being built: "
		    "the input must be in time order", sensor, ts);
	return 1;
}

void aw_qfeatures_finish(struct aw_qfeatures *f)
{
	if (f->cur != INT64_MIN)
		close_step(f);
	f->cur = INT64_MAX;
}

unsigned long aw_qfeatures_late(const struct aw_qfeatures *f)
{
	return f->late;
}

void aw_qfeatures_free(struct aw_qfeatures *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->ns; i++) {
		free(f->s[i].id);
		free(f->s[i].dma);
		free(f->s[i].base);
		free(f->s[i].recent);
		free(f->s[i].hist);
	}
	free(f->s);
	free(f->rows);
	free(f->scratch);
	aw_map_free(&f->idx);
	free(f);
}

void aw_qrow_write(struct aw_writer *w, const struct aw_qrow *r)
{
	aw_w_begin(w, "features");
	aw_w_ts(w, "ts", r->ts);
	aw_w_str(w, "sensor", r->sensor);
	if (r->dma)
		aw_w_str(w, "dma", r->dma);
	else
		aw_w_null(w, "dma");
	aw_w_str(w, "kind", r->kind);
	aw_w_num(w, "level", r->level, 6);
	aw_w_num(w, "baseline", r->baseline, 6);
	aw_w_num(w, "dev", r->dev, 6);
	aw_w_num(w, "z", r->z, 4);
	aw_w_num(w, "change", r->change, 6);
	aw_w_num(w, "change_z", r->change_z, 4);
	aw_w_num(w, "rough", r->rough, 4);
	aw_w_num(w, "dev_day", r->dev_day, 6);
	aw_w_num(w, "day_z", r->day_z, 4);
	aw_w_num(w, "cross_z", r->cross_z, 4);
	aw_w_num(w, "flat_h", r->flat_h, 4);
	aw_w_num(w, "qc_bad", r->qc_bad, 4);
	aw_w_bool(w, "out_of_range", r->out_of_range);
	if (r->limit == AW_QNOLIMIT)
		aw_w_null(w, "limit");
	else
		aw_w_int(w, "limit", r->limit);
	aw_w_num(w, "hours_outside", r->hours_outside, 4);
	aw_w_int(w, "hour_of_day", r->hour);
	aw_w_int(w, "readings", r->n);
	aw_w_end(w);
}

static double num(struct aw_record *r, const char *key)
{
	double v;
	return aw_get_num(r, key, &v) ? v : NAN;
}

int aw_qrow_parse(struct aw_record *r, struct aw_qrow *row)
{
	const char *ts = aw_get_str(r, "ts");
	int zoned;
	double v;

	memset(row, 0, sizeof *row);
	row->kind = aw_get_str(r, "kind");
	row->k = aw_qkind(row->kind);
	row->sensor = aw_get_str(r, "sensor");
	if (row->k < 0 || !row->sensor || !ts || aw_parse_time(ts, strlen(ts), &row->ts, &zoned))
		return -1;
	row->dma = aw_get_str(r, "dma");
	row->level = num(r, "level");
	row->baseline = num(r, "baseline");
	row->dev = num(r, "dev");
	row->z = num(r, "z");
	row->change = num(r, "change");
	row->change_z = num(r, "change_z");
	row->rough = num(r, "rough");
	row->dev_day = num(r, "dev_day");
	row->day_z = num(r, "day_z");
	row->cross_z = num(r, "cross_z");
	row->flat_h = num(r, "flat_h");
	row->qc_bad = num(r, "qc_bad");
	row->out_of_range = aw_get_bool(r, "out_of_range") == 1;
	row->limit = aw_get_num(r, "limit", &v) ? (int)v : AW_QNOLIMIT;
	row->hours_outside = num(r, "hours_outside");
	row->hour = aw_get_num(r, "hour_of_day", &v) ? (int)v : 0;
	row->n = aw_get_num(r, "readings", &v) ? (int)v : 0;
	row->anomalous = -1;
	row->ascore = NAN;
	return 0;
}

/* ---- detection ---- */

const char *const aw_qrule_names[AW_QR_N] = {
	"limit", "sustained", "deviation", "change", "oscillation", "anomaly",
};

static double cfgnum(const struct aw_config *c, const char *path, double dflt)
{
	return c ? aw_config_num(c, path, dflt) : dflt;
}

void aw_qdetect_defaults(struct aw_qdetect_opts *o, const struct aw_config *c)
{
	memset(o, 0, sizeof *o);
	o->k_z = cfgnum(c, "thresholds.quality.z", 6);
	o->k_change = cfgnum(c, "thresholds.quality.change", 0);
	o->k_rough = cfgnum(c, "thresholds.quality.rough", 0);
	o->off = 1;
	o->daily = 1;
	o->limits = 1;
	o->min_steps = (int)cfgnum(c, "thresholds.quality.min_steps", 2);
	o->max_gap = 0;
	o->kinds = AW_QKINDS_DEFAULT;
	o->flat_hours = 6;
	o->dma = "unassigned";
}

static void rule(double x, double k, int bit, double at, double *s, unsigned *rules)
{
	if (!(k > 0) || !isfinite(x))
		return;
	double v = fabs(x) / k;
	if (v > *s)
		*s = v;
	if (v >= at)
		*rules |= 1u << bit;
}

/* channel 0: the statistical rules; channel 1: the regulatory limits */
static double chan_strength(const struct aw_qrow *r, const struct aw_qdetect_opts *o,
    const struct aw_qlimit *lim, int ch, double at, unsigned *rules)
{
	double s = 0;
	unsigned got = 0;

	if (r->k < 0 || !(o->kinds & (1L << r->k)) || !isfinite(r->level)) {
		*rules = 0;
		return 0;
	}
	if (ch == 1 && o->limits && (r->limit == -1 || r->limit == 1)) {
		s = 1;
		got |= 1u << AW_QR_LIMIT;
		double tol = r->limit < 0 && lim && isfinite(lim->max_hours_below) ?
		    lim->max_hours_below : 0;
		if (r->hours_outside > tol) {
			s = 2;
			got |= 1u << AW_QR_SUSTAINED;
		}
	}
	if (ch == 0) {
		/* a level off both its recent baseline and its usual value at this hour: a
		 * daily cycle alone is not a deviation (and nothing is one before a day has
		 * been seen) */
		if (!o->daily)
			rule(r->z, o->k_z, AW_QR_DEVIATION, at, &s, &got);
		else if (isfinite(r->day_z))
			rule(fabs(r->day_z) < fabs(r->z) ? r->day_z : r->z, o->k_z, AW_QR_DEVIATION,
			    at, &s, &got);
		rule(r->change_z, o->k_change, AW_QR_CHANGE, at, &s, &got);
		rule(r->rough, o->k_rough, AW_QR_OSCILLATION, at, &s, &got);
		if (r->anomalous == 1) {
			if (s < 1)
				s = 1;
			got |= 1u << AW_QR_ANOMALY;
		}
	}
	*rules = s >= at ? got : 0;
	return s;
}

double aw_qrow_strength(const struct aw_qrow *r, const struct aw_qdetect_opts *o,
    const struct aw_qlimit *lim, double at, unsigned *rules)
{
	unsigned r0, r1;
	double s0 = chan_strength(r, o, lim, 0, at, &r0), s1 = chan_strength(r, o, lim, 1, at, &r1);
	if (rules)
		*rules = r0 | r1;
	return s0 > s1 ? s0 : s1;
}

/* ---- validation ---- */

int aw_quality_validate(const struct aw_qsummary *s, size_t n, double k_z, double flat_hours,
    struct aw_qcheck out[AW_QCHECKS])
{
	static const char *const names[AW_QCHECKS] = {
		"plausible_range", "not_flat", "qc_clean", "peers_agree", "other_parameters",
	};
	unsigned moved_kinds = 0;
	int nkinds = 0;

	for (int c = 0; c < AW_QCHECKS; c++) {
		out[c].name = names[c];
		out[c].passed = 1;
		out[c].detail[0] = 0;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i].moved && s[i].k >= 0 && !(moved_kinds & (1u << s[i].k))) {
			moved_kinds |= 1u << s[i].k;
			nkinds++;
		}
	int peers_seen = 0;
	for (size_t i = 0; i < n; i++) {
		const struct aw_qsummary *x = &s[i];
		if (!x->moved)
			continue;
		if (x->range_share > 0.5 && out[0].passed) {
			out[0].passed = 0;
			snprintf(out[0].detail, sizeof out[0].detail,
			    "%s outside the plausible range in %.0f%% of the steps", x->sensor,
			    100 * x->range_share);
		}
		if (x->flat_h >= flat_hours && out[1].passed) {
			out[1].passed = 0;
			snprintf(out[1].detail, sizeof out[1].detail,
			    "%s flat for %.1f h", x->sensor, x->flat_h);
		}
		if (x->qc_share > 0.5 && out[2].passed) {
			out[2].passed = 0;
			snprintf(out[2].detail, sizeof out[2].detail,
			    "%s QC-flagged in %.0f%% of its readings", x->sensor, 100 * x->qc_share);
		}
		if (isfinite(x->peers_z)) {
			peers_seen = 1;
			if (x->peers_z < k_z / 2 && x->max_z >= k_z && out[3].passed) {
				out[3].passed = 0;
				snprintf(out[3].detail, sizeof out[3].detail,
				    "%s moved (|z| %.1f) while the other %s sensors did not (|z| %.1f)",
				    x->sensor, x->max_z, aw_qkind_name(x->k), x->peers_z);
			}
		}
	}
	if (out[0].passed)
		snprintf(out[0].detail, sizeof out[0].detail, "within the plausible range");
	if (out[1].passed)
		snprintf(out[1].detail, sizeof out[1].detail, "no flat line of %.0f h", flat_hours);
	if (out[2].passed)
		snprintf(out[2].detail, sizeof out[2].detail, "readings mostly QC-clean");
	if (out[3].passed)
		snprintf(out[3].detail, sizeof out[3].detail, peers_seen ?
		    "sensors of the same kind moved together" : "no other sensor of the same kind");
	out[4].passed = nkinds >= 2;
	int len = snprintf(out[4].detail, sizeof out[4].detail, "%d parameter%s moved", nkinds,
	    nkinds == 1 ? "" : "s");
	for (int k = 0, first = 1; k < AW_Q_NKINDS && len < (int)sizeof out[4].detail; k++)
		if (moved_kinds & (1u << k)) {
			len += snprintf(out[4].detail + len, sizeof out[4].detail - (size_t)len, "%s%s",
			    first ? ": " : ", ", kinds[k].name);
			first = 0;
		}
	/* one other parameter moving too speaks for the water against a lonely sensor */
	return out[0].passed && out[1].passed && out[2].passed && (out[3].passed || out[4].passed);
}

/* ---- events ---- */

/* breaches of a limit less than this apart are one event (a residual hovering at its
 * minimum is one problem, not one an hour) */
#define LIMIT_GAP (2 * 3600)

struct gsensor {
	const char *id;		/* the rows' string (stable: the features engine's or interned) */
	int k;
	int moved;
	double max_z, max_strength, flat_h;
	long steps, range, qc_steps;
	double qc_sum;
};

struct qgroup {
	char *dma;
	int ch;			/* 0 statistical rules, 1 limits */
	size_t twin;		/* the limits group of a statistical one */
	int in_event;
	int64_t run_start, last_high, last_ts;
	int above;
	/* the event being built (from the start of the run) */
	int64_t alarm, end, peak_ts;
	double peak;
	int peak_k;
	unsigned params, rules;
	long steps;
	struct gsensor *gs;
	size_t ngs;
};

struct aw_qdetector {
	struct aw_qdetect_opts o;
	struct aw_qlimit lim[AW_Q_NKINDS];
	aw_qevent_fn fn;
	void *ctx;
	struct qgroup *g;
	size_t ng;
	struct aw_map gidx;
	struct aw_map names;	/* interned sensor ids */
	char **name_v;
	size_t nname;
	size_t *row_group;
	size_t nrow_group;
};

struct aw_qdetector *aw_qdetect_new(const struct aw_config *cfg,
    const struct aw_qdetect_opts *o, aw_qevent_fn fn, void *ctx)
{
	struct aw_qdetector *d = aw_calloc(1, sizeof *d);
	d->o = *o;
	if (d->o.min_steps < 1)
		d->o.min_steps = 1;
	if (!(d->o.off > 0) || d->o.off > 1)
		d->o.off = 1;
	if (!d->o.dma)
		d->o.dma = "unassigned";
	for (int k = 0; k < AW_Q_NKINDS; k++)
		aw_quality_limit(cfg, k, &d->lim[k]);
	d->fn = fn;
	d->ctx = ctx;
	return d;
}

static const char *intern(struct aw_qdetector *d, const char *s)
{
	size_t i;
	if (aw_map_get(&d->names, s, &i))
		return d->name_v[i];
	d->name_v = aw_reallocarray(d->name_v, d->nname + 1, sizeof *d->name_v);
	d->name_v[d->nname] = aw_strdup(s);
	aw_map_put(&d->names, s, d->nname);
	return d->name_v[d->nname++];
}

static struct qgroup *new_group(struct aw_qdetector *d, const char *dma, int ch)
{
	d->g = aw_reallocarray(d->g, d->ng + 1, sizeof *d->g);
	struct qgroup *g = &d->g[d->ng++];
	memset(g, 0, sizeof *g);
	g->dma = aw_strdup(dma);
	g->ch = ch;
	g->last_ts = INT64_MIN;
	return g;
}

/* the statistical group of a DMA (its limits group is g->twin) */
static size_t group_of(struct aw_qdetector *d, const char *dma)
{
	size_t i;
	if (aw_map_get(&d->gidx, dma, &i))
		return i;
	i = d->ng;
	new_group(d, dma, 0);
	new_group(d, dma, 1);
	d->g[i].twin = i + 1;
	aw_map_put(&d->gidx, dma, i);
	return i;
}

static void reset_build(struct qgroup *g)
{
	g->params = g->rules = 0;
	g->steps = 0;
	g->peak = -1;
	for (size_t i = 0; i < g->ngs; i++) {
		struct gsensor *s = &g->gs[i];
		s->moved = 0;
		s->max_z = s->max_strength = s->flat_h = 0;
		s->steps = s->range = s->qc_steps = 0;
		s->qc_sum = 0;
	}
}

static struct gsensor *gsensor_of(struct aw_qdetector *d, struct qgroup *g, const char *id, int k)
{
	for (size_t i = 0; i < g->ngs; i++)
		if (strcmp(g->gs[i].id, id) == 0)
			return &g->gs[i];
	g->gs = aw_reallocarray(g->gs, g->ngs + 1, sizeof *g->gs);
	struct gsensor *s = &g->gs[g->ngs++];
	memset(s, 0, sizeof *s);
	s->id = intern(d, id);
	s->k = k;
	return s;
}

static int by_strength(const void *a, const void *b)
{
	const struct gsensor *x = *(const struct gsensor *const *)a, *y = *(const struct gsensor *const *)b;
	if (x->max_strength != y->max_strength)
		return x->max_strength > y->max_strength ? -1 : 1;
	return strcmp(x->id, y->id);
}

static void emit(struct aw_qdetector *d, struct qgroup *g, int open)
{
	struct aw_qevent e;
	char t[24];

	memset(&e, 0, sizeof e);
	aw_fmt_time(t, g->run_start);
	snprintf(e.id, sizeof e.id, "EV-%s-%.80s-%.4s%.2s%.2sT%.2s%.2sZ", g->ch ? "QL" : "Q", g->dma,
	    t, t + 5, t + 8, t + 11, t + 14);
	e.dma = g->dma;
	e.start = g->run_start;
	e.end = g->end;
	e.alarm = g->alarm;
	e.peak_ts = g->peak_ts;
	e.peak_strength = g->peak;
	e.parameter = aw_qkind_name(g->peak_k);
	e.params = g->params;
	e.rules = g->rules;
	e.steps = g->steps;
	e.open = open;
	if (g->rules & (1u << AW_QR_SUSTAINED))
		e.severity = "high";
	else if ((g->rules & (1u << AW_QR_LIMIT)) || g->peak >= 3)
		e.severity = "medium";
	else
		e.severity = "low";

	struct gsensor **moved = aw_calloc(g->ngs ? g->ngs : 1, sizeof *moved);
	struct aw_qsummary *sum = aw_calloc(g->ngs ? g->ngs : 1, sizeof *sum);
	size_t nm = 0;
	for (size_t i = 0; i < g->ngs; i++) {
		struct gsensor *s = &g->gs[i];
		if (s->moved)
			moved[nm++] = s;
		sum[i].sensor = s->id;
		sum[i].k = s->k;
		sum[i].moved = s->moved;
		sum[i].max_z = s->max_z;
		sum[i].flat_h = s->flat_h;
		sum[i].steps = s->steps;
		sum[i].range_share = s->steps ? (double)s->range / s->steps : 0;
		sum[i].qc_share = s->qc_steps ? s->qc_sum / s->qc_steps : 0;
		sum[i].peers_z = NAN;
		for (size_t j = 0; j < g->ngs; j++)
			if (j != i && g->gs[j].k == s->k && !(g->gs[j].max_z <= sum[i].peers_z))
				sum[i].peers_z = g->gs[j].max_z;
	}
	qsort(moved, nm, sizeof *moved, by_strength);
	e.sensors = aw_calloc(nm ? nm : 1, sizeof *e.sensors);
	for (size_t i = 0; i < nm; i++)
		e.sensors[i] = (char *)moved[i]->id;
	e.nsensors = nm;
	e.valid = aw_quality_validate(sum, g->ngs, d->o.k_z > 0 ? d->o.k_z : 10, d->o.flat_hours,
	    e.checks);
	d->fn(&e, d->ctx);
	free(e.sensors);
	free(moved);
	free(sum);
	g->in_event = 0;
}

static void accumulate(struct aw_qdetector *d, struct qgroup *g, const struct aw_qrow *r,
    double s, unsigned rules, int64_t ts)
{
	struct gsensor *x = gsensor_of(d, g, r->sensor, r->k);
	x->steps++;
	if (fabs(r->z) > x->max_z)
		x->max_z = fabs(r->z);
	if (r->flat_h > x->flat_h)
		x->flat_h = r->flat_h;
	if (r->out_of_range)
		x->range++;
	if (isfinite(r->qc_bad)) {
		x->qc_sum += r->qc_bad;
		x->qc_steps++;
	}
	if (s > x->max_strength)
		x->max_strength = s;
	if (s >= 1) {
		x->moved = 1;
		g->params |= 1u << r->k;
		g->rules |= rules;
	}
	if (s > g->peak) {
		g->peak = s;
		g->peak_ts = ts;
		g->peak_k = r->k;
	}
}

static void group_step(struct aw_qdetector *d, struct qgroup *g, const struct aw_qrow *rows,
    size_t n, int64_t ts)
{
	double S = 0;
	double *str = aw_calloc(n ? n : 1, sizeof *str);
	unsigned *rl = aw_calloc(n ? n : 1, sizeof *rl);
	for (size_t i = 0; i < n; i++) {
		const struct aw_qlimit *lim = rows[i].k >= 0 ? &d->lim[rows[i].k] : NULL;
		str[i] = chan_strength(&rows[i], &d->o, lim, g->ch, 1, &rl[i]);
		if (str[i] > S)
			S = str[i];
	}
	int high = S >= d->o.off, on = S >= 1;

	if (g->in_event) {
		if (high) {
			g->end = ts;
			g->last_high = ts;
			g->steps++;
			for (size_t i = 0; i < n; i++)
				accumulate(d, g, &rows[i], str[i], rl[i], ts);
		} else if (ts - g->last_high > (g->ch && d->o.max_gap < LIMIT_GAP ? LIMIT_GAP : d->o.max_gap)) {
			emit(d, g, 0);
			g->run_start = INT64_MIN;
			g->above = 0;
		}
	} else if (!high) {
		g->run_start = INT64_MIN;
		g->above = 0;
	} else {
		if (g->run_start == INT64_MIN) {
			g->run_start = ts;
			reset_build(g);
		}
		g->steps++;
		for (size_t i = 0; i < n; i++)
			accumulate(d, g, &rows[i], str[i], rl[i], ts);
		g->above = on ? g->above + 1 : 0;
		if (g->above >= d->o.min_steps) {
			g->in_event = 1;
			g->alarm = g->end = g->last_high = ts;
		}
	}
	free(str);
	free(rl);
}

void aw_qdetect_step(struct aw_qdetector *d, const struct aw_qrow *rows, size_t n)
{
	if (!n)
		return;
	if (d->nrow_group < n) {
		d->row_group = aw_reallocarray(d->row_group, n, sizeof *d->row_group);
		d->nrow_group = n;
	}
	for (size_t i = 0; i < n; i++)
		d->row_group[i] = group_of(d, rows[i].dma ? rows[i].dma : d->o.dma);
	struct aw_qrow *sub = aw_calloc(n, sizeof *sub);
	for (size_t gi = 0; gi < d->ng; gi++) {
		if (d->g[gi].ch)
			continue;
		size_t m = 0;
		for (size_t i = 0; i < n; i++)
			if (d->row_group[i] == gi)
				sub[m++] = rows[i];
		if (!m)
			continue;
		int64_t ts = sub[0].ts;
		for (int c = 0; c < 2; c++) {
			/* d->g may move while it grows: index it afresh */
			struct qgroup *g = &d->g[c ? d->g[gi].twin : gi];
			if (ts <= g->last_ts)
				continue;
			g->last_ts = ts;
			group_step(d, g, sub, m, ts);
		}
	}
	free(sub);
}

void aw_qdetect_finish(struct aw_qdetector *d)
{
	for (size_t i = 0; i < d->ng; i++)
		if (d->g[i].in_event)
			emit(d, &d->g[i], 1);
}

void aw_qdetect_free(struct aw_qdetector *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->ng; i++) {
		free(d->g[i].dma);
		free(d->g[i].gs);
	}
	free(d->g);
	for (size_t i = 0; i < d->nname; i++)
		free(d->name_v[i]);
	free(d->name_v);
	aw_map_free(&d->names);
	aw_map_free(&d->gidx);
	free(d->row_group);
	free(d);
}

void aw_qevent_write(struct aw_writer *w, const struct aw_qevent *e)
{
	aw_w_begin(w, "event");
	aw_w_str(w, "id", e->id);
	aw_w_str(w, "dma", e->dma);
	aw_w_ts(w, "start", e->start);
	aw_w_ts(w, "end", e->end);
	aw_w_ts(w, "alarm", e->alarm);
	/* strength s (1 at a threshold) as s / (1 + s): 0.5 at the threshold */
	aw_w_num(w, "peak_p", e->peak_strength / (1 + e->peak_strength), 6);
	aw_w_ts(w, "peak_ts", e->peak_ts);
	aw_w_arr_begin(w, "sensors");
	for (size_t i = 0; i < e->nsensors; i++)
		aw_w_str(w, NULL, e->sensors[i]);
	aw_w_arr_end(w);
	aw_w_str(w, "source", "quality");
	aw_w_int(w, "steps", e->steps);
	aw_w_bool(w, "open", e->open);
	aw_w_str(w, "kind", "quality");
	aw_w_str(w, "parameter", e->parameter);
	aw_w_arr_begin(w, "parameters");
	for (int k = 0; k < AW_Q_NKINDS; k++)
		if (e->params & (1u << k))
			aw_w_str(w, NULL, kinds[k].name);
	aw_w_arr_end(w);
	aw_w_arr_begin(w, "rules");
	for (int r = 0; r < AW_QR_N; r++)
		if (e->rules & (1u << r))
			aw_w_str(w, NULL, aw_qrule_names[r]);
	aw_w_arr_end(w);
	aw_w_num(w, "strength", e->peak_strength, 4);
	aw_w_str(w, "severity", e->severity);
	aw_w_end(w);
}

void aw_qvalidation_write(struct aw_writer *w, const struct aw_qevent *e)
{
	aw_w_begin(w, "validation");
	aw_w_str(w, "event", e->id);
	aw_w_bool(w, "valid", e->valid);
	aw_w_str(w, "verdict", e->valid ? "water_change" : "sensor_fault");
	aw_w_arr_begin(w, "checks");
	for (int c = 0; c < AW_QCHECKS; c++) {
		aw_w_obj_begin(w, NULL);
		aw_w_str(w, "name", e->checks[c].name);
		aw_w_bool(w, "passed", e->checks[c].passed);
		aw_w_str(w, "detail", e->checks[c].detail);
		aw_w_obj_end(w);
	}
	aw_w_arr_end(w);
	aw_w_str(w, "source", "quality");
	aw_w_end(w);
}
