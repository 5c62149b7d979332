/* aw_report: the water-balance formulas on a small DMA computed by hand, periods,
 * quality episodes, model monitoring with drift; aw_svg: nice ticks, time ticks, output. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_report.h"
#include "aw_svg.h"
#include "aw_time.h"
#include "tap.h"

static int64_t T(const char *s)
{
	int64_t t;
	int z;
	aw_parse_time(s, strlen(s), &t, &z);
	return t;
}

static void formulas(void)
{
	/* UARL = (18·Lm + 0.8·Nc + 25·Lp)·P = (18·10 + 0.8·1000 + 25·5)·40 = 1105·40 */
	is_num(aw_uarl_l_per_day(10, 1000, 5, 40), 44200, 1e-9, "UARL of the small DMA, L/day");
	/* 1000 connections × 1.8 L/h / 3600 = 0.5 L/s */
	is_num(aw_night_use_lps(1000, 1.8), 0.5, 1e-12, "legitimate night use, L/s");
	/* (3 − 0.5) L/s × 20 h × 3.6 m³ per L/s·h = 180 m³/day */
	is_num(aw_night_flow_losses_m3_per_day(3, 0.5, 20), 180, 1e-9, "night-flow real losses");
	is_num(aw_night_flow_losses_m3_per_day(0.3, 0.5, 20), 0, 0, "MNF below night use: 0, not negative");

	/* pressure 3 bar all day, 4 bar in the night hours 02 and 03:
	 * NDF = 2·(4/4) + 22·(3/4) = 18.5 h; with N1 = 1.5: 2 + 22·0.75^1.5 = 16.2894... h */
	double prof[24];
	for (int h = 0; h < 24; h++)
		prof[h] = h == 2 || h == 3 ? 4 : 3;
	is_num(aw_night_day_factor(prof, 2, 4, 1), 18.5, 1e-9, "night-day factor, N1 = 1");
	is_num(aw_night_day_factor(prof, 2, 4, 1.5), 2 + 22 * pow(0.75, 1.5), 1e-9, "night-day factor, N1 = 1.5");
	prof[12] = NAN;
	ok(isnan(aw_night_day_factor(prof, 2, 4, 1)), "night-day factor needs all 24 hours");
	for (int h = 0; h < 24; h++)
		prof[h] = h >= 23 || h < 1 ? 6 : 3;
	/* a window across midnight (23-01): P_night = 6, NDF = 2 + 22·0.5 = 13 */
	is_num(aw_night_day_factor(prof, 23, 1, 1), 13, 1e-9, "night window across midnight");
}

static void balance(void)
{
	/* The DMA "north" of tests/data/report over two days:
	 *   SIV: inlet 10 L/s for 20 h and 4 L/s from 01:00 to 05:00, outlet 1 L/s:
	 *        (20·9 + 4·3)/24 = 8 L/s = 691.2 m³/day, 1382.4 m³
	 *   billed 600 m³ (AMR), unbilled 14 m³/day = 28 m³, apparent 2 % of billed = 12 m³
	 *   authorised 628, water losses 1382.4 − 628 = 754.4, real 754.4 − 12 = 742.4 m³
	 *   NRW = 1382.4 − 600 = 782.4 m³ = 56.597 % of SIV
	 *   CARL = 742.4 / 2 days · 1000 = 371 200 L/day; UARL 44 200; ILI = 8.3982
	 *   per connection 371.2 L/day; night flow (3 − 0.5)·20·3.6 = 180 m³/day */
	struct aw_balance_in in = {
		.days = 2, .siv_m3 = 1382.4, .billed_m3 = 600, .unbilled_m3 = 28, .apparent_pct = 2,
		.mnf_lps = 3, .night_use_lps = 0.5, .ndf_h = 20,
		.mains_km = 10, .connections = 1000, .private_km = 5, .pressure_m = 40,
	};
	struct aw_balance b;
	aw_balance_compute(&in, &b);
	is_num(b.authorised_m3, 628, 1e-9, "authorised consumption");
	is_num(b.water_losses_m3, 754.4, 1e-9, "water losses");
	is_num(b.apparent_m3, 12, 1e-9, "apparent losses");
	is_num(b.real_m3, 742.4, 1e-9, "real losses");
	is_num(b.nrw_m3, 782.4, 1e-9, "non-revenue water");
	is_num(b.nrw_pct, 782.4 / 1382.4 * 100, 1e-9, "NRW % of SIV");
	is_num(b.night_losses_m3_per_day, 180, 1e-9, "night-flow losses");
	is_num(b.carl_l_per_day, 371200, 1e-6, "CARL from the balance");
	ok(b.carl_source == AW_CARL_BALANCE, "CARL source: balance");
	is_num(b.uarl_l_per_day, 44200, 1e-9, "UARL");
	is_num(b.ili, 371200.0 / 44200, 1e-12, "ILI = 8.398");
	is_num(b.real_l_per_conn_day, 371.2, 1e-9, "real losses per connection");

	/* without an apparent-loss estimate the balance has no real losses: CARL from the
	 * night flow, 180 m³/day = 180 000 L/day, ILI = 180000/44200 = 4.0724 */
	in.apparent_pct = NAN;
	aw_balance_compute(&in, &b);
	ok(isnan(b.real_m3), "no apparent estimate: no real losses from the balance");
	is_num(b.carl_l_per_day, 180000, 1e-6, "CARL from the night flow");
	ok(b.carl_source == AW_CARL_NIGHT_FLOW, "CARL source: night flow");
	is_num(b.ili, 180000.0 / 44200, 1e-12, "ILI from the night flow");

	/* nothing billed and no connections: NRW and ILI unknown */
	struct aw_balance_in none = { .days = 1, .siv_m3 = 100, .billed_m3 = NAN, .unbilled_m3 = NAN,
		.apparent_pct = NAN, .mnf_lps = 1, .night_use_lps = NAN, .ndf_h = 22,
		.mains_km = NAN, .connections = NAN, .private_km = 0, .pressure_m = NAN };
	aw_balance_compute(&none, &b);
	ok(isnan(b.nrw_m3) && isnan(b.ili) && b.carl_source == AW_CARL_NONE,
	    "unknown billing and connections: no NRW, no CARL, no ILI");
}

static void periods(void)
{
	struct aw_period p;
	char a[24], b[24];
	aw_tz_set("Europe/Berlin");
	ok(aw_period_parse("2019-01", &p) == 0, "month period");
	aw_fmt_time(a, p.start), aw_fmt_time(b, p.end);
	is_str(a, "2018-12-31T23:00:00Z", "January starts at local midnight (UTC+1)");
	is_str(b, "2019-01-31T23:00:00Z", "and ends at the next local midnight");
	ok(aw_period_parse("2019", &p) == 0 && p.day1 - p.day0 == 364, "year period: 365 days");
	ok(aw_period_parse("2019-03-31", &p) == 0 && p.end - p.start == 23 * 3600,
	    "the spring-forward day has 23 hours");
	ok(aw_period_parse("2019-01-01..2019-01-31", &p) == 0 && p.day1 - p.day0 == 30, "day range");
	ok(aw_period_parse("2019-01..2019-03", &p) == 0 && p.day1 - p.day0 == 31 + 28 + 31 - 1,
	    "month range");
	ok(aw_period_parse("all", &p) == 0 && p.all, "all");
	ok(aw_period_parse(NULL, &p) == 0 && p.all, "no period: all");
	ok(aw_period_parse("2019-02-29", &p) < 0, "no such day");
	ok(aw_period_parse("2019-13", &p) < 0, "no such month");
	ok(aw_period_parse("2019-03..2019-01", &p) < 0, "range backwards");
	ok(aw_period_parse("19-01", &p) < 0 && aw_period_parse("2019-1", &p) < 0, "malformed");
	aw_tz_set("UTC");
}

static void quality(void)
{
	struct aw_qlimits l;
	struct aw_qtrack q;
	/* hourly chlorine: 0.5, then 0.1 from 01:00 to 05:00 (5 h below 0.2 until 06:00: a
	 * breach), 0.15 at 07:00-08:00 (2 h: allowed), 4.5 at 10:00 (above 4: a breach),
	 * 0.1 at 12:00-13:00 still below when the data end (1 h: allowed) */
	static const double v[] = { 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.5, 0.15, 0.15, 0.5, 4.5, 0.5,
		0.1, 0.1 };
	int64_t t0 = T("2019-01-01T00:00:00Z");
	aw_qlimits_get(NULL, "chlorine", &l);
	ok(l.min == 0.2 && l.max == 4 && l.max_hours_below == 4 && isnan(l.p95_max),
	    "chlorine defaults 0.2-4 mg/L, 4 h");
	aw_qtrack_init(&q, &l);
	for (size_t i = 0; i < AW_NELEM(v); i++)
		aw_qtrack_add(&q, t0 + (int64_t)i * 3600, v[i]);
	aw_qtrack_finish(&q);
	ok(q.nep == 4, "four episodes (got %zu)", q.nep);
	if (q.nep == 4) {
		ok(q.ep[0].start == t0 + 3600 && q.ep[0].end == t0 + 6 * 3600 && q.ep[0].breach &&
		    q.ep[0].extreme == 0.1 && !q.ep[0].above, "5 h below 0.2: a breach, extreme 0.1");
		ok(q.ep[1].end - q.ep[1].start == 2 * 3600 && !q.ep[1].breach, "2 h below: allowed");
		ok(q.ep[2].above && q.ep[2].breach && q.ep[2].extreme == 4.5 && q.ep[2].limit == 4,
		    "above 4 mg/L: a breach");
		ok(q.ep[3].end == t0 + 13 * 3600 && !q.ep[3].breach, "open at the end: ends at the last sample");
	}
	ok(aw_qtrack_breaches(&q) == 2, "two breaches");
	is_num(q.min, 0.1, 0, "min");
	is_num(q.max, 4.5, 0, "max");
	aw_qtrack_free(&q);

	/* turbidity: 20 samples, 2 above 0.3 NTU (10 % > 5 %), none above 1 */
	aw_qlimits_get(NULL, "turbidity", &l);
	ok(isnan(l.min) && l.max == 1 && l.p95_max == 0.3, "turbidity defaults");
	aw_qtrack_init(&q, &l);
	for (int i = 0; i < 20; i++)
		aw_qtrack_add(&q, t0 + i * 60, i == 3 || i == 9 ? 0.5 : 0.1);
	aw_qtrack_finish(&q);
	is_num(aw_qtrack_p95_share(&q), 10, 1e-12, "10 % of the samples above 0.3 NTU");
	ok(q.nep == 0, "no episode below 1 NTU");
	aw_qtrack_free(&q);

	/* 5-minute chlorine around 0.2 with noise: a single sample back above the limit
	 * (shorter than the 15-minute merge gap) does not end the episode; 15 minutes back
	 * do. 0.1 from 00:05, 0.3 at 00:20, 0.1 again 00:25-00:35, 0.3 from 00:40 to 01:00:
	 * one episode 00:05-00:40 */
	aw_qlimits_get(NULL, "chlorine", &l);
	aw_qtrack_init(&q, &l);
	static const double w[] = { 0.3, 0.1, 0.1, 0.1, 0.3, 0.1, 0.1, 0.1, 0.3, 0.3, 0.3, 0.3, 0.3 };
	for (size_t i = 0; i < AW_NELEM(w); i++)
		aw_qtrack_add(&q, t0 + (int64_t)i * 300, w[i]);
	aw_qtrack_finish(&q);
	ok(q.nep == 1 && q.ep[0].start == t0 + 300 && q.ep[0].end == t0 + 8 * 300,
	    "a 5-minute blip back within limits does not split an episode");
	aw_qtrack_free(&q);
	l.merge_s = 0;
	aw_qtrack_init(&q, &l);
	for (size_t i = 0; i < AW_NELEM(w); i++)
		aw_qtrack_add(&q, t0 + (int64_t)i * 300, w[i]);
	aw_qtrack_finish(&q);
	ok(q.nep == 2, "without a merge gap it does");
	aw_qtrack_free(&q);

	aw_qlimits_get(NULL, "ph", &l);
	ok(l.min == 6.5 && l.max == 8.5 && isnan(l.max_hours_below), "pH 6.5-8.5, any excursion a breach");
	aw_qtrack_init(&q, &l);
	aw_qtrack_add(&q, t0, 7);
	aw_qtrack_add(&q, t0 + 60, 6.4);
	aw_qtrack_add(&q, t0 + 120, 7);
	aw_qtrack_finish(&q);
	ok(q.nep == 1 && q.ep[0].breach, "one minute below 6.5 is a breach");
	aw_qtrack_free(&q);
}

static void monitor(void)
{
	/* DMA 0, threshold 0.5. Leaks 10 Jan 00:00-12:00 and 10 Feb 00:00-12:00, unsure
	 * 20 Feb 00:00-01:00.
	 * January: p 0.1 (neg), 0.8 at 10 Jan 02:00 (pos, detected after 2 h), 0 (neg), 0.2 (neg)
	 *   Brier (0.01 + 0.04 + 0 + 0.04)/4 = 0.0225, FPR 0/3, TPR 1/1, latency 2 h
	 * February: 0.6 (neg, FP), 0.3 at 10 Feb 03:00 (pos), 0.7 at 06:00 (pos, detected after
	 *   6 h), 0.5 (neg, FP: >= 0.5), 0.9 at 20 Feb 00:30 (unsure: left out), 0.1 (neg)
	 *   Brier (0.36 + 0.49 + 0.09 + 0.25 + 0.01)/5 = 0.24, FPR 2/3, TPR 1/1, latency 6 h
	 * Drift in February: Brier 0.24 > 1.25·0.0225 (+0.01), FPR 0.667 > 1.5·0 (+0.005),
	 *   latency 6 > 1.5·2 (+1 h); TPR unchanged. */
	struct aw_prob p[] = {
		{ T("2019-02-25T00:00:00Z"), 0, 0.1f },	/* unsorted on purpose */
		{ T("2019-01-05T00:00:00Z"), 0, 0.1f },
		{ T("2019-01-10T02:00:00Z"), 0, 0.8f },
		{ T("2019-01-15T00:00:00Z"), 0, 0.0f },
		{ T("2019-01-20T00:00:00Z"), 0, 0.2f },
		{ T("2019-02-05T00:00:00Z"), 0, 0.6f },
		{ T("2019-02-10T03:00:00Z"), 0, 0.3f },
		{ T("2019-02-10T06:00:00Z"), 0, 0.7f },
		{ T("2019-02-15T00:00:00Z"), 0, 0.5f },
		{ T("2019-02-20T00:30:00Z"), 0, 0.9f },
	};
	struct aw_interval iv[] = {
		{ 0, T("2019-01-10T00:00:00Z"), T("2019-01-10T12:00:00Z"), 1 },
		{ 0, T("2019-02-10T00:00:00Z"), T("2019-02-10T12:00:00Z"), 1 },
		{ 0, T("2019-02-20T00:00:00Z"), T("2019-02-20T01:00:00Z"), -1 },
		{ 1, T("2019-01-01T00:00:00Z"), T("2019-03-01T00:00:00Z"), 1 },	/* other DMA */
	};
	struct aw_monitor *m;
	size_t n = aw_monitor_compute(p, AW_NELEM(p), iv, AW_NELEM(iv), 0.5, &m);
	ok(n == 2, "two months");
	if (n != 2)
		return;
	is_str(m[0].label, "2019-01", "first month");
	ok(m[0].steps == 4 && m[0].negatives == 3 && m[0].false_pos == 0, "January counts");
	is_num(m[0].brier, 0.0225, 1e-7, "January Brier");
	is_num(m[0].fpr, 0, 0, "January FPR");
	is_num(m[0].tpr, 1, 0, "January TPR");
	is_num(m[0].latency_h, 2, 1e-12, "January latency");
	ok(m[0].drift == 0, "no drift flags in the first month");
	ok(m[1].steps == 5 && m[1].negatives == 3 && m[1].false_pos == 2, "February counts (unsure left out)");
	is_num(m[1].brier, 0.24, 1e-7, "February Brier");
	is_num(m[1].fpr, 2.0 / 3, 1e-12, "February FPR");
	is_num(m[1].latency_h, 6, 1e-12, "February latency");
	ok(m[1].drift == (AW_DRIFT_BRIER | AW_DRIFT_FPR | AW_DRIFT_LATENCY), "drift: Brier, FPR, latency");
	free(m);
	ok(aw_monitor_compute(p, 0, iv, 0, 0.5, &m) == 0 && m == NULL, "no probabilities: no months");
}

static void svg(void)
{
	double f, l, st;
	st = aw_nice_step(0, 7.3, 5, &f, &l);
	ok(st == 2 && f == 0 && l == 8, "0..7.3: step 2, 0..8");
	st = aw_nice_step(0.02, 0.087, 5, &f, &l);
	is_num(st, 0.02, 1e-12, "0.02..0.087: step 0.02");
	is_num(l, 0.1, 1e-12, "up to 0.1");
	st = aw_nice_step(-0.05, 0.07, 5, &f, &l);
	is_num(st, 0.025, 1e-12, "-0.05..0.07: step 0.025");
	is_num(f, -0.05, 1e-12, "from -0.05");
	st = aw_nice_step(3, 3, 5, &f, &l);
	ok(st > 0 && f <= 3 && l >= 3, "a flat range still gets ticks");
	ok(aw_step_decimals(0.025) == 3 && aw_step_decimals(2) == 0 && aw_step_decimals(0.5) == 1,
	    "decimals of steps");

	int64_t ticks[64];
	char lab[64][24];
	int n;
	int64_t t0 = T("2019-01-14T00:00:00Z");
	long step = aw_time_ticks(t0, t0 + 2 * 86400, 12, ticks, lab, &n);
	ok(step == 6 * 3600 && n == 9, "two days, 12 ticks at most: every 6 h (got %ld, %d)", step, n);
	is_str(lab[0], "14 Jan", "midnight ticks show the date");
	is_str(lab[1], "06:00", "others the time");
	step = aw_time_ticks(T("2019-01-01T00:00:00Z"), T("2019-12-31T00:00:00Z"), 6, ticks, lab, &n);
	ok(n == 6 && !strcmp(lab[0], "Jan 2019") && !strcmp(lab[1], "Mar 2019"),
	    "a year in 6 ticks: every 2 months (%d, %s, %s)", n, lab[0], lab[1]);
	aw_tz_set("Europe/Berlin");
	aw_time_ticks(T("2019-01-13T23:00:00Z"), T("2019-01-15T23:00:00Z"), 12, ticks, lab, &n);
	ok(ticks[0] == T("2019-01-13T23:00:00Z") && !strcmp(lab[0], "14 Jan"), "ticks in local time");
	aw_tz_set("UTC");

	struct aw_buf b = { 0 };
	aw_html_escape(&b, "a<b&\"c'");
	is_str(b.s, "a&lt;b&amp;&quot;c&#39;", "HTML escape");
	aw_buf_reset(&b);
	struct aw_chart c;
	double x[] = { 0, 1, 2, 3 }, y[] = { 1, NAN, 2, 3 };
	aw_chart_begin(&c, &b, 400, 200, "t<1>");
	aw_chart_xrange(&c, 0, 3, 0);
	aw_chart_yrange(&c, 1, 3, 1);
	aw_chart_axes(&c, "L/s", NULL);
	aw_chart_line(&c, x, y, 4, aw_svg_color(0), AW_SVG_SOLID, "flow");
	aw_chart_hline(&c, 2.5, aw_svg_color(1), AW_SVG_DASHED, "limit");
	aw_chart_end(&c);
	ok(strncmp(b.s, "<svg ", 5) == 0 && strstr(b.s, "</svg>\n") && strstr(b.s, "<title>t&lt;1&gt;</title>"),
	    "an SVG element with an escaped title");
	ok(strstr(b.s, "M62.0 ") && strstr(b.s, "h1.5M"), "a NaN breaks the line; an isolated point stays visible");
	ok(!strstr(b.s, "<script") && !strstr(b.s, "href"), "no scripts, no links");
	aw_buf_free(&b);
}

int main(void)
{
	formulas();
	balance();
	periods();
	quality();
	monitor();
	svg();
	return tap_done();
}
