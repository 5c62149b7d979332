/* Customer meters on hand-made accounts: hours, day features, a leak, an always-on
 * business, a stopped meter, reverse flow, jitter, a reset, a gap, DMA volumes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_ami.h"
#include "tap.h"

#define H 3600
#define DAY 86400

static struct aw_ami_day days[512];
static char dayacc[512][8];
static int ndays;
static struct aw_ami_event evs[16];
static char evacc[16][8];
static int nevs;
static struct aw_ami_volume vols[64];
static char voldma[64][8];
static int nvols;

static void on_day(const struct aw_ami_day *d, void *ctx)
{
	if (ndays < 512) {
		days[ndays] = *d;
		snprintf(dayacc[ndays], sizeof dayacc[ndays], "%s", d->account);
		ndays++;
	}
}

static void on_event(const struct aw_ami_event *e, void *ctx)
{
	if (nevs < 16) {
		evs[nevs] = *e;
		snprintf(evacc[nevs], sizeof evacc[nevs], "%s", e->account);
		nevs++;
	}
}

static void on_volume(const struct aw_ami_volume *v, void *ctx)
{
	if (nvols < 64) {
		vols[nvols] = *v;
		snprintf(voldma[nvols], sizeof voldma[nvols], "%s", v->dma);
		nvols++;
	}
}

static const struct aw_ami_day *day(const char *acc, int d)
{
	for (int i = 0; i < ndays; i++)
		if (!strcmp(dayacc[i], acc) && days[i].ts == (int64_t)d * DAY)
			return &days[i];
	return NULL;
}

static const struct aw_ami_event *event(const char *acc, int what)
{
	for (int i = 0; i < nevs; i++)
		if (!strcmp(evacc[i], acc) && evs[i].what == what)
			return &evs[i];
	return NULL;
}

static const struct aw_ami_volume *volume(const char *dma, int d)
{
	for (int i = 0; i < nvols; i++)
		if (!strcmp(voldma[i], dma) && vols[i].start == (int64_t)d * DAY)
			return &vols[i];
	return NULL;
}

/* litres used in hour h (from t = 0) by each account */
static double use(char acc, int h)
{
	int hd = h % 24, d = h / 24;
	switch (acc) {
	case 'L':	/* a household; from day 7 a 5 L/h leak */
		return (hd == 7 || hd == 8 || hd == 19 ? 20 : 0) + (d >= 7 ? 5 : 0);
	case 'B':	/* a business open day and night */
		return 30;
	case 'Z':	/* a household whose meter stops on day 7 */
		return d < 7 && (hd == 7 || hd == 19) ? 10 : 0;
	}
	return 0;
}

static void test_meters(void)
{
	struct aw_ami_opts o;
	aw_ami_defaults(&o);
	struct aw_ami_cb cb = { on_day, on_event, on_volume, NULL };
	struct aw_ami *a = aw_ami_new(&o, &cb);
	aw_ami_account(a, "L", "X");
	aw_ami_account(a, "B", "X");
	aw_ami_account(a, "Z", "X");
	aw_ami_account(a, "N", "X");	/* never read */
	double idx[3] = { 100, 200, 300 };
	const char acc[3] = { 'L', 'B', 'Z' };
	for (int k = 0; k < 3; k++) {
		char id[2] = { acc[k], 0 };
		/* one account after the other, as a meter head-end exports them */
		for (int h = 0; h <= 14 * 24; h++) {
			aw_ami_add(a, id, NULL, (int64_t)h * H, idx[k], 1);
			idx[k] += use(acc[k], h) / 1000;
		}
	}
	/* R (DMA Y): reverse flow, jitter and a reset; G: a gap of five hours */
	ok(aw_ami_add(a, "R", "Y", 0, 50, 1) == 0, "first read of R");
	aw_ami_add(a, "R", "Y", 1 * H, 50.010, 1);
	aw_ami_add(a, "R", "Y", 2 * H, 49.985, 1);	/* 25 L back */
	aw_ami_add(a, "R", "Y", 3 * H, 49.9845, 1);	/* 0.5 L back: jitter */
	aw_ami_add(a, "R", "Y", 4 * H, 0.001, 1);	/* meter exchanged */
	ok(aw_ami_add(a, "R", "Y", 4 * H, 0.002, 1) < 0, "a read not later than the last is refused");
	aw_ami_add(a, "R", "Y", 5 * H, 0.002, 1);
	aw_ami_add(a, "G", "Y", 0, 10, 1);
	aw_ami_add(a, "G", "Y", 5 * H, 10.050, 1);
	aw_ami_add(a, "G", "Y", 6 * H, 10.060, 1);
	aw_ami_finish(a);
	aw_ami_free(a);

	const struct aw_ami_day *d = day("L", 0);
	ok(d != NULL, "day 0 of L");
	is_num(d->volume_m3, 0.06, 1e-9, "L used 60 L on day 0");
	ok(d->hours_read == 24 && d->flow_hours == 3, "24 known hours, 3 flowing");
	ok(d->max_lph == 20 && d->night_min_lph == 0, "max 20 L/h, nothing at night");
	ok(d->continuous_h == 0 && d->zero_h == 4, "day ends with four zero hours (20:00-23:00)");
	is_num(d->active_share, 3.0 / 24, 1e-12, "flowing in 3 of its 24 hours");
	d = day("L", 8);
	ok(d->flow_hours == 24 && d->night_min_lph == 5 && d->continuous_h == 48,
	    "day 8: flowing every hour, night minimum 5 L/h, 48 h in a row");
	d = day("L", 13);
	ok(d && d->hours_read == 24, "the last full day");
	ok(!day("L", 14), "no day after the last read");

	const struct aw_ami_event *e = event("L", AW_AMI_LEAK);
	ok(e != NULL, "a customer-side leak on L");
	ok(e->start == 7 * DAY && e->alarm == 9 * DAY, "from day 7, raised after 48 h");
	ok(e->end == 14 * DAY - 1 && e->open && e->hours == 7 * 24, "still running at the end");
	is_num(e->leak_lph, 5, 1e-9, "leak 5 L/h (the lowest hour of the last day)");
	is_str(e->severity, "medium", "5 L/h is medium");
	is_str(e->id, "EV-AMI-L-continuous_flow-19700108T0000Z", "id");
	ok(!event("B", AW_AMI_LEAK), "no leak for an account that is always on");

	e = event("Z", AW_AMI_STOPPED);
	ok(e != NULL, "a stopped meter on Z");
	ok(e->start == 6 * DAY + 20 * H && e->end == 14 * DAY - 1 && e->open, "zero from day 6, 20:00");
	ok(e->hours == 172 && e->alarm == e->start + 168 * H, "172 zero hours, raised after 7 days");
	is_num(e->neighbour_share, 1, 0, "B flowed in all of them");
	ok(!event("L", AW_AMI_STOPPED) && !event("B", AW_AMI_STOPPED), "no other stopped meter");

	e = event("R", AW_AMI_REVERSE);
	ok(e != NULL && e->steps == 1, "one backward step on R");
	is_num(e->volume_l, 25, 1e-6, "25 L backwards (the jitter and the reset are not counted)");
	d = day("R", 0);
	ok(d->reverse_steps == 1 && d->resets == 1, "R: one reverse step, one reset");
	ok(d->hours_read == 3, "R: known hours 0, 2 (jitter) and 4; not 1 (backwards) and 3 (reset)");

	d = day("G", 0);
	ok(d->hours_read == 1, "G: five hours between reads are not known one by one");
	is_num(d->volume_m3, 0.06, 1e-9, "... but their 50 L count in the day");

	const struct aw_ami_volume *v = volume("X", 0);
	ok(v != NULL, "volume of X on day 0");
	is_num(v->volume_m3, 0.06 + 0.72 + 0.02, 1e-9, "X: L 60 + B 720 + Z 20 litres");
	ok(v->accounts == 4 && v->accounts_read == 3, "four accounts, three read");
	is_num(v->coverage, 0.75, 1e-12, "three of four accounts covered all day");
	ok(v->end - v->start == DAY, "one local day");
	v = volume("Y", 0);
	is_num(v->volume_m3, 0.011 + 0.060, 1e-9, "Y: R 11 L forward, G 60 L");
	ok(!volume("X", 14), "nothing after the last read");
}

static void test_records(void)
{
	struct aw_buf b = { 0 };
	struct aw_writer *w = aw_writer_mem(&b);
	struct aw_ami_event e = { .account = "AC1", .dma = "D1", .what = AW_AMI_LEAK,
		.start = 1551664800, .end = 1551754799, .alarm = 1551837600, .leak_lph = 5.3,
		.volume_l = 410, .hours = 25, .open = 1, .severity = "medium",
		.id = "EV-AMI-AC1-continuous_flow-20190304T0200Z" };
	aw_ami_event_write(w, &e);
	struct aw_ami_volume v = { .dma = "D1", .start = 1551657600, .end = 1551744000,
		.volume_m3 = 12.3456, .accounts = 3, .accounts_read = 2, .coverage = 0.5 };
	aw_ami_volume_write(w, &v);
	aw_writer_close(w);
	is_str(b.s, "{\"type\":\"event\",\"id\":\"EV-AMI-AC1-continuous_flow-20190304T0200Z\","
	    "\"dma\":\"D1\",\"start\":\"2019-03-04T02:00:00Z\",\"end\":\"2019-03-05T02:59:59Z\","
	    "\"alarm\":\"2019-03-06T02:00:00Z\",\"sensors\":[\"AC1\"],\"source\":\"ami\",\"open\":true,"
	    "\"kind\":\"customer\",\"parameter\":\"continuous_flow\",\"account\":\"AC1\","
	    "\"leak_lph\":5.3,\"est_flow\":0.001472,\"volume_l\":410,\"hours\":25,\"severity\":\"medium\"}\n"
	    "{\"type\":\"ami_volume\",\"dma\":\"D1\",\"day\":\"2019-03-04\",\"start\":\"2019-03-04T00:00:00Z\","
	    "\"end\":\"2019-03-05T00:00:00Z\",\"volume_m3\":12.346,\"accounts\":3,\"accounts_read\":2,"
	    "\"coverage\":0.5,\"complete\":false}\n", "event and ami_volume records");
	aw_buf_free(&b);
}

int main(void)
{
	test_meters();
	test_records();
	return tap_done();
}
