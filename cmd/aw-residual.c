/* aw-residual: pressure residual models per sensor, CUSUM change detection per DMA and
 * probability records for aw-event; `train` fits the models on leak-free history. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_units.h"
#include "aw_dmastep.h"
#include "aw_residual.h"

enum {
	OPT_FROM = AW_LONG, OPT_TO, OPT_STEP, OPT_GROUP, OPT_H, OPT_H2, OPT_K, OPT_ACCEPT,
	OPT_WARM, OPT_INFLOW, OPT_PASS
};

static const struct aw_opt opts[] = {
	{ 'm', "model", "FILE", "model to score with" },
	{ 'R', "residuals", NULL, "also write a residual record per sensor and step" },
	{ OPT_H, "threshold", "H", "neighbourhood CUSUM that raises an alarm (default 6)" },
	{ OPT_H2, "robust-threshold", "H",
	    "the same neighbourhood without its strongest sensor must reach H (default 3)" },
	{ OPT_K, "reference", "K", "CUSUM reference value in noise units per step (default 1)" },
	{ OPT_ACCEPT, "accept", "DUR", "time after the change point before a change is accepted (default 1d)" },
	{ OPT_WARM, "warm-up", "DUR", "time at the start used to re-anchor the models (default 1d)" },
	{ OPT_INFLOW, "inflow", "LIST",
	    "flow sensors whose sum is the DMA inflow, -ID subtracts (default: the configured inlets)" },
	{ OPT_PASS, "pass", NULL, "pass the readings through as well" },
	{ OPT_FROM, "from", "TIME", "ignore readings before TIME" },
	{ OPT_TO, "to", "TIME", "ignore readings at or after TIME" },
	{ 'o', "output", "FILE", "train: the model file to write" },
	{ OPT_STEP, "step", "DUR", "train: step of the models (default 15m)" },
	{ OPT_GROUP, "group-size", "N", "train: neighbours of each sensor (default 3)" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cmd cmds[] = {
	{ "train", "fit the residual models on leak-free readings" },
	{ NULL, NULL },
};

static const struct aw_cli cli = {
	"[-R] [--threshold H] [--accept DUR] [--inflow LIST] [--from TIME] -m MODEL [FILE...]\n"
	"train -o MODEL [--step DUR] [--group-size N] [--from TIME] [--to TIME] [FILE...]",
	"Pressure residuals, CUSUM change detection and leak probability per DMA and step.",
	opts, cmds,
};

static int64_t opt_time(const char *opt, const char *s)
{
	int64_t t;
	int zoned;
	if (aw_parse_time(s, strlen(s), &t, &zoned))
		aw_usage_error("%s: not a time: %s", opt, s);
	return t;
}

/* a usable reading: ts, sensor, numeric value, qc ok; kind when asked */
static int reading(struct aw_record *r, int64_t *ts, const char **sensor, double *v,
    const char **kind)
{
	const char *t;
	int zoned;
	if (!aw_is(r, "type", "reading") || !aw_is(r, "qc", "ok") || !aw_get_num(r, "value", v))
		return 0;
	if (!(t = aw_get_str(r, "ts")) || aw_parse_time(t, strlen(t), ts, &zoned))
		return -1;
	if (!(*sensor = aw_get_str(r, "sensor")))
		return -1;
	if (kind && !(*kind = aw_get_str(r, "kind")))
		return -1;
	const struct aw_field *u = aw_get(r, "unit");
	if (u && u->type == AW_JSTR && !aw_unit_is_canonical(aw_get_str(r, "kind"), u->val, u->vlen))
		return -2;	/* values in psi would be taken for bar */
	return 1;
}

static int64_t floordiv(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* ---- training ---- */

struct tcol {
	char *id;
	int input;		/* flow or level */
	double *sum;
	int *cnt;
};

struct tdma {
	char *id;
	struct tcol *col;
	size_t ncol;
	struct aw_map idx;
	int64_t first, last;	/* step indices */
	size_t cap;		/* steps allocated per column */
};

static struct tcol *tcol_get(struct tdma *d, const char *id, int input)
{
	size_t i;
	if (aw_map_get(&d->idx, id, &i))
		return &d->col[i];
	d->col = aw_reallocarray(d->col, d->ncol + 1, sizeof *d->col);
	struct tcol *c = &d->col[d->ncol];
	c->id = aw_strdup(id);
	c->input = input;
	c->sum = aw_calloc(d->cap + 1, sizeof *c->sum);
	c->cnt = aw_calloc(d->cap + 1, sizeof *c->cnt);
	aw_map_put(&d->idx, id, d->ncol++);
	return c;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct tdma *get_dma(struct tdma **dmas, size_t *nd, struct aw_map *didx, const char *id)
{
	size_t di;
	if (!aw_map_get(didx, id, &di)) {
		*dmas = aw_reallocarray(*dmas, *nd + 1, sizeof **dmas);
		memset(&(*dmas)[*nd], 0, sizeof **dmas);
		(*dmas)[*nd].id = aw_strdup(id);
		(*dmas)[*nd].first = INT64_MAX;
		aw_map_put(didx, id, di = (*nd)++);
	}
	return &(*dmas)[di];
}

/* room for steps first..last, moving the data when a reading comes before the first */
static void make_room(struct tdma *d, int64_t si)
{
	if (d->first == INT64_MAX)
		d->first = d->last = si;
	size_t shift = si < d->first ? (size_t)(d->first - si) : 0;
	if (si > d->last)
		d->last = si;
	size_t need = (size_t)(d->last - d->first) + shift + 1;
	if (need > d->cap) {
		size_t nc = d->cap ? d->cap : 1024;
		while (nc < need)
			nc *= 2;
		for (size_t c = 0; c < d->ncol; c++) {
			d->col[c].sum = aw_reallocarray(d->col[c].sum, nc, sizeof(double));
			d->col[c].cnt = aw_reallocarray(d->col[c].cnt, nc, sizeof(int));
			memset(d->col[c].sum + d->cap, 0, (nc - d->cap) * sizeof(double));
			memset(d->col[c].cnt + d->cap, 0, (nc - d->cap) * sizeof(int));
		}
		d->cap = nc;
	}
	if (shift) {
		size_t used = (size_t)(d->last - d->first) + 1;
		for (size_t c = 0; c < d->ncol; c++) {
			memmove(d->col[c].sum + shift, d->col[c].sum, used * sizeof(double));
			memmove(d->col[c].cnt + shift, d->col[c].cnt, used * sizeof(int));
			memset(d->col[c].sum, 0, shift * sizeof(double));
			memset(d->col[c].cnt, 0, shift * sizeof(int));
		}
		d->first = si;
	}
}

static void add_reading(struct tdma *d, const char *sensor, int input, int64_t si, double v)
{
	make_room(d, si);
	struct tcol *c = tcol_get(d, sensor, input);
	size_t off = (size_t)(si - d->first);
	c->sum[off] += v;
	c->cnt[off]++;
}

static int train(const char *out, long step, int group, int64_t from, int64_t to,
    const struct aw_config *cfg, char **files, int nfiles)
{
	struct tdma *dmas = NULL;
	size_t nd = 0;
	struct aw_map didx = { 0 };
	struct aw_reader *in = aw_reader_open(files, nfiles);
	struct aw_record r = { 0 };
	unsigned long long nrec = 0;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;

	while (aw_read(in, &r)) {
		int64_t ts;
		const char *sensor, *kind, *dma;
		double v;
		int k = reading(&r, &ts, &sensor, &v, &kind);
		aw_progress(++nrec, "records");
		if (k < 0)
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in), k == -2 ?
			    "reading in a unit other than the canonical one of its kind" :
			    "reading needs ts, sensor and kind");
		if (k <= 0 || ts < from || ts >= to)
			continue;
		int input = strcmp(kind, "flow") == 0 || strcmp(kind, "level") == 0;
		if (!input && strcmp(kind, "pressure") != 0)
			continue;
		if (!(dma = aw_get_str(&r, "dma")))
			dma = AW_DMA_NONE;
		int64_t si = floordiv(ts, step);
		add_reading(get_dma(&dmas, &nd, &didx, dma), sensor, input, si, v);
		/* a DMA's inlets, outlets and tank levels are its inputs, wherever they are */
		for (size_t dk = 0; input && cfg && dk < cfg->ndmas; dk++) {
			const struct aw_dma *cd = &cfg->dmas[dk];
			int listed = 0;
			for (size_t j = 0; j < cd->ninlets; j++)
				listed |= strcmp(cd->inlets[j], sensor) == 0;
			for (size_t j = 0; j < cd->noutlets; j++)
				listed |= strcmp(cd->outlets[j], sensor) == 0;
			for (size_t j = 0; j < cd->ntanks; j++)
				listed |= strcmp(cd->tanks[j], sensor) == 0;
			if (listed && strcmp(cd->id, dma) != 0)
				add_reading(get_dma(&dmas, &nd, &didx, cd->id), sensor, 1, si, v);
		}
		if (ts < tmin)
			tmin = ts;
		if (ts > tmax)
			tmax = ts;
	}
	aw_progress_done();
	aw_reader_close(in);
	aw_record_free(&r);

	struct aw_resid_model m = { .step = step, .ridge = 1e-3, .ac_max = 0.2, .group_size = group };
	struct aw_resid_train_opts topt = { .ridge = m.ridge, .ac_max = m.ac_max, .group_size = group,
	    .robust = 1, .step = step };
	char **dnames = aw_calloc(nd + 1, sizeof *dnames);
	for (size_t i = 0; i < nd; i++)
		dnames[i] = dmas[i].id;
	qsort(dnames, nd, sizeof *dnames, cmp_str);
	for (size_t k = 0; k < nd; k++) {
		size_t di;
		aw_map_get(&didx, dnames[k], &di);
		struct tdma *d = &dmas[di];
		char **ins = aw_calloc(d->ncol + 1, sizeof *ins), **prs = aw_calloc(d->ncol + 1, sizeof *prs);
		size_t ni = 0, np = 0;
		for (size_t c = 0; c < d->ncol; c++)
			if (d->col[c].input)
				ins[ni++] = d->col[c].id;
			else
				prs[np++] = d->col[c].id;
		qsort(ins, ni, sizeof *ins, cmp_str);
		qsort(prs, np, sizeof *prs, cmp_str);
		size_t ns = (size_t)(d->last - d->first + 1), ncol = ni + np;
		double *data = aw_malloc((ns * ncol + 1) * sizeof *data);
		int64_t *ts = aw_malloc((ns + 1) * sizeof *ts);
		for (size_t c = 0; c < ncol; c++) {
			size_t ci;
			aw_map_get(&d->idx, c < ni ? ins[c] : prs[c - ni], &ci);
			for (size_t s = 0; s < ns; s++)
				data[s * ncol + c] = d->col[ci].cnt[s] ?
				    d->col[ci].sum[s] / d->col[ci].cnt[s] : NAN;
		}
		for (size_t s = 0; s < ns; s++)
			ts[s] = (d->first + (int64_t)s) * step;
		struct aw_resid_dma *fit = np ? aw_resid_fit(d->id, ins, ni, prs, np, data, ts, ns, &topt,
		    aw_opt_quiet) : NULL;
		if (fit) {
			m.d = aw_reallocarray(m.d, m.ndmas + 1, sizeof *m.d);
			m.d[m.ndmas++] = *fit;
			free(fit);
			if (!aw_opt_quiet)
				aw_warn("dma %s: %zu pressure sensors on %zu inputs, %ld steps, %d of %d days left out",
				    d->id, m.d[m.ndmas - 1].nsensors, ni, (long)ns,
				    m.d[m.ndmas - 1].excluded_days, m.d[m.ndmas - 1].days);
		} else if (!aw_opt_quiet)
			aw_warn("dma %s: no pressure sensor could be modelled", d->id);
		free(ins);
		free(prs);
		free(data);
		free(ts);
	}
	free(dnames);
	int rc = 0;
	if (!m.ndmas) {
		aw_warn("nothing could be modelled; no model written");
		rc = 1;
	} else {
		m.from = floordiv(tmin, step) * step;
		m.to = (floordiv(tmax, step) + 1) * step;
		if (aw_resid_model_write(&m, out) != 0)
			rc = 1;
		else if (!aw_opt_quiet)
			aw_warn("model %s written to %s", m.id, out);
	}
	for (size_t i = 0; i < nd; i++) {
		for (size_t c = 0; c < dmas[i].ncol; c++) {
			free(dmas[i].col[c].id);
			free(dmas[i].col[c].sum);
			free(dmas[i].col[c].cnt);
		}
		free(dmas[i].col);
		free(dmas[i].id);
		aw_map_free(&dmas[i].idx);
	}
	free(dmas);
	aw_map_free(&didx);
	for (size_t k = 0; k < m.ndmas; k++) {
		struct aw_resid_dma *d = aw_malloc(sizeof *d);
		*d = m.d[k];
		aw_resid_dma_free(d);
	}
	free(m.d);
	int frc = aw_finish();
	return rc ? rc : frc;
}

/* ---- scoring ---- */

enum { OPEN = 4, WEEKS = 3, NIGHTS = 7 };

/* the DMA inflow and its baselines (same weekly slot, minimum night flow) */
struct balance {
	size_t n;
	size_t *col;		/* columns of the inflow sensors in the step row */
	double *sign;
	double *hist;		/* WEEKS weeks of step inflows, ring */
	size_t week;		/* steps per week */
	double night_sum;
	long night_cnt;
	int64_t night_day;	/* local day of the night being summed, -1 none */
	int night_event;
	double nights[NIGHTS];
	int nnights;
	double mnf_rise;
};

struct sdma {
	const struct aw_resid_dma *m;
	struct aw_resid_state *st;
	size_t ncol;		/* inputs + sensors + extra inflow columns */
	char **colid;
	int64_t next;		/* next step index to process, INT64_MIN before the first */
	double *sum;		/* OPEN x ncol: open steps by step index modulo OPEN */
	int *cnt;
	double *row;
	struct balance bal;
	/* rolling residual means per sensor: last day */
	double *rhist;
	long nsteps;
};

struct target;

struct scorer {
	struct aw_resid_model *m;
	struct aw_resid_params p;
	struct sdma *d;
	struct aw_map where;	/* sensor id -> first target */
	struct target *targets;
	size_t ntargets;
	int residuals;
	long late;
	int64_t from, to;
};

static const char *phase_name(enum aw_resid_phase p)
{
	switch (p) {
	case AW_RESID_WARM: return "warm";
	case AW_RESID_QUIET: return "quiet";
	case AW_RESID_EVENT: return "event";
	case AW_RESID_REPAIR: return "repair";
	}
	return "?";
}

static double median_small(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void balance_step(struct sdma *d, long step, int64_t ts, const double *row, int in_event,
    double *inflow, double *baseline)
{
	struct balance *b = &d->bal;
	double q = 0;

	*inflow = *baseline = NAN;
	if (!b->n)
		return;
	for (size_t k = 0; k < b->n; k++)
		q += b->sign[k] * row[b->col[k]];
	*inflow = q;
	long t = d->nsteps;
	double v[WEEKS];
	int nv = 0;
	for (int w = 1; w <= WEEKS; w++)
		if (t - (long)b->week * w >= 0) {
			double h = b->hist[(size_t)(t - (long)b->week * w) % (b->week * WEEKS)];
			if (!isnan(h))
				v[nv++] = h;
		}
	if (nv >= 2)
		*baseline = median_small(v, nv);
	b->hist[(size_t)t % (b->week * WEEKS)] = q;

	/* minimum night flow: mean inflow from 01:00 to 04:00 local time */
	struct aw_local lt;
	aw_tz_local(ts, &lt);
	int night = lt.hour >= 1 && lt.hour < 4;
	if (night) {
		if (b->night_day != lt.day_index) {
			b->night_day = lt.day_index;
			b->night_sum = 0;
			b->night_cnt = 0;
			b->night_event = 0;
		}
		if (!isnan(q)) {
			b->night_sum += q;
			b->night_cnt++;
		}
		b->night_event |= in_event;
	} else if (b->night_day >= 0) {
		long need = 3L * 3600 / step / 2;
		if (b->night_cnt >= need) {
			double mnf = b->night_sum / b->night_cnt, tmp[NIGHTS];
			if (b->nnights >= 3) {
				memcpy(tmp, b->nights, sizeof tmp);
				b->mnf_rise = mnf - median_small(tmp, b->nnights);
			}
			/* the baseline does not learn nights spent in an event */
			if (!b->night_event) {
				if (b->nnights == NIGHTS)
					memmove(b->nights, b->nights + 1, (NIGHTS - 1) * sizeof *b->nights);
				else
					b->nnights++;
				b->nights[b->nnights - 1] = mnf;
			}
		}
		b->night_day = -1;
	}
}

static void write_step(struct scorer *s, struct sdma *d, int64_t ts, const double *row)
{
	const struct aw_resid_dma *m = d->m;
	const struct aw_resid_out *o = aw_resid_step(d->st, ts, row);
	int64_t end = ts + s->m->step;
	double inflow, baseline;
	size_t n = m->nsensors;

	balance_step(d, s->m->step, ts, row, o->phase == AW_RESID_EVENT, &inflow, &baseline);
	long day = 86400 / s->m->step, hour = 3600 / s->m->step > 0 ? 3600 / s->m->step : 1;
	for (size_t i = 0; i < n; i++)
		d->rhist[(size_t)(d->nsteps % day) * n + i] = o->resid[i];
	d->nsteps++;
	if (ts < s->from || ts >= s->to)
		return;

	aw_w_begin(aw_out, "probability");
	aw_w_ts(aw_out, "ts", end);
	aw_w_str(aw_out, "dma", m->id);
	aw_w_num(aw_out, "p_leak", o->p_leak, 4);
	aw_w_str(aw_out, "confidence", o->p_leak >= 0.8 ? "high" : o->p_leak >= 0.5 ? "medium" : "low");
	aw_w_str(aw_out, "model", "residual");
	aw_w_str(aw_out, "model_id", s->m->id);
	aw_w_str(aw_out, "phase", phase_name(o->phase));
	aw_w_num(aw_out, "statistic", o->stat, 3);
	aw_w_num(aw_out, "robust", o->robust, 3);
	if (o->run_start >= 0)
		aw_w_ts(aw_out, "change", o->run_start + s->m->step);
	else
		aw_w_null(aw_out, "change");
	aw_w_arr_begin(aw_out, "sensors");
	for (size_t k = 0; k < n && k < 8; k++) {
		size_t i = o->order[k];
		if (fmax(o->up[i], o->down[i]) < s->p.hs / 2)
			break;
		aw_w_str(aw_out, NULL, m->s[i].id);
	}
	aw_w_arr_end(aw_out);
	aw_w_obj_begin(aw_out, "residuals");
	for (size_t i = 0; i < n; i++)
		aw_w_num(aw_out, m->s[i].id, o->resid[i], 4);
	aw_w_obj_end(aw_out);
	if (o->run_start >= 0) {
		aw_w_obj_begin(aw_out, "shift");
		for (size_t i = 0; i < n; i++)
			aw_w_num(aw_out, m->s[i].id, o->shift[i], 4);
		aw_w_obj_end(aw_out);
	} else
		aw_w_null(aw_out, "shift");
	if (d->bal.n) {
		aw_w_num(aw_out, "inflow", inflow, 2);
		aw_w_num(aw_out, "inflow_baseline", baseline, 2);
		aw_w_num(aw_out, "mnf_rise", d->bal.mnf_rise, 2);
	}
	aw_w_end(aw_out);

	if (!s->residuals)
		return;
	long have = d->nsteps < day ? d->nsteps : day;
	for (size_t i = 0; i < n; i++) {
		double sh = 0, sd = 0;
		long kh = 0, kd = 0;
		for (long a = 0; a < have; a++) {
			double r = d->rhist[(size_t)((d->nsteps - 1 - a) % day) * n + i];
			if (isnan(r))
				continue;
			sd += r;
			kd++;
			if (a < hour) {
				sh += r;
				kh++;
			}
		}
		aw_w_begin(aw_out, "residual");
		aw_w_ts(aw_out, "ts", end);
		aw_w_str(aw_out, "sensor", m->s[i].id);
		aw_w_str(aw_out, "dma", m->id);
		aw_w_num(aw_out, "residual", o->resid[i], 4);
		aw_w_num(aw_out, "z", o->z[i], 3);
		aw_w_num(aw_out, "mean_1h", kh ? sh / kh : NAN, 4);
		aw_w_num(aw_out, "mean_24h", kd ? sd / kd : NAN, 4);
		aw_w_num(aw_out, "cusum_up", o->up[i], 3);
		aw_w_num(aw_out, "cusum_down", o->down[i], 3);
		aw_w_end(aw_out);
	}
}

/* processes the DMA's steps before step index `until` */
static void advance(struct scorer *s, struct sdma *d, int64_t until)
{
	for (; d->next < until; d->next++) {
		size_t slot = (size_t)(d->next % OPEN);
		double *sum = d->sum + slot * d->ncol;
		int *cnt = d->cnt + slot * d->ncol;
		for (size_t c = 0; c < d->ncol; c++) {
			d->row[c] = cnt[c] ? sum[c] / cnt[c] : NAN;
			sum[c] = 0;
			cnt[c] = 0;
		}
		write_step(s, d, d->next * s->m->step, d->row);
	}
}

/* where a sensor's readings go: a chain of (DMA, column) targets */
struct target {
	size_t dma, col;
	long next;
};

static void add_target(struct scorer *s, size_t di, const char *id, size_t col)
{
	size_t first;
	s->targets = aw_reallocarray(s->targets, s->ntargets + 1, sizeof *s->targets);
	s->targets[s->ntargets] = (struct target){ di, col, -1 };
	if (aw_map_get(&s->where, id, &first)) {
		long k = (long)first;
		while (s->targets[k].next >= 0)
			k = s->targets[k].next;
		s->targets[k].next = (long)s->ntargets;
	} else
		aw_map_put(&s->where, id, s->ntargets);
	s->ntargets++;
}

static size_t find_col(struct sdma *d, const char *id)
{
	for (size_t c = 0; c < d->ncol; c++)
		if (strcmp(d->colid[c], id) == 0)
			return c;
	return SIZE_MAX;
}

static int score(struct aw_resid_model *model, const struct aw_resid_params *p, int residuals,
    int pass, const char *inflow, const struct aw_config *cfg, int64_t from, int64_t to,
    char **files, int nfiles)
{
	struct scorer s = { .m = model, .p = *p, .residuals = residuals, .from = from, .to = to };

	s.d = aw_calloc(s.m->ndmas, sizeof *s.d);
	for (size_t k = 0; k < s.m->ndmas; k++) {
		struct sdma *d = &s.d[k];
		const struct aw_resid_dma *m = &s.m->d[k];
		d->m = m;
		d->st = aw_resid_state_new(m, p, s.m->step);
		d->ncol = m->ninputs + m->nsensors;
		d->colid = aw_calloc(d->ncol + 16, sizeof *d->colid);
		for (size_t j = 0; j < m->ninputs; j++)
			d->colid[j] = aw_strdup(m->inputs[j]);
		for (size_t i = 0; i < m->nsensors; i++)
			d->colid[m->ninputs + i] = aw_strdup(m->s[i].id);
		/* inflow: --inflow, else the configured inlets of the DMA */
		char *list = NULL;
		if (inflow)
			list = aw_strdup(inflow);
		else
			for (size_t c = 0; cfg && c < cfg->ndmas; c++)
				if (strcmp(cfg->dmas[c].id, m->id) == 0) {
					struct aw_buf b = { 0 };
					for (size_t j = 0; j < cfg->dmas[c].ninlets; j++) {
						const struct aw_sensor *se = aw_sensor_find(cfg, cfg->dmas[c].inlets[j]);
						aw_buf_printf(&b, "%s%s%s", j ? "," : "",
						    se && se->sign < 0 ? "-" : "", cfg->dmas[c].inlets[j]);
					}
					for (size_t j = 0; j < cfg->dmas[c].noutlets; j++)
						aw_buf_printf(&b, "%s-%s", b.len ? "," : "", cfg->dmas[c].outlets[j]);
					list = b.s;
				}
		for (char *tok = list ? strtok(list, ",") : NULL; tok; tok = strtok(NULL, ",")) {
			double sign = 1;
			if (*tok == '-') {
				sign = -1;
				tok++;
			}
			size_t c = find_col(d, tok);
			if (c == SIZE_MAX) {
				if (d->ncol >= m->ninputs + m->nsensors + 16)
					aw_usage_error("--inflow: too many sensors");
				d->colid[d->ncol] = aw_strdup(tok);
				c = d->ncol++;
			}
			struct balance *b = &d->bal;
			b->col = aw_reallocarray(b->col, b->n + 1, sizeof *b->col);
			b->sign = aw_reallocarray(b->sign, b->n + 1, sizeof *b->sign);
			b->col[b->n] = c;
			b->sign[b->n++] = sign;
		}
		free(list);
		if (d->bal.n) {
			d->bal.week = (size_t)(7 * 86400 / s.m->step);
			d->bal.hist = aw_malloc(d->bal.week * WEEKS * sizeof *d->bal.hist);
			for (size_t a = 0; a < d->bal.week * WEEKS; a++)
				d->bal.hist[a] = NAN;
			d->bal.night_day = -1;
			d->bal.mnf_rise = NAN;
		}
		for (size_t c = 0; c < d->ncol; c++)
			add_target(&s, k, d->colid[c], c);
		d->sum = aw_calloc(OPEN * d->ncol, sizeof *d->sum);
		d->cnt = aw_calloc(OPEN * d->ncol, sizeof *d->cnt);
		d->row = aw_calloc(d->ncol, sizeof *d->row);
		d->rhist = aw_calloc((size_t)(86400 / s.m->step) * m->nsensors + 1, sizeof *d->rhist);
		d->next = INT64_MIN;
	}

	struct aw_reader *in = aw_reader_open(files, nfiles);
	struct aw_record r = { 0 };
	unsigned long long nrec = 0;
	long step = s.m->step;
	/* steps before --from are processed (warm-up) but not written; readings before the
	 * first day ahead of it are of no use */
	int64_t lead = from == INT64_MIN ? INT64_MIN : from - (p->warm + 1) * step;
	while (aw_read(in, &r)) {
		int64_t ts;
		const char *sensor;
		double v;
		aw_progress(++nrec, "records");
		int k = reading(&r, &ts, &sensor, &v, NULL);
		if (k == 0) {
			if (pass || !aw_is(&r, "type", "reading"))
				aw_w_line(aw_out, r.line, r.len);
			continue;
		}
		if (pass)
			aw_w_line(aw_out, r.line, r.len);
		if (k < 0) {
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in), k == -2 ?
			    "reading in a unit other than the canonical one of its kind" :
			    "reading needs ts and sensor");
			continue;
		}
		if (ts < lead || ts >= to)
			continue;
		int64_t si = floordiv(ts, step);
		size_t first;
		if (!aw_map_get(&s.where, sensor, &first))
			continue;
		for (long ti = (long)first; ti >= 0; ti = s.targets[ti].next) {
			struct sdma *d = &s.d[s.targets[ti].dma];
			size_t col = s.targets[ti].col;
			if (d->next == INT64_MIN)
				d->next = si;
			if (si < d->next) {
				s.late++;
				continue;
			}
			if (si >= d->next + OPEN)
				advance(&s, d, si - OPEN + 1);
			size_t slot = (size_t)(si % OPEN);
			d->sum[slot * d->ncol + col] += v;
			d->cnt[slot * d->ncol + col]++;
		}
	}
	aw_progress_done();
	for (size_t k = 0; k < s.m->ndmas; k++) {
		struct sdma *d = &s.d[k];
		if (d->next != INT64_MIN)
			advance(&s, d, d->next + OPEN);
	}
	if (s.late && !aw_opt_quiet)
		aw_warn("%ld readings came after their step was complete and were left out", s.late);
	aw_reader_close(in);
	aw_record_free(&r);
	for (size_t k = 0; k < s.m->ndmas; k++) {
		struct sdma *d = &s.d[k];
		aw_resid_state_free(d->st);
		for (size_t c = 0; c < d->ncol; c++)
			free(d->colid[c]);
		free(d->colid);
		free(d->sum);
		free(d->cnt);
		free(d->row);
		free(d->rhist);
		free(d->bal.col);
		free(d->bal.sign);
		free(d->bal.hist);
	}
	free(s.d);
	free(s.targets);
	aw_map_free(&s.where);
	aw_resid_model_free(s.m);
	return aw_finish();
}

int main(int argc, char **argv)
{
	struct aw_resid_params p;
	const char *model = NULL, *out = NULL, *arg, *inflow = NULL;
	const char *train_only = NULL, *score_only = NULL;
	long step = 900, group = 3, accept = 86400, warm = 86400;
	int64_t from = INT64_MIN, to = INT64_MAX;
	int optind = 1, training = 0, residuals = 0, pass = 0, id;

	aw_resid_params_default(&p);
	aw_cli_init(argc, argv, &cli);
	for (;;) {
		while ((id = aw_getopt(argc, argv, &optind, &arg)) != -1) {
			switch (id) {
			case 'm': model = arg; score_only = "-m"; break;
			case 'R': residuals = 1; score_only = "-R"; break;
			case OPT_H:
				p.h = aw_arg_double("--threshold", arg);
				score_only = "--threshold";
				break;
			case OPT_H2:
				p.h2 = aw_arg_double("--robust-threshold", arg);
				score_only = "--robust-threshold";
				break;
			case OPT_K:
				p.k = aw_arg_double("--reference", arg);
				score_only = "--reference";
				break;
			case OPT_ACCEPT: accept = aw_arg_duration("--accept", arg); score_only = "--accept"; break;
			case OPT_WARM: warm = aw_arg_duration("--warm-up", arg); score_only = "--warm-up"; break;
			case OPT_INFLOW: inflow = arg; score_only = "--inflow"; break;
			case OPT_PASS: pass = 1; score_only = "--pass"; break;
			case OPT_FROM: from = opt_time("--from", arg); break;
			case OPT_TO: to = opt_time("--to", arg); break;
			case 'o': out = arg; train_only = "-o"; break;
			case OPT_STEP: step = aw_arg_duration("--step", arg); train_only = "--step"; break;
			case OPT_GROUP:
				group = aw_arg_long("--group-size", arg, 0, AW_RESID_MAX_GROUP - 1);
				train_only = "--group-size";
				break;
			}
		}
		if (!training && optind < argc && strcmp(argv[optind], "train") == 0) {
			training = 1;
			optind++;
			continue;
		}
		break;
	}
	struct aw_config *cfg = aw_config_load(aw_opt_config);
	int rc;
	if (from >= to)
		aw_usage_error("--from must be before --to");
	if (training) {
		if (score_only)
			aw_usage_error("%s is for scoring, not for train", score_only);
		if (!out)
			aw_usage_error("train needs -o MODEL");
		if (step < 60 || step > 86400 || 86400 % step)
			aw_usage_error("--step must divide a day and be at least 1m");
		rc = train(out, step, (int)group, from, to, cfg, argv + optind, argc - optind);
	} else {
		if (train_only)
			aw_usage_error("%s is for train", train_only);
		if (!model)
			aw_usage_error("no model: use -m MODEL (or aw-residual train)");
		if (!(p.k >= 0) || !(p.h > 0) || !(p.h2 >= 0) || p.h2 > p.h || p.s0 >= p.h)
			aw_usage_error("need --reference >= 0, 0 <= --robust-threshold <= --threshold and --threshold > 3");
		for (const char *a = inflow; a && *a;) {
			const char *e = strchr(a, ',');
			size_t len = e ? (size_t)(e - a) : strlen(a);
			if (len == 0 || (len == 1 && *a == '-'))
				aw_usage_error("--inflow: empty sensor name");
			a = e ? e + 1 : a + len;
		}
		struct aw_resid_model *m = aw_resid_model_read(model);
		if (!m) {
			aw_config_free(cfg);
			return 1;
		}
		/* durations in steps of the model */
		p.accept = accept / m->step;
		p.warm = warm / m->step;
		p.min_alarm = 7200 / m->step;
		p.solo = 6 * 3600 / m->step;
		p.prior_accept = 86400.0 / m->step;
		p.prior_day = 7 * 86400.0 / m->step;
		if (p.accept < 1 || p.warm < 2) {
			aw_resid_model_free(m);
			aw_config_free(cfg);
			aw_usage_error("--accept must be at least one step and --warm-up two steps of the model");
		}
		rc = score(m, &p, residuals, pass, inflow, cfg, from, to, argv + optind, argc - optind);
	}
	aw_config_free(cfg);
	return rc;
}
