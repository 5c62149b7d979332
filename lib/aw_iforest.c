/* Isolation Forest: fitting, block scoring, attribution, model files. See aw_iforest.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_iforest.h"

#define BLOCK 16		/* rows descending a tree together, to overlap their loads */
#define EULER_GAMMA 0.57721566490153286061
#define CONSTANT_RANGE 1e-7	/* scikit-learn's FEATURE_THRESHOLD */

/* ---- random numbers: xoshiro256** seeded by splitmix64 ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, unsigned tree)
{
	uint64_t x = seed + (uint64_t)(tree + 1) * 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

static double rng_uniform(struct rng *r)	/* [0, 1) */
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static uint32_t rng_below(struct rng *r, uint32_t n)	/* [0, n), unbiased (Lemire) */
{
	uint64_t m = (rng_next(r) >> 32) * n;
	if ((uint32_t)m < n) {
		uint32_t lim = -n % n;
		while ((uint32_t)m < lim)
			m = (rng_next(r) >> 32) * n;
	}
	return m >> 32;
}

/* ---- shared pieces ---- */

void aw_iforest_defaults(struct aw_iforest_params *p)
{
	p->n_trees = 100;
	p->max_samples = 256;
	p->contamination = 0.05;
	p->seed = 0;
}

double aw_iforest_c(double n)
{
	if (n <= 1)
		return 0;
	if (n <= 2)
		return 1;
	return 2 * (log(n - 1) + EULER_GAMMA) - 2 * (n - 1) / n;
}

static unsigned depth_limit(int psi)
{
	unsigned k = 1;
	while ((1L << k) < psi)
		k++;
	return k;
}

static float as_value(double v)	/* NaN when missing */
{
	float y = (float)v;
	return isfinite(y) ? y : NAN;
}

void aw_iforest_free(struct aw_iforest *f)
{
	if (!f)
		return;
	free(f->dma);
	for (size_t j = 0; j < f->d; j++)
		free(f->features[j]);
	free(f->features);
	free(f->tree);
	free(f->credit);
	free(f->pool);
	free(f);
}

/* The credit list of every leaf: one entry per feature split on along its path (bits in
 * fixed point), padded to the tree depth with zero entries aimed at the spare slot d, so that
 * attribution is a fixed-length, branch-free pass after the descent. Per path the bits add
 * up to log2(psi) <= 15, which fits 16 bits at 4096 steps per bit. */
static void path_credits(struct aw_iforest *f, size_t total)
{
	uint32_t *parent = aw_reallocarray(NULL, total ? total : 1, sizeof *parent);
	uint16_t *feat = aw_reallocarray(NULL, f->max_depth + 1, sizeof *feat);
	double *sum = aw_reallocarray(NULL, f->max_depth + 1, sizeof *sum);
	size_t n_entries = 0, at = 0;
	uint32_t *path = (uint32_t *)f->tree[0].path;

	for (int t = 0; t < f->n_trees; t++)
		for (unsigned i = 0; i < f->tree[t].n; i++)
			n_entries += f->tree[t].node[i].left == i ? f->tree[t].depth : 0;
	free(f->credit);
	f->credit = aw_reallocarray(NULL, n_entries ? n_entries : 1, sizeof *f->credit);
	for (int t = 0; t < f->n_trees; t++) {
		const struct aw_iforest_tree *tr = &f->tree[t];
		uint32_t *tp = path + (tr->path - f->tree[0].path);
		for (unsigned i = 0; i < tr->n; i++)
			if (tr->node[i].left != i)
				parent[tr->node[i].left] = parent[tr->node[i].left + 1] = i;
		for (unsigned i = 0; i < tr->n; i++) {
			tp[i] = at;
			if (tr->node[i].left != i)
				continue;
			unsigned m = 0;
			for (unsigned c = i; c != 0; c = parent[c]) {
				unsigned p = parent[c], k = 0;
				while (k < m && feat[k] != tr->node[p].feat)
					k++;
				if (k == m) {
					feat[m] = tr->node[p].feat;
					sum[m++] = 0;
				}
				sum[k] += tr->bits[2 * p + (c != tr->node[p].left)];
			}
			for (unsigned k = 0; k < tr->depth; k++, at++) {
				f->credit[at].feat = k < m ? feat[k] : f->d;
				f->credit[at].bits = k < m ? lround(sum[k] * AW_IFOREST_BIT_SCALE) : 0;
			}
		}
	}
	path[total] = at;
	free(parent);
	free(feat);
	free(sum);
}

/* Lays out nodes and counts of all trees (tree t at off[t] .. off[t + 1]) in one pool
 * and derives depth, leaf values and bits. Checks what a model file could get wrong;
 * returns NULL or what is wrong. */
static const char *forest_build(struct aw_iforest *f, const struct aw_iforest_node *node,
    const uint16_t *count, const unsigned *off)
{
	size_t total = off[f->n_trees];
	size_t sz = total * (sizeof(struct aw_iforest_node) + sizeof(double) + sizeof(float) * 2 +
	    sizeof(uint32_t) + sizeof(uint16_t)) + sizeof(uint32_t);
	char *pool = aw_malloc(sz);
	struct aw_iforest_node *pn = (void *)pool;
	double *leaf = (void *)(pn + total);
	float *bits = (void *)(leaf + total);
	uint32_t *path = (void *)(bits + 2 * total);
	uint16_t *pc = (void *)(path + total + 1);
	unsigned *depth = aw_calloc(total ? total : 1, sizeof *depth);
	unsigned char *seen = aw_calloc(total ? total : 1, 1);
	const char *err = NULL;

	free(f->pool);
	free(f->tree);
	f->pool = pool;
	f->tree = aw_calloc(f->n_trees, sizeof *f->tree);
	memcpy(pn, node, total * sizeof *pn);
	memcpy(pc, count, total * sizeof *pc);
	for (int t = 0; t < f->n_trees && !err; t++) {
		size_t b = off[t], n = off[t + 1] - off[t];
		struct aw_iforest_tree *tr = &f->tree[t];
		tr->node = pn + b;
		tr->count = pc + b;
		tr->leaf = leaf + b;
		tr->bits = bits + 2 * b;
		tr->path = path + b;
		tr->n = n;
		tr->depth = 0;
		if (n == 0 || n > 65535) {
			err = "bad node count";
			break;
		}
		if (pc[b] == 0 || pc[b] > f->psi) {
			err = "root row count out of range";
			break;
		}
		for (size_t i = 0; i < n && !err; i++) {
			struct aw_iforest_node *q = &pn[b + i];
			double ci = pc[b + i];
			if (q->left == i) {
				leaf[b + i] = depth[b + i] + aw_iforest_c(ci);
				bits[2 * (b + i)] = bits[2 * (b + i) + 1] = 0;
				if (depth[b + i] > tr->depth)
					tr->depth = depth[b + i];
				continue;
			}
			size_t l = q->left;
			if (l <= i || l + 1 >= n || seen[b + l] || seen[b + l + 1])
				err = "bad child index";
			else if (q->feat >= f->d)
				err = "feature index out of range";
			else if (!isfinite(q->thr))
				err = "split value not finite";
			else if (pc[b + l] == 0 || pc[b + l + 1] == 0 ||
			    pc[b + l] + pc[b + l + 1] != pc[b + i])
				err = "child row counts do not add up";
			if (err)
				break;
			if (depth[b + i] + 1 > depth_limit(f->psi)) {
				err = "tree deeper than max_samples allows";
				break;
			}
			seen[b + l] = seen[b + l + 1] = 1;
			depth[b + l] = depth[b + l + 1] = depth[b + i] + 1;
			leaf[b + i] = 0;
			bits[2 * (b + i)] = log2(ci / pc[b + l]);
			bits[2 * (b + i) + 1] = log2(ci / pc[b + l + 1]);
		}
		for (size_t i = 1; i < n && !err; i++)
			if (!seen[b + i])
				err = "unreachable node";
	}
	f->max_depth = 0;
	for (int t = 0; t < f->n_trees && !err; t++)
		if (f->tree[t].depth > f->max_depth)
			f->max_depth = f->tree[t].depth;
	if (!err)
		path_credits(f, total);
	free(depth);
	free(seen);
	return err;
}

/* ---- fitting ---- */

struct builder {
	struct rng rng;
	const float *col;	/* psi x d, column-major */
	uint32_t *idx, *right, *miss;
	size_t *cand;
	size_t psi, d;
	unsigned max_depth, used;
	struct aw_iforest_node *node;
	uint16_t *count;
};

static void leaf_node(struct aw_iforest_node *q, unsigned at)
{
	q->thr = INFINITY;
	q->feat = 0;
	q->left = at;
}

static void grow(struct builder *b, unsigned at, size_t lo, size_t hi, unsigned depth)
{
	size_t m = hi - lo, k = b->d, nmiss = 0;
	const float *v = NULL;
	float lo_v = 0, hi_v = 0;
	size_t feat = 0;

	b->count[at] = m;
	leaf_node(&b->node[at], at);
	if (depth >= b->max_depth || m < 2)
		return;
	for (size_t j = 0; j < b->d; j++)
		b->cand[j] = j;
	while (k > 0) {
		size_t r = rng_below(&b->rng, k);
		feat = b->cand[r];
		b->cand[r] = b->cand[--k];
		v = b->col + feat * b->psi;
		lo_v = INFINITY;
		hi_v = -INFINITY;
		nmiss = 0;
		for (size_t i = lo; i < hi; i++) {
			float y = v[b->idx[i]];
			if (isnan(y))
				nmiss++;
			else {
				if (y < lo_v)
					lo_v = y;
				if (y > hi_v)
					hi_v = y;
			}
		}
		if (nmiss < m && (double)hi_v > (double)lo_v + CONSTANT_RANGE)
			break;
		v = NULL;
	}
	if (!v)
		return;

	float thr = (float)(lo_v + rng_uniform(&b->rng) * ((double)hi_v - lo_v));
	if (thr >= hi_v)
		thr = lo_v;
	size_t nl = 0, nr = 0, nm = 0;
	for (size_t i = lo; i < hi; i++) {
		uint32_t s = b->idx[i];
		float y = v[s];
		if (isnan(y))
			b->miss[nm++] = s;
		else if (y <= thr)
			b->idx[lo + nl++] = s;
		else
			b->right[nr++] = s;
	}
	double p_left = (double)nl / (nl + nr);
	for (size_t i = 0; i < nm; i++) {
		if (rng_uniform(&b->rng) < p_left)
			b->idx[lo + nl++] = b->miss[i];
		else
			b->right[nr++] = b->miss[i];
	}
	memcpy(b->idx + lo + nl, b->right, nr * sizeof *b->right);

	unsigned left = b->used;
	b->used += 2;
	b->node[at].thr = thr;
	b->node[at].feat = feat;
	b->node[at].left = left;
	grow(b, left, lo, lo + nl, depth + 1);
	grow(b, left + 1, lo + nl, hi, depth + 1);
}

static void forest_body(const struct aw_iforest *f, struct aw_buf *o);

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct aw_iforest *aw_iforest_fit(const double *x, size_t n, size_t d,
    const char *const *features, const char *dma, const struct aw_iforest_params *p)
{
	if (n == 0 || n > UINT32_MAX || d == 0 || d > AW_IFOREST_MAX_FEATURES ||
	    p->n_trees < 1 || p->n_trees > AW_IFOREST_MAX_TREES || p->max_samples < 1 ||
	    p->max_samples > AW_IFOREST_MAX_SAMPLES ||
	    !(p->contamination >= 0 && p->contamination <= 0.5))
		return NULL;

	struct aw_iforest *f = aw_calloc(1, sizeof *f);
	char name[32];
	f->dma = aw_strdup(dma ? dma : "");
	f->d = d;
	f->features = aw_calloc(d, sizeof *f->features);
	for (size_t j = 0; j < d; j++) {
		snprintf(name, sizeof name, "f%zu", j + 1);
		f->features[j] = aw_strdup(features ? features[j] : name);
	}
	f->seed = p->seed;
	f->n_trees = p->n_trees;
	f->psi = n < (size_t)p->max_samples ? (int)n : p->max_samples;
	f->train_rows = n;
	f->contamination = p->contamination;
	f->c_psi = aw_iforest_c(f->psi);

	size_t psi = f->psi, cap = 2 * psi;
	uint32_t *perm = aw_reallocarray(NULL, n, sizeof *perm);
	uint32_t *swaps = aw_reallocarray(NULL, psi, sizeof *swaps);
	float *col = aw_reallocarray(NULL, psi * d, sizeof *col);
	struct builder b = {
		.col = col, .psi = psi, .d = d, .max_depth = depth_limit(f->psi),
		.idx = aw_reallocarray(NULL, psi, sizeof(uint32_t)),
		.right = aw_reallocarray(NULL, psi, sizeof(uint32_t)),
		.miss = aw_reallocarray(NULL, psi, sizeof(uint32_t)),
		.cand = aw_reallocarray(NULL, d, sizeof(size_t)),
	};
	struct aw_iforest_node *node = aw_reallocarray(NULL, cap * f->n_trees, sizeof *node);
	uint16_t *count = aw_reallocarray(NULL, cap * f->n_trees, sizeof *count);
	unsigned *off = aw_reallocarray(NULL, f->n_trees + 1, sizeof *off);

	for (size_t i = 0; i < n; i++)
		perm[i] = i;
	off[0] = 0;
	for (int t = 0; t < f->n_trees; t++) {
		rng_seed(&b.rng, p->seed, t);
		for (size_t i = 0; i < psi; i++) {
			uint32_t j = i + rng_below(&b.rng, n - i), s = perm[i];
			perm[i] = perm[j];
			perm[j] = s;
			swaps[i] = j;
		}
		for (size_t i = 0; i < psi; i++) {
			const double *row = x + (size_t)perm[i] * d;
			for (size_t j = 0; j < d; j++)
				col[j * psi + i] = as_value(row[j]);
			b.idx[i] = i;
		}
		for (size_t i = psi; i-- > 0;) {
			uint32_t s = perm[i];
			perm[i] = perm[swaps[i]];
			perm[swaps[i]] = s;
		}
		b.node = node + off[t];
		b.count = count + off[t];
		b.used = 1;
		grow(&b, 0, 0, psi, 0);
		off[t + 1] = off[t] + b.used;
	}
	forest_build(f, node, count, off);
	free(perm);
	free(swaps);
	free(col);
	free(b.idx);
	free(b.right);
	free(b.miss);
	free(b.cand);
	free(node);
	free(count);
	free(off);

	double *s = aw_reallocarray(NULL, n, sizeof *s);
	aw_iforest_score(f, x, n, s);
	qsort(s, n, sizeof *s, cmp_double);
	double pos = (1 - f->contamination) * (n - 1);
	size_t i0 = (size_t)pos, i1 = i0 + 1 < n ? i0 + 1 : i0;
	f->threshold = s[i0] + (pos - i0) * (s[i1] - s[i0]);
	f->score_min = s[0];
	f->score_max = s[n - 1];
	free(s);

	struct aw_buf body = { 0 };
	forest_body(f, &body);
	snprintf(f->id, sizeof f->id, "%016llx", (unsigned long long)aw_hash(body.s, body.len));
	aw_buf_free(&body);
	return f;
}

/* ---- scoring ---- */

/* Expected leaf value of one tree for a row with missing values; w is the probability of
 * reaching node i, used to weight the credits. */
static double walk(const struct aw_iforest_tree *tr, unsigned i, const float *x, double w,
    double *credit)
{
	for (;;) {
		const struct aw_iforest_node *q = &tr->node[i];
		if (q->left == i)
			return tr->leaf[i];
		float v = x[q->feat];
		if (isnan(v)) {
			double wl = (double)tr->count[q->left] / tr->count[i];
			return wl * walk(tr, q->left, x, w * wl, credit) +
			    (1 - wl) * walk(tr, q->left + 1, x, w * (1 - wl), credit);
		}
		int side = v > q->thr;
		if (credit)
			credit[q->feat] += w * tr->bits[2 * i + side] * AW_IFOREST_BIT_SCALE;
		i = q->left + side;
	}
}

/* Sums of leaf values over all trees for BLOCK rows of xf without missing values. The
 * descent is branch-free: leaves point to themselves with an infinite split value, so
 * every row takes exactly tree depth steps. */
static void block_sum(const struct aw_iforest *f, const float *xf, double *sum)
{
	size_t d = f->d;
	for (int r = 0; r < BLOCK; r++)
		sum[r] = 0;
	for (int t = 0; t < f->n_trees; t++) {
		const struct aw_iforest_tree *tr = &f->tree[t];
		const struct aw_iforest_node *nd = tr->node;
		unsigned at[BLOCK] = { 0 };
		for (unsigned k = 0; k < tr->depth; k++)
#pragma GCC unroll 16
			for (int r = 0; r < BLOCK; r++) {
				struct aw_iforest_node q = nd[at[r]];
				at[r] = q.left + (xf[r * d + q.feat] > q.thr);
			}
		for (int r = 0; r < BLOCK; r++)
			sum[r] += tr->leaf[at[r]];
	}
}

static void block_explain(const struct aw_iforest *f, const float *xf, double *sum,
    uint32_t *credit)
{
	size_t d = f->d, dc = d + 1;
	for (int r = 0; r < BLOCK; r++)
		sum[r] = 0;
	for (int t = 0; t < f->n_trees; t++) {
		const struct aw_iforest_tree *tr = &f->tree[t];
		const struct aw_iforest_node *nd = tr->node;
		unsigned at[BLOCK] = { 0 };
		for (unsigned k = 0; k < tr->depth; k++)
#pragma GCC unroll 16
			for (int r = 0; r < BLOCK; r++) {
				struct aw_iforest_node q = nd[at[r]];
				at[r] = q.left + (xf[r * d + q.feat] > q.thr);
			}
		for (int r = 0; r < BLOCK; r++) {
			sum[r] += tr->leaf[at[r]];
			const struct aw_iforest_credit *e = f->credit + tr->path[at[r]];
			for (unsigned k = 0; k < tr->depth; k++)
				credit[r * dc + e[k].feat] += e[k].bits;
		}
	}
}

static double to_score(const struct aw_iforest *f, double sum)
{
	if (f->c_psi == 0)
		return 0.5;	/* as scikit-learn: one training row, no path to measure */
	return exp2(-sum / f->n_trees / f->c_psi);
}

/* One row: lanes are BLOCK trees instead of BLOCK rows (a group runs to the depth of its
 * deepest tree; leaves absorb the extra steps). Lanes past the last tree repeat it and are
 * not counted. */
static double row_one(const struct aw_iforest *f, const float *x, uint32_t *credit)
{
	double sum = 0;
	for (int t0 = 0; t0 < f->n_trees; t0 += BLOCK) {
		const struct aw_iforest_tree *tr[BLOCK];
		unsigned at[BLOCK] = { 0 }, depth = 0;
		int nt = f->n_trees - t0 < BLOCK ? f->n_trees - t0 : BLOCK;
		for (int k = 0; k < BLOCK; k++) {
			tr[k] = &f->tree[t0 + (k < nt ? k : nt - 1)];
			if (tr[k]->depth > depth)
				depth = tr[k]->depth;
		}
		for (unsigned step = 0; step < depth; step++)
#pragma GCC unroll 16
			for (int k = 0; k < BLOCK; k++) {
				struct aw_iforest_node q = tr[k]->node[at[k]];
				at[k] = q.left + (x[q.feat] > q.thr);
			}
		for (int k = 0; k < nt; k++) {
			sum += tr[k]->leaf[at[k]];
			if (credit) {
				const struct aw_iforest_credit *e = f->credit + tr[k]->path[at[k]];
				unsigned dep = tr[k]->depth;
#pragma GCC unroll 8
				for (unsigned i = 0; i < dep; i++)
					credit[e[i].feat] += e[i].bits;
			}
		}
	}
	return sum;
}

/* Rows to float (missing: NaN); returns a bit mask of the rows with missing values. */
static unsigned convert(const double *x, size_t nb, size_t d, float *xf)
{
	unsigned missing = 0;
	for (size_t r = 0; r < nb; r++)
		for (size_t j = 0; j < d; j++) {
			float y = as_value(x[r * d + j]);
			xf[r * d + j] = y;
			if (isnan(y))
				missing |= 1u << r;
		}
	return missing;
}

#define STACK_VALUES 2048

/* Credits are summed as integers (units of 1/AW_IFOREST_BIT_SCALE bit) on the fast paths,
 * exact and in any order; at most 65536 trees x 61440 fit 32 bits. Rows with missing values
 * take the weighted walk, summed in doubles. */
static void run(const struct aw_iforest *f, const double *x, size_t n, double *score,
    double *credit)
{
	size_t d = f->d, dc = d + 1;	/* credit rows have a spare slot for padding */
	float xs[STACK_VALUES];
	uint32_t cs[STACK_VALUES];
	double sum[BLOCK], scale = 1.0 / ((double)f->n_trees * AW_IFOREST_BIT_SCALE);
	int small = BLOCK * dc <= STACK_VALUES;
	float *xf = small ? xs : aw_reallocarray(NULL, BLOCK * d, sizeof *xf);
	uint32_t *cb = !credit ? NULL : small ? cs : aw_reallocarray(NULL, BLOCK * dc, sizeof *cb);
	double cws[STACK_VALUES];
	double *cw = !credit ? NULL : small ? cws : aw_reallocarray(NULL, d, sizeof *cw);

	for (size_t i0 = 0; i0 < n; i0 += BLOCK) {
		size_t nb = n - i0 < BLOCK ? n - i0 : BLOCK;
		unsigned missing = convert(x + i0 * d, nb, d, xf);
		if (credit)
			memset(cb, 0, nb * dc * sizeof *cb);
		if (nb == BLOCK && credit)
			block_explain(f, xf, sum, cb);
		else if (nb == BLOCK)
			block_sum(f, xf, sum);
		for (size_t r = 0; r < nb; r++) {
			double *out = credit ? credit + (i0 + r) * d : NULL;
			if (missing & (1u << r)) {
				if (cw)
					memset(cw, 0, d * sizeof *cw);
				sum[r] = 0;
				for (int t = 0; t < f->n_trees; t++)
					sum[r] += walk(&f->tree[t], 0, xf + r * d, 1, cw);
				for (size_t j = 0; out && j < d; j++)
					out[j] = cw[j] * scale;
			} else {
				if (nb < BLOCK)
					sum[r] = row_one(f, xf + r * d, cb ? cb + r * dc : NULL);
				for (size_t j = 0; out && j < d; j++)
					out[j] = cb[r * dc + j] * scale;
			}
			score[i0 + r] = to_score(f, sum[r]);
		}
	}
	if (!small) {
		free(xf);
		free(cb);
		free(cw);
	}
}

void aw_iforest_score(const struct aw_iforest *f, const double *x, size_t n, double *score)
{
	run(f, x, n, score, NULL);
}

void aw_iforest_explain(const struct aw_iforest *f, const double *x, size_t n, double *score,
    double *credit)
{
	run(f, x, n, score, credit);
}

int aw_iforest_top(const double *credit, size_t d, int k, size_t *top)
{
	int m = 0;
	for (size_t j = 0; j < d; j++) {
		if (!(credit[j] > 0))
			continue;
		int at = m < k ? m++ : k;
		while (at > 0 && credit[top[at - 1]] < credit[j]) {
			if (at < k)
				top[at] = top[at - 1];
			at--;
		}
		if (at < k)
			top[at] = j;
	}
	return m;
}

/* ---- model files ---- */

static void forest_body(const struct aw_iforest *f, struct aw_buf *o)
{
	aw_buf_printf(o, "dma %s\nfeatures %zu\n", f->dma, f->d);
	for (size_t j = 0; j < f->d; j++)
		aw_buf_printf(o, "feature %s\n", f->features[j]);
	aw_buf_printf(o, "seed %llu\ntrees %d\nmax_samples %d\ntrain_rows %zu\n",
	    (unsigned long long)f->seed, f->n_trees, f->psi, f->train_rows);
	aw_buf_printf(o, "contamination %.17g\nthreshold %.17g\nscore_min %.17g\nscore_max %.17g\n",
	    f->contamination, f->threshold, f->score_min, f->score_max);
	for (int t = 0; t < f->n_trees; t++) {
		const struct aw_iforest_tree *tr = &f->tree[t];
		aw_buf_printf(o, "tree %u\n", tr->n);
		for (unsigned i = 0; i < tr->n; i++) {
			const struct aw_iforest_node *q = &tr->node[i];
			if (q->left == i)
				aw_buf_printf(o, "- %u\n", tr->count[i]);
			else
				aw_buf_printf(o, "%u %.9g %u %u\n", q->feat, q->thr, q->left,
				    tr->count[i]);
		}
	}
	aw_buf_puts(o, "end\n");
}

int aw_iforest_write(FILE *fp, const struct aw_iforest *f)
{
	struct aw_buf body = { 0 };
	forest_body(f, &body);
	fprintf(fp, "forest %s\n", f->id);
	fwrite(body.s, 1, body.len, fp);
	aw_buf_free(&body);
	return ferror(fp) ? -1 : 0;
}

int aw_iforest_save(const char *path, struct aw_iforest *const *f, size_t n)
{
	size_t len = strlen(path);
	char *tmp = aw_malloc(len + 12);
	struct stat sb;
	/* a device or a pipe (-o /dev/stdout) is written into, never replaced */
	int direct = stat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmpXXXXXX", 11);
	int fd = direct ? open(path, O_WRONLY | O_CLOEXEC) : mkstemp(tmp);
	FILE *fp = fd < 0 ? NULL : fdopen(fd, "w");
	int err = 0;

	if (!fp) {
		err = errno;
		if (fd >= 0)
			close(fd);
	} else {
		fprintf(fp, "aw-iforest %d\n", AW_IFOREST_FORMAT);
		for (size_t i = 0; i < n; i++)
			aw_iforest_write(fp, f[i]);
		if (fflush(fp) != 0 || ferror(fp) || (!direct && fsync(fileno(fp)) != 0))
			err = errno ? errno : EIO;
		if (fclose(fp) != 0 && !err)
			err = errno;
		if (!err && !direct && rename(tmp, path) != 0)
			err = errno;
		if (err && !direct)
			unlink(tmp);
	}
	free(tmp);
	if (err) {
		aw_warn("%s: %s%s", path, direct ? "write error: " : "", strerror(err));
		aw_rval = 1;
		return -1;
	}
	return 0;
}

struct loader {
	FILE *fp;
	const char *path;
	long line;
	char *s;
	size_t cap;
	struct aw_buf body;
	int failed;
};

static char *next_line(struct loader *l)
{
	ssize_t len = getline(&l->s, &l->cap, l->fp);
	if (len < 0)
		return NULL;
	l->line++;
	aw_buf_put(&l->body, l->s, len);
	if (len > 0 && l->s[len - 1] == '\n')
		l->s[--len] = 0;
	else
		aw_buf_putc(&l->body, '\n');
	return l->s;
}

static void load_error(struct loader *l, const char *msg)
{
	if (!l->failed)
		aw_error_at(l->path, l->line, "%s", msg);
	l->failed = 1;
}

/* the rest of a "key value" line, or NULL after an error */
static char *expect(struct loader *l, const char *key)
{
	char *s = next_line(l);
	size_t k = strlen(key);
	if (!s) {
		if (!ferror(l->fp))
			l->line++;
		load_error(l, "model file ends early");
		return NULL;
	}
	if (strncmp(s, key, k) != 0 || s[k] != ' ') {
		char msg[64];
		snprintf(msg, sizeof msg, "expected '%s'", key);
		load_error(l, msg);
		return NULL;
	}
	return s + k + 1;
}

static int expect_ull(struct loader *l, const char *key, unsigned long long lo,
    unsigned long long hi, unsigned long long *out)
{
	char *s = expect(l, key), *end;
	if (!s)
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || *out < lo || *out > hi) {
		char msg[64];
		snprintf(msg, sizeof msg, "bad value for '%s'", key);
		load_error(l, msg);
		return -1;
	}
	return 0;
}

static int expect_double(struct loader *l, const char *key, double *out)
{
	char *s = expect(l, key);
	if (!s)
		return -1;
	if (aw_parse_double(s, out) != 0 || !isfinite(*out)) {
		char msg[64];
		snprintf(msg, sizeof msg, "bad value for '%s'", key);
		load_error(l, msg);
		return -1;
	}
	return 0;
}

static int parse_u16(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 65535)
		return -1;
	*out = v;
	return 0;
}

/* "F V L N" (split) or "- N" (leaf) */
static int parse_node(char *s, unsigned i, struct aw_iforest_node *q, uint16_t *count)
{
	char *tok[5], *save, *end;
	int nt = 0;
	uint16_t feat, left;

	for (char *p = strtok_r(s, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		if (nt == 5)
			return -1;
		tok[nt++] = p;
	}
	if (nt == 2 && strcmp(tok[0], "-") == 0) {
		q->thr = INFINITY;
		q->feat = 0;
		q->left = i;
		return parse_u16(tok[1], count);
	}
	if (nt != 4 || parse_u16(tok[0], &feat) || parse_u16(tok[2], &left) ||
	    parse_u16(tok[3], count))
		return -1;
	errno = 0;
	q->thr = strtof(tok[1], &end);
	if (errno || end == tok[1] || *end)
		return -1;
	q->feat = feat;
	q->left = left;
	return 0;
}

static struct aw_iforest *load_forest(struct loader *l, const char *id)
{
	struct aw_iforest *f = aw_calloc(1, sizeof *f);
	unsigned long long u;
	char *s;
	struct aw_iforest_node *node = NULL;
	uint16_t *count = NULL;
	unsigned *off = NULL;
	size_t total = 0, cap = 0;

	aw_buf_reset(&l->body);
	if (strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16) {
		load_error(l, "bad forest id");
		goto fail;
	}
	if (!(s = expect(l, "dma")))
		goto fail;
	f->dma = aw_strdup(s);
	if (expect_ull(l, "features", 1, AW_IFOREST_MAX_FEATURES, &u))
		goto fail;
	f->features = aw_calloc(u, sizeof *f->features);
	for (size_t j = 0; j < u; j++) {
		if (!(s = expect(l, "feature")))
			goto fail;
		f->features[j] = aw_strdup(s);
		f->d = j + 1;
	}
	if (expect_ull(l, "seed", 0, UINT64_MAX, &u))
		goto fail;
	f->seed = u;
	if (expect_ull(l, "trees", 1, AW_IFOREST_MAX_TREES, &u))
		goto fail;
	f->n_trees = u;
	if (expect_ull(l, "max_samples", 1, AW_IFOREST_MAX_SAMPLES, &u))
		goto fail;
	f->psi = u;
	f->c_psi = aw_iforest_c(f->psi);
	if (expect_ull(l, "train_rows", 1, UINT32_MAX, &u))
		goto fail;
	f->train_rows = u;
	if (expect_double(l, "contamination", &f->contamination) ||
	    expect_double(l, "threshold", &f->threshold) ||
	    expect_double(l, "score_min", &f->score_min) ||
	    expect_double(l, "score_max", &f->score_max))
		goto fail;
	off = aw_reallocarray(NULL, f->n_trees + 1, sizeof *off);
	off[0] = 0;
	for (int t = 0; t < f->n_trees; t++) {
		if (expect_ull(l, "tree", 1, 2 * (unsigned long long)f->psi - 1, &u))
			goto fail;
		if (total + u > cap) {
			cap = 2 * (total + u);
			node = aw_reallocarray(node, cap, sizeof *node);
			count = aw_reallocarray(count, cap, sizeof *count);
		}
		for (size_t i = 0; i < u; i++) {
			if (!(s = next_line(l))) {
				l->line++;
				load_error(l, "model file ends early");
				goto fail;
			}
			if (parse_node(s, i, node + total + i, count + total + i) != 0) {
				load_error(l, "bad node line");
				goto fail;
			}
		}
		total += u;
		off[t + 1] = total;
	}
	if (!(s = next_line(l)) || strcmp(s, "end") != 0) {
		if (!s)
			l->line++;
		load_error(l, "expected 'end'");
		goto fail;
	}
	const char *err = forest_build(f, node, count, off);
	if (err) {
		char msg[128];
		snprintf(msg, sizeof msg, "forest %s: %s", id, err);
		load_error(l, msg);
		goto fail;
	}
	snprintf(f->id, sizeof f->id, "%016llx", (unsigned long long)aw_hash(l->body.s, l->body.len));
	if (strcmp(f->id, id) != 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "forest %s: content does not match its id (edited?)", id);
		load_error(l, msg);
		goto fail;
	}
	free(node);
	free(count);
	free(off);
	return f;
fail:
	free(node);
	free(count);
	free(off);
	aw_iforest_free(f);
	return NULL;
}

struct aw_iforest **aw_iforest_load(const char *path, size_t *np)
{
	struct loader l = { .path = path };
	struct aw_iforest **v = NULL, *f;
	size_t n = 0;
	char *s;

	*np = 0;
	if (!(l.fp = fopen(path, "r"))) {
		aw_warn("%s: %s", path, strerror(errno));
		aw_rval = 1;
		return NULL;
	}
	s = next_line(&l);
	if (!s || strncmp(s, "aw-iforest ", 11) != 0) {
		l.line = 1;
		load_error(&l, "not an aw-anomaly model (no 'aw-iforest' line)");
	} else if (strcmp(s + 11, "1") != 0) {
		char msg[96];
		snprintf(msg, sizeof msg, "unsupported model format version '%.32s' (this reads %d)",
		    s + 11, AW_IFOREST_FORMAT);
		load_error(&l, msg);
	}
	while (!l.failed && (s = next_line(&l))) {
		if (strncmp(s, "forest ", 7) != 0) {
			load_error(&l, "expected 'forest'");
			break;
		}
		char id[20];
		snprintf(id, sizeof id, "%s", s + 7);
		if (!(f = load_forest(&l, id)))
			break;
		v = aw_reallocarray(v, n + 1, sizeof *v);
		v[n++] = f;
	}
	if (!l.failed && ferror(l.fp)) {
		aw_warn("%s: %s", path, strerror(errno));
		aw_rval = 1;
		l.failed = 1;
	}
	if (!l.failed && n == 0) {
		l.line++;
		load_error(&l, "no forest in model");
	}
	fclose(l.fp);
	free(l.s);
	aw_buf_free(&l.body);
	if (l.failed) {
		for (size_t i = 0; i < n; i++)
			aw_iforest_free(v[i]);
		free(v);
		return NULL;
	}
	*np = n;
	return v;
}
