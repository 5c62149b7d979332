/* Customer impact of a repair and the consequence of a break: which customers lose water
 * when pipes are shut off, which are downstream of them, critical customers from the
 * configuration, and the repair priority of aw-risk rank.
 *
 * Isolated: the junctions that lose every path water can take from a source (reservoir
 * or tank) when the pipes are closed: links closed in the model stay closed, pumps,
 * control valves and check valves pass water forward only. The .inp has no
 * isolation valves, so a repair is taken to close exactly the pipe: a real shut-off, which
 * closes the nearest valves, isolates at least these.
 * Downstream: flow direction from the network alone, without a hydraulic solution: the
 * shortest-path tree from all sources at once (by pipe length, pumps, control valves and
 * check valves only forward, closed links never) stands in for the paths water takes;
 * the junctions below a pipe in that tree are downstream of it. A pipe that closes a loop
 * (not in the tree) has only its far end downstream.
 * On the pipe: the junctions at its two ends (service connections along a pipe are
 * lumped on its end nodes in a model). */
#ifndef AW_IMPACT_H
#define AW_IMPACT_H
#include <stddef.h>

#include "aw_config.h"
#include "aw_net.h"
#include "aw_record.h"

struct aw_critical {
	size_t node;
	char *name, *kind;
	double weight;		/* hospital, dialysis 3; care_home, nursing_home 2; others 1 */
};

struct aw_impact_net {
	struct aw_net *net;
	/* accounts per node (CSR over nodes): account ids */
	size_t *acc_start;
	char **acc;
	size_t naccounts;
	struct aw_critical *crit;
	size_t ncrit;
	double mean_demand;	/* of the junctions with demand, L/s */
	/* shortest-path tree from the sources */
	double *dist;
	size_t *parent_link;	/* SIZE_MAX for sources and unreached nodes */
	size_t *child_start, *child;	/* CSR over nodes */
	unsigned char *reached;	/* from a source with nothing closed */
	/* scratch */
	unsigned char *mark;
	size_t *stack;
};

/* accounts: CSV with account and node columns (config key accounts), or NULL; critical
 * customers from config key critical_customers. Unknown nodes are reported as
 * FILE:LINE. 0, or -1 when the accounts file cannot be read. */
int aw_impact_net_init(struct aw_impact_net *in, struct aw_net *net, const struct aw_config *cfg,
    const char *accounts);
void aw_impact_net_free(struct aw_impact_net *in);

enum { AW_IMP_ON_PIPE, AW_IMP_ISOLATED, AW_IMP_DOWNSTREAM, AW_IMP_N };

struct aw_impact {
	size_t nodes[AW_IMP_N], accounts[AW_IMP_N];
	size_t accounts_any;	/* accounts in any of the groups, each once */
	double demand[AW_IMP_N];	/* L/s */
	unsigned char *in;	/* per node: bit 1 << group */
	/* critical customers hit: index into crit and its group (the worst) */
	size_t *crit_hit;
	int *crit_group;
	size_t ncrit_hit;
};

/* the impact of shutting off links[0..n-1] (pipes; other links are ignored) */
void aw_impact_compute(struct aw_impact_net *in, const size_t *links, size_t n,
    struct aw_impact *out);
void aw_impact_free(struct aw_impact *im);
/* the customers object (key NULL inside arrays):
 * {"pipes":[...],"on_pipe":{G},"isolated":{G},"downstream":{G},"critical":[{node, name,
 *  kind, impact}]} with G = {"nodes":N,"demand_lps":X,"accounts":N,"account_ids":[...]} */
void aw_impact_write(struct aw_writer *w, const char *key, const struct aw_impact_net *in,
    const size_t *links, size_t n, const struct aw_impact *im);
/* the fields of that object only, into an object or record the caller began */
void aw_impact_fields(struct aw_writer *w, const struct aw_impact_net *in, const size_t *links,
    size_t n, const struct aw_impact *im);
/* the same as one JSON text (for a work order), or NULL when no pipe is known */
char *aw_impact_json(struct aw_impact_net *in, const size_t *links, size_t n);

/* ---- consequence and priority (aw-risk rank) ----
 * customers  = ln(1 + (D_iso + 0.5 D_on + 0.25 D_down) / mean junction demand)
 * critical   = sum of the weights of the critical customers hit (x1 isolated or on the
 *              pipe, x0.5 downstream only)
 * diameter   = sqrt(diameter / 150 mm)
 * quality    = 0.25 for cast iron or asbestos cement (discolouration, fibres)
 *              + 0.25 when the static pressure is below 20 m (intrusion when depressurised)
 * consequence = (1 + customers) * (1 + 0.5 critical) * diameter * (1 + quality)
 * priority = p_break * consequence */
struct aw_consequence {
	double customers, critical, diameter, quality, value;
};
void aw_consequence(const struct aw_impact_net *in, size_t link, double static_pressure_m,
    const struct aw_impact *im, struct aw_consequence *c);

/* the inspection recommended for a pipe: a short code and a sentence */
struct aw_inspection {
	const char *code, *text;
};
void aw_recommend_inspection(const struct aw_link *l, double breaks_1y, double breaks_5y,
    struct aw_inspection *out);
#endif
