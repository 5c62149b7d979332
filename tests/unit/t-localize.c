/* Drops, day-to-day modes, prior, posterior and the validation checks, on numbers worked out
 * by hand and on tests/data/loc/line.inp:
 *
 *   R1 -P1- J1 -P2- J2 -P3- J3 -P4- J4 -P5- J5 -P6- J6      every pipe 200 m
 *                            |
 *                           P7
 *                            |
 *                           J7 -P8- J8
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_localize.h"
#include "aw_time.h"
#include "aw_validate.h"
#include "tap.h"

static int64_t T(const char *s)
{
	int64_t t;
	int z;
	if (aw_parse_time(s, strlen(s), &t, &z))
		abort();
	return t;
}

static void test_windows(void)
{
	struct aw_drop_opts o = AW_DROP_OPTS_DEFAULT;
	int64_t f[8], t[8];
	o.days = 3;
	aw_drop_windows(&o, T("2019-03-08T08:00:00Z"), f, t);
	ok(f[0] == T("2019-03-08T10:00:00Z") && t[0] == T("2019-03-08T14:00:00Z"), "after window 2-6 h");
	ok(f[1] == T("2019-03-07T10:00:00Z") && t[3] == T("2019-03-05T14:00:00Z"), "baseline: the days before");
	o.from = 24 * 3600;
	o.to = 30 * 3600;
	aw_drop_windows(&o, T("2019-03-08T08:00:00Z"), f, t);
	ok(f[1] == T("2019-03-07T08:00:00Z") && t[1] == T("2019-03-07T14:00:00Z"),
	    "a window a day after the onset: baseline from the day before the onset");
	ok(t[1] <= T("2019-03-08T08:00:00Z"), "baseline windows end before the onset");

	/* the same local hours across a DST change (Europe/Berlin, 2019-03-31) */
	o = (struct aw_drop_opts)AW_DROP_OPTS_DEFAULT;
	o.days = 1;
	aw_tz_set("Europe/Berlin");
	aw_drop_windows(&o, T("2019-04-01T06:00:00Z"), f, t);	/* 08:00 CEST */
	ok(f[1] == T("2019-03-31T08:00:00Z"), "10:00 local the day before, still CEST: 08:00Z");
	aw_drop_windows(&o, T("2019-03-31T06:00:00Z"), f, t);
	ok(f[1] == T("2019-03-30T09:00:00Z"), "10:00 local the day before, CET: 09:00Z");
	aw_tz_set("UTC");
}

static void test_parse_window(void)
{
	long f, t;
	ok(aw_drop_parse_window("2h-6h", &f, &t) == 0 && f == 7200 && t == 21600, "2h-6h");
	ok(aw_drop_parse_window("0-90m", &f, &t) == 0 && f == 0 && t == 5400, "0-90m");
	ok(aw_drop_parse_window("6h-2h", &f, &t) == -1, "backwards");
	ok(aw_drop_parse_window("6h", &f, &t) == -1 && aw_drop_parse_window("x-1h", &f, &t) == -1, "malformed");
}

static void test_window_sums(void)
{
	struct aw_windows *w = aw_windows_new();
	size_t a = aw_windows_add(w, 100, 200), b = aw_windows_add(w, 150, 400);
	aw_windows_feed(w, 3, 99, 1, 0);
	aw_windows_feed(w, 3, 100, 2, 0);
	aw_windows_feed(w, 3, 160, -4, 0);
	aw_windows_feed(w, 3, 170, 9, aw_qc_bit("spike"));
	aw_windows_feed(w, 3, 200, 8, 0);
	aw_windows_feed(w, 0, 399, 5, aw_qc_bit("gap"));
	struct aw_wstat x = aw_windows_get(w, a, 3), y = aw_windows_get(w, b, 3), z = aw_windows_get(w, b, 0);
	is_num(x.sum, -2, 0, "window [100,200): 2 + -4");
	ok(x.n == 2 && x.negative == 1 && x.flagged == 1, "counts, negatives and flags");
	ok(y.n == 2 && y.sum == 4, "overlapping window [150,400): -4 and 8 (200 is in it)");
	ok(z.flagged == 1 && z.flags == aw_qc_bit("gap") && z.n == 0, "another sensor: a gap");
	is_str(aw_qc_name(x.flags), "spike", "the flag's name");
	ok(aw_qc_bit("ok") == 0 && aw_qc_bit(NULL) == 0 && aw_qc_bit("weird") == aw_qc_bit("other"),
	    "ok, none and unknown flags");
	struct aw_wstat e = aw_windows_get(w, a, 99);
	ok(e.n == 0 && e.sum == 0, "a sensor never fed");
	aw_windows_free(w);
}

static void test_drop(void)
{
	struct aw_drop_opts o = AW_DROP_OPTS_DEFAULT;
	struct aw_wstat st[8] = { 0 };
	struct aw_drop d;
	o.days = 3;
	st[0] = (struct aw_wstat){ .sum = 16.0, .n = 4 };	/* after: 4.0 */
	st[1] = (struct aw_wstat){ .sum = 16.4, .n = 4 };	/* 4.1 */
	st[2] = (struct aw_wstat){ .sum = 16.8, .n = 4 };	/* 4.2 */
	st[3] = (struct aw_wstat){ .sum = 16.0, .n = 4 };	/* 4.0 */
	ok(aw_drop_estimate(&o, st, &d) == 0, "enough data");
	is_num(d.drop, 0.1, 1e-12, "drop = 4.1 - 4.0");
	is_num(d.sd, 0.1 * sqrt(4.0 / 3), 1e-12, "sd: day-to-day 0.1, times sqrt(1 + 1/3)");
	ok(d.days == 3, "three baseline days");
	st[3].n = 2;
	ok(aw_drop_estimate(&o, st, &d) == -1 && isnan(d.drop), "a day with too few samples: two days left, too few");
	o.min_days = 2;
	ok(aw_drop_estimate(&o, st, &d) == 0 && d.days == 2, "two days are enough when asked");
	is_num(d.drop, 0.15, 1e-12, "drop against 4.1 and 4.2");
	st[0].n = 0;
	ok(aw_drop_estimate(&o, st, &d) == -1, "no readings after the onset");
	st[0] = (struct aw_wstat){ .sum = 16.0, .n = 4 };
	st[1] = st[2] = st[3] = (struct aw_wstat){ .sum = 16.4, .n = 4 };
	aw_drop_estimate(&o, st, &d);
	is_num(d.sd, o.sd_floor, 0, "identical days: sd at the floor");
}

static void test_mode(void)
{
	/* 4 sensors, 5 baseline days: each day's deviation is u[k] * D[s] (busier days lower
	 * every pressure, the farther sensors more), plus the drop after the onset */
	struct aw_drop_opts o = AW_DROP_OPTS_DEFAULT;
	const double u[5] = { 1, -1, 0.5, -0.5, 0 }, D[4] = { 0.01, 0.02, 0.04, 0.08 };
	const double base[4] = { 5, 4.8, 4.6, 4.4 }, leak[4] = { 0.05, 0.01, 0, 0 };
	struct aw_wstat st[4 * 6];
	struct aw_drop d[4];
	o.days = 5;
	for (int s = 0; s < 4; s++) {
		st[s * 6] = (struct aw_wstat){ .sum = 4 * (base[s] - leak[s] + 0.7 * D[s]), .n = 4 };
		for (int k = 0; k < 5; k++)
			st[s * 6 + 1 + k] = (struct aw_wstat){ .sum = 4 * (base[s] + u[k] * D[s]), .n = 4 };
		aw_drop_estimate(&o, st + s * 6, &d[s]);
	}
	ok(d[3].sd > 0.05, "raw day-to-day spread of the far sensor: large");
	double share = aw_drop_mode(&o, st, 4, d);
	is_num(share, 1, 1e-9, "one mode explains all the day-to-day variance");
	is_num(d[3].mode[0] / d[0].mode[0], 8, 1e-6, "loadings in proportion to D");
	is_num(d[3].sd, o.sd_floor, 1e-12, "what is left: nothing, sd at the floor");
	d[2].drop = NAN;
	ok(isnan(aw_drop_mode(&o, st, 2, d)), "fewer than three sensors: no mode");
}

static void test_prior(void)
{
	struct aw_link l = { 0 };
	l.material = "cast_iron";
	l.install_year = 1950;
	is_num(aw_pipe_prior(&l, 2019), 0.01 * 2.8 / 3, 1e-15, "cast iron, 69 years: age factor 1");
	l.material = "pvc";
	l.install_year = 2015;
	is_num(aw_pipe_prior(&l, 2019), 0.01 * (1 + 0.08 + 0.3) / 3, 1e-15, "pvc, 4 years");
	l.material = "pe";
	l.install_year = 0;
	is_num(aw_pipe_prior(&l, 2019), 0.01 * 2.1 / 3, 1e-15, "other material, unknown age: .6 and .5");
	l.material = NULL;
	l.install_year = 2030;
	is_num(aw_pipe_prior(&l, 2019), 0.01 * 1.6 / 3, 1e-15, "installed after the event: age 0");
	l.material = "asbestos_cement";
	l.install_year = 1994;
	is_num(aw_pipe_prior(&l, 2019), 0.01 * (1 + 0.5 + 0.9) / 3, 1e-15, "asbestos cement, 25 years");
}

static void test_fit(void)
{
	double g[4] = { 1, 0.5, 0.25, 0 }, y[4] = { 2, 1, 0.5, 0 }, w[4] = { 1, 1, 1, 1 }, a;
	is_num(aw_loc_fit(y, g, w, 4, &a), 0, 1e-15, "exact fit");
	is_num(a, 2, 1e-15, "amplitude 2");
	double yn[4] = { -1, -0.5, 0, 0 };
	is_num(aw_loc_fit(yn, g, w, 4, &a), 1.25, 1e-15, "rises where a leak lowers: a = 0, rss = sum y^2");
	ok(a == 0, "no negative leak");
	double w2[4] = { 4, 1, 1, 1 }, y2[4] = { 1, 1, 0, 0 };
	aw_loc_fit(y2, g, w2, 4, &a);
	is_num(a, (4 * 1 + 0.5) / (4 * 1 + 0.25 + 0.0625), 1e-15, "weighted: sum w g y / sum w g^2");
}

static void test_spearman(void)
{
	double x[5] = { 1, 2, 3, 4, 5 }, y[5] = { 10, 20, 30, 40, 50 }, r[5] = { 5, 4, 3, 2, 1 };
	double t[5] = { 1, 1, 2, 2, 3 };
	is_num(aw_spearman(x, y, 5), 1, 1e-12, "monotone: 1");
	is_num(aw_spearman(x, r, 5), -1, 1e-12, "reversed: -1");
	is_num(aw_spearman(x, t, 5), 0.9486832980505138, 1e-12, "ties get mean ranks (as scipy)");
	ok(isnan(aw_spearman(x, (double[5]){ 2, 2, 2, 2, 2 }, 5)), "constant: undefined");
}

static struct aw_net *line_net(void)
{
	struct aw_net *net = aw_net_load("tests/data/loc/line.inp");
	if (!net || aw_net_load_assets(net, "tests/data/loc/assets.csv") < 0)
		abort();
	return net;
}

static size_t N(const struct aw_net *net, const char *id)
{
	size_t i;
	if (!aw_net_node(net, id, &i))
		abort();
	return i;
}

static const char *P(const struct aw_net *net, const struct aw_cand *c)
{
	return net->links[c->link].id;
}

static void test_localize(void)
{
	struct aw_net *net = line_net();
	const char *at[5] = { "J1", "J2", "J4", "J6", "J8" };
	/* a leak at J3: large drops at J2 and J4 on either side, less farther away */
	const double drop[5] = { 0.010, 0.050, 0.045, 0.015, 0.020 };
	struct aw_loc_obs obs[5];
	struct aw_cand *c = calloc(net->nlinks, sizeof *c);
	for (int i = 0; i < 5; i++)
		obs[i] = (struct aw_loc_obs){ .node = N(net, at[i]), .col = -1, .drop = drop[i], .sd = 0.002 };

	struct aw_localizer *L = aw_localizer_new(net, AW_LOC_DISTANCE, NULL);
	size_t n = aw_localize(L, obs, 5, 2019, c);
	ok(n == 8, "every pipe is a candidate");
	ok((!strcmp(P(net, &c[0]), "P3") && !strcmp(P(net, &c[1]), "P4")) ||
	    (!strcmp(P(net, &c[0]), "P4") && !strcmp(P(net, &c[1]), "P3")),
	    "a leak between J2 and J4: the pipes between them first (%s, %s)", P(net, &c[0]), P(net, &c[1]));
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += c[i].post;
	is_num(sum, 1, 1e-12, "posteriors add up to 1");
	ok(c[0].post >= c[1].post && c[1].post >= c[n - 1].post, "best first");
	is_num(c[0].dist, 100, 1e-9, "distance from the pipe's middle to the nearest sensor");
	ok(aw_localizer_used(L) == 5, "five drops used");
	for (size_t i = 0; i < n; i++)
		if (!strcmp(P(net, &c[i]), "P3"))
			is_str(net->nodes[c[i].node].id, "J2", "P3: the end towards the largest drop");

	/* no drops at all: the prior decides (P5, asbestos cement 1970, is the most likely) */
	for (int i = 0; i < 5; i++)
		obs[i].drop = NAN;
	n = aw_localize(L, obs, 5, 2019, c);
	is_str(P(net, &c[0]), "P5", "without drops: the prior's favourite");
	ok(aw_localizer_used(L) == 0, "no drops used");
	aw_localizer_free(L);

	/* sensitivity: drops that follow P4's row (and a common day-to-day mode) */
	struct aw_sensmat *m = aw_sensmat_load(net, "tests/data/loc/sens.csv");
	ok(m && m->nrows == 8 && m->ncols == 5, "matrix: 8 pipes x 5 sensors");
	const char *ids[5] = { "PT-J1", "PT-J2", "PT-J4", "PT-J6", "PT-J8" };
	ok(aw_sensmat_col(m, "PT-J1", "J1") == 0 && aw_sensmat_col(m, "PT-J8", "J8") == 4,
	    "columns by node and by sensor id");
	ok(aw_sensmat_col(m, "X", "J7") == -1, "no column");
	const double p4[5] = { 0.002, 0.004, 0.007, 0.007, 0.006 }, mode[5] = { 1, 2, 3, 4, 3 };
	for (int i = 0; i < 5; i++) {
		obs[i].col = aw_sensmat_col(m, ids[i], at[i]);
		obs[i].drop = 3 * p4[i] + 0.004 * mode[i];
		obs[i].mode[0] = mode[i];
	}
	L = aw_localizer_new(net, AW_LOC_SENSITIVITY, m);
	aw_localize(L, obs, 5, 2019, c);
	is_str(P(net, &c[0]), "P4", "sensitivity: the pipe whose pattern the drops follow");
	is_num(c[0].amp, 3, 1e-6, "its leak: 3 L/s (the matrix is kept as float)");
	aw_localizer_free(L);
	aw_sensmat_free(m);
	free(c);
	aw_net_free(net);
}

static void test_checks(void)
{
	struct aw_validate_opts o = AW_VALIDATE_OPTS_DEFAULT;
	struct aw_vsensor s[4];
	struct aw_check c;
	memset(s, 0, sizeof s);
	s[0] = (struct aw_vsensor){ .id = "S", .role = AW_V_SUPPLY, .drop = { .drop = 0.010, .sd = 0.002 }, .dist = 600 };
	s[1] = (struct aw_vsensor){ .id = "A", .role = AW_V_AREA, .drop = { .drop = 0.050, .sd = 0.002 }, .dist = 100 };
	s[2] = (struct aw_vsensor){ .id = "B", .role = AW_V_AREA, .drop = { .drop = 0.030, .sd = 0.002 }, .dist = 300 };
	s[3] = (struct aw_vsensor){ .id = "T", .role = AW_V_LEVEL, .drop = { .drop = 0.05, .sd = 0.01 }, .dist = NAN };
	aw_check_supply(&o, s, 4, &c);
	ok(c.passed, "supply: %s", c.detail);
	s[0].drop.drop = 0.045;
	aw_check_supply(&o, s, 4, &c);
	ok(!c.passed, "supply fell 90%% of the largest drop: %s", c.detail);
	s[0].drop.drop = 0.010;
	s[3].drop.drop = 0.3;
	aw_check_supply(&o, s, 4, &c);
	ok(!c.passed, "tank level fell in step: %s", c.detail);
	s[3].drop.drop = 0.05;

	aw_check_spatial(&o, s, 4, "P3", &c);
	ok(c.passed, "drops fall off with distance: %s", c.detail);
	s[0].drop.drop = 0.06;
	aw_check_spatial(&o, s, 4, "P3", &c);
	ok(!c.passed, "the farthest drops most: %s", c.detail);
	aw_check_spatial(&o, s, 4, NULL, &c);
	ok(c.passed && strstr(c.detail, "no localization"), "no localization: nothing to check");

	struct aw_vsensor in[2] = { { .id = "FM", .role = AW_V_INLET, .flow = { .n = 20, .negative = 1 } } };
	aw_check_reverse(&o, in, 1, &c);
	ok(c.passed, "one negative reading in 20: %s", c.detail);
	in[0].flow.negative = 5;
	aw_check_reverse(&o, in, 1, &c);
	ok(!c.passed, "a quarter below zero: %s", c.detail);

	s[1].listed = s[2].listed = 1;
	aw_check_faults(s, 4, &c);
	ok(c.passed, "no flags: %s", c.detail);
	s[2].onset = (struct aw_wstat){ .n = 1, .flagged = 2, .flags = aw_qc_bit("spike") | aw_qc_bit("stuck") };
	aw_check_faults(s, 4, &c);
	ok(!c.passed && strstr(c.detail, "B: 2 of 3 readings flagged (spike, stuck)"), "flags: %s", c.detail);
	s[0].onset.flagged = 3;
	aw_check_faults(s, 4, &c);
	ok(!strstr(c.detail, "S:"), "only the event's sensors count");
	s[2].onset = (struct aw_wstat){ .n = 23, .flagged = 1, .flags = aw_qc_bit("gap") };
	aw_check_faults(s, 4, &c);
	ok(c.passed, "one gap in 24 readings: %s", c.detail);
	s[2].onset = (struct aw_wstat){ .n = 11, .flagged = 13, .flags = aw_qc_bit("gap") };
	aw_check_faults(s, 4, &c);
	ok(!c.passed, "more gaps than data: %s", c.detail);

	struct aw_operations ops = { 0 };
	ok(aw_operations_load(&ops, "tests/data/loc/operations.csv") == 0 && ops.n == 4, "operations log");
	ok(aw_operation_relevant("Hydrant flushing") && aw_operation_relevant("FIRE FLOW") &&
	    !aw_operation_relevant("leak repair"), "relevant types");
	aw_check_operations(&ops, "line", T("2019-03-08T07:00:00Z"), T("2019-03-08T14:00:00Z"), &c);
	ok(!c.passed && strstr(c.detail, "WO-4"), "valve work in the DMA during the event: %s", c.detail);
	aw_check_operations(&ops, "line", T("2019-03-08T09:30:00Z"), T("2019-03-08T14:00:00Z"), &c);
	ok(c.passed, "after the valve work; the fire-flow test is in another DMA: %s", c.detail);
	aw_check_operations(&ops, "line", T("2019-03-01T11:00:00Z"), T("2019-03-01T11:30:00Z"), &c);
	ok(!c.passed && strstr(c.detail, "WO-2"), "flushing anywhere: %s", c.detail);
	aw_check_operations(NULL, "line", 0, 1, &c);
	ok(c.passed, "no log: passed");
	aw_operations_free(&ops);
}

int main(void)
{
	aw_tz_set("UTC");
	test_windows();
	test_parse_window();
	test_window_sums();
	test_drop();
	test_mode();
	test_prior();
	test_fit();
	test_spearman();
	test_localize();
	test_checks();
	return tap_done();
}
