/* aw-risk model files: header, feature list and the XGBoost model behind it. */
#include "fuzz.h"
#include <math.h>

#include "aw_risk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_riskmodel *m = aw_riskmodel_read(path);
	if (m) {
		size_t d = m->nfeatures;
		float *x = aw_calloc(2 * d, sizeof *x), margin[2];
		float *c = aw_calloc(2 * (d + 1), sizeof *c);
		for (size_t k = 0; k < 2 * d; k++)
			x[k] = k % 3 == 0 ? NAN : (float)k;
		aw_gbm_margin(m->gbm, x, 2, margin);
		aw_gbm_contribs(m->gbm, x, 2, c);
		free(x);
		free(c);
		aw_riskmodel_free(m);
	}
	close(fd);
	aw_rval = 0;
	return 0;
}
