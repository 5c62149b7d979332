#include <stdlib.h>
#include <unistd.h>

#include "aw_iforest.h"
#include "tap.h"

#define FIXTURE "tests/data/iforest/"

struct table {
	double *v;
	size_t rows, cols;
};

/* CSV made by tests/ref/iforest_ref.py: "#" comments, a header line, numbers */
static int read_csv(const char *path, struct table *t)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	int header = 1;
	size_t cap = 0;

	t->v = NULL;
	t->rows = t->cols = 0;
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp)) {
		if (line[0] == '#')
			continue;
		if (header) {
			t->cols = 1;
			for (char *p = line; *p; p++)
				t->cols += *p == ',';
			header = 0;
			continue;
		}
		if (cap < (t->rows + 1) * t->cols) {
			cap = 2 * (t->rows + 1) * t->cols;
			t->v = aw_reallocarray(t->v, cap, sizeof *t->v);
		}
		char *p = line;
		for (size_t j = 0; j < t->cols; j++) {
			t->v[t->rows * t->cols + j] = strtod(p, &p);
			p++;
		}
		t->rows++;
	}
	fclose(fp);
	return 0;
}

static const double *sort_key;

static int by_key(const void *a, const void *b)
{
	double x = sort_key[*(const size_t *)a], y = sort_key[*(const size_t *)b];
	return (x > y) - (x < y);
}

static void ranks(const double *v, size_t n, double *rk)
{
	size_t *o = aw_reallocarray(NULL, n, sizeof *o);
	for (size_t i = 0; i < n; i++)
		o[i] = i;
	sort_key = v;
	qsort(o, n, sizeof *o, by_key);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && v[o[j + 1]] == v[o[i]])
			j++;
		for (size_t k = i; k <= j; k++)
			rk[o[k]] = (i + j) / 2.0 + 1;
		i = j + 1;
	}
	free(o);
}

static double spearman(const double *a, const double *b, size_t n)
{
	double *ra = aw_reallocarray(NULL, n, sizeof *ra), *rb = aw_reallocarray(NULL, n, sizeof *rb);
	double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
	ranks(a, n, ra);
	ranks(b, n, rb);
	for (size_t i = 0; i < n; i++) {
		ma += ra[i] / n;
		mb += rb[i] / n;
	}
	for (size_t i = 0; i < n; i++) {
		sab += (ra[i] - ma) * (rb[i] - mb);
		saa += (ra[i] - ma) * (ra[i] - ma);
		sbb += (rb[i] - mb) * (rb[i] - mb);
	}
	free(ra);
	free(rb);
	return sab / sqrt(saa * sbb);
}

static void test_c(void)
{
	is_num(aw_iforest_c(0), 0, 0, "c(0) = 0");
	is_num(aw_iforest_c(1), 0, 0, "c(1) = 0");
	is_num(aw_iforest_c(2), 1, 0, "c(2) = 1");
	is_num(aw_iforest_c(3), 1.207392357589623, 1e-14, "c(3) = 2(ln 2 + gamma) - 4/3");
	is_num(aw_iforest_c(256), 10.244770920119917, 1e-13, "c(256)");
}

static void test_tiny(void)
{
	struct aw_iforest_params p;
	double two[] = { 0, 5, 1, 5 }, s[3], credit[6];
	size_t top[3];

	aw_iforest_defaults(&p);
	struct aw_iforest *f = aw_iforest_fit(two, 2, 2, NULL, "A", &p);
	ok(f && f->psi == 2 && f->c_psi == 1, "two rows: psi 2, c(psi) 1");
	/* every tree splits f1 between 0 and 1 into two one-row leaves at depth 1 */
	double x[] = { 0, 5, 1, 5, -7, NAN };
	aw_iforest_explain(f, x, 3, s, credit);
	is_num(s[0], 0.5, 0, "two rows: h = 1 everywhere, score 2^-1");
	is_num(s[2], 0.5, 0, "two rows: missing f2 does not matter");
	is_num(credit[0], 1, 0, "two rows: f1 earns log2(2/1) = 1 bit per tree");
	is_num(credit[1], 0, 0, "two rows: constant f2 earns nothing");
	ok(aw_iforest_top(credit, 2, 3, top) == 1 && top[0] == 0, "top lists only credited features");
	is_num(f->threshold, 0.5, 0, "two rows: threshold");
	is_str(f->features[1], "f2", "default feature names");
	aw_iforest_free(f);

	double same[] = { 3, 3, 3 };
	f = aw_iforest_fit(same, 3, 1, NULL, NULL, &p);
	aw_iforest_score(f, same, 1, s);
	is_num(s[0], 0.5, 1e-15, "constant data: one leaf of 3 rows, h = c(3) = c(psi)");
	aw_iforest_free(f);

	f = aw_iforest_fit(same, 1, 1, NULL, NULL, &p);
	aw_iforest_score(f, same, 1, s);
	is_num(s[0], 0.5, 0, "one row: score 0.5 as scikit-learn");
	aw_iforest_free(f);

	p.max_samples = 0;
	ok(!aw_iforest_fit(same, 3, 1, NULL, NULL, &p), "max_samples 0 is refused");
	aw_iforest_defaults(&p);
	ok(!aw_iforest_fit(same, 0, 1, NULL, NULL, &p), "no rows is refused");
}

static char tmpdir[] = "/tmp/t-iforest.XXXXXX";

static void write_model(const char *path, const char *header, const char *body)
{
	FILE *fp = fopen(path, "w");
	fprintf(fp, "%sforest %016llx\n%s", header,
	    (unsigned long long)aw_hash(body, strlen(body)), body);
	fclose(fp);
}

/* a hand-made tree: root f1 <= 0.5 (1 row | 3 rows), then f2 <= 2 (2 rows | 1 row) */
static const char hand_body[] =
    "dma north\nfeatures 2\nfeature a\nfeature b\nseed 0\ntrees 1\nmax_samples 4\n"
    "train_rows 4\ncontamination 0.25\nthreshold 0.6\nscore_min 0.3\nscore_max 0.7\n"
    "tree 5\n0 0.5 1 4\n- 1\n1 2 3 3\n- 2\n- 1\nend\n";

static void test_hand(void)
{
	char path[64];
	size_t n, top[3];
	double x[] = { 0, 0, 1, 0, NAN, 5, NAN, NAN }, s[4], credit[8];

	snprintf(path, sizeof path, "%s/hand", tmpdir);
	write_model(path, "aw-iforest 1\n", hand_body);
	struct aw_iforest **m = aw_iforest_load(path, &n);
	ok(m && n == 1, "hand-made model loads");
	if (!m)
		return;
	struct aw_iforest *f = m[0];
	is_str(f->dma, "north", "dma name");
	is_num(f->c_psi, 1.8516559071392855, 1e-15, "c(4)");
	aw_iforest_explain(f, x, 4, s, credit);
	is_num(s[0], 0.6877436677788327, 1e-15, "left leaf: h = 1 + c(1)");
	is_num(credit[0], 2, 1e-15, "left leaf: a earns log2(4/1)");
	is_num(s[1], 0.3252968076440812, 1e-15, "deep leaf: h = 2 + c(2)");
	is_num(credit[2], 0.41503749927884376, 2e-4, "deep leaf: a earns log2(4/3)");
	is_num(credit[3], 0.5849625007211562, 2e-4, "deep leaf: b earns log2(3/2)");
	ok(aw_iforest_top(credit + 2, 2, 3, top) == 2 && top[0] == 1 && top[1] == 0,
	    "deep leaf: top is b, a");
	is_num(s[2], 0.5193935483632036, 1e-15, "a missing: h = 1/4 * 1 + 3/4 * 2");
	is_num(credit[4], 0, 0, "a missing: a earns nothing");
	is_num(credit[5], 1.188721875540867, 1e-7, "a missing: b earns 3/4 log2(3/1)");
	is_num(s[3], 0.4307346910852297, 1e-15, "all missing: h = 1/4 * 1 + 3/4 (2/3 * 3 + 1/3 * 2)");
	aw_iforest_free(f);
	free(m);

	char bad[sizeof hand_body + 64];
	memcpy(bad, hand_body, sizeof hand_body);
	*strstr(bad, "0.5 1 4") = '9';
	write_model(path, "aw-iforest 1\n", bad);
	ok(!!(m = aw_iforest_load(path, &n)), "a consistent edited model loads");
	if (m) {
		aw_iforest_free(m[0]);
		free(m);
	}
	write_model(path, "aw-iforest 2\n", hand_body);
	ok(!aw_iforest_load(path, &n), "format version 2 is refused");
	/* a body whose id is of another content */
	FILE *fp = fopen(path, "w");
	fprintf(fp, "aw-iforest 1\nforest %016llx\n%s", (unsigned long long)aw_hash("x", 1), hand_body);
	fclose(fp);
	ok(!aw_iforest_load(path, &n), "content not matching the id is refused");
	memcpy(bad, hand_body, sizeof hand_body);
	*strstr(bad, "- 2") = '7';	/* "7 2": not a node line */
	write_model(path, "aw-iforest 1\n", bad);
	ok(!aw_iforest_load(path, &n), "a bad node line is refused");
	memcpy(bad, hand_body, sizeof hand_body);
	memcpy(strstr(bad, "1 2 3 3"), "1 2 1 3", 7);	/* child before parent: a cycle */
	write_model(path, "aw-iforest 1\n", bad);
	ok(!aw_iforest_load(path, &n), "a child index pointing back is refused");
	memcpy(bad, hand_body, sizeof hand_body);
	strcpy(strstr(bad, "tree 5"), "tree 7\n0 0.5 1 4\n- 1\n1 2 3 3\n- 1\n0 0.7 5 2\n- 1\n- 1\nend\n");
	write_model(path, "aw-iforest 1\n", bad);
	ok(!aw_iforest_load(path, &n), "a tree deeper than ceil(log2 max_samples) is refused");
	unlink(path);
}

static double *column(const struct table *t, size_t c)
{
	double *v = aw_reallocarray(NULL, t->rows, sizeof *v);
	for (size_t i = 0; i < t->rows; i++)
		v[i] = t->v[i * t->cols + c];
	return v;
}

static double *features_only(const struct table *t, size_t d)
{
	double *v = aw_reallocarray(NULL, t->rows * d, sizeof *v);
	for (size_t i = 0; i < t->rows; i++)
		memcpy(v + i * d, t->v + i * t->cols, d * sizeof *v);
	return v;
}

static int cmp_desc(const void *a, const void *b)
{
	double x = sort_key[*(const size_t *)a], y = sort_key[*(const size_t *)b];
	return (x < y) - (x > y);
}

static void test_sklearn(void)
{
	struct table tr, sc;
	const size_t d = 6;
	const int seeds[] = { 1, 2, 3 };
	struct aw_iforest_params p;
	double mean = 0;

	if (read_csv(FIXTURE "train.csv", &tr) || read_csv(FIXTURE "score.csv", &sc) ||
	    tr.cols != d || sc.cols != d + 3) {
		ok(0, "fixtures " FIXTURE "{train,score}.csv readable");
		return;
	}
	double *score_x = features_only(&sc, d), *s = aw_reallocarray(NULL, sc.rows, sizeof *s);
	double *s2 = aw_reallocarray(NULL, sc.rows, sizeof *s2);
	struct aw_iforest *f = NULL;
	aw_iforest_defaults(&p);
	for (size_t k = 0; k < AW_NELEM(seeds); k++) {
		p.seed = seeds[k];
		aw_iforest_free(f);
		f = aw_iforest_fit(tr.v, tr.rows, d, NULL, NULL, &p);
		aw_iforest_score(f, score_x, sc.rows, s);
		double *sk = column(&sc, d + k);
		double rho = spearman(s, sk, sc.rows);
		printf("# seed %d: spearman vs scikit-learn random_state=%d: %.4f, threshold %.4f\n",
		    seeds[k], seeds[k], rho, f->threshold);
		mean += rho / AW_NELEM(seeds);
		free(sk);
	}
	ok(mean >= 0.85, "spearman vs scikit-learn, mean over 3 seeds >= 0.85 (%.4f)", mean);
	is_num(f->threshold, 0.5235, 0.02, "threshold near scikit-learn's -offset_");

	double *train_s = aw_reallocarray(NULL, tr.rows, sizeof *train_s);
	size_t above = 0;
	aw_iforest_score(f, tr.v, tr.rows, train_s);
	for (size_t i = 0; i < tr.rows; i++)
		above += train_s[i] > f->threshold;
	is_num(above, 100, 0, "contamination 0.05: 100 of 2000 training rows above the threshold");
	free(train_s);

	struct aw_iforest *g = aw_iforest_fit(tr.v, tr.rows, d, NULL, NULL, &p);
	aw_iforest_score(g, score_x, sc.rows, s2);
	ok(memcmp(s, s2, sc.rows * sizeof *s) == 0 && strcmp(f->id, g->id) == 0,
	    "same seed: identical scores and model id");
	aw_iforest_free(g);
	p.seed = 99;
	g = aw_iforest_fit(tr.v, tr.rows, d, NULL, NULL, &p);
	ok(strcmp(f->id, g->id) != 0, "another seed: another model id");

	double *credit = aw_reallocarray(NULL, sc.rows * d, sizeof *credit);
	aw_iforest_explain(f, score_x, sc.rows, s2, credit);
	ok(memcmp(s, s2, sc.rows * sizeof *s) == 0, "explain gives the same scores");
	double *c1 = aw_reallocarray(NULL, sc.rows * d, sizeof *c1);
	for (size_t i = 0; i < sc.rows; i++)
		aw_iforest_explain(f, score_x + i * d, 1, s2 + i, c1 + i * d);
	ok(memcmp(s, s2, sc.rows * sizeof *s) == 0 &&
	    memcmp(credit, c1, sc.rows * d * sizeof *c1) == 0,
	    "one row at a time (tree lanes) = blocks of rows (row lanes)");
	free(c1);

	/* the most anomalous rows: the feature farthest from the bulk should be in the top 3 */
	size_t order[500], hits = 0, n_top = 25;
	double mu[6] = { 0 }, sd[6] = { 0 };
	for (size_t i = 0; i < tr.rows; i++)
		for (size_t j = 0; j < d; j++) {
			mu[j] += tr.v[i * d + j] / tr.rows;
			sd[j] += tr.v[i * d + j] * tr.v[i * d + j] / tr.rows;
		}
	for (size_t j = 0; j < d; j++)
		sd[j] = sqrt(sd[j] - mu[j] * mu[j]);
	for (size_t i = 0; i < sc.rows; i++)
		order[i] = i;
	sort_key = s;
	qsort(order, sc.rows, sizeof *order, cmp_desc);
	for (size_t k = 0; k < n_top; k++) {
		size_t i = order[k], top[3], far = 0;
		double zmax = -1;
		for (size_t j = 0; j < d; j++) {
			double z = fabs(score_x[i * d + j] - mu[j]) / sd[j];
			if (z > zmax) {
				zmax = z;
				far = j;
			}
		}
		int m = aw_iforest_top(credit + i * d, d, 3, top);
		for (int q = 0; q < m; q++)
			hits += top[q] == far;
	}
	ok(hits >= n_top * 8 / 10, "farthest feature in the top 3 of the 25 worst rows (%zu)", hits);
	free(credit);

	char path[64];
	size_t n;
	struct aw_iforest *two[] = { f, g };
	snprintf(path, sizeof path, "%s/model", tmpdir);
	ok(aw_iforest_save(path, two, 2) == 0, "save two forests");
	struct aw_iforest **m = aw_iforest_load(path, &n);
	ok(m && n == 2, "load two forests");
	if (m && n == 2) {
		aw_iforest_score(m[0], score_x, sc.rows, s2);
		ok(memcmp(s, s2, sc.rows * sizeof *s) == 0, "round trip: identical scores");
		ok(strcmp(m[0]->id, f->id) == 0 && strcmp(m[1]->id, g->id) == 0, "round trip: ids");
		ok(m[0]->threshold == f->threshold && m[0]->score_max == f->score_max &&
		    m[1]->seed == 99 && m[0]->train_rows == 2000,
		    "round trip: threshold, score range, seed, rows");
		is_str(m[0]->features[5], "f6", "round trip: feature names");
		for (size_t i = 0; i < n; i++)
			aw_iforest_free(m[i]);
	}
	free(m);
	unlink(path);

	/* missing values: knock out f2 in every row; an outlier in f1 still stands out */
	double *miss = features_only(&tr, d);
	for (size_t i = 0; i < tr.rows; i++)
		if (i % 7 == 0)
			miss[i * d + 1] = NAN;
	aw_iforest_free(g);
	g = aw_iforest_fit(miss, tr.rows, d, NULL, NULL, &p);
	/* missing f2 scores inside the range of the scores over values of f2 seen in training */
	double probe[] = { 0.3, NAN, 0.5, -0.5, 0.2, 0.1, 9, NAN, 0.5, -0.5, 0.2, 0.1 }, ps[2];
	double lo[2] = { 1, 1 }, hi[2] = { 0, 0 };
	for (double v = -2; v <= 4; v += 0.5) {
		double q[12], qs[2];
		memcpy(q, probe, sizeof q);
		q[1] = q[7] = v;
		aw_iforest_score(g, q, 2, qs);
		for (int r = 0; r < 2; r++) {
			lo[r] = fmin(lo[r], qs[r]);
			hi[r] = fmax(hi[r], qs[r]);
		}
	}
	aw_iforest_score(g, probe, 2, ps);
	ok(ps[0] > lo[0] && ps[0] < hi[0] && ps[1] > lo[1] && ps[1] < hi[1],
	    "missing f2: score between the scores for f2 in [-2, 4]");
	ok(ps[1] > ps[0] + 0.05, "missing f2: an extreme f1 still scores higher (%.3f vs %.3f)",
	    ps[1], ps[0]);
	free(miss);

	aw_iforest_free(f);
	aw_iforest_free(g);
	free(score_x);
	free(s);
	free(s2);
	free(tr.v);
	free(sc.v);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_c();
	test_tiny();
	test_hand();
	test_sklearn();
	rmdir(tmpdir);
	return tap_done();
}
