/* EPANET .inp reader, sensor tags and asset register. */
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_net.h"
#include "tap.h"

#define NET "tests/data/net/"
#define SHARED "../shared/data"

static FILE *cap_file;
static int cap_saved = -1;

static void capture_begin(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	cap_saved = dup(2);
	dup2(fileno(cap_file), 2);
}

/* returns what went to stderr since capture_begin (static buffer) */
static const char *capture_end(void)
{
	static char text[8192];
	fflush(stderr);
	dup2(cap_saved, 2);
	close(cap_saved);
	rewind(cap_file);
	size_t n = fread(text, 1, sizeof text - 1, cap_file);
	text[n] = 0;
	fclose(cap_file);
	return text;
}

static const struct aw_node *node(const struct aw_net *net, const char *id)
{
	size_t i;
	return aw_net_node(net, id, &i) ? &net->nodes[i] : NULL;
}

static const struct aw_link *link_(const struct aw_net *net, const char *id)
{
	size_t i;
	return aw_net_link(net, id, &i) ? &net->links[i] : NULL;
}

static void test_tiny(void)
{
	struct aw_net *net = aw_net_load(NET "tiny.inp");

	ok(net != NULL, "tiny.inp loads");
	ok(net->nerrors == 0, "tiny.inp (CRLF, tabs, mixed case) has no errors");
	ok(net->njunctions == 11 && net->nreservoirs == 2 && net->ntanks == 1,
	    "tiny.inp: 11 junctions, 2 reservoirs, 1 tank");
	ok(net->npipes == 12 && net->npumps == 1 && net->nvalves == 2,
	    "tiny.inp: 12 pipes, 1 pump, 2 valves");
	is_str(net->title, "Tiny network for the AquaWatch unit tests (hand-made; distances "
	    "and DMAs in t-graph.c)", "title without CR");
	is_str(net->flow_units, "LPS", "lower-case units keyword and value");
	ok(!net->us_units && net->flow_factor == 1, "LPS is SI, factor 1");
	is_str(net->headloss, "H-W", "headloss h-w");
	const struct aw_node *j1 = node(net, "J1");
	ok(j1 && j1->type == AW_JUNCTION && j1->elev == 10 && j1->demand == 1,
	    "J1 elevation and demand");
	is_str(j1->pattern, "P1", "J1 pattern");
	is_str(j1->comment, "PRESSURE SENSOR", "J1 trailing comment kept");
	is_str(node(net, "J4")->comment, "AMR & PRESSURE SENSOR", "J4 comment");
	ok(node(net, "J3")->comment == NULL, "no comment on J3");
	ok(node(net, "J2")->pattern == NULL, "empty pattern column");
	is_str(node(net, "T1")->comment, "LEVEL SENSOR", "tank comment");
	const struct aw_node *t1 = node(net, "T1");
	ok(t1->type == AW_TANK && t1->elev == 30 && t1->init_level == 2 && t1->max_level == 5 &&
	    t1->diameter == 10, "tank fields");
	ok(node(net, "R2")->type == AW_RESERVOIR && node(net, "R2")->elev == 48, "reservoir head");
	const struct aw_link *p2 = link_(net, "P2");
	ok(p2 && p2->type == AW_PIPE && p2->length == 200, "P2 length 200 m");
	is_num(p2->diameter, 0.2, 1e-12, "P2 diameter 200 mm -> 0.2 m");
	ok(p2->roughness == 130 && !p2->closed, "P2 roughness, open");
	ok(link_(net, "P11")->closed, "P11 closed (lower-case status)");
	is_str(link_(net, "P11")->comment, "boundary valve", "pipe comment");
	is_str(link_(net, "P1")->comment, "FLOW SENSOR", "P1 comment");
	const struct aw_link *v1 = link_(net, "V1");
	ok(v1->type == AW_VALVE && strcmp(v1->valve, "PRV") == 0 && v1->setting == 30,
	    "lower-case prv read as PRV 30 m");
	is_num(v1->diameter, 0.1, 1e-12, "valve diameter mm -> m");
	const struct aw_link *pu = link_(net, "PU1");
	ok(pu->type == AW_PUMP && pu->curve && strcmp(pu->curve, "C1") == 0, "pump head curve");
	is_str(pu->comment, "FLOW SENSOR", "pump comment");
	ok(net->npatterns == 1 && net->patterns[0].n == 3 && net->patterns[0].mult[2] == 0.8,
	    "pattern over two lines");
	ok(net->ncurves == 1 && net->curves[0].n == 1 && net->curves[0].y[0] == 40, "curve");
	is_str(net->curves[0].comment, "PUMP: head curve of PU1", "curve comment");
	ok(j1->x == 0 && node(net, "R1")->x == -100 && isnan(node(net, "J3")->x),
	    "coordinates, NAN when absent");
	ok(link_(net, "P1")->dma == -1 && j1->dma == -1, "no DMA before derivation");
	is_str(link_(net, "P3")->material, "unknown", "default material");

	size_t ns = aw_net_sensors_from_tags(net, 1);
	ok(ns == 9 && net->nsensors == 9, "9 sensors from the comments");
	static const char *want[][2] = {
		{ "J1", "pressure" }, { "J2", "amr_demand" }, { "J4", "pressure" },
		{ "J4", "amr_demand" }, { "J7", "pressure" }, { "T1", "level" },
		{ "P1", "flow" }, { "P12", "flow" }, { "PU1", "flow" },
	};
	int same = ns == 9;
	for (size_t i = 0; same && i < ns; i++)
		same = strcmp(net->sensors[i].id, want[i][0]) == 0 &&
		    strcmp(net->sensors[i].kind, want[i][1]) == 0;
	ok(same, "sensor ids and kinds in order (SCADA kinds before AMR)");
	size_t si;
	ok(aw_net_sensor(net, "J4", &si) && si == 2, "a shared id finds its first sensor");
	ok(net->sensors[6].on_link && net->sensors[6].node == (size_t)(j1 - net->nodes),
	    "a link sensor measures at the link's downstream node");
	ok(aw_net_add_sensor(net, "x", "pressure", "nope", NULL) == -1, "unknown sensor node");

	/* asset register */
	aw_setprog("t-inp");
	capture_begin();
	long joined = aw_net_load_assets(net, NET "tiny-assets.csv");
	const char *err = capture_end();
	ok(joined == 4, "asset register joins 4 pipes");
	is_str(err,
	    "t-inp: " NET "tiny-assets.csv:5: unknown pipe P99\n"
	    "t-inp: " NET "tiny-assets.csv:6: pipe P6: bad install_year '19x5'\n"
	    "t-inp: " NET "tiny-assets.csv:8: pipe P2 listed twice (first on line 3)\n",
	    "asset register errors with file:line");
	const struct aw_link *a1 = link_(net, "P1");
	ok(strcmp(a1->material, "cast_iron") == 0 && a1->install_year == 1965 &&
	    fabs(a1->asset_diameter - 0.3) < 1e-12 && strcmp(a1->street, "Main Street") == 0,
	    "P1 joined (header any case and order, material normalised)");
	ok(strcmp(link_(net, "P4")->material, "ductile_iron") == 0 &&
	    link_(net, "P4")->install_year == 0, "P4: material, install year unknown");
	ok(strcmp(link_(net, "P2")->material, "pvc") == 0 && link_(net, "P2")->install_year == 1990 &&
	    link_(net, "P2")->asset_diameter == link_(net, "P2")->diameter,
	    "P2: empty diameter keeps the model's; duplicate row ignored");
	is_str(link_(net, "P7")->street, "Quoted, Street", "quoted field with a comma");
	const struct aw_link *p3 = link_(net, "P3");
	ok(strcmp(p3->material, "unknown") == 0 && p3->install_year == 0 && !p3->street &&
	    p3->asset_diameter == p3->diameter, "P3 not in the register: defaults");
	aw_rval = 0;
	aw_net_free(net);

	net = aw_net_load(NET "tiny.inp");
	ok(aw_net_sensors_from_tags(net, 0) == 7, "without AMR: 3 pressure, 1 level, 3 flow");
	aw_net_free(net);
}

static void test_us(void)
{
	aw_setprog("t-inp");
	capture_begin();
	struct aw_net *net = aw_net_load(NET "us.inp");
	const char *err = capture_end();
	ok(net && net->nerrors == 0, "us.inp loads without errors (trailing NULs ignored)");
	is_str(err, "t-inp: " NET "us.inp:15: skipping unknown section [Foo]\n",
	    "unknown section noted");
	ok(aw_rval == 0, "a note does not change the exit status");
	is_str(net->flow_units, "GPM", "GPM from [OPTIONS] at the end");
	ok(net->us_units, "GPM is US customary");
	is_str(net->headloss, "D-W", "D-W");
	ok(net->njunctions == 4 && net->npipes == 4 && net->nvalves == 1 && net->nreservoirs == 1,
	    "us.inp counts ([PIPES] before [JUNCTIONS])");
	const struct aw_link *p10 = link_(net, "10");
	is_num(p10->length, 304.8, 1e-9, "1000 ft -> 304.8 m");
	is_num(p10->diameter, 0.3048, 1e-12, "12 in -> 0.3048 m");
	is_num(p10->roughness, 0.1524, 1e-12, "D-W 0.5 millifeet -> 0.1524 mm");
	ok(p10->closed, "closed by [STATUS]");
	ok(link_(net, "11")->check && !link_(net, "11")->closed, "CV in the minor-loss column");
	is_num(node(net, "2")->elev, 30.48, 1e-9, "100 ft elevation -> 30.48 m");
	is_num(node(net, "1")->elev, 60.96, 1e-9, "reservoir head 200 ft -> 60.96 m");
	is_num(node(net, "2")->demand, 100 * 0.0630901964, 1e-9,
	    "[DEMANDS] replace the junction demand (60 + 40 gpm)");
	is_num(node(net, "3")->demand, 50 * 0.0630901964, 1e-9, "50 gpm in L/s");
	ok(net->ndemands == 2, "two demand categories");
	is_str(net->demands[1].category, "commercial", "demand category from the comment");
	is_num(node(net, "3")->emitter, 0.0630901964 / sqrt(0.3048 / 0.4333), 1e-9,
	    "emitter gpm/psi^0.5 -> L/s per m^0.5");
	ok(node(net, "Main St") != NULL, "quoted id with a blank");
	const struct aw_link *v = link_(net, "V1");
	is_num(v->setting, 50 * 0.3048 / 0.4333, 1e-9, "PRV 50 psi in m of head");
	is_num(v->diameter, 6 * 0.0254, 1e-12, "valve 6 in");
	ok(link_(net, "13") && link_(net, "13")->n2 == (size_t)(node(net, "Main St") - net->nodes),
	    "space-separated line with a quoted node");
	ok(net->duration == 86400 && net->hydraulic_step == 900 && net->pattern_step == 1800 &&
	    net->start_clock == 18 * 3600, "[TIMES]: 24 HOURS, 0:15, 30 min, 6 PM");
	is_str(node(net, "2")->tag, "zoneA", "node tag");
	is_str(p10->tag, "cast_iron", "link tag");
	ok(p10->nvert == 2 && p10->vx[1] == 6, "vertices");
	aw_net_free(net);
}

static void test_bad(void)
{
	aw_setprog("t-inp");
	aw_rval = 0;
	capture_begin();
	struct aw_net *net = aw_net_load(NET "bad.inp");
	const char *err = capture_end();
	ok(net != NULL, "a file with bad lines still loads");
	is_str(err,
	    "t-inp: " NET "bad.inp:1: text outside any section\n"
	    "t-inp: " NET "bad.inp:4: junction J2: elevation 'ten' is not a number\n"
	    "t-inp: " NET "bad.inp:5: duplicate node id J1\n"
	    "t-inp: " NET "bad.inp:6: junction needs at least 2 fields, got 1\n"
	    "t-inp: " NET "bad.inp:9: pipe P2: unknown node J9\n"
	    "t-inp: " NET "bad.inp:10: pipe needs at least 6 fields, got 4\n"
	    "t-inp: " NET "bad.inp:11: pipe P4: length, diameter and roughness must be positive\n"
	    "t-inp: " NET "bad.inp:12: pipe P5: connects node J1 to itself\n"
	    "t-inp: " NET "bad.inp:13: duplicate link id P1\n"
	    "t-inp: " NET "bad.inp:17: valve V1: unknown valve type 'XYZ'\n"
	    "t-inp: " NET "bad.inp:19: unknown flow units 'BARRELS'\n"
	    "t-inp: " NET "bad.inp:21: bad duration 'long'\n"
	    "t-inp: " NET "bad.inp:23: coordinates: unknown node J7\n"
	    "t-inp: " NET "bad.inp:24: skipping unknown section [Nonsense]\n",
	    "malformed lines reported as file:line in line order");
	ok(net->nerrors == 13 && aw_rval == 1, "13 errors counted, exit status 1");
	ok(net->njunctions == 2 && net->npipes == 1 && node(net, "J3") && link_(net, "P1"),
	    "the good lines are kept");
	aw_net_free(net);

	capture_begin();
	net = aw_net_load(NET "does-not-exist.inp");
	err = capture_end();
	ok(net == NULL, "missing file gives NULL");
	is_str(err, "t-inp: " NET "does-not-exist.inp: No such file or directory\n",
	    "missing file reported");
	aw_rval = 0;
}

/* every network in ../shared/data with the counts of its README */
static void test_shared(void)
{
	static const struct {
		const char *file;
		size_t j, r, t, p, pu, v;
		const char *units;
	} nets[] = {
		{ SHARED "/battledim/L-TOWN.inp", 782, 2, 1, 905, 1, 3, "CMH" },
		{ SHARED "/epanet-networks/Net1.inp", 9, 1, 1, 12, 1, 0, "GPM" },
		{ SHARED "/epanet-networks/Net2.inp", 35, 0, 1, 40, 0, 0, "GPM" },
		{ SHARED "/epanet-networks/Net3.inp", 92, 2, 3, 117, 2, 0, "GPM" },
		{ SHARED "/epanet-networks/Anytown.inp", 19, 3, 0, 40, 1, 0, "GPM" },
		{ SHARED "/epanet-networks/Hanoi.inp", 31, 1, 0, 34, 0, 0, "LPS" },
		{ SHARED "/epanet-networks/BWSN_Network_1.inp", 126, 1, 2, 168, 2, 8, "GPM" },
		{ SHARED "/epanet-networks/Modena_MOD.inp", 268, 4, 0, 317, 0, 0, "LPS" },
		{ SHARED "/epanet-networks/Richmond_standard.inp", 865, 1, 6, 949, 7, 1, "LPS" },
	};
	struct stat st;

	if (stat(SHARED, &st) != 0) {
		ok(1, "shared networks # SKIP %s absent", SHARED);
		return;
	}
	for (size_t i = 0; i < AW_NELEM(nets); i++) {
		struct aw_net *net = aw_net_load(nets[i].file);
		if (!net) {
			ok(0, "%s loads", nets[i].file);
			continue;
		}
		ok(net->nerrors == 0 && net->njunctions == nets[i].j && net->nreservoirs == nets[i].r &&
		    net->ntanks == nets[i].t && net->npipes == nets[i].p && net->npumps == nets[i].pu &&
		    net->nvalves == nets[i].v && strcmp(net->flow_units, nets[i].units) == 0,
		    "%s: %zu/%zu/%zu/%zu/%zu/%zu %s", nets[i].file, net->njunctions,
		    net->nreservoirs, net->ntanks, net->npipes, net->npumps, net->nvalves,
		    net->flow_units);
		if (i == 0) {
			ok(net->ndemands == 2346 && net->npatterns == 3 && net->ncontrols == 2 &&
			    net->ncurves == 1, "L-Town: 2346 demands, 3 patterns, 2 controls, 1 curve");
			ok(net->duration == 168 * 3600 && net->hydraulic_step == 300,
			    "L-Town: 168 h at 5 min");
			size_t ns = aw_net_sensors_from_tags(net, 1), np = 0, na = 0, nf = 0, nl = 0;
			for (size_t k = 0; k < net->nsensors; k++) {
				const char *kind = net->sensors[k].kind;
				np += strcmp(kind, "pressure") == 0;
				na += strcmp(kind, "amr_demand") == 0;
				nf += strcmp(kind, "flow") == 0;
				nl += strcmp(kind, "level") == 0;
			}
			ok(ns == 119 && np == 33 && na == 82 && nf == 3 && nl == 1,
			    "L-Town tags: 33 pressure, 82 AMR, 3 flow, 1 level");
			is_num(node(net, "n54")->demand, (0.0848 + 0.00664) / 3.6, 1e-12,
			    "L-Town n54 demand from [DEMANDS], m3/h -> L/s");
		}
		aw_net_free(net);
	}
}

int main(void)
{
	test_tiny();
	test_us();
	test_bad();
	test_shared();
	return tap_done();
}
