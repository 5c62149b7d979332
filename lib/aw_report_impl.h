/* Internals of the report, shared by aw_report.c (accumulating, computing) and
 * aw_report_out.c (Markdown, HTML, CSV, JSON). Not for tools. */
#ifndef AW_REPORT_IMPL_H
#define AW_REPORT_IMPL_H
#include "aw_report.h"

#define AW_SLOT 900		/* series resolution, s (aligned with every zone offset) */

static inline int64_t aw_slot_of(int64_t t)
{
	return t >= 0 ? t / AW_SLOT : -((-t + AW_SLOT - 1) / AW_SLOT);
}

/* One slot of a series: time-weighted sum (value × seconds covered), seconds covered,
 * and the extremes of the samples in the slot. AMR series keep volume increments in vdt. */
struct rslot {
	double vdt;
	float dt, min, max;
};

struct rseries {
	int64_t base;		/* slot index (ts / AW_SLOT) of s[0] */
	size_t n, cap;
	struct rslot *s;
};

enum rkind { RK_OTHER, RK_FLOW, RK_PRESSURE, RK_QUALITY, RK_VOLUME, RK_LEVEL };

struct rsensor {
	char *id;
	enum rkind kind;
	char qkind[16];		/* chlorine, turbidity, ph */
	int dma;		/* pressure, quality, volume: DMA index, -1 unknown */
	int role;		/* flow: member of a DMA (inlet or outlet) */
	struct rseries ser;
	int64_t last_ts, typ;
	double last_v;
	int last_ok, seen;
	long n, flagged;
	struct aw_qtrack q;
	int has_q;
	long resets;		/* AMR: index went down */
};

/* figures of one DMA over one span of days (a month or the whole period) */
struct rfig {
	char label[48];
	int64_t start, end;	/* UTC */
	int days, good_days, mnf_days;
	double siv_m3, billed_m3, unbilled_m3;
	const char *billed_source, *unbilled_source;
	double mnf_lps, mnf_min_lps;
	int64_t mnf_min_day;	/* local day index of the lowest MNF */
	double inflow_lps;	/* mean of the complete days */
	struct aw_balance_in in;
	struct aw_balance b;
};

struct rday {
	double siv_m3;		/* NAN when the day is incomplete */
	double inflow_lps, mnf_lps;
	double billed_m3;	/* AMR increments */
	int64_t mnf_ts;		/* start of the hour of the minimum */
};

struct rdma {
	char *id, *name;
	const struct aw_dma *cfg;
	int *in, *out;		/* sensor indices */
	size_t nin, nout;
	int *pres;
	size_t npres;
	int *tank;		/* level sensors of storage */
	size_t ntank;
	struct rseries amr;
	long amr_accounts;
	int has_amr;
	int64_t amr_first, amr_last;	/* first and last counted AMR read (0 none) */
	/* results */
	struct rday *day;	/* rep->nday entries from rep->day0 */
	double profile[24];	/* mean pressure by local hour, bar */
	long profile_n[24];
	double pressure_bar;	/* mean over the period */
	double ndf_h;
	const char *ndf_source, *pressure_source, *night_use_source, *private_source;
	double night_use_lps;
	struct rfig *month;
	size_t nmonth;
	struct rfig total;
};

struct ralert {
	char *id, *event, *dma, *severity, *what;
	char *wo_ref, *outcome_ref;	/* the alert's own workorder and outcome fields */
	int64_t ts;
	double flow_lps;
	/* resolved */
	int outcome;		/* 1 confirmed, 0 false, -1 open */
	const char *label;
	char *wo;
	const char *wo_status;
	int64_t wo_created, wo_closed;
	int64_t leak_start;
	double latency_h, saved_m3, flow_used_lps;
	const char *flow_source;
};

struct revent {
	char *id, *dma;
	int64_t start, end;
};

struct rwo {
	char *id, *alert, *status, *outcome;
	int64_t created, closed, last;
};

struct rlabel {
	char *label, *event, *alert, *wo, *dma, *pipe;
	int64_t start, end;
	double flow_lps;
};

struct aw_report {
	struct aw_config *cfg;
	struct aw_report_opts o;
	struct aw_period per;
	int auto_dmas;		/* no DMAs configured: flows with a dma field are inlets */
	/* settings */
	int night_from, night_to;
	double completeness, n1, ndf_default, night_use_default, apparent_default;
	const char *night_use_source;	/* of night_use_default */
	double manual_h, window_h, threshold;
	/* sensors */
	struct rsensor *sen;
	size_t nsen;
	struct aw_map sen_index;
	struct rdma *dma;
	size_t ndma;
	/* records */
	struct ralert *alert;
	size_t nalert;
	struct aw_map alert_index;
	struct revent *event;
	size_t nevent;
	struct aw_map event_index;
	struct rwo *wo;
	size_t nwo;
	struct aw_map wo_index;
	struct rlabel *lab;
	size_t nlab;
	struct aw_prob *prob;
	size_t nprob, capprob;
	char **pdma;		/* DMA names of probability records */
	size_t npdma;
	struct aw_map pdma_index;
	/* counts */
	unsigned long long nrec, nreadings, nignored, nunused, nflagged, nout_of_period;
	long n_order_errors;
	long amr_no_dma;
	/* results */
	int64_t day0;		/* local day index of day 0 */
	size_t nday;
	struct aw_monitor *mon;
	size_t nmon;
	int finished;
};

/* local "YYYY-MM-DD HH:MM" of a UTC time into out[20] */
void aw_report_local(char *out, int64_t t);
/* mean of a slot range [k0, k1) of a series: NAN when covered less than min_cover s */
double aw_rseries_mean(const struct rseries *s, int64_t k0, int64_t k1, double min_cover,
    double *cover);
const struct rslot *aw_rseries_get(const struct rseries *s, int64_t k);
/* mean DMA inflow (inlets − outlets − storage gain, L/s) over [t0, t1): NAN unless every
 * inlet and outlet covers at least min_cover seconds of it and tank levels are known */
double aw_rdma_flow(const struct aw_report *r, const struct rdma *d, int64_t t0, int64_t t1,
    double min_cover);
/* mean over the DMA's pressure sensors (bar) of their means over [t0, t1) */
double aw_rdma_pressure(const struct aw_report *r, const struct rdma *d, int64_t t0, int64_t t1);
/* UTC start of local day d, and of local hour h of it (NAN-free; DST gaps move on) */
int64_t aw_local_day_start(int64_t d);
#endif
