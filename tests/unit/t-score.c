#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_score.h"
#include "aw_util.h"
#include "tap.h"

#define H 3600

/* A hand-made network: symmetric pipe-pipe and pipe-node distances, NaN otherwise. */
static const struct {
	const char *a, *b;
	double m;
} table[] = {
	{ "pA1", "pA", 120 }, { "pA1", "pB", 200 }, { "pB1", "pB", 90 }, { "pB1", "pA", 500 },
	{ "pA", "pB", 250 }, { "pZ", "pA", 900 }, { "pZ", "pB", 400 }, { "pQ", "pD", 350 },
	{ "pA", "n7", 280 },
};
static int calls;

static double dist(const char *a, const char *b, void *ctx)
{
	(void)ctx;
	calls++;
	for (size_t i = 0; i < AW_NELEM(table); i++)
		if ((!strcmp(a, table[i].a) && !strcmp(b, table[i].b)) ||
		    (!strcmp(a, table[i].b) && !strcmp(b, table[i].a)))
			return table[i].m;
	return NAN;
}

static const char *const pA1[] = { "pA1" }, *const pB1[] = { "pB1" }, *const pA[] = { "pA" },
    *const pZ[] = { "pZ" }, *const pQ[] = { "pQ" }, *const pZA1[] = { "pZ", "pA1" };

static struct aw_score_leak leak(const char *id, const char *pipe, const char *node,
    const char *dma, double start_h, double end_h, double peak)
{
	struct aw_score_leak l = { 0 };
	l.id = id;
	l.pipe = pipe;
	l.node = node;
	l.dma = dma;
	l.start = (int64_t)(start_h * H);
	l.end = end_h < 0 ? AW_SCORE_OPEN : (int64_t)(end_h * H);
	l.peak_lps = peak;
	return l;
}

static struct aw_score_det det(double t_h, double end_h, const char *const *pipes,
    size_t npipes, const char *dma)
{
	struct aw_score_det d = { 0 };
	d.t = (int64_t)(t_h * H);
	d.end = (int64_t)(end_h * H);
	d.pipes = pipes;
	d.npipes = npipes;
	d.dma = dma;
	return d;
}

static void main_scenario(void)
{
	/*
	 * Period [0 h, 24 h). Leaks:
	 *   A pipe pA   10-20 h  1.5 L/s             small
	 *   B pipe pB   5 h-open series below, peak from the series = 4   medium, dma north
	 *   C node n7   12-14 h  8 L/s               large
	 *   D pipe pD   2-3 h    10 L/s              large (missed)
	 *   E pipe pE   16-18 h  3 L/s               medium, dma south
	 * B's series, 1 h steps from 0 h: 0 x5, then 1 (5 h), 2 (6 h), 3 (7 h), 4 (8..23 h).
	 */
	double bflow[24] = { 0, 0, 0, 0, 0, 1, 2, 3 };
	for (int i = 8; i < 24; i++)
		bflow[i] = 4;
	struct aw_score_leak L[5] = {
		leak("A", "pA", NULL, NULL, 10, 20, 1.5),
		leak("B", "pB", NULL, "north", 5, -1, NAN),
		leak("C", NULL, "n7", NULL, 12, 14, 8),
		leak("D", "pD", NULL, NULL, 2, 3, 10),
		leak("E", "pE", NULL, "south", 16, 18, 3),
	};
	L[1].flow = bflow;
	L[1].nflow = 24;
	L[1].flow_t0 = 0;
	L[1].flow_dt = H;

	/*
	 * Detections in input order (processed in time order: d5 d1 d0 d2 d3 d4 d8 d7; d6 late):
	 * d0 11.25 h pA1: A (120 m) and B (200 m) qualify, B already found at 6 h -> TP A, x 120
	 *    volume 1.5 L/s x (20 - 11.25) h = 47.25 m3; 47.25 x 0.8 - 120/300 x 500 = -162.2
	 * d1 6 h pB1: B (90 m) -> TP B; volume = samples from 6 h: (2 + 3 + 16 x 4) L/s.h = 248.4 m3
	 *    248.4 x 0.8 - 90/300 x 500 = 198.72 - 150 = 48.72
	 * d2 12.5 h pA: A (0 m) and B (250 m) found already, C (280 m) not -> TP C, x 280
	 *    volume 8 x 1.5 h = 43.2 m3; 34.56 - 466.667 = -432.10667
	 * d3 13 h pA: A, B, C qualify, all found -> repeat, 0
	 * d4 15 h pZ: A 900 m, B 400 m -> FP, -500
	 * d5 2.5-4.5 h pQ: D at 350 m -> FP, -500; D's localisation distance 350
	 * d6 25 h: after the period -> ignored
	 * d7 17.5 h no pipe, dma south: A (no dma, found), E (south) -> TP E, distance unknown
	 *    volume 3 x 0.5 h = 5.4 m3; 4.32 - 500 = -495.68
	 * d8 16.5 h no pipe, dma north: A and B (north) found, E is south -> repeat
	 */
	struct aw_score_det D[9] = {
		det(11.25, 11.25, pA1, 1, NULL),
		det(6, 6, pB1, 1, NULL),
		det(12.5, 12.5, pA, 1, NULL),
		det(13, 13, pA, 1, NULL),
		det(15, 15.5, pZ, 1, NULL),
		det(2.5, 4.5, pQ, 1, NULL),
		det(25, 25, pA, 1, NULL),
		det(17.5, 17.5, NULL, 0, "south"),
		det(16.5, 16.5, NULL, 0, "north"),
	};
	struct aw_score_opts o;
	struct aw_score_result r;

	aw_score_opts_init(&o);
	o.dist = dist;
	o.dist_node = dist;
	o.period_start = 0;
	o.period_end = 24 * H;
	o.onset_lps = 2.5;
	o.step = H;
	ok(aw_score_run(L, 5, D, 9, &o, &r) == 0, "score runs");

	ok(r.tp == 4 && r.fp == 2 && r.repeat == 2 && r.ignored == 1 && r.fn == 1,
	    "4 TP, 2 FP, 2 repeats, 1 ignored, 1 missed");
	ok(r.unlocated == 1, "one TP matched by dma and time only");
	static const enum aw_det_outcome want[9] = { AW_DET_TP, AW_DET_TP, AW_DET_TP,
		AW_DET_REPEAT, AW_DET_FP, AW_DET_FP, AW_DET_IGNORED, AW_DET_TP, AW_DET_REPEAT };
	int same = 1;
	for (int i = 0; i < 9; i++)
		same &= r.dets[i].outcome == want[i];
	ok(same, "outcome of every detection");
	ok(r.dets[0].leak == 0 && r.dets[1].leak == 1 && r.dets[2].leak == 2 &&
	    r.dets[7].leak == 4, "matched leaks (closest undetected)");
	ok(r.dets[3].leak == 0 && r.dets[8].leak == 1, "repeats name the closest leak, or the one in the same dma");
	is_str(r.dets[2].pipe, "pA", "d2 matched through pipe pA");
	ok(r.leaks[3].det == (size_t)-1, "D is missed");

	/* TPR 4/5; small A 1/1, medium B E 2/2, large C D 1/2 */
	is_num(r.tpr, 0.8, 1e-12, "TPR 4/5");
	ok(r.class_n[AW_SIZE_SMALL] == 1 && r.class_n[AW_SIZE_MEDIUM] == 2 &&
	    r.class_n[AW_SIZE_LARGE] == 2 && r.class_n[AW_SIZE_UNKNOWN] == 0, "size classes");
	is_num(r.leaks[1].peak_lps, 4, 0, "B's peak from its series");
	is_num(r.class_tpr[AW_SIZE_SMALL], 1, 0, "TPR small 1/1");
	is_num(r.class_tpr[AW_SIZE_MEDIUM], 1, 0, "TPR medium 2/2");
	is_num(r.class_tpr[AW_SIZE_LARGE], 0.5, 0, "TPR large 1/2");
	ok(isnan(r.class_tpr[AW_SIZE_UNKNOWN]), "TPR unknown class undefined");
	/* FP / (TP + FP + repeats) = 2/8 */
	is_num(r.false_alert_share, 0.25, 1e-12, "false-alert share 2/8");

	/* delays A 1.25 h, B 1 h, C 0.5 h, E 1.5 h: sorted 1800 3600 4500 5400 */
	is_num(r.leaks[0].delay_s, 4500, 0, "A delay 1.25 h");
	is_num(r.delay_median_s, 4050, 1e-9, "median delay (3600+4500)/2");
	is_num(r.delay_mean_s, 3825, 1e-9, "mean delay 15300/4");
	is_num(r.delay_max_s, 5400, 0, "max delay 1.5 h");
	/* B's flow first exceeds 2.5 L/s at 7 h; detected at 6 h */
	ok(r.leaks[1].onset == 7 * H, "B onset at 7 h");
	is_num(r.leaks[1].onset_delay_s, -3600, 0, "B onset delay -1 h");
	ok(r.onset_n == 1, "one onset delay");
	is_num(r.onset_delay_median_s, -3600, 0, "median onset delay");
	ok(isnan(r.leaks[0].onset_delay_s), "no onset without a series");

	/* TP distances 120, 90, 280 (E unknown) */
	is_num(r.tp_dist_median_m, 120, 0, "median TP distance");
	ok(isnan(r.leaks[4].dist_m), "E's distance unknown");
	/* localisation: A 120, B 90, C 280, D 350 (by FP d5) -> 3 of 4 within 300 m */
	ok(r.leaks[3].loc_det == 5, "D localised by d5");
	ok(r.loc_n == 4 && r.loc_within == 3, "4 localised leaks, 3 within 300 m");
	is_num(r.loc_within_share, 0.75, 1e-12, "share within 300 m");
	is_num(r.loc_median_m, 200, 1e-12, "median localisation distance (120+280)/2");

	is_num(r.leaks[0].volume_m3, 47.25, 1e-9, "A volume");
	is_num(r.leaks[1].volume_m3, 248.4, 1e-9, "B volume from the series");
	is_num(r.leaks[2].volume_m3, 43.2, 1e-9, "C volume");
	is_num(r.leaks[4].volume_m3, 5.4, 1e-9, "E volume");
	is_num(r.leaks[0].eur, -162.2, 1e-9, "A score");
	is_num(r.leaks[1].eur, 48.72, 1e-9, "B score");
	is_num(r.leaks[2].eur, 34.56 - 1400.0 / 3, 1e-9, "C score");
	is_num(r.leaks[4].eur, -495.68, 1e-9, "E score (full crew cost, distance unknown)");
	is_num(r.dets[4].eur, -500, 0, "FP costs 500");
	is_num(r.dets[3].eur, 0, 0, "repeat costs nothing");
	/* water 37.8 + 198.72 + 34.56 + 4.32; crew 200 + 150 + 466.667 + 500 + 2 x 500 */
	is_num(r.eur_water, 275.4, 1e-9, "water value");
	is_num(r.eur_crew, -(1850.0 + 1400.0 / 3), 1e-9, "crew cost");
	is_num(r.eur_total, 275.4 - 1850 - 1400.0 / 3, 1e-9, "BattLeDIM score -2041.27");

	/*
	 * 24 one-hour steps. Leak steps: A 10-20, B 5-23, C 12-14, D 2-3, E 16-18 -> 21 positive
	 * (0 1 4 negative). Covered: d5 2-4, d1 6, d0 11, d2 12, d3 13, d4 15, d8 16, d7 17.
	 * TP 9, FP 1 (step 4), FN 12, TN 2.
	 */
	ok(r.steps_done && r.steps == 24, "24 steps");
	ok(r.step_tp == 9 && r.step_fp == 1 && r.step_fn == 12 && r.step_tn == 2,
	    "per-step confusion 9 1 12 2");
	is_num(r.precision, 0.9, 1e-12, "step precision 9/10");
	is_num(r.recall, 9.0 / 21, 1e-12, "step recall 9/21");
	is_num(r.f1, 18.0 / 31, 1e-12, "step F1 18/31");
	is_num(r.mcc, 6 / sqrt(8820), 1e-12, "step MCC (18-12)/sqrt(10*21*3*14)");
	aw_score_result_free(&r);

	/* the same without a period: d6 is scored, open leak B's volume runs to its series end */
	o.period_start = o.period_end = AW_SCORE_NONE;
	o.step = 0;
	ok(aw_score_run(L, 5, D, 9, &o, &r) == 0, "unbounded period");
	ok(r.ignored == 0 && r.repeat == 3 && r.fp == 2, "d6 at 25 h is a repeat hit on open leak B");
	is_num(r.leaks[1].volume_m3, 248.4, 1e-9, "series volume to its end");
	ok(!r.steps_done, "no per-step figures");
	aw_score_result_free(&r);

	o.step = H;
	ok(aw_score_run(L, 5, D, 9, &o, &r) == -1, "per-step needs a bounded period");
}

static void rules(void)
{
	struct aw_score_leak L[2] = {
		leak("A", "pA", NULL, NULL, 0, 10, 1),
		leak("B", "pB", NULL, NULL, 0, 10, 1),
	};
	struct aw_score_det D[1] = { det(1, 1, pZA1, 2, NULL) };
	struct aw_score_opts o;
	struct aw_score_result r;

	aw_score_opts_init(&o);
	o.dist = dist;
	/* top-1: pZ is 900 m from A, 400 m from B -> FP */
	aw_score_run(L, 2, D, 1, &o, &r);
	ok(r.fp == 1 && r.tp == 0, "top-1 candidate too far: FP");
	aw_score_result_free(&r);
	/* top-2: pA1 is 120 m from A -> TP through the second candidate */
	o.top_k = 2;
	aw_score_run(L, 2, D, 1, &o, &r);
	ok(r.tp == 1 && r.dets[0].leak == 0, "top-2: TP for A");
	is_str(r.dets[0].pipe, "pA1", "through candidate pA1");
	is_num(r.dets[0].dist_m, 120, 0, "at 120 m");
	/* volume 1 L/s x 9 h = 32.4 m3 -> 25.92 - 200 */
	is_num(r.eur_total, 25.92 - 200, 1e-9, "score of the top-2 TP");
	aw_score_result_free(&r);

	/* no distance function: only the same pipe has a distance; a pipe at an unknown
	 * distance does not qualify, a detection without pipes is matched by time */
	o.dist = NULL;
	o.top_k = 1;
	struct aw_score_det D2[3] = { det(1, 1, pA, 1, NULL), det(2, 2, pZ, 1, NULL),
		det(3, 3, NULL, 0, NULL) };
	aw_score_run(L, 2, D2, 3, &o, &r);
	ok(r.tp == 2 && r.fp == 1 && r.unlocated == 1, "same pipe TP, unknown distance FP, no pipe TP");
	is_num(r.dets[0].dist_m, 0, 0, "same pipe at 0 m");
	ok(r.dets[1].outcome == AW_DET_FP, "pZ at an unknown distance is an FP");
	ok(r.dets[2].leak == 1, "detection without a place takes the undetected leak");
	aw_score_result_free(&r);

	/* unlocated: of two undetected leaks the one that started last is taken */
	struct aw_score_leak L2[2] = {
		leak("old", "pA", NULL, NULL, 0, 10, 1),
		leak("new", "pB", NULL, NULL, 4, 10, 1),
	};
	struct aw_score_det D3[1] = { det(5, 5, NULL, 0, NULL) };
	aw_score_run(L2, 2, D3, 1, &o, &r);
	ok(r.dets[0].leak == 1, "latest start wins for a detection without a place");
	aw_score_result_free(&r);
	L2[0].dma = "d1";
	D3[0].dma = "d1";
	aw_score_run(L2, 2, D3, 1, &o, &r);
	ok(r.dets[0].leak == 0, "a leak in the detection's dma before one of unknown dma");
	aw_score_result_free(&r);

	/* a TP whose volume cannot be known makes the total unknown */
	struct aw_score_leak L3[1] = { leak("X", "pA", NULL, NULL, 0, -1, 2) };
	struct aw_score_det D4[1] = { det(1, 1, pA, 1, NULL) };
	aw_score_run(L3, 1, D4, 1, &o, &r);
	ok(r.tp == 1 && r.volume_unknown == 1 && isnan(r.eur_total), "open leak, no period end: score unknown");
	aw_score_result_free(&r);
	o.period_end = 11 * H;
	aw_score_run(L3, 1, D4, 1, &o, &r);
	/* 2 L/s x 10 h = 72 m3 -> 57.6 */
	is_num(r.eur_total, 57.6, 1e-9, "open leak ends at the period end");
	aw_score_result_free(&r);

	/* nothing at all */
	aw_score_opts_init(&o);
	aw_score_run(NULL, 0, NULL, 0, &o, &r);
	ok(isnan(r.tpr) && isnan(r.false_alert_share) && isnan(r.delay_median_s) &&
	    r.eur_total == 0, "empty input");
	aw_score_result_free(&r);
}

static void helpers(void)
{
	ok(aw_size_class_of(1.99) == AW_SIZE_SMALL && aw_size_class_of(2) == AW_SIZE_MEDIUM &&
	    aw_size_class_of(5.99) == AW_SIZE_MEDIUM && aw_size_class_of(6) == AW_SIZE_LARGE &&
	    aw_size_class_of(NAN) == AW_SIZE_UNKNOWN, "size class bounds 2 and 6 L/s");
	is_str(aw_size_class_name(AW_SIZE_LARGE), "large", "class name");
	is_str(aw_det_outcome_name(AW_DET_REPEAT), "repeat", "outcome name");
	double v[] = { 5, 1, 3 };
	is_num(aw_median(v, 3), 3, 0, "odd median");
	is_num(aw_median(v, 2), 2, 0, "even median");
	ok(isnan(aw_median(v, 0)), "empty median");

	/* 5-minute BattLeDIM series in L/s: 1, 2, 3 from 00:00; a detection at 00:07 counts
	 * the sample that holds it: (2 + 3) L/s x 300 s = 1.5 m3; period end 00:10 -> 0.6 */
	double q[] = { 1, 2, 3 };
	struct aw_score_leak l = leak("S", "p1", NULL, NULL, 0, -1, NAN);
	l.flow = q;
	l.nflow = 3;
	l.flow_dt = 300;
	is_num(aw_score_volume(&l, 420, AW_SCORE_NONE), 1.5, 1e-12, "series volume from 00:07");
	is_num(aw_score_volume(&l, 420, 600), 0.6, 1e-12, "series volume to the period end");
	is_num(aw_score_volume(&l, 0, AW_SCORE_NONE), 1.8, 1e-12, "whole series");
}

int main(void)
{
	main_scenario();
	rules();
	helpers();
	ok(calls > 0, "distance callback used");
	return tap_done();
}
