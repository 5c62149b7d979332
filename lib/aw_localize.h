/* Leak localisation: the pressure drop at each sensor after an event's onset, and a
 * Bayesian posterior over the network's pipes.
 *
 * Drop: the mean over a window after the onset (2-6 h by default) against the same local
 * hours of the days before the onset, so that the daily demand pattern cancels; its
 * uncertainty is the day-to-day spread of those same-hour means.
 *
 * Posterior: prior from the asset register times the likelihood of the drops given a leak
 * on the pipe. A leak of unknown size a on pipe j is expected to lower sensor s by
 * a * g[j][s]; a >= 0 is fitted by weighted least squares (weights 1 / sd^2) and, with a
 * common noise scale estimated from the data, log L = -n/2 log RSS. g is
 *   distance:    exp(-d / 500 m), d the pipe-graph distance from the pipe to the sensor
 *                (nearer end plus half the pipe);
 *   sensitivity: a matrix of simulated drops per L/s of leak (share/aquawatch/mksensitivity). */
#ifndef AW_LOCALIZE_H
#define AW_LOCALIZE_H
#include <stddef.h>
#include <stdint.h>

#include "aw_net.h"
#include "aw_window.h"

/* ---- drops ---- */

struct aw_drop_opts {
	long from, to;		/* the window after the onset: seconds after the event's start */
	int days;		/* baseline: the same hours of this many days before the onset */
	int min_days;		/* baseline days with data needed */
	unsigned min_samples;	/* ok readings needed in a window */
	double sd_floor;	/* lower bound of a drop's sd (the sensor's resolution) */
	int modes;		/* common day-to-day modes to estimate (aw_drop_mode) */
};
#define AW_DROP_MODES 4
#define AW_DROP_OPTS_DEFAULT { 2 * 3600, 6 * 3600, 7, 3, 3, 0.001, 1 }

/* "FROM-TO", two durations (aw_parse_duration) with 0 <= FROM < TO: 0, or -1 */
int aw_drop_parse_window(const char *arg, long *from, long *to);
/* The event's windows, days + 1 of them: [0] after the onset, [k] the same local hours
 * k days earlier (k = 1..days; further back when the window is longer than a day, so that
 * every baseline window ends before the onset). */
void aw_drop_windows(const struct aw_drop_opts *o, int64_t start, int64_t *from, int64_t *to);

struct aw_drop {
	double drop;		/* baseline mean - after mean: > 0 when the value fell */
	double sd;		/* its standard deviation */
	double after, base;	/* the two means */
	double mode[AW_DROP_MODES];	/* loadings on the common day-to-day modes (aw_drop_mode) */
	int days;		/* baseline days with data */
};
/* From the stats of the event's windows (st[0] after, st[1..days] baseline): 0, or -1 with
 * drop = NAN when the after window or too few baseline days have data. sd is the sample
 * sd of the baseline day means times sqrt(1 + 1/days), at least sd_floor. */
int aw_drop_estimate(const struct aw_drop_opts *o, const struct aw_wstat *st, struct aw_drop *d);
/* The day-to-day variation the sensors share (the town's demand: a busier day lowers
 * every pressure, each by its own amount): the first principal component of the baseline
 * day means of the n sensors with a drop (st: n x (days + 1), d from aw_drop_estimate),
 * fitted by alternating least squares over the days each sensor has. Sets d[].mode, the
 * sensor's change on a day one standard deviation busier than usual (bar), and replaces
 * d[].sd by the sd of what the mode leaves unexplained (times sqrt(1 + 1/days), at least
 * sd_floor). Returns the share of the day-to-day variance the mode explains, or NAN
 * (nothing changed) with fewer than 3 sensors or 3 days. */
double aw_drop_mode(const struct aw_drop_opts *o, const struct aw_wstat *st, size_t n,
    struct aw_drop *d);

/* ---- prior ---- */

/* 0.01 (1 + age + material) / 3: age = min(years / 50, 1), 0.5 when the install year is
 * unknown; material pvc .3, ductile_iron .5, cast_iron .8, asbestos_cement .9, others .6 */
double aw_pipe_prior(const struct aw_link *l, int year);

/* ---- sensitivity matrix ---- */

/* CSV: '#' comment lines, a header "pipe,<sensor>...", one row per pipe (bar per L/s).
 * A column names a sensor, or the node a sensor sits on. */
struct aw_sensmat {
	char **cols;
	size_t ncols;
	float *v;		/* net->nlinks x ncols */
	unsigned char *has;	/* per link: it has a row */
	size_t nrows;
};
struct aw_sensmat *aw_sensmat_load(const struct aw_net *net, const char *path);
void aw_sensmat_free(struct aw_sensmat *m);
/* the column of a sensor (by its id, else by its node id), or -1 */
long aw_sensmat_col(const struct aw_sensmat *m, const char *sensor, const char *node);

/* ---- posterior ---- */

enum aw_loc_method { AW_LOC_DISTANCE, AW_LOC_SENSITIVITY };
const char *aw_loc_method_name(enum aw_loc_method m);
int aw_loc_method_parse(const char *s, enum aw_loc_method *m);	/* 0, or -1 */

#define AW_LOC_DECAY_M 500.0

/* one sensor; drop NAN when it has no usable drop (it still counts for distance_m) */
struct aw_loc_obs {
	size_t node;		/* network node the sensor is on */
	long col;		/* its column in the sensitivity matrix, -1 none */
	double drop, sd;	/* bar */
	double mode[AW_DROP_MODES];	/* its loadings on the day-to-day modes (aw_drop_mode) */
};

struct aw_cand {
	size_t link;
	size_t node;		/* the end of the pipe nearer to the sensor with the largest drop */
	double prior, loglik, post;
	double amp;		/* fitted size: bar at the pipe (distance), L/s (sensitivity) */
	double dist;		/* m from the pipe to the nearest sensor */
};

/* Weighted least squares y ~ a g with a >= 0 (w: weights): returns the weighted residual
 * sum of squares and sets *a. */
double aw_loc_fit(const double *y, const double *g, const double *w, size_t n, double *a);

struct aw_localizer;
/* m may be NULL for the distance method */
struct aw_localizer *aw_localizer_new(struct aw_net *net, enum aw_loc_method method,
    const struct aw_sensmat *m);
void aw_localizer_free(struct aw_localizer *L);
/* The posterior over the pipes (all of them; for the sensitivity method those with a
 * matrix row), best first, into out[net->nlinks]; returns how many. year: of the event,
 * for the pipes' ages. With fewer than two usable drops the posterior is the prior. */
size_t aw_localize(struct aw_localizer *L, const struct aw_loc_obs *obs, size_t n, int year,
    struct aw_cand *out);
/* the number of drops the last aw_localize used */
size_t aw_localizer_used(const struct aw_localizer *L);

/* Spearman rank correlation of x and y (ties get mean ranks); NAN when n < 2 or one of
 * them is constant */
double aw_spearman(const double *x, const double *y, size_t n);
#endif
