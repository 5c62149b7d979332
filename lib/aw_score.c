#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_score.h"
#include "aw_util.h"

#define NO_INDEX ((size_t)-1)

enum aw_size_class aw_size_class_of(double peak_lps)
{
	if (isnan(peak_lps))
		return AW_SIZE_UNKNOWN;
	if (peak_lps < 2)
		return AW_SIZE_SMALL;
	if (peak_lps < 6)
		return AW_SIZE_MEDIUM;
	return AW_SIZE_LARGE;
}

const char *aw_size_class_name(enum aw_size_class c)
{
	static const char *const names[] = { "small", "medium", "large", "unknown" };
	return (unsigned)c < AW_NELEM(names) ? names[c] : "unknown";
}

const char *aw_det_outcome_name(enum aw_det_outcome k)
{
	static const char *const names[] = { "fp", "tp", "repeat", "ignored" };
	return (unsigned)k < AW_NELEM(names) ? names[k] : "?";
}

void aw_score_opts_init(struct aw_score_opts *o)
{
	memset(o, 0, sizeof *o);
	o->period_start = AW_SCORE_NONE;
	o->period_end = AW_SCORE_NONE;
	o->top_k = 1;
	o->max_dist_m = 300;
	o->water_eur_m3 = 0.80;
	o->crew_eur = 500;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double aw_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double aw_score_volume(const struct aw_score_leak *l, int64_t t, int64_t period_end)
{
	if (l->flow && l->nflow > 0 && l->flow_dt > 0) {
		double litres = 0;
		for (size_t i = 0; i < l->nflow; i++) {
			int64_t s = l->flow_t0 + (int64_t)i * l->flow_dt;
			if (period_end != AW_SCORE_NONE && s >= period_end)
				break;
			/* the sample that holds t counts whole, as in the official scorer */
			if (s + l->flow_dt <= t || isnan(l->flow[i]))
				continue;
			litres += l->flow[i] * l->flow_dt;
		}
		return litres / 1000;
	}
	if (isnan(l->peak_lps))
		return NAN;
	int64_t e = l->end;
	if (period_end != AW_SCORE_NONE && (e == AW_SCORE_OPEN || period_end < e))
		e = period_end;
	if (e == AW_SCORE_OPEN)
		return NAN;
	return e > t ? l->peak_lps * (double)(e - t) / 1000 : 0;
}

static double series_max(const struct aw_score_leak *l)
{
	double m = NAN;
	for (size_t i = 0; i < l->nflow; i++)
		if (!isnan(l->flow[i]) && (isnan(m) || l->flow[i] > m))
			m = l->flow[i];
	return m;
}

static int64_t series_onset(const struct aw_score_leak *l, double above)
{
	for (size_t i = 0; i < l->nflow; i++)
		if (l->flow[i] > above)
			return l->flow_t0 + (int64_t)i * l->flow_dt;
	return AW_SCORE_NONE;
}

/* distance from one candidate pipe to the leak, NaN when unknown */
static double cand_dist(const char *pipe, const struct aw_score_leak *l,
    const struct aw_score_opts *o)
{
	if (l->pipe) {
		if (strcmp(pipe, l->pipe) == 0)
			return 0;
		return o->dist ? o->dist(pipe, l->pipe, o->ctx) : NAN;
	}
	if (l->node && o->dist_node)
		return o->dist_node(pipe, l->node, o->ctx);
	return NAN;
}

/* the smallest known distance over the first top_k candidates */
static double det_dist(const struct aw_score_det *d, const struct aw_score_leak *l,
    const struct aw_score_opts *o, const char **best)
{
	size_t k = o->top_k ? o->top_k : 1;
	double x = NAN;

	*best = NULL;
	for (size_t c = 0; c < d->npipes && c < k; c++) {
		double y = cand_dist(d->pipes[c], l, o);
		if (!isnan(y) && (isnan(x) || y < x)) {
			x = y;
			*best = d->pipes[c];
		}
	}
	return x;
}

static int in_window(const struct aw_score_leak *l, int64_t t)
{
	return t >= l->start && (l->end == AW_SCORE_OPEN || t <= l->end);
}

static int dma_compatible(const struct aw_score_det *d, const struct aw_score_leak *l)
{
	return !d->dma || !l->dma || strcmp(d->dma, l->dma) == 0;
}

/* for a detection without a known distance: a leak in the detection's own DMA before one
 * of unknown DMA, then the leak that started last */
static int unlocated_better(const struct aw_score_det *d, const struct aw_score_leak *a,
    const struct aw_score_leak *b)
{
	int ea = d->dma && a->dma, eb = d->dma && b->dma;
	if (ea != eb)
		return ea;
	return a->start > b->start;
}

struct order {
	int64_t t;
	size_t i;
};

static int cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	return (x->i > y->i) - (x->i < y->i);
}

static size_t step_index(int64_t t, int64_t t0, long step)
{
	int64_t d = t - t0;
	int64_t q = d / step;
	if (d % step < 0)
		q--;
	return (size_t)q;
}

/* marks steps whose [s, s+step) overlaps the closed interval [a, b] */
static void mark_steps(unsigned char *m, size_t n, int64_t t0, long step, int64_t a, int64_t b)
{
	if (b < t0 || n == 0)
		return;
	int64_t last = t0 + (int64_t)n * step;
	if (a >= last)
		return;
	size_t lo = a <= t0 ? 0 : step_index(a, t0, step);
	size_t hi = b >= last ? n - 1 : step_index(b, t0, step);
	for (size_t i = lo; i <= hi && i < n; i++)
		m[i] = 1;
}

static void per_step(const struct aw_score_leak *leaks, size_t nleaks,
    const struct aw_score_det *dets, size_t ndet, const struct aw_score_opts *o,
    struct aw_score_result *r)
{
	size_t n = (size_t)((o->period_end - o->period_start + o->step - 1) / o->step);
	unsigned char *truth = aw_calloc(n ? n : 1, 1), *pred = aw_calloc(n ? n : 1, 1);

	for (size_t j = 0; j < nleaks; j++)
		mark_steps(truth, n, o->period_start, o->step, leaks[j].start,
		    leaks[j].end == AW_SCORE_OPEN ? INT64_MAX : leaks[j].end);
	for (size_t i = 0; i < ndet; i++)
		mark_steps(pred, n, o->period_start, o->step, dets[i].t,
		    dets[i].end > dets[i].t ? dets[i].end : dets[i].t);
	r->steps = n;
	for (size_t i = 0; i < n; i++) {
		if (truth[i] && pred[i])
			r->step_tp++;
		else if (pred[i])
			r->step_fp++;
		else if (truth[i])
			r->step_fn++;
		else
			r->step_tn++;
	}
	double tp = r->step_tp, fp = r->step_fp, tn = r->step_tn, fn = r->step_fn;
	r->precision = tp + fp > 0 ? tp / (tp + fp) : NAN;
	r->recall = tp + fn > 0 ? tp / (tp + fn) : NAN;
	r->f1 = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : NAN;
	double den = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
	r->mcc = den > 0 ? (tp * tn - fp * fn) / sqrt(den) : NAN;
	r->steps_done = 1;
	free(truth);
	free(pred);
}

static double mean(const double *v, size_t n)
{
	double s = 0;
	if (n == 0)
		return NAN;
	for (size_t i = 0; i < n; i++)
		s += v[i];
	return s / n;
}

static void summarise(size_t nleaks, const struct aw_score_opts *o, struct aw_score_result *r)
{
	double *v = aw_calloc(nleaks ? nleaks : 1, sizeof *v);
	size_t n;

	r->tpr = nleaks ? (double)r->tp / nleaks : NAN;
	for (int c = 0; c < AW_SIZE_NCLASS; c++)
		r->class_tpr[c] = r->class_n[c] ? (double)r->class_tp[c] / r->class_n[c] : NAN;
	size_t scored = r->tp + r->fp + r->repeat;
	r->false_alert_share = scored ? (double)r->fp / scored : NAN;

	n = 0;
	for (size_t j = 0; j < nleaks; j++)
		if (r->leaks[j].det != NO_INDEX)
			v[n++] = r->leaks[j].delay_s;
	r->delay_mean_s = mean(v, n);
	r->delay_median_s = aw_median(v, n);
	r->delay_max_s = n ? v[n - 1] : NAN;

	n = 0;
	for (size_t j = 0; j < nleaks; j++)
		if (r->leaks[j].det != NO_INDEX && !isnan(r->leaks[j].onset_delay_s))
			v[n++] = r->leaks[j].onset_delay_s;
	r->onset_n = n;
	r->onset_delay_median_s = aw_median(v, n);

	n = 0;
	for (size_t j = 0; j < nleaks; j++)
		if (r->leaks[j].det != NO_INDEX && !isnan(r->leaks[j].dist_m))
			v[n++] = r->leaks[j].dist_m;
	r->tp_dist_median_m = aw_median(v, n);

	n = 0;
	r->loc_within = 0;
	for (size_t j = 0; j < nleaks; j++) {
		double x = r->leaks[j].loc_dist_m;
		if (r->leaks[j].loc_det == NO_INDEX || isnan(x))
			continue;
		v[n++] = x;
		if (x <= o->max_dist_m)
			r->loc_within++;
	}
	r->loc_n = n;
	r->loc_median_m = aw_median(v, n);
	r->loc_within_share = n ? (double)r->loc_within / n : NAN;
	free(v);
}

int aw_score_run(const struct aw_score_leak *leaks, size_t nleaks,
    const struct aw_score_det *dets, size_t ndet, const struct aw_score_opts *o,
    struct aw_score_result *r)
{
	memset(r, 0, sizeof *r);
	if (o->step > 0 && (o->period_start == AW_SCORE_NONE || o->period_end == AW_SCORE_NONE ||
	    o->period_end <= o->period_start))
		return -1;

	r->nleaks = nleaks;
	r->ndet = ndet;
	r->dets = aw_calloc(ndet ? ndet : 1, sizeof *r->dets);
	r->leaks = aw_calloc(nleaks ? nleaks : 1, sizeof *r->leaks);
	for (size_t j = 0; j < nleaks; j++) {
		const struct aw_score_leak *l = &leaks[j];
		struct aw_score_leak_result *lr = &r->leaks[j];
		int series = l->flow && l->nflow > 0 && l->flow_dt > 0;

		lr->peak_lps = !isnan(l->peak_lps) || !series ? l->peak_lps : series_max(l);
		lr->size = aw_size_class_of(lr->peak_lps);
		lr->det = lr->loc_det = NO_INDEX;
		lr->delay_s = lr->onset_delay_s = lr->dist_m = lr->loc_dist_m = NAN;
		lr->volume_m3 = lr->eur = NAN;
		lr->onset = series ? series_onset(l, o->onset_lps) : AW_SCORE_NONE;
		r->class_n[lr->size]++;
	}

	struct order *ord = aw_calloc(ndet ? ndet : 1, sizeof *ord);
	for (size_t i = 0; i < ndet; i++) {
		ord[i].t = dets[i].t;
		ord[i].i = i;
	}
	qsort(ord, ndet, sizeof *ord, cmp_order);

	double *x = aw_calloc(nleaks ? nleaks : 1, sizeof *x);
	const char **xpipe = aw_calloc(nleaks ? nleaks : 1, sizeof *xpipe);
	for (size_t k = 0; k < ndet; k++) {
		size_t i = ord[k].i;
		const struct aw_score_det *d = &dets[i];
		struct aw_score_det_result *dr = &r->dets[i];
		size_t best = NO_INDEX, best_unloc = NO_INDEX, rep = NO_INDEX, rep_unloc = NO_INDEX;

		dr->leak = NO_INDEX;
		dr->dist_m = NAN;
		if ((o->period_start != AW_SCORE_NONE && d->t < o->period_start) ||
		    (o->period_end != AW_SCORE_NONE && d->t >= o->period_end)) {
			dr->outcome = AW_DET_IGNORED;
			dr->eur = 0;
			r->ignored++;
			continue;
		}
		for (size_t j = 0; j < nleaks; j++) {
			const struct aw_score_leak *l = &leaks[j];
			struct aw_score_leak_result *lr = &r->leaks[j];
			int ok;

			if (!in_window(l, d->t))
				continue;
			x[j] = det_dist(d, l, o, &xpipe[j]);
			/* a named place at an unknown distance proves nothing; a detection without
			 * a place is matched by time and DMA */
			if (d->npipes)
				ok = !isnan(x[j]) && x[j] <= o->max_dist_m;
			else
				ok = dma_compatible(d, l);
			if (!ok)
				continue;
			size_t *b = lr->det != NO_INDEX ? &rep : &best;
			size_t *bu = lr->det != NO_INDEX ? &rep_unloc : &best_unloc;
			if (!isnan(x[j])) {
				if (*b == NO_INDEX || x[j] < x[*b])
					*b = j;
			} else if (*bu == NO_INDEX || unlocated_better(d, l, &leaks[*bu])) {
				*bu = j;
			}
		}
		if (best == NO_INDEX)
			best = best_unloc;
		if (rep == NO_INDEX)
			rep = rep_unloc;
		if (best == NO_INDEX) {
			dr->eur = 0;
			if (rep != NO_INDEX) {
				dr->outcome = AW_DET_REPEAT;
				dr->leak = rep;
				dr->dist_m = x[rep];
				dr->pipe = xpipe[rep];
				r->repeat++;
				continue;
			}
			dr->outcome = AW_DET_FP;
			dr->eur = -o->crew_eur;
			r->fp++;
			r->eur_crew -= o->crew_eur;
			for (size_t j = 0; j < nleaks; j++) {
				struct aw_score_leak_result *lr = &r->leaks[j];
				if (in_window(&leaks[j], d->t) && dma_compatible(d, &leaks[j]) &&
				    lr->loc_det == NO_INDEX) {
					lr->loc_det = i;
					lr->loc_dist_m = x[j];
				}
			}
			continue;
		}

		const struct aw_score_leak *l = &leaks[best];
		struct aw_score_leak_result *lr = &r->leaks[best];
		double dist = x[best];
		double penalty = (isnan(dist) ? 1 : dist / o->max_dist_m) * o->crew_eur;

		dr->outcome = AW_DET_TP;
		dr->leak = best;
		dr->dist_m = dist;
		dr->pipe = xpipe[best];
		lr->det = i;
		lr->delay_s = (double)(d->t - l->start);
		if (lr->onset != AW_SCORE_NONE)
			lr->onset_delay_s = (double)(d->t - lr->onset);
		lr->dist_m = lr->loc_dist_m = dist;
		lr->loc_det = i;
		lr->volume_m3 = aw_score_volume(l, d->t, o->period_end);
		lr->eur = lr->volume_m3 * o->water_eur_m3 - penalty;
		dr->eur = lr->eur;
		r->tp++;
		r->class_tp[lr->size]++;
		if (isnan(dist))
			r->unlocated++;
		if (isnan(lr->volume_m3))
			r->volume_unknown++;
		else
			r->eur_water += lr->volume_m3 * o->water_eur_m3;
		r->eur_crew -= penalty;
	}
	free(x);
	free(xpipe);
	free(ord);

	r->fn = nleaks - r->tp;
	r->eur_total = r->volume_unknown ? NAN : r->eur_water + r->eur_crew;
	summarise(nleaks, o, r);
	if (o->step > 0)
		per_step(leaks, nleaks, dets, ndet, o, r);
	return 0;
}

void aw_score_result_free(struct aw_score_result *r)
{
	free(r->dets);
	free(r->leaks);
	r->dets = NULL;
	r->leaks = NULL;
}
