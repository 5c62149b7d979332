/* Residual models and change detection for pressure sensors (aw-residual(1)).
 *
 * Training: for each pressure sensor of a DMA, a ridge regression of its step mean on the
 * DMA's flow and level sensors (standardised, with squares and pairwise products: head
 * loss grows with the square of the flow) and, when that leaves an autocorrelated residual
 * (the sensor depends on something the flows do not measure, e.g. a tank), on up to
 * AW_RESID_MAX_EXTRA other pressure sensors. Days whose mean residual is far off on any
 * sensor are left out of a second fit (leaks in the training data). Each sensor also gets a
 * hydraulic neighbourhood: the sensors whose pressure answers the inputs most alike.
 *
 * Detection, per DMA and step: standardised residuals z; two-sided CUSUMs per sensor and per
 * neighbourhood (the sum of its z over the root of its size); an alarm when a neighbourhood's
 * CUSUM reaches h and the same neighbourhood without its strongest sensor reaches h2 (one
 * faulty sensor cannot raise an alarm); the change is then accepted after `accept` steps:
 * the models are refitted on the data since the change point, so the next leak is a new
 * change. Coefficients adapt slowly on quiet days and never while an event is open. */
#ifndef AW_RESIDUAL_H
#define AW_RESIDUAL_H
#include <stddef.h>
#include <stdint.h>

#include "aw_util.h"

#define AW_RESID_MAGIC "aquawatch-residual-model"
#define AW_RESID_VERSION 1
#define AW_RESID_MAX_EXTRA 3
#define AW_RESID_MAX_GROUP 9

struct aw_resid_sensor {
	char *id;
	double sigma;		/* residual sd on the training steps, bar */
	double mean, sd;	/* of the sensor's step means (to use it as a regressor) */
	size_t nextra;
	size_t extra[AW_RESID_MAX_EXTRA];	/* other pressure sensors used as regressors */
	size_t p;		/* coefficients: 1 + inputs' features + nextra */
	double *theta;		/* p */
	double *info;		/* p x p: X'X / n of the training rows (prior for refits) */
	size_t ngroup;
	size_t group[AW_RESID_MAX_GROUP];	/* itself first, then its neighbours */
	long rows;		/* training rows used */
};

struct aw_resid_dma {
	char *id;
	size_t ninputs;
	char **inputs;		/* flow and level sensors */
	double *in_mean, *in_sd;
	size_t nsensors;
	struct aw_resid_sensor *s;	/* pressure sensors, sorted by id */
	long steps;		/* training steps */
	int days, excluded_days;
	int within_days;	/* slopes fitted within days (most training days were off) */
};

struct aw_resid_model {
	char id[40];		/* "residual-" and 12 hex digits of a hash of the rest */
	long step;		/* seconds */
	int64_t from, to;	/* training span (first step, end of the last step) */
	double ridge, ac_max;
	int group_size;		/* neighbours per group */
	size_t ndmas;
	struct aw_resid_dma *d;
};

/* number of regression features of q standardised inputs (linear, squares, products) */
size_t aw_resid_nfeat(size_t q);
/* x[0..] = 1, the features of the inputs u[0..q-1] (NaN in, NaN out) */
void aw_resid_features(const double *u, size_t q, double *x);

/* ---- training ---- */

struct aw_resid_train_opts {
	double ridge;		/* penalty per row on the standardised features (1e-3) */
	double ac_max;		/* lag-1 autocorrelation that calls for extra regressors (0.2) */
	int group_size;		/* neighbours per sensor (3) */
	int robust;		/* second fit without outlying days (1) */
	long step;
};

/* Fits the models of one DMA. data is nsteps x (ninputs + npress), row-major, NaN where
 * missing; ts[i] is the start of step i. Sensors with fewer than a day of usable rows are
 * left out (reported with aw_warn unless quiet). Returns NULL when no sensor can be fitted. */
struct aw_resid_dma *aw_resid_fit(const char *dma, char **inputs, size_t ninputs,
    char **press, size_t npress, const double *data, const int64_t *ts, size_t nsteps,
    const struct aw_resid_train_opts *o, int quiet);

/* ---- model file ---- */

int aw_resid_model_write(struct aw_resid_model *m, const char *path);
struct aw_resid_model *aw_resid_model_read(const char *path);
/* the file's text (as written), for ids and tests */
void aw_resid_model_text(const struct aw_resid_model *m, struct aw_buf *b);
void aw_resid_dma_free(struct aw_resid_dma *d);
void aw_resid_model_free(struct aw_resid_model *m);

/* ---- detection ---- */

struct aw_resid_params {
	double k, h, h2;	/* neighbourhood CUSUM: reference, alarm, leave-top-out alarm */
	double ks, hs;		/* sensor CUSUM: reference, level (faults, evidence) */
	double s0;		/* statistic from which a run (and the event start) counts */
	long warm;		/* steps at the start used to re-anchor the models */
	long accept;		/* steps after the change point before a change is accepted */
	long min_alarm;		/* and at least this many steps after the alarm */
	long solo;		/* steps a sensor may stand out alone before it is refitted */
	double reverse;		/* cosine under which a change undoes an accepted one */
	double prior_accept;	/* weight of the old model in refits, in steps */
	double prior_day;	/* the same for the daily refit on quiet days (0: none) */
};
void aw_resid_params_default(struct aw_resid_params *p);

enum aw_resid_phase { AW_RESID_WARM, AW_RESID_QUIET, AW_RESID_EVENT, AW_RESID_REPAIR };

/* what one step gives; arrays have the DMA's nsensors entries (owned by the state) */
struct aw_resid_out {
	enum aw_resid_phase phase;
	double p_leak;
	double stat;		/* the neighbourhood statistic behind p_leak */
	double robust;		/* its leave-top-out companion */
	int64_t run_start;	/* first step (start time) of the current run, -1 none */
	int alarm;		/* an event was raised at this step */
	int accepted;		/* an event (or repair) was accepted at this step */
	int refit;		/* sensor index refitted as a lone outlier at this step, -1 none */
	double *resid;		/* bar, NaN when missing */
	double *z;
	double *up, *down;	/* sensor CUSUMs */
	double *shift;		/* mean residual since the run start (bar), NaN outside runs */
	size_t *order;		/* sensors by decreasing max(up, down) */
};

struct aw_resid_state;
struct aw_resid_state *aw_resid_state_new(const struct aw_resid_dma *m,
    const struct aw_resid_params *p, long step);
/* one complete step starting at ts: v[ninputs + nsensors] in model order, NaN missing */
const struct aw_resid_out *aw_resid_step(struct aw_resid_state *s, int64_t ts, const double *v);
void aw_resid_state_free(struct aw_resid_state *s);
/* p_leak of a statistic: 0.3 at s0, 0.5 at h, towards 1 above (see aw-residual(1)) */
double aw_resid_prob(const struct aw_resid_params *p, double stat);
#endif
