/* Distances, nearest sensors and DMAs on hand-made networks (and L-Town when present).
 * tests/data/net/tiny.inp, lengths in m:
 *
 *   R1 -P1 100- J1 -P2 200- J2 -P3 150- J3 =PU1=> T1 -P9 50- J9 -P10 60- J10
 *               |            \                |
 *             P4 300       V2 (PRV)         P5 100
 *               |             J11 -P12 40- R2 |
 *               J4 ---------------------------+
 *               |
 *             P6 250
 *               |
 *               J5 =V1 (PRV)=> J6 -P7 120- J7 -P8 80- J8
 *               +-------------- P11 500, closed ------+
 */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aw_net.h"
#include "tap.h"

#define SHARED "../shared/data"

static size_t N(const struct aw_net *net, const char *id)
{
	size_t i;
	if (!aw_net_node(net, id, &i))
		abort();
	return i;
}

static size_t L(const struct aw_net *net, const char *id)
{
	size_t i;
	if (!aw_net_link(net, id, &i))
		abort();
	return i;
}

static const struct aw_net_dma *dma_of_node(const struct aw_net *net, const char *id)
{
	int d = net->nodes[N(net, id)].dma;
	return d >= 0 ? &net->dmas[d] : NULL;
}

static int inlets_are(const struct aw_net *net, const struct aw_net_dma *d, const char *want)
{
	char buf[256] = "";
	for (size_t i = 0; i < d->ninlets; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, net->links[d->inlets[i]].id);
	}
	if (strcmp(buf, want) != 0)
		printf("#   inlets of %s: '%s', want '%s'\n", d->id, buf, want);
	return strcmp(buf, want) == 0;
}

static void test_distances(struct aw_net *net)
{
	double *dist = aw_calloc(net->nnodes, sizeof *dist);
	size_t *prev = aw_calloc(net->nnodes, sizeof *prev);

	aw_net_dijkstra(net, N(net, "J1"), dist, prev);
	is_num(dist[N(net, "J3")], 350, 1e-9, "J1-J3 via J2 (350), not J4 (400)");
	is_num(dist[N(net, "J8")], 750, 1e-9, "J1-J8 through the PRV at zero length");
	ok(prev[N(net, "J3")] == L(net, "P3") && prev[N(net, "J1")] == SIZE_MAX,
	    "previous links of the shortest-path tree");
	is_num(aw_net_node_dist(net, N(net, "J3"), N(net, "J9")), 50, 1e-9,
	    "J3-J9 across the pump at zero length");
	is_num(aw_net_node_dist(net, N(net, "R1"), N(net, "R2")), 340, 1e-9, "R1-R2 via V2");
	is_num(aw_net_node_dist(net, N(net, "J10"), N(net, "J8")), 660, 1e-9,
	    "J10-J8 (a closed pipe is still a path, just a longer one)");
	is_num(aw_net_node_dist(net, N(net, "J8"), N(net, "J10")), 660, 1e-9, "symmetric");
	is_num(aw_net_node_dist(net, N(net, "J5"), N(net, "J5")), 0, 0, "a node to itself");

	is_num(aw_net_link_dist(net, L(net, "P2"), L(net, "P8")), 760, 1e-9,
	    "P2-P8: J2-J7 620 + 100 + 40");
	is_num(aw_net_link_dist(net, L(net, "P2"), L(net, "P3")), 175, 1e-9,
	    "adjacent pipes: half of each");
	is_num(aw_net_link_dist(net, L(net, "P2"), L(net, "P2")), 0, 0, "same pipe: 0");
	is_num(aw_net_link_dist(net, L(net, "P6"), L(net, "P11")), 375, 1e-9, "P6-P11");
	is_num(aw_net_link_dist(net, L(net, "P1"), L(net, "V1")), 600, 1e-9,
	    "pipe to valve (valve weight 0)");
	is_num(aw_net_node_link_dist(net, N(net, "J3"), L(net, "P8")), 510, 1e-9,
	    "node to link: nearer end plus half the link");

	/* the all-pairs matrix agrees with single-source answers */
	aw_net_all_pairs(net);
	int same = 1;
	for (size_t a = 0; a < net->nnodes; a++) {
		aw_net_dijkstra(net, a, dist, NULL);
		for (size_t b = 0; b < net->nnodes; b++)
			if (fabs(net->dist[a * net->nnodes + b] - dist[b]) > 1e-3)
				same = 0;
	}
	ok(same, "all-pairs matrix equals Dijkstra from each node");
	float *ld = aw_malloc(net->nlinks * net->nlinks * sizeof *ld);
	aw_net_link_dist_all(net, ld);
	same = 1;
	for (size_t a = 0; a < net->nlinks; a++)
		for (size_t b = 0; b < net->nlinks; b++)
			if (fabs(ld[a * net->nlinks + b] - aw_net_link_dist(net, a, b)) > 1e-3 ||
			    ld[a * net->nlinks + b] != ld[b * net->nlinks + a])
				same = 0;
	ok(same, "link matrix equals pairwise link distances and is symmetric");
	free(ld);

	net->valve_length = 10;
	net->pump_length = 100;
	aw_net_dist_reset(net);
	is_num(aw_net_node_dist(net, N(net, "J1"), N(net, "J8")), 760, 1e-9,
	    "valve length 10 m");
	is_num(aw_net_node_dist(net, N(net, "J3"), N(net, "J9")), 150, 1e-9, "pump length 100 m");
	is_num(aw_net_link_dist(net, L(net, "P1"), L(net, "V1")), 605, 1e-9,
	    "link distance with a valve weight");
	net->valve_length = net->pump_length = 0;
	aw_net_dist_reset(net);
	free(dist);
	free(prev);
}

static void test_nearest(struct aw_net *net)
{
	struct aw_near out[5];
	unsigned char *pressure = aw_calloc(net->nsensors, 1);

	for (size_t i = 0; i < net->nsensors; i++)
		pressure[i] = strcmp(net->sensors[i].kind, "pressure") == 0;
	size_t n = aw_net_nearest(net, N(net, "J3"), pressure, SIZE_MAX, 2, out);
	ok(n == 2 && out[0].idx == 2 && out[0].dist == 100 && out[1].idx == 0 && out[1].dist == 350,
	    "two nearest pressure sensors of J3: J4 (100), J1 (350)");
	n = aw_net_nearest(net, N(net, "J3"), pressure, SIZE_MAX, 5, out);
	ok(n == 3 && out[2].idx == 4 && out[2].dist == 470, "k larger than the sensors: all 3");
	n = aw_net_nearest(net, N(net, "J1"), pressure, 0, 2, out);
	ok(n == 2 && out[0].idx == 2 && out[0].dist == 300 && out[1].idx == 4 &&
	    out[1].dist == 670, "neighbours of sensor J1, itself skipped");
	n = aw_net_nearest(net, N(net, "J3"), NULL, SIZE_MAX, 3, out);
	ok(n == 3 && out[0].idx == 5 && out[1].idx == 8 && out[2].idx == 2,
	    "all kinds: ties at equal distance in sensor order (T1 level, PU1 flow, J4)");
	ok(aw_net_nearest(net, N(net, "J3"), NULL, SIZE_MAX, 0, out) == 0, "k = 0");
	size_t nodes[] = { N(net, "J8"), N(net, "J10"), N(net, "J2"), N(net, "J2") };
	n = aw_net_nearest_nodes(net, N(net, "J3"), nodes, 4, 2, 3, out);
	ok(n == 3 && out[0].idx == 1 && out[0].dist == 110 && out[1].idx == 3 &&
	    out[1].dist == 150 && out[2].idx == 0 && out[2].dist == 550,
	    "nearest over a caller's node list, entry 2 skipped");
	free(pressure);
}

static void test_dmas(struct aw_net *net)
{
	const struct aw_net_dma *d;

	ok(aw_net_dmas_derive(net, NULL, 0, NULL) == 3, "three DMAs derived");
	ok(strcmp(net->dmas[0].id, "P1+P12") == 0 && strcmp(net->dmas[1].id, "PU1") == 0 &&
	    strcmp(net->dmas[2].id, "V1") == 0, "named by their inlets, in natural order");
	d = &net->dmas[0];
	ok(d->nnodes == 6 && d->njunctions == 6 && d->nlinks == 8 && d->npipes == 7,
	    "P1+P12: J1-J5 and J11 (R2's stub behind V2 folded in), 8 links");
	is_num(d->length, 1140, 1e-9, "P1+P12 pipe length");
	is_num(d->demand, 5.7, 1e-9, "P1+P12 demand");
	ok(inlets_are(net, d, "P1 P12"), "P1+P12 fed from the reservoirs");
	d = &net->dmas[1];
	ok(d->nnodes == 3 && d->njunctions == 2 && d->nlinks == 3 && d->npipes == 2 &&
	    inlets_are(net, d, "PU1"), "PU1: tank T1, J9, J10");
	d = &net->dmas[2];
	ok(d->nnodes == 3 && d->nlinks == 4 && d->npipes == 3 && inlets_are(net, d, "V1"),
	    "V1: J6-J8; the closed P11 belongs to it but is no inlet");
	ok(net->nodes[N(net, "R1")].dma == -1 && net->nodes[N(net, "R2")].dma == -1,
	    "reservoirs are in no DMA");
	ok(net->links[L(net, "P1")].dma == 0 && net->links[L(net, "PU1")].dma == 1 &&
	    net->links[L(net, "V1")].dma == 2 && net->links[L(net, "P11")].dma == 2,
	    "links: an inlet belongs to the DMA it feeds");
	ok(net->sensors[0].dma == 0 && net->sensors[5].dma == 1 && net->sensors[8].dma == 1 &&
	    net->sensors[4].dma == 2, "sensors get their DMA");
	ok(d->nsensors == 1 && net->dmas[0].nsensors == 6, "sensor counts per DMA");
	size_t idx;
	ok(aw_net_dma(net, "PU1", &idx) && idx == 1 && !aw_net_dma(net, "nope", NULL),
	    "DMA lookup by name");

	/* configured inlets and names; the meters cut R1 and R2 off, the stubs fold back */
	struct aw_inlet in[] = {
		{ "P1", "A", 3 }, { "P12", "A", 4 }, { "PU1", "C", 5 }, { "P404", "B", 6 },
	};
	aw_setprog("t-graph");
	fflush(stderr);
	FILE *tmp = tmpfile();
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	size_t k = aw_net_dmas_derive(net, in, AW_NELEM(in), "aquawatch.yaml");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char err[256] = "";
	rewind(tmp);
	err[fread(err, 1, sizeof err - 1, tmp)] = 0;
	fclose(tmp);
	is_str(err, "t-graph: aquawatch.yaml:6: unknown inlet link P404\n", "unknown inlet reported");
	aw_rval = 0;
	ok(k == 3 && strcmp(net->dmas[0].id, "A") == 0 && strcmp(net->dmas[1].id, "C") == 0 &&
	    strcmp(net->dmas[2].id, "V1") == 0, "configured names A and C");
	ok(net->dmas[0].nnodes == 6 && inlets_are(net, &net->dmas[0], "P1 P12"),
	    "A is the same area as P1+P12");
	ok(dma_of_node(net, "J11") == &net->dmas[0], "J11 folded into A");

	/* an area of one junction fed by a reservoir is a stub only when smaller */
	net->dma_stub_max = 0;
	k = aw_net_dmas_derive(net, NULL, 0, NULL);
	ok(k == 4 && strcmp(net->dmas[0].id, "P1+V2") == 0 && strcmp(net->dmas[1].id, "P12") == 0,
	    "dma_stub_max 0: R2 and J11 form their own area P12");
	ok(inlets_are(net, &net->dmas[0], "P1 V2"), "then V2 is an inlet of P1+V2");
	net->dma_stub_max = 5;

	/* explicit mapping */
	struct aw_dma_member m[] = {
		{ "J1", "north", 1 }, { "J2", "north", 2 }, { "J3", "north", 3 }, { "J4", "north", 4 },
		{ "J5", "north", 5 }, { "J6", "south", 6 }, { "J7", "south", 7 }, { "J8", "south", 8 },
		{ "nope", "south", 9 }, { "J1", "south", 10 },
	};
	fflush(stderr);
	tmp = tmpfile();
	saved = dup(2);
	dup2(fileno(tmp), 2);
	k = aw_net_dmas_assign(net, m, AW_NELEM(m), "dmas.csv");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	err[fread(err, 1, sizeof err - 1, tmp)] = 0;
	fclose(tmp);
	is_str(err, "t-graph: dmas.csv:9: unknown node nope\n"
	    "t-graph: dmas.csv:10: node J1 is already in DMA north\n", "mapping errors reported");
	aw_rval = 0;
	ok(k == 2 && strcmp(net->dmas[0].id, "north") == 0 && strcmp(net->dmas[1].id, "south") == 0,
	    "two DMAs from the mapping");
	ok(net->dmas[0].nnodes == 5 && inlets_are(net, &net->dmas[0], "P1 V2") &&
	    net->dmas[1].nnodes == 3 && inlets_are(net, &net->dmas[1], "V1"),
	    "inlets follow from the mapping");
	ok(net->nodes[N(net, "J9")].dma == -1 && net->links[L(net, "P9")].dma == -1,
	    "unmapped nodes and their links are in no DMA");
}

static void test_ltown(void)
{
	struct stat st;

	if (stat(SHARED "/battledim/L-TOWN.inp", &st) != 0) {
		ok(1, "L-Town # SKIP %s absent", SHARED);
		return;
	}
	struct aw_net *net = aw_net_load(SHARED "/battledim/L-TOWN.inp");
	aw_net_sensors_from_tags(net, 1);
	ok(aw_net_dmas_derive(net, NULL, 0, NULL) == 3, "L-Town: 3 DMAs");
	static const struct {
		const char *id;
		size_t nodes, junctions, links, pipes;
	} want[] = {
		{ "PRV-3", 31, 31, 33, 32 },
		{ "PUMP_1", 93, 92, 110, 109 },
		{ "p227+p235", 659, 659, 766, 764 },
	};
	for (size_t i = 0; i < 3 && i < net->ndmas; i++) {
		const struct aw_net_dma *d = &net->dmas[i];
		ok(strcmp(d->id, want[i].id) == 0 && d->nnodes == want[i].nodes &&
		    d->njunctions == want[i].junctions && d->nlinks == want[i].links &&
		    d->npipes == want[i].pipes, "L-Town DMA %s: %zu nodes (%zu junctions), "
		    "%zu links (%zu pipes), %zu sensors", d->id, d->nnodes, d->njunctions,
		    d->nlinks, d->npipes, d->nsensors);
	}
	ok(dma_of_node(net, "n303") == &net->dmas[2] && dma_of_node(net, "n336") == &net->dmas[2],
	    "L-Town: PRV-1 and PRV-2 at the reservoirs do not make areas of their own");
	ok(dma_of_node(net, "T1") == &net->dmas[1] && dma_of_node(net, "n226") == &net->dmas[0],
	    "L-Town: T1 in the pumped area, n226 below PRV-3");
	struct aw_inlet in[] = { { "p227", "A", 0 }, { "p235", "A", 0 }, { "PUMP_1", "C", 0 } };
	aw_net_dmas_derive(net, in, 3, NULL);
	ok(net->ndmas == 3 && strcmp(net->dmas[0].id, "A") == 0 && net->dmas[0].nnodes == 659 &&
	    strcmp(net->dmas[1].id, "C") == 0 && net->dmas[1].nnodes == 93,
	    "L-Town with the flow meters as named inlets: the same areas");

	/* references: networkx on the same file; leaks.csv of ltown-sim-train */
	static const struct {
		const char *a, *b;
		double d;
	} nd[] = {
		{ "n489", "n105", 182.1078 }, { "n637", "n229", 238.2127 },
		{ "n729", "n726", 152.4783 }, { "n629", "n342", 368.5589 },
		{ "n1", "n782", 1845.3463 },
	};
	for (size_t i = 0; i < AW_NELEM(nd); i++)
		is_num(aw_net_node_dist(net, N(net, nd[i].a), N(net, nd[i].b)), nd[i].d, 1e-6,
		    "L-Town node distance (reference)");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	float *ld = aw_malloc(net->nlinks * net->nlinks * sizeof *ld);
	aw_net_link_dist_all(net, ld);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(secs < 5, "L-Town all pipe-to-pipe distances in %.3f s", secs);
	size_t m = net->nlinks;
	is_num(ld[L(net, "p227") * m + L(net, "p235")], 2754.88, 0.01, "p227-p235 (reference)");
	is_num(ld[L(net, "p1") * m + L(net, "p905")], 213.8885, 0.01, "p1-p905 (reference)");
	is_num(ld[L(net, "p31") * m + L(net, "p158")], 1767.60915, 0.01, "p31-p158 (reference)");
	free(ld);
	aw_net_free(net);
}

int main(void)
{
	struct aw_net *net = aw_net_load("tests/data/net/tiny.inp");
	if (!net)
		return 1;
	aw_net_sensors_from_tags(net, 1);
	test_distances(net);
	test_nearest(net);
	test_dmas(net);
	aw_net_free(net);
	test_ltown();
	return tap_done();
}
