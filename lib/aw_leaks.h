/* Leak lists for scoring: a simulated scenario's leaks.csv or BattLeDIM's leak events with
 * their sizes and outflow series, and tables of network distances. (Training labels
 * per DMA and time are aw_truth.h.) */
#ifndef AW_LEAKS_H
#define AW_LEAKS_H
#include <stddef.h>
#include <stdint.h>

#include "aw_score.h"
#include "aw_util.h"

struct aw_leaks {
	struct aw_score_leak *v;	/* strings owned; flow points into flow[] below */
	char **kind;		/* per leak: "abrupt", "incipient", ... or NULL */
	int64_t *peak;		/* per leak: end of an incipient leak's ramp (start when abrupt) */
	size_t n, cap;
	/* the series of aw_leaks_load_flows: one regular grid for all leaks, in L/s */
	double **flow;		/* per leak, NULL without a column */
	size_t nflow;
	int64_t flow_t0;
	long flow_dt;
};

/* Reads a CSV leak list with a header. Columns by name (any case): leak_id|id,
 * pipe|pipe_id|link|link_id, node|node_id, start|start_time, end|end_time (empty: still
 * leaking), peak_time|peak (end of the ramp), peak_lps|peak_flow_lps, dma,
 * kind|leak_type|type. A leak with an empty pipe is at its
 * node. Naive times are local in the configured zone (aw_tz_set; UTC by default). Bad rows are reported as FILE:LINE and skipped. Returns 0,
 * or -1 (reported) when the file cannot be read or is not a leak list. */
int aw_leaks_load(struct aw_leaks *t, const char *path);

/* Reads leak outflows: a timestamp column, then columns ID_flow_lps / ID_lps (L/s),
 * ID_m3h (m3/h) or a bare leak id or pipe (m3/h, BattLeDIM); other columns with a '_'
 * are ignored, decimal commas accepted. One regular time step. Leaks get their series;
 * the ids of leaks without a column are listed in *missing (", " separated) when it is
 * not NULL. Returns 0, or -1 (reported). */
int aw_leaks_load_flows(struct aw_leaks *t, const char *path, struct aw_buf *missing);
void aw_leaks_free(struct aw_leaks *t);

/* Distances between named elements (pipe-pipe, pipe-node), from CSV rows a,b,metres,
 * symmetric; an optional header line. */
struct aw_dist_table {
	struct aw_map idx;
	double *m;
	size_t n, cap;
	struct aw_buf key;
};
int aw_dist_table_load(struct aw_dist_table *d, const char *path);
/* an aw_score_dist_fn: ctx is the table; NaN when the pair is not in it */
double aw_dist_table_get(const char *a, const char *b, void *ctx);
void aw_dist_table_free(struct aw_dist_table *d);
#endif
