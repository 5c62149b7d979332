/* Platt scaling: a calibrated probability p = 1 / (1 + exp(A·m + B)) from a raw score m
 * (here the margin of the boosted trees), and the ROC AUC that judges such scores. */
#ifndef AW_PLATT_H
#define AW_PLATT_H
#include <stddef.h>

struct aw_platt {
	double a, b;
	int iterations;		/* Newton iterations the fit took */
};

/* Fits A and B on scores m[i], labels y[i] (> 0 positive) and weights w[i] (NULL: all 1)
 * by minimising the weighted cross-entropy against Platt's smoothed targets
 * t+ = (N+ + 1) / (N+ + 2), t- = 1 / (N- + 2), N± the summed weights of each class
 * (Platt 1999), with Newton's method and a backtracking line search as in Lin, Lin and
 * Weng (2007), starting from A = 0, B = log((N- + 1) / (N+ + 1)). Returns 0 when the
 * gradient vanished (|g| < 1e-5 per weight unit, at most 100 iterations), 1 when it
 * stopped early (the best A, B so far are kept), -1 when there is nothing to fit. */
int aw_platt_fit(const float *m, const float *y, const float *w, size_t n, struct aw_platt *c);
/* p for a score m; monotone in m (decreasing in A·m) and never exactly 0 or 1 unless
 * the exponential overflows */
double aw_platt_prob(const struct aw_platt *c, double m);
/* area under the ROC curve of scores s for labels y (ties count half); NAN when one class
 * is missing */
double aw_auc(const float *s, const float *y, size_t n);
#endif
