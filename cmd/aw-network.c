/* aw-network: the network model: summary, distances, nearest sensors, DMAs, sensors and
 * GeoJSON, as records or an aligned table. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aw.h"
#include "aw_net.h"
#include "aw_table.h"

enum { O_KIND = AW_LONG, O_AMR, O_PUMP_LEN, O_VALVE_LEN, O_SEQ };

static const struct aw_opt opts[] = {
	{ 't', "table", NULL, "aligned table instead of records" },
	{ 'k', "neighbours", "N", "number of nearest sensors to list (default 3)" },
	{ O_KIND, "kind", "KIND", "nearest sensors of this kind (default: the sensor's own kind)" },
	{ 's', "sensors", "FILE", "sensor table CSV (sensor,kind,node,...) in addition to the configuration" },
	{ 'a', "assets", "FILE", "asset register CSV (default: assets in the configuration)" },
	{ 'i', "inlet", "LINK[=DMA]", "a DMA inlet link, optionally with the DMA's name (repeatable)" },
	{ O_AMR, "amr", NULL, "sensors from .inp comments include AMR meters" },
	{ O_PUMP_LEN, "pump-length", "M", "distance across a pump in m (default 0)" },
	{ O_VALVE_LEN, "valve-length", "M", "distance across a valve in m (default 0)" },
	{ O_SEQ, "seq", NULL, "geojson: one feature per line (GeoJSON text sequence)" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cmd cmds[] = {
	{ "summary", "counts, units and totals of the network" },
	{ "distance", "shortest-path distance from A to each B, nodes or pipes" },
	{ "neighbours", "nearest sensors of a sensor or node" },
	{ "dmas", "district metered areas: inlets, sizes, demand" },
	{ "sensors", "sensors with node, DMA and nearest sensors" },
	{ "geojson", "DMAs, links, nodes and sensors as GeoJSON" },
	{ NULL, NULL },
};

static const struct aw_cli cli = {
	"[-t] summary [NET.inp]\n"
	"[-t] distance [NET.inp] A B...\n"
	"[-t] [-k N] [--kind KIND] neighbours [NET.inp] SENSOR\n"
	"[-t] [-i LINK[=DMA]]... dmas [NET.inp]\n"
	"[-t] [-k N] [--kind KIND] [-s FILE] [--amr] sensors [NET.inp]\n"
	"[--seq] [-a FILE] geojson [NET.inp]",
	"Summarise an EPANET network and answer questions about its graph: distances, nearest "
	"sensors, DMAs.",
	opts, cmds,
};

/* ---- output: records, or the cells of an aligned table ---- */

static int table;
static struct aw_table tab;
static size_t nrec;

static void rec_begin(const char *type)
{
	if (!table)
		aw_w_begin(aw_out, type);
}

static void cell(const char *k, const char *v)
{
	if (nrec == 0)
		aw_table_head(&tab, k);
	aw_table_cell(&tab, v);
}

static void rec_str(const char *k, const char *v)
{
	if (table)
		cell(k, v);
	else
		aw_w_str(aw_out, k, v);
}

static void rec_num(const char *k, double v, int decimals)
{
	char b[40];
	if (!table) {
		aw_w_num(aw_out, k, v, decimals);
		return;
	}
	if (isfinite(v))
		aw_fmt_num(b, v, decimals);
	cell(k, isfinite(v) ? b : NULL);
}

static void rec_int(const char *k, long long v)
{
	char b[24];
	if (!table) {
		aw_w_int(aw_out, k, v);
		return;
	}
	snprintf(b, sizeof b, "%lld", v);
	cell(k, b);
}

static void rec_strs(const char *k, const char *const *v, size_t n)
{
	if (!table) {
		aw_w_arr_begin(aw_out, k);
		for (size_t i = 0; i < n; i++)
			aw_w_str(aw_out, NULL, v[i]);
		aw_w_arr_end(aw_out);
		return;
	}
	struct aw_buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i)
			aw_buf_putc(&b, ',');
		aw_buf_puts(&b, v[i]);
	}
	cell(k, b.s);
	aw_buf_free(&b);
}

static void rec_nums(const char *k, const double *v, size_t n, int decimals)
{
	char num[40];
	if (!table) {
		aw_w_arr_begin(aw_out, k);
		for (size_t i = 0; i < n; i++)
			aw_w_num(aw_out, NULL, v[i], decimals);
		aw_w_arr_end(aw_out);
		return;
	}
	struct aw_buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i)
			aw_buf_putc(&b, ',');
		aw_fmt_num(num, v[i], decimals);
		aw_buf_puts(&b, num);
	}
	cell(k, b.s);
	aw_buf_free(&b);
}

static void rec_end(void)
{
	if (!table)
		aw_w_end(aw_out);
	nrec++;
}

static void rec_flush(void)
{
	if (!table)
		return;
	if (nrec == 1)
		aw_table_write_vertical(&tab, aw_out);
	else if (nrec > 1)
		aw_table_write(&tab, aw_out);
	aw_table_free(&tab);
}

/* ---- the network and what is attached to it ---- */

static const char *dma_name(const struct aw_net *net, int d)
{
	return d >= 0 ? net->dmas[d].id : NULL;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n > k && strncasecmp(s + n - k, suf, k) == 0;
}

/* "node:ID", "link:ID", or an id: a node when there is one, else a link */
static int resolve(const struct aw_net *net, const char *arg, size_t *idx, int *is_link)
{
	if (strncmp(arg, "node:", 5) == 0) {
		*is_link = 0;
		return aw_net_node(net, arg + 5, idx);
	}
	if (strncmp(arg, "link:", 5) == 0) {
		*is_link = 1;
		return aw_net_link(net, arg + 5, idx);
	}
	if (aw_net_node(net, arg, idx)) {
		*is_link = 0;
		return 1;
	}
	*is_link = 1;
	return aw_net_link(net, arg, idx);
}

static const char *elem_type(const struct aw_net *net, size_t i, int is_link)
{
	return is_link ? aw_link_type_name(net->links[i].type) :
	    aw_node_type_name(net->nodes[i].type);
}

/* ---- commands ---- */

static void cmd_summary(struct aw_net *net)
{
	double length = 0, demand = 0;
	for (size_t l = 0; l < net->nlinks; l++)
		if (net->links[l].type == AW_PIPE)
			length += net->links[l].length;
	for (size_t i = 0; i < net->nnodes; i++)
		if (net->nodes[i].type == AW_JUNCTION)
			demand += net->nodes[i].demand;
	rec_begin("network");
	rec_str("file", net->file);
	rec_str("title", net->title);
	rec_str("flow_units", net->flow_units);
	rec_str("headloss", net->headloss);
	rec_int("junctions", (long long)net->njunctions);
	rec_int("reservoirs", (long long)net->nreservoirs);
	rec_int("tanks", (long long)net->ntanks);
	rec_int("pipes", (long long)net->npipes);
	rec_int("pumps", (long long)net->npumps);
	rec_int("valves", (long long)net->nvalves);
	rec_int("patterns", (long long)net->npatterns);
	rec_int("curves", (long long)net->ncurves);
	rec_int("controls", (long long)net->ncontrols);
	rec_num("pipe_length_m", length, 1);
	rec_num("demand_lps", demand, 3);
	rec_int("dmas", (long long)net->ndmas);
	rec_int("sensors", (long long)net->nsensors);
	rec_int("errors", net->nerrors);
	rec_end();
}

static void cmd_distance(struct aw_net *net, char **args, int n)
{
	size_t a, b;
	int al, bl;

	if (n < 2)
		aw_usage_error("distance needs A and at least one B");
	if (!resolve(net, args[0], &a, &al)) {
		aw_warn("%s: no node or link %s", net->file, args[0]);
		aw_rval = 1;
		return;
	}
	for (int i = 1; i < n; i++) {
		if (!resolve(net, args[i], &b, &bl)) {
			aw_warn("%s: no node or link %s", net->file, args[i]);
			aw_rval = 1;
			continue;
		}
		double d = !al && !bl ? aw_net_node_dist(net, a, b) :
		    al && bl ? aw_net_link_dist(net, a, b) :
		    al ? aw_net_node_link_dist(net, b, a) : aw_net_node_link_dist(net, a, b);
		rec_begin("distance");
		rec_str("from", al ? net->links[a].id : net->nodes[a].id);
		rec_str("to", bl ? net->links[b].id : net->nodes[b].id);
		rec_str("from_type", elem_type(net, a, al));
		rec_str("to_type", elem_type(net, b, bl));
		rec_num("distance_m", d, 3);
		rec_end();
	}
}

/* the sensors of `kind` (all when NULL) as a mask */
static unsigned char *kind_mask(const struct aw_net *net, const char *kind)
{
	unsigned char *m = aw_calloc(net->nsensors ? net->nsensors : 1, 1);
	for (size_t i = 0; i < net->nsensors; i++)
		m[i] = !kind || strcmp(net->sensors[i].kind, kind) == 0;
	return m;
}

static void cmd_neighbours(struct aw_net *net, char **args, int n, long k, const char *kind)
{
	size_t s, node, skip = SIZE_MAX;
	const char *query = args[0];

	if (n != 1)
		aw_usage_error("neighbours needs one SENSOR");
	if (aw_net_sensor(net, query, &s)) {
		node = net->sensors[s].node;
		skip = s;
		if (!kind)
			kind = net->sensors[s].kind;
	} else if (!aw_net_node(net, query, &node)) {
		aw_warn("%s: no sensor or node %s", net->file, query);
		aw_rval = 1;
		return;
	}
	unsigned char *want = kind_mask(net, kind);
	struct aw_near *near = aw_calloc((size_t)k + 1, sizeof *near);
	size_t got = aw_net_nearest(net, node, want, skip, (size_t)k, near);
	for (size_t r = 0; r < got; r++) {
		const struct aw_net_sensor *x = &net->sensors[near[r].idx];
		rec_begin("neighbour");
		rec_str("sensor", query);
		rec_int("rank", (long long)r + 1);
		rec_str("neighbour", x->id);
		rec_str("kind", x->kind);
		rec_str("node", net->nodes[x->node].id);
		rec_str("dma", dma_name(net, x->dma));
		rec_num("distance_m", near[r].dist, 3);
		rec_end();
	}
	free(near);
	free(want);
}

static void cmd_dmas(struct aw_net *net)
{
	for (size_t d = 0; d < net->ndmas; d++) {
		const struct aw_net_dma *m = &net->dmas[d];
		const char **in = aw_calloc(m->ninlets ? m->ninlets : 1, sizeof *in);
		for (size_t i = 0; i < m->ninlets; i++)
			in[i] = net->links[m->inlets[i]].id;
		rec_begin("dma");
		rec_str("dma", m->id);
		rec_strs("inlets", in, m->ninlets);
		rec_int("nodes", (long long)m->nnodes);
		rec_int("junctions", (long long)m->njunctions);
		rec_int("links", (long long)m->nlinks);
		rec_int("pipes", (long long)m->npipes);
		rec_num("pipe_length_m", m->length, 1);
		rec_num("demand_lps", m->demand, 3);
		rec_int("sensors", (long long)m->nsensors);
		rec_end();
		free(in);
	}
}

static void cmd_sensors(struct aw_net *net, long k, const char *kind)
{
	struct aw_near *near = aw_calloc((size_t)k + 1, sizeof *near);
	const char **ids = aw_calloc((size_t)k + 1, sizeof *ids);
	double *dist = aw_calloc((size_t)k + 1, sizeof *dist);

	for (size_t s = 0; s < net->nsensors; s++) {
		const struct aw_net_sensor *x = &net->sensors[s];
		const struct aw_node *nd = &net->nodes[x->node];
		unsigned char *want = kind_mask(net, kind ? kind : x->kind);
		size_t got = aw_net_nearest(net, x->node, want, s, (size_t)k, near);
		for (size_t r = 0; r < got; r++) {
			ids[r] = net->sensors[near[r].idx].id;
			dist[r] = near[r].dist;
		}
		rec_begin("sensor");
		rec_str("sensor", x->id);
		rec_str("kind", x->kind);
		rec_str("node", nd->id);
		rec_str("link", x->on_link ? net->links[x->elem].id : NULL);
		rec_str("dma", dma_name(net, x->dma));
		rec_num("x", nd->x, AW_SHORTEST);
		rec_num("y", nd->y, AW_SHORTEST);
		rec_strs("neighbours", ids, got);
		rec_nums("distances_m", dist, got, 1);
		rec_end();
		free(want);
	}
	free(near);
	free(ids);
	free(dist);
}

/* ---- GeoJSON ---- */

static int seq, nfeatures;

static void feature_begin(void)
{
	if (!seq && nfeatures)
		aw_w_bytes(aw_out, ",\n", 2);
	aw_w_begin(aw_out, "Feature");
	nfeatures++;
}

static void feature_end(void)
{
	aw_w_obj_end(aw_out);	/* properties */
	if (seq)
		aw_w_end(aw_out);
	else
		aw_w_bytes(aw_out, "}", 1);
}

/* [x,y]; key NULL inside an array */
static void point(const char *key, double x, double y)
{
	aw_w_arr_begin(aw_out, key);
	aw_w_num(aw_out, NULL, x, AW_SHORTEST);
	aw_w_num(aw_out, NULL, y, AW_SHORTEST);
	aw_w_arr_end(aw_out);
}

static int has_xy(const struct aw_node *n)
{
	return isfinite(n->x) && isfinite(n->y);
}

struct pt {
	double x, y;
};

static int cmp_pt(const void *a, const void *b)
{
	const struct pt *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return (p->y > q->y) - (p->y < q->y);
}

static double cross(struct pt o, struct pt a, struct pt b)
{
	return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/* convex hull, counter-clockwise (Andrew's monotone chain); returns its size */
static size_t hull(struct pt *p, size_t n, struct pt *h)
{
	size_t k = 0;
	if (n < 3)
		return 0;
	qsort(p, n, sizeof *p, cmp_pt);
	for (size_t i = 0; i < n; i++) {
		while (k >= 2 && cross(h[k - 2], h[k - 1], p[i]) <= 0)
			k--;
		h[k++] = p[i];
	}
	for (size_t i = n - 1, t = k + 1; i-- > 0;) {
		while (k >= t && cross(h[k - 2], h[k - 1], p[i]) <= 0)
			k--;
		h[k++] = p[i];
	}
	return k - 1;
}

/* ends the geometry of a feature and begins its properties */
static void properties_begin(const char *feature, const char *id)
{
	aw_w_obj_end(aw_out);
	aw_w_obj_begin(aw_out, "properties");
	aw_w_str(aw_out, "feature", feature);
	aw_w_str(aw_out, "id", id);
}

/* a feature with a Point geometry, up to its properties */
static void point_feature_begin(double x, double y, const char *feature, const char *id)
{
	feature_begin();
	aw_w_obj_begin(aw_out, "geometry");
	aw_w_str(aw_out, "type", "Point");
	point("coordinates", x, y);
	properties_begin(feature, id);
}

static void cmd_geojson(struct aw_net *net)
{
	struct pt *p = aw_calloc(net->nnodes + 1, sizeof *p), *h = aw_calloc(2 * net->nnodes + 2, sizeof *h);

	if (!seq)
		aw_w_printf(aw_out, "{\"type\":\"FeatureCollection\",\"features\":[\n");
	for (size_t d = 0; d < net->ndmas; d++) {
		size_t n = 0;
		for (size_t i = 0; i < net->nnodes; i++)
			if (net->nodes[i].dma == (int)d && has_xy(&net->nodes[i]))
				p[n++] = (struct pt){ net->nodes[i].x, net->nodes[i].y };
		size_t nh = hull(p, n, h);
		if (nh < 3)
			continue;
		feature_begin();
		aw_w_obj_begin(aw_out, "geometry");
		aw_w_str(aw_out, "type", "Polygon");
		aw_w_arr_begin(aw_out, "coordinates");
		aw_w_arr_begin(aw_out, NULL);
		for (size_t i = 0; i <= nh; i++)
			point(NULL, h[i % nh].x, h[i % nh].y);
		aw_w_arr_end(aw_out);
		aw_w_arr_end(aw_out);
		properties_begin("dma", net->dmas[d].id);
		aw_w_arr_begin(aw_out, "inlets");
		for (size_t i = 0; i < net->dmas[d].ninlets; i++)
			aw_w_str(aw_out, NULL, net->links[net->dmas[d].inlets[i]].id);
		aw_w_arr_end(aw_out);
		aw_w_int(aw_out, "nodes", (long long)net->dmas[d].nnodes);
		aw_w_num(aw_out, "demand_lps", net->dmas[d].demand, 3);
		feature_end();
	}
	for (size_t l = 0; l < net->nlinks; l++) {
		const struct aw_link *k = &net->links[l];
		const struct aw_node *a = &net->nodes[k->n1], *b = &net->nodes[k->n2];
		if (!has_xy(a) || !has_xy(b))
			continue;
		feature_begin();
		aw_w_obj_begin(aw_out, "geometry");
		aw_w_str(aw_out, "type", "LineString");
		aw_w_arr_begin(aw_out, "coordinates");
		point(NULL, a->x, a->y);
		for (size_t v = 0; v < k->nvert; v++)
			point(NULL, k->vx[v], k->vy[v]);
		point(NULL, b->x, b->y);
		aw_w_arr_end(aw_out);
		properties_begin("link", k->id);
		aw_w_str(aw_out, "link_type", aw_link_type_name(k->type));
		aw_w_str(aw_out, "node1", a->id);
		aw_w_str(aw_out, "node2", b->id);
		aw_w_num(aw_out, "length_m", k->length, 3);
		aw_w_num(aw_out, "diameter_m", k->diameter, 4);
		aw_w_str(aw_out, "material", k->material);
		if (k->install_year)
			aw_w_int(aw_out, "install_year", k->install_year);
		else
			aw_w_null(aw_out, "install_year");
		aw_w_str(aw_out, "dma", dma_name(net, k->dma));
		feature_end();
	}
	for (size_t i = 0; i < net->nnodes; i++) {
		const struct aw_node *n = &net->nodes[i];
		if (!has_xy(n))
			continue;
		point_feature_begin(n->x, n->y, "node", n->id);
		aw_w_str(aw_out, "node_type", aw_node_type_name(n->type));
		aw_w_num(aw_out, "elevation_m", n->elev, 3);
		aw_w_num(aw_out, "demand_lps", n->demand, 4);
		aw_w_str(aw_out, "dma", dma_name(net, n->dma));
		feature_end();
	}
	for (size_t s = 0; s < net->nsensors; s++) {
		const struct aw_net_sensor *x = &net->sensors[s];
		const struct aw_node *n = &net->nodes[x->node];
		if (!has_xy(n))
			continue;
		point_feature_begin(n->x, n->y, "sensor", x->id);
		aw_w_str(aw_out, "kind", x->kind);
		aw_w_str(aw_out, "node", n->id);
		aw_w_str(aw_out, "link", x->on_link ? net->links[x->elem].id : NULL);
		aw_w_str(aw_out, "dma", dma_name(net, x->dma));
		feature_end();
	}
	if (!seq)
		aw_w_bytes(aw_out, nfeatures ? "\n]}\n" : "]}\n", nfeatures ? 4 : 3);
	free(p);
	free(h);
}

int main(int argc, char **argv)
{
	const char *kind = NULL, *sensors = NULL, *assets = NULL, *arg;
	long k = 3;
	int amr = 0, i = 1, c;
	double pump_len = 0, valve_len = 0;
	struct aw_inlet *inlets = NULL;
	size_t ninlets = 0, nopt;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 't': table = 1; break;
		case 'k': k = aw_arg_long("-k", arg, 0, 10000); break;
		case O_KIND: kind = arg; break;
		case 's': sensors = arg; break;
		case 'a': assets = arg; break;
		case 'i': {
			const char *eq = strchr(arg, '=');
			inlets = aw_reallocarray(inlets, ninlets + 1, sizeof *inlets);
			inlets[ninlets++] = (struct aw_inlet){
				eq ? aw_strndup(arg, (size_t)(eq - arg)) : aw_strdup(arg),
				eq ? eq + 1 : NULL, 0 };
			break;
		}
		case O_AMR: amr = 1; break;
		case O_PUMP_LEN: pump_len = aw_arg_double("--pump-length", arg); break;
		case O_VALVE_LEN: valve_len = aw_arg_double("--valve-length", arg); break;
		case O_SEQ: seq = 1; break;
		}
	}
	if (i >= argc)
		aw_usage_error("no command");
	const char *cmd = argv[i++];
	const struct aw_cmd *cm = cmds;
	while (cm->name && strcmp(cm->name, cmd) != 0)
		cm++;
	if (!cm->name)
		aw_usage_error("unknown command: %s", cmd);
	if (pump_len < 0 || valve_len < 0)
		aw_usage_error("lengths must not be negative");

	struct aw_config *cfg = aw_config_load(NULL);
	const char *operand = NULL;
	if (i < argc && (has_suffix(argv[i], ".inp") || !cfg->network))
		operand = argv[i++];
	else if (!cfg->network)
		aw_usage_error("no network: name NET.inp or set network in the configuration");
	if ((!strcmp(cmd, "summary") || !strcmp(cmd, "dmas") || !strcmp(cmd, "sensors") ||
	    !strcmp(cmd, "geojson")) && i < argc)
		aw_usage_error("%s: unexpected argument %s", cmd, argv[i]);

	char *path = operand ? aw_strdup(operand) : aw_config_file(cfg, cfg->network);
	struct aw_net *net = aw_net_load(path);
	free(path);
	if (!net) {
		aw_config_free(cfg);
		return aw_finish();
	}
	net->pump_length = pump_len;
	net->valve_length = valve_len;
	if (assets || cfg->assets) {
		char *a = assets ? aw_strdup(assets) : aw_config_file(cfg, cfg->assets);
		aw_net_load_assets(net, a);
		free(a);
	}
	if (sensors)
		aw_config_add_sensors_csv(cfg, sensors);
	if (cfg->nsensors)
		aw_net_add_config_sensors(net, cfg);
	if (!net->nsensors)
		aw_net_sensors_from_tags(net, amr);
	nopt = ninlets;
	ninlets = aw_net_config_inlets(cfg, &inlets, ninlets);
	aw_net_dmas_derive(net, inlets, ninlets, cfg->path);

	if (!strcmp(cmd, "summary"))
		cmd_summary(net);
	else if (!strcmp(cmd, "distance"))
		cmd_distance(net, argv + i, argc - i);
	else if (!strcmp(cmd, "neighbours"))
		cmd_neighbours(net, argv + i, argc - i, k, kind);
	else if (!strcmp(cmd, "dmas"))
		cmd_dmas(net);
	else if (!strcmp(cmd, "sensors"))
		cmd_sensors(net, k, kind);
	else
		cmd_geojson(net);
	rec_flush();

	for (size_t j = 0; j < nopt; j++)
		free((char *)inlets[j].link);
	aw_net_free(net);
	aw_config_free(cfg);
	free(inlets);
	return aw_finish();
}
