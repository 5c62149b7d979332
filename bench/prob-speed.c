/* Library scoring speed of aw-prob: margins + Platt for rows of a 100-tree, depth-5
 * model, in batches as aw-prob scores them, and SHAP explanations. Built and run by
 * bench/40-prob.sh; writes the model and the rows for the Python peer when asked:
 *	prob-speed NROWS NCOL [MODEL.ubj ROWS.f32] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "aw_gbm.h"
#include "aw_platt.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t state = 88172645463325252ULL;

static double uniform(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return (double)(state >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	size_t ncol = argc > 2 ? strtoul(argv[2], NULL, 10) : 75, ntrain = 20000;
	float *x = malloc(n * ncol * sizeof *x), *y = malloc(ntrain * sizeof *y);
	float *m = malloc(n * sizeof *m), *c = malloc(10000 * (ncol + 1) * sizeof *c);
	struct aw_gbm_params p;
	struct aw_platt cal = { -0.8, 1.5, 0 };
	double sink = 0;

	for (size_t i = 0; i < n * ncol; i++)
		x[i] = uniform() < 0.01 ? NAN : (float)(uniform() * 2 - 1);
	for (size_t i = 0; i < ntrain; i++) {
		const float *r = x + i * ncol;
		double s = 0;
		for (size_t j = 0; j < 8 && j < ncol; j++)
			s += (isnan(r[j]) ? 0 : r[j]) * (j % 2 ? -1 : 1);
		y[i] = s + uniform() * 2 - 1 > 1.5;
	}
	aw_gbm_params_default(&p);
	p.seed = 1;
	double t = now();
	struct aw_gbm *g = aw_gbm_train(x, ntrain, ncol, y, NULL, &p);
	if (!g)
		return 1;
	printf("train_s %.3f\n", now() - t);

	for (size_t batch = 1024; batch; batch = batch == 1024 ? n : 0) {
		double best = 1e9;
		for (int rep = 0; rep < 3; rep++) {
			t = now();
			for (size_t i = 0; i < n; i += batch) {
				size_t k = n - i < batch ? n - i : batch;
				aw_gbm_margin(g, x + i * ncol, k, m + i);
				for (size_t j = i; j < i + k; j++)
					sink += aw_platt_prob(&cal, m[j]);
			}
			double e = now() - t;
			best = e < best ? e : best;
		}
		printf("score_rows_per_s_batch_%zu %.0f\n", batch == n ? (size_t)0 : batch, n / best);
	}
	t = now();
	aw_gbm_contribs(g, x, 10000, c);
	printf("explain_rows_per_s %.0f\n", 10000 / (now() - t));
	if (argc > 4) {
		struct aw_buf b = { 0 };
		FILE *f = fopen(argv[3], "wb");
		aw_gbm_save(g, &b);
		fwrite(b.s, 1, b.len, f);
		fclose(f);
		f = fopen(argv[4], "wb");
		fwrite(x, sizeof *x, n * ncol, f);
		fclose(f);
		aw_buf_free(&b);
	}
	aw_gbm_free(g);
	return sink < 0;
}
