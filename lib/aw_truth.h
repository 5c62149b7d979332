/* Ground truth for learning: time intervals in which a DMA had a leak, or is known to
 * have had none, from leak lists (CSV) and `label` records, each with a label weight. */
#ifndef AW_TRUTH_H
#define AW_TRUTH_H
#include <stddef.h>
#include <stdint.h>

enum aw_label {
	AW_CONFIRMED_LEAK,
	AW_PROBABLE,
	AW_SUSPECTED,
	AW_CONFIRMED_NO_LEAK,
	AW_OPERATIONAL_EVENT,
	AW_NLABELS
};

struct aw_label_def {
	const char *name;
	int positive;		/* 1: a leak, 0: no leak */
	double weight;		/* how much a step under this label counts in training */
};
/* confirmed_leak + 1.0, probable + 0.7, suspected + 0.4, confirmed_no_leak − 1.0,
 * operational_event − 0.5; indexed by enum aw_label */
extern const struct aw_label_def aw_label_defs[AW_NLABELS];
/* the label named s, or -1 */
int aw_label_find(const char *s);

#define AW_TIME_OPEN INT64_MAX	/* an interval that has not ended */

struct aw_truth_interval {
	char *what;		/* pipe, node or event id, for messages */
	char *dma;		/* NULL when unknown: the interval holds for every DMA */
	int64_t start, end;	/* UTC seconds, both inclusive; end AW_TIME_OPEN when open */
	int64_t peak;		/* end of an incipient leak's ramp; start for abrupt ones */
	enum aw_label label;
};

/* Where a leak is: the DMA of a pipe or node (either may be NULL), or NULL when it is not
 * known. The network layer supplies one; without it every leak counts for every DMA. */
typedef const char *(*aw_truth_dma_fn)(const char *pipe, const char *node, void *ctx);

struct aw_truth {
	struct aw_truth_interval *iv;
	size_t n, cap;
	aw_truth_dma_fn dma_of;	/* may be NULL */
	void *dma_ctx;
};

/* A leak list CSV with a header: the columns are found by name (any order, any
 * delimiter): pipe (pipe, pipe_id, link_id), node (node, node_id), dma, start (start,
 * start_time), end (end, end_time; empty = still leaking), peak (peak_time, peak), id
 * (leak_id, id). Needs start and a pipe or node. Rows are confirmed leaks. Naive times
 * are local in the configured time zone (aw_tz_set). Bad rows are reported as
 * FILE:LINE and skipped. Returns 0, or -1 when the file could not be used. */
int aw_truth_read_leaks(struct aw_truth *t, const char *path);
/* `label` records (label, and event or pipe/node/dma with start and end) and the `event`
 * records (id, dma, start, end) that labels refer to; other records are ignored.
 * Returns the number of labels taken; problems are reported as FILE:LINE. */
long aw_truth_read_labels(struct aw_truth *t, char **files, int nfiles);
void aw_truth_add(struct aw_truth *t, const char *what, const char *dma, int64_t start,
    int64_t end, int64_t peak, enum aw_label label);

/* The label of a DMA at time ts: *y 1 or 0 and *w its weight, from the covering interval
 * with the largest weight (a leak wins a tie). A leak in its ramp (start to peak) has
 * its weight scaled by the share of the ramp elapsed, at least 0.1: early on it is too
 * small to show. Returns 1, or 0 when no interval covers ts (*y, *w untouched). */
int aw_truth_at(const struct aw_truth *t, const char *dma, int64_t ts, float *y, float *w);
void aw_truth_free(struct aw_truth *t);
#endif
