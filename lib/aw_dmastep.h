/* Per-DMA, per-step examples from per-sensor records. The `features` records of all
 * sensors of a DMA at one time step (and their `anomaly` records) become one row: for
 * every input the mean, minimum and maximum over those sensors. Inputs are the numeric
 * and boolean (1/0) fields of features records other than ts, sensor, dma and node, and
 * of anomaly records `score` (as anomaly_score) and `anomalous`. A DMA's step is complete
 * when a record of a later step of that DMA arrives, or at the end: input must be in
 * time order per DMA, as aw-features and aw-anomaly write it. */
#ifndef AW_DMASTEP_H
#define AW_DMASTEP_H
#include <stddef.h>
#include <stdint.h>

#include "aw_record.h"

enum { AW_STAT_MEAN, AW_STAT_MIN, AW_STAT_MAX, AW_NSTATS };
extern const char *const aw_stat_names[AW_NSTATS];	/* "mean", "min", "max" */

#define AW_DMA_NONE "network"	/* the DMA of records without one */

/* a completed step: row[AW_NSTATS * i + stat] for input i; NaN where no sensor had it */
typedef void (*aw_dmastep_fn)(const char *dma, int64_t ts, const float *row, size_t ncol,
    int nsensors, void *ctx);

struct aw_dmastep;

struct aw_dmastep *aw_dmastep_new(aw_dmastep_fn fn, void *ctx);
void aw_dmastep_free(struct aw_dmastep *a);
/* registers an input (idempotent) and returns its index */
size_t aw_dmastep_input(struct aw_dmastep *a, const char *name);
/* from now on fields that are not registered inputs are ignored */
void aw_dmastep_fix(struct aw_dmastep *a);
size_t aw_dmastep_ninputs(const struct aw_dmastep *a);
const char *aw_dmastep_input_name(const struct aw_dmastep *a, size_t i);
/* 1 when input i has had a value */
int aw_dmastep_input_seen(const struct aw_dmastep *a, size_t i);
/* Takes a features or anomaly record (1); other records are left alone (0). A record of
 * an earlier step than one already completed for its DMA, or without a valid ts, is
 * reported as FILE:LINE and skipped (-1). */
int aw_dmastep_add(struct aw_dmastep *a, struct aw_record *r, const char *file, long line);
/* completes all open steps, in time order, then by DMA name */
void aw_dmastep_flush(struct aw_dmastep *a);
#endif
