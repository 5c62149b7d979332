/* Main-break risk of the pipes: the methodology's age/material prior, the inputs of the
 * risk model (break history, weather, SCADA pressure context, static pressure), the
 * feature rows, and the model file. Consequence and priority are in aw_impact.h. */
#ifndef AW_RISK_H
#define AW_RISK_H
#include <stddef.h>
#include <stdint.h>

#include "aw_gbm.h"
#include "aw_net.h"
#include "aw_platt.h"
#include "aw_record.h"

/* ---- the prior (DESIGN.md §5) ----
 * age factor min(age/50, 1) (an unknown install year counts as 25 years); material factor
 * pvc .3, ductile_iron .5, cast_iron .8, asbestos_cement .9, anything else .6 (names as the
 * asset register normalises them; ci, di, ac, upvc, pvc_u are taken as aliases);
 * prior 0.01 * (1 + age + material) / 3 */
double aw_material_factor(const char *material);
double aw_age_factor(double age_years);
double aw_risk_prior(double age_years, const char *material);
/* the pipe's age in years at t (NAN when its install year is unknown) */
double aw_pipe_age(const struct aw_link *l, int64_t t);

/* ---- break history ---- */

struct aw_break_wo {
	size_t link;
	int64_t t;
	char *wo;
};

struct aw_breaks {
	size_t nlinks;
	int64_t **t;		/* per link: break times, sorted after aw_breaks_finish */
	size_t *n, *cap;
	int64_t first, last;	/* earliest and latest break (INT64_MAX / INT64_MIN when none) */
	long total;
	struct aw_map wo_labelled;	/* work orders that came with a label */
	struct aw_break_wo *pend;	/* breaks from work-order records, settled at the end */
	size_t npend;
};

void aw_breaks_init(struct aw_breaks *b, const struct aw_net *net);
void aw_breaks_free(struct aw_breaks *b);
void aw_breaks_add(struct aw_breaks *b, size_t link, int64_t t);
/* A break-history CSV: pipe,date[,type], with or without a header (columns found by
 * name: pipe/pipe_id/asset_id/link, date/time/timestamp/start, type). Naive dates are
 * local (aw_tz_set). Rows of type no_leak, confirmed_no_leak or operational_event are not
 * breaks. Unknown pipes and bad dates are reported as FILE:LINE. Returns the number of
 * breaks taken, or -1 when the file cannot be read. */
long aw_breaks_read_csv(struct aw_breaks *b, const struct aw_net *net, const char *path);
/* A `label` record with pipe and label confirmed_leak or probable (a break at its start,
 * else at its ts), or a closed `workorder` record with outcome confirmed_leak or probable
 * (at its updated time on asset_id) unless a label of the same work order is read too.
 * Returns 1 when the record was one of these (taken), 0 otherwise, -1 when it named an
 * unknown pipe or had no time (reported). */
int aw_breaks_add_record(struct aw_breaks *b, const struct aw_net *net, struct aw_record *r,
    const char *file, long line);
/* sorts, settles the work orders, drops a second break of a pipe on the same day */
void aw_breaks_finish(struct aw_breaks *b);
/* breaks of a link in [from, to) */
size_t aw_breaks_count(const struct aw_breaks *b, size_t link, int64_t from, int64_t to);
/* the last break before t, or INT64_MIN */
int64_t aw_breaks_last(const struct aw_breaks *b, size_t link, int64_t t);

/* ---- weather: daily air temperature ---- */

struct aw_weather {
	int64_t day0;		/* first local day (days since 1970-01-01) */
	size_t ndays;
	float *tmin, *tmax, *tsum;
	int *nobs;
};

/* A CSV with a header naming a date-time column (the first whose name has "date" or
 * "time") and an air temperature column (the first with "temp"), e.g. BWDF's
 * WeatherData.csv; times ISO-8601 or DD/MM/YYYY HH:MM, naive ones local. Returns the
 * number of readings taken, or -1 (reported). */
long aw_weather_read(struct aw_weather *w, const char *path);
void aw_weather_free(struct aw_weather *w);
/* temperature features over the local days [d0, d1) present in the file: share of days
 * with a minimum at or below 0 C, the minimum, the largest daily range, the mean; NAN
 * when no day is present. Returns the number of days found. */
size_t aw_weather_window(const struct aw_weather *w, int64_t d0, int64_t d1, double out[4]);

/* ---- SCADA: hourly pressure at the sensors ---- */

struct aw_scada_bin {
	float sum, max_step;
	uint32_t n;
};

struct aw_scada_sensor {
	char *id;
	size_t node;
	int64_t h0;		/* hour (seconds / 3600) of bins[0] */
	struct aw_scada_bin *bins;
	size_t nbins;
	int64_t last_ts;
	double last_val;
	unsigned long long readings;
};

struct aw_scada {
	struct aw_scada_sensor *s;
	size_t n;
	struct aw_map index;
	int64_t latest;		/* the latest reading, INT64_MIN when none */
};

/* adds one pressure reading (bar) of a sensor at a network node */
void aw_scada_add(struct aw_scada *sc, const char *sensor, size_t node, int64_t ts, double bar);
void aw_scada_free(struct aw_scada *sc);
/* pressure features of one sensor over [t - 72 h, t): mean (bar), the largest step
 * between consecutive readings at most an hour apart (bar), night (01-04 local) mean
 * minus day (07-22 local) mean (bar). Returns the number of readings in the window. */
unsigned long aw_scada_window(const struct aw_scada_sensor *s, int64_t t, double out[3]);

/* ---- static pressure: the head of the sources carried through the open links ---- */

/* head[nnodes] in m: reservoirs at their head, tanks at elevation + initial level; pipes
 * pass the head on, a PRV caps it at its setting above its downstream node, a pump adds
 * the head of its curve's first point (pumps, valves and check valves only from n1 to
 * n2, closed links not at all); the highest head that reaches a node wins. NAN where no
 * source reaches. Static pressure = head - elevation, friction ignored. */
void aw_static_head(const struct aw_net *net, double *head);

/* ---- features ---- */

enum {
	AW_RF_AGE, AW_RF_MATERIAL, AW_RF_DIAMETER, AW_RF_LENGTH, AW_RF_STATIC_PRESSURE,
	AW_RF_BREAKS_1Y, AW_RF_BREAKS_5Y, AW_RF_DAYS_SINCE, AW_RF_NBR_BREAKS_1Y,
	AW_RF_OBSERVED_YEARS,
	AW_RF_PRESSURE_MEAN, AW_RF_PRESSURE_STEP, AW_RF_PRESSURE_NIGHT_DAY, AW_RF_SENSOR_DIST,
	AW_RF_FREEZE_SHARE, AW_RF_TEMP_MIN, AW_RF_TEMP_RANGE, AW_RF_TEMP_MEAN,
	AW_RF_N
};
extern const char *const aw_risk_feature_names[AW_RF_N];

#define AW_RISK_NEAR 3		/* pressure sensors considered per pipe */

/* what the features of all pipes are computed from */
struct aw_risk_data {
	struct aw_net *net;
	struct aw_breaks breaks;
	struct aw_weather weather;
	struct aw_scada scada;
	int64_t observed_from;	/* start of the break record (INT64_MIN: the first break) */
	int64_t horizon;	/* seconds */
	double *head;		/* static head per node */
	/* per link: up to AW_RISK_NEAR pressure sensors (scada index) by network distance */
	size_t *near;
	double *near_dist;
	size_t *nnear;
	/* pipes sharing a node with each link (CSR) */
	size_t *nbr_start, *nbr;
	/* set by aw_risk_at: the time, its weather features, each sensor's window */
	int64_t at;
	float weather_x[4];
	double *sensor_x;	/* 4 per sensor: mean, max step, night-day, readings */
};

/* after the inputs are read: static head, nearest sensors, neighbours */
void aw_risk_data_prepare(struct aw_risk_data *d);
void aw_risk_data_free(struct aw_risk_data *d);
/* the time the features are for: history strictly before t, the horizon from t */
void aw_risk_at(struct aw_risk_data *d, int64_t t);
/* the feature row of one pipe into x[AW_RF_N] */
void aw_risk_features(const struct aw_risk_data *d, size_t link, float *x);

/* ---- the model file ----
 *	aquawatch-risk-model 1
 *	id risk-3f9a0c1d2e4b
 *	horizon_days 14
 *	key value...
 *	feature NAME			(in column order)
 *	xgboost ubj NBYTES
 *	NBYTES bytes of the booster */
struct aw_riskmodel {
	char id[32];
	double horizon_days, step_days;
	long long rows, positives, pipes;
	char trained_from[24], trained_to[24];
	struct aw_gbm_params params;
	char **features;
	size_t nfeatures;
	struct aw_gbm *gbm;
};

int aw_riskmodel_write(struct aw_riskmodel *m, const char *path);
struct aw_riskmodel *aw_riskmodel_read(const char *path);
void aw_riskmodel_free(struct aw_riskmodel *m);
#endif
