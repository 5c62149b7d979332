/* Customer meters (AMI/AMR): hourly consumption per account from cumulative index reads,
 * day features per account, customer-side leaks (continuous flow), stopped and reversed
 * meters, and consumption per DMA and day for the water balance. The definitions are in
 * aw-ami(1). Reads must come in time order per account; accounts may be interleaved or
 * one after another. */
#ifndef AW_AMI_H
#define AW_AMI_H
#include <stddef.h>
#include <stdint.h>

#include "aw_record.h"

struct aw_ami_opts {
	double min_lph;		/* an hour with at least this many litres is flowing (1) */
	long continuous_h;	/* flowing this many hours in a row is a leak (48) */
	double active_share;	/* ... unless the account flowed in more than this share of
				 * its known hours of the week before the run (0.75) */
	long zero_h;		/* no consumption this long is a stopped meter (168) */
	double neighbour_share;	/* ... when another account of its DMA flowed in at least this
				 * share of those hours (0.5) */
	double reverse_l;	/* the index going back by more than this many litres is
				 * reverse flow (10; less is read jitter) */
	long max_gap;		/* reads further apart leave the hours between unknown (3 h) */
	const char *dma;	/* DMA of accounts that have none ("unassigned") */
};
void aw_ami_defaults(struct aw_ami_opts *o);

/* features of one account and local day */
struct aw_ami_day {
	int64_t ts;		/* local midnight, UTC */
	const char *account, *dma;
	double volume_m3;	/* consumption, also of hours that are not known one by one */
	int hours_read;		/* hours with known consumption */
	int flow_hours;		/* hours at or above min_lph */
	double max_lph, night_min_lph;	/* night: local 01:00-05:00; NAN when unknown */
	double continuous_h;	/* flowing hours in a row at the end of the day */
	double zero_h;		/* hours without consumption in a row at the end of the day */
	long reverse_steps;
	double reverse_l;
	long resets;		/* index fell to about zero: meter exchanged or rolled over */
	double active_share;	/* share of flowing hours among the known ones of the last 7 days */
};

enum { AW_AMI_LEAK, AW_AMI_STOPPED, AW_AMI_REVERSE };

struct aw_ami_event {
	char id[160];
	const char *account, *dma;
	int what;		/* AW_AMI_* */
	int64_t start, end, alarm;	/* end: the last hour (or read) with the condition */
	double leak_lph;	/* leak: the lowest flow of the run; NAN otherwise */
	double volume_l;	/* leak: litres over the run; reverse: litres run backwards */
	long hours, steps;	/* leak, stopped: hours; reverse: backward steps */
	double neighbour_share;	/* stopped: share of the hours another account flowed */
	int open;
	const char *severity;
};

/* consumption of one DMA on one local day */
struct aw_ami_volume {
	const char *dma;
	int64_t start, end;	/* local midnights, UTC */
	double volume_m3;
	long accounts, accounts_read;
	double coverage;	/* share of the account-hours covered by reads */
};

struct aw_ami_cb {
	void (*day)(const struct aw_ami_day *d, void *ctx);
	void (*event)(const struct aw_ami_event *e, void *ctx);
	void (*volume)(const struct aw_ami_volume *v, void *ctx);
	void *ctx;
};

struct aw_ami;
struct aw_ami *aw_ami_new(const struct aw_ami_opts *o, const struct aw_ami_cb *cb);
/* an account known beforehand (accounts table): counted in its DMA's volumes even when it
 * sends no read; dma NULL: opts.dma */
void aw_ami_account(struct aw_ami *a, const char *account, const char *dma);
/* The DMA of an account: the one given to aw_ami_account, else NULL. */
const char *aw_ami_account_dma(const struct aw_ami *a, const char *account);
/* One read of a cumulative index (m3). usable 0: a gap (counts for nothing). dma NULL:
 * the account's. Returns 0, or -1 when the read is not later than the account's last
 * (ignored). */
int aw_ami_add(struct aw_ami *a, const char *account, const char *dma, int64_t ts,
    double index_m3, int usable);
/* ends the input: last days, open events, stopped meters, then the DMA volumes */
void aw_ami_finish(struct aw_ami *a);
void aw_ami_free(struct aw_ami *a);

const char *aw_ami_what(int what);	/* continuous_flow, stopped_meter, reverse_flow */
/* `features` (kind volume), `event` (source ami) and `ami_volume` records */
void aw_ami_day_write(struct aw_writer *w, const struct aw_ami_day *d);
void aw_ami_event_write(struct aw_writer *w, const struct aw_ami_event *e);
void aw_ami_volume_write(struct aw_writer *w, const struct aw_ami_volume *v);
#endif
