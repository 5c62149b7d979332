#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw.h"
#include "aw_truth.h"
#include "tap.h"

static char dir[] = "/tmp/t-truth.XXXXXX";

static char *put(const char *name, const char *text)
{
	static char p[4][128];
	static int k;
	char *s = p[k++ % 4];
	snprintf(s, 128, "%s/%s", dir, name);
	FILE *f = fopen(s, "w");
	fputs(text, f);
	fclose(f);
	return s;
}

static int64_t T(const char *s)
{
	int64_t t;
	int z;
	aw_parse_time(s, strlen(s), &t, &z);
	return t;
}

static const char *dma_of_pipe(const char *pipe, const char *node, void *ctx)
{
	(void)ctx;
	if (pipe && strcmp(pipe, "p1") == 0)
		return "A";
	if (node && strcmp(node, "n5") == 0)
		return "B";
	return NULL;
}

int main(void)
{
	struct aw_truth t = { 0 };
	float y = -1, w = -1;

	if (!mkdtemp(dir))
		return 1;
	ok(aw_label_find("probable") == AW_PROBABLE && aw_label_find("leak") == -1, "label names");
	ok(aw_label_defs[AW_SUSPECTED].weight == 0.4 && aw_label_defs[AW_SUSPECTED].positive &&
	    !aw_label_defs[AW_OPERATIONAL_EVENT].positive, "label weights and signs");

	/* BattLeDIM layout: naive times (UTC here), peak after start = incipient */
	char *b = put("battledim.csv",
	    "pipe_id,start_time,end_time,leak_diameter_m,leak_type,peak_time\r\n"
	    "p257,2018-01-08 13:30,2018-12-31 23:55,0.011843,incipient,2018-01-25 08:30\r\n"
	    "p673,2018-03-05 15:45,2018-03-23 10:25,0.022916,abrupt,2018-03-05 15:45\r\n");
	ok(aw_truth_read_leaks(&t, b) == 0 && t.n == 2, "reads the BattLeDIM leak list");
	ok(t.iv[0].start == T("2018-01-08T13:30:00Z") && t.iv[0].end == T("2018-12-31T23:55:00Z") &&
	    t.iv[0].peak == T("2018-01-25T08:30:00Z") && !t.iv[0].dma, "times, peak, no DMA");
	ok(aw_truth_at(&t, "A", T("2018-03-10T00:00:00Z"), &y, &w) && y == 1 && w == 1,
	    "abrupt leak: positive with full weight, in any DMA");
	ok(!aw_truth_at(&t, "A", T("2018-01-01T00:00:00Z"), &y, &w), "before every leak: no label");
	ok(aw_truth_at(&t, "A", T("2018-12-31T23:55:00Z"), &y, &w) && y == 1, "end is inclusive");
	ok(aw_truth_at(&t, "A", T("2018-01-08T13:30:00Z"), &y, &w) && y == 1 && fabsf(w - 0.1f) < 1e-6,
	    "incipient leak at its start: weight 0.1");
	/* 2018-01-08 13:30 to 01-25 08:30 is 403 h; half way is 201.5 h later */
	ok(aw_truth_at(&t, "A", T("2018-01-08T13:30:00Z") + 201 * 3600 + 1800, &y, &w) &&
	    fabsf(w - 0.5f) < 1e-6, "half way up the ramp: weight 0.5");
	aw_truth_free(&t);

	/* the generator's leaks.csv: extra columns, empty end, a dma column or the hook */
	t.dma_of = dma_of_pipe;
	char *g = put("leaks.csv",
	    "leak_id,site,node,pipe,pos,nearest_node,start,peak_time,end,peak_lps,dma\n"
	    "L1,pipe,LK_L1,p1,0.5,n3,2019-01-02 00:00,2019-01-02 00:00,2019-01-03 00:00,3.2,\n"
	    "L2,node,n5,,,n5,2019-01-05 00:00,,,1.0,\n"
	    "L3,pipe,LK_L3,p9,0.5,n3,2019-01-02T06:00:00Z,,2019-01-02 07:00,1.0,C\n"
	    "L4,pipe,LK_L4,p9,0.5,n3,2019-01-09 00:00,,2019-01-08 00:00,1.0,\n"
	    "L5,pipe,LK_L5,p9,0.5,n3,yesterday,,,1.0,\n");
	fprintf(stderr, "# two errors are expected\n");
	ok(aw_truth_read_leaks(&t, g) == 0 && t.n == 3 && aw_rval == 1,
	    "reads the generator's leak list, reports bad rows");
	aw_rval = 0;
	is_str(t.iv[0].what, "L1", "leak id");
	is_str(t.iv[0].dma, "A", "pipe's DMA from the hook");
	is_str(t.iv[1].dma, "B", "node's DMA from the hook");
	is_str(t.iv[2].dma, "C", "DMA column wins");
	ok(t.iv[1].end == AW_TIME_OPEN, "empty end: still leaking");
	ok(aw_truth_at(&t, "A", T("2019-01-02T12:00:00Z"), &y, &w) && y == 1, "leak in its DMA");
	ok(!aw_truth_at(&t, "B", T("2019-01-02T12:00:00Z"), &y, &w), "not in another DMA");
	ok(aw_truth_at(&t, "B", T("2030-01-01T00:00:00Z"), &y, &w) && y == 1, "open leak goes on");

	/* label records, some by event */
	char *l = put("labels.ndjson",
	    "{\"type\":\"event\",\"id\":\"E1\",\"dma\":\"A\",\"start\":\"2019-02-01T00:00:00Z\","
	    "\"end\":\"2019-02-01T06:00:00Z\",\"peak_p\":0.9}\n"
	    "{\"type\":\"label\",\"event\":\"E1\",\"label\":\"confirmed_no_leak\"}\n"
	    "{\"type\":\"label\",\"pipe\":\"p1\",\"start\":\"2019-02-01T03:00:00Z\","
	    "\"end\":\"2019-02-01T04:00:00Z\",\"label\":\"suspected\"}\n"
	    "{\"type\":\"label\",\"dma\":\"E\",\"start\":\"2019-02-01T00:00:00Z\",\"end\":null,"
	    "\"label\":\"operational_event\"}\n"
	    "{\"type\":\"label\",\"dma\":\"E\",\"start\":\"2019-02-02T00:00:00Z\",\"end\":null,"
	    "\"label\":\"probable\"}\n"
	    "{\"type\":\"label\",\"event\":\"E9\",\"label\":\"probable\"}\n"
	    "{\"type\":\"label\",\"dma\":\"B\",\"start\":\"2019-02-01T00:00:00Z\",\"label\":\"maybe\"}\n"
	    "{\"type\":\"reading\",\"ts\":\"2019-02-01T00:00:00Z\"}\n");
	char *files[] = { l };
	fprintf(stderr, "# two errors are expected\n");
	ok(aw_truth_read_labels(&t, files, 1) == 4 && aw_rval == 1, "reads labels, reports bad ones");
	aw_rval = 0;
	ok(aw_truth_at(&t, "A", T("2019-02-01T01:00:00Z"), &y, &w) && y == 0 && w == 1,
	    "event label: confirmed no leak");
	ok(aw_truth_at(&t, "A", T("2019-02-01T03:30:00Z"), &y, &w) && y == 0 && w == 1,
	    "the stronger label wins (1.0 no leak over 0.4 suspected)");
	ok(aw_truth_at(&t, "E", T("2019-02-01T03:30:00Z"), &y, &w) && y == 0 && w == 0.5f,
	    "operational event: negative, weight 0.5");
	ok(aw_truth_at(&t, "E", T("2019-02-03T00:00:00Z"), &y, &w) && y == 1 && fabsf(w - 0.7f) < 1e-6,
	    "probable over operational event");
	ok(aw_truth_at(&t, "B", T("2019-01-06T00:00:00Z"), &y, &w) && y == 1 && w == 1,
	    "confirmed leak from the CSV still there");
	aw_truth_add(&t, "x", "D", 100, 200, 100, AW_CONFIRMED_NO_LEAK);
	aw_truth_add(&t, "y", "D", 100, 200, 100, AW_CONFIRMED_LEAK);
	ok(aw_truth_at(&t, "D", 150, &y, &w) && y == 1, "a leak wins a tie");
	aw_truth_free(&t);

	char *bad = put("bad.csv", "when,where\n2019-01-01,p1\n");
	fprintf(stderr, "# one error is expected\n");
	ok(aw_truth_read_leaks(&t, bad) == -1 && aw_rval == 1, "leak list without the columns refused");
	aw_rval = 0;
	unlink(b), unlink(g), unlink(l), unlink(bad);
	rmdir(dir);
	return tap_done();
}
