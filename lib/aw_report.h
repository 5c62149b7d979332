/* Reports: IWA water balance per DMA and period (NRW, night flow, CARL, UARL, ILI),
 * water-quality compliance, alert and work-order KPIs, model monitoring; written as
 * Markdown, self-contained HTML with SVG charts, CSV and JSON tables. See aw-report(1). */
#ifndef AW_REPORT_H
#define AW_REPORT_H
#include <stddef.h>
#include <stdint.h>

#include "aw_config.h"
#include "aw_record.h"

/* ---- formulas (units in the names; see aw-report(1), METHODS) ---- */

/* Unavoidable annual real losses, L/day: (18·Lm + 0.8·Nc + 25·Lp)·P with Lm mains km,
 * Nc service connections, Lp private pipe km (property boundary to meter), P metres. */
double aw_uarl_l_per_day(double mains_km, double connections, double private_km, double pressure_m);
/* Night-day factor, hours: Σ over the 24 local hours of (P_h / P_night)^n1 where P_night
 * is the mean of the profile over [night_from, night_to) (FAVAD, leak flow ∝ P^n1).
 * NAN unless every hour of the profile is known. */
double aw_night_day_factor(const double profile[24], int night_from, int night_to, double n1);
/* Legitimate night use, L/s: connections × L/h per connection / 3600. */
double aw_night_use_lps(double connections, double l_per_conn_h);
/* Real losses from the night flow, m³/day: (MNF − night use) L/s × NDF h × 3.6. */
double aw_night_flow_losses_m3_per_day(double mnf_lps, double night_use_lps, double ndf_h);

/* The IWA/AWWA M36 balance of one DMA over one period. Inputs are volumes over the
 * period (m³) and the per-day figures; NAN where unknown. */
struct aw_balance_in {
	double days;
	double siv_m3, billed_m3, unbilled_m3;
	double apparent_pct;			/* % of billed authorised consumption */
	double mnf_lps, night_use_lps, ndf_h;
	double mains_km, connections, private_km, pressure_m;
};

enum aw_carl_source { AW_CARL_NONE, AW_CARL_BALANCE, AW_CARL_NIGHT_FLOW };

struct aw_balance {
	double authorised_m3, water_losses_m3, apparent_m3, real_m3;
	double nrw_m3, nrw_pct;			/* NRW = SIV − billed; % of SIV */
	double night_losses_m3_per_day;		/* from the night flow */
	double carl_l_per_day, uarl_l_per_day, ili;
	double real_l_per_conn_day;
	enum aw_carl_source carl_source;
};
void aw_balance_compute(const struct aw_balance_in *in, struct aw_balance *out);

/* ---- periods ---- */

struct aw_period {
	int all;		/* no bounds: the span of the data */
	int64_t start, end;	/* UTC, [start, end): local midnights */
	int64_t day0, day1;	/* local day indices, inclusive */
	char label[48];		/* "2019-01", "2019", "2019-01-01..2019-01-31", "all" */
};
/* "2019-01", "2019", "2019-01-15", "2019-01-01..2019-01-31" or "all" (or NULL), in the
 * current time zone (aw_tz_set). 0, or -1 when s is none of these. */
int aw_period_parse(const char *s, struct aw_period *p);
/* bounds from local day indices */
void aw_period_days(struct aw_period *p, int64_t day0, int64_t day1);

/* ---- water quality ---- */

struct aw_qlimits {
	double min, max;		/* NAN: none */
	double max_hours_below;		/* a dip below min is a breach only when longer */
	double p95_max;			/* 95 % of samples must be <= this */
	double merge_s;			/* back within limits for less than this: one episode */
};
/* DESIGN.md §6 defaults by kind (chlorine, turbidity, ph; other kinds: none), then the
 * config's quality_limits.KIND.* on top; episodes merge across returns shorter than
 * merge_minutes (15). */
void aw_qlimits_get(const struct aw_config *c, const char *kind, struct aw_qlimits *l);

struct aw_qepisode {
	int64_t start, end;	/* first sample outside the limit .. first sample back (or last);
				 * returns shorter than merge_s do not end it */
	double extreme;		/* lowest (below) or highest (above) value */
	double limit;
	int above;		/* 0 below min, 1 above max */
	int breach;		/* above max, or below min for longer than max_hours_below */
};

struct aw_qtrack {
	struct aw_qlimits lim;
	long n, n_above_p95;
	double min, max, sum;
	int64_t first, last;
	int state;			/* 0 within limits, -1 below, 1 above */
	int64_t back;			/* first sample back within limits of the open episode */
	struct aw_qepisode cur;
	struct aw_qepisode *ep;
	size_t nep, cap;
};
void aw_qtrack_init(struct aw_qtrack *q, const struct aw_qlimits *l);
/* samples in time order */
void aw_qtrack_add(struct aw_qtrack *q, int64_t ts, double v);
void aw_qtrack_finish(struct aw_qtrack *q);
void aw_qtrack_free(struct aw_qtrack *q);
/* share of samples above p95_max, %; NAN without samples or without that limit */
double aw_qtrack_p95_share(const struct aw_qtrack *q);
size_t aw_qtrack_breaches(const struct aw_qtrack *q);

/* ---- model monitoring ---- */

struct aw_prob {
	int64_t ts;
	int dma;
	float p;
};

/* A labelled interval of one DMA (end INT64_MAX when open). positive: 1 leak, 0 no leak,
 * -1 unsure (steps inside are left out). */
struct aw_interval {
	int dma;
	int64_t start, end;
	int positive;
};

struct aw_monitor {
	int64_t month;		/* UTC start of the local month */
	char label[12];		/* "2019-01" */
	long steps, negatives, false_pos;
	double brier, fpr;
	long leaks, detected;
	double tpr, latency_h;	/* median latency of the detected leaks, hours */
	int drift;		/* bit set of AW_DRIFT_* against the months before */
};
#define AW_DRIFT_BRIER 1
#define AW_DRIFT_TPR 2
#define AW_DRIFT_FPR 4
#define AW_DRIFT_LATENCY 8

/* Per local month: Brier score and FPR over steps (a step is positive inside a positive
 * interval of its DMA, left out inside an unsure one, negative otherwise); TPR and median
 * latency over the positive intervals starting in the month in DMAs that have steps
 * (detected when some step of the DMA in [start, end] has p >= thr). The last month gets drift flags when it is worse
 * than all the months before it taken together. probs need not be sorted (they are
 * sorted in place). Returns the number of months (*out allocated). */
size_t aw_monitor_compute(struct aw_prob *probs, size_t np, const struct aw_interval *iv,
    size_t niv, double thr, struct aw_monitor **out);
/* the drift rules, in words, for the report */
extern const char aw_drift_rules[];

/* ---- the report ---- */

struct aw_report;

struct aw_report_opts {
	struct aw_period period;
	char **dmas;		/* only these DMAs (NULL: all) */
	size_t ndmas;
	const char *title;
};

struct aw_report *aw_report_new(struct aw_config *cfg, const struct aw_report_opts *o);
/* takes one record (reading, alert, event, workorder, label, probability; others are
 * counted and ignored); file and line are for messages */
void aw_report_add(struct aw_report *r, struct aw_record *rec, const char *file, long line);
/* computes the tables; call once after the last record */
void aw_report_finish(struct aw_report *r);
void aw_report_free(struct aw_report *r);

/* writers: 0, or -1 after reporting */
enum aw_report_table { AW_T_BALANCE, AW_T_QUALITY, AW_T_EXCEEDANCES, AW_T_OPERATIONS,
	AW_T_MONITORING };
void aw_report_markdown(struct aw_report *r, struct aw_buf *b);
void aw_report_html(struct aw_report *r, struct aw_buf *b);
void aw_report_csv(struct aw_report *r, enum aw_report_table t, struct aw_buf *b);
/* water_balance records, one JSON line each */
void aw_report_balance_json(struct aw_report *r, struct aw_writer *w);
/* writes report.md, report.html and the tables into dir (created if needed) */
int aw_report_write_dir(struct aw_report *r, const char *dir);
#endif
