/* Times the Isolation Forest library on raw float64 matrices (for bench/40-anomaly.sh):
 *   iforest-speed TRAIN.bin SCORE.bin D
 * prints "fit_s", "score_rows_s" (blocks of rows), "explain_rows_s" (with attribution),
 * "row_explain_rows_s" (one row per call, as aw-anomaly scores), best of 3 each. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "aw_iforest.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static double *slurp(const char *path, size_t d, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	if (!fp || fseek(fp, 0, SEEK_END) != 0)
		aw_die(1, "%s: cannot read", path);
	long len = ftell(fp);
	rewind(fp);
	double *x = aw_malloc(len);
	if (fread(x, 1, len, fp) != (size_t)len)
		aw_die(1, "%s: short read", path);
	fclose(fp);
	*n = len / sizeof(double) / d;
	return x;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		aw_die(2, "usage: iforest-speed TRAIN.bin SCORE.bin D");
	size_t d = atoi(argv[3]), nt, ns;
	double *tr = slurp(argv[1], d, &nt), *sc = slurp(argv[2], d, &ns);
	double *s = aw_reallocarray(NULL, ns, sizeof *s), *c = aw_reallocarray(NULL, ns * d, sizeof *c);
	struct aw_iforest_params p;
	struct aw_iforest *f = NULL;
	double best[4] = { 1e9, 1e9, 1e9, 1e9 }, t;

	aw_iforest_defaults(&p);
	for (int k = 0; k < 3; k++) {
		aw_iforest_free(f);
		t = now();
		f = aw_iforest_fit(tr, nt, d, NULL, NULL, &p);
		if ((t = now() - t) < best[0])
			best[0] = t;
		t = now();
		aw_iforest_score(f, sc, ns, s);
		if ((t = now() - t) < best[1])
			best[1] = t;
		t = now();
		aw_iforest_explain(f, sc, ns, s, c);
		if ((t = now() - t) < best[2])
			best[2] = t;
		t = now();
		for (size_t i = 0; i < ns; i++)
			aw_iforest_explain(f, sc + i * d, 1, s + i, c + i * d);
		if ((t = now() - t) < best[3])
			best[3] = t;
	}
	printf("fit_s %.4f\nscore_rows_s %.0f\nexplain_rows_s %.0f\nrow_explain_rows_s %.0f\n",
	    best[0], ns / best[1], ns / best[2], ns / best[3]);
	aw_iforest_free(f);
	free(tr);
	free(sc);
	free(s);
	free(c);
	return 0;
}
