/* Water-quality features, rules, events and the sensor-fault check, on hand-worked series. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_quality.h"
#include "tap.h"

/* every row the features engine hands on, copied with its step index */
#define MAXROWS 4096
static struct aw_qrow got[MAXROWS];
static char names[MAXROWS][16];
static size_t ngot;

static void keep(struct aw_qrow *rows, size_t n, void *ctx)
{
	for (size_t i = 0; i < n && ngot < MAXROWS; i++) {
		got[ngot] = rows[i];
		snprintf(names[ngot], sizeof names[ngot], "%s", rows[i].sensor);
		got[ngot].sensor = names[ngot];
		ngot++;
	}
}

static const struct aw_qrow *row(const char *sensor, int64_t ts)
{
	for (size_t i = 0; i < ngot; i++)
		if (got[i].ts == ts && strcmp(got[i].sensor, sensor) == 0)
			return &got[i];
	return NULL;
}

static void test_kinds(void)
{
	ok(aw_qkind("chlorine") == AW_Q_CHLORINE && aw_qkind("ph") == AW_Q_PH, "quality kinds");
	ok(aw_qkind("pressure") < 0 && aw_qkind(NULL) < 0, "pressure is not a quality kind");
	ok(aw_qkinds_parse("chlorine,ph") == ((1L << AW_Q_CHLORINE) | (1L << AW_Q_PH)), "kind list");
	ok(aw_qkinds_parse("chlorine,") < 0 && aw_qkinds_parse("chlorine,flow") < 0 &&
	    aw_qkinds_parse("") < 0, "bad kind lists are refused");
	struct aw_qlimit l;
	aw_quality_limit(NULL, AW_Q_CHLORINE, &l);
	ok(l.min == 0.2 && l.max == 4 && l.max_hours_below == 4, "chlorine limits 0.2..4, 4 h below tolerated");
	aw_quality_limit(NULL, AW_Q_TURBIDITY, &l);
	ok(isnan(l.min) && l.max == 1, "turbidity at most 1 NTU");
	aw_quality_limit(NULL, AW_Q_REDOX, &l);
	ok(isnan(l.min) && isnan(l.max), "redox has no limits");
}

/* pH alternating 7.00 / 7.02 for ten minutes, then 7.50 */
static void test_baseline(void)
{
	struct aw_qf_opts o;
	aw_qf_defaults(&o);
	o.step = 60;
	o.window = 300;		/* five steps, a baseline from three */
	o.rate_steps = 1;
	o.freeze = 180;
	o.tau = 100 * 86400;	/* running means throughout */
	ngot = 0;
	struct aw_qfeatures *f = aw_qfeatures_new(NULL, &o, keep, NULL);
	for (int i = 0; i < 16; i++)
		aw_qfeatures_add(f, "A", "ph", "D", i * 60 + 7, i < 10 ? (i % 2 ? 7.02 : 7.00) : 7.50, "ok");
	aw_qfeatures_finish(f);
	aw_qfeatures_free(f);

	ok(ngot == 16, "one row per step");
	const struct aw_qrow *r = row("A", 0);
	ok(r && r->level == 7.00 && isnan(r->baseline) && isnan(r->z) && r->n == 1,
	    "no baseline before three steps");
	r = row("A", 240);
	is_num(r->baseline, 7.01, 1e-12, "step 4: median of 7.00 7.02 7.00 7.02");
	is_num(r->z, -0.5, 1e-9, "step 4: dev -0.01 over the first |dev| 0.02");
	/* |dev| of steps 3..9: 0.02 0.01 0.02 0.02 0.02 0.02 0.02, mean 0.13 / 7 */
	r = row("A", 600);
	is_num(r->baseline, 7.02, 1e-12, "step 10: baseline of the alternating level");
	is_num(r->dev, 0.48, 1e-9, "step 10: dev");
	is_num(r->z, 0.48 / (0.13 / 7), 1e-6, "step 10: z over the mean |dev|");
	is_num(r->change, 0.48, 1e-9, "step 10: change over one step");
	is_num(r->change_z, 24, 1e-6, "step 10: change_z over the mean |change| 0.02");
	is_num(r->rough, (4 * 0.02 + 0.48) / 5 / 0.02, 1e-6, "step 10: last five step changes over 0.02");
	ok(r->flat_h == 0 && r->limit == 0 && r->hours_outside == 0, "within the pH limits, not flat");
	r = row("A", 720);
	is_num(r->baseline, 7.02, 1e-12, "step 12: the unusual level does not enter the baseline");
	is_num(r->flat_h, 2.0 / 60, 1e-9, "step 12: flat for two minutes");
	r = row("A", 840);
	is_num(r->baseline, 7.50, 1e-12, "step 14: frozen longer than --freeze, the new level is the baseline");
	ok(r->z == 0, "step 14: no deviation any more");
}

static void test_limits_cross(void)
{
	struct aw_qf_opts o;
	aw_qf_defaults(&o);
	o.step = 60;
	o.window = 300;
	ngot = 0;
	struct aw_qfeatures *f = aw_qfeatures_new(NULL, &o, keep, NULL);
	for (int i = 0; i < 12; i++) {
		aw_qfeatures_add(f, "C1", "chlorine", "D", i * 60, 0.10 + 0.01 * (i % 3), "ok");
		aw_qfeatures_add(f, "C2", "chlorine", "D", i * 60, 0.50 - 0.02 * (i % 2), "ok");
		aw_qfeatures_add(f, "C3", "chlorine", "E", i * 60, 0.5, i == 5 ? "spike" : "ok");
		aw_qfeatures_add(f, "P", "pressure", "D", i * 60, 3, "ok");
	}
	aw_qfeatures_finish(f);
	aw_qfeatures_free(f);
	ok(!row("P", 0), "pressure sensors are not quality sensors");
	const struct aw_qrow *r = row("C1", 0);
	ok(r->limit == -1 && fabs(r->hours_outside - 1.0 / 60) < 1e-12, "below 0.2 mg/L from the first step");
	r = row("C1", 600);
	is_num(r->hours_outside, 11.0 / 60, 1e-12, "outside for eleven minutes at step 10");
	ok(row("C2", 600)->limit == 0, "0.5 mg/L is within the limits");
	const struct aw_qrow *a = row("C1", 660), *b = row("C2", 660);
	ok(isfinite(a->z) && isfinite(b->z), "both have z at step 11");
	is_num(a->cross_z, a->z - b->z, 1e-12, "cross_z: z against the other chlorine sensor of the DMA");
	ok(isnan(row("C3", 660)->cross_z), "no other chlorine sensor in DMA E");
	r = row("C3", 300);
	ok(isnan(r->level) && r->qc_bad == 1, "a spike is not used and counts as QC-flagged");
	ok(row("C3", 660)->flat_h > 0.15, "C3 is flat");
}

/* temperature rising one degree from day 1 to day 2 at every hour */
static void test_same_hour(void)
{
	struct aw_qf_opts o;
	aw_qf_defaults(&o);
	o.step = 3600;
	ngot = 0;
	struct aw_qfeatures *f = aw_qfeatures_new(NULL, &o, keep, NULL);
	for (int h = 0; h < 48; h++)
		aw_qfeatures_add(f, "T", "temperature", NULL, h * 3600, (h % 24) + (h >= 24), NULL);
	aw_qfeatures_finish(f);
	aw_qfeatures_free(f);
	ok(isnan(row("T", 23 * 3600)->dev_day), "no same-hour baseline on the first day");
	is_num(row("T", 24 * 3600)->dev_day, 1, 1e-12, "day 2, 00:00: one degree over day 1");
	is_num(row("T", 47 * 3600)->dev_day, 1, 1e-12, "day 2, 23:00");
	ok(row("T", 30 * 3600)->hour == 6 && row("T", 30 * 3600)->dma == NULL, "hour of day, no DMA");
}

/* a chlorine sensor reading in steps of 0.01: z counts resolution steps */
static void test_resolution(void)
{
	struct aw_qf_opts o;
	aw_qf_defaults(&o);
	o.step = 60;
	o.window = 600;
	ngot = 0;
	struct aw_qfeatures *f = aw_qfeatures_new(NULL, &o, keep, NULL);
	for (int i = 0; i < 80; i++)
		aw_qfeatures_add(f, "Q", "chlorine", NULL, i * 60,
		    i < 70 ? 0.50 + 0.01 * (i % 3 == 0) : 0.53, NULL);
	aw_qfeatures_finish(f);
	aw_qfeatures_free(f);
	const struct aw_qrow *r = row("Q", 70 * 60);
	is_num(r->dev, 0.03, 1e-9, "a jump of three resolution steps");
	is_num(r->z, 3, 1e-6, "z = dev / 0.01, the resolution");
}

static void test_strength(void)
{
	struct aw_qdetect_opts o;
	aw_qdetect_defaults(&o, NULL);
	struct aw_qrow r = { .k = AW_Q_PH, .level = 7, .z = 12, .day_z = 3, .change_z = 30,
		.rough = NAN, .limit = 0, .anomalous = -1 };
	unsigned rules;
	is_num(aw_qrow_strength(&r, &o, NULL, 1, &rules), 0.5, 1e-12,
	    "same-hour baseline: the smaller of z and day_z");
	ok(rules == 0, "no rule at strength 0.5");
	o.daily = 0;
	is_num(aw_qrow_strength(&r, &o, NULL, 1, &rules), 2, 1e-12, "--no-daily: z 12 at threshold 6");
	ok(rules == 1u << AW_QR_DEVIATION, "deviation fired");
	o.k_change = 10;
	is_num(aw_qrow_strength(&r, &o, NULL, 1, &rules), 3, 1e-12, "change_z 30 at threshold 10");
	ok(rules == ((1u << AW_QR_DEVIATION) | (1u << AW_QR_CHANGE)), "both rules");
	r.day_z = NAN;
	o.daily = 1;
	o.k_change = 0;
	is_num(aw_qrow_strength(&r, &o, NULL, 1, &rules), 0, 0, "no deviation before a day is known");
	r.anomalous = 1;
	is_num(aw_qrow_strength(&r, &o, NULL, 1, &rules), 1, 0, "an anomaly record");
	ok(rules == 1u << AW_QR_ANOMALY, "anomaly fired");

	struct aw_qlimit lim;
	aw_quality_limit(NULL, AW_Q_CHLORINE, &lim);
	struct aw_qrow c = { .k = AW_Q_CHLORINE, .level = 0.1, .z = 0, .day_z = 0, .change_z = 0,
		.rough = 0, .limit = -1, .hours_outside = 3, .anomalous = -1 };
	is_num(aw_qrow_strength(&c, &o, &lim, 1, &rules), 1, 0, "below the minimum for 3 h");
	ok(rules == 1u << AW_QR_LIMIT, "limit");
	c.hours_outside = 5;
	is_num(aw_qrow_strength(&c, &o, &lim, 1, &rules), 2, 0, "below the minimum for longer than 4 h");
	ok(rules == ((1u << AW_QR_LIMIT) | (1u << AW_QR_SUSTAINED)), "sustained low chlorine");
	o.kinds = 1L << AW_Q_PH;
	ok(aw_qrow_strength(&c, &o, &lim, 1, &rules) == 0, "chlorine not among --kinds");
}

static void test_validate(void)
{
	struct aw_qcheck ck[AW_QCHECKS];
	struct aw_qsummary two[2] = {
		{ "CL1", AW_Q_CHLORINE, 1, 20, 15, 0, 0, 0, 10 },
		{ "CL2", AW_Q_CHLORINE, 1, 15, 20, 0, 0, 0, 10 },
	};
	ok(aw_quality_validate(two, 2, 6, 6, ck) == 1, "two chlorine sensors moving together: water");
	ok(ck[3].passed && !ck[4].passed, "peers agree; one parameter");
	is_str(ck[4].detail, "1 parameter moved: chlorine", "other_parameters detail");

	two[1].moved = 0;
	two[1].max_z = 1;
	two[0].peers_z = 1;
	ok(aw_quality_validate(two, 2, 6, 6, ck) == 0, "one moving while its peer stays quiet: fault");
	is_str(ck[3].detail, "CL1 moved (|z| 20.0) while the other chlorine sensors did not (|z| 1.0)",
	    "peers_agree detail");
	struct aw_qsummary three[3] = {
		two[0], two[1], { "PH", AW_Q_PH, 1, 9, NAN, 0, 0, 0, 10 },
	};
	ok(aw_quality_validate(three, 3, 6, 6, ck) == 1, "... but pH moved too: water");
	three[2].range_share = 0.9;
	ok(aw_quality_validate(three, 3, 6, 6, ck) == 0 && !ck[0].passed, "out of its range: fault");
	three[2].range_share = 0;
	three[2].flat_h = 7;
	ok(aw_quality_validate(three, 3, 6, 6, ck) == 0 && !ck[1].passed, "flat for 7 h: fault");
	three[2].flat_h = 0;
	three[2].qc_share = 0.8;
	ok(aw_quality_validate(three, 3, 6, 6, ck) == 0 && !ck[2].passed, "mostly QC-flagged: fault");
	struct aw_qsummary alone = { "T1", AW_Q_TURBIDITY, 1, 30, NAN, 0, 0, 0, 4 };
	ok(aw_quality_validate(&alone, 1, 6, 6, ck) == 1, "a lone sensor without peers is believed");
	is_str(ck[3].detail, "no other sensor of the same kind", "no peers");
}

static struct aw_qevent ev[8];
static char evsens[8][4][16];
static char evid[8][128];
static int nev;

static void on_event(const struct aw_qevent *e, void *ctx)
{
	if (nev >= 8)
		return;
	ev[nev] = *e;
	snprintf(evid[nev], sizeof evid[nev], "%s", e->id);
	for (size_t i = 0; i < e->nsensors && i < 4; i++)
		snprintf(evsens[nev][i], sizeof evsens[nev][i], "%s", e->sensors[i]);
	nev++;
}

static void test_events(void)
{
	struct aw_qdetect_opts o;
	aw_qdetect_defaults(&o, NULL);
	o.k_z = 5;
	o.daily = 0;
	nev = 0;
	struct aw_qdetector *d = aw_qdetect_new(NULL, &o, on_event, NULL);
	static const double z[] = { 0, 6, 0, 6, 7, 8, 0, 0, 6, 6, 6 };
	for (int i = 0; i < 11; i++) {
		struct aw_qrow r[2] = {
			{ .ts = i * 60, .sensor = "S", .dma = "D", .kind = "chlorine", .k = AW_Q_CHLORINE,
			  .level = 0.5, .z = z[i], .day_z = NAN, .change_z = 0, .rough = 0, .limit = 0,
			  .anomalous = -1, .qc_bad = 0 },
			{ .ts = i * 60, .sensor = "L", .dma = "E", .kind = "chlorine", .k = AW_Q_CHLORINE,
			  .level = 0.1, .z = 0, .day_z = NAN, .change_z = 0, .rough = 0,
			  .limit = i >= 2 && i < 9 ? -1 : 0, .hours_outside = i >= 6 ? 5 : 1,
			  .anomalous = -1, .qc_bad = 0 },
		};
		aw_qdetect_step(d, r, 2);
	}
	aw_qdetect_finish(d);
	aw_qdetect_free(d);
	ok(nev == 3, "three events");
	is_str(evid[0], "EV-Q-D-19700101T0003Z", "id from the start of the run");
	ok(ev[0].start == 180 && ev[0].alarm == 240 && ev[0].end == 300 && ev[0].steps == 3 && !ev[0].open,
	    "raised after two steps, ended by a quiet step");
	is_num(ev[0].peak_strength, 1.6, 1e-12, "peak |z| 8 at threshold 5");
	ok(ev[0].peak_ts == 300 && ev[0].rules == 1u << AW_QR_DEVIATION, "peak time, deviation");
	is_str(ev[0].severity, "low", "severity low");
	ok(ev[0].valid && ev[0].nsensors == 1 && !strcmp(evsens[0][0], "S"), "valid, sensor S");
	ok(ev[1].start == 480 && ev[1].alarm == 540 && ev[1].end == 600 && ev[1].open,
	    "an event still running at the end is open");
	is_str(evid[2], "EV-QL-E-19700101T0002Z", "limit breaches are their own events");
	ok(ev[2].start == 120 && ev[2].alarm == 180 && ev[2].end == 480 && ev[2].open,
	    "the breach, still open: back within limits for less than 2 h");
	is_str(ev[2].severity, "high", "sustained low chlorine is high");
	ok(ev[2].rules == ((1u << AW_QR_LIMIT) | (1u << AW_QR_SUSTAINED)), "limit, sustained");
}

static void test_rows_io(void)
{
	struct aw_qrow r = { .ts = 1551665700, .sensor = "CL01", .dma = NULL, .kind = "chlorine",
		.k = AW_Q_CHLORINE, .n = 3, .level = 0.4123456, .baseline = 0.41, .dev = 0.0023456,
		.z = 1.23456, .change = NAN, .change_z = NAN, .rough = 0.5, .dev_day = NAN,
		.day_z = NAN, .cross_z = NAN, .flat_h = 0.25, .qc_bad = 0, .out_of_range = 0,
		.limit = 0, .hours_outside = 0, .hour = 2 };
	struct aw_buf b = { 0 };
	struct aw_writer *w = aw_writer_mem(&b);
	aw_qrow_write(w, &r);
	aw_writer_close(w);
	is_str(b.s, "{\"type\":\"features\",\"ts\":\"2019-03-04T02:15:00Z\",\"sensor\":\"CL01\",\"dma\":null,"
	    "\"kind\":\"chlorine\",\"level\":0.412346,\"baseline\":0.41,\"dev\":0.002346,\"z\":1.2346,"
	    "\"change\":null,\"change_z\":null,\"rough\":0.5,\"dev_day\":null,\"day_z\":null,\"cross_z\":null,"
	    "\"flat_h\":0.25,\"qc_bad\":0,\"out_of_range\":false,\"limit\":0,\"hours_outside\":0,"
	    "\"hour_of_day\":2,\"readings\":3}\n", "features record");
	struct aw_record rec = { 0 };
	const char *err;
	struct aw_qrow back;
	ok(aw_json_parse(&rec, b.s, b.len - 1, &err) == 0 && aw_qrow_parse(&rec, &back) == 0,
	    "read back");
	ok(back.ts == r.ts && back.k == AW_Q_CHLORINE && back.dma == NULL && back.n == 3 &&
	    back.limit == 0 && isnan(back.change) && back.anomalous == -1, "the same row");
	is_num(back.z, 1.2346, 1e-12, "z with four decimals");
	aw_record_free(&rec);
	aw_buf_free(&b);
}

int main(void)
{
	test_kinds();
	test_baseline();
	test_limits_cross();
	test_same_hour();
	test_resolution();
	test_strength();
	test_validate();
	test_events();
	test_rows_io();
	return tap_done();
}
