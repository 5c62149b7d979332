#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "aw_gbm.h"

struct aw_gbm {
	BoosterHandle booster;
	DMatrixHandle proxy;	/* for in-place prediction */
	size_t ncol;
};

static const char margin_config[] =
    "{\"type\":1,\"training\":false,\"iteration_begin\":0,\"iteration_end\":0,"
    "\"strict_shape\":false,\"missing\":NaN,\"cache_id\":0}";
static const char contrib_config[] =
    "{\"type\":2,\"training\":false,\"iteration_begin\":0,\"iteration_end\":0,"
    "\"strict_shape\":false}";

/* XGBoost's messages read "[10:46:59] src/x.cc:81: what\nStack trace: ...": keep "what" */
static const char *xgb_message(const char *e, int *len)
{
	const char *p;

	if (!e || !*e)
		e = "unknown error";
	if (*e == '[' && (p = strstr(e, "] ")))
		e = p + 2;
	p = e;
	while (*p && !isspace((unsigned char)*p) && *p != ':')
		p++;
	if (*p == ':' && isdigit((unsigned char)p[1])) {
		const char *q = p + 1;
		while (isdigit((unsigned char)*q))
			q++;
		if (q[0] == ':' && q[1] == ' ')
			e = q + 2;
	}
	size_t n = strcspn(e, "\n");
	while (n && isspace((unsigned char)e[n - 1]))
		n--;
	*len = (int)n;
	return e;
}

static void xgb_fail(const char *what)
{
	int n;
	const char *e = xgb_message(XGBGetLastError(), &n);
	aw_warn("xgboost: %s: %.*s", what, n, e);
}

static void xgb_log(const char *msg)
{
	int n;
	const char *e = xgb_message(msg, &n);
	aw_warn("xgboost: %.*s", n, e);
}

static void xgb_init(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	XGBRegisterLogCallback(xgb_log);
	if (XGBSetGlobalConfig("{\"verbosity\":1}") != 0)
		xgb_fail("global configuration");
}

void aw_gbm_params_default(struct aw_gbm_params *p)
{
	p->rounds = 100;
	p->max_depth = 5;
	p->eta = 0.1;
	p->min_child_weight = 1;
	p->subsample = 1;
	p->scale_pos_weight = 1;
	p->seed = 0;
	p->nthread = 1;
}

static int set_param(BoosterHandle b, const char *key, const char *fmt, ...) AW_PRINTF(3, 4);

static int set_param(BoosterHandle b, const char *key, const char *fmt, ...)
{
	char val[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof val, fmt, ap);
	va_end(ap);
	if (XGBoosterSetParam(b, key, val) != 0) {
		xgb_fail(key);
		return -1;
	}
	return 0;
}

static struct aw_gbm *gbm_new(BoosterHandle b)
{
	struct aw_gbm *g = aw_calloc(1, sizeof *g);
	bst_ulong ncol;

	g->booster = b;
	if (XGProxyDMatrixCreate(&g->proxy) != 0) {
		xgb_fail("prediction matrix");
		aw_gbm_free(g);
		return NULL;
	}
	if (XGBoosterGetNumFeature(b, &ncol) != 0) {
		xgb_fail("number of features");
		aw_gbm_free(g);
		return NULL;
	}
	g->ncol = ncol;
	return g;
}

struct aw_gbm *aw_gbm_train(const float *x, size_t nrow, size_t ncol, const float *y,
    const float *w, const struct aw_gbm_params *p)
{
	DMatrixHandle d = NULL;
	BoosterHandle b = NULL;
	struct aw_gbm *g = NULL;

	xgb_init();
	if (nrow == 0 || ncol == 0) {
		aw_warn("xgboost: training: no %s", nrow ? "features" : "rows");
		return NULL;
	}
	if (XGDMatrixCreateFromMat_omp(x, nrow, ncol, NAN, &d, p->nthread) != 0) {
		xgb_fail("training matrix");
		return NULL;
	}
	if (XGDMatrixSetFloatInfo(d, "label", y, nrow) != 0) {
		xgb_fail("labels");
		goto out;
	}
	if (w && XGDMatrixSetFloatInfo(d, "weight", w, nrow) != 0) {
		xgb_fail("weights");
		goto out;
	}
	if (XGBoosterCreate(&d, 1, &b) != 0) {
		xgb_fail("booster");
		goto out;
	}
	if (set_param(b, "objective", "binary:logistic") ||
	    set_param(b, "tree_method", "hist") ||
	    set_param(b, "max_depth", "%d", p->max_depth) ||
	    set_param(b, "eta", "%.17g", p->eta) ||
	    set_param(b, "min_child_weight", "%.17g", p->min_child_weight) ||
	    set_param(b, "subsample", "%.17g", p->subsample) ||
	    set_param(b, "scale_pos_weight", "%.17g", p->scale_pos_weight) ||
	    set_param(b, "seed", "%" PRIu64, p->seed) ||
	    set_param(b, "nthread", "%d", p->nthread))
		goto out;
	for (int i = 0; i < p->rounds; i++)
		if (XGBoosterUpdateOneIter(b, i, d) != 0) {
			xgb_fail("training");
			goto out;
		}
	g = gbm_new(b);
	b = NULL;
out:
	if (b)
		XGBoosterFree(b);
	XGDMatrixFree(d);
	return g;
}

void aw_gbm_free(struct aw_gbm *g)
{
	if (!g)
		return;
	if (g->proxy)
		XGDMatrixFree(g->proxy);
	if (g->booster)
		XGBoosterFree(g->booster);
	free(g);
}

size_t aw_gbm_nfeatures(const struct aw_gbm *g)
{
	return g->ncol;
}

int aw_gbm_margin(struct aw_gbm *g, const float *x, size_t nrow, float *margin)
{
	char array[160];
	const bst_ulong *shape;
	bst_ulong dim;
	const float *res;

	if (nrow == 0)
		return 0;
	snprintf(array, sizeof array,
	    "{\"data\":[%" PRIuPTR ",true],\"shape\":[%zu,%zu],\"typestr\":\"<f4\",\"version\":3}",
	    (uintptr_t)x, nrow, g->ncol);
	if (XGBoosterPredictFromDense(g->booster, array, margin_config, g->proxy, &shape, &dim,
	    &res) != 0) {
		xgb_fail("prediction");
		return -1;
	}
	if (dim < 1 || shape[0] != nrow) {
		aw_warn("xgboost: prediction: unexpected result shape");
		return -1;
	}
	memcpy(margin, res, nrow * sizeof *margin);
	return 0;
}

int aw_gbm_contribs(struct aw_gbm *g, const float *x, size_t nrow, float *contrib)
{
	DMatrixHandle d;
	const bst_ulong *shape;
	bst_ulong dim;
	const float *res;
	int rc = -1;

	if (nrow == 0)
		return 0;
	if (XGDMatrixCreateFromMat(x, nrow, g->ncol, NAN, &d) != 0) {
		xgb_fail("explanation matrix");
		return -1;
	}
	if (XGBoosterPredictFromDMatrix(g->booster, d, contrib_config, &shape, &dim, &res) != 0)
		xgb_fail("contributions");
	else if (dim != 2 || shape[0] != nrow || shape[1] != g->ncol + 1)
		aw_warn("xgboost: contributions: unexpected result shape");
	else {
		memcpy(contrib, res, nrow * (g->ncol + 1) * sizeof *contrib);
		rc = 0;
	}
	XGDMatrixFree(d);
	return rc;
}

int aw_gbm_save(struct aw_gbm *g, struct aw_buf *out)
{
	bst_ulong len;
	const char *bytes;

	if (XGBoosterSaveModelToBuffer(g->booster, "{\"format\":\"ubj\"}", &len, &bytes) != 0) {
		xgb_fail("saving the model");
		return -1;
	}
	aw_buf_put(out, bytes, len);
	return 0;
}

/* ---- model bytes ----
 * XGBoost 1.7 reads its UBJSON without bounds checks and follows the node indices of a
 * tree blindly: a damaged model makes it read past the buffer, allocate without limit,
 * loop or crash while predicting. So the bytes are checked first: the subset of UBJSON
 * XGBoost writes, every length inside the buffer, nesting bounded, and trees that are
 * trees (numerical splits on features below num_feature, children in range, each node
 * reached once from the root, parents agreeing, ids 0..n-1, one output group). */

#define UBJ_DEPTH 32
#define TREE_DEPTH 1024

struct ubj {
	const unsigned char *p, *e;
	const char *why;
	long long ntrees, num_trees, num_feature, max_split;
	unsigned char *seen_id;	/* tree ids seen so far */
	size_t nseen;
};

/* a typed array of the tree being read: count and its big-endian payload */
struct ubj_arr {
	const unsigned char *v;
	long long n;
	int type;
};

struct ubj_tree {
	struct ubj_arr left, right, parents, split, split_type, categories;
	long long id;
};

static int ubj_fail(struct ubj *u, const char *why)
{
	if (!u->why)
		u->why = why;
	return -1;
}

static long long be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n < 8 && (v >> (8 * n - 1) & 1))
		v |= ~(uint64_t)0 << (8 * n);	/* sign extension */
	return (long long)v;
}

static int ubj_size(int type)
{
	switch (type) {
	case 'i': case 'U': case 'C': return 1;
	case 'I': return 2;
	case 'l': case 'd': return 4;
	case 'L': case 'D': return 8;
	}
	return 0;
}

/* the 'L' length XGBoost writes before strings, keys and counts */
static int ubj_len(struct ubj *u, long long *n)
{
	if (u->e - u->p < 9 || *u->p != 'L')
		return ubj_fail(u, "bad length");
	*n = be(u->p + 1, 8);
	u->p += 9;
	if (*n < 0 || *n > u->e - u->p)
		return ubj_fail(u, "length beyond the end");
	return 0;
}

/* a decimal number written as a string ("num_feature": "6") */
static long long ubj_strnum(const unsigned char *s, long long n)
{
	long long v = 0;
	if (n < 1 || n > 9)
		return -1;
	for (long long i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static long long arr_at(const struct ubj_arr *a, long long i)
{
	return a->type == 'U' ? a->v[i] : be(a->v + 4 * i, 4);
}

static int tree_check(struct ubj *u, struct ubj_tree *t)
{
	long long n = t->left.n;
	if (!t->left.v || !t->right.v || !t->parents.v || !t->split.v || !t->split_type.v ||
	    t->left.type != 'l' || t->right.type != 'l' || t->parents.type != 'l' ||
	    t->split.type != 'l' || t->split_type.type != 'U' || n < 1 || t->right.n != n ||
	    t->parents.n != n || t->split.n != n || t->split_type.n != n)
		return ubj_fail(u, "tree without its node arrays");
	if (t->categories.n)
		return ubj_fail(u, "categorical splits");
	if (t->id < 0 || t->id >= u->e - u->p + u->ntrees + 1)
		return ubj_fail(u, "bad tree id");
	if ((size_t)t->id >= u->nseen) {
		size_t k = (size_t)t->id + 1;
		u->seen_id = aw_realloc(u->seen_id, k);
		memset(u->seen_id + u->nseen, 0, k - u->nseen);
		u->nseen = k;
	}
	if (u->seen_id[t->id]++)
		return ubj_fail(u, "two trees with one id");
	u->ntrees++;

	/* depth-first from the root: every node once, children in range */
	long long *stack = aw_reallocarray(NULL, (size_t)n, 2 * sizeof *stack);
	unsigned char *seen = aw_calloc((size_t)n, 1);
	long long top = 0;
	int rc = 0;
	stack[0] = 0, stack[1] = 0;
	seen[0] = 1;
	if ((arr_at(&t->parents, 0) & 0x7fffffff) != 0x7fffffff)
		rc = ubj_fail(u, "tree root with a parent");
	for (top = 1; top > 0 && rc == 0;) {
		top--;
		long long nid = stack[2 * top], depth = stack[2 * top + 1];
		long long l = arr_at(&t->left, nid), r = arr_at(&t->right, nid);
		if (arr_at(&t->split_type, nid) != 0) {
			rc = ubj_fail(u, "categorical splits");
			break;
		}
		if (l == -1)
			continue;
		long long f = arr_at(&t->split, nid);
		if (f < 0) {
			rc = ubj_fail(u, "negative split feature");
			break;
		}
		if (f > u->max_split)
			u->max_split = f;
		if (depth >= TREE_DEPTH) {
			rc = ubj_fail(u, "tree too deep");
			break;
		}
		long long kids[2] = { l, r };
		for (int k = 0; k < 2 && rc == 0; k++) {
			long long c = kids[k];
			if (c < 1 || c >= n || seen[c] || (arr_at(&t->parents, c) & 0x7fffffff) != nid)
				rc = ubj_fail(u, "tree nodes do not form a tree");
			else {
				seen[c] = 1;
				stack[2 * top] = c, stack[2 * top + 1] = depth + 1;
				top++;
			}
		}
	}
	free(stack);
	free(seen);
	return rc;
}

static int ubj_value(struct ubj *u, int depth, const unsigned char *key, long long klen,
    struct ubj_tree *t);

/* [ ... ]: typed ($T#L n), counted (#L n) or ended by ']' */
static int ubj_array(struct ubj *u, int depth, const unsigned char *key, long long klen,
    struct ubj_tree *t)
{
	long long n;
	if (u->p < u->e && *u->p == '$') {
		if (u->e - u->p < 2)
			return ubj_fail(u, "truncated array");
		int type = u->p[1], size = ubj_size(type);
		u->p += 2;
		if (!(type == 'd' || type == 'U' || type == 'l' || type == 'L') || u->p == u->e ||
		    *u->p++ != '#' || ubj_len(u, &n) < 0)
			return ubj_fail(u, "bad typed array");
		if (n > (u->e - u->p) / size)
			return ubj_fail(u, "array beyond the end");
		struct ubj_arr a = { u->p, n, type }, *dst = NULL;
#define KEY(s) (klen == (long long)sizeof s - 1 && memcmp(key, s, sizeof s - 1) == 0)
		if (t && KEY("left_children"))
			dst = &t->left;
		else if (t && KEY("right_children"))
			dst = &t->right;
		else if (t && KEY("parents"))
			dst = &t->parents;
		else if (t && KEY("split_indices"))
			dst = &t->split;
		else if (t && KEY("split_type"))
			dst = &t->split_type;
		else if (t && KEY("categories"))
			dst = &t->categories;
		if (dst)
			*dst = a;
		u->p += n * size;
		return 0;
	}
	if (u->p < u->e && *u->p == '#') {
		u->p++;
		if (ubj_len(u, &n) < 0)
			return -1;
		if (n > u->e - u->p)
			return ubj_fail(u, "array beyond the end");
		int tree_info = KEY("tree_info");
		for (long long i = 0; i < n; i++) {
			if (tree_info && (u->p == u->e || ubj_size(*u->p) == 0 || ubj_size(*u->p) > 8 ||
			    *u->p == 'd' || *u->p == 'D' ||
			    u->e - u->p <= ubj_size(*u->p) || be(u->p + 1, ubj_size(*u->p)) != 0))
				return ubj_fail(u, "tree for another output group");
			if (ubj_value(u, depth + 1, NULL, 0, NULL) < 0)
				return -1;
		}
		return 0;
	}
	while (u->p < u->e && *u->p != ']')
		if (ubj_value(u, depth + 1, NULL, 0, NULL) < 0)
			return -1;
	if (u->p == u->e)
		return ubj_fail(u, "truncated array");
	u->p++;
	return 0;
}

/* { key value ... }: a tree when it has left_children */
static int ubj_object(struct ubj *u, int depth, const unsigned char *okey, long long oklen)
{
	struct ubj_tree t = { .id = -1 };
	int is_tree = 0;
	while (u->p < u->e && *u->p != '}') {
		long long klen;
		if (ubj_len(u, &klen) < 0)
			return -1;
		const unsigned char *key = u->p;
		u->p += klen;
		if (u->p < u->e && *u->p == 'S' && ((klen == 11 && !memcmp(key, "num_feature", 11)) ||
		    (klen == 9 && !memcmp(key, "num_trees", 9)))) {
			const unsigned char *s0 = u->p;
			long long sl;
			u->p++;
			if (ubj_len(u, &sl) < 0)
				return -1;
			long long v = ubj_strnum(u->p, sl);
			u->p = s0;
			if (v < 0)
				return ubj_fail(u, "bad number");
			if (oklen == 19 && !memcmp(okey, "learner_model_param", 19) && key[4] == 'f')
				u->num_feature = v;
			if (oklen == 18 && !memcmp(okey, "gbtree_model_param", 18) && key[4] == 't')
				u->num_trees = v;
		}
		if (klen == 2 && !memcmp(key, "id", 2) && u->p < u->e && ubj_size(*u->p) &&
		    *u->p != 'd' && *u->p != 'D' && *u->p != 'C' && u->e - u->p > ubj_size(*u->p))
			t.id = be(u->p + 1, ubj_size(*u->p));
		if (klen == 13 && !memcmp(key, "left_children", 13))
			is_tree = 1;
		if (ubj_value(u, depth + 1, key, klen, &t) < 0)
			return -1;
	}
	if (u->p == u->e)
		return ubj_fail(u, "truncated object");
	u->p++;
	return is_tree ? tree_check(u, &t) : 0;
}

static int ubj_value(struct ubj *u, int depth, const unsigned char *key, long long klen,
    struct ubj_tree *t)
{
	long long n;
	if (u->p == u->e)
		return ubj_fail(u, "truncated");
	if (depth > UBJ_DEPTH)
		return ubj_fail(u, "nested too deep");
	int c = *u->p++, size = ubj_size(c);
	switch (c) {
	case 'Z': case 'T': case 'F':
		return 0;
	case '{':
		return ubj_object(u, depth, key, klen);
	case '[':
		return ubj_array(u, depth, key, klen, t);
	case 'S':
		if (ubj_len(u, &n) < 0)
			return -1;
		u->p += n;
		return 0;
	case 'i': case 'U': case 'I': case 'l': case 'L': case 'd': case 'C':
		if (u->e - u->p < size)
			return ubj_fail(u, "truncated number");
		u->p += size;
		return 0;
	}
	return ubj_fail(u, "unknown value type");
}
#undef KEY

/* 0 when XGBoost can safely load and use the bytes, else -1 and *why */
static int model_check(const void *buf, size_t len, const char **why)
{
	struct ubj u = { buf, (const unsigned char *)buf + len, NULL, 0, -1, -1, -1, NULL, 0 };
	int rc = ubj_value(&u, 0, NULL, 0, NULL);
	if (rc == 0 && u.p != u.e)
		rc = ubj_fail(&u, "bytes after the model");
	if (rc == 0 && (u.num_feature < 0 || u.num_trees < 0))
		rc = ubj_fail(&u, "num_feature or num_trees missing");
	if (rc == 0 && u.num_trees != u.ntrees)
		rc = ubj_fail(&u, "num_trees disagrees with the trees");
	if (rc == 0 && (long long)u.nseen != u.ntrees)
		rc = ubj_fail(&u, "tree ids are not 0..n-1");
	if (rc == 0 && u.max_split >= u.num_feature)
		rc = ubj_fail(&u, "split on a feature beyond num_feature");
	free(u.seen_id);
	*why = u.why;
	return rc;
}

struct aw_gbm *aw_gbm_load(const void *buf, size_t len, int nthread)
{
	BoosterHandle b;

	xgb_init();
	const char *why;

	if (model_check(buf, len, &why) < 0) {
		aw_warn("xgboost: loading the model: damaged model (%s)", why);
		return NULL;
	}
	if (XGBoosterCreate(NULL, 0, &b) != 0) {
		xgb_fail("booster");
		return NULL;
	}
	if (XGBoosterLoadModelFromBuffer(b, buf, len) != 0) {
		xgb_fail("loading the model");
		XGBoosterFree(b);
		return NULL;
	}
	if (set_param(b, "nthread", "%d", nthread)) {
		XGBoosterFree(b);
		return NULL;
	}
	return gbm_new(b);
}

int aw_gbm_cv_margin(const float *x, size_t nrow, size_t ncol, const float *y,
    const float *w, const int *fold, int k, const struct aw_gbm_params *p, float *margin)
{
	float *tx = aw_reallocarray(NULL, nrow, ncol * sizeof *tx);
	float *ty = aw_reallocarray(NULL, nrow, sizeof *ty);
	float *tw = w ? aw_reallocarray(NULL, nrow, sizeof *tw) : NULL;
	float *hx = aw_reallocarray(NULL, nrow, ncol * sizeof *hx);
	float *hm = aw_reallocarray(NULL, nrow, sizeof *hm);
	int rc = 0;

	for (int f = 0; f < k && rc == 0; f++) {
		size_t nt = 0, nh = 0;
		for (size_t i = 0; i < nrow; i++) {
			if (fold[i] == f) {
				memcpy(hx + nh++ * ncol, x + i * ncol, ncol * sizeof *x);
				continue;
			}
			memcpy(tx + nt * ncol, x + i * ncol, ncol * sizeof *x);
			ty[nt] = y[i];
			if (w)
				tw[nt] = w[i];
			nt++;
		}
		if (nh == 0 || nt == 0) {
			aw_warn("cross-validation: fold %d of %d is %s", f + 1, k,
			    nh ? "everything" : "empty");
			rc = -1;
			break;
		}
		struct aw_gbm *g = aw_gbm_train(tx, nt, ncol, ty, tw, p);
		if (!g || aw_gbm_margin(g, hx, nh, hm) != 0) {
			rc = -1;
		} else {
			nh = 0;
			for (size_t i = 0; i < nrow; i++)
				if (fold[i] == f)
					margin[i] = hm[nh++];
		}
		aw_gbm_free(g);
	}
	free(tx);
	free(ty);
	free(tw);
	free(hx);
	free(hm);
	return rc;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

void aw_gbm_folds(const uint64_t *group, size_t n, int k, uint64_t seed, int *fold)
{
	uint64_t *g = aw_reallocarray(NULL, n, sizeof *g);
	size_t m = 0, *perm, *fold_of;

	for (size_t i = 0; i < n; i++)
		g[i] = group ? group[i] : i;
	qsort(g, n, sizeof *g, cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || g[i] != g[m - 1])
			g[m++] = g[i];
	perm = aw_reallocarray(NULL, m, sizeof *perm);
	fold_of = aw_reallocarray(NULL, m, sizeof *fold_of);
	for (size_t i = 0; i < m; i++)
		perm[i] = i;
	for (size_t i = m; i > 1; i--) {
		size_t j = splitmix64(&seed) % i, t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < m; i++)
		fold_of[perm[i]] = i % (size_t)k;
	for (size_t i = 0; i < n; i++) {
		uint64_t key = group ? group[i] : i;
		const uint64_t *hit = bsearch(&key, g, m, sizeof *g, cmp_u64);
		fold[i] = (int)fold_of[hit - g];
	}
	free(g);
	free(perm);
	free(fold_of);
}
