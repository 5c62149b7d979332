#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw.h"
#include "aw_alert.h"
#include "tap.h"

static struct aw_record rec;

static struct aw_record *parse(const char *line)
{
	const char *err;
	if (aw_json_parse(&rec, line, strlen(line), &err) < 0) {
		printf("# bad fixture: %s: %s\n", err, line);
		exit(1);
	}
	return &rec;
}

static void evidence(struct aw_evidence *e, const char *id, const char *const *lines)
{
	const char *err;
	aw_evidence_init(e, id);
	for (; *lines; lines++)
		if (aw_evidence_add(e, parse(*lines), &err) < 0)
			printf("# %s\n", err);
}

static int64_t ts(const char *s)
{
	int64_t t;
	int z;
	aw_parse_time(s, strlen(s), &t, &z);
	return t;
}

static void test_writer_and_iter(void)
{
	struct aw_buf b = { 0 };
	struct aw_writer *w = aw_writer_mem(&b);
	struct aw_jiter it;
	struct aw_field e;
	const char *err;

	aw_w_arr_begin(w, NULL);
	aw_w_obj_begin(w, NULL);
	aw_w_str(w, "a", "x\"y");
	aw_w_obj_end(w);
	aw_w_num(w, NULL, 0.5, AW_SHORTEST);
	aw_w_arr_end(w);
	aw_writer_flush(w);
	is_str(b.s, "[{\"a\":\"x\\\"y\"},0.5]", "memory writer: a bare top-level array");
	aw_writer_close(w);

	aw_buf_reset(&b);
	w = aw_writer_mem(&b);
	aw_w_begin(w, "t");
	aw_w_int(w, "n", 3);
	aw_w_end(w);
	aw_writer_close(w);
	is_str(b.s, "{\"type\":\"t\",\"n\":3}\n", "memory writer: a record");

	aw_json_parse(&rec, "{\"a\":[ {\"k\":[1,2]} , \"s\\n\", 7,null ]}", 37, &err);
	ok(aw_jiter_init(&it, aw_get(&rec, "a")) == 0, "iterator over an array field");
	ok(aw_jiter_next(&it, &e) && e.type == AW_JOBJ && e.vlen == 11, "object element");
	ok(aw_jiter_next(&it, &e) && e.type == AW_JSTR && e.esc && strcmp(aw_field_str(&rec, &e), "s\n") == 0,
	    "string element, unescaped on request");
	ok(aw_jiter_next(&it, &e) && e.type == AW_JNUM && aw_field_num(&e) == 7, "number element");
	ok(aw_jiter_next(&it, &e) && e.type == AW_JNULL, "null element");
	ok(!aw_jiter_next(&it, &e), "end of the array");
	aw_json_parse(&rec, "{\"a\":[],\"b\":1}", 14, &err);
	ok(aw_jiter_init(&it, aw_get(&rec, "a")) == 0 && !aw_jiter_next(&it, &e), "empty array");
	ok(aw_jiter_init(&it, aw_get(&rec, "b")) < 0, "not an array");
	aw_buf_free(&b);
}

static const struct aw_alert_opts opts = { 5.0, 6 * 3600 };

static void test_alerts(void)
{
	static const char *const e1[] = {
		"{\"type\":\"event\",\"id\":\"E-1\",\"dma\":\"A\",\"start\":\"2019-03-04T02:00:00Z\",\"end\":\"2019-03-04T03:00:00Z\",\"peak_p\":0.75,\"sensors\":[\"s1\",\"s2\"],\"source\":\"prob\"}",
		"{\"type\":\"localization\",\"event\":\"E-1\",\"candidates\":[{\"pipe\":\"p1\",\"node\":\"n1\",\"posterior\":0.5},{\"pipe\":\"p2\"},{\"pipe\":\"p3\"},{\"pipe\":\"p4\"}],\"method\":\"m\"}",
		"{\"type\":\"probability\",\"ts\":\"2019-03-04T02:00:00Z\",\"dma\":\"A\",\"p_leak\":0.8,\"confidence\":\"medium\",\"explain\":[{\"feature\":\"f\",\"contribution\":1}],\"model\":\"x\"}",
		"{\"type\":\"probability\",\"ts\":\"2019-03-04T02:15:00Z\",\"dma\":\"A\",\"p_leak\":0.7,\"confidence\":\"low\",\"explain\":[],\"model\":\"y\"}",
		NULL };
	static const char *const e2[] = {
		"{\"type\":\"event\",\"id\":\"E-2\",\"dma\":\"A\",\"start\":\"2019-03-04T08:30:00Z\",\"end\":\"2019-03-04T09:00:00Z\",\"peak_p\":0.95,\"est_flow\":6,\"sensors\":[\"s2\",\"s3\"],\"source\":\"prob\"}",
		"{\"type\":\"validation\",\"event\":\"E-2\",\"valid\":true,\"checks\":[]}",
		NULL };
	static const char *const e3[] = {
		"{\"type\":\"event\",\"id\":\"E-3\",\"dma\":\"A\",\"start\":\"2019-03-04T10:00:00Z\",\"end\":\"2019-03-04T11:00:00Z\",\"peak_p\":0.95,\"sensors\":[\"s9\"],\"source\":\"prob\"}",
		"{\"type\":\"validation\",\"event\":\"E-3\",\"valid\":false,\"checks\":[{\"name\":\"inlet\",\"passed\":false,\"detail\":\"d\"},{\"name\":\"ok\",\"passed\":true}]}",
		NULL };
	struct aw_evidence a1, a2, a3;
	struct aw_alert a, b, c, back;
	struct aw_buf json = { 0 }, json2 = { 0 };
	const char *err;
	char *s;

	evidence(&a1, "E-1", e1);
	ok(a1.have_event && a1.valid == -1 && a1.sensors.n == 2, "event evidence");
	is_num(a1.prob_p, 0.8, 0, "the strongest probability record is kept");
	is_str(a1.model, "x", "its model");
	is_str(a1.candidates, "[{\"pipe\":\"p1\",\"node\":\"n1\",\"posterior\":0.5},{\"pipe\":\"p2\"},{\"pipe\":\"p3\"}]",
	    "top three candidates");
	aw_alert_new(&a, "A-000001", &a1, &opts, ts("2019-03-04T12:00:00Z"));
	ok(a.severity == AW_SEV_MEDIUM, "p 0.8: medium");
	s = aw_alert_top(&a, "pipe");
	is_str(s, "p1", "top pipe");
	free(s);
	s = aw_alert_top(&a, "posterior");
	is_str(s, "0.5", "top candidate's number as text");
	free(s);

	evidence(&a2, "E-2", e2);
	ok(aw_alert_covers(&a, &a2, &opts), "5.5 h apart, 6 h gap: one alert");
	struct aw_alert_opts narrow = { 5.0, 3600 };
	ok(!aw_alert_covers(&a, &a2, &narrow), "not covered with a 1 h gap");
	aw_alert_merge(&a, &a2, &opts, ts("2019-03-04T13:00:00Z"));
	ok(a.events.n == 2 && a.detections == 2 && a.end == ts("2019-03-04T09:00:00Z"), "merged: two events, end extended");
	ok(a.severity == AW_SEV_CRITICAL, "6 L/s at p 0.95: critical");
	ok(a.valid == 1 && a.sensors.n == 3, "validated, sensors joined");
	aw_alert_merge(&a, &a2, &opts, ts("2019-03-04T14:00:00Z"));
	ok(a.detections == 2, "the same event again adds no detection");

	evidence(&a3, "E-3", e3);
	aw_alert_new(&c, "A-000002", &a3, &opts, 0);
	ok(c.severity == AW_SEV_INFO, "failed validation: info");
	aw_alert_json(&c, &json);
	ok(strstr(json.s, "\"recommended_actions\":[\"no field action: validation failed (inlet)\"") != NULL,
	    "failed checks named in the actions");
	ok(strstr(json.s, "validation failed: inlet\"") != NULL, "and in the summary");

	aw_alert_json(&a, &json);
	ok(aw_alert_parse(&back, json.s, json.len, &err) == 0, "parse back");
	aw_alert_json(&back, &json2);
	is_str(json2.s, json.s, "write, parse, write: the same text");
	b = back;
	is_num(aw_alert_similarity(&a, &b), 1.0, 1e-12, "an alert is fully like itself");
	is_num(aw_alert_similarity(&a, &c), 0.2, 1e-12, "same type, no shared sensor, no pipe: 0.2");
	ok(aw_alert_parse(&back, "{\"type\":\"workorder\",\"id\":\"x\"}", 29, &err) < 0, "not an alert");

	struct aw_workorder w, w2;
	aw_workorder_propose(&w, "WO-000001", &a, ts("2019-03-04T12:00:00Z"), "aw-workorder");
	ok(w.priority == 1 && w.status == AW_WO_PROPOSED, "critical: priority 1, proposed");
	is_str(w.title, "Leak investigation in A: pipe p1", "title");
	is_str(w.crew, "repair crew", "crew for a critical leak");
	is_str(w.location, "{\"dma\":\"A\",\"pipe\":\"p1\",\"node\":\"n1\"}", "location");
	aw_workorder_step(&w, AW_WO_APPROVED, "ann", "go", ts("2019-03-04T12:05:00Z"));
	aw_workorder_json(&w, &json);
	ok(strstr(json.s, "\"history\":[{\"ts\":\"2019-03-04T12:00:00Z\",\"status\":\"proposed\",\"by\":\"aw-workorder\",\"note\":null},"
	    "{\"ts\":\"2019-03-04T12:05:00Z\",\"status\":\"approved\",\"by\":\"ann\",\"note\":\"go\"}]") != NULL,
	    "history grows");
	ok(aw_workorder_parse(&w2, json.s, json.len, &err) == 0, "parse work order");
	aw_workorder_json(&w2, &json2);
	is_str(json2.s, json.s, "work order round trip");
	ok(aw_wo_can(AW_WO_PROPOSED, AW_WO_APPROVED) && aw_wo_can(AW_WO_APPROVED, AW_WO_CLOSED) &&
	    !aw_wo_can(AW_WO_PROPOSED, AW_WO_CLOSED) && !aw_wo_can(AW_WO_CLOSED, AW_WO_APPROVED) &&
	    !aw_wo_can(AW_WO_REJECTED, AW_WO_APPROVED) && aw_wo_can(AW_WO_DISPATCHED, AW_WO_CLOSED),
	    "life cycle");
	ok(aw_label_ok("operational_event") && !aw_label_ok("leak"), "labels");

	aw_workorder_free(&w);
	aw_workorder_free(&w2);
	aw_alert_free(&a);
	aw_alert_free(&b);
	aw_alert_free(&c);
	aw_evidence_free(&a1);
	aw_evidence_free(&a2);
	aw_evidence_free(&a3);
	aw_buf_free(&json);
	aw_buf_free(&json2);
}

static void test_routing(void)
{
	char path[] = "/tmp/aw-t-alert.XXXXXX";
	int fd = mkstemp(path);
	const char *yaml =
	    "timezone: Europe/Nicosia\n"
	    "routing:\n"
	    "  - severity: critical\n"
	    "    team: repair\n"
	    "  - dma: A, B\n"
	    "    severity: medium+\n"
	    "    hours: \"22-06:30\"\n"
	    "    team: night\n"
	    "    channel: sms\n"
	    "  - type: quality\n"
	    "    team: lab\n"
	    "  - dma: A\n"
	    "    team: day\n"
	    "  - type: ami\n"
	    "    team: customer-service\n";
	struct aw_routing rt;

	if (fd < 0 || write(fd, yaml, strlen(yaml)) != (ssize_t)strlen(yaml))
		return;
	close(fd);
	struct aw_config *c = aw_config_load(path);
	ok(aw_routing_load(&rt, c) == 0 && rt.n == 5, "five rules");
	/* Nicosia is UTC+2 in March */
	ok(aw_route(&rt, "Z", AW_SEV_CRITICAL, "leak", 0) == 0, "critical anywhere: rule 1");
	ok(aw_route(&rt, "B", AW_SEV_HIGH, "leak", ts("2019-03-04T02:00:00Z")) == 1, "04:00 local: night");
	ok(aw_route(&rt, "B", AW_SEV_HIGH, "leak", ts("2019-03-04T20:00:00Z")) == 1, "22:00 local: night");
	ok(aw_route(&rt, "B", AW_SEV_HIGH, "leak", ts("2019-03-04T04:29:00Z")) == 1, "06:29 local: night");
	ok(aw_route(&rt, "B", AW_SEV_HIGH, "leak", ts("2019-03-04T04:30:00Z")) == -1, "06:30 local: none for B");
	ok(aw_route(&rt, "A", AW_SEV_LOW, "leak", ts("2019-03-04T02:00:00Z")) == 3, "low at night: day team");
	ok(aw_route(&rt, "B", AW_SEV_LOW, "quality", ts("2019-03-04T02:00:00Z")) == 2, "quality: lab");
	ok(aw_route(&rt, "C", AW_SEV_HIGH, "leak", ts("2019-03-04T02:00:00Z")) == -1, "no rule for C");
	ok(aw_route(&rt, "C", AW_SEV_LOW, "customer", 0) == 4 && aw_route(&rt, "C", AW_SEV_LOW, "meter", 0) == 4,
	    "type ami: customer-side leaks and meter problems go to customer service");
	aw_routing_free(&rt);
	aw_config_free(c);
	unlink(path);
}

/* evidence that cannot be right is refused, and what was there stays */
static void test_hostile_evidence(void)
{
	static const char *const bad[] = {
		"{\"type\":\"event\",\"id\":\"E\",\"dma\":\"A\",\"start\":\"2019-03-04T05:00:00Z\",\"end\":\"2019-03-04T04:00:00Z\"}",
		"{\"type\":\"event\",\"id\":\"E\",\"dma\":\"A\",\"peak_p\":93}",
		"{\"type\":\"probability\",\"dma\":\"A\",\"p_leak\":-0.2}",
		"{\"type\":\"validation\",\"event\":\"E\",\"valid\":true,\"checks\":\"not an array\"}",
	};
	struct aw_evidence e;
	struct aw_alert a;
	struct aw_alert_opts o = { 5, 6 * 3600 };
	struct aw_buf json = { 0 };
	const char *err;
	aw_evidence_init(&e, "E");
	ok(aw_evidence_add(&e, parse("{\"type\":\"event\",\"id\":\"E\",\"dma\":\"A\",\"peak_p\":0.8}"), &err) == 0,
	    "good event taken");
	for (size_t i = 0; i < 3; i++) {
		int rc = aw_evidence_add(&e, parse(bad[i]), &err);
		ok(rc < 0, "refused: %s", err);
	}
	ok(aw_evidence_add(&e, parse(bad[3]), &err) == 0 && !e.checks, "checks that are not an array dropped");
	is_num(e.peak_p, 0.8, 0, "peak_p unchanged");
	aw_alert_new(&a, "A-000001", &e, &o, 0);
	aw_alert_json(&a, &json);
	ok(aw_json_parse(&rec, json.s, json.len, &err) == 0, "the alert is one JSON object");
	aw_buf_free(&json);
	aw_alert_free(&a);
	aw_evidence_free(&e);
}

int main(void)
{
	aw_setprog("t-alert");
	test_hostile_evidence();
	test_writer_and_iter();
	test_alerts();
	test_routing();
	aw_record_free(&rec);
	return tap_done();
}
