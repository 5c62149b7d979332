#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_residual.h"
#include "aw_time.h"

size_t aw_resid_nfeat(size_t q)
{
	return q + q * (q + 1) / 2;
}

void aw_resid_features(const double *u, size_t q, double *x)
{
	size_t k = 1;

	x[0] = 1;
	for (size_t a = 0; a < q; a++)
		x[k++] = u[a];
	for (size_t a = 0; a < q; a++)
		for (size_t b = a; b < q; b++)
			x[k++] = u[a] * u[b];
}

/* Solves A x = c for a symmetric positive definite A (n x n, overwritten by its Cholesky
 * factor). Returns -1 when A is not positive definite. */
static int chol_solve(double *A, double *c, size_t n)
{
	for (size_t j = 0; j < n; j++) {
		double d = A[j * n + j];
		for (size_t k = 0; k < j; k++)
			d -= A[j * n + k] * A[j * n + k];
		if (!(d > 0))
			return -1;
		d = sqrt(d);
		A[j * n + j] = d;
		for (size_t i = j + 1; i < n; i++) {
			double s = A[i * n + j];
			for (size_t k = 0; k < j; k++)
				s -= A[i * n + k] * A[j * n + k];
			A[i * n + j] = s / d;
		}
	}
	for (size_t i = 0; i < n; i++) {
		double s = c[i];
		for (size_t k = 0; k < i; k++)
			s -= A[i * n + k] * c[k];
		c[i] = s / A[i * n + i];
	}
	for (size_t i = n; i-- > 0;) {
		double s = c[i];
		for (size_t k = i + 1; k < n; k++)
			s -= A[k * n + i] * c[k];
		c[i] = s / A[i * n + i];
	}
	return 0;
}

/* ---- training ---- */

struct fitctx {
	const double *data;
	size_t nsteps, ncol, q, npress, nf;	/* nf: 1 + features of the inputs */
	const double *in_mean, *in_sd, *p_mean, *p_sd;
	double *base;		/* nsteps x nf, NaN rows where an input is missing */
	const unsigned char *keep;
	const long *day;	/* day number of each row, for within-day fits; NULL: plain fit */
	double ridge;
};

static double pval(const struct fitctx *c, size_t row, size_t j)
{
	return c->data[row * c->ncol + c->q + j];
}

/* the design row of sensor `self` with extras; 0 when a value is missing */
static int design(const struct fitctx *c, size_t row, const size_t *extra, size_t nextra,
    double *x)
{
	const double *b = c->base + row * c->nf;
	if (isnan(b[0]))
		return 0;
	memcpy(x, b, c->nf * sizeof *x);
	for (size_t e = 0; e < nextra; e++) {
		double v = pval(c, row, extra[e]);
		if (isnan(v))
			return 0;
		x[c->nf + e] = (v - c->p_mean[extra[e]]) / c->p_sd[extra[e]];
	}
	return 1;
}

/* least squares of sensor i on its design; res[row] gets the residual (NaN when the row
 * is unusable or not kept). Returns the rows used, 0 on failure. */
static long fit_one(const struct fitctx *c, size_t i, const size_t *extra, size_t nextra,
    double *theta, double *info, double *res)
{
	size_t p = c->nf + nextra;
	double *A = aw_calloc(p * p, sizeof *A), *rhs = aw_calloc(p, sizeof *rhs);
	double *x = aw_malloc(p * sizeof *x);
	long n = 0;

	double *mx = aw_calloc(p + 1, sizeof *mx), *W = aw_calloc(p * p, sizeof *W);
	double *wr = aw_calloc(p, sizeof *wr);
	double my = 0, sy = 0;
	long nd = 0;
	for (size_t row = 0; row <= c->nsteps; row++) {
		/* a day (or the whole span) ends: its means come off the within-day sums */
		if (c->day && nd && (row == c->nsteps || c->day[row] != c->day[row - 1])) {
			for (size_t a = 1; a < p; a++) {
				wr[a] -= mx[a] * my / nd;
				for (size_t b = 1; b <= a; b++)
					W[a * p + b] -= mx[a] * mx[b] / nd;
			}
			memset(mx, 0, p * sizeof *mx);
			my = 0;
			nd = 0;
		}
		if (row == c->nsteps)
			break;
		double y = pval(c, row, i);
		if (!c->keep[row] || isnan(y) || !design(c, row, extra, nextra, x))
			continue;
		for (size_t a = 0; a < p; a++) {
			rhs[a] += x[a] * y;
			wr[a] += x[a] * y;
			mx[a] += x[a];
			for (size_t b = 0; b <= a; b++) {
				A[a * p + b] += x[a] * x[b];
				W[a * p + b] += x[a] * x[b];
			}
		}
		my += y;
		sy += y;
		nd++;
		n++;
	}
	if (n < (long)(2 * p)) {
		n = 0;
		goto done;
	}
	for (size_t a = 0; a < p; a++)
		for (size_t b = 0; b < a; b++) {
			A[b * p + a] = A[a * p + b];
			W[b * p + a] = W[a * p + b];
		}
	if (info)
		for (size_t a = 0; a < p * p; a++)
			info[a] = A[a] / (double)n;
	if (c->day) {
		/* slopes from the variation within days (a leak that lasts for days moves
		 * the level, not the slopes); the intercept from all rows */
		size_t q = p - 1;
		double *B = aw_malloc(q * q * sizeof *B);
		for (size_t a = 0; a < q; a++) {
			for (size_t b = 0; b < q; b++)
				B[a * q + b] = W[(a + 1) * p + b + 1];
			B[a * q + a] += c->ridge * (double)n;
			theta[a + 1] = wr[a + 1];
		}
		int bad = chol_solve(B, theta + 1, q);
		free(B);
		if (bad) {
			n = 0;
			goto done;
		}
		double f = 0;
		for (size_t a = 1; a < p; a++)
			f += theta[a] * rhs[a];
		/* rhs[0] = sum of y, A[a*p] = sum of x_a */
		double sx = 0;
		for (size_t a = 1; a < p; a++)
			sx += theta[a] * A[a * p];
		theta[0] = (sy - sx) / (double)n;
		(void)f;
	} else {
		for (size_t a = 1; a < p; a++)
			A[a * p + a] += c->ridge * (double)n;
		memcpy(theta, rhs, p * sizeof *theta);
		if (chol_solve(A, theta, p) != 0) {
			n = 0;
			goto done;
		}
	}
	for (size_t row = 0; row < c->nsteps; row++) {
		double y = pval(c, row, i);
		res[row] = NAN;
		if (!c->keep[row] || isnan(y) || !design(c, row, extra, nextra, x))
			continue;
		double f = 0;
		for (size_t a = 0; a < p; a++)
			f += x[a] * theta[a];
		res[row] = y - f;
	}
done:
	free(A);
	free(rhs);
	free(x);
	free(mx);
	free(W);
	free(wr);
	return n;
}

static double autocorr1(const double *r, size_t n)
{
	double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
	long k = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (isnan(r[i]) || isnan(r[i + 1]))
			continue;
		sa += r[i];
		sb += r[i + 1];
		saa += r[i] * r[i];
		sbb += r[i + 1] * r[i + 1];
		sab += r[i] * r[i + 1];
		k++;
	}
	if (k < 3)
		return 0;
	double cov = sab - sa * sb / k, va = saa - sa * sa / k, vb = sbb - sb * sb / k;
	return va > 0 && vb > 0 ? cov / sqrt(va * vb) : 0;
}

static double corr_with(const struct fitctx *c, size_t j, const double *res)
{
	double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
	long k = 0;
	for (size_t row = 0; row < c->nsteps; row++) {
		double a = pval(c, row, j), b = res[row];
		if (isnan(a) || isnan(b))
			continue;
		sa += a;
		sb += b;
		saa += a * a;
		sbb += b * b;
		sab += a * b;
		k++;
	}
	if (k < 3)
		return 0;
	double cov = sab - sa * sb / k, va = saa - sa * sa / k, vb = sbb - sb * sb / k;
	return va > 0 && vb > 0 ? fabs(cov / sqrt(va * vb)) : 0;
}

static double sd_of(const double *r, size_t n, size_t p)
{
	double s = 0, ss = 0;
	long k = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(r[i])) {
			s += r[i];
			ss += r[i] * r[i];
			k++;
		}
	if (k <= (long)p)
		return NAN;
	double v = (ss - s * s / k) / (double)(k - (long)p);
	return v > 0 ? sqrt(v) : NAN;
}

/* fits sensor i, adding other pressure sensors while the residual stays autocorrelated */
static long fit_select(const struct fitctx *c, size_t i, struct aw_resid_sensor *s,
    double ac_max, double *res)
{
	size_t extra[AW_RESID_MAX_EXTRA], nextra = 0;
	double theta[64 + AW_RESID_MAX_EXTRA];
	long n;

	if ((n = fit_one(c, i, extra, 0, theta, NULL, res)) == 0)
		return 0;
	while (nextra < AW_RESID_MAX_EXTRA && autocorr1(res, c->nsteps) > ac_max) {
		size_t best = SIZE_MAX;
		double bc = 0;
		for (size_t j = 0; j < c->npress; j++) {
			int used = j == i;
			for (size_t e = 0; e < nextra; e++)
				used |= extra[e] == j;
			if (used)
				continue;
			double cc = corr_with(c, j, res);
			if (cc > bc) {
				bc = cc;
				best = j;
			}
		}
		if (best == SIZE_MAX)
			break;
		/* an extra regressor must explain a good part of what is left: a drifting
		 * sensor or a leak in the training data is not a missing input */
		double before = sd_of(res, c->nsteps, c->nf + nextra);
		extra[nextra++] = best;
		if ((n = fit_one(c, i, extra, nextra, theta, NULL, res)) == 0)
			return 0;
		if (!(sd_of(res, c->nsteps, c->nf + nextra) < 0.8 * before)) {
			nextra--;
			if ((n = fit_one(c, i, extra, nextra, theta, NULL, res)) == 0)
				return 0;
			break;
		}
	}
	s->nextra = nextra;
	memcpy(s->extra, extra, nextra * sizeof *extra);
	s->p = c->nf + nextra;
	free(s->theta);
	free(s->info);
	s->theta = aw_malloc(s->p * sizeof *s->theta);
	s->info = aw_malloc(s->p * s->p * sizeof *s->info);
	n = fit_one(c, i, extra, nextra, s->theta, s->info, res);
	s->rows = n;
	s->sigma = sd_of(res, c->nsteps, s->p);
	return n;
}

static void mean_sd(const double *data, size_t nsteps, size_t ncol, size_t j, double *m, double *sd)
{
	double s = 0, ss = 0;
	long k = 0;
	for (size_t r = 0; r < nsteps; r++) {
		double v = data[r * ncol + j];
		if (isnan(v))
			continue;
		s += v;
		ss += v * v;
		k++;
	}
	*m = k ? s / k : 0;
	double var = k > 1 ? (ss - s * s / k) / (k - 1) : 0;
	*sd = var > 1e-12 ? sqrt(var) : 1;
}

static void make_groups(struct aw_resid_dma *d, size_t nf, int m, const struct fitctx *c)
{
	size_t n = d->nsensors;
	double *v = aw_calloc(n * nf, sizeof *v), *sim = aw_malloc(n * n * sizeof *sim);

	if (nf > 1) {
		/* how each sensor answers the inputs, per unit of its noise */
		for (size_t i = 0; i < n; i++) {
			double norm = 0;
			for (size_t a = 1; a < nf; a++) {
				v[i * nf + a] = d->s[i].theta[a] / d->s[i].sigma;
				norm += v[i * nf + a] * v[i * nf + a];
			}
			norm = norm > 0 ? sqrt(norm) : 1;
			for (size_t a = 1; a < nf; a++)
				v[i * nf + a] /= norm;
		}
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				double s = 0;
				for (size_t a = 1; a < nf; a++)
					s += v[i * nf + a] * v[j * nf + a];
				sim[i * n + j] = s;
			}
	} else {
		/* no inputs: sensors that move alike */
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
				long k = 0;
				for (size_t r = 0; r < c->nsteps; r++) {
					double a = pval(c, r, i), b = pval(c, r, j);
					if (isnan(a) || isnan(b))
						continue;
					sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
					k++;
				}
				double va = saa - (k ? sa * sa / k : 0), vb = sbb - (k ? sb * sb / k : 0);
				sim[i * n + j] = k > 2 && va > 0 && vb > 0 ?
				    (sab - sa * sb / k) / sqrt(va * vb) : 0;
			}
	}
	for (size_t i = 0; i < n; i++) {
		struct aw_resid_sensor *s = &d->s[i];
		s->group[0] = i;
		s->ngroup = 1;
		while (s->ngroup < (size_t)m + 1 && s->ngroup < AW_RESID_MAX_GROUP && s->ngroup < n) {
			size_t best = SIZE_MAX;
			for (size_t j = 0; j < n; j++) {
				int used = 0;
				for (size_t g = 0; g < s->ngroup; g++)
					used |= s->group[g] == j;
				if (!used && (best == SIZE_MAX || sim[i * n + j] > sim[i * n + best]))
					best = j;
			}
			s->group[s->ngroup++] = best;
		}
	}
	free(v);
	free(sim);
}

struct aw_resid_dma *aw_resid_fit(const char *dma, char **inputs, size_t ninputs,
    char **press, size_t npress, const double *data, const int64_t *ts, size_t nsteps,
    const struct aw_resid_train_opts *o, int quiet)
{
	struct fitctx c = { .data = data, .nsteps = nsteps, .ncol = ninputs + npress,
	    .q = ninputs, .npress = npress, .ridge = o->ridge };
	struct aw_resid_dma *d = aw_calloc(1, sizeof *d);
	double *in_mean = aw_calloc(ninputs + 1, sizeof *in_mean);
	double *in_sd = aw_calloc(ninputs + 1, sizeof *in_sd);
	double *p_mean = aw_calloc(npress + 1, sizeof *p_mean), *p_sd = aw_calloc(npress + 1, sizeof *p_sd);
	double *res = aw_malloc((nsteps + 1) * npress * sizeof *res);
	double *u = aw_malloc((ninputs + 1) * sizeof *u);

	if (ninputs > 10)
		aw_die(1, "dma %s: %zu flow and level inputs, at most 10 are supported", dma, ninputs);
	c.nf = 1 + aw_resid_nfeat(ninputs);
	for (size_t j = 0; j < ninputs; j++)
		mean_sd(data, nsteps, c.ncol, j, &in_mean[j], &in_sd[j]);
	for (size_t j = 0; j < npress; j++)
		mean_sd(data, nsteps, c.ncol, ninputs + j, &p_mean[j], &p_sd[j]);
	c.in_mean = in_mean, c.in_sd = in_sd, c.p_mean = p_mean, c.p_sd = p_sd;
	c.base = aw_malloc((nsteps + 1) * c.nf * sizeof *c.base);
	for (size_t r = 0; r < nsteps; r++) {
		int miss = 0;
		for (size_t j = 0; j < ninputs; j++) {
			double v = data[r * c.ncol + j];
			miss |= isnan(v);
			u[j] = (v - in_mean[j]) / in_sd[j];
		}
		aw_resid_features(u, ninputs, c.base + r * c.nf);
		if (miss)
			c.base[r * c.nf] = NAN;
	}
	long *day = aw_malloc((nsteps + 1) * sizeof *day);
	for (size_t r = 0; r < nsteps; r++)
		day[r] = (long)(ts[r] / 86400);

	d->id = aw_strdup(dma);
	d->ninputs = ninputs;
	d->inputs = aw_calloc(ninputs + 1, sizeof *d->inputs);
	for (size_t j = 0; j < ninputs; j++)
		d->inputs[j] = aw_strdup(inputs[j]);
	d->in_mean = in_mean;
	d->in_sd = in_sd;
	d->nsensors = npress;
	d->s = aw_calloc(npress + 1, sizeof *d->s);
	d->steps = (long)nsteps;
	for (size_t r = 0; r < nsteps; r++)
		if (r == 0 || ts[r] / 86400 != ts[r - 1] / 86400)
			d->days++;

	/* per-sensor masks of the training rows */
	unsigned char *keepm = aw_malloc(npress * nsteps + 1);
	memset(keepm, 1, npress * nsteps + 1);
	for (int pass = 0; pass < (o->robust ? 2 : 1); pass++) {
		for (size_t i = 0; i < npress; i++) {
			struct aw_resid_sensor *s = &d->s[i];
			c.keep = keepm + i * nsteps;
			if (!fit_select(&c, i, s, o->ac_max, res + i * nsteps))
				s->rows = 0;
		}
		if (pass == 1 || !o->robust)
			break;
		/* Days on which some sensor's mean residual is far from 0 (5 sd of a day's
		 * mean: a leak, a drift, a fault) are left out of the second fit. */
		long kept = 0, bad_days = 0;
		unsigned char *k2 = aw_malloc(nsteps + 1);
		memset(k2, 1, nsteps + 1);
		for (size_t a = 0; a < nsteps;) {
			size_t b = a;
			int bad = 0;
			while (b < nsteps && day[b] == day[a])
				b++;
			for (size_t i = 0; i < npress && !bad; i++) {
				const struct aw_resid_sensor *s = &d->s[i];
				double sum = 0;
				long k = 0;
				if (!s->rows || !(s->sigma > 0))
					continue;
				for (size_t r = a; r < b; r++)
					if (!isnan(res[i * nsteps + r])) {
						sum += res[i * nsteps + r] / s->sigma;
						k++;
					}
				bad = k >= 24 && fabs(sum / k) > 0.5;
			}
			if (bad) {
				memset(k2 + a, 0, b - a);
				bad_days++;
			} else
				kept += (long)(b - a);
			a = b;
		}
		if (bad_days && kept >= (long)nsteps / 2) {
			for (size_t i = 0; i < npress; i++)
				memcpy(keepm + i * nsteps, k2, nsteps);
			d->excluded_days = (int)bad_days;
		} else if (bad_days) {
			/* most days are off: something lasting (a leak, a drift) runs through
			 * the training span; fit the slopes within days instead */
			c.day = day;
			d->within_days = 1;
		}
		free(k2);
	}

	/* keep the sensors that could be fitted */
	size_t n = 0;
	for (size_t i = 0; i < npress; i++) {
		struct aw_resid_sensor *s = &d->s[i];
		if (s->rows >= 86400 / (o->step > 0 ? o->step : 900) && s->sigma > 0) {
			s->id = aw_strdup(press[i]);
			s->mean = p_mean[i];
			s->sd = p_sd[i];
			continue;
		}
		if (!quiet)
			aw_warn("dma %s: sensor %s has too few usable training steps (%ld), left out",
			    dma, press[i], s->rows);
		s->rows = -1;
	}
	/* compact, remapping the extras (a left-out sensor cannot serve as a regressor) */
	size_t *map = aw_malloc((npress + 1) * sizeof *map);
	for (size_t i = 0; i < npress; i++)
		map[i] = d->s[i].rows >= 0 ? n++ : SIZE_MAX;
	for (size_t i = 0; i < npress; i++) {
		struct aw_resid_sensor *s = &d->s[i];
		if (s->rows < 0) {
			free(s->theta);
			free(s->info);
			continue;
		}
		int ok = 1;
		for (size_t e = 0; e < s->nextra; e++)
			ok &= map[s->extra[e]] != SIZE_MAX;
		if (!ok) {
			size_t keepn = 0;
			for (size_t e = 0; e < s->nextra; e++)
				if (map[s->extra[e]] != SIZE_MAX)
					s->extra[keepn++] = s->extra[e];
			s->nextra = keepn;
			c.keep = keepm + i * nsteps;
			fit_one(&c, i, s->extra, s->nextra, s->theta, s->info, res + i * nsteps);
			s->p = c.nf + s->nextra;
			s->sigma = sd_of(res + i * nsteps, nsteps, s->p);
		}
		for (size_t e = 0; e < s->nextra; e++)
			s->extra[e] = map[s->extra[e]];
		d->s[map[i]] = *s;
	}
	d->nsensors = n;
	free(map);
	if (n)
		make_groups(d, c.nf, o->group_size, &c);
	free(c.base);
	free(day);
	free(keepm);
	free(res);
	free(u);
	free(p_mean);
	free(p_sd);
	if (!n) {
		aw_resid_dma_free(d);
		return NULL;
	}
	return d;
}

/* ---- model file ---- */

static void put_num(struct aw_buf *b, double v)
{
	char s[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(s, sizeof s, "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	aw_buf_printf(b, " %s", s);
}

static void model_body(const struct aw_resid_model *m, struct aw_buf *b)
{
	char t0[24], t1[24];

	aw_fmt_time(t0, m->from);
	aw_fmt_time(t1, m->to);
	aw_buf_printf(b, "step %ld\ntrained_from %s\ntrained_to %s\nridge", m->step, t0, t1);
	put_num(b, m->ridge);
	aw_buf_puts(b, "\nac_max");
	put_num(b, m->ac_max);
	aw_buf_printf(b, "\ngroup_size %d\n", m->group_size);
	for (size_t k = 0; k < m->ndmas; k++) {
		const struct aw_resid_dma *d = &m->d[k];
		aw_buf_printf(b, "dma %s\nsteps %ld\ndays %d\nexcluded_days %d\nwithin_days %d\n", d->id,
		    d->steps, d->days, d->excluded_days, d->within_days);
		for (size_t j = 0; j < d->ninputs; j++) {
			aw_buf_printf(b, "input %s", d->inputs[j]);
			put_num(b, d->in_mean[j]);
			put_num(b, d->in_sd[j]);
			aw_buf_putc(b, '\n');
		}
		for (size_t i = 0; i < d->nsensors; i++) {
			const struct aw_resid_sensor *s = &d->s[i];
			aw_buf_printf(b, "sensor %s %ld", s->id, s->rows);
			put_num(b, s->sigma);
			put_num(b, s->mean);
			put_num(b, s->sd);
			aw_buf_puts(b, "\nextra");
			for (size_t e = 0; e < s->nextra; e++)
				aw_buf_printf(b, " %s", d->s[s->extra[e]].id);
			aw_buf_puts(b, "\ngroup");
			for (size_t g = 0; g < s->ngroup; g++)
				aw_buf_printf(b, " %s", d->s[s->group[g]].id);
			aw_buf_puts(b, "\ntheta");
			for (size_t a = 0; a < s->p; a++)
				put_num(b, s->theta[a]);
			aw_buf_puts(b, "\ninfo");
			for (size_t a = 0; a < s->p; a++)
				for (size_t c = a; c < s->p; c++)
					put_num(b, s->info[a * s->p + c]);
			aw_buf_putc(b, '\n');
		}
	}
	aw_buf_puts(b, "end\n");
}

void aw_resid_model_text(const struct aw_resid_model *m, struct aw_buf *b)
{
	aw_buf_printf(b, "%s %d\nid %s\n", AW_RESID_MAGIC, AW_RESID_VERSION, m->id);
	model_body(m, b);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int aw_resid_model_write(struct aw_resid_model *m, const char *path)
{
	struct aw_buf body = { 0 }, out = { 0 }, tmp = { 0 };
	int fd, rc = -1;

	model_body(m, &body);
	if (!m->id[0]) {
		uint64_t h = aw_hash(body.s, body.len);
		snprintf(m->id, sizeof m->id, "residual-%012" PRIx64, (uint64_t)(h & 0xffffffffffffULL));
	}
	aw_buf_printf(&out, "%s %d\nid %s\n", AW_RESID_MAGIC, AW_RESID_VERSION, m->id);
	aw_buf_put(&out, body.s, body.len);
	aw_buf_printf(&tmp, "%s.tmpXXXXXX", path);
	mode_t mask = umask(0);
	umask(mask);
	if ((fd = mkstemp(tmp.s)) < 0) {
		aw_warn("%s: %s", path, strerror(errno));
		goto done;
	}
	if (fchmod(fd, 0666 & ~mask) != 0 || write_all(fd, out.s, out.len) != 0 || fsync(fd) != 0) {
		aw_warn("%s: %s", tmp.s, strerror(errno));
		close(fd);
		unlink(tmp.s);
		goto done;
	}
	if (close(fd) != 0 || rename(tmp.s, path) != 0) {
		aw_warn("%s: %s", path, strerror(errno));
		unlink(tmp.s);
		goto done;
	}
	rc = 0;
done:
	aw_buf_free(&body);
	aw_buf_free(&out);
	aw_buf_free(&tmp);
	return rc;
}

void aw_resid_dma_free(struct aw_resid_dma *d)
{
	if (!d)
		return;
	free(d->id);
	for (size_t j = 0; j < d->ninputs; j++)
		free(d->inputs[j]);
	free(d->inputs);
	free(d->in_mean);
	free(d->in_sd);
	for (size_t i = 0; i < d->nsensors; i++) {
		free(d->s[i].id);
		free(d->s[i].theta);
		free(d->s[i].info);
	}
	free(d->s);
	free(d);
}

void aw_resid_model_free(struct aw_resid_model *m)
{
	if (!m)
		return;
	for (size_t k = 0; k < m->ndmas; k++) {
		struct aw_resid_dma *d = &m->d[k];
		free(d->id);
		for (size_t j = 0; j < d->ninputs; j++)
			free(d->inputs[j]);
		free(d->inputs);
		free(d->in_mean);
		free(d->in_sd);
		for (size_t i = 0; i < d->nsensors; i++) {
			free(d->s[i].id);
			free(d->s[i].theta);
			free(d->s[i].info);
		}
		free(d->s);
	}
	free(m->d);
	free(m);
}

/* reading: tokens of one line */
struct toks {
	char *v[4096];
	int n;
};

static int split(char *line, struct toks *t)
{
	t->n = 0;
	for (char *p = strtok(line, " \t"); p; p = strtok(NULL, " \t")) {
		if (t->n == (int)AW_NELEM(t->v))
			return -1;
		t->v[t->n++] = p;
	}
	return 0;
}

static int num(const char *s, double *v)
{
	return aw_parse_double(s, v) == 0 ? 0 : -1;
}

/* the sensor names of extra/group lines, resolved when the DMA is complete */
struct pending {
	char **names;
	size_t n;
};

static int resolve(struct aw_resid_dma *d, struct pending *ex, struct pending *gr)
{
	struct aw_map idx = { 0 };
	int rc = 0;
	size_t v;

	for (size_t i = 0; i < d->nsensors; i++)
		aw_map_put(&idx, d->s[i].id, i);
	for (size_t i = 0; i < d->nsensors && !rc; i++) {
		struct aw_resid_sensor *s = &d->s[i];
		for (size_t e = 0; e < ex[i].n && !rc; e++)
			if (aw_map_get(&idx, ex[i].names[e], &v) && v != i)
				s->extra[e] = v;
			else
				rc = -1;
		for (size_t g = 0; g < gr[i].n && !rc; g++)
			if (aw_map_get(&idx, gr[i].names[g], &v))
				s->group[g] = v;
			else
				rc = -1;
		if (!rc && (gr[i].n == 0 || s->group[0] != i))
			rc = -1;
	}
	aw_map_free(&idx);
	return rc;
}

static void free_pending(struct pending *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < p[i].n; k++)
			free(p[i].names[k]);
		free(p[i].names);
	}
	free(p);
}

struct aw_resid_model *aw_resid_model_read(const char *path)
{
	FILE *f = fopen(path, "r");
	struct aw_resid_model *m;
	struct aw_resid_dma *d = NULL;
	struct aw_resid_sensor *s = NULL;
	struct pending *ex = NULL, *gr = NULL;
	size_t npend = 0;
	struct toks *t;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int ended = 0, err = 0;
	const char *msg = NULL;

	if (!f) {
		aw_error_at(path, 0, "%s", strerror(errno));
		return NULL;
	}
	m = aw_calloc(1, sizeof *m);
	t = aw_malloc(sizeof *t);
	while (!err && !ended && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (split(line, t) != 0 || t->n == 0) {
			msg = "malformed line";
			err = 1;
			break;
		}
		const char *k = t->v[0];
		double v;
		if (lineno == 1) {
			if (t->n != 2 || strcmp(k, AW_RESID_MAGIC) != 0) {
				msg = "not an aw-residual model";
				err = 1;
			} else if (strcmp(t->v[1], "1") != 0) {
				msg = "unsupported model version";
				err = 1;
			}
			continue;
		}
#define NEED(cond, text) do { if (!(cond)) { msg = text; err = 1; goto next; } } while (0)
		if (strcmp(k, "id") == 0) {
			NEED(t->n == 2 && strlen(t->v[1]) < sizeof m->id, "bad id");
			snprintf(m->id, sizeof m->id, "%s", t->v[1]);
		} else if (strcmp(k, "step") == 0) {
			NEED(t->n == 2 && num(t->v[1], &v) == 0 && v >= 1 && v <= 86400, "bad step");
			m->step = (long)v;
		} else if (strcmp(k, "trained_from") == 0 || strcmp(k, "trained_to") == 0) {
			int64_t ts;
			int zoned;
			NEED(t->n == 2 && aw_parse_time(t->v[1], strlen(t->v[1]), &ts, &zoned) == 0, "bad time");
			*(k[8] == 'f' ? &m->from : &m->to) = ts;
		} else if (strcmp(k, "ridge") == 0) {
			NEED(t->n == 2 && num(t->v[1], &m->ridge) == 0, "bad ridge");
		} else if (strcmp(k, "ac_max") == 0) {
			NEED(t->n == 2 && num(t->v[1], &m->ac_max) == 0, "bad ac_max");
		} else if (strcmp(k, "group_size") == 0) {
			NEED(t->n == 2 && num(t->v[1], &v) == 0 && v >= 0 && v < AW_RESID_MAX_GROUP, "bad group_size");
			m->group_size = (int)v;
		} else if (strcmp(k, "dma") == 0 || strcmp(k, "end") == 0) {
			if (d) {
				NEED(d->nsensors > 0, "dma without sensors");
				NEED(resolve(d, ex, gr) == 0, "unknown sensor in extra or group");
				free_pending(ex, npend);
				free_pending(gr, npend);
				ex = gr = NULL;
				npend = 0;
			}
			if (k[0] == 'e') {
				NEED(t->n == 1, "bad end");
				ended = 1;
				break;
			}
			NEED(t->n == 2, "bad dma");
			m->d = aw_reallocarray(m->d, m->ndmas + 1, sizeof *m->d);
			d = &m->d[m->ndmas++];
			memset(d, 0, sizeof *d);
			d->id = aw_strdup(t->v[1]);
			s = NULL;
		} else if (strcmp(k, "steps") == 0 || strcmp(k, "days") == 0 ||
		    strcmp(k, "excluded_days") == 0 || strcmp(k, "within_days") == 0) {
			NEED(d && t->n == 2 && num(t->v[1], &v) == 0 && v >= 0 && v < 1e9, "bad count");
			if (k[0] == 's')
				d->steps = (long)v;
			else if (k[0] == 'd')
				d->days = (int)v;
			else if (k[0] == 'e')
				d->excluded_days = (int)v;
			else
				d->within_days = v != 0;
		} else if (strcmp(k, "input") == 0) {
			NEED(d && d->nsensors == 0 && t->n == 4 && d->ninputs < 10, "bad input");
			d->inputs = aw_reallocarray(d->inputs, d->ninputs + 1, sizeof *d->inputs);
			d->in_mean = aw_reallocarray(d->in_mean, d->ninputs + 1, sizeof *d->in_mean);
			d->in_sd = aw_reallocarray(d->in_sd, d->ninputs + 1, sizeof *d->in_sd);
			d->inputs[d->ninputs] = aw_strdup(t->v[1]);
			if (num(t->v[2], &d->in_mean[d->ninputs]) || num(t->v[3], &d->in_sd[d->ninputs]) ||
			    !(d->in_sd[d->ninputs] > 0)) {
				d->ninputs++;
				NEED(0, "bad input");
			}
			d->ninputs++;
		} else if (strcmp(k, "sensor") == 0) {
			NEED(d && t->n == 6, "bad sensor");
			d->s = aw_reallocarray(d->s, d->nsensors + 1, sizeof *d->s);
			ex = aw_reallocarray(ex, npend + 1, sizeof *ex);
			gr = aw_reallocarray(gr, npend + 1, sizeof *gr);
			memset(&ex[npend], 0, sizeof *ex);
			memset(&gr[npend], 0, sizeof *gr);
			npend++;
			s = &d->s[d->nsensors++];
			memset(s, 0, sizeof *s);
			s->id = aw_strdup(t->v[1]);
			s->p = 1 + aw_resid_nfeat(d->ninputs);
			NEED(num(t->v[2], &v) == 0 && v >= 0, "bad sensor");
			s->rows = (long)v;
			NEED(num(t->v[3], &s->sigma) == 0 && s->sigma > 0 && num(t->v[4], &s->mean) == 0 &&
			    num(t->v[5], &s->sd) == 0 && s->sd > 0, "bad sensor");
		} else if (strcmp(k, "extra") == 0 || strcmp(k, "group") == 0) {
			int isx = k[0] == 'e';
			size_t lim = isx ? AW_RESID_MAX_EXTRA : AW_RESID_MAX_GROUP;
			NEED(s && (size_t)(t->n - 1) <= lim, isx ? "bad extra" : "bad group");
			struct pending *pp = isx ? &ex[npend - 1] : &gr[npend - 1];
			NEED(pp->n == 0, "repeated line");
			pp->names = aw_calloc((size_t)t->n, sizeof *pp->names);
			for (int a = 1; a < t->n; a++)
				pp->names[pp->n++] = aw_strdup(t->v[a]);
			if (isx) {
				s->nextra = pp->n;
				s->p = 1 + aw_resid_nfeat(d->ninputs) + s->nextra;
			} else
				s->ngroup = pp->n;
		} else if (strcmp(k, "theta") == 0) {
			NEED(s && !s->theta && (size_t)(t->n - 1) == s->p, "bad theta");
			s->theta = aw_malloc(s->p * sizeof *s->theta);
			for (size_t a = 0; a < s->p; a++)
				NEED(num(t->v[a + 1], &s->theta[a]) == 0, "bad theta");
		} else if (strcmp(k, "info") == 0) {
			NEED(s && s->theta && !s->info && (size_t)(t->n - 1) == s->p * (s->p + 1) / 2, "bad info");
			s->info = aw_malloc(s->p * s->p * sizeof *s->info);
			int at = 1;
			for (size_t a = 0; a < s->p; a++)
				for (size_t c = a; c < s->p; c++) {
					NEED(num(t->v[at++], &v) == 0, "bad info");
					s->info[a * s->p + c] = s->info[c * s->p + a] = v;
				}
		} else {
			NEED(0, "unknown key");
		}
next:;
#undef NEED
	}
	if (!err && !ended) {
		msg = ferror(f) ? strerror(errno) : "truncated model (no end line)";
		err = 1;
		lineno++;
	}
	if (!err) {
		for (size_t a = 0; a < m->ndmas && !err; a++)
			for (size_t i = 0; i < m->d[a].nsensors && !err; i++)
				if (!m->d[a].s[i].theta || !m->d[a].s[i].info || !m->d[a].s[i].ngroup) {
					msg = "sensor without theta, info or group";
					err = 1;
				}
		if (!err && (!m->step || !m->ndmas)) {
			msg = "model without step or dma";
			err = 1;
		}
	}
	free(line);
	free(t);
	fclose(f);
	if (ex)
		free_pending(ex, npend);
	if (gr)
		free_pending(gr, npend);
	if (err) {
		aw_error_at(path, lineno, "%s", msg);
		aw_resid_model_free(m);
		return NULL;
	}
	return m;
}

/* ---- detection ---- */

void aw_resid_params_default(struct aw_resid_params *p)
{
	*p = (struct aw_resid_params){
		.k = 1, .h = 6, .h2 = 3, .ks = 1, .hs = 6, .s0 = 3,
		.warm = 96, .accept = 96, .min_alarm = 8, .solo = 24,
		.reverse = -0.6, .prior_accept = 96, .prior_day = 672,
	};
}

double aw_resid_prob(const struct aw_resid_params *p, double stat)
{
	if (!(stat > 0))
		return 0;
	if (stat < p->s0)
		return 0.3 * stat / p->s0;
	if (stat < p->h)
		return 0.3 + 0.2 * (stat - p->s0) / (p->h - p->s0);
	return 1 - 0.5 * exp(-(stat - p->h) / p->h);
}

enum { NDELTA = 6 };

struct aw_resid_state {
	const struct aw_resid_dma *m;
	struct aw_resid_params p;
	size_t n, q, nf;
	long step, day;		/* seconds; steps per day */
	double *theta;		/* n x pmax, the adapted models */
	size_t pmax;
	double *Sp, *Sn, *Gp, *Gn, *Lp, *Ln;
	long *cps, *cpn, *gcp, *gcn, *soloc;
	/* ring of the last R steps: inputs and pressures, and z */
	size_t R;
	double *ring_v, *ring_z;
	long t;			/* steps seen */
	enum aw_resid_phase phase;
	long run_start, ev_t, ev_cp, quiet_since, lastday;
	int64_t t0;		/* start of step 0 */
	double *sum_z;		/* since the run start */
	long *cnt_z;
	double *delta;		/* NDELTA accepted changes (z), newest last */
	long *delta_t;
	int ndelta;
	double *x, *u, *A, *c;
	double *own, *seg;	/* per sensor: max(up, down); a mean change */
	struct aw_resid_out out;
};

struct aw_resid_state *aw_resid_state_new(const struct aw_resid_dma *m,
    const struct aw_resid_params *p, long step)
{
	struct aw_resid_state *s = aw_calloc(1, sizeof *s);
	size_t n = m->nsensors;

	s->m = m;
	s->p = *p;
	s->n = n;
	s->q = m->ninputs;
	s->nf = 1 + aw_resid_nfeat(s->q);
	s->step = step;
	s->day = 86400 / step > 0 ? 86400 / step : 1;
	for (size_t i = 0; i < n; i++)
		if (m->s[i].p > s->pmax)
			s->pmax = m->s[i].p;
	s->theta = aw_calloc(n * s->pmax, sizeof *s->theta);
	for (size_t i = 0; i < n; i++)
		memcpy(s->theta + i * s->pmax, m->s[i].theta, m->s[i].p * sizeof *s->theta);
#define ARR(f, type) s->f = aw_calloc(n + 1, sizeof(type))
	ARR(Sp, double); ARR(Sn, double); ARR(Gp, double); ARR(Gn, double);
	ARR(Lp, double); ARR(Ln, double);
	ARR(cps, long); ARR(cpn, long); ARR(gcp, long); ARR(gcn, long); ARR(soloc, long);
	ARR(sum_z, double); ARR(cnt_z, long); ARR(own, double); ARR(seg, double);
	ARR(out.resid, double); ARR(out.z, double); ARR(out.up, double); ARR(out.down, double);
	ARR(out.shift, double); ARR(out.order, size_t);
#undef ARR
	long r = (p->warm > s->day ? p->warm : s->day) + p->accept + p->min_alarm + s->day;
	s->R = (size_t)r;
	s->ring_v = aw_malloc(s->R * (s->q + n) * sizeof *s->ring_v);
	s->ring_z = aw_malloc(s->R * n * sizeof *s->ring_z);
	s->delta = aw_calloc(NDELTA * (n + 1), sizeof *s->delta);
	s->delta_t = aw_calloc(NDELTA, sizeof *s->delta_t);
	s->x = aw_malloc((s->pmax + 1) * sizeof *s->x);
	s->u = aw_malloc((s->q + 1) * sizeof *s->u);
	s->A = aw_malloc((s->pmax * s->pmax + 1) * sizeof *s->A);
	s->c = aw_malloc((s->pmax + 1) * sizeof *s->c);
	s->run_start = -1;
	s->phase = AW_RESID_WARM;
	return s;
}

void aw_resid_state_free(struct aw_resid_state *s)
{
	if (!s)
		return;
	free(s->theta);
	free(s->Sp); free(s->Sn); free(s->Gp); free(s->Gn); free(s->Lp); free(s->Ln);
	free(s->cps); free(s->cpn); free(s->gcp); free(s->gcn); free(s->soloc);
	free(s->sum_z); free(s->cnt_z); free(s->own); free(s->seg);
	free(s->out.resid); free(s->out.z); free(s->out.up); free(s->out.down);
	free(s->out.shift); free(s->out.order);
	free(s->ring_v); free(s->ring_z); free(s->delta); free(s->delta_t);
	free(s->x); free(s->u); free(s->A); free(s->c);
	free(s);
}

/* the design row of sensor i from a row of values; 0 when something is missing */
static int state_design(struct aw_resid_state *s, size_t i, const double *v, double *x)
{
	const struct aw_resid_dma *m = s->m;
	const struct aw_resid_sensor *se = &m->s[i];

	for (size_t j = 0; j < s->q; j++) {
		if (isnan(v[j]))
			return 0;
		s->u[j] = (v[j] - m->in_mean[j]) / m->in_sd[j];
	}
	aw_resid_features(s->u, s->q, x);
	for (size_t e = 0; e < se->nextra; e++) {
		size_t k = se->extra[e];
		double pv = v[s->q + k];
		if (isnan(pv))
			return 0;
		x[s->nf + e] = (pv - m->s[k].mean) / m->s[k].sd;
	}
	return 1;
}

static const double *ring_row(const struct aw_resid_state *s, long t)
{
	return s->ring_v + (size_t)(t % (long)s->R) * (s->q + s->n);
}

static const double *ring_zrow(const struct aw_resid_state *s, long t)
{
	return s->ring_z + (size_t)(t % (long)s->R) * s->n;
}

/* the oldest step still in the ring */
static long ring_first(const struct aw_resid_state *s)
{
	long f = s->t - (long)s->R + 1;
	return f > 0 ? f : 0;
}

/* refits sensor i on steps [from, to] with the current model as a prior of weight w */
static void refit(struct aw_resid_state *s, size_t i, long from, long to, double w)
{
	const struct aw_resid_sensor *se = &s->m->s[i];
	size_t p = se->p;
	double *th = s->theta + i * s->pmax, *A = s->A, *c = s->c, *x = s->x;
	long n = 0;

	if (from < ring_first(s))
		from = ring_first(s);
	/* the prior holds the slopes, which a short window cannot tell; the level is
	 * free to move to where the window puts it */
	for (size_t a = 0; a < p; a++) {
		double ci = 0;
		for (size_t b = 0; b < p; b++) {
			double l = a == 0 || b == 0 ? (a == b ? 1e-6 * w : 0) : w * se->info[a * p + b];
			A[a * p + b] = l;
			ci += l * th[b];
		}
		c[a] = ci;
	}
	for (long t = from; t <= to; t++) {
		const double *v = ring_row(s, t);
		double y = v[s->q + i];
		if (isnan(y) || !state_design(s, i, v, x))
			continue;
		for (size_t a = 0; a < p; a++) {
			c[a] += x[a] * y;
			for (size_t b = 0; b < p; b++)
				A[a * p + b] += x[a] * x[b];
		}
		n++;
	}
	if (n < 4)
		return;
	/* a little ridge keeps a short window from moving what it cannot see */
	for (size_t a = 1; a < p; a++)
		A[a * p + a] += 1e-3 * (double)n;
	if (chol_solve(A, c, p) == 0)
		memcpy(th, c, p * sizeof *th);
}

static void reset_groups_of(struct aw_resid_state *s, size_t j)
{
	for (size_t g = 0; g < s->n; g++) {
		const struct aw_resid_sensor *se = &s->m->s[g];
		for (size_t k = 0; k < se->ngroup; k++)
			if (se->group[k] == j) {
				s->Gp[g] = s->Gn[g] = s->Lp[g] = s->Ln[g] = 0;
				break;
			}
	}
}

static void mean_z(const struct aw_resid_state *s, long from, long to, double *out)
{
	for (size_t i = 0; i < s->n; i++) {
		double sum = 0;
		long k = 0;
		for (long t = from < ring_first(s) ? ring_first(s) : from; t <= to; t++) {
			double z = ring_zrow(s, t)[i];
			if (!isnan(z)) {
				sum += z;
				k++;
			}
		}
		out[i] = k ? sum / k : 0;
	}
}

/* indices by decreasing key, ties by index (insertion sort: a DMA has tens of sensors) */
static void order_by(size_t *ord, const double *key, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = i;
		while (k > 0 && key[ord[k - 1]] < key[i])
			k--;
		memmove(ord + k + 1, ord + k, (i - k) * sizeof *ord);
		ord[k] = i;
	}
}

const struct aw_resid_out *aw_resid_step(struct aw_resid_state *s, int64_t ts, const double *v)
{
	const struct aw_resid_dma *m = s->m;
	const struct aw_resid_params *p = &s->p;
	struct aw_resid_out *o = &s->out;
	size_t n = s->n;
	long t = s->t;
	double *own = s->own;

	if (t == 0)
		s->t0 = ts;
	memcpy(s->ring_v + (size_t)(t % (long)s->R) * (s->q + n), v, (s->q + n) * sizeof *v);
	double *zr = s->ring_z + (size_t)(t % (long)s->R) * n;
	for (size_t i = 0; i < n; i++) {
		const double *th = s->theta + i * s->pmax;
		double y = v[s->q + i], f = 0;
		o->resid[i] = o->z[i] = NAN;
		if (!isnan(y) && state_design(s, i, v, s->x)) {
			for (size_t a = 0; a < m->s[i].p; a++)
				f += s->x[a] * th[a];
			o->resid[i] = y - f;
			o->z[i] = o->resid[i] / m->s[i].sigma;
		}
		zr[i] = o->z[i];
	}
	o->alarm = o->accepted = 0;
	o->refit = -1;
	s->t++;

	if (t < p->warm) {
		if (t == p->warm - 1)
			for (size_t i = 0; i < n; i++)
				refit(s, i, 0, t, p->prior_accept);
		o->phase = AW_RESID_WARM;
		o->p_leak = o->stat = o->robust = 0;
		o->run_start = -1;
		for (size_t i = 0; i < n; i++) {
			o->up[i] = o->down[i] = 0;
			o->shift[i] = NAN;
			o->order[i] = i;
		}
		if (t == p->warm - 1) {
			s->phase = AW_RESID_QUIET;
			s->quiet_since = s->lastday = t;
		}
		return o;
	}

	/* sensor CUSUMs */
	for (size_t i = 0; i < n; i++) {
		double z = o->z[i];
		if (!isnan(z)) {
			double up = fmax(0, s->Sp[i] + z - p->ks), dn = fmax(0, s->Sn[i] - z - p->ks);
			if (s->Sp[i] == 0 && up > 0)
				s->cps[i] = t;
			if (s->Sn[i] == 0 && dn > 0)
				s->cpn[i] = t;
			s->Sp[i] = up;
			s->Sn[i] = dn;
		}
		own[i] = fmax(s->Sp[i], s->Sn[i]);
	}
	/* neighbourhood CUSUMs, whole and without the strongest sensor */
	double stat = 0, robust = 0;
	size_t best = 0;
	for (size_t g = 0; g < n; g++) {
		const struct aw_resid_sensor *se = &m->s[g];
		double sum = 0, zt = 0, top = -1;
		long cnt = 0;
		for (size_t k = 0; k < se->ngroup; k++) {
			size_t j = se->group[k];
			if (isnan(o->z[j]))
				continue;
			sum += o->z[j];
			cnt++;
			if (own[j] > top) {
				top = own[j];
				zt = o->z[j];
			}
		}
		double ug = cnt ? sum / sqrt((double)cnt) : 0;
		double ul = cnt > 1 ? (sum - zt) / sqrt((double)(cnt - 1)) : 0;
		double gp = fmax(0, s->Gp[g] + ug - p->k), gn = fmax(0, s->Gn[g] - ug - p->k);
		if (s->Gp[g] == 0 && gp > 0)
			s->gcp[g] = t;
		if (s->Gn[g] == 0 && gn > 0)
			s->gcn[g] = t;
		s->Gp[g] = gp;
		s->Gn[g] = gn;
		s->Lp[g] = fmax(0, s->Lp[g] + ul - p->k);
		s->Ln[g] = fmax(0, s->Ln[g] - ul - p->k);
		int upside = gp >= gn;
		double full = upside ? gp : gn, lto = upside ? s->Lp[g] : s->Ln[g];
		/* both must grow: the whole neighbourhood and the rest of it without its
		 * strongest sensor (scaled so that h2 there counts as h) */
		double eff = p->h2 > 0 ? fmin(full, lto * p->h / p->h2) : full;
		if (eff > stat) {
			stat = eff;
			best = g;
		}
		robust = fmax(robust, fmax(s->Lp[g], s->Ln[g]));
	}

	/* the run that an event would start with */
	if (stat >= p->s0) {
		if (s->run_start < 0) {
			s->run_start = t;
			for (size_t i = 0; i < n; i++) {
				s->sum_z[i] = 0;
				s->cnt_z[i] = 0;
			}
		}
	} else if (s->phase == AW_RESID_QUIET)
		s->run_start = -1;
	if (s->run_start >= 0)
		for (size_t i = 0; i < n; i++)
			if (!isnan(o->z[i])) {
				s->sum_z[i] += o->z[i];
				s->cnt_z[i]++;
			}

	if (s->phase == AW_RESID_QUIET && stat >= p->h) {
		long cp = s->Gp[best] >= s->Gn[best] ? s->gcp[best] : s->gcn[best];
		if (s->run_start >= 0 && s->run_start < cp)
			cp = s->run_start;
		double *sb = s->seg;
		mean_z(s, cp, t, sb);
		int rev = 0;
		for (int k = 0; k < s->ndelta; k++) {
			const double *dv = s->delta + (size_t)k * n;
			double dot = 0, na = 0, nb = 0;
			for (size_t i = 0; i < n; i++) {
				dot += sb[i] * dv[i];
				na += sb[i] * sb[i];
				nb += dv[i] * dv[i];
			}
			if (na > 0 && nb > 0 && dot / sqrt(na * nb) < p->reverse)
				rev = 1;
		}
		s->phase = rev ? AW_RESID_REPAIR : AW_RESID_EVENT;
		s->ev_t = t;
		s->ev_cp = cp;
		o->alarm = !rev;
	}

	if (s->phase == AW_RESID_EVENT || s->phase == AW_RESID_REPAIR) {
		int rep = s->phase == AW_RESID_REPAIR;
		o->phase = s->phase;
		o->p_leak = rep ? fmin(aw_resid_prob(p, stat), 0.29) :
		    fmax(aw_resid_prob(p, stat), aw_resid_prob(p, p->h));
		if ((!rep && t - s->ev_cp >= p->accept && t - s->ev_t >= p->min_alarm) ||
		    (rep && t - s->ev_t >= p->min_alarm)) {
			/* accept the new state: remember the change, refit, start afresh */
			if (s->ndelta == NDELTA) {
				memmove(s->delta, s->delta + n, (NDELTA - 1) * n * sizeof *s->delta);
				s->ndelta--;
			}
			mean_z(s, s->ev_cp, t, s->delta + (size_t)s->ndelta * n);
			s->ndelta++;
			for (size_t i = 0; i < n; i++)
				refit(s, i, s->ev_cp, t, p->prior_accept);
			for (size_t i = 0; i < n; i++) {
				s->Sp[i] = s->Sn[i] = s->Gp[i] = s->Gn[i] = s->Lp[i] = s->Ln[i] = 0;
				s->soloc[i] = 0;
			}
			s->phase = AW_RESID_QUIET;
			s->run_start = -1;
			s->quiet_since = t;
			o->accepted = 1;
		}
	} else {
		o->phase = AW_RESID_QUIET;
		o->p_leak = aw_resid_prob(p, stat);
		/* a sensor that stands out alone for long is refitted (drift, offset) */
		for (size_t j = 0; j < n; j++) {
			own[j] = fmax(s->Sp[j], s->Sn[j]);
		}
		for (size_t j = 0; j < n; j++) {
			const struct aw_resid_sensor *se = &m->s[j];
			int alone = own[j] >= p->hs;
			for (size_t k = 1; k < se->ngroup && alone; k++)
				alone = own[se->group[k]] < p->hs / 2;
			s->soloc[j] = alone ? s->soloc[j] + 1 : 0;
			if (s->soloc[j] >= p->solo) {
				long from = s->Sp[j] >= s->Sn[j] ? s->cps[j] : s->cpn[j];
				refit(s, j, from, t, p->prior_accept);
				s->Sp[j] = s->Sn[j] = 0;
				s->soloc[j] = 0;
				reset_groups_of(s, j);
				if (o->refit < 0)
					o->refit = (int)j;
			}
		}
		if (p->prior_day > 0 && t - s->lastday >= s->day) {
			s->lastday = t;
			if (t - s->quiet_since >= s->day)
				for (size_t j = 0; j < n; j++)
					if (fmax(s->Sp[j], s->Sn[j]) < p->hs / 2)
						refit(s, j, t - s->day + 1, t, p->prior_day);
		}
	}
	o->stat = stat;
	o->robust = robust;
	o->run_start = s->run_start >= 0 ? s->t0 + (int64_t)s->run_start * s->step : -1;
	for (size_t i = 0; i < n; i++) {
		o->up[i] = s->Sp[i];
		o->down[i] = s->Sn[i];
		o->shift[i] = s->run_start >= 0 && s->cnt_z[i] ?
		    s->sum_z[i] / s->cnt_z[i] * m->s[i].sigma : NAN;
		own[i] = fmax(s->Sp[i], s->Sn[i]);
	}
	order_by(o->order, own, n);
	return o;
}
