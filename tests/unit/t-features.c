/* aw_features: hand-made series with values worked out by hand (see the comments). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw.h"
#include "aw_features.h"
#include "tap.h"

struct got {
	char sensor[16];
	int64_t ts;
	double v[AW_NFEATURES], completeness;
	int complete;
};

static struct got *rows;
static size_t nrows;

static void keep(const struct aw_features_row *r, void *ctx)
{
	rows = aw_reallocarray(rows, nrows + 1, sizeof *rows);
	struct got *g = &rows[nrows++];
	snprintf(g->sensor, sizeof g->sensor, "%s", r->sensor);
	g->ts = r->ts;
	memcpy(g->v, r->v, sizeof g->v);
	g->completeness = r->completeness;
	g->complete = r->complete;
}

static void reset(void)
{
	free(rows);
	rows = NULL;
	nrows = 0;
}

static int64_t T(const char *s)
{
	int64_t t;
	int z;
	aw_parse_time(s, strlen(s), &t, &z);
	return t;
}

static const struct got *row_at(const char *sensor, int64_t ts)
{
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].ts == ts && strcmp(rows[i].sensor, sensor) == 0)
			return &rows[i];
	return NULL;
}

static double F(const char *sensor, const char *ts, int feature)
{
	const struct got *g = row_at(sensor, T(ts));
	return g ? g->v[feature] : -999;
}

static struct aw_features *engine(const struct aw_config *c, long step)
{
	struct aw_features_opts o;
	aw_features_defaults(&o, c);
	o.step = step;
	o.k = 2;
	return aw_features_new(c, &o, keep, NULL);
}

static void put(struct aw_features *f, const char *id, const char *kind, int64_t ts, double v, int ok)
{
	aw_features_add(f, id, strlen(id), kind, NULL, ts, v, ok);
}

static void basics(void)
{
	struct aw_features *f = engine(NULL, 900);
	int64_t t0 = T("2018-01-01T00:00:00Z");
	/* step 0: 3.0 3.3 3.6; step 1: 3.0, a spike (QC) and 3.2; step 2: nothing;
	 * step 3: 3.4 three times */
	double v[] = { 3.0, 3.3, 3.6, 3.0, 9.0, 3.2, NAN, NAN, NAN, 3.4, 3.4, 3.4 };
	for (int i = 0; i < 12; i++)
		if (!isnan(v[i]))
			put(f, "A", "pressure", t0 + 300 * i, v[i], i != 4);
	put(f, "L", "level", t0, 1.0, 1);
	aw_features_finish(f);
	aw_features_free(f);
	ok(nrows == 4, "four steps of A, none of the level sensor (%zu rows)", nrows);
	is_num(F("A", "2018-01-01T00:00:00Z", AW_F_PRESSURE_MEAN), 3.3, 1e-12, "mean of 3.0 3.3 3.6");
	is_num(F("A", "2018-01-01T00:00:00Z", AW_F_PRESSURE_STD), 0.3, 1e-12, "sample std 0.3");
	is_num(F("A", "2018-01-01T00:00:00Z", AW_F_PRESSURE_MIN), 3.0, 0, "min");
	is_num(F("A", "2018-01-01T00:00:00Z", AW_F_PRESSURE_MAX), 3.6, 0, "max");
	is_num(F("A", "2018-01-01T00:00:00Z", AW_F_PRESSURE_RANGE), 0.6, 1e-12, "range");
	ok(rows[0].complete && rows[0].completeness == 1, "first step complete");
	is_num(F("A", "2018-01-01T00:15:00Z", AW_F_PRESSURE_MEAN), 3.1, 1e-12, "QC-flagged spike left out of the mean");
	is_num(F("A", "2018-01-01T00:15:00Z", AW_F_PRESSURE_MAX), 3.2, 1e-12, "and of the max");
	is_num(rows[1].completeness, 2.0 / 3, 1e-12, "2 of 3 samples");
	ok(!rows[1].complete, "2 of 3 is under 0.8: incomplete");
	/* slope of (-1, 3.3), (0, 3.1): -0.2 per 15 min = -0.8 bar/h, a drop of 0.8 */
	is_num(F("A", "2018-01-01T00:15:00Z", AW_F_DROP_RATE), 0.8, 1e-9, "drop rate from two step means");
	ok(isnan(F("A", "2018-01-01T00:30:00Z", AW_F_PRESSURE_MEAN)) &&
	    isnan(F("A", "2018-01-01T00:30:00Z", AW_F_PRESSURE_STD)) &&
	    isnan(F("A", "2018-01-01T00:30:00Z", AW_F_DROP_RATE)), "a step without readings: null statistics");
	ok(rows[2].completeness == 0 && !rows[2].complete, "and completeness 0, incomplete");
	is_num(F("A", "2018-01-01T00:45:00Z", AW_F_PRESSURE_STD), 0, 0, "constant step: std 0");
	/* points (x, y): (-3, 3.3) (-2, 3.1) (0, 3.4): slope 0.05 per step, 0.2 bar/h rise */
	is_num(F("A", "2018-01-01T00:45:00Z", AW_F_DROP_RATE), -0.2, 1e-9, "least-squares slope over a gap");
	ok(isnan(F("A", "2018-01-01T00:45:00Z", AW_F_CHANGE_1H)), "no step one hour before: 1h change null");
	ok(isnan(F("A", "2018-01-01T00:45:00Z", AW_F_ROLLING_MEAN_7D)), "rolling 7-day mean needs 80 %% of a week");
	is_num(F("A", "2018-01-01T00:00:00Z", AW_F_DAY_OF_WEEK), 0, 0, "2018-01-01 is a Monday");
	reset();
}

/* base pattern by local hour: night 01-04 5.0, day 08-20 4.0, otherwise 4.5 bar */
static double pattern(int hour)
{
	return hour >= 1 && hour < 4 ? 5.0 : hour >= 8 && hour < 20 ? 4.0 : 4.5;
}

static void days(void)
{
	struct aw_features *f = engine(NULL, 900);
	int64_t t0 = T("2018-01-01T00:00:00Z"), drop = T("2018-01-09T10:00:00Z");
	for (int64_t t = t0; t < t0 + 10 * 86400; t += 300) {
		double v = pattern((int)(t % 86400 / 3600)) - (t >= drop ? 0.6 : 0);
		put(f, "B", "pressure", t, v, 1);
	}
	aw_features_finish(f);
	aw_features_free(f);
	ok(nrows == 960, "ten days of 15-minute steps (%zu)", nrows);
	ok(isnan(F("B", "2018-01-01T03:45:00Z", AW_F_MNF_PRESSURE)), "no night finished yet");
	is_num(F("B", "2018-01-01T04:00:00Z", AW_F_MNF_PRESSURE), 5.0, 1e-12, "night 01-04 mean from 04:00");
	ok(isnan(F("B", "2018-01-01T21:00:00Z", AW_F_NIGHT_DAY_RATIO)) == 0, "ratio once a day window ended");
	is_num(F("B", "2018-01-02T04:00:00Z", AW_F_NIGHT_DAY_RATIO), 1.25, 1e-12, "night 5.0 / day 4.0");
	ok(F("B", "2018-01-02T02:00:00Z", AW_F_IS_NIGHT) == 1 && F("B", "2018-01-02T04:00:00Z", AW_F_IS_NIGHT) == 0,
	    "is_night 01:00-04:00");
	ok(isnan(F("B", "2018-01-06T12:00:00Z", AW_F_MNF_DEVIATION)), "5 earlier nights are not enough");
	is_num(F("B", "2018-01-07T12:00:00Z", AW_F_MNF_DEVIATION), 0, 1e-12, "6 earlier nights: deviation 0");
	ok(isnan(F("B", "2018-01-06T12:00:00Z", AW_F_ROLLING_MEAN_7D)), "5.5 days are under 80 %% of a week");
	/* 3 h at 5.0, 12 h at 4.0, 9 h at 4.5 */
	is_num(F("B", "2018-01-08T00:00:00Z", AW_F_ROLLING_MEAN_7D), 103.5 / 24, 1e-9, "7-day mean of the pattern");
	is_num(F("B", "2018-01-09T09:45:00Z", AW_F_DEVIATION), 0, 1e-9, "no deviation before the drop");
	is_num(F("B", "2018-01-09T10:00:00Z", AW_F_DEVIATION), -0.6, 1e-9, "drop of 0.6 against the same time of the last 7 days");
	is_num(F("B", "2018-01-09T10:00:00Z", AW_F_CHANGE_1H), -0.6, 1e-9, "1h change");
	is_num(F("B", "2018-01-09T11:00:00Z", AW_F_CHANGE_1H), 0, 1e-9, "1h change an hour later");
	is_num(F("B", "2018-01-09T10:00:00Z", AW_F_CHANGE_24H), -0.6, 1e-9, "24h change");
	/* y = 4,4,4,4,3.4 at x = -4..0: slope -1.2/10 per step = -0.48 bar/h */
	is_num(F("B", "2018-01-09T10:00:00Z", AW_F_DROP_RATE), 0.48, 1e-9, "drop rate 0.48 bar/h");
	/* 2016 readings in the week, three of them 0.6 lower */
	is_num(F("B", "2018-01-09T10:00:00Z", AW_F_ROLLING_MEAN_7D), 103.5 / 24 - 1.8 / 2016, 1e-9,
	    "7-day mean with the first lowered step");
	{
		/* brute force over the same 2016 readings */
		double s = 0, ss = 0, m;
		int n = 0;
		for (int64_t t = T("2018-01-09T10:15:00Z") - 7 * 86400; t < T("2018-01-09T10:15:00Z"); t += 300) {
			double v = pattern((int)(t % 86400 / 3600)) - (t >= drop ? 0.6 : 0);
			s += v, n++;
		}
		m = s / n;
		for (int64_t t = T("2018-01-09T10:15:00Z") - 7 * 86400; t < T("2018-01-09T10:15:00Z"); t += 300) {
			double v = pattern((int)(t % 86400 / 3600)) - (t >= drop ? 0.6 : 0);
			ss += (v - m) * (v - m);
		}
		is_num(F("B", "2018-01-09T10:00:00Z", AW_F_ZSCORE), (3.4 - m) / sqrt(ss / (n - 1)), 1e-9,
		    "z-score against the week's readings");
	}
	/* the next night is 0.6 lower: 4.4; the day before: 2 h at 4.0, 10 h at 3.4 */
	is_num(F("B", "2018-01-10T04:00:00Z", AW_F_MNF_PRESSURE), 4.4, 1e-9, "lowered night");
	is_num(F("B", "2018-01-10T04:00:00Z", AW_F_MNF_DEVIATION), -0.6, 1e-9, "MNF deviation -0.6");
	is_num(F("B", "2018-01-10T04:00:00Z", AW_F_NIGHT_DAY_RATIO), 4.4 / 3.5, 1e-9, "night/day ratio 4.4/3.5");
	/* leak index at 10:00: deviation 1 (capped), drop rate 1 (capped), ratio and MNF
	 * deviation 0 (normal side), gradient: no neighbours */
	is_num(F("B", "2018-01-09T10:00:00Z", AW_F_LEAK_INDEX), 2.0 / 4, 1e-9, "leak index: mean of the rule shares");
	reset();
}

static char *write_file(const char *name, const char *text)
{
	char *p = aw_malloc(256);
	snprintf(p, 256, "%s/%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
	snprintf(p + strlen(p), 256 - strlen(p), ".%ld", (long)getpid());
	FILE *fp = fopen(p, "w");
	fputs(text, fp);
	fclose(fp);
	return p;
}

static void neighbours(void)
{
	struct aw_config *c = aw_config_load("/dev/null");
	char *csv = write_file("t-features-sensors.csv",
	    "sensor,kind,unit,x,y\nU,pressure,bar,0,0\nM,pressure,bar,100,0\nDn,pressure,bar,250,0\nQ,flow,L/s,50,0\n");
	ok(aw_config_add_sensors_csv(c, csv) == 0, "sensor table with coordinates");
	struct aw_features *f = engine(c, 900);
	int64_t t0 = T("2018-01-01T00:00:00Z"), drop = T("2018-01-09T12:00:00Z");
	for (int64_t t = t0; t < t0 + 9 * 86400; t += 300) {
		put(f, "U", NULL, t, 6.0, 1);
		put(f, "M", NULL, t, t >= drop ? 4.8 : 5.0, 1);
		put(f, "Dn", NULL, t, 4.0, 1);
	}
	const char *id;
	int side;
	ok(aw_features_neighbours(f, "M", 0, &id, &side) == 2 && strcmp(id, "U") == 0 && side == 0,
	    "M: nearest pressure sensor U first (the flow meter is not a neighbour)");
	ok(aw_features_neighbours(f, "M", 1, &id, &side) == 2 && strcmp(id, "Dn") == 0, "then Dn");
	aw_features_finish(f);
	aw_features_free(f);
	is_num(F("M", "2018-01-01T00:00:00Z", AW_F_DIFF_UPSTREAM), 1.0, 1e-12, "M: upstream U 6.0 - 5.0");
	is_num(F("M", "2018-01-01T00:00:00Z", AW_F_DIFF_DOWNSTREAM), 1.0, 1e-12, "M: 5.0 - downstream 4.0");
	is_num(F("M", "2018-01-01T00:00:00Z", AW_F_GRADIENT), 0, 1e-12, "M: mean of neighbours 5.0 - 5.0");
	ok(isnan(F("U", "2018-01-01T00:00:00Z", AW_F_DIFF_UPSTREAM)), "U has nothing upstream");
	is_num(F("U", "2018-01-01T00:00:00Z", AW_F_DIFF_DOWNSTREAM), 1.5, 1e-12, "U: 6.0 - mean(5.0, 4.0)");
	is_num(F("U", "2018-01-01T00:00:00Z", AW_F_GRADIENT), -1.5, 1e-12, "U: 4.5 - 6.0");
	ok(isnan(F("M", "2018-01-06T12:00:00Z", AW_F_GRADIENT_ANOMALY)), "no gradient baseline from 5 days");
	is_num(F("M", "2018-01-08T12:00:00Z", AW_F_GRADIENT_ANOMALY), 0, 1e-12, "steady: gradient anomaly 0");
	is_num(F("M", "2018-01-09T12:00:00Z", AW_F_DIFF_UPSTREAM), 1.2, 1e-9, "M drops 0.2: upstream diff 1.2");
	is_num(F("M", "2018-01-09T12:00:00Z", AW_F_DIFF_DOWNSTREAM), 0.8, 1e-9, "downstream diff 0.8");
	is_num(F("M", "2018-01-09T12:00:00Z", AW_F_GRADIENT), 0.2, 1e-9, "gradient 0.2");
	is_num(F("M", "2018-01-09T12:00:00Z", AW_F_GRADIENT_ANOMALY), 0.2, 1e-9, "gradient anomaly 0.2");
	is_num(F("U", "2018-01-09T12:00:00Z", AW_F_GRADIENT_ANOMALY), -0.1, 1e-9, "U sees half of it, the other way");
	reset();

	/* configured sides and a neighbour table */
	char *yaml = write_file("t-features.yaml",
	    "sensors:\n  - id: M\n    upstream: [Dn]\n    downstream: [U]\n");
	struct aw_config *c2 = aw_config_load(yaml);
	aw_config_add_sensors_csv(c2, csv);
	f = engine(c2, 900);
	char *tab = write_file("t-features-nb.csv", "sensor,neighbour,side\nU,Dn,\n");
	ok(aw_features_neighbours_csv(f, tab) == 0, "neighbour table read");
	for (int64_t t = t0; t < t0 + 900; t += 300) {
		put(f, "U", NULL, t, 6.0, 1);
		put(f, "M", NULL, t, 5.0, 1);
		put(f, "Dn", NULL, t, 4.0, 1);
	}
	aw_features_finish(f);
	ok(aw_features_neighbours(f, "M", 0, &id, &side) == 2 && strcmp(id, "Dn") == 0 && side == 1,
	    "configured upstream side");
	ok(aw_features_neighbours(f, "U", 0, &id, &side) == 1 && strcmp(id, "Dn") == 0,
	    "table replaces the nearest ones");
	aw_features_free(f);
	is_num(F("M", "2018-01-01T00:00:00Z", AW_F_DIFF_UPSTREAM), -1.0, 1e-12, "sides as configured, not by pressure");
	is_num(F("U", "2018-01-01T00:00:00Z", AW_F_DIFF_DOWNSTREAM), 2.0, 1e-12, "U: only Dn");
	reset();
	char *bad = write_file("t-features-bad.csv", "sensor,neighbour,side\nU,Dn,sideways\n");
	f = engine(c2, 900);
	ok(aw_features_neighbours_csv(f, bad) == -1, "a bad side is an error");
	aw_features_free(f);
	aw_rval = 0;
	unlink(csv), unlink(yaml), unlink(tab), unlink(bad);
	free(csv), free(yaml), free(tab), free(bad);
	aw_config_free(c);
	aw_config_free(c2);
}

static void dst(void)
{
	aw_tz_set("Europe/Rome");
	struct aw_features *f = engine(NULL, 900);
	for (int64_t t = T("2018-03-24T20:00:00Z"); t < T("2018-03-25T06:00:00Z"); t += 300)
		put(f, "R", "pressure", t, 4.0, 1);
	aw_features_finish(f);
	aw_features_free(f);
	static const struct {
		const char *ts;
		int hour, night, wday;
	} want[] = {
		{ "2018-03-24T23:45:00Z", 0, 0, 6 },	/* 00:45 CET, Sunday */
		{ "2018-03-24T22:45:00Z", 23, 0, 5 },	/* 23:45 CET, Saturday */
		{ "2018-03-25T00:00:00Z", 1, 1, 6 },	/* 01:00 CET */
		{ "2018-03-25T00:45:00Z", 1, 1, 6 },	/* 01:45 CET */
		{ "2018-03-25T01:00:00Z", 3, 1, 6 },	/* 03:00 CEST: 02:xx does not exist */
		{ "2018-03-25T01:45:00Z", 3, 1, 6 },
		{ "2018-03-25T02:00:00Z", 4, 0, 6 },	/* 04:00 CEST */
	};
	for (size_t i = 0; i < AW_NELEM(want); i++) {
		const struct got *g = row_at("R", T(want[i].ts));
		ok(g && g->v[AW_F_HOUR_OF_DAY] == want[i].hour && g->v[AW_F_IS_NIGHT] == want[i].night &&
		    g->v[AW_F_DAY_OF_WEEK] == want[i].wday && g->v[AW_F_IS_WEEKEND] == 1,
		    "spring forward, Rome: %s is hour %d, night %d", want[i].ts, want[i].hour, want[i].night);
	}
	int night = 0;
	for (size_t i = 0; i < nrows; i++)
		night += rows[i].v[AW_F_IS_NIGHT] == 1;
	ok(night == 8, "the short night has 8 steps (%d)", night);
	is_num(F("R", "2018-03-25T02:00:00Z", AW_F_MNF_PRESSURE), 4.0, 0, "a 2-hour night is complete with 24 samples");
	reset();

	f = engine(NULL, 900);
	for (int64_t t = T("2018-10-27T20:00:00Z"); t < T("2018-10-28T06:00:00Z"); t += 300)
		put(f, "R", "pressure", t, 4.0, 1);
	aw_features_finish(f);
	aw_features_free(f);
	static const struct {
		const char *ts;
		int hour, night;
	} back[] = {
		{ "2018-10-27T22:45:00Z", 0, 0 },	/* 00:45 CEST */
		{ "2018-10-27T23:00:00Z", 1, 1 },	/* 01:00 CEST */
		{ "2018-10-28T00:00:00Z", 2, 1 },	/* 02:00 CEST */
		{ "2018-10-28T01:00:00Z", 2, 1 },	/* 02:00 CET, again */
		{ "2018-10-28T02:45:00Z", 3, 1 },	/* 03:45 CET */
		{ "2018-10-28T03:00:00Z", 4, 0 },	/* 04:00 CET */
	};
	for (size_t i = 0; i < AW_NELEM(back); i++) {
		const struct got *g = row_at("R", T(back[i].ts));
		ok(g && g->v[AW_F_HOUR_OF_DAY] == back[i].hour && g->v[AW_F_IS_NIGHT] == back[i].night,
		    "fall back, Rome: %s is hour %d, night %d", back[i].ts, back[i].hour, back[i].night);
	}
	night = 0;
	for (size_t i = 0; i < nrows; i++)
		night += rows[i].v[AW_F_IS_NIGHT] == 1;
	ok(night == 16, "the long night has 16 steps (%d)", night);
	reset();

	/* a pattern in local hours: the baseline at the same local time stays exact across
	 * the change (a UTC baseline would be 0.1 off for a week); 02:xx of the 25th does
	 * not exist and is left out of the baselines of the following days */
	f = engine(NULL, 900);
	for (int64_t t = T("2018-03-17T00:00:00Z"); t < T("2018-03-28T00:00:00Z"); t += 300) {
		struct aw_local lt;
		aw_tz_local(t, &lt);
		put(f, "R", "pressure", t, 4.0 + 0.1 * lt.hour, 1);
	}
	aw_features_finish(f);
	aw_features_free(f);
	double worst = 0;
	int n = 0;
	for (size_t i = 0; i < nrows; i++)
		if (!isnan(rows[i].v[AW_F_DEVIATION])) {
			n++;
			if (fabs(rows[i].v[AW_F_DEVIATION]) > worst)
				worst = fabs(rows[i].v[AW_F_DEVIATION]);
		}
	ok(n > 400 && worst < 1e-9, "local-time baseline across DST: %d steps, worst deviation %g", n, worst);
	aw_tz_set("UTC");
	reset();
}

static void flow(void)
{
	struct aw_features *f = engine(NULL, 900);
	int64_t t0 = T("2018-01-01T00:00:00Z");
	/* 10 L/s, except 02:00-02:15 at 6 L/s (8 L/s in the ninth night) */
	for (int64_t t = t0; t < t0 + 9 * 86400; t += 300) {
		int sod = (int)(t % 86400);
		double v = sod >= 7200 && sod < 8100 ? (t >= t0 + 8 * 86400 ? 8 : 6) : 10;
		put(f, "F", "flow", t, v, 1);
	}
	aw_features_finish(f);
	aw_features_free(f);
	is_num(F("F", "2018-01-01T04:00:00Z", AW_F_MNF_FLOW), 6, 1e-12, "minimum night flow: lowest step mean");
	ok(isnan(F("F", "2018-01-01T04:00:00Z", AW_F_PRESSURE_MEAN)), "no pressure features for a flow meter");
	is_num(F("F", "2018-01-08T04:00:00Z", AW_F_MNF_FLOW_DEVIATION), 0, 1e-12, "steady nights");
	is_num(F("F", "2018-01-09T04:00:00Z", AW_F_MNF_FLOW_DEVIATION), 2, 1e-12, "MNF 2 L/s above its baseline");
	reset();
}

static void late(void)
{
	struct aw_features *f = engine(NULL, 900);
	int64_t t0 = T("2018-01-01T00:00:00Z");
	put(f, "A", "pressure", t0, 3.0, 1);
	put(f, "B", "pressure", t0, 3.0, 1);
	put(f, "A", "pressure", t0 + 900, 3.0, 1);	/* step 0 is written for both */
	ok(aw_features_add(f, "B", 1, "pressure", NULL, t0 + 300, 3.0, 1) == -1, "a late usable reading is refused");
	ok(aw_features_add(f, "B", 1, "pressure", NULL, t0 + 300, NAN, 0) == 1, "a late gap is dropped quietly");
	ok(aw_features_add(f, "B", 1, "pressure", NULL, t0 + 900, 3.5, 1) == 1, "B goes on");
	aw_features_finish(f);
	aw_features_free(f);
	ok(nrows == 4 && rows[0].ts == t0 && rows[1].ts == t0 && rows[2].ts == t0 + 900, "written in time order");
	reset();

	/* with lateness, a sensor that is behind is waited for */
	struct aw_features_opts o;
	aw_features_defaults(&o, NULL);
	o.lateness = 1800;
	f = aw_features_new(NULL, &o, keep, NULL);
	put(f, "A", "pressure", t0, 3.0, 1);
	put(f, "B", "pressure", t0, 3.0, 1);
	put(f, "A", "pressure", t0 + 900, 3.0, 1);
	ok(nrows == 0, "nothing written while B may still come");
	ok(aw_features_add(f, "B", 1, "pressure", NULL, t0 + 300, 4.5, 1) == 1, "B's late reading is taken");
	put(f, "B", "pressure", t0 + 900, 3.0, 1);
	ok(nrows == 2, "step 0 written once both closed it (%zu)", nrows);
	is_num(F("B", "2018-01-01T00:00:00Z", AW_F_PRESSURE_MEAN), 3.75, 1e-12, "with the late reading");
	put(f, "A", "pressure", t0 + 3600, 3.0, 1);	/* B silent: written when 30 min behind */
	ok(nrows == 4, "a silent sensor is not waited for beyond the lateness (%zu)", nrows);
	aw_features_finish(f);
	aw_features_free(f);
	reset();
}

/* a clock error far ahead is refused, not filled step by step; a wrong unit is refused */
static void hostile(void)
{
	struct aw_features *f = engine(NULL, 900);
	int64_t t0 = T("2018-01-01T00:00:00Z");
	put(f, "A", "pressure", t0, 3.0, 1);
	ok(aw_features_add(f, "A", 1, "pressure", NULL, T("2106-02-07T06:30:00Z"), 3.0, 1) == -2,
	    "a reading 88 years ahead is refused");
	ok(aw_features_add(f, "A", 1, "pressure", NULL, t0 + 900, 3.0, 1) == 1, "A goes on");
	aw_features_finish(f);
	ok(nrows == 2, "two steps written, not millions (%zu)", nrows);
	aw_features_free(f);
	reset();

	struct aw_record r = { 0 };
	const char *err;
	static const char line[] = "{\"type\":\"reading\",\"ts\":\"2018-01-01T00:00:00Z\",\"sensor\":\"A\","
	    "\"kind\":\"pressure\",\"value\":43.5,\"unit\":\"psi\",\"qc\":\"ok\"}";
	f = engine(NULL, 900);
	aw_json_parse(&r, line, sizeof line - 1, &err);
	int rval = aw_rval;
	ok(aw_features_record(f, &r, "t", 1) == 1 && aw_rval == 1, "a reading in psi is reported");
	aw_rval = rval;
	aw_features_finish(f);
	ok(nrows == 0, "and not used");
	aw_features_free(f);
	aw_record_free(&r);
	reset();
}

int main(void)
{
	aw_setprog("t-features");
	aw_tz_set("UTC");
	basics();
	days();
	neighbours();
	dst();
	flow();
	late();
	hostile();
	return tap_done();
}
