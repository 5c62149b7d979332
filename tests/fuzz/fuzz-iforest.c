/* aw-anomaly model files: the loader's checks must keep every accepted model safe to score. */
#include "fuzz.h"
#include <math.h>

#include "aw_iforest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	size_t n;
	struct aw_iforest **m = aw_iforest_load(path, &n);
	for (size_t i = 0; m && i < n; i++) {
		struct aw_iforest *f = m[i];
		size_t d = f->d, top[3], rows = 18;
		double *x = aw_calloc(rows * d, sizeof *x), *c = aw_calloc(rows * d, sizeof *c), s[18];
		for (size_t k = 0; k < rows * d; k++)
			x[k] = k % 5 == 0 ? NAN : (double)(k % 7) - 3;
		aw_iforest_explain(f, x, rows, s, c);
		aw_iforest_explain(f, x, 1, s, c);
		aw_iforest_top(c, d, 3, top);
		free(x);
		free(c);
		aw_iforest_free(f);
	}
	free(m);
	close(fd);
	aw_rval = 0;
	return 0;
}
