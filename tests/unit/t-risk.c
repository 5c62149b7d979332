/* aw_risk: the prior, break history, weather, SCADA windows, static head, features, the
 * model file and AUC, on tests/data/net/tiny.inp (drawn in t-graph.c) with the register
 * and history of tests/data/risk. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw_risk.h"
#include "aw_time.h"
#include "tap.h"

static size_t L(const struct aw_net *net, const char *id)
{
	size_t i;
	if (!aw_net_link(net, id, &i))
		abort();
	return i;
}

static size_t N(const struct aw_net *net, const char *id)
{
	size_t i;
	if (!aw_net_node(net, id, &i))
		abort();
	return i;
}

static int64_t T(const char *s)
{
	int64_t t;
	int z;
	if (aw_parse_time(s, strlen(s), &t, &z) != 0)
		abort();
	return t;
}

static char *tmpfile_with(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/t-risk.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

static void test_prior(void)
{
	is_num(aw_material_factor("pvc"), .3, 0, "pvc .3");
	is_num(aw_material_factor("ductile_iron"), .5, 0, "ductile iron .5");
	is_num(aw_material_factor("cast_iron"), .8, 0, "cast iron .8");
	is_num(aw_material_factor("ci"), .8, 0, "ci is cast iron");
	is_num(aw_material_factor("asbestos_cement"), .9, 0, "asbestos cement .9");
	is_num(aw_material_factor("pe"), .6, 0, "other materials .6");
	is_num(aw_material_factor(NULL), .6, 0, "no material .6");
	is_num(aw_age_factor(25), .5, 1e-12, "age factor 25/50");
	is_num(aw_age_factor(80), 1, 0, "age factor capped at 1");
	is_num(aw_age_factor(NAN), .5, 0, "unknown age counts as 25 years");
	is_num(aw_age_factor(-3), 0, 0, "no negative age");
	is_num(aw_risk_prior(60, "asbestos_cement"), 0.01 * 2.9 / 3, 1e-15, "prior 0.01 (1+age+mat)/3");
	is_num(aw_risk_prior(0, "pvc"), 0.01 * 1.3 / 3, 1e-15, "prior of a new pvc pipe");
}

static void test_breaks(struct aw_net *net)
{
	struct aw_breaks b;
	struct aw_record r = { 0 };
	const char *err;

	aw_breaks_init(&b, net);
	is_num(aw_breaks_read_csv(&b, net, "tests/data/risk/breaks.csv"), 12, 0,
	    "12 breaks read (no_leak is not one)");
	aw_breaks_finish(&b);
	is_num(b.total, 12, 0, "12 in total");
	is_num(aw_breaks_count(&b, L(net, "P5"), INT64_MIN / 2, INT64_MAX / 2), 5, 0, "P5 broke 5 times");
	is_num(aw_breaks_count(&b, L(net, "P5"), T("2018-01-01"), T("2019-01-01")), 2, 0,
	    "twice in 2018");
	is_num(aw_breaks_count(&b, L(net, "P5"), T("2018-02-20"), T("2018-02-21")), 1, 0,
	    "the window includes its start");
	is_num(aw_breaks_count(&b, L(net, "P5"), T("2018-02-19"), T("2018-02-20")), 0, 0,
	    "and excludes its end");
	ok(aw_breaks_last(&b, L(net, "P5"), T("2018-06-01")) == T("2018-02-20"), "last break before");
	ok(aw_breaks_last(&b, L(net, "P7"), T("2018-06-01")) == INT64_MIN, "none before");
	ok(b.first == T("2017-01-20") && b.last == T("2018-12-01"), "span of the history");
	aw_breaks_free(&b);

	/* headerless, an unknown pipe and a bad date reported */
	char *f = tmpfile_with("P3,2018-04-01\nP99,2018-04-02\nP3,yesterday\nP2,02/05/2018\n");
	aw_breaks_init(&b, net);
	aw_rval = 0;
	is_num(aw_breaks_read_csv(&b, net, f), 2, 0, "headerless rows; DD/MM/YYYY dates");
	ok(aw_rval == 1, "unknown pipe and bad date are errors");
	aw_rval = 0;
	aw_breaks_free(&b);
	unlink(f);

	/* records: labels, closed work orders, and a work order that came with its label */
	static const char *const recs[] = {
		"{\"type\":\"label\",\"pipe\":\"P7\",\"start\":\"2018-03-01T02:00:00Z\",\"label\":\"confirmed_leak\",\"workorder\":\"WO-1\"}",
		"{\"type\":\"workorder\",\"id\":\"WO-1\",\"status\":\"closed\",\"asset_id\":\"P7\",\"outcome\":\"confirmed_leak\",\"updated\":\"2018-03-05T00:00:00Z\"}",
		"{\"type\":\"workorder\",\"id\":\"WO-2\",\"status\":\"closed\",\"asset_id\":\"P7\",\"outcome\":\"probable\",\"updated\":\"2018-07-05T00:00:00Z\"}",
		"{\"type\":\"workorder\",\"id\":\"WO-3\",\"status\":\"approved\",\"asset_id\":\"P7\",\"outcome\":null}",
		"{\"type\":\"label\",\"pipe\":\"P7\",\"start\":\"2018-03-01T09:00:00Z\",\"label\":\"probable\"}",
		"{\"type\":\"label\",\"pipe\":\"P7\",\"start\":\"2018-09-01T00:00:00Z\",\"label\":\"confirmed_no_leak\"}",
		"{\"type\":\"label\",\"event\":\"E-1\",\"label\":\"confirmed_leak\"}",
		"{\"type\":\"reading\",\"sensor\":\"x\"}",
	};
	static const int taken[] = { 1, 1, 1, 0, 1, 0, 0, 0 };
	aw_breaks_init(&b, net);
	int all = 1;
	for (size_t i = 0; i < AW_NELEM(recs); i++) {
		if (aw_json_parse(&r, recs[i], strlen(recs[i]), &err) != 0)
			abort();
		int got = aw_breaks_add_record(&b, net, &r, "recs", (long)i + 1);
		if (got != taken[i]) {
			printf("# record %zu: %d\n", i + 1, got);
			all = 0;
		}
	}
	ok(all, "breaks taken from positive labels of pipes and closed work orders");
	aw_breaks_finish(&b);
	is_num(aw_breaks_count(&b, L(net, "P7"), INT64_MIN / 2, INT64_MAX / 2), 2, 0,
	    "WO-1 counted by its label only, two labels of one day are one break");
	ok(aw_breaks_last(&b, L(net, "P7"), T("2019-01-01")) == T("2018-07-05"),
	    "a closed work order without a label counts at its update");
	aw_breaks_free(&b);
	aw_record_free(&r);
}

static void test_weather(void)
{
	struct aw_weather w = { 0 };
	double x[4];
	char *f = tmpfile_with("\"Date-time CET-CEST (DD/MM/YYYY HH:mm)\",\"Rain\",\"Air temperature (C)\"\n"
	    "01/01/2019 03:00,0,-2\n01/01/2019 15:00,0,6\n02/01/2019 03:00,0,1\n"
	    "02/01/2019 15:00,0,3\n03/01/2019 03:00,0,NaN\n2019-01-05T12:00:00Z,0,10\n");
	int64_t d = T("2019-01-01") / 86400;

	is_num(aw_weather_read(&w, f), 5, 0, "five temperatures (NaN is missing)");
	is_num(aw_weather_window(&w, d, d + 2, x), 2, 0, "two days in the window");
	is_num(x[0], 0.5, 0, "freeze share");
	is_num(x[1], -2, 0, "minimum");
	is_num(x[2], 8, 0, "largest daily range");
	is_num(x[3], 2, 1e-9, "mean of the daily means");
	is_num(aw_weather_window(&w, d + 2, d + 4, x), 0, 0, "no day in a gap");
	ok(isnan(x[0]) && isnan(x[3]), "features of no day are missing");
	is_num(aw_weather_window(&w, d - 10, d + 10, x), 3, 0, "days before and after the file");
	aw_weather_free(&w);
	unlink(f);
}

static void test_scada(struct aw_net *net)
{
	struct aw_scada sc = { 0 };
	double x[3];
	int64_t t = T("2019-01-15");

	for (int h = -80; h < 2; h++) {
		int hr = ((h % 24) + 24) % 24;
		double v = 4 + (hr >= 1 && hr < 4 ? 0.5 : 0) + (h == -30 ? 0.8 : 0);
		aw_scada_add(&sc, "PT-J1", N(net, "J1"), t + h * 3600, v);
	}
	is_num(sc.n, 1, 0, "one sensor");
	is_num(aw_scada_window(&sc.s[0], t, x), 72, 0, "72 readings in the window before t");
	is_num(x[1], 0.8, 1e-6, "largest step: the transient");
	is_num(x[2], 0.5 - 0.8 / 45, 1e-6, "night minus day (the transient is in the day)");
	is_num(x[0], 4 + (9 * 0.5 + 0.8) / 72, 1e-6, "mean");
	ok(sc.latest == t + 3600, "latest reading");
	aw_scada_free(&sc);
}

static void test_static_head(struct aw_net *net)
{
	double *h = calloc(net->nnodes, sizeof *h);
	aw_static_head(net, h);
	is_num(h[N(net, "J1")], 50, 1e-9, "J1 at R1's head");
	is_num(h[N(net, "J11")], 48, 1e-9, "J11 at R2's head");
	is_num(h[N(net, "J2")], 50, 1e-9, "the higher source wins");
	is_num(h[N(net, "J6")], 38, 1e-9, "PRV V1 caps at its setting above J6");
	is_num(h[N(net, "J8")], 38, 1e-9, "through the PRV, not the closed P11");
	is_num(h[N(net, "J9")], 32, 1e-9, "tank T1 at elevation plus level");
	free(h);
}

static void test_features(struct aw_net *net)
{
	struct aw_risk_data d = { .net = net, .horizon = 14 * 86400, .observed_from = INT64_MIN };
	float x[AW_RF_N];

	aw_breaks_init(&d.breaks, net);
	aw_breaks_read_csv(&d.breaks, net, "tests/data/risk/breaks.csv");
	aw_breaks_finish(&d.breaks);
	aw_weather_read(&d.weather, "tests/data/risk/weather.csv");
	int64_t t = T("2019-01-15");
	for (int h = -72; h < 0; h++)
		aw_scada_add(&d.scada, "PT-J7", N(net, "J7"), t + h * 3600, 3);
	aw_risk_data_prepare(&d);
	aw_risk_at(&d, t);
	aw_risk_features(&d, L(net, "P6"), x);
	is_num(x[AW_RF_AGE], 56.54, 0.01, "age of P6 (installed mid 1962)");
	is_num(x[AW_RF_MATERIAL], .8, 1e-6, "material factor");
	is_num(x[AW_RF_DIAMETER], 100, 1e-3, "diameter mm");
	is_num(x[AW_RF_LENGTH], 250, 0, "length");
	is_num(x[AW_RF_STATIC_PRESSURE], 50 - 8.5, 1e-4, "static pressure: head 50 over J4 and J5");
	is_num(x[AW_RF_BREAKS_1Y], 2, 0, "breaks in the last year");
	is_num(x[AW_RF_BREAKS_5Y], 4, 0, "breaks in five years");
	is_num(x[AW_RF_DAYS_SINCE], 128, 0, "days since the last break");
	is_num(x[AW_RF_NBR_BREAKS_1Y], 2, 0, "breaks of P4, P5 and P11 in the year (P5 twice)");
	is_num(x[AW_RF_OBSERVED_YEARS], (double)(t - T("2017-01-20")) / (365.25 * 86400), 1e-4,
	    "observed since the first break");
	is_num(x[AW_RF_PRESSURE_MEAN], 3, 1e-6, "pressure at the nearest sensor");
	is_num(x[AW_RF_SENSOR_DIST], 120 + 125, 1e-3, "J7 is 245 m from the middle of P6 (V1 weighs 0)");
	ok(isnan(x[AW_RF_PRESSURE_NIGHT_DAY]) == 0, "night-day swing present");
	is_num(x[AW_RF_FREEZE_SHARE], 1, 0, "frost every day of the window");
	ok(x[AW_RF_TEMP_MIN] < 0, "minimum below zero");
	aw_risk_features(&d, L(net, "P10"), x);
	ok(isnan(x[AW_RF_DAYS_SINCE]) && x[AW_RF_BREAKS_5Y] == 0, "P10 never broke");
	is_num(x[AW_RF_SENSOR_DIST], 120 + 250 + 100 + 50 + 30, 1e-3,
	    "distances go through pumps and valves");
	aw_risk_at(&d, T("2018-01-15"));
	aw_risk_features(&d, L(net, "P6"), x);
	is_num(x[AW_RF_BREAKS_1Y], 2, 0, "a year earlier: two breaks before");
	ok(isnan(x[AW_RF_PRESSURE_MEAN]) && isnan(x[AW_RF_FREEZE_SHARE]),
	    "no readings or weather then");
	aw_risk_data_free(&d);
}

static void test_model(void)
{
	enum { R = 400, C = 3 };
	float x[R * C], y[R], m1[R], m2[R];
	struct aw_riskmodel m = { 0 }, *back;
	static const char *const names[C] = { "a", "b", "c" };
	char path[] = "/tmp/t-risk-model.XXXXXX";

	for (int i = 0; i < R; i++) {
		x[i * C] = (float)(i % 17);
		x[i * C + 1] = (float)((i * 7) % 13);
		x[i * C + 2] = NAN;
		y[i] = x[i * C] + x[i * C + 1] > 18;
	}
	aw_gbm_params_default(&m.params);
	m.params.rounds = 10;
	m.gbm = aw_gbm_train(x, R, C, y, NULL, &m.params);
	m.features = (char **)names;
	m.nfeatures = C;
	m.horizon_days = 14;
	m.step_days = 7;
	m.rows = R;
	strcpy(m.trained_from, "2017-01-01T00:00:00Z");
	int fd = mkstemp(path);
	close(fd);
	ok(aw_riskmodel_write(&m, path) == 0, "model written");
	ok(strncmp(m.id, "risk-", 5) == 0 && strlen(m.id) == 17, "id from the contents");
	back = aw_riskmodel_read(path);
	ok(back != NULL, "model read back");
	if (back) {
		is_str(back->id, m.id, "same id");
		is_num(back->horizon_days, 14, 0, "horizon");
		is_num(back->nfeatures, 3, 0, "features");
		is_str(back->features[2], "c", "feature names in order");
		is_str(back->trained_from, "2017-01-01T00:00:00Z", "span");
		aw_gbm_margin(m.gbm, x, R, m1);
		aw_gbm_margin(back->gbm, x, R, m2);
		ok(memcmp(m1, m2, sizeof m1) == 0, "same margins");
		aw_riskmodel_free(back);
	}
	is_num(aw_auc(m1, y, R), 1, 0.02, "the trees separate what they learned");
	FILE *f = fopen(path, "w");
	fputs("aquawatch-prob-model 1\n", f);
	fclose(f);
	aw_rval = 0;
	ok(aw_riskmodel_read(path) == NULL && aw_rval == 1, "another model file is refused");
	aw_rval = 0;
	unlink(path);
	aw_gbm_free(m.gbm);
}

static void test_auc(void)
{
	float s[] = { 0.1f, 0.4f, 0.35f, 0.8f }, y[] = { 0, 0, 1, 1 };
	float t[] = { 1, 1, 1, 1 };
	is_num(aw_auc(s, y, 4), 0.75, 1e-12, "AUC of the textbook example");
	is_num(aw_auc(t, y, 4), 0.5, 1e-12, "ties count half");
	ok(isnan(aw_auc(s, t, 4)), "one class only: no AUC");
}

int main(void)
{
	aw_setprog("t-risk");
	aw_tz_set("UTC");
	struct aw_net *net = aw_net_load("tests/data/net/tiny.inp");
	if (!net || aw_net_load_assets(net, "tests/data/risk/assets.csv") != 12)
		return 1;
	test_prior();
	test_breaks(net);
	test_weather();
	test_scada(net);
	test_static_head(net);
	test_features(net);
	test_model();
	test_auc();
	aw_net_free(net);
	return tap_done();
}
