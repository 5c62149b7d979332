/* Features per sensor and step from `reading` records, streamed: every window is a ring
 * of per-step sums, so memory is O(window) per sensor and each reading costs O(1).
 * The definitions are in aw-features(1). */
#ifndef AW_FEATURES_H
#define AW_FEATURES_H
#include <stddef.h>
#include <stdint.h>

#include "aw_config.h"
#include "aw_record.h"
#include "aw_rules.h"

enum aw_feature {
	AW_F_PRESSURE_MEAN, AW_F_PRESSURE_STD, AW_F_PRESSURE_MIN, AW_F_PRESSURE_MAX,
	AW_F_PRESSURE_RANGE,
	AW_F_DIFF_UPSTREAM, AW_F_DIFF_DOWNSTREAM, AW_F_GRADIENT, AW_F_GRADIENT_ANOMALY,
	AW_F_DROP_RATE, AW_F_CHANGE_1H, AW_F_CHANGE_24H, AW_F_ROLLING_MEAN_7D,
	AW_F_DEVIATION,
	AW_F_HOUR_OF_DAY, AW_F_IS_NIGHT, AW_F_DAY_OF_WEEK, AW_F_IS_WEEKEND,
	AW_F_MNF_PRESSURE, AW_F_NIGHT_DAY_RATIO, AW_F_MNF_DEVIATION, AW_F_ZSCORE,
	AW_F_LEAK_INDEX,
	AW_F_MNF_FLOW, AW_F_MNF_FLOW_DEVIATION,
	AW_NFEATURES
};
/* output names, in output order */
extern const char *const aw_feature_names[AW_NFEATURES];

struct aw_features_opts {
	long step;		/* seconds; divides one hour (default 900) */
	long interval;		/* sampling interval in seconds, 0: learned per sensor */
	long lateness;		/* seconds a reading may lag behind the newest one */
	double completeness;	/* share of expected samples for a complete window */
	int k;			/* nearest neighbours when none are configured */
	int64_t from;		/* steps before this time are computed but not reported */
	double th[AW_NRULES];	/* rule thresholds, for leak_index */
};
/* defaults, with completeness and thresholds from the configuration (c may be NULL) */
void aw_features_defaults(struct aw_features_opts *o, const struct aw_config *c);

enum aw_sensor_role { AW_ROLE_PRESSURE = 1, AW_ROLE_FLOW };

struct aw_features_row {
	int64_t ts;		/* step start, UTC */
	const char *sensor, *dma;	/* dma NULL when unknown */
	int role;		/* pressure: features 0..AW_F_LEAK_INDEX; flow: the contextual
				 * ones and the two flow features */
	double v[AW_NFEATURES];	/* NaN: null; booleans 0/1 */
	double completeness;
	int complete;
};
typedef void (*aw_features_fn)(const struct aw_features_row *row, void *ctx);

struct aw_features;

/* cfg gives sensor kinds, DMAs, coordinates, configured neighbours and the time zone
 * (already set by aw_config_load); it must outlive the engine. */
struct aw_features *aw_features_new(const struct aw_config *cfg,
    const struct aw_features_opts *o, aw_features_fn fn, void *ctx);
void aw_features_free(struct aw_features *f);

/* Neighbour table CSV: sensor,neighbour[,side] with side upstream, downstream or empty
 * (decided by mean pressure). A sensor named here gets exactly these neighbours. Call
 * before the first reading. Returns 0, or -1 (reported). */
int aw_features_neighbours_csv(struct aw_features *f, const char *path);
/* Neighbours along the pipe graph: every pressure sensor of the network without
 * configured neighbours gets the k nearest pressure sensors of its DMA by pipe length.
 * All sensors on the network get its DMA (when their readings and the configuration
 * name none); pressure sensors also their node's elevation (upstream and downstream are then decided by
 * hydraulic head instead of pressure). Call before the first reading. */
struct aw_net;
void aw_features_use_network(struct aw_features *f, struct aw_net *net);
/* Neighbour i of a sensor that has had readings: its id and side (0 by mean pressure,
 * 1 upstream, 2 downstream). Returns the number of neighbours, 0 when i is past the
 * end or the sensor is unknown. */
size_t aw_features_neighbours(struct aw_features *f, const char *sensor, size_t i,
    const char **id, int *side);

/* One reading. kind and dma may be NULL (then the configuration's); ok 0 for a
 * QC-flagged or missing value: it counts for timing, not for statistics. Returns 1 when
 * used, 0 when the sensor is not a pressure or flow sensor, -1 when a usable reading
 * comes too late: its step has been closed (it is not used). Late readings without a
 * usable value are dropped quietly (they would not change anything). -2 when it is more
 * than AW_FEATURES_MAX_JUMP seconds after the newest reading so far: a clock error that
 * would have every step in between written (and every later reading come too late), so
 * it is not used. */
#define AW_FEATURES_MAX_JUMP (366L * 86400)
int aw_features_add(struct aw_features *f, const char *sensor, size_t slen,
    const char *kind, const char *dma, int64_t ts, double value, int ok);
/* A `reading` record: 1 when it was one (used or not), 0 for other records; problems
 * are reported as FILE:LINE. */
int aw_features_record(struct aw_features *f, struct aw_record *r, const char *file,
    long line);
/* reports the steps still open; call once at the end */
void aw_features_finish(struct aw_features *f);

/* writes a row as a `features` record */
void aw_features_write(struct aw_writer *w, const struct aw_features_row *row);
#endif
