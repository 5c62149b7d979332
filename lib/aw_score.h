/* Scoring detections against ground-truth leaks: TP/FP/missed, TPR by leak size,
 * detection delay, localisation distance, the BattLeDIM 2020 euro score and per-step
 * F1/MCC. No I/O: the caller fills the arrays, see aw-score(1) for the rules. */
#ifndef AW_SCORE_H
#define AW_SCORE_H
#include <stddef.h>
#include <stdint.h>

/* a leak end that is "still running at the end of the evaluation period" */
#define AW_SCORE_OPEN INT64_MAX
/* period bounds that are not set */
#define AW_SCORE_NONE INT64_MIN

enum aw_size_class { AW_SIZE_SMALL, AW_SIZE_MEDIUM, AW_SIZE_LARGE, AW_SIZE_UNKNOWN };
#define AW_SIZE_NCLASS 4
/* small < 2 L/s <= medium < 6 L/s <= large; NaN is unknown */
enum aw_size_class aw_size_class_of(double peak_lps);
const char *aw_size_class_name(enum aw_size_class c);

struct aw_score_leak {
	const char *id;
	const char *pipe;	/* leaking pipe, or NULL for a leak at a node */
	const char *node;	/* the node of a node leak */
	const char *dma;	/* NULL when unknown */
	int64_t start, end;	/* seconds; end is the last instant with the leak, or OPEN */
	double peak_lps;	/* NaN when unknown */
	/* optional outflow series: flow[i] L/s over [flow_t0 + i*flow_dt, +flow_dt) */
	const double *flow;
	size_t nflow;
	int64_t flow_t0;
	long flow_dt;
};

struct aw_score_det {
	const char *id;		/* event or alert id, or NULL */
	int64_t t;		/* detection time */
	int64_t end;		/* end of the detected event (per-step cover); t for a point */
	const char *const *pipes;	/* candidate pipes, best first */
	size_t npipes;
	const char *dma;	/* NULL when unknown */
};

/* Network distances in metres, NaN when unknown. dist is the BattLeDIM pipe-to-pipe
 * distance; dist_node the distance from a pipe to a node (for leaks at nodes). */
typedef double (*aw_score_dist_fn)(const char *pipe_a, const char *pipe_b, void *ctx);

struct aw_score_opts {
	aw_score_dist_fn dist;		/* may be NULL: only equal pipes have a distance (0) */
	aw_score_dist_fn dist_node;	/* (pipe, node, ctx); may be NULL */
	void *ctx;
	/* detections outside [period_start, period_end) are ignored; period_end also ends
	 * the leak volume. AW_SCORE_NONE: unbounded (volume then needs a series or a
	 * finite leak end). */
	int64_t period_start, period_end;
	size_t top_k;		/* candidates per detection considered (min distance); 0 = 1 */
	double max_dist_m;	/* 300 */
	double water_eur_m3;	/* 0.80 */
	double crew_eur;	/* 500 */
	double onset_lps;	/* onset = first series sample with flow > onset_lps */
	long step;		/* per-step F1/MCC on [period_start, period_end); 0 = off */
};
void aw_score_opts_init(struct aw_score_opts *o);

enum aw_det_outcome { AW_DET_FP, AW_DET_TP, AW_DET_REPEAT, AW_DET_IGNORED };
const char *aw_det_outcome_name(enum aw_det_outcome k);

struct aw_score_det_result {
	enum aw_det_outcome outcome;
	size_t leak;		/* matched leak (TP, REPEAT), else (size_t)-1 */
	const char *pipe;	/* candidate that gave dist_m, or NULL */
	double dist_m;		/* to the matched leak; NaN when unknown */
	double eur;		/* this detection's share of the score */
};

struct aw_score_leak_result {
	enum aw_size_class size;
	double peak_lps;	/* given, or the series maximum */
	size_t det;		/* first TP detection, or (size_t)-1 when missed */
	double delay_s;		/* detection time - start */
	int64_t onset;		/* AW_SCORE_NONE when no series or never above onset_lps */
	double onset_delay_s;	/* detection time - onset (may be negative), or NaN */
	double dist_m;		/* localisation distance of the TP; NaN when unknown */
	double volume_m3;	/* from detection to period end (TP only), NaN when unknown */
	double eur;
	/* localisation regardless of the 300 m rule: the TP detection, or else the first
	 * false positive within the leak's time window (and DMA, when both are known) */
	size_t loc_det;		/* (size_t)-1 when none */
	double loc_dist_m;	/* NaN when unknown */
};

struct aw_score_result {
	size_t nleaks, ndet;
	size_t tp, fp, fn, repeat, ignored;
	size_t unlocated;	/* TPs of detections without pipes (matched by time and DMA) */
	size_t class_n[AW_SIZE_NCLASS], class_tp[AW_SIZE_NCLASS];
	double tpr, class_tpr[AW_SIZE_NCLASS];	/* NaN when no leaks (of the class) */
	double false_alert_share;	/* fp / (tp + fp + repeat); NaN with no detections */
	double delay_median_s, delay_mean_s, delay_max_s;	/* over TPs; NaN when none */
	size_t onset_n;
	double onset_delay_median_s;
	size_t loc_n;		/* leaks with a loc_det of known distance */
	size_t loc_within;	/* ... within max_dist_m */
	double loc_median_m, loc_within_share;
	double tp_dist_median_m;	/* over TPs with a known distance */
	double eur_total;	/* NaN when a TP's volume is unknown */
	double eur_water;	/* sum of the TPs' water value */
	double eur_crew;	/* localisation penalties and false positives (<= 0) */
	size_t volume_unknown;	/* TPs whose volume is unknown */
	/* per-step (when opts.step > 0 and the period is bounded) */
	int steps_done;
	size_t steps, step_tp, step_fp, step_tn, step_fn;
	double precision, recall, f1, mcc;	/* NaN when undefined */
	struct aw_score_det_result *dets;	/* in input order */
	struct aw_score_leak_result *leaks;
};

/* Scores; returns 0, or -1 (with nothing allocated) when the per-step grid is asked for
 * without a bounded period. */
int aw_score_run(const struct aw_score_leak *leaks, size_t nleaks,
    const struct aw_score_det *dets, size_t ndet, const struct aw_score_opts *o,
    struct aw_score_result *r);
void aw_score_result_free(struct aw_score_result *r);

/* leak volume in m3 from time t to the period end (see aw-score(1)) */
double aw_score_volume(const struct aw_score_leak *l, int64_t t, int64_t period_end);
/* median of v[0..n-1] (sorted in place), NaN when n == 0 */
double aw_median(double *v, size_t n);
#endif
