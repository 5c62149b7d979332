/* Isolation Forest (Liu, Ting & Zhou 2008), built the way scikit-learn's IsolationForest
 * builds it, scored with flat node arrays.
 *
 * Fitting. Each tree draws psi = min(max_samples, n) rows without replacement and grows an
 * extremely randomised tree to depth ceil(log2(max(psi, 2))): at a node, a feature is chosen
 * uniformly among those not constant in the node (range > 1e-7, as scikit-learn), the split
 * value uniformly in [min, max) of that feature in the node (a draw equal to max becomes min),
 * x <= split goes left. Nodes with one row or at the depth limit are leaves. Values are
 * compared as float32, as scikit-learn does (it converts X to float32 for its trees).
 *
 * Score. s(x) = 2^(-E[h(x)] / c(psi)) in (0, 1], higher = more anomalous, where h is the
 * depth of the leaf x reaches plus c(rows in that leaf) and
 *   c(n) = 0 for n <= 1, 1 for n = 2, 2 (ln(n - 1) + 0.5772156649) - 2 (n - 1) / n otherwise.
 * scikit-learn's IsolationForest.score_samples returns exactly -s(x); its offset_ is
 * -threshold. The threshold is the (1 - contamination) quantile of the training scores
 * (numpy's linear interpolation); a row is anomalous when s > threshold, as predict() does.
 *
 * Missing values. NaN and infinities are missing (there is no other way to say it in a
 * double matrix). Fitting: a node's min/max ignore missing values, a feature missing in all
 * rows of a node counts as constant, and a row missing the split feature goes left with
 * probability (rows with a value going left) / (rows with a value), drawn from the tree's
 * generator. Scoring: at a split on a feature the row lacks, the row descends both sides and
 * h is the mean of the two branches weighted by the training rows that went each way,
 * count(child) / count(node). A row with nothing missing never sees the difference.
 * scikit-learn 1.2 rejects NaN, so there is nothing to be faithful to here.
 *
 * Attribution ("isolation bits"). Along the path of x in a tree, a split on feature j that
 * sends x from a node holding n training rows to a child holding m credits j with
 * log2(n / m) bits: the information that split gave about where x is. A feature on which x
 * is extreme sends it to small children early and collects many bits; a split on an ordinary
 * value halves the node and gives about one bit. Credits are summed over the trees (weighted
 * by the branch weight on missing-value paths; a missing feature earns nothing) and divided by
 * the number of trees. Per tree the credits add up to log2(psi / rows in the leaf). Each
 * leaf keeps its path's credits per feature rounded to 1/4096 bit, so that rows without
 * missing values are attributed by integer sums, exact and independent of order.
 *
 * Randomness. xoshiro256** seeded per tree with splitmix64 from seed + (tree + 1) *
 * 0x9e3779b97f4a7c15: the same seed and data give identical forests on every machine.
 *
 * Model file (text, version 1):
 *   aw-iforest 1
 *   forest ID          16 hex digits: FNV-1a 64 of the section body below (id line excluded)
 *   dma NAME           rest of the line
 *   features D
 *   feature NAME       D lines, in column order
 *   seed S
 *   trees T
 *   max_samples PSI
 *   train_rows N
 *   contamination C
 *   threshold S        training score quantile (1 - C)
 *   score_min S        lowest and highest training score
 *   score_max S
 *   tree NODES         T times, each followed by NODES node lines, node 0 the root:
 *     F V L N          split: feature index, float split value (%.9g), left child index
 *                      (right = L + 1, L > this node), training rows reaching the node
 *     - N              leaf with N training rows
 *   end
 * then further "forest" sections (one per DMA). Doubles are written with 17 significant
 * digits, so a loaded forest scores bit-identically to the one that was saved. */
#ifndef AW_IFOREST_H
#define AW_IFOREST_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "aw_util.h"

#define AW_IFOREST_FORMAT 1
#define AW_IFOREST_MAX_SAMPLES 32768	/* node indices are 16-bit */
#define AW_IFOREST_MAX_FEATURES 65534	/* one spare credit slot */
#define AW_IFOREST_MAX_TREES 65536	/* credits are summed in 32 bits */

struct aw_iforest_params {
	int n_trees;		/* 100 */
	int max_samples;	/* 256; psi = min(max_samples, rows) */
	double contamination;	/* 0.05 */
	uint64_t seed;		/* 0 */
};

struct aw_iforest_node {
	float thr;		/* right when x > thr; +inf in a leaf */
	uint16_t feat;		/* 0 in a leaf */
	uint16_t left;		/* right child is left + 1; a leaf points to itself */
};

/* the credits of the path to a leaf, one entry per feature split on along the way */
struct aw_iforest_credit {
	uint16_t feat;
	uint16_t bits;		/* in 1/AW_IFOREST_BIT_SCALE bits */
};
#define AW_IFOREST_BIT_SCALE 4096

struct aw_iforest_tree {
	const struct aw_iforest_node *node;
	const uint16_t *count;	/* training rows reaching each node */
	const double *leaf;	/* depth + c(count) at leaves */
	const float *bits;	/* [2i + side]: log2(count[i] / count[child]), 0 at leaves */
	const uint32_t *path;	/* leaves: path credits are credit[path[i] .. path[i + 1]) */
	unsigned n, depth;	/* nodes, deepest leaf */
};

struct aw_iforest {
	char id[17];
	char *dma;
	char **features;
	size_t d;
	uint64_t seed;
	int n_trees, psi;
	size_t train_rows;
	double contamination, threshold, score_min, score_max;
	double c_psi;		/* c(psi) */
	unsigned max_depth;	/* deepest leaf of all trees */
	struct aw_iforest_tree *tree;
	struct aw_iforest_credit *credit;
	void *pool;		/* storage behind tree[] */
};

void aw_iforest_defaults(struct aw_iforest_params *p);
/* c(n): average path length of an unsuccessful search in a binary search tree of n keys */
double aw_iforest_c(double n);

/* Fits on x (n rows by d features, row-major). features may be NULL ("f1", "f2", ...), dma
 * may be NULL (""). Returns NULL when n == 0, d is 0 or too large, or the parameters are
 * out of range. */
struct aw_iforest *aw_iforest_fit(const double *x, size_t n, size_t d,
    const char *const *features, const char *dma, const struct aw_iforest_params *p);
void aw_iforest_free(struct aw_iforest *f);

/* score[i] = s(row i). */
void aw_iforest_score(const struct aw_iforest *f, const double *x, size_t n, double *score);
/* Scores and fills credit[i * d + j] with the isolation bits of feature j for row i. */
void aw_iforest_explain(const struct aw_iforest *f, const double *x, size_t n, double *score,
    double *credit);
/* Indices of up to k features with the most credit (> 0), best first, ties to the lower
 * index; returns how many. */
int aw_iforest_top(const double *credit, size_t d, int k, size_t *top);

/* Model files. write: the "forest" section of one forest. save: the whole file, atomically
 * (temporary file, fsync, rename); returns 0, or -1 after reporting the error. load: returns
 * the forests (and *n), or NULL after reporting FILE:LINE errors. */
int aw_iforest_write(FILE *fp, const struct aw_iforest *f);
int aw_iforest_save(const char *path, struct aw_iforest *const *f, size_t n);
struct aw_iforest **aw_iforest_load(const char *path, size_t *n);
#endif
