#include <math.h>
#include <stdlib.h>

#include "aw_platt.h"
#include "tap.h"
#include "platt-ref.h"

/* gradient of the smoothed-target cross-entropy at A, B, computed the plain way */
static double max_gradient(const struct platt_case *pc, double a, double b)
{
	double npos = 0, nneg = 0, ga = 0, gb = 0;
	for (int i = 0; i < pc->n; i++)
		*(pc->y[i] > 0 ? &npos : &nneg) += pc->w[i];
	for (int i = 0; i < pc->n; i++) {
		double t = pc->y[i] > 0 ? (npos + 1) / (npos + 2) : 1 / (nneg + 2);
		double p = 1 / (1 + exp(a * pc->m[i] + b));
		ga += pc->w[i] * (t - p) * pc->m[i];
		gb += pc->w[i] * (t - p);
	}
	return fmax(fabs(ga), fabs(gb));
}

static int monotone(const struct aw_platt *c, double lo, double hi, int steps)
{
	double prev = -1;
	for (int i = 0; i <= steps; i++) {
		double p = aw_platt_prob(c, lo + (hi - lo) * i / steps);
		if (!(p >= 0 && p <= 1) || p < prev)
			return 0;
		prev = p;
	}
	return 1;
}

int main(void)
{
	struct aw_platt c;
	char what[128];

	for (size_t k = 0; k < sizeof platt_cases / sizeof platt_cases[0]; k++) {
		const struct platt_case *pc = &platt_cases[k];
		int rc = aw_platt_fit(pc->m, pc->y, pc->weighted ? pc->w : NULL, pc->n, &c);
		snprintf(what, sizeof what, "%s: fit converges (%d iterations)", pc->name,
		    c.iterations);
		ok(rc == 0 && c.iterations < 20, "%s", what);
		snprintf(what, sizeof what, "%s: A matches the scipy reference", pc->name);
		is_num(c.a, pc->a, 1e-6, what);
		snprintf(what, sizeof what, "%s: B matches the scipy reference", pc->name);
		is_num(c.b, pc->b, 1e-6, what);
		snprintf(what, sizeof what, "%s: gradient vanishes at the fit", pc->name);
		ok(max_gradient(pc, c.a, c.b) < 1e-5, "%s", what);
		snprintf(what, sizeof what, "%s: probability monotone in the margin", pc->name);
		ok(c.a < 0 && monotone(&c, -1000, 1000, 200000), "%s", what);
	}

	/* separable, symmetric data: B = 0 by symmetry, p(0) = 1/2 */
	aw_platt_fit(platt_cases[2].m, platt_cases[2].y, NULL, 8, &c);
	is_num(aw_platt_prob(&c, 0), 0.5, 1e-9, "symmetric data: p(0) = 1/2");
	is_num(aw_platt_prob(&c, 1) + aw_platt_prob(&c, -1), 1, 1e-12,
	    "symmetric data: p(m) + p(-m) = 1");

	/* probabilities at extreme margins stay in [0, 1] without NaN */
	struct aw_platt steep = { -50, 3, 0 };
	ok(monotone(&steep, -1e6, 1e6, 100000), "steep calibration monotone, finite");
	is_num(aw_platt_prob(&steep, 1e6), 1, 0, "p saturates at 1");
	is_num(aw_platt_prob(&steep, -1e6), 0, 0, "p saturates at 0");

	/* a single class still gives a finite fit */
	float m1[4] = { -1, 0, 1, 2 }, y0[4] = { 0, 0, 0, 0 };
	aw_platt_fit(m1, y0, NULL, 4, &c);
	ok(isfinite(c.a) && isfinite(c.b) && aw_platt_prob(&c, 0) < 0.5,
	    "one class only: finite fit, low probability");
	ok(aw_platt_fit(m1, y0, NULL, 0, &c) == -1, "no rows: nothing to fit");

	/* the fit does not depend on the order of the rows */
	const struct platt_case *pc = &platt_cases[1];
	float m[20], y[20], w[20];
	for (int i = 0; i < pc->n; i++) {
		m[i] = pc->m[pc->n - 1 - i];
		y[i] = pc->y[pc->n - 1 - i];
		w[i] = pc->w[pc->n - 1 - i];
	}
	aw_platt_fit(m, y, w, pc->n, &c);
	is_num(c.a, pc->a, 1e-6, "reversed rows: same A");
	return tap_done();
}
