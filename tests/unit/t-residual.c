/* aw_residual: fits on a synthetic two-inlet network, a leak-like step is found at the
 * right time, a demand swing and a lone faulty sensor raise nothing, runs are
 * deterministic and models survive a write/read round trip. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw_residual.h"
#include "tap.h"

enum { Q = 2, P = 6, STEP = 900, DAY = 96 };

static uint64_t rng = 88172645463325252ULL;

static double unif(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
	double u = unif(), v = unif();
	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* head loss coefficients: sensors 0-2 hang mostly on inlet 0, 3-5 on inlet 1 */
static const double base_p[P] = { 4.0, 3.9, 4.1, 3.6, 3.7, 3.5 };
static const double loss[P][Q] = {
	{ 3e-4, 0.5e-4 }, { 3.2e-4, 0.6e-4 }, { 2.8e-4, 0.4e-4 },
	{ 0.5e-4, 3e-4 }, { 0.6e-4, 3.3e-4 }, { 0.4e-4, 2.7e-4 },
};

/* one step: demand factor f (1 = normal), extra drop on sensors (bar), a fault offset */
static void make_row(long t, double f, const double *drop, double *row)
{
	double hour = (double)(t % DAY) / 4;
	double pattern = 1 + 0.5 * sin(2 * M_PI * (hour - 8) / 24);
	double q0 = 25 * pattern * f * (1 + 0.03 * gauss()), q1 = 22 * pattern * f * (1 + 0.03 * gauss());
	row[0] = q0 + 0.1 * gauss();
	row[1] = q1 + 0.1 * gauss();
	for (int i = 0; i < P; i++)
		row[Q + i] = base_p[i] - loss[i][0] * q0 * q0 - loss[i][1] * q1 * q1 +
		    (drop ? drop[i] : 0) + 0.008 * gauss();
}

static struct aw_resid_dma *train(void)
{
	static char *ins[Q] = { "q0", "q1" };
	static char *prs[P] = { "pa", "pb", "pc", "pd", "pe", "pf" };
	size_t n = 10 * DAY;
	double *data = malloc(n * (Q + P) * sizeof *data);
	int64_t *ts = malloc(n * sizeof *ts);
	for (size_t t = 0; t < n; t++) {
		make_row((long)t, 1, NULL, data + t * (Q + P));
		ts[t] = 1514764800 + (int64_t)t * STEP;
	}
	struct aw_resid_train_opts o = { .ridge = 1e-3, .ac_max = 0.2, .group_size = 2, .robust = 1,
	    .step = STEP };
	struct aw_resid_dma *d = aw_resid_fit("dma1", ins, Q, prs, P, data, ts, n, &o, 1);
	free(data);
	free(ts);
	return d;
}

struct run {
	long alarm, start;	/* first alarm step, its run start step (-1 none) */
	int alarms;
	double *p;
};

enum { DROP_STEP, SWING, FAULT, QUIET };

static struct run score(const struct aw_resid_dma *d, int scenario, long nsteps, long at)
{
	struct aw_resid_params prm;
	struct run r = { -1, -1, 0, calloc((size_t)nsteps, sizeof(double)) };
	double row[Q + P], drop[P] = { 0 };
	int64_t t0 = 1514764800 + 20 * 86400;

	aw_resid_params_default(&prm);
	struct aw_resid_state *s = aw_resid_state_new(d, &prm, STEP);
	for (long t = 0; t < nsteps; t++) {
		double f = 1;
		memset(drop, 0, sizeof drop);
		if (t >= at) {
			if (scenario == DROP_STEP)
				drop[0] = -0.03, drop[1] = -0.025, drop[2] = -0.02;
			else if (scenario == SWING)
				f = 1.3;
			else if (scenario == FAULT)
				drop[4] = -0.05;
		}
		make_row(t, f, drop, row);
		const struct aw_resid_out *o = aw_resid_step(s, t0 + (int64_t)t * STEP, row);
		r.p[t] = o->p_leak;
		if (o->alarm) {
			r.alarms++;
			if (r.alarm < 0) {
				r.alarm = t;
				r.start = (long)((o->run_start - t0) / STEP);
			}
		}
	}
	aw_resid_state_free(s);
	return r;
}

int main(void)
{
	struct aw_resid_dma *d = train();
	ok(d != NULL, "fit on ten days");
	if (!d)
		return tap_done();
	ok(d->nsensors == P, "all six sensors fitted");
	int extras = 0;
	for (size_t i = 0; i < d->nsensors; i++)
		extras += (int)d->s[i].nextra;
	ok(extras == 0, "the inlets explain the pressures: no extra regressors");
	is_num(d->s[0].sigma, 0.008, 0.002, "residual sd is the sensor noise");
	ok(d->s[0].group[0] == 0 && d->s[0].ngroup == 3, "a sensor heads its own group of three");
	int same = 1;
	for (size_t g = 1; g < 3; g++)
		same &= d->s[0].group[g] < 3 && d->s[4].group[g] >= 3;
	ok(same, "neighbourhoods follow the inlet a sensor hangs on");

	/* a leak-like drop on three sensors at day 3, 12:00 */
	long at = 3 * DAY + 48;
	struct run r = score(d, DROP_STEP, 5 * DAY, at);
	ok(r.alarm >= at && r.alarm <= at + 4, "step change raises an alarm within an hour (step %ld, change %ld)",
	    r.alarm, at);
	ok(r.start >= at && r.start <= at + 2, "the event starts at the change point (run start %ld)", r.start);
	ok(r.alarms == 1, "one alarm for one change (%d)", r.alarms);
	int low_before = 1;
	for (long t = 0; t < at; t++)
		low_before &= r.p[t] < 0.5;
	ok(low_before, "p_leak stays under 0.5 before the change");
	int held = 1;
	for (long t = r.alarm; t < at + DAY; t++)
		held &= r.p[t] >= 0.5;
	ok(held, "p_leak holds at or above 0.5 until the change is accepted");
	ok(r.p[at + DAY + 8] < 0.3, "after a day the change is accepted and p_leak falls");
	free(r.p);

	/* the same run again gives the same probabilities */
	rng = 1;
	struct run a = score(d, DROP_STEP, 4 * DAY, at);
	rng = 1;
	struct run b = score(d, DROP_STEP, 4 * DAY, at);
	ok(memcmp(a.p, b.p, 4 * DAY * sizeof(double)) == 0, "deterministic");
	free(a.p);
	free(b.p);

	/* demand up by 30 % for the rest of the run: every inlet and sensor moves together */
	r = score(d, SWING, 5 * DAY, at);
	ok(r.alarms == 0, "a demand swing alone raises nothing (%d alarms)", r.alarms);
	free(r.p);

	/* one sensor's offset: the leave-top-out gate keeps it from raising an event */
	r = score(d, FAULT, 5 * DAY, at);
	ok(r.alarms == 0, "a lone faulty sensor raises nothing (%d alarms)", r.alarms);
	free(r.p);

	r = score(d, QUIET, 10 * DAY, 0);
	ok(r.alarms == 0, "ten quiet days raise nothing (%d alarms)", r.alarms);
	free(r.p);

	/* model file round trip */
	struct aw_resid_model m = { .step = STEP, .from = 1514764800, .to = 1514764800 + 10 * 86400,
	    .ridge = 1e-3, .ac_max = 0.2, .group_size = 2, .ndmas = 1, .d = d };
	char path[] = "/tmp/t-residual.XXXXXX";
	int fd = mkstemp(path);
	ok(fd >= 0, "temporary file");
	close(fd);
	ok(aw_resid_model_write(&m, path) == 0, "write the model");
	struct aw_resid_model *back = aw_resid_model_read(path);
	ok(back != NULL, "read it back");
	if (back) {
		struct aw_buf t1 = { 0 }, t2 = { 0 };
		aw_resid_model_text(&m, &t1);
		aw_resid_model_text(back, &t2);
		ok(t1.len == t2.len && memcmp(t1.s, t2.s, t1.len) == 0, "same text after the round trip");
		is_str(back->id, m.id, "same id");
		int exact = 1;
		for (size_t i = 0; i < P; i++)
			for (size_t k = 0; k < d->s[i].p; k++)
				exact &= back->d[0].s[i].theta[k] == d->s[i].theta[k];
		ok(exact, "coefficients read back exactly");
		rng = 7;
		struct run x = score(d, DROP_STEP, 4 * DAY, at);
		rng = 7;
		struct run y = score(&back->d[0], DROP_STEP, 4 * DAY, at);
		ok(memcmp(x.p, y.p, 4 * DAY * sizeof(double)) == 0, "the read model scores the same");
		free(x.p);
		free(y.p);
		aw_buf_free(&t1);
		aw_buf_free(&t2);
		aw_resid_model_free(back);
	}
	/* a truncated file is an error, not a model */
	FILE *f = fopen(path, "r+");
	if (f) {
		fseek(f, 0, SEEK_END);
		long len = ftell(f);
		fclose(f);
		ok(truncate(path, len - 4) == 0, "truncate the file");
		ok(aw_resid_model_read(path) == NULL, "a truncated model is refused");
	}
	unlink(path);
	is_num(aw_resid_prob(&(struct aw_resid_params){ .s0 = 3, .h = 6 }, 3), 0.3, 1e-12, "p_leak 0.3 at s0");
	is_num(aw_resid_prob(&(struct aw_resid_params){ .s0 = 3, .h = 6 }, 6), 0.5, 1e-12, "p_leak 0.5 at h");
	aw_resid_dma_free(d);
	return tap_done();
}
