#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aw_gbm.h"
#include "aw_platt.h"
#include "tap.h"

enum { NROW = 3000, NCOL = 6 };

static uint64_t rng = 42;

static double uniform(void)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* a leak-like signal in columns 0 and 1, noise elsewhere, 2 % missing values */
static void make_data(float *x, float *y, float *w)
{
	for (int i = 0; i < NROW; i++) {
		for (int j = 0; j < NCOL; j++)
			x[i * NCOL + j] = uniform() < 0.02 ? NAN : (float)(uniform() * 2 - 1);
		double s = 2.5 * (isnan(x[i * NCOL]) ? 0 : x[i * NCOL]) -
		    1.5 * (isnan(x[i * NCOL + 1]) ? 0 : x[i * NCOL + 1]) + uniform() * 2 - 2.2;
		y[i] = s > 0;
		w[i] = i % 7 == 0 ? 0.4f : 1;
	}
}

static double auc(const float *m, const float *y, int n)
{
	double pairs = 0, good = 0;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (y[i] > 0 && y[j] <= 0) {
				pairs++;
				good += m[i] > m[j] ? 1 : m[i] == m[j] ? 0.5 : 0;
			}
	return good / pairs;
}

int main(void)
{
	static float x[NROW * NCOL], y[NROW], w[NROW], m1[NROW], m2[NROW], m3[NROW];
	static float contrib[NROW * (NCOL + 1)];
	struct aw_gbm_params p;
	struct aw_buf b1 = { 0 }, b2 = { 0 };
	int npos = 0;

	make_data(x, y, w);
	for (int i = 0; i < NROW; i++)
		npos += y[i] > 0;
	ok(npos > NROW / 20 && npos < NROW / 3, "synthetic data is imbalanced (%d positives)", npos);

	aw_gbm_params_default(&p);
	ok(p.rounds == 100 && p.max_depth == 5 && p.eta == 0.1 && p.nthread == 1,
	    "default parameters: 100 rounds, depth 5, eta 0.1, 1 thread");
	p.seed = 7;
	p.subsample = 0.8;	/* randomness the seed must pin down */
	p.scale_pos_weight = (double)(NROW - npos) / npos;

	struct aw_gbm *g1 = aw_gbm_train(x, NROW, NCOL, y, w, &p);
	struct aw_gbm *g2 = aw_gbm_train(x, NROW, NCOL, y, w, &p);
	ok(g1 && g2, "trains");
	if (!g1 || !g2)
		return tap_done();
	ok(aw_gbm_nfeatures(g1) == NCOL, "model has %d features", NCOL);
	ok(aw_gbm_margin(g1, x, NROW, m1) == 0 && aw_gbm_margin(g2, x, NROW, m2) == 0,
	    "predicts margins");
	ok(memcmp(m1, m2, sizeof m1) == 0, "same seed: identical margins");
	int saved = aw_gbm_save(g1, &b1) == 0 && aw_gbm_save(g2, &b2) == 0;
	ok(saved && b1.len > 1000 && b1.len == b2.len && memcmp(b1.s, b2.s, b1.len) == 0,
	    "same seed: identical model bytes (%zu)", b1.len);
	ok(auc(m1, y, NROW) > 0.9, "margins separate the classes (AUC %.3f)", auc(m1, y, NROW));

	p.seed = 8;
	struct aw_gbm *g3 = aw_gbm_train(x, NROW, NCOL, y, w, &p);
	ok(g3 && aw_gbm_margin(g3, x, NROW, m3) == 0 && memcmp(m1, m3, sizeof m1) != 0,
	    "another seed: other margins");
	aw_gbm_free(g3);

	struct aw_gbm *gl = aw_gbm_load(b1.s, b1.len, 1);
	ok(gl && aw_gbm_nfeatures(gl) == NCOL, "loads a saved model");
	ok(gl && aw_gbm_margin(gl, x, NROW, m3) == 0 && memcmp(m1, m3, sizeof m1) == 0,
	    "round trip: identical margins");
	aw_buf_reset(&b2);
	ok(gl && aw_gbm_save(gl, &b2) == 0 && b2.len == b1.len && memcmp(b1.s, b2.s, b1.len) == 0,
	    "round trip: identical bytes when saved again");
	aw_gbm_free(gl);

	/* the 1.7 predictor in blocks of rows: one row at a time gives the same */
	int same = 1;
	for (int i = 0; i < NROW; i += 37) {
		float one;
		aw_gbm_margin(g1, x + i * NCOL, 1, &one);
		same &= one == m1[i];
	}
	ok(same, "single-row prediction equals batch prediction");

	ok(aw_gbm_contribs(g1, x, NROW, contrib) == 0, "SHAP contributions");
	double worst = 0;
	int col0_top = 0;
	for (int i = 0; i < NROW; i++) {
		double s = 0;
		for (int j = 0; j <= NCOL; j++)
			s += contrib[i * (NCOL + 1) + j];
		worst = fmax(worst, fabs(s - m1[i]));
		int top = 0;
		for (int j = 1; j < NCOL; j++)
			if (fabs(contrib[i * (NCOL + 1) + j]) > fabs(contrib[i * (NCOL + 1) + top]))
				top = j;
		col0_top += top == 0 || top == 1;
	}
	ok(worst < 1e-4, "contributions + bias sum to the margin (worst %.2g)", worst);
	ok(col0_top > NROW * 0.8, "the informative columns dominate the explanations (%d/%d)",
	    col0_top, NROW);

	/* fold assignment: seeded, grouped, independent of the row order */
	static uint64_t grp[NROW], rgrp[NROW];
	static int fold[NROW], rfold[NROW], fold2[NROW];
	int count[5] = { 0 }, grouped = 1, same_perm = 1;
	for (int i = 0; i < NROW; i++) {
		grp[i] = (uint64_t)(i / 96) * 1000003u;	/* "days" of 96 steps */
		rgrp[NROW - 1 - i] = grp[i];
	}
	aw_gbm_folds(grp, NROW, 5, 11, fold);
	aw_gbm_folds(rgrp, NROW, 5, 11, rfold);
	aw_gbm_folds(grp, NROW, 5, 11, fold2);
	for (int i = 0; i < NROW; i++) {
		count[fold[i]]++;
		grouped &= fold[i] == fold[i / 96 * 96];
		same_perm &= rfold[NROW - 1 - i] == fold[i] && fold2[i] == fold[i];
	}
	ok(grouped, "a group stays in one fold");
	ok(same_perm, "folds are deterministic and independent of row order");
	ok(count[0] && count[1] && count[2] && count[3] && count[4],
	    "every fold has rows (%d %d %d %d %d)", count[0], count[1], count[2], count[3], count[4]);
	aw_gbm_folds(grp, NROW, 5, 12, fold2);
	ok(memcmp(fold, fold2, sizeof fold) != 0, "another seed deals other folds");

	p.seed = 7;
	p.rounds = 30;
	ok(aw_gbm_cv_margin(x, NROW, NCOL, y, w, fold, 5, &p, m2) == 0, "5-fold cross-validation");
	ok(aw_gbm_cv_margin(x, NROW, NCOL, y, w, fold, 5, &p, m3) == 0 &&
	    memcmp(m2, m3, sizeof m2) == 0, "cross-validation is deterministic");
	double a_oof = auc(m2, y, NROW);
	ok(a_oof > 0.85 && a_oof < auc(m1, y, NROW), "out-of-fold AUC %.3f below in-sample", a_oof);

	/* Platt on the out-of-fold margins undoes scale_pos_weight: mean p near the base rate */
	struct aw_platt c;
	ok(aw_platt_fit(m2, y, NULL, NROW, &c) == 0, "Platt fit on out-of-fold margins");
	double mean_p = 0, mean_raw = 0;
	for (int i = 0; i < NROW; i++) {
		mean_p += aw_platt_prob(&c, m2[i]) / NROW;
		mean_raw += 1 / (1 + exp(-m2[i])) / NROW;
	}
	is_num(mean_p, (double)npos / NROW, 0.01, "calibrated mean probability = base rate");
	ok(mean_raw > (double)npos / NROW + 0.05, "raw balanced probabilities overstate it (%.3f)",
	    mean_raw);

	ok(aw_gbm_load("not a model", 11, 1) == NULL, "garbage is refused");
	aw_buf_free(&b1);
	aw_buf_free(&b2);
	aw_gbm_free(g1);
	aw_gbm_free(g2);
	return tap_done();
}
