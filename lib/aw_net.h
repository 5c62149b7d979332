/* The network: EPANET .inp reader, pipe graph and distances, DMAs, sensors, asset register.
 *
 * Units after loading are SI whatever the file's flow units: lengths, diameters,
 * elevations, heads and tank levels in m, flows and demands in L/s, pressure settings in
 * m of head, Darcy-Weisbach roughness in mm. Coordinates and curve points are kept as
 * written. Ids of nodes and links are case-sensitive strings; keywords are not. */
#ifndef AW_NET_H
#define AW_NET_H
#include <stddef.h>

#include "aw_util.h"

enum aw_node_type { AW_JUNCTION, AW_RESERVOIR, AW_TANK };
enum aw_link_type { AW_PIPE, AW_PUMP, AW_VALVE };

struct aw_node {
	char *id;
	enum aw_node_type type;
	double elev;		/* m; for a reservoir its total head */
	double demand;		/* total base demand, L/s: the sum of its [DEMANDS] lines when
				 * it has any, else the [JUNCTIONS] value */
	double x, y;		/* [COORDINATES], NAN when absent */
	double emitter;		/* [EMITTERS] coefficient, L/s per m^exponent, 0 when none */
	double init_level, min_level, max_level, diameter;	/* tanks, m */
	char *pattern;		/* demand or head pattern id, or NULL */
	char *comment;		/* text after ';' on its line, trimmed, NULL when empty */
	char *tag;		/* [TAGS], or NULL */
	int dma;		/* index in net->dmas, -1 when in none */
	long line;
};

struct aw_link {
	char *id;
	enum aw_link_type type;
	size_t n1, n2;		/* node indices, flow positive from n1 to n2 */
	double length;		/* m; 0 for pumps and valves */
	double diameter;	/* m; 0 for pumps */
	double roughness;	/* H-W C, D-W mm or C-M n */
	double minor_loss;
	char valve[4];		/* valve type (PRV PSV PBV FCV TCV GPV), "" otherwise */
	double setting;		/* valves: PRV/PSV/PBV m, FCV L/s, TCV loss coefficient */
	char *curve;		/* pump HEAD curve, GPV curve, or NULL */
	double power;		/* pump POWER, kW (0 when none) */
	int closed;		/* initial status closed ([PIPES] or [STATUS]) */
	int check;		/* pipe with a check valve (status CV) */
	char *comment, *tag;
	double *vx, *vy;	/* [VERTICES] */
	size_t nvert;
	int dma;		/* the DMA the link belongs to (an inlet belongs to the DMA it
				 * feeds), -1 when none */
	/* asset register (aw_net_load_assets); defaults: material "unknown",
	 * install_year 0 (unknown), asset_diameter = diameter, street NULL */
	char *material, *street;
	int install_year;
	double asset_diameter;	/* m */
	long line;
};

struct aw_demand {
	size_t node;
	double base;		/* L/s */
	char *pattern, *category;
};

struct aw_pattern {
	char *id;
	double *mult;
	size_t n;
};

struct aw_curve {
	char *id;
	char *comment;		/* the ';' comment line before its first point, e.g. "PUMP: ..." */
	double *x, *y;		/* as written in the file's units */
	size_t n;
};

struct aw_net_dma {
	char *id;
	size_t *inlets;		/* link indices feeding it, by id */
	size_t ninlets;
	size_t nnodes, njunctions, nlinks, npipes, nsensors;
	double length;		/* pipe length, m */
	double demand;		/* base demand, L/s */
};

struct aw_net_sensor {
	char *id, *kind;
	size_t elem;		/* node or link index */
	int on_link;
	size_t node;		/* where distances are measured: the node, or a link's
				 * downstream node (n2) */
	int dma;
};

/* one step of a k-nearest answer */
struct aw_near {
	size_t idx;		/* sensor index */
	double dist;		/* m */
};

struct aw_net {
	char *file;
	char *title;		/* first [TITLE] line, or NULL */
	struct aw_node *nodes;
	struct aw_link *links;
	size_t nnodes, nlinks;
	size_t njunctions, nreservoirs, ntanks, npipes, npumps, nvalves;
	struct aw_map node_index, link_index;
	struct aw_demand *demands;
	size_t ndemands;
	struct aw_pattern *patterns;
	size_t npatterns;
	struct aw_curve *curves;
	size_t ncurves;
	char **controls;	/* [CONTROLS] lines as written (comments removed) */
	size_t ncontrols;

	/* [OPTIONS] */
	char flow_units[8];	/* upper case, "GPM" when absent */
	int us_units;		/* the file's lengths are ft, diameters in, pressures psi */
	double flow_factor;	/* file flow units -> L/s */
	char headloss[4];	/* "H-W", "D-W" or "C-M" */
	double emitter_exponent;
	/* [TIMES], seconds */
	long duration, hydraulic_step, pattern_step, pattern_start, report_step, report_start,
	    start_clock;

	long nerrors;		/* malformed lines reported while loading */

	/* graph: adjacency in CSR form, built by aw_net_load */
	size_t *adj_start;	/* nnodes + 1 */
	size_t *adj_link, *adj_node;
	/* distance weights of pumps and valves (m), 0 by default; set before the first
	 * distance query (or call aw_net_dist_reset after changing them) */
	double pump_length, valve_length;
	float *dist;		/* all-pairs matrix (aw_net_all_pairs), nnodes x nnodes */
	double *row;		/* one cached Dijkstra row */
	size_t row_src;

	struct aw_net_dma *dmas;
	size_t ndmas;
	size_t dma_stub_max;	/* see aw_net_dmas_derive; 5 by default */

	struct aw_net_sensor *sensors;
	size_t nsensors;
	struct aw_map sensor_index;	/* id -> first sensor with that id */
};

/* ---- loading (aw_inp.c) ---- */

/* Reads an EPANET .inp file. Returns NULL (reported) when it cannot be read; otherwise
 * the network, malformed lines having been reported as FILE:LINE (aw_rval = 1, counted
 * in net->nerrors) and skipped. Unknown sections are skipped with a note. */
struct aw_net *aw_net_load(const char *path);
void aw_net_free(struct aw_net *net);

/* index lookups: 1 and *idx when found */
int aw_net_node(const struct aw_net *net, const char *id, size_t *idx);
int aw_net_link(const struct aw_net *net, const char *id, size_t *idx);
const char *aw_node_type_name(enum aw_node_type t);	/* "junction" ... */
const char *aw_link_type_name(enum aw_link_type t);	/* "pipe" ... */
/* natural order of ids ("n2" < "n10") */
int aw_natcmp(const char *a, const char *b);

/* ---- sensors ---- */

/* Adds a sensor on a node (node != NULL) or a link. Returns its index, or -1 when the
 * element is unknown (nothing reported). */
long aw_net_add_sensor(struct aw_net *net, const char *id, const char *kind,
    const char *node, const char *link);
/* Seeds sensors from the .inp line comments: "<KIND> SENSOR" gives a sensor of that kind
 * (lower case) named after the element; with amr, "AMR" also gives one of kind
 * "amr_demand" (customer meters), e.g. ";AMR & PRESSURE SENSOR" on n1 gives n1/pressure
 * then n1/amr_demand. Returns the number added. */
size_t aw_net_sensors_from_tags(struct aw_net *net, int amr);
int aw_net_sensor(const struct aw_net *net, const char *id, size_t *idx);

/* ---- distances (aw_graph.c) ---- */

/* Dijkstra from one node over all links (pipes by length, pumps and valves by
 * pump_length / valve_length, closed links included). dist[nnodes]: INFINITY when
 * unreachable. prev_link may be NULL, else gets the link used to reach each node
 * (SIZE_MAX for the source and unreachable nodes). */
void aw_net_dijkstra(const struct aw_net *net, size_t src, double *dist, size_t *prev_link);
/* Dijkstra from several sources at once along the links water can take: open links only,
 * pumps, valves and check-valve pipes only from n1 to n2. dist and prev_link as above. */
void aw_net_dijkstra_flow(const struct aw_net *net, const size_t *src, size_t nsrc,
    double *dist, size_t *prev_link);
/* Fills net->dist with all node-to-node distances (float, m). */
void aw_net_all_pairs(struct aw_net *net);
/* drops cached distances (after changing pump_length or valve_length) */
void aw_net_dist_reset(struct aw_net *net);
/* shortest path a -> b in m (INFINITY when not connected), from the matrix when there is
 * one, else from a cached Dijkstra row */
double aw_net_node_dist(struct aw_net *net, size_t a, size_t b);
/* the distance weight of a link: its length, or pump_length / valve_length */
double aw_net_link_weight(const struct aw_net *net, size_t l);
/* BattLeDIM pipe-to-pipe distance: the shortest path between any end node of a and any
 * end node of b plus half of each link's weight; 0 when a == b */
double aw_net_link_dist(struct aw_net *net, size_t a, size_t b);
/* node to link: shortest path to the nearer end plus half the link's weight */
double aw_net_node_link_dist(struct aw_net *net, size_t node, size_t link);
/* all link-to-link distances into out[nlinks * nlinks] (computes the node matrix) */
void aw_net_link_dist_all(struct aw_net *net, float *out);
/* The k nearest sensors of a node among those whose index has want[i] != 0 (want may be
 * NULL: all), skipping sensor `skip` (SIZE_MAX: none). Unreachable sensors are left
 * out; ties are broken by sensor index. Returns the number written to out[k]. */
size_t aw_net_nearest(struct aw_net *net, size_t node, const unsigned char *want, size_t skip,
    size_t k, struct aw_near *out);
/* the same over a caller's list: nodes[i] is where sensor i is; out[].idx indexes nodes */
size_t aw_net_nearest_nodes(struct aw_net *net, size_t node, const size_t *nodes, size_t n,
    size_t skip, size_t k, struct aw_near *out);

/* ---- DMAs (aw_dma.c) ---- */

struct aw_inlet {
	const char *link;	/* a link id */
	const char *dma;	/* the DMA name it feeds, or NULL */
	long line;		/* where it was configured, for messages (0: none) */
};

/* Derives DMAs: the graph is cut at PRVs, pumps, closed links and the named inlet links;
 * its connected components are the candidate areas. A component that holds a source
 * (reservoir or tank) or no demand, has at most dma_stub_max junctions, and leads
 * through cut links (in link direction) into one other component only, is merged into
 * that one: it is a source's supply main (a reservoir, its meter and PRV), not an area.
 * The remaining components with a junction of positive demand are the DMAs; reservoirs
 * belong to none. A DMA is named by the config name of one of its inlets when given,
 * else by its inlet ids in natural order joined by "+" (inlets: links into it across a
 * cut except closed ones, and links from reservoirs), else by the links of its tanks,
 * else by its first node id. Sets node, link and sensor
 * dma fields and net->dmas (sorted by name). Unknown inlet links are reported with
 * `file`:line and skipped; returns the number of DMAs. */
size_t aw_net_dmas_derive(struct aw_net *net, const struct aw_inlet *inlets, size_t n,
    const char *file);

struct aw_dma_member {
	const char *node, *dma;
	long line;
};
/* Explicit node -> DMA mapping; nodes not named belong to none. Unknown nodes are
 * reported with `file`:line. Returns the number of DMAs. */
size_t aw_net_dmas_assign(struct aw_net *net, const struct aw_dma_member *m, size_t n,
    const char *file);
int aw_net_dma(const struct aw_net *net, const char *id, size_t *idx);

/* ---- the configuration on the network (aw_netconfig.c) ---- */

struct aw_config;
/* Adds the configuration's sensors: on their node, flow meters on their link. Sensors on
 * unknown elements are reported. */
void aw_net_add_config_sensors(struct aw_net *net, const struct aw_config *cfg);
/* Appends the configured DMA inlets (a flow sensor's link, or a link id) to in[n..];
 * returns the new count. The strings belong to the configuration. */
size_t aw_net_config_inlets(const struct aw_config *cfg, struct aw_inlet **in, size_t n);
/* the network of the configuration (or net_path), with the asset register (assets_path or
 * the config's), the configured sensors and DMAs, as aw-network loads it; NULL when none
 * is configured (*why set) or it cannot be read (reported) */
struct aw_net *aw_net_from_config(const struct aw_config *cfg, const char *net_path,
    const char *assets_path, const char **why);

/* ---- asset register (aw_assets.c) ---- */

/* CSV with a header row naming (any case, any order) pipe, material, install_year,
 * diameter (mm), street; other columns are ignored. Comma separated, or ';' when the
 * header has ';' and no ','. Unknown pipes, duplicate rows and bad values are reported
 * as FILE:LINE. Returns the number of pipes joined, or -1 when the file cannot be read
 * or has no pipe column. */
long aw_net_load_assets(struct aw_net *net, const char *path);
#endif
