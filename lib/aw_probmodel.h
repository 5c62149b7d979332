/* The aw-prob model file: boosted trees, their Platt calibration, the ordered feature
 * list and the training metadata in one versioned file (format in aw-prob(1), MODEL FILE):
 *
 *	aquawatch-prob-model 1
 *	id prob-3f9a0c1d2e4b
 *	key value...			(one line each, fixed order when written)
 *	feature NAME			(nfeatures lines, in column order)
 *	xgboost ubj NBYTES
 *	NBYTES bytes of the XGBoost model (UBJSON), then the end of the file */
#ifndef AW_PROBMODEL_H
#define AW_PROBMODEL_H
#include <stddef.h>
#include <stdint.h>

#include "aw_gbm.h"
#include "aw_platt.h"

#define AW_PROBMODEL_MAGIC "aquawatch-prob-model"
#define AW_PROBMODEL_VERSION 1

struct aw_probmodel {
	char id[32];		/* "prob-" and 12 hex digits of a hash of the rest, or given */
	char **features;
	size_t nfeatures;
	struct aw_platt platt;
	struct aw_gbm_params params;
	int cv_folds;
	/* training data: rows, rows labelled positive, summed label weights per class */
	long long rows, positives;
	double positive_weight, negative_weight;
	char *trained_from, *trained_to;	/* time span of the examples (ISO-8601) or NULL */
	struct aw_gbm *gbm;
};

/* Writes the model atomically (temporary file, fsync, rename). An empty id is filled
 * in from a hash of the contents, so the same training gives the same id. Returns 0, or
 * -1 after reporting the error. */
int aw_probmodel_write(struct aw_probmodel *m, const char *path);
/* Reads a model; errors are reported as FILE:LINE (aw_rval = 1) and give NULL. */
struct aw_probmodel *aw_probmodel_read(const char *path);
/* 1 when a feature name can go into the file (non-empty, no blanks or controls) */
int aw_probmodel_name_ok(const char *name);
/* frees the names, strings and the booster (not m itself when it is not from _read) */
void aw_probmodel_clear(struct aw_probmodel *m);
void aw_probmodel_free(struct aw_probmodel *m);
#endif
