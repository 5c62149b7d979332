#include <math.h>
#include <stdlib.h>

#include "aw_platt.h"
#include "aw_util.h"

/* w·(t·z + log(1 + e^−z)) summed, z = A·m + B, written so that exp never overflows */
static double objective(const float *m, const double *t, const float *w, size_t n,
    double a, double b)
{
	double f = 0;
	for (size_t i = 0; i < n; i++) {
		double z = a * m[i] + b, wi = w ? w[i] : 1;
		if (z >= 0)
			f += wi * (t[i] * z + log1p(exp(-z)));
		else
			f += wi * ((t[i] - 1) * z + log1p(exp(z)));
	}
	return f;
}

int aw_platt_fit(const float *m, const float *y, const float *w, size_t n, struct aw_platt *c)
{
	const int max_iter = 100;
	const double min_step = 1e-10, sigma = 1e-12;
	double npos = 0, nneg = 0, a, b, f, eps;
	double tpos, tneg;
	double *tv;
	int it, rc = 1;

	for (size_t i = 0; i < n; i++) {
		double wi = w ? w[i] : 1;
		if (y[i] > 0)
			npos += wi;
		else
			nneg += wi;
	}
	c->a = 0;
	c->b = 0;
	c->iterations = 0;
	if (npos + nneg <= 0)
		return -1;
	tpos = (npos + 1) / (npos + 2);
	tneg = 1 / (nneg + 2);
	tv = aw_reallocarray(NULL, n, sizeof *tv);
	for (size_t i = 0; i < n; i++)
		tv[i] = y[i] > 0 ? tpos : tneg;
	/* Lin et al. use 1e-5 for unit weights; scale it with the total weight */
	eps = 1e-5 * fmax(1, (npos + nneg) / 1000);
	a = 0;
	b = log((nneg + 1) / (npos + 1));
	f = objective(m, tv, w, n, a, b);
	for (it = 0; it < max_iter; it++) {
		double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
		for (size_t i = 0; i < n; i++) {
			double z = a * m[i] + b, wi = w ? w[i] : 1, p, q;
			if (z >= 0) {
				p = exp(-z) / (1 + exp(-z));
				q = 1 / (1 + exp(-z));
			} else {
				p = 1 / (1 + exp(z));
				q = exp(z) / (1 + exp(z));
			}
			double d2 = wi * p * q, d1 = wi * (tv[i] - p);
			h11 += (double)m[i] * m[i] * d2;
			h22 += d2;
			h21 += m[i] * d2;
			g1 += m[i] * d1;
			g2 += d1;
		}
		if (fabs(g1) < eps && fabs(g2) < eps) {
			rc = 0;
			break;
		}
		double det = h11 * h22 - h21 * h21;
		double da = -(h22 * g1 - h21 * g2) / det;
		double db = -(-h21 * g1 + h11 * g2) / det;
		double gd = g1 * da + g2 * db, step = 1;
		while (step >= min_step) {
			double na = a + step * da, nb = b + step * db;
			double nf = objective(m, tv, w, n, na, nb);
			if (nf < f + 1e-4 * step * gd) {
				a = na;
				b = nb;
				f = nf;
				break;
			}
			step /= 2;
		}
		if (step < min_step)
			break;
	}
	c->a = a;
	c->b = b;
	c->iterations = it;
	free(tv);
	return rc;
}

double aw_platt_prob(const struct aw_platt *c, double m)
{
	double z = c->a * m + c->b;
	if (z >= 0) {
		double e = exp(-z);
		return e / (1 + e);
	}
	return 1 / (1 + exp(z));
}

struct ranked {
	float s, y;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return (x->s > y->s) - (x->s < y->s);
}

double aw_auc(const float *s, const float *y, size_t n)
{
	struct ranked *r = aw_reallocarray(NULL, n + 1, sizeof *r);
	double npos = 0, rank_sum = 0;
	for (size_t i = 0; i < n; i++) {
		r[i] = (struct ranked){ s[i], y[i] };
		npos += y[i] > 0;
	}
	qsort(r, n, sizeof *r, cmp_ranked);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && r[j].s == r[i].s)
			j++;
		for (size_t k = i; k < j; k++)
			if (r[k].y > 0)
				rank_sum += (double)(i + j + 1) / 2.0;
		i = j;
	}
	free(r);
	double nneg = (double)n - npos;
	return npos && nneg ? (rank_sum - npos * (npos + 1) / 2) / (npos * nneg) : NAN;
}
