/* aw-report: formulas, periods, quality tracking, model monitoring, and the accumulator
 * that turns records into per-DMA day figures (streaming: memory grows with the period
 * at 15-minute resolution per sensor, not with the number of readings). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_report_impl.h"
#include "aw_time.h"

#define M_PER_BAR (1 / 0.0980665)

/* ---- formulas ---- */

double aw_uarl_l_per_day(double mains_km, double connections, double private_km, double pressure_m)
{
	return (18 * mains_km + 0.8 * connections + 25 * private_km) * pressure_m;
}

double aw_night_day_factor(const double profile[24], int night_from, int night_to, double n1)
{
	double pn = 0, f = 0;
	int nn = 0;
	for (int h = 0; h < 24; h++)
		if (!(profile[h] == profile[h]))
			return NAN;
	for (int h = night_from; h != night_to; h = (h + 1) % 24) {
		pn += profile[h];
		nn++;
		if (nn > 24)
			break;
	}
	if (nn == 0 || !(pn > 0))
		return NAN;
	pn /= nn;
	for (int h = 0; h < 24; h++)
		f += pow(profile[h] / pn, n1);
	return f;
}

double aw_night_use_lps(double connections, double l_per_conn_h)
{
	return connections * l_per_conn_h / 3600;
}

double aw_night_flow_losses_m3_per_day(double mnf_lps, double night_use_lps, double ndf_h)
{
	double q = mnf_lps - night_use_lps;
	if (q < 0)
		q = 0;
	return q * ndf_h * 3.6;
}

void aw_balance_compute(const struct aw_balance_in *in, struct aw_balance *b)
{
	double unbilled = in->unbilled_m3 == in->unbilled_m3 ? in->unbilled_m3 : 0;

	b->authorised_m3 = in->billed_m3 + unbilled;
	b->water_losses_m3 = in->siv_m3 - b->authorised_m3;
	b->apparent_m3 = in->billed_m3 * in->apparent_pct / 100;
	b->real_m3 = b->water_losses_m3 - b->apparent_m3;
	b->nrw_m3 = in->siv_m3 - in->billed_m3;
	b->nrw_pct = in->siv_m3 > 0 ? b->nrw_m3 / in->siv_m3 * 100 : NAN;
	b->night_losses_m3_per_day = aw_night_flow_losses_m3_per_day(in->mnf_lps, in->night_use_lps,
	    in->ndf_h);
	b->uarl_l_per_day = aw_uarl_l_per_day(in->mains_km, in->connections, in->private_km,
	    in->pressure_m);
	if (isfinite(b->real_m3) && in->days > 0) {
		b->carl_l_per_day = b->real_m3 / in->days * 1000;
		b->carl_source = AW_CARL_BALANCE;
	} else if (isfinite(b->night_losses_m3_per_day)) {
		b->carl_l_per_day = b->night_losses_m3_per_day * 1000;
		b->carl_source = AW_CARL_NIGHT_FLOW;
	} else {
		b->carl_l_per_day = NAN;
		b->carl_source = AW_CARL_NONE;
	}
	b->ili = b->uarl_l_per_day > 0 ? b->carl_l_per_day / b->uarl_l_per_day : NAN;
	b->real_l_per_conn_day = in->connections > 0 ? b->carl_l_per_day / in->connections : NAN;
}

/* ---- periods ---- */

int64_t aw_local_day_start(int64_t d)
{
	int fl;
	return aw_tz_to_utc(d * 86400, NULL, &fl);
}

void aw_period_days(struct aw_period *p, int64_t day0, int64_t day1)
{
	p->day0 = day0, p->day1 = day1;
	p->start = aw_local_day_start(day0);
	p->end = aw_local_day_start(day1 + 1);
}

/* one side of a period: YYYY, YYYY-MM or YYYY-MM-DD -> local days [d0, d1] */
static int period_side(const char *s, size_t n, int64_t *d0, int64_t *d1)
{
	int y, m = 0, d = 0;
	char buf[16];
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	for (size_t i = 0; i < n; i++)
		if (!((buf[i] >= '0' && buf[i] <= '9') || (buf[i] == '-' && (i == 4 || i == 7))))
			return -1;
	if (n == 4 && sscanf(buf, "%4d", &y) == 1) {
		*d0 = aw_days_from_civil(y, 1, 1);
		*d1 = aw_days_from_civil(y + 1, 1, 1) - 1;
		return 0;
	}
	if (n == 7 && sscanf(buf, "%4d-%2d", &y, &m) == 2 && m >= 1 && m <= 12) {
		*d0 = aw_days_from_civil(y, m, 1);
		*d1 = (m == 12 ? aw_days_from_civil(y + 1, 1, 1) : aw_days_from_civil(y, m + 1, 1)) - 1;
		return 0;
	}
	if (n == 10 && sscanf(buf, "%4d-%2d-%2d", &y, &m, &d) == 3 && m >= 1 && m <= 12 && d >= 1) {
		int yy, mm, dd;
		*d0 = *d1 = aw_days_from_civil(y, m, d);
		aw_civil_from_days(*d0, &yy, &mm, &dd);
		return yy == y && mm == m && dd == d ? 0 : -1;
	}
	return -1;
}

int aw_period_parse(const char *s, struct aw_period *p)
{
	int64_t a0, a1, b0, b1;
	memset(p, 0, sizeof *p);
	if (!s || !*s || strcmp(s, "all") == 0) {
		p->all = 1;
		strcpy(p->label, "all");
		return 0;
	}
	if (strlen(s) >= sizeof p->label)
		return -1;
	const char *dots = strstr(s, "..");
	if (dots) {
		if (period_side(s, (size_t)(dots - s), &a0, &a1) ||
		    period_side(dots + 2, strlen(dots + 2), &b0, &b1) || b1 < a0)
			return -1;
		a1 = b1;
	} else if (period_side(s, strlen(s), &a0, &a1)) {
		return -1;
	}
	aw_period_days(p, a0, a1);
	strcpy(p->label, s);
	return 0;
}

/* ---- water quality ---- */

void aw_qlimits_get(const struct aw_config *c, const char *kind, struct aw_qlimits *l)
{
	char path[96];
	l->min = l->max = l->max_hours_below = l->p95_max = NAN;
	l->merge_s = 900;
	if (strcmp(kind, "chlorine") == 0) {
		l->min = 0.2, l->max = 4.0, l->max_hours_below = 4;
	} else if (strcmp(kind, "turbidity") == 0) {
		l->max = 1.0, l->p95_max = 0.3;
	} else if (strcmp(kind, "ph") == 0) {
		l->min = 6.5, l->max = 8.5;
	}
	if (!c)
		return;
	snprintf(path, sizeof path, "quality_limits.%s.min", kind);
	l->min = aw_config_num(c, path, l->min);
	snprintf(path, sizeof path, "quality_limits.%s.max", kind);
	l->max = aw_config_num(c, path, l->max);
	snprintf(path, sizeof path, "quality_limits.%s.max_hours_below", kind);
	l->max_hours_below = aw_config_num(c, path, l->max_hours_below);
	snprintf(path, sizeof path, "quality_limits.%s.p95_max", kind);
	l->p95_max = aw_config_num(c, path, l->p95_max);
	snprintf(path, sizeof path, "quality_limits.%s.merge_minutes", kind);
	l->merge_s = aw_config_num(c, path, l->merge_s / 60) * 60;
}

void aw_qtrack_init(struct aw_qtrack *q, const struct aw_qlimits *l)
{
	memset(q, 0, sizeof *q);
	q->lim = *l;
	q->min = INFINITY, q->max = -INFINITY;
	q->back = INT64_MIN;
}

static void q_close(struct aw_qtrack *q, int64_t end)
{
	struct aw_qepisode *e = &q->cur;
	e->end = end;
	if (e->above)
		e->breach = 1;
	else
		e->breach = !(q->lim.max_hours_below == q->lim.max_hours_below) ||
		    (double)(e->end - e->start) > q->lim.max_hours_below * 3600;
	if (q->nep == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 8;
		q->ep = aw_reallocarray(q->ep, q->cap, sizeof *q->ep);
	}
	q->ep[q->nep++] = *e;
	q->state = 0;
}

void aw_qtrack_add(struct aw_qtrack *q, int64_t ts, double v)
{
	const struct aw_qlimits *l = &q->lim;
	if (!q->n)
		q->first = ts;
	q->n++;
	q->sum += v;
	q->last = ts;
	if (v < q->min)
		q->min = v;
	if (v > q->max)
		q->max = v;
	if (l->p95_max == l->p95_max && v > l->p95_max)
		q->n_above_p95++;
	int s = l->min == l->min && v < l->min ? -1 : l->max == l->max && v > l->max ? 1 : 0;
	/* an episode that came back within limits ends there once it stayed back for
	 * merge_s, or when the value crosses to the other limit */
	if (q->state && q->back != INT64_MIN && ((double)(ts - q->back) >= l->merge_s || s == -q->state))
		q_close(q, q->back);
	if (q->state && s && s != q->state)
		q_close(q, ts);
	if (s && !q->state) {
		q->cur.start = ts;
		q->cur.extreme = v;
		q->cur.above = s > 0;
		q->cur.limit = s > 0 ? l->max : l->min;
		q->state = s;
		q->back = INT64_MIN;
	} else if (s) {
		if (s > 0 ? v > q->cur.extreme : v < q->cur.extreme)
			q->cur.extreme = v;
		q->back = INT64_MIN;
	} else if (q->state && q->back == INT64_MIN) {
		q->back = ts;
	}
}

void aw_qtrack_finish(struct aw_qtrack *q)
{
	if (q->state)
		q_close(q, q->back != INT64_MIN ? q->back : q->last);
}

void aw_qtrack_free(struct aw_qtrack *q)
{
	free(q->ep);
	q->ep = NULL;
	q->nep = q->cap = 0;
}

double aw_qtrack_p95_share(const struct aw_qtrack *q)
{
	if (!q->n || !(q->lim.p95_max == q->lim.p95_max))
		return NAN;
	return 100.0 * (double)q->n_above_p95 / (double)q->n;
}

size_t aw_qtrack_breaches(const struct aw_qtrack *q)
{
	size_t n = 0;
	for (size_t i = 0; i < q->nep; i++)
		n += q->ep[i].breach != 0;
	return n;
}

/* ---- model monitoring ---- */

const char aw_drift_rules[] =
    "the last month against all earlier months together: Brier score up by more than 25 % "
    "and 0.01, TPR down by more than 0.15, FPR up by more than 50 % and 0.005, or median "
    "detection latency up by more than 50 % and 1 h";

static int cmp_prob(const void *a, const void *b)
{
	const struct aw_prob *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->dma - y->dma;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int month_key(int64_t t)
{
	struct aw_local lt;
	aw_tz_local(t, &lt);
	return lt.year * 12 + lt.month - 1;
}

static int64_t month_start(int key)
{
	return aw_local_day_start(aw_days_from_civil(key / 12, key % 12 + 1, 1));
}

size_t aw_monitor_compute(struct aw_prob *probs, size_t np, const struct aw_interval *iv,
    size_t niv, double thr, struct aw_monitor **out)
{
	*out = NULL;
	if (!np)
		return 0;
	qsort(probs, np, sizeof *probs, cmp_prob);
	int k0 = month_key(probs[0].ts), k1 = month_key(probs[np - 1].ts);
	size_t nm = (size_t)(k1 - k0 + 1);
	struct aw_monitor *m = aw_calloc(nm, sizeof *m);
	double *sq = aw_calloc(nm, sizeof *sq);
	double *lat = aw_calloc(niv + 1, sizeof *lat);
	int *latm = aw_calloc(niv + 1, sizeof *latm);
	size_t nlat = 0;

	for (size_t i = 0; i < nm; i++) {
		int k = k0 + (int)i;
		m[i].month = month_start(k);
		snprintf(m[i].label, sizeof m[i].label, "%04d-%02d", k / 12 % 10000, k % 12 + 1);
	}
	for (size_t i = 0; i < np; i++) {
		const struct aw_prob *p = &probs[i];
		int y = 0;
		for (size_t j = 0; j < niv; j++) {
			if ((iv[j].dma != p->dma && iv[j].dma >= 0) || p->ts < iv[j].start || p->ts > iv[j].end)
				continue;
			if (iv[j].positive == 1) {
				y = 1;
				break;
			}
			if (iv[j].positive < 0)
				y = -1;
		}
		if (y < 0)
			continue;
		size_t mi = (size_t)(month_key(p->ts) - k0);
		m[mi].steps++;
		sq[mi] += ((double)p->p - y) * ((double)p->p - y);
		if (!y) {
			m[mi].negatives++;
			m[mi].false_pos += p->p >= thr;
		}
	}
	int maxd = 0;
	for (size_t i = 0; i < np; i++)
		if (probs[i].dma > maxd)
			maxd = probs[i].dma;
	unsigned char *scored = aw_calloc((size_t)maxd + 1, 1);
	for (size_t i = 0; i < np; i++)
		if (probs[i].dma >= 0)
			scored[probs[i].dma] = 1;
	for (size_t j = 0; j < niv; j++) {
		if (iv[j].positive != 1 || (iv[j].dma >= 0 && (iv[j].dma > maxd || !scored[iv[j].dma])))
			continue;
		int k = month_key(iv[j].start);
		if (k < k0 || k > k1)
			continue;
		size_t mi = (size_t)(k - k0);
		m[mi].leaks++;
		/* first probability at or after the start */
		size_t lo = 0, hi = np;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (probs[mid].ts < iv[j].start)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < np && probs[i].ts <= iv[j].end; i++)
			if ((iv[j].dma < 0 || probs[i].dma == iv[j].dma) && probs[i].p >= thr) {
				m[mi].detected++;
				lat[nlat] = (double)(probs[i].ts - iv[j].start) / 3600;
				latm[nlat++] = (int)mi;
				break;
			}
	}
	double *tmp = aw_calloc(nlat + 1, sizeof *tmp);
	for (size_t i = 0; i < nm; i++) {
		m[i].brier = m[i].steps ? sq[i] / (double)m[i].steps : NAN;
		m[i].fpr = m[i].negatives ? (double)m[i].false_pos / (double)m[i].negatives : NAN;
		m[i].tpr = m[i].leaks ? (double)m[i].detected / (double)m[i].leaks : NAN;
		size_t n = 0;
		for (size_t j = 0; j < nlat; j++)
			if (latm[j] == (int)i)
				tmp[n++] = lat[j];
		m[i].latency_h = median(tmp, n);
	}
	if (nm >= 2) {
		struct aw_monitor *L = &m[nm - 1];
		long steps = 0, neg = 0, fp = 0, leaks = 0, det = 0;
		double s2 = 0;
		size_t n = 0;
		for (size_t i = 0; i + 1 < nm; i++) {
			steps += m[i].steps, neg += m[i].negatives, fp += m[i].false_pos;
			leaks += m[i].leaks, det += m[i].detected;
			s2 += sq[i];
		}
		for (size_t j = 0; j < nlat; j++)
			if (latm[j] < (int)nm - 1)
				tmp[n++] = lat[j];
		double brier = steps ? s2 / (double)steps : NAN, fpr = neg ? (double)fp / (double)neg : NAN;
		double tpr = leaks ? (double)det / (double)leaks : NAN, latb = median(tmp, n);
		if (L->brier > brier * 1.25 && L->brier - brier > 0.01)
			L->drift |= AW_DRIFT_BRIER;
		if (L->tpr < tpr - 0.15)
			L->drift |= AW_DRIFT_TPR;
		if (L->fpr > fpr * 1.5 && L->fpr - fpr > 0.005)
			L->drift |= AW_DRIFT_FPR;
		if (L->latency_h > latb * 1.5 && L->latency_h - latb > 1)
			L->drift |= AW_DRIFT_LATENCY;
	}
	free(tmp), free(sq), free(lat), free(latm), free(scored);
	*out = m;
	return nm;
}

/* ---- series ---- */

static struct rslot *series_at(struct rseries *s, int64_t k)
{
	if (!s->n) {
		s->base = k;
	} else if (k < s->base) {
		size_t add = (size_t)(s->base - k);
		if (s->n + add > s->cap) {
			s->cap = (s->n + add) * 3 / 2 + 16;
			s->s = aw_reallocarray(s->s, s->cap, sizeof *s->s);
		}
		memmove(s->s + add, s->s, s->n * sizeof *s->s);
		for (size_t i = 0; i < add; i++)
			s->s[i] = (struct rslot){ 0, 0, INFINITY, -INFINITY };
		s->n += add;
		s->base = k;
		return &s->s[0];
	}
	size_t i = (size_t)(k - s->base);
	if (i >= s->n) {
		if (i >= s->cap) {
			s->cap = (i + 1) * 3 / 2 + 16;
			s->s = aw_reallocarray(s->s, s->cap, sizeof *s->s);
		}
		for (size_t j = s->n; j <= i; j++)
			s->s[j] = (struct rslot){ 0, 0, INFINITY, -INFINITY };
		s->n = i + 1;
	}
	return &s->s[i];
}

const struct rslot *aw_rseries_get(const struct rseries *s, int64_t k)
{
	if (!s->n || k < s->base || k >= s->base + (int64_t)s->n)
		return NULL;
	return &s->s[k - s->base];
}

double aw_rseries_mean(const struct rseries *s, int64_t k0, int64_t k1, double min_cover,
    double *cover)
{
	double v = 0, dt = 0;
	for (int64_t k = k0; k < k1; k++) {
		const struct rslot *x = aw_rseries_get(s, k);
		if (x)
			v += x->vdt, dt += x->dt;
	}
	if (cover)
		*cover = dt;
	return dt > 0 && dt >= min_cover ? v / dt : NAN;
}

/* value v held over [t0, t1), clipped to [lo, hi) */
static void credit(struct rseries *s, int64_t t0, int64_t t1, double v, int64_t lo, int64_t hi)
{
	if (t0 < lo)
		t0 = lo;
	if (t1 > hi)
		t1 = hi;
	while (t0 < t1) {
		int64_t k = aw_slot_of(t0), e = (k + 1) * AW_SLOT;
		if (e > t1)
			e = t1;
		struct rslot *x = series_at(s, k);
		x->vdt += v * (double)(e - t0);
		x->dt += (float)(e - t0);
		t0 = e;
	}
}

/* ---- the accumulator ---- */

static int find_dma(const struct aw_report *r, const char *id)
{
	for (size_t i = 0; i < r->ndma; i++)
		if (strcmp(r->dma[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int dma_wanted(const struct aw_report *r, const char *id)
{
	if (!r->o.ndmas)
		return 1;
	for (size_t i = 0; i < r->o.ndmas; i++)
		if (strcmp(r->o.dmas[i], id) == 0)
			return 1;
	return 0;
}

static int add_dma(struct aw_report *r, const char *id, const struct aw_dma *cfg)
{
	r->dma = aw_reallocarray(r->dma, r->ndma + 1, sizeof *r->dma);
	struct rdma *d = &r->dma[r->ndma];
	memset(d, 0, sizeof *d);
	d->id = aw_strdup(id);
	d->cfg = cfg;
	d->name = cfg && cfg->name ? aw_strdup(cfg->name) : NULL;
	return (int)r->ndma++;
}

static void push_int(int **v, size_t *n, int x)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == x)
			return;
	*v = aw_reallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = x;
}

struct aw_report *aw_report_new(struct aw_config *cfg, const struct aw_report_opts *o)
{
	struct aw_report *r = aw_calloc(1, sizeof *r);
	r->cfg = cfg;
	r->o = *o;
	r->per = o->period;
	r->night_from = (int)aw_config_num(cfg, "report.night_start_h", 2);
	r->night_to = (int)aw_config_num(cfg, "report.night_end_h", 4);
	if (r->night_from < 0 || r->night_from > 23 || r->night_to < 0 || r->night_to > 24 ||
	    r->night_to == r->night_from)
		aw_die(1, "%s: report.night_start_h and night_end_h must be hours 0-24 and differ",
		    cfg->path ? cfg->path : "configuration");
	r->night_to %= 24;
	r->completeness = aw_config_num(cfg, "qc.completeness", 0.8);
	r->n1 = aw_config_num(cfg, "report.favad_n1", 1.0);
	r->ndf_default = aw_config_num(cfg, "report.night_day_factor_h", 22);
	r->night_use_default = aw_config_num(cfg, "report.night_use_l_per_conn_h", NAN);
	r->night_use_source = "report.night_use_l_per_conn_h";
	if (!(r->night_use_default == r->night_use_default))
		r->night_use_default = 1.7, r->night_use_source = "default";
	r->apparent_default = aw_config_num(cfg, "report.apparent_loss_pct", NAN);
	r->manual_h = aw_config_num(cfg, "report.manual_detection_h", 12);
	r->window_h = aw_config_num(cfg, "report.alert_window_h", 24);
	r->threshold = aw_config_num(cfg, "thresholds.probability", 0.5);
	r->auto_dmas = cfg->ndmas == 0;
	for (size_t i = 0; i < cfg->ndmas; i++)
		if (dma_wanted(r, cfg->dmas[i].id))
			add_dma(r, cfg->dmas[i].id, &cfg->dmas[i]);
	return r;
}

static const char *getstr(struct aw_record *rec, const char *key, char *buf, size_t n)
{
	const char *s = aw_get_str(rec, key);
	if (!s)
		return NULL;
	size_t l = strlen(s);
	if (l >= n)
		l = n - 1;
	memcpy(buf, s, l);
	buf[l] = 0;
	return buf;
}

static char *dupstr(struct aw_record *rec, const char *key)
{
	const char *s = aw_get_str(rec, key);
	return s ? aw_strdup(s) : NULL;
}

static int gettime(struct aw_record *rec, const char *key, int64_t *t)
{
	const struct aw_field *f = aw_get(rec, key);
	return f && f->type == AW_JSTR && aw_parse_time_local(f->val, f->vlen, t) == 0;
}

/* a string or number field inside an object field ({"dma":"x"} in "where") */
static int nested(struct aw_record *rec, const char *obj, const char *key, char *buf, size_t n,
    double *num)
{
	const struct aw_field *f = aw_get(rec, obj);
	struct aw_record sub = { 0 };
	const char *err;
	int ok = 0;
	if (!f || f->type != AW_JOBJ)
		return 0;
	if (aw_json_parse(&sub, f->val, f->vlen, &err) == 0) {
		if (buf)
			ok = getstr(&sub, key, buf, n) != NULL;
		else
			ok = aw_get_num(&sub, key, num);
	}
	aw_record_free(&sub);
	return ok;
}

static int in_period(const struct aw_report *r, int64_t t)
{
	return r->per.all || (t >= r->per.start && t < r->per.end);
}

static int new_sensor(struct aw_report *r, const char *id, const char *kind, const char *dmaname)
{
	const struct aw_sensor *cs = aw_sensor_find(r->cfg, id);
	r->sen = aw_reallocarray(r->sen, r->nsen + 1, sizeof *r->sen);
	struct rsensor *s = &r->sen[r->nsen];
	int idx = (int)r->nsen++;
	memset(s, 0, sizeof *s);
	s->id = aw_strdup(id);
	s->dma = -1;
	aw_map_put(&r->sen_index, id, (size_t)idx);
	if (!kind && cs)
		kind = cs->kind;
	if (!dmaname && cs)
		dmaname = cs->dma;
	if (!kind)
		return idx;
	if (strcmp(kind, "flow") == 0) {
		s->kind = RK_FLOW;
		if (r->auto_dmas) {
			if (!dmaname || !dma_wanted(r, dmaname)) {
				s->kind = RK_OTHER;
				return idx;
			}
			int d = find_dma(r, dmaname);
			if (d < 0)
				d = add_dma(r, dmaname, NULL);
			push_int(&r->dma[d].in, &r->dma[d].nin, idx);
			s->role = 1;
			return idx;
		}
		for (size_t i = 0; i < r->ndma; i++) {
			const struct aw_dma *c = r->dma[i].cfg;
			for (size_t j = 0; c && j < c->ninlets; j++)
				if (strcmp(c->inlets[j], id) == 0)
					push_int(&r->dma[i].in, &r->dma[i].nin, idx), s->role = 1;
			for (size_t j = 0; c && j < c->noutlets; j++)
				if (strcmp(c->outlets[j], id) == 0)
					push_int(&r->dma[i].out, &r->dma[i].nout, idx), s->role = 1;
		}
		if (!s->role)
			s->kind = RK_OTHER;
		return idx;
	}
	if (strcmp(kind, "level") == 0) {
		for (size_t i = 0; i < r->ndma; i++) {
			const struct aw_dma *c = r->dma[i].cfg;
			for (size_t j = 0; c && j < c->ntanks; j++)
				if (strcmp(c->tanks[j], id) == 0) {
					if (!cs || !(cs->area_m2 > 0))
						aw_die(1, "%s: tank %s of DMA %s needs sensors: [{id: %s, area_m2: ...}]",
						    r->cfg->path ? r->cfg->path : "configuration", id, c->id, id);
					push_int(&r->dma[i].tank, &r->dma[i].ntank, idx);
					s->kind = RK_LEVEL;
				}
		}
		return idx;
	}
	int d = dmaname ? find_dma(r, dmaname) : -1;
	if (dmaname && d < 0 && r->o.ndmas)
		return idx;	/* a DMA left out by --dma */
	s->dma = d;
	if (strcmp(kind, "pressure") == 0) {
		s->kind = RK_PRESSURE;
		if (d >= 0)
			push_int(&r->dma[d].pres, &r->dma[d].npres, idx);
	} else if (!strcmp(kind, "chlorine") || !strcmp(kind, "turbidity") || !strcmp(kind, "ph")) {
		struct aw_qlimits l;
		s->kind = RK_QUALITY;
		snprintf(s->qkind, sizeof s->qkind, "%.15s", kind);
		aw_qlimits_get(r->cfg, kind, &l);
		aw_qtrack_init(&s->q, &l);
		s->has_q = 1;
	} else if (strcmp(kind, "volume") == 0) {
		s->kind = RK_VOLUME;
		if (d >= 0) {
			r->dma[d].amr_accounts++;
			r->dma[d].has_amr = 1;
		} else {
			r->amr_no_dma++;
		}
	}
	return idx;
}

static double sensor_sign(const struct aw_report *r, const char *id)
{
	const struct aw_sensor *cs = aw_sensor_find(r->cfg, id);
	return cs && cs->sign < 0 ? -1 : 1;
}

static void on_reading(struct aw_report *r, struct aw_record *rec, const char *file, long line)
{
	char sid[256], kind[32], dma[128], qc[16];
	int64_t ts;
	size_t idx;

	r->nreadings++;
	if (!getstr(rec, "sensor", sid, sizeof sid) || !gettime(rec, "ts", &ts)) {
		aw_error_at(file, line, "reading without sensor or ts");
		return;
	}
	if (!aw_map_get(&r->sen_index, sid, &idx))
		idx = (size_t)new_sensor(r, sid, getstr(rec, "kind", kind, sizeof kind),
		    getstr(rec, "dma", dma, sizeof dma));
	struct rsensor *s = &r->sen[idx];
	if (s->kind == RK_OTHER) {
		r->nunused++;
		return;
	}
	double v;
	int valid = aw_get_num(rec, "value", &v) && isfinite(v);
	if (valid && getstr(rec, "qc", qc, sizeof qc) && strcmp(qc, "ok") != 0 && strcmp(qc, "filled") != 0) {
		valid = 0;
		if (in_period(r, ts)) {
			s->flagged++;
			r->nflagged++;
		}
	}
	if (s->seen && ts <= s->last_ts) {
		if (r->n_order_errors++ < 10)
			aw_error_at(file, line, "reading of %s is not later than the one before: the input "
			    "must be in time order per sensor", s->id);
		return;
	}
	if (!in_period(r, ts))
		r->nout_of_period++;
	else
		s->n++;
	if (s->kind == RK_VOLUME) {
		if (valid && s->last_ok && in_period(r, ts) && s->dma >= 0) {
			double d = v - s->last_v;
			if (d < 0)
				s->resets++;
			else {
				struct rdma *dm = &r->dma[s->dma];
				series_at(&dm->amr, aw_slot_of(ts))->vdt += d;
				if (!dm->amr_first || s->last_ts < dm->amr_first)
					dm->amr_first = s->last_ts;
				if (ts > dm->amr_last)
					dm->amr_last = ts;
			}
		}
		s->seen = 1;
		s->last_ts = ts, s->last_ok = valid;
		if (valid)
			s->last_v = v;
		return;
	}
	int64_t lo = r->per.all ? INT64_MIN : r->per.start, hi = r->per.all ? INT64_MAX : r->per.end;
	if (s->seen) {
		int64_t dt = ts - s->last_ts;
		if (s->last_ok) {
			int64_t cr = dt;
			if (s->typ > 0 && dt > 2 * s->typ)
				cr = s->typ;
			else if (s->typ == 0 && dt > 3600)
				cr = 3600;
			credit(&s->ser, s->last_ts, s->last_ts + cr, s->last_v, lo, hi);
		}
		if (dt >= 10 && (s->typ == 0 || dt < s->typ))
			s->typ = dt;
	}
	s->seen = 1;
	s->last_ts = ts, s->last_v = v, s->last_ok = valid;
	if (valid && in_period(r, ts)) {
		struct rslot *x = series_at(&s->ser, aw_slot_of(ts));
		if (v < x->min)
			x->min = (float)v;
		if (v > x->max)
			x->max = (float)v;
		if (s->has_q)
			aw_qtrack_add(&s->q, ts, v);
	}
}

static void on_alert(struct aw_report *r, struct aw_record *rec)
{
	char id[256], buf[256];
	int64_t ts = INT64_MIN;
	size_t i;
	if (!getstr(rec, "id", id, sizeof id))
		return;
	/* the detection: ts, else the start of what was detected (aw-alert), else opened */
	if (!gettime(rec, "ts", &ts) && !gettime(rec, "start", &ts))
		gettime(rec, "opened", &ts);
	if (!aw_map_get(&r->alert_index, id, &i)) {
		r->alert = aw_reallocarray(r->alert, r->nalert + 1, sizeof *r->alert);
		memset(&r->alert[r->nalert], 0, sizeof *r->alert);
		r->alert[r->nalert].id = aw_strdup(id);
		r->alert[r->nalert].ts = INT64_MIN;
		r->alert[r->nalert].flow_lps = NAN;
		i = r->nalert++;
		aw_map_put(&r->alert_index, id, i);
	}
	struct ralert *a = &r->alert[i];
	if (ts != INT64_MIN && (a->ts == INT64_MIN || ts < a->ts))
		a->ts = ts;
	if (!a->event)
		a->event = dupstr(rec, "event");
	if (!a->dma) {
		if (getstr(rec, "dma", buf, sizeof buf) || nested(rec, "where", "dma", buf, sizeof buf, NULL))
			a->dma = aw_strdup(buf);
	}
	if (getstr(rec, "severity", buf, sizeof buf)) {
		free(a->severity);
		a->severity = aw_strdup(buf);
	}
	if (!a->what && (getstr(rec, "what", buf, sizeof buf) || nested(rec, "what", "type", buf,
	    sizeof buf, NULL)))
		a->what = aw_strdup(buf);
	double q;
	if (aw_get_num(rec, "flow_lps", &q) || aw_get_num(rec, "est_flow_lps", &q) ||
	    nested(rec, "what", "est_flow_lps", NULL, 0, &q) || nested(rec, "what", "flow_lps", NULL, 0, &q))
		a->flow_lps = q;
	if (getstr(rec, "workorder", buf, sizeof buf)) {
		free(a->wo_ref);
		a->wo_ref = aw_strdup(buf);
	}
	if (getstr(rec, "outcome", buf, sizeof buf)) {
		free(a->outcome_ref);
		a->outcome_ref = aw_strdup(buf);
	}
}

static void on_event(struct aw_report *r, struct aw_record *rec)
{
	char id[256];
	size_t i;
	int64_t t;
	if (!getstr(rec, "id", id, sizeof id))
		return;
	if (!aw_map_get(&r->event_index, id, &i)) {
		r->event = aw_reallocarray(r->event, r->nevent + 1, sizeof *r->event);
		memset(&r->event[r->nevent], 0, sizeof *r->event);
		r->event[r->nevent].id = aw_strdup(id);
		r->event[r->nevent].start = INT64_MIN;
		r->event[r->nevent].end = INT64_MIN;
		i = r->nevent++;
		aw_map_put(&r->event_index, id, i);
	}
	struct revent *e = &r->event[i];
	if (!e->dma)
		e->dma = dupstr(rec, "dma");
	if (gettime(rec, "start", &t) && (e->start == INT64_MIN || t < e->start))
		e->start = t;
	if (gettime(rec, "end", &t) && t > e->end)
		e->end = t;
}

/* the time of the first "closed" entry of a work order's history (aw-workorder) */
static int64_t history_closed(struct aw_record *rec)
{
	struct aw_jiter it;
	struct aw_field e;
	int64_t t = INT64_MIN;
	if (aw_jiter_init(&it, aw_get(rec, "history")) < 0)
		return t;
	while (t == INT64_MIN && aw_jiter_next(&it, &e)) {
		struct aw_record sub = { 0 };
		const char *err;
		if (e.type == AW_JOBJ && aw_json_parse(&sub, e.val, e.vlen, &err) == 0 &&
		    aw_is(&sub, "status", "closed"))
			gettime(&sub, "ts", &t);
		aw_record_free(&sub);
	}
	return t;
}

static void on_workorder(struct aw_report *r, struct aw_record *rec)
{
	char id[256], buf[256];
	size_t i;
	int64_t ts = INT64_MIN, t;
	if (!getstr(rec, "id", id, sizeof id))
		return;
	if (!gettime(rec, "ts", &ts))
		gettime(rec, "updated", &ts);	/* aw-workorder: the version's time */
	if (!aw_map_get(&r->wo_index, id, &i)) {
		r->wo = aw_reallocarray(r->wo, r->nwo + 1, sizeof *r->wo);
		memset(&r->wo[r->nwo], 0, sizeof *r->wo);
		r->wo[r->nwo].id = aw_strdup(id);
		r->wo[r->nwo].created = r->wo[r->nwo].closed = r->wo[r->nwo].last = INT64_MIN;
		i = r->nwo++;
		aw_map_put(&r->wo_index, id, i);
	}
	struct rwo *w = &r->wo[i];
	if (!w->alert)
		w->alert = dupstr(rec, "alert");
	if (gettime(rec, "created", &t) || (t = ts) != INT64_MIN)
		if (w->created == INT64_MIN || t < w->created)
			w->created = t;
	if (ts == INT64_MIN || ts >= w->last) {
		if (ts != INT64_MIN)
			w->last = ts;
		if (getstr(rec, "status", buf, sizeof buf)) {
			free(w->status);
			w->status = aw_strdup(buf);
		}
		if (getstr(rec, "outcome", buf, sizeof buf) ||
		    nested(rec, "outcome", "label", buf, sizeof buf, NULL)) {
			free(w->outcome);
			w->outcome = aw_strdup(buf);
		}
	}
	if (gettime(rec, "closed", &t) || (t = history_closed(rec)) != INT64_MIN)
		w->closed = t;
	else if (w->status && strcmp(w->status, "closed") == 0 && w->closed == INT64_MIN && ts != INT64_MIN)
		w->closed = ts;
}

static void on_label(struct aw_report *r, struct aw_record *rec)
{
	char buf[64];
	if (!getstr(rec, "label", buf, sizeof buf))
		return;
	r->lab = aw_reallocarray(r->lab, r->nlab + 1, sizeof *r->lab);
	struct rlabel *l = &r->lab[r->nlab++];
	memset(l, 0, sizeof *l);
	l->label = aw_strdup(buf);
	l->event = dupstr(rec, "event");
	l->alert = dupstr(rec, "alert");
	l->wo = dupstr(rec, "workorder");
	l->dma = dupstr(rec, "dma");
	l->pipe = dupstr(rec, "pipe");
	l->start = l->end = INT64_MIN;
	gettime(rec, "start", &l->start);
	gettime(rec, "end", &l->end);
	l->flow_lps = NAN;
	aw_get_num(rec, "flow_lps", &l->flow_lps);
}

static int pdma_index(struct aw_report *r, const char *name)
{
	size_t i;
	if (aw_map_get(&r->pdma_index, name, &i))
		return (int)i;
	r->pdma = aw_reallocarray(r->pdma, r->npdma + 1, sizeof *r->pdma);
	r->pdma[r->npdma] = aw_strdup(name);
	aw_map_put(&r->pdma_index, name, r->npdma);
	return (int)r->npdma++;
}

static void on_probability(struct aw_report *r, struct aw_record *rec, const char *file, long line)
{
	char dma[128];
	int64_t ts;
	double p;
	if (!gettime(rec, "ts", &ts) || !aw_get_num(rec, "p_leak", &p)) {
		aw_error_at(file, line, "probability without ts or p_leak");
		return;
	}
	if (!in_period(r, ts))
		return;
	if (!getstr(rec, "dma", dma, sizeof dma))
		strcpy(dma, "");
	if (*dma && !dma_wanted(r, dma))
		return;
	if (r->nprob == r->capprob) {
		r->capprob = r->capprob ? 2 * r->capprob : 1024;
		r->prob = aw_reallocarray(r->prob, r->capprob, sizeof *r->prob);
	}
	r->prob[r->nprob++] = (struct aw_prob){ ts, pdma_index(r, dma), (float)p };
}

void aw_report_add(struct aw_report *r, struct aw_record *rec, const char *file, long line)
{
	const struct aw_field *f = aw_get(rec, "type");
	r->nrec++;
	if (!f || f->type != AW_JSTR) {
		aw_error_at(file, line, "record without a type");
		return;
	}
	if (aw_is(rec, "type", "reading"))
		on_reading(r, rec, file, line);
	else if (aw_is(rec, "type", "alert"))
		on_alert(r, rec);
	else if (aw_is(rec, "type", "event"))
		on_event(r, rec);
	else if (aw_is(rec, "type", "workorder"))
		on_workorder(r, rec);
	else if (aw_is(rec, "type", "label"))
		on_label(r, rec);
	else if (aw_is(rec, "type", "probability"))
		on_probability(r, rec, file, line);
	else
		r->nignored++;
}

/* ---- computing ---- */

static void day_range(struct aw_report *r)
{
	if (!r->per.all) {
		r->day0 = r->per.day0;
		r->nday = (size_t)(r->per.day1 - r->per.day0 + 1);
		return;
	}
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	for (size_t i = 0; i < r->nsen; i++) {
		const struct rseries *s = &r->sen[i].ser;
		for (size_t k = 0; k < s->n; k++)
			if (s->s[k].dt > 0 || s->s[k].min <= s->s[k].max) {
				if (s->base + (int64_t)k < lo)
					lo = s->base + (int64_t)k;
				break;
			}
		for (size_t k = s->n; k-- > 0;)
			if (s->s[k].dt > 0 || s->s[k].min <= s->s[k].max) {
				if (s->base + (int64_t)k > hi)
					hi = s->base + (int64_t)k;
				break;
			}
	}
	for (size_t i = 0; i < r->ndma; i++) {
		const struct rseries *s = &r->dma[i].amr;
		if (s->n) {
			if (s->base < lo)
				lo = s->base;
			if (s->base + (int64_t)s->n - 1 > hi)
				hi = s->base + (int64_t)s->n - 1;
		}
	}
	if (lo > hi) {
		r->nday = 0;
		return;
	}
	struct aw_local a, b;
	aw_tz_local(lo * AW_SLOT, &a);
	aw_tz_local(hi * AW_SLOT, &b);
	aw_period_days(&r->per, a.day_index, b.day_index);
	r->day0 = a.day_index;
	r->nday = (size_t)(b.day_index - a.day_index + 1);
}

/* mean DMA inflow (L/s) over [t0, t1): every inlet and outlet covered >= min_cover s */
/* level at an instant: the mean of the slots on both sides of it */
static double level_at(const struct rseries *s, int64_t t)
{
	int64_t k = aw_slot_of(t);
	double a = aw_rseries_mean(s, k - 1, k, 1, NULL), b = aw_rseries_mean(s, k, k + 1, 1, NULL);
	if (a == a && b == b)
		return (a + b) / 2;
	return a == a ? a : b;
}

double aw_rdma_flow(const struct aw_report *r, const struct rdma *d, int64_t t0, int64_t t1,
    double min_cover)
{
	double q = 0;
	int64_t k0 = aw_slot_of(t0), k1 = aw_slot_of(t1);
	if (!d->nin && !d->nout)
		return NAN;
	for (size_t i = 0; i < d->nin + d->nout; i++) {
		const struct rsensor *s = &r->sen[i < d->nin ? d->in[i] : d->out[i - d->nin]];
		double m = aw_rseries_mean(&s->ser, k0, k1, min_cover, NULL);
		if (!(m == m))
			return NAN;
		q += (i < d->nin ? 1 : -1) * sensor_sign(r, s->id) * m;
	}
	for (size_t i = 0; i < d->ntank; i++) {
		const struct rsensor *s = &r->sen[d->tank[i]];
		double a = level_at(&s->ser, t0), b = level_at(&s->ser, t1);
		q -= aw_sensor_find(r->cfg, s->id)->area_m2 * (b - a) * 1000 / (double)(t1 - t0);
	}
	return q;
}

double aw_rdma_pressure(const struct aw_report *r, const struct rdma *d, int64_t t0, int64_t t1)
{
	double sum = 0;
	int n = 0;
	for (size_t i = 0; i < d->npres; i++) {
		double m = aw_rseries_mean(&r->sen[d->pres[i]].ser, aw_slot_of(t0), aw_slot_of(t1),
		    (double)(t1 - t0) / 2, NULL);
		if (m == m)
			sum += m, n++;
	}
	return n ? sum / n : NAN;
}

static void compute_days(struct aw_report *r, struct rdma *d)
{
	d->day = aw_calloc(r->nday ? r->nday : 1, sizeof *d->day);
	for (size_t i = 0; i < r->nday; i++) {
		int64_t D = r->day0 + (int64_t)i;
		int64_t t0 = aw_local_day_start(D), t1 = aw_local_day_start(D + 1);
		struct rday *x = &d->day[i];
		x->inflow_lps = aw_rdma_flow(r, d, t0, t1, r->completeness * (double)(t1 - t0));
		x->siv_m3 = x->inflow_lps * (double)(t1 - t0) / 1000;
		x->mnf_lps = NAN;
		for (int h = r->night_from; h != r->night_to; h = (h + 1) % 24) {
			int fl;
			int64_t h0 = aw_tz_to_utc(D * 86400 + h * 3600, NULL, &fl);
			if (fl & AW_TZ_GAP)
				continue;
			double q = aw_rdma_flow(r, d, h0, h0 + 3600, 1800);
			if (q == q && !(q >= x->mnf_lps))
				x->mnf_lps = q, x->mnf_ts = h0;
		}
		double b = 0;
		for (int64_t k = aw_slot_of(t0); k < aw_slot_of(t1); k++) {
			const struct rslot *s = aw_rseries_get(&d->amr, k);
			if (s)
				b += s->vdt;
		}
		x->billed_m3 = b;
		for (int h = 0; h < 24 && d->npres; h++) {
			int fl;
			int64_t h0 = aw_tz_to_utc(D * 86400 + h * 3600, NULL, &fl);
			if (fl & AW_TZ_GAP)
				continue;
			double p = aw_rdma_pressure(r, d, h0, h0 + 3600);
			if (p == p)
				d->profile[h] += p, d->profile_n[h]++;
		}
	}
	int full = d->npres > 0;
	double ps = 0;
	for (int h = 0; h < 24; h++) {
		if (d->profile_n[h])
			d->profile[h] /= (double)d->profile_n[h];
		else
			d->profile[h] = NAN, full = 0;
		ps += d->profile[h];
	}
	d->pressure_bar = full ? ps / 24 : NAN;
}

static void dma_settings(struct aw_report *r, struct rdma *d)
{
	const struct aw_dma *c = d->cfg;
	double ndf = NAN, nu;
	if (c && c->night_day_factor_h == c->night_day_factor_h) {
		ndf = c->night_day_factor_h;
		d->ndf_source = "configured";
	} else {
		ndf = aw_night_day_factor(d->profile, r->night_from, r->night_to, r->n1);
		d->ndf_source = "pressure profile";
		if (!(ndf == ndf)) {
			ndf = r->ndf_default;
			d->ndf_source = "default";
		}
	}
	d->ndf_h = ndf;
	if (c && c->night_use_l_per_conn_h == c->night_use_l_per_conn_h)
		nu = c->night_use_l_per_conn_h, d->night_use_source = "configured";
	else
		nu = r->night_use_default, d->night_use_source = r->night_use_source;
	d->night_use_lps = c ? aw_night_use_lps(c->connections, nu) : NAN;
	if (c && c->pressure_m == c->pressure_m)
		d->pressure_source = "configured";
	else if (d->pressure_bar == d->pressure_bar)
		d->pressure_source = "measured";
	else
		d->pressure_source = NULL;
	d->private_source = c && c->private_km == c->private_km ? "configured" : "assumed 0";
}

static void fig_compute(struct aw_report *r, struct rdma *d, struct rfig *f, size_t i0, size_t i1)
{
	const struct aw_dma *c = d->cfg;
	double siv = 0, infl = 0, mnf = 0, billed = 0;
	f->days = (int)(i1 - i0);
	f->start = aw_local_day_start(r->day0 + (int64_t)i0);
	f->end = aw_local_day_start(r->day0 + (int64_t)i1);
	f->mnf_min_lps = NAN;
	for (size_t i = i0; i < i1; i++) {
		const struct rday *x = &d->day[i];
		if (x->siv_m3 == x->siv_m3)
			siv += x->siv_m3, infl += x->inflow_lps, f->good_days++;
		if (x->mnf_lps == x->mnf_lps) {
			mnf += x->mnf_lps, f->mnf_days++;
			if (!(x->mnf_lps >= f->mnf_min_lps))
				f->mnf_min_lps = x->mnf_lps, f->mnf_min_day = r->day0 + (int64_t)i;
		}
		billed += x->billed_m3;
	}
	f->siv_m3 = f->good_days ? siv / f->good_days * f->days : NAN;
	f->inflow_lps = f->good_days ? infl / f->good_days : NAN;
	f->mnf_lps = f->mnf_days ? mnf / f->mnf_days : NAN;
	if (c && c->billed_m3_per_day == c->billed_m3_per_day)
		f->billed_m3 = c->billed_m3_per_day * f->days, f->billed_source = "configured";
	else if (d->has_amr)
		f->billed_m3 = billed, f->billed_source = "AMR";
	else
		f->billed_m3 = NAN, f->billed_source = "none";
	if (c && c->unbilled_m3_per_day == c->unbilled_m3_per_day)
		f->unbilled_m3 = c->unbilled_m3_per_day * f->days, f->unbilled_source = "configured";
	else
		f->unbilled_m3 = 0, f->unbilled_source = "assumed 0";

	struct aw_balance_in *in = &f->in;
	in->days = f->days;
	in->siv_m3 = f->siv_m3;
	in->billed_m3 = f->billed_m3;
	in->unbilled_m3 = f->unbilled_m3;
	in->apparent_pct = c && c->apparent_loss_pct == c->apparent_loss_pct ? c->apparent_loss_pct :
	    r->apparent_default;
	in->mnf_lps = f->mnf_lps;
	in->night_use_lps = d->night_use_lps;
	in->ndf_h = d->ndf_h;
	in->mains_km = c ? c->mains_km : NAN;
	in->connections = c ? c->connections : NAN;
	in->private_km = c && c->private_km == c->private_km ? c->private_km : 0;
	in->pressure_m = c && c->pressure_m == c->pressure_m ? c->pressure_m : d->pressure_bar * M_PER_BAR;
	aw_balance_compute(in, &f->b);
}

static void compute_dma(struct aw_report *r, struct rdma *d)
{
	compute_days(r, d);
	dma_settings(r, d);
	size_t i = 0;
	while (i < r->nday) {
		int y, m, dd;
		aw_civil_from_days(r->day0 + (int64_t)i, &y, &m, &dd);
		size_t j = i;
		for (;;) {
			int y2, m2;
			if (++j >= r->nday)
				break;
			aw_civil_from_days(r->day0 + (int64_t)j, &y2, &m2, &dd);
			if (y2 != y || m2 != m)
				break;
		}
		d->month = aw_reallocarray(d->month, d->nmonth + 1, sizeof *d->month);
		struct rfig *f = &d->month[d->nmonth++];
		memset(f, 0, sizeof *f);
		snprintf(f->label, sizeof f->label, "%04d-%02d", y % 10000, m);
		fig_compute(r, d, f, i, j);
		i = j;
	}
	memset(&d->total, 0, sizeof d->total);
	snprintf(d->total.label, sizeof d->total.label, "%s", r->per.label);
	fig_compute(r, d, &d->total, 0, r->nday);
}

static int label_about(const struct rlabel *l, const struct ralert *a, const struct rwo *w)
{
	return (l->alert && strcmp(l->alert, a->id) == 0) ||
	    (l->event && a->event && strcmp(l->event, a->event) == 0) ||
	    (l->wo && w && strcmp(l->wo, w->id) == 0);
}

/* the last label about an alert (the latest decision) */
static const struct rlabel *label_for(const struct aw_report *r, const struct ralert *a,
    const struct rwo *w)
{
	for (size_t i = r->nlab; i-- > 0;)
		if (label_about(&r->lab[i], a, w))
			return &r->lab[i];
	return NULL;
}

static int label_positive(const char *l);

/* the earliest leak start the leak labels about an alert give: a work order's label
 * carries the alert's own start, a label from the field or the ground truth may know
 * better */
static int64_t leak_start_for(const struct aw_report *r, const struct ralert *a,
    const struct rwo *w)
{
	int64_t t = INT64_MIN;
	for (size_t i = 0; i < r->nlab; i++) {
		const struct rlabel *l = &r->lab[i];
		if (label_about(l, a, w) && label_positive(l->label) == 1 && l->start != INT64_MIN &&
		    (t == INT64_MIN || l->start < t))
			t = l->start;
	}
	return t;
}

static int label_positive(const char *l)
{
	if (!l)
		return -1;
	if (!strcmp(l, "confirmed_leak") || !strcmp(l, "probable"))
		return 1;
	if (!strcmp(l, "confirmed_no_leak") || !strcmp(l, "operational_event"))
		return 0;
	return -1;
}

/* leak flow from the step of the DMA's night flow: mean MNF of up to 7 days after the
 * start day (not past the end) minus the mean of the 7 days before */
static double mnf_step(const struct aw_report *r, int dma, int64_t start, int64_t end)
{
	if (dma < 0 || !r->nday)
		return NAN;
	const struct rdma *d = &r->dma[dma];
	struct aw_local lt;
	aw_tz_local(start, &lt);
	int64_t s = lt.day_index - r->day0, e = s + 7;
	if (end != INT64_MIN) {
		aw_tz_local(end, &lt);
		if (lt.day_index - r->day0 < e)
			e = lt.day_index - r->day0;
	}
	double b = 0, a = 0;
	int nb = 0, na = 0;
	for (int64_t i = s - 7; i < s; i++)
		if (i >= 0 && i < (int64_t)r->nday && d->day[i].mnf_lps == d->day[i].mnf_lps)
			b += d->day[i].mnf_lps, nb++;
	for (int64_t i = s + 1; i <= e; i++)
		if (i >= 0 && i < (int64_t)r->nday && d->day[i].mnf_lps == d->day[i].mnf_lps)
			a += d->day[i].mnf_lps, na++;
	if (!nb || !na || a / na <= b / nb)
		return NAN;
	return a / na - b / nb;
}

static void compute_operations(struct aw_report *r)
{
	for (size_t i = 0; i < r->nalert; i++) {
		struct ralert *a = &r->alert[i];
		size_t k;
		const struct revent *ev = a->event && aw_map_get(&r->event_index, a->event, &k) ?
		    &r->event[k] : NULL;
		if (a->ts == INT64_MIN && ev)
			a->ts = ev->start;
		if (!a->dma && ev && ev->dma)
			a->dma = aw_strdup(ev->dma);
		const struct rwo *w = NULL;
		for (size_t j = 0; j < r->nwo; j++)
			if ((r->wo[j].alert && strcmp(r->wo[j].alert, a->id) == 0) ||
			    (a->wo_ref && strcmp(r->wo[j].id, a->wo_ref) == 0))
				w = &r->wo[j];
		const struct rlabel *l = label_for(r, a, w);
		a->label = l ? l->label : w && w->outcome ? w->outcome : a->outcome_ref;
		a->outcome = label_positive(a->label);
		a->wo = w ? aw_strdup(w->id) : a->wo_ref ? aw_strdup(a->wo_ref) : NULL;
		a->wo_status = w ? w->status : NULL;
		a->wo_created = w ? w->created : INT64_MIN;
		a->wo_closed = w ? w->closed : INT64_MIN;
		a->leak_start = leak_start_for(r, a, w);
		a->latency_h = a->outcome == 1 && a->leak_start != INT64_MIN && a->ts != INT64_MIN ?
		    (double)(a->ts - a->leak_start) / 3600 : NAN;
		a->flow_used_lps = NAN;
		a->saved_m3 = NAN;
		if (a->outcome != 1)
			continue;
		if (a->flow_lps == a->flow_lps)
			a->flow_used_lps = a->flow_lps, a->flow_source = "alert";
		else if (l && l->flow_lps == l->flow_lps)
			a->flow_used_lps = l->flow_lps, a->flow_source = "label";
		else {
			int d = a->dma ? find_dma(r, a->dma) : -1;
			double q = mnf_step(r, d, a->leak_start != INT64_MIN ? a->leak_start : a->ts,
			    l ? l->end : INT64_MIN);
			if (q == q)
				a->flow_used_lps = q, a->flow_source = "night-flow step";
		}
		if (a->flow_used_lps == a->flow_used_lps && a->latency_h == a->latency_h) {
			double saved_h = r->manual_h - (a->latency_h > 0 ? a->latency_h : 0);
			a->saved_m3 = a->flow_used_lps * 3.6 * (saved_h > 0 ? saved_h : 0);
		}
	}
}

static void compute_monitoring(struct aw_report *r)
{
	struct aw_interval *iv = aw_calloc(r->nlab + 1, sizeof *iv);
	size_t n = 0;
	for (size_t i = 0; i < r->nlab; i++) {
		const struct rlabel *l = &r->lab[i];
		const char *dma = l->dma;
		int64_t s = l->start, e = l->end;
		size_t k;
		if (l->event && aw_map_get(&r->event_index, l->event, &k)) {
			if (!dma)
				dma = r->event[k].dma;
			if (s == INT64_MIN)
				s = r->event[k].start;
			if (e == INT64_MIN)
				e = r->event[k].end;
		}
		if (!dma && l->alert && aw_map_get(&r->alert_index, l->alert, &k))
			dma = r->alert[k].dma;
		if (s == INT64_MIN)
			continue;
		size_t di;
		int d = -1;
		if (dma) {
			if (!aw_map_get(&r->pdma_index, dma, &di))
				continue;
			d = (int)di;
		}
		const char *lab = l->label;
		iv[n++] = (struct aw_interval){ d, s, e == INT64_MIN ? INT64_MAX : e,
			!strcmp(lab, "confirmed_leak") || !strcmp(lab, "probable") ? 1 :
			!strcmp(lab, "suspected") ? -1 : 0 };
	}
	r->nmon = aw_monitor_compute(r->prob, r->nprob, iv, n, r->threshold, &r->mon);
	free(iv);
}

void aw_report_finish(struct aw_report *r)
{
	if (r->n_order_errors > 10)
		aw_warn("%ld readings not in time order were skipped (the first 10 are shown above)",
		    r->n_order_errors);
	int64_t hi = r->per.all ? INT64_MAX : r->per.end;
	for (size_t i = 0; i < r->nsen; i++) {
		struct rsensor *s = &r->sen[i];
		if (s->kind != RK_VOLUME && s->kind != RK_OTHER && s->last_ok && s->typ > 0)
			credit(&s->ser, s->last_ts, s->last_ts + s->typ, s->last_v,
			    r->per.all ? INT64_MIN : r->per.start, hi);
		if (s->has_q)
			aw_qtrack_finish(&s->q);
	}
	day_range(r);
	for (size_t i = 0; i < r->ndma; i++)
		compute_dma(r, &r->dma[i]);
	compute_operations(r);
	compute_monitoring(r);
	r->finished = 1;
}

void aw_report_free(struct aw_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsen; i++) {
		free(r->sen[i].id);
		free(r->sen[i].ser.s);
		if (r->sen[i].has_q)
			aw_qtrack_free(&r->sen[i].q);
	}
	free(r->sen);
	aw_map_free(&r->sen_index);
	for (size_t i = 0; i < r->ndma; i++) {
		struct rdma *d = &r->dma[i];
		free(d->id), free(d->name), free(d->in), free(d->out), free(d->pres), free(d->tank);
		free(d->amr.s), free(d->day), free(d->month);
	}
	free(r->dma);
	for (size_t i = 0; i < r->nalert; i++) {
		struct ralert *a = &r->alert[i];
		free(a->id), free(a->event), free(a->dma), free(a->severity), free(a->what), free(a->wo);
		free(a->wo_ref), free(a->outcome_ref);
	}
	free(r->alert);
	aw_map_free(&r->alert_index);
	for (size_t i = 0; i < r->nevent; i++)
		free(r->event[i].id), free(r->event[i].dma);
	free(r->event);
	aw_map_free(&r->event_index);
	for (size_t i = 0; i < r->nwo; i++)
		free(r->wo[i].id), free(r->wo[i].alert), free(r->wo[i].status), free(r->wo[i].outcome);
	free(r->wo);
	aw_map_free(&r->wo_index);
	for (size_t i = 0; i < r->nlab; i++) {
		struct rlabel *l = &r->lab[i];
		free(l->label), free(l->event), free(l->alert), free(l->wo), free(l->dma), free(l->pipe);
	}
	free(r->lab);
	free(r->prob);
	for (size_t i = 0; i < r->npdma; i++)
		free(r->pdma[i]);
	free(r->pdma);
	aw_map_free(&r->pdma_index);
	free(r->mon);
	free(r);
}

void aw_report_local(char *out, int64_t t)
{
	struct aw_local lt;
	if (t == INT64_MIN || t == INT64_MAX) {
		strcpy(out, "-");
		return;
	}
	aw_tz_local(t, &lt);
	snprintf(out, 20, "%04d-%02d-%02d %02d:%02d", lt.year % 10000, lt.month, lt.day, lt.hour,
	    lt.minute);
}
