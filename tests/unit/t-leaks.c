#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw_leaks.h"
#include "tap.h"

static char dir[] = "/tmp/t-leaks.XXXXXX";

static const char *put(const char *name, const char *text)
{
	static char path[4][256];
	static int k;
	char *p = path[k++ % 4];
	snprintf(p, 256, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	return p;
}

int main(void)
{
	struct aw_leaks t = { 0 };
	struct aw_buf missing = { 0 };
	struct aw_dist_table d = { 0 };

	if (!mkdtemp(dir))
		return 1;

	/* a scenario leak list: a node leak (empty pipe), an open end, an unknown column */
	const char *leaks = put("leaks.csv",
	    "leak_id,site,node,pipe,start,end,peak_lps,kind,volume_m3\n"
	    "L1,node,n5,,2019-01-01 01:00:00,2019-01-01 02:00:00,2.5,abrupt,9\n"
	    "L2,pipe,LK_L2,p7,2019-01-01 00:30:00,,0.8,incipient,1\n");
	ok(aw_leaks_load(&t, leaks) == 0 && t.n == 2, "scenario leak list: 2 leaks");
	ok(!t.v[0].pipe && !strcmp(t.v[0].node, "n5") && !strcmp(t.v[1].pipe, "p7") &&
	    !t.v[1].node, "node leak at its node, pipe leak on its pipe");
	ok(t.v[0].start == 1546304400 && t.v[0].end == 1546308000, "naive times are UTC");
	ok(t.v[1].end == AW_SCORE_OPEN, "empty end: still leaking");
	is_num(t.v[0].peak_lps, 2.5, 0, "peak flow");
	is_str(t.kind[1], "incipient", "kind");
	/* flows in L/s for L1 only; the pressure column is not a flow */
	const char *flows = put("flows.csv",
	    "timestamp,L1_flow_lps,L1_pressure_bar\n"
	    "2019-01-01 00:00:00,0,5\n2019-01-01 00:05:00,1.5,5\n2019-01-01 00:10:00,2,5\n");
	ok(aw_leaks_load_flows(&t, flows, &missing) == 0, "flows read");
	ok(t.nflow == 3 && t.flow_dt == 300 && t.v[0].nflow == 3 && !t.v[1].flow, "L1 has a 5-minute series");
	is_num(t.v[0].flow[1], 1.5, 0, "L/s kept");
	is_str(missing.s, "L2", "L2 has no series");
	aw_leaks_free(&t);
	aw_buf_free(&missing);

	/* BattLeDIM: leak events (no id column) and Leakages in m3/h with decimal commas */
	const char *ev = put("events.csv",
	    "pipe_id,start_time,end_time,leak_diameter_m,leak_type,peak_time\r\n"
	    "p257,2018-01-08 13:30,2018-12-31 23:55,0.011843,incipient,2018-01-25 08:30\r\n");
	ok(aw_leaks_load(&t, ev) == 0 && t.n == 1 && !strcmp(t.v[0].id, "p257") &&
	    isnan(t.v[0].peak_lps), "BattLeDIM events: id from the pipe, no peak flow");
	const char *lk = put("leakages.csv",
	    "Timestamp;p257\r\n2018-01-08 13:30:00;0,05\r\n2018-01-08 13:35:00;3,6\r\n");
	ok(aw_leaks_load_flows(&t, lk, NULL) == 0, "BattLeDIM leakages read");
	is_num(t.v[0].flow[1], 1, 1e-12, "3,6 m3/h is 1 L/s");
	aw_leaks_free(&t);

	/* irregular steps are refused */
	ok(aw_leaks_load(&t, leaks) == 0, "reload");
	const char *bad = put("bad.csv", "timestamp,L1_lps\n2019-01-01 00:00,1\n2019-01-01 00:05,1\n"
	    "2019-01-01 00:15,1\n");
	aw_leaks_load_flows(&t, bad, NULL);
	ok(t.nflow == 2, "reading stops at an irregular step");
	aw_leaks_free(&t);

	ok(aw_leaks_load(&t, put("nolist.csv", "a,b\n1,2\n")) == -1, "not a leak list");
	aw_leaks_free(&t);

	ok(aw_dist_table_load(&d, put("d.csv", "a,b,metres\np1,p2,12.5\np2,n3,40\n")) == 0, "distance table");
	is_num(aw_dist_table_get("p2", "p1", &d), 12.5, 0, "read both ways");
	is_num(aw_dist_table_get("n3", "p2", &d), 40, 0, "pipe-node distance");
	ok(isnan(aw_dist_table_get("p1", "n3", &d)), "unknown pair");
	aw_dist_table_free(&d);

	const char *names[] = { "leaks.csv", "flows.csv", "events.csv", "leakages.csv", "bad.csv",
		"nolist.csv", "d.csv" };
	char p[300];
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	return tap_done();
}
