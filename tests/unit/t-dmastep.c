#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_dmastep.h"
#include "tap.h"

struct got {
	char dma[16];
	int64_t ts;
	float row[64];
	size_t ncol;
	int nsensors;
};

static struct got got[16];
static int ngot;

static void take(const char *dma, int64_t ts, const float *row, size_t ncol, int nsensors,
    void *ctx)
{
	struct got *g = &got[ngot++];
	snprintf(g->dma, sizeof g->dma, "%s", dma);
	g->ts = ts;
	memcpy(g->row, row, ncol * sizeof *row);
	g->ncol = ncol;
	g->nsensors = nsensors;
	(void)ctx;
}

static int add(struct aw_dmastep *a, const char *line)
{
	static struct aw_record r;
	const char *err;
	static long n;
	if (aw_json_parse(&r, line, strlen(line), &err) != 0)
		return -9;
	return aw_dmastep_add(a, &r, "<test>", ++n);
}

static double col(const struct got *g, struct aw_dmastep *a, const char *name, int stat)
{
	for (size_t i = 0; i < aw_dmastep_ninputs(a); i++)
		if (strcmp(aw_dmastep_input_name(a, i), name) == 0)
			return i * AW_NSTATS + stat < g->ncol ? g->row[i * AW_NSTATS + stat] : NAN;
	return -999;
}

int main(void)
{
	struct aw_dmastep *a = aw_dmastep_new(take, NULL);
	int64_t t0;
	int z;

	aw_parse_time("2019-03-04T02:15:00Z", 20, &t0, &z);
	ok(add(a, "{\"type\":\"features\",\"ts\":\"2019-03-04T02:15:00Z\",\"sensor\":\"n1\","
	    "\"dma\":\"A\",\"pressure_mean\":3.5,\"pressure_std\":0.25,\"is_night\":true,"
	    "\"note\":\"x\",\"node\":7}") == 1, "takes a features record");
	add(a, "{\"type\":\"features\",\"ts\":\"2019-03-04T02:15:00Z\",\"sensor\":\"n2\","
	    "\"dma\":\"A\",\"pressure_mean\":2.5,\"pressure_std\":null,\"is_night\":true}");
	add(a, "{\"type\":\"features\",\"ts\":\"2019-03-04T02:15:00Z\",\"sensor\":\"n9\","
	    "\"dma\":\"B\",\"pressure_mean\":4}");
	ok(add(a, "{\"type\":\"anomaly\",\"ts\":\"2019-03-04T02:15:00Z\",\"sensor\":\"n1\","
	    "\"dma\":\"A\",\"score\":0.75,\"anomalous\":true,\"top\":[\"a\"],\"model\":\"m\"}") == 1,
	    "takes an anomaly record");
	add(a, "{\"type\":\"anomaly\",\"ts\":\"2019-03-04T02:15:00Z\",\"sensor\":\"n2\","
	    "\"dma\":\"A\",\"score\":0.25,\"anomalous\":false}");
	ok(add(a, "{\"type\":\"reading\",\"ts\":\"2019-03-04T02:15:00Z\",\"value\":1}") == 0,
	    "leaves other records alone");
	ok(ngot == 0, "nothing complete while the step is open");
	ok(add(a, "{\"type\":\"features\",\"ts\":\"2019-03-04T02:30:00Z\",\"sensor\":\"n1\","
	    "\"dma\":\"A\",\"pressure_mean\":3}") == 1 && ngot == 1, "a later step completes the DMA's step");
	struct got *g = &got[0];
	is_str(g->dma, "A", "row's DMA");
	ok(g->ts == t0 && g->nsensors == 2, "row's step and sensor count");
	is_num(col(g, a, "pressure_mean", AW_STAT_MEAN), 3.0, 0, "mean over sensors");
	is_num(col(g, a, "pressure_mean", AW_STAT_MIN), 2.5, 0, "min over sensors");
	is_num(col(g, a, "pressure_mean", AW_STAT_MAX), 3.5, 0, "max over sensors");
	is_num(col(g, a, "pressure_std", AW_STAT_MEAN), 0.25, 0, "null is missing, not zero");
	is_num(col(g, a, "is_night", AW_STAT_MIN), 1, 0, "bool true is 1");
	is_num(col(g, a, "anomaly_score", AW_STAT_MEAN), 0.5, 0, "anomaly score mean");
	is_num(col(g, a, "anomaly_score", AW_STAT_MAX), 0.75, 0, "anomaly score max");
	is_num(col(g, a, "anomalous", AW_STAT_MEAN), 0.5, 0, "share of anomalous sensors");
	ok(col(g, a, "node", AW_STAT_MEAN) == -999 && col(g, a, "note", AW_STAT_MEAN) == -999,
	    "node and strings are not inputs");
	ok(g->ncol == aw_dmastep_ninputs(a) * AW_NSTATS, "three statistics per input");

	fprintf(stderr, "# an out-of-order error is expected\n");
	ok(add(a, "{\"type\":\"features\",\"ts\":\"2019-03-04T02:00:00Z\",\"sensor\":\"n1\","
	    "\"dma\":\"A\",\"pressure_mean\":3}") == -1 && ngot == 1, "earlier step refused");
	ok(add(a, "{\"type\":\"features\",\"sensor\":\"n1\",\"dma\":\"A\"}") == -1, "no ts refused");
	add(a, "{\"type\":\"features\",\"ts\":\"2019-03-04T02:30:00Z\",\"sensor\":\"x\",\"v\":1}");
	aw_dmastep_flush(a);
	ok(ngot == 4, "flush completes every open step");
	is_str(got[1].dma, "B", "flush in time order: B at 02:15 first");
	is_str(got[2].dma, "A", "then A at 02:30");
	is_str(got[3].dma, AW_DMA_NONE, "records without dma go to '" AW_DMA_NONE "'");
	is_num(col(&got[2], a, "anomaly_score", AW_STAT_MEAN), NAN, 0, "no anomaly record: NaN");
	aw_rval = 0;
	aw_dmastep_free(a);

	/* fixed inputs: scoring with a model ignores everything else */
	ngot = 0;
	a = aw_dmastep_new(take, NULL);
	aw_dmastep_input(a, "pressure_mean");
	aw_dmastep_input(a, "anomaly_score");
	aw_dmastep_fix(a);
	add(a, "{\"type\":\"features\",\"ts\":\"2019-03-04T02:15:00Z\",\"dma\":\"A\",\"extra\":5,"
	    "\"pressure_mean\":1}");
	add(a, "{\"type\":\"anomaly\",\"ts\":\"2019-03-04T02:15:00Z\",\"dma\":\"A\",\"score\":0.1,"
	    "\"anomalous\":false}");
	aw_dmastep_flush(a);
	ok(aw_dmastep_ninputs(a) == 2 && ngot == 1 && got[0].ncol == 6, "fixed inputs stay fixed");
	ok(aw_dmastep_input_seen(a, 0) && aw_dmastep_input_seen(a, 1), "inputs seen");
	is_num(got[0].row[3], 0.1f, 0, "fixed anomaly score column");
	aw_dmastep_free(a);
	return tap_done();
}
