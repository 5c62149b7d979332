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

struct aw_gbm *aw_gbm_load(const void *buf, size_t len, int nthread)
{
	BoosterHandle b;

	xgb_init();
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
