/* aw_impact: isolation, downstream, accounts, critical customers, consequence and the
 * recommended inspection on tests/data/net/tiny.inp (drawn in t-graph.c). Shortest-path
 * tree from R1, R2 and T1 (valves and pumps weigh 0): J1 <- P1; J11 <- P12; J2 <- V2;
 * J3 <- P3; J4 <- P5; J5 <- P6; J6 <- V1; J7 <- P7; J8 <- P8; J9 <- P9; J10 <- P10. */
#include <stdlib.h>
#include <string.h>

#include "aw_impact.h"
#include "tap.h"

static size_t L(const struct aw_net *net, const char *id)
{
	size_t i;
	if (!aw_net_link(net, id, &i))
		abort();
	return i;
}

static void test_impact(struct aw_impact_net *in)
{
	struct aw_net *net = in->net;
	struct aw_impact im;
	size_t l;

	l = L(net, "P6");
	aw_impact_compute(in, &l, 1, &im);
	is_num(im.nodes[AW_IMP_ISOLATED], 4, 0, "closing P6 cuts off J5-J8 (P11 is closed)");
	is_num(im.demand[AW_IMP_ISOLATED], 3.5, 1e-9, "their demand");
	is_num(im.accounts[AW_IMP_ISOLATED], 4, 0, "their accounts A1-A4");
	is_num(im.nodes[AW_IMP_ON_PIPE], 2, 0, "J4 and J5 on the pipe");
	is_num(im.nodes[AW_IMP_DOWNSTREAM], 4, 0, "the subtree under P6");
	is_num(im.ncrit_hit, 1, 0, "one critical customer");
	is_num(im.crit_group[0], AW_IMP_ISOLATED, 0, "the hospital is cut off");
	struct aw_consequence c;
	aw_consequence(in, l, 41.5, &im, &c);
	is_num(c.critical, 3, 0, "a hospital weighs 3");
	is_num(c.diameter * c.diameter, 100.0 / 150, 1e-9, "sqrt(d / 150 mm)");
	is_num(c.quality, 0.25, 0, "cast iron: discolouration");
	double d = 3.5 + 0.5 * 3 + 0.25 * 3.5, mean = 9.2 / 10;
	is_num(c.customers, log1p(d / mean), 1e-9, "customers term");
	is_num(c.value, (1 + c.customers) * 2.5 * c.diameter * 1.25, 1e-9, "consequence");
	aw_impact_free(&im);

	l = L(net, "P12");
	aw_impact_compute(in, &l, 1, &im);
	is_num(im.nodes[AW_IMP_ISOLATED], 1, 0, "closing P12 cuts off J11: PRV V2 passes J11 -> J2 only");
	is_num(im.nodes[AW_IMP_DOWNSTREAM], 8, 0, "J11, J2, J3 and the south are fed through P12");
	aw_impact_free(&im);

	l = L(net, "P1");
	aw_impact_compute(in, &l, 1, &im);
	is_num(im.nodes[AW_IMP_ISOLATED], 0, 0, "J1 has another way (from R2 through V2 and P2)");
	is_num(im.nodes[AW_IMP_DOWNSTREAM], 1, 0, "only J1 is below P1");
	is_num(im.nodes[AW_IMP_ON_PIPE], 1, 0, "R1 is no customer");
	aw_impact_free(&im);

	l = L(net, "P2");
	aw_impact_compute(in, &l, 1, &im);
	is_num(im.nodes[AW_IMP_DOWNSTREAM], 1, 0, "a pipe closing a loop: its far end only");
	aw_impact_free(&im);

	size_t two[2] = { L(net, "P10"), L(net, "P12") };
	aw_impact_compute(in, two, 2, &im);
	is_num(im.nodes[AW_IMP_ISOLATED], 2, 0, "two pipes: J10 and J11 cut off");
	is_num(im.accounts[AW_IMP_ISOLATED], 1, 0, "account A5");
	aw_impact_free(&im);

	char *json = aw_impact_json(in, two, 2);
	ok(json && strstr(json, "\"pipes\":[\"P10\",\"P12\"]") &&
	    strstr(json, "\"isolated\":{\"nodes\":2,\"demand_lps\":0.7,\"accounts\":1,\"account_ids\":[\"A5\"]}"),
	    "customers object");
	ok(json && strstr(json, "\"critical\":[{\"node\":\"J7\",\"name\":\"St Mary's Hospital\","
	    "\"kind\":\"hospital\",\"impact\":\"downstream\"}"), "critical customers downstream");
	free(json);
	ok(aw_impact_json(in, two, 0) == NULL, "no pipe, no object");
}

static void test_inspection(struct aw_net *net)
{
	struct aw_inspection x;
	aw_recommend_inspection(&net->links[L(net, "P6")], 2, 3, &x);
	is_str(x.code, "renewal_review", "repeated breaks: renewal");
	aw_recommend_inspection(&net->links[L(net, "P1")], 0, 1, &x);
	is_str(x.code, "condition_assessment", "300 mm main");
	aw_recommend_inspection(&net->links[L(net, "P7")], 0, 0, &x);
	is_str(x.code, "ground_microphone", "pvc");
	aw_recommend_inspection(&net->links[L(net, "P3")], 0, 0, &x);
	is_str(x.code, "acoustic_correlator", "ductile iron");
}

int main(void)
{
	struct aw_impact_net in;
	const char *why;

	aw_setprog("t-impact");
	struct aw_config *cfg = aw_config_read("tests/data/risk/aquawatch.yaml");
	if (!cfg)
		return 1;
	struct aw_net *net = aw_net_from_config(cfg, NULL, NULL, &why);
	ok(net != NULL, "network of the configuration");
	if (!net)
		return tap_done();
	ok(net->links[L(net, "P6")].material && !strcmp(net->links[L(net, "P6")].material,
	    "cast_iron"), "with its asset register");
	char *acc = aw_config_file(cfg, "accounts.csv");
	ok(aw_impact_net_init(&in, net, cfg, acc) == 0, "accounts and critical customers");
	free(acc);
	is_num(in.naccounts, 6, 0, "six accounts");
	is_num(in.ncrit, 2, 0, "two critical customers");
	is_num(in.mean_demand, 9.2 / 10, 1e-12, "mean demand of the junctions with demand");
	test_impact(&in);
	test_inspection(net);
	aw_impact_net_free(&in);
	aw_net_free(net);

	struct aw_config none = { 0 };
	ok(aw_net_from_config(&none, NULL, NULL, &why) == NULL && why, "no network configured");
	aw_config_free(cfg);
	return tap_done();
}
