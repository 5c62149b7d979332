/* Gradient-boosted trees for binary classification: a thin wrapper over the libxgboost
 * C API. Matrices are dense, row-major float, NaN = missing. Every XGBoost failure is
 * reported on stderr ("aw-x: xgboost: what: message") and returned as -1 or NULL. */
#ifndef AW_GBM_H
#define AW_GBM_H
#include <stddef.h>
#include <stdint.h>

#include "aw_util.h"

struct aw_gbm_params {
	int rounds;		/* boosting rounds (trees) */
	int max_depth;
	double eta;		/* learning rate */
	double min_child_weight;
	double subsample;	/* row subsample per tree, 1 = all rows */
	double scale_pos_weight;	/* weight factor of positive rows (class imbalance) */
	uint64_t seed;
	int nthread;		/* 1 keeps training and prediction deterministic */
};

/* 100 rounds, depth 5, eta 0.1, min_child_weight 1, subsample 1, scale_pos_weight 1,
 * seed 0, 1 thread; objective binary:logistic, tree_method hist */
void aw_gbm_params_default(struct aw_gbm_params *p);

struct aw_gbm;

/* x: nrow × ncol; y: 0/1 labels; w: per-row weights or NULL */
struct aw_gbm *aw_gbm_train(const float *x, size_t nrow, size_t ncol, const float *y,
    const float *w, const struct aw_gbm_params *p);
void aw_gbm_free(struct aw_gbm *g);
size_t aw_gbm_nfeatures(const struct aw_gbm *g);

/* raw margins (log-odds) of nrow rows into margin[nrow] */
int aw_gbm_margin(struct aw_gbm *g, const float *x, size_t nrow, float *margin);
/* SHAP contributions (TreeSHAP, XGBoost pred_contribs) of nrow rows into
 * contrib[nrow × (ncol + 1)]; the last column of each row is the bias, and a row sums
 * to its margin */
int aw_gbm_contribs(struct aw_gbm *g, const float *x, size_t nrow, float *contrib);

/* Out-of-fold margins of k-fold cross-validation: margin[i] comes from a model trained
 * on the rows of the other folds (fold[i] in 0..k-1, every fold non-empty). */
int aw_gbm_cv_margin(const float *x, size_t nrow, size_t ncol, const float *y,
    const float *w, const int *fold, int k, const struct aw_gbm_params *p, float *margin);
/* Deals groups of rows (rows with the same group value, e.g. one DMA-day) to k folds in a
 * seeded random order, groups i, i+k, i+2k... of the shuffled list to fold i, so that
 * neighbouring, near-identical rows never sit on both sides of a split. group NULL: each
 * row is its own group. The result does not depend on the order of the rows. */
void aw_gbm_folds(const uint64_t *group, size_t n, int k, uint64_t seed, int *fold);

/* The booster as UBJSON bytes appended to out. */
int aw_gbm_save(struct aw_gbm *g, struct aw_buf *out);
/* A booster from the bytes of aw_gbm_save; nthread as in the parameters. */
struct aw_gbm *aw_gbm_load(const void *buf, size_t len, int nthread);
#endif
