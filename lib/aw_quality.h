/* Water quality: features per quality sensor and step, detection of quality events by
 * rules (regulatory limits, deviation from a robust baseline, fast change, oscillation)
 * and by Isolation Forest anomaly flags, and the check that tells a sensor fault from a
 * real change of the water. The definitions are in aw-quality(1). */
#ifndef AW_QUALITY_H
#define AW_QUALITY_H
#include <stddef.h>
#include <stdint.h>

#include "aw_config.h"
#include "aw_record.h"

enum aw_qkind {
	AW_Q_CHLORINE, AW_Q_TURBIDITY, AW_Q_PH, AW_Q_CONDUCTIVITY, AW_Q_REDOX, AW_Q_TEMPERATURE,
	AW_Q_NKINDS
};
/* index of a reading kind, or -1 when it is not a water-quality kind */
int aw_qkind(const char *kind);
const char *aw_qkind_name(int k);
/* "chlorine,ph" -> bit mask (1 << kind); -1 when a name is unknown */
long aw_qkinds_parse(const char *list);
#define AW_QKINDS_DEFAULT ((1L << AW_Q_TEMPERATURE) - 1)	/* all but temperature */

/* Regulatory limits of one parameter: DESIGN.md §6 defaults (chlorine 0.2..4 mg/L with 4 h
 * below min tolerated, turbidity <= 1 NTU, pH 6.5..8.5; others none), then the config's
 * quality_limits.KIND.min / max / max_hours_below. NAN: no such limit. */
struct aw_qlimit {
	double min, max, max_hours_below;
};
void aw_quality_limit(const struct aw_config *c, int kind, struct aw_qlimit *l);

/* ---- features ---- */

struct aw_qf_opts {
	long step;		/* seconds, dividing one day (default 900) */
	long window;		/* baseline window, seconds (default 7200) */
	int rate_steps;		/* `change` spans this many steps (default 4) */
	long freeze;		/* longest time the baseline stays frozen, seconds (21600) */
	double z_freeze;	/* |z| or |change_z| above this does not update the baseline (4) */
	long tau;		/* time constant of the noise scales, seconds (86400) */
	int days;		/* previous days of the same-hour baseline (7) */
	const char *dma;	/* group of sensors that have no DMA (NULL: none) */
	int64_t from;		/* steps before this are computed but not reported */
};
void aw_qf_defaults(struct aw_qf_opts *o);

#define AW_QNOLIMIT 2		/* aw_qrow.limit when the parameter has no limits */

/* one quality sensor in one step; NAN fields are null */
struct aw_qrow {
	int64_t ts;		/* step start, UTC */
	const char *sensor, *dma, *kind;	/* dma NULL when unknown */
	int k;			/* aw_qkind */
	int n;			/* readings in the step */
	double level;		/* mean of the usable readings */
	double baseline;	/* median of the baseline window */
	double dev, z;		/* level - baseline; dev over the noise scale */
	double change, change_z;	/* level - level rate_steps earlier; over its scale */
	double rough;		/* mean |step change| of the last 5 steps over its usual size */
	double dev_day, day_z;	/* level - mean of the same local hour on previous days;
				 * over its noise scale */
	double cross_z;		/* z - mean z of the other sensors of its kind and group */
	double flat_h;		/* hours the level has not changed at all */
	double qc_bad;		/* share of QC-flagged readings (gap, spike, stuck, range, drift) */
	int out_of_range;	/* outside the plausible range of the kind */
	int limit;		/* -1 below min, 0 within, 1 above max, AW_QNOLIMIT */
	double hours_outside;	/* how long it has been outside its limits, h */
	int hour;		/* local hour of day */
	/* set from `anomaly` records (aw-anomaly): -1 none seen, else 0/1 */
	int anomalous;
	double ascore;
};

struct aw_qfeatures;
/* called once per step with the rows of every sensor that has had readings */
typedef void (*aw_qrows_fn)(struct aw_qrow *rows, size_t n, void *ctx);
/* cfg (may be NULL) gives sensor kinds and DMAs, the limits and the time zone */
struct aw_qfeatures *aw_qfeatures_new(const struct aw_config *cfg, const struct aw_qf_opts *o,
    aw_qrows_fn fn, void *ctx);
/* One reading. kind NULL: the configuration's; qc NULL or "ok"/"filled" is usable.
 * Returns 1 used, 0 not a quality sensor, -1 too late (its step has been closed). */
int aw_qfeatures_add(struct aw_qfeatures *f, const char *sensor, const char *kind,
    const char *dma, int64_t ts, double value, const char *qc);
/* a `reading` record: 1 when it was a quality reading (used or reported), 0 otherwise */
int aw_qfeatures_record(struct aw_qfeatures *f, struct aw_record *r, const char *file,
    long line);
/* closes the open step; call once at the end */
void aw_qfeatures_finish(struct aw_qfeatures *f);
/* readings that came too late and were not used */
unsigned long aw_qfeatures_late(const struct aw_qfeatures *f);
void aw_qfeatures_free(struct aw_qfeatures *f);

/* writes a row as a `features` record */
void aw_qrow_write(struct aw_writer *w, const struct aw_qrow *row);
/* a quality `features` record back into a row (strings point into the record: valid
 * until the next record). 0, or -1 when it is not one (no quality kind, no ts). */
int aw_qrow_parse(struct aw_record *r, struct aw_qrow *row);

/* ---- detection ---- */

enum { AW_QR_LIMIT, AW_QR_SUSTAINED, AW_QR_DEVIATION, AW_QR_CHANGE, AW_QR_OSCILLATION,
	AW_QR_ANOMALY, AW_QR_N };
extern const char *const aw_qrule_names[AW_QR_N];

struct aw_qdetect_opts {
	double k_z, k_change, k_rough;	/* rule thresholds, <= 0 off (10, 10, 10) */
	double off;		/* an event goes on while the strength is >= off (1) */
	int limits;		/* regulatory limits raise events (1) */
	int daily;		/* deviation: off the recent baseline and the same hour of the
				 * previous days (1), or off the recent baseline only (0) */
	int min_steps;		/* steps at strength >= 1 that raise an event (2) */
	long max_gap;		/* seconds under `off` that do not end an event (0) */
	long kinds;		/* parameters detected (AW_QKINDS_DEFAULT) */
	double flat_hours;	/* a flat line this long during an event is a fault sign (6) */
	const char *dma;	/* group of rows without a DMA ("unassigned") */
};
void aw_qdetect_defaults(struct aw_qdetect_opts *o, const struct aw_config *c);

/* the strength of one row (>= 1: a rule fires) and the rules at or above `at` */
double aw_qrow_strength(const struct aw_qrow *row, const struct aw_qdetect_opts *o,
    const struct aw_qlimit *lim, double at, unsigned *rules);

/* ---- sensor fault or water change ---- */

/* what one sensor did during an event */
struct aw_qsummary {
	const char *sensor;
	int k;			/* aw_qkind */
	int moved;		/* reached strength 1 during the event */
	double max_z;		/* largest |z| */
	double peers_z;		/* largest |z| of the other sensors of its kind in the group,
				 * NAN when it has none */
	double flat_h;		/* longest flat line */
	double range_share;	/* share of steps out of the plausible range */
	double qc_share;	/* share of QC-flagged readings */
	long steps;
};

#define AW_QCHECKS 5
struct aw_qcheck {
	const char *name;
	int passed;
	char detail[160];
};
/* Checks of an event's sensors: plausible_range, not_flat, qc_clean, peers_agree,
 * other_parameters. Returns 1 when the data look like a real change of the water, 0 when
 * they look like a sensor fault (a moved sensor out of its plausible range, flat-lined
 * for flat_hours, mostly QC-flagged, or moving alone while its peers of the same kind
 * stay quiet and no other parameter moves). k_z is the deviation threshold: a peer with
 * |z| >= k_z / 2 agrees. */
int aw_quality_validate(const struct aw_qsummary *s, size_t n, double k_z, double flat_hours,
    struct aw_qcheck out[AW_QCHECKS]);

/* ---- events ---- */

struct aw_qevent {
	char id[128];
	const char *dma;
	int64_t start, end, alarm, peak_ts;
	double peak_strength;
	const char *parameter;	/* the parameter of the strongest row */
	unsigned params;	/* bit per aw_qkind that moved */
	unsigned rules;		/* bit per AW_QR_* that fired */
	const char *severity;
	char **sensors;		/* moved sensors, strongest first */
	size_t nsensors;
	long steps;
	int open;
	/* the validation */
	int valid;
	struct aw_qcheck checks[AW_QCHECKS];
};
typedef void (*aw_qevent_fn)(const struct aw_qevent *e, void *ctx);

struct aw_qdetector;
struct aw_qdetector *aw_qdetect_new(const struct aw_config *cfg,
    const struct aw_qdetect_opts *o, aw_qevent_fn fn, void *ctx);
/* the rows of one step (any DMAs), in time order from step to step */
void aw_qdetect_step(struct aw_qdetector *d, const struct aw_qrow *rows, size_t n);
/* reports the events still open (open = 1) */
void aw_qdetect_finish(struct aw_qdetector *d);
void aw_qdetect_free(struct aw_qdetector *d);

/* the `event` record (source quality, kind quality) and its `validation` record */
void aw_qevent_write(struct aw_writer *w, const struct aw_qevent *e);
void aw_qvalidation_write(struct aw_writer *w, const struct aw_qevent *e);
#endif
