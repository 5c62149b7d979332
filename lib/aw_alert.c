#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_alert.h"
#include "aw_time.h"

static const char *const sev_names[AW_NSEV] = { "info", "low", "medium", "high", "critical" };

const char *aw_severity_name(int sev)
{
	return sev >= 0 && sev < AW_NSEV ? sev_names[sev] : "info";
}

int aw_severity_parse(const char *s)
{
	for (int i = 0; i < AW_NSEV; i++)
		if (s && strcmp(s, sev_names[i]) == 0)
			return i;
	return -1;
}

/* ---- small helpers ---- */

void aw_strv_add(struct aw_strv *l, const char *s)
{
	if (aw_strv_has(l, s))
		return;
	l->v = aw_reallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = aw_strdup(s);
}

int aw_strv_has(const struct aw_strv *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void aw_strv_free(struct aw_strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void strv_cb(const char *s, void *ctx)
{
	aw_strv_add(ctx, s);
}

int aw_strv_from_field(struct aw_strv *l, struct aw_record *r, const struct aw_field *f)
{
	aw_strv_free(l);
	return aw_field_str_array(r, f, strv_cb, l) < 0 ? -1 : 0;
}

static void set(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? aw_strdup(s) : NULL;
}

/* an array or object kept as JSON text; other values (a string's text is not JSON) are
 * dropped */
static void set_raw(char **dst, const struct aw_field *f)
{
	free(*dst);
	*dst = f && (f->type == AW_JARR || f->type == AW_JOBJ) ? aw_strndup(f->val, f->vlen) : NULL;
}

/* a whole number field within [lo, hi], else dflt */
static long get_long(const struct aw_record *r, const char *key, long lo, long hi, long dflt)
{
	double v;
	if (!aw_get_num(r, key, &v) || !(v >= (double)lo && v <= (double)hi))
		return dflt;
	return (long)v;
}

static int64_t get_ts(struct aw_record *r, const char *key)
{
	const char *s = aw_get_str(r, key);
	int64_t t;
	int zoned;
	if (!s || aw_parse_time(s, strlen(s), &t, &zoned) < 0)
		return INT64_MIN;
	return t;
}

static double get_num(const struct aw_record *r, const char *key)
{
	double v;
	return aw_get_num(r, key, &v) ? v : NAN;
}

static void w_ts(struct aw_writer *w, const char *key, int64_t t)
{
	if (t == INT64_MIN)
		aw_w_null(w, key);
	else
		aw_w_ts(w, key, t);
}

static void w_raw(struct aw_writer *w, const char *key, const char *json, const char *dflt)
{
	if (!json)
		json = dflt;
	aw_w_raw(w, key, json, strlen(json));
}

static void w_strv(struct aw_writer *w, const char *key, const struct aw_strv *l)
{
	aw_w_arr_begin(w, key);
	for (size_t i = 0; i < l->n; i++)
		aw_w_str(w, NULL, l->v[i]);
	aw_w_arr_end(w);
}

/* the first k elements of an array field as a JSON array */
static char *array_head(const struct aw_field *f, size_t k)
{
	struct aw_jiter it;
	struct aw_field e;
	struct aw_buf b = { 0 };
	size_t n = 0;

	if (aw_jiter_init(&it, f) < 0)
		return NULL;
	aw_buf_putc(&b, '[');
	while (n < k && aw_jiter_next(&it, &e)) {
		if (n++)
			aw_buf_putc(&b, ',');
		if (e.type == AW_JSTR) {
			aw_buf_putc(&b, '"');
			aw_buf_put(&b, e.val, e.vlen);
			aw_buf_putc(&b, '"');
		} else {
			aw_buf_put(&b, e.val, e.vlen);
		}
	}
	aw_buf_putc(&b, ']');
	return b.s;
}

/* ---- evidence ---- */

void aw_evidence_init(struct aw_evidence *e, const char *event)
{
	memset(e, 0, sizeof *e);
	e->event = aw_strdup(event);
	e->start = e->end = INT64_MIN;
	e->peak_p = e->est_flow = e->prob_p = NAN;
	e->valid = -1;
}

void aw_evidence_free(struct aw_evidence *e)
{
	free(e->event), free(e->dma), free(e->source), free(e->type), free(e->parameter);
	free(e->severity_hint), free(e->candidates), free(e->method), free(e->checks);
	free(e->explain), free(e->rules), free(e->model), free(e->confidence);
	aw_strv_free(&e->sensors);
	memset(e, 0, sizeof *e);
}

int aw_evidence_add(struct aw_evidence *e, struct aw_record *r, const char **err)
{
	const char *s;
	double v;

	if (aw_is(r, "type", "event")) {
		int64_t start = get_ts(r, "start"), end = get_ts(r, "end");
		if (!(s = aw_get_str(r, "dma"))) {
			*err = "event without dma";
			return -1;
		}
		if (start != INT64_MIN && end != INT64_MIN && end < start) {
			*err = "event ends before it starts";
			return -1;
		}
		if (aw_get_num(r, "peak_p", &v) && !(v >= 0 && v <= 1)) {
			*err = "event peak_p outside 0 to 1";
			return -1;
		}
		e->have_event = 1;
		set(&e->dma, s);
		set(&e->source, aw_get_str(r, "source"));
		if ((s = aw_get_str(r, "kind")) || (s = aw_get_str(r, "alert_type")))
			set(&e->type, s);
		if ((s = aw_get_str(r, "parameter")))
			set(&e->parameter, s);
		if ((s = aw_get_str(r, "severity")))
			set(&e->severity_hint, s);
		if (start != INT64_MIN && (e->start == INT64_MIN || start < e->start))
			e->start = start;
		if (end != INT64_MIN && (e->end == INT64_MIN || end > e->end))
			e->end = end;
		if (aw_get_num(r, "peak_p", &v) && !(v <= e->peak_p))
			e->peak_p = v;
		if (aw_get_num(r, "est_flow", &v) && !(v <= e->est_flow))
			e->est_flow = v;
		struct aw_strv sv = { 0 };
		if (aw_strv_from_field(&sv, r, aw_get(r, "sensors")) == 0)
			for (size_t i = 0; i < sv.n; i++)
				aw_strv_add(&e->sensors, sv.v[i]);
		aw_strv_free(&sv);
	} else if (aw_is(r, "type", "localization")) {
		char *c = array_head(aw_get(r, "candidates"), 3);
		if (!c) {
			*err = "localization without candidates";
			return -1;
		}
		free(e->candidates);
		e->candidates = c;
		set(&e->method, aw_get_str(r, "method"));
	} else if (aw_is(r, "type", "validation")) {
		int ok = aw_get_bool(r, "valid");
		if (ok < 0) {
			*err = "validation without valid (true or false)";
			return -1;
		}
		e->valid = ok;
		set_raw(&e->checks, aw_get(r, "checks"));
	} else if (aw_is(r, "type", "probability")) {
		if (!aw_get_num(r, "p_leak", &v)) {
			*err = "probability without p_leak";
			return -1;
		}
		if (!(v >= 0 && v <= 1)) {
			*err = "probability p_leak outside 0 to 1";
			return -1;
		}
		if (v <= e->prob_p)
			return 0;
		e->prob_p = v;
		set_raw(&e->explain, aw_get(r, "explain"));
		set_raw(&e->rules, aw_get(r, "rules"));
		set(&e->model, aw_get_str(r, "model"));
		set(&e->confidence, aw_get_str(r, "confidence"));
		if ((s = aw_get_str(r, "severity")) && aw_severity_parse(s) >= 0 &&
		    (!e->severity_hint || aw_severity_parse(s) > aw_severity_parse(e->severity_hint)))
			set(&e->severity_hint, s);
	}
	return 0;
}

/* ---- alerts ---- */

void aw_alert_free(struct aw_alert *a)
{
	free(a->id), free(a->event), free(a->status), free(a->type), free(a->source);
	free(a->parameter), free(a->dma), free(a->candidates), free(a->method);
	free(a->explain), free(a->rules), free(a->model), free(a->checks), free(a->confidence);
	free(a->similar), free(a->team), free(a->channel), free(a->workorder), free(a->outcome);
	aw_strv_free(&a->events);
	aw_strv_free(&a->sensors);
	memset(a, 0, sizeof *a);
}

static const char *type_of(const struct aw_evidence *e)
{
	if (e->type)
		return e->type;
	if (e->source && strcmp(e->source, "quality") == 0)
		return "quality";
	if (e->source && strcmp(e->source, "ami") == 0)
		return "customer";
	return "leak";
}

static int severity_of(const struct aw_alert *a, const char *hint, const struct aw_alert_opts *o)
{
	double p = a->peak_p;
	int s;

	if (a->valid == 0)
		return AW_SEV_INFO;
	if (isnan(p))
		s = AW_SEV_MEDIUM;
	else
		s = p >= 0.9 ? AW_SEV_HIGH : p >= 0.7 ? AW_SEV_MEDIUM : AW_SEV_LOW;
	if (strcmp(a->type, "leak") == 0 && a->est_flow >= o->critical_flow &&
	    (isnan(p) || p >= 0.7))
		s = AW_SEV_CRITICAL;
	if (hint && aw_severity_parse(hint) > s)
		s = aw_severity_parse(hint);
	return s;
}

static void take_evidence(struct aw_alert *a, const struct aw_evidence *e)
{
	if (e->candidates) {
		set(&a->candidates, e->candidates);
		set(&a->method, e->method);
	}
	if (e->checks)
		set(&a->checks, e->checks);
	if (!isnan(e->prob_p)) {
		set(&a->explain, e->explain);
		set(&a->rules, e->rules);
		set(&a->model, e->model);
		set(&a->confidence, e->confidence);
	}
	for (size_t i = 0; i < e->sensors.n; i++)
		aw_strv_add(&a->sensors, e->sensors.v[i]);
}

static double max_p(const struct aw_evidence *e)
{
	if (isnan(e->peak_p))
		return e->prob_p;
	return e->prob_p > e->peak_p ? e->prob_p : e->peak_p;
}

void aw_alert_new(struct aw_alert *a, const char *id, const struct aw_evidence *e,
    const struct aw_alert_opts *o, int64_t now)
{
	memset(a, 0, sizeof *a);
	a->id = aw_strdup(id);
	a->event = aw_strdup(e->event);
	a->status = aw_strdup("open");
	a->type = aw_strdup(type_of(e));
	set(&a->source, e->source);
	set(&a->parameter, e->parameter);
	a->dma = aw_strdup(e->dma);
	a->valid = e->valid;
	a->peak_p = max_p(e);
	a->est_flow = e->est_flow;
	a->start = e->start;
	a->end = e->end;
	a->opened = a->updated = now;
	a->closed = INT64_MIN;
	a->detections = 1;
	aw_strv_add(&a->events, e->event);
	take_evidence(a, e);
	a->severity = severity_of(a, e->severity_hint, o);
}

int aw_alert_covers(const struct aw_alert *a, const struct aw_evidence *e,
    const struct aw_alert_opts *o)
{
	if (strcmp(a->status, "open") != 0)
		return 0;
	if (aw_strv_has(&a->events, e->event))
		return 1;
	if (strcmp(a->dma, e->dma) != 0 || strcmp(a->type, type_of(e)) != 0)
		return 0;
	/* a customer's meter is its own case: other accounts of the DMA are other alerts */
	if (strcmp(a->type, "customer") == 0 || strcmp(a->type, "meter") == 0) {
		int shared = 0;
		for (size_t i = 0; i < e->sensors.n && !shared; i++)
			shared = aw_strv_has(&a->sensors, e->sensors.v[i]);
		if (!shared)
			return 0;
	}
	if (a->start == INT64_MIN || a->end == INT64_MIN || e->start == INT64_MIN ||
	    e->end == INT64_MIN)
		return 0;
	return e->start <= a->end + o->merge_gap && e->end >= a->start - o->merge_gap;
}

void aw_alert_merge(struct aw_alert *a, const struct aw_evidence *e,
    const struct aw_alert_opts *o, int64_t now)
{
	int old = a->severity, fresh = !aw_strv_has(&a->events, e->event);
	double p = max_p(e);

	if (fresh) {
		aw_strv_add(&a->events, e->event);
		a->detections++;
	}
	if (e->start != INT64_MIN && (a->start == INT64_MIN || e->start < a->start))
		a->start = e->start;
	if (e->end != INT64_MIN && (a->end == INT64_MIN || e->end > a->end))
		a->end = e->end;
	if (!(p <= a->peak_p))
		a->peak_p = p;
	if (!(e->est_flow <= a->est_flow))
		a->est_flow = e->est_flow;
	/* one passed validation makes the alert valid; a failed one only counts alone */
	if (e->valid == 1 || a->valid == 1)
		a->valid = 1;
	else if (e->valid == 0 || a->valid == 0)
		a->valid = 0;
	take_evidence(a, e);
	a->severity = severity_of(a, e->severity_hint, o);
	if (old != AW_SEV_INFO && old > a->severity)
		a->severity = old;
	a->updated = now;
}

struct top_ctx {
	const char *key;
	char *val;
};

static void top_cb(struct aw_record *o, void *ctx)
{
	struct top_ctx *t = ctx;
	const char *s;
	double v;
	char num[40];

	if (t->val)
		return;
	if ((s = aw_get_str(o, t->key)))
		t->val = aw_strdup(s);
	else if (aw_get_num(o, t->key, &v)) {
		aw_fmt_num(num, v, AW_SHORTEST);
		t->val = aw_strdup(num);
	} else
		t->val = aw_strdup("");
}

char *aw_alert_top(const struct aw_alert *a, const char *key)
{
	struct top_ctx t = { key, NULL };
	aw_json_each_object(a->candidates, top_cb, &t);
	if (t.val && !*t.val) {
		free(t.val);
		t.val = NULL;
	}
	return t.val;
}

double aw_alert_similarity(const struct aw_alert *a, const struct aw_alert *b)
{
	double s = 0;
	size_t common = 0;

	if (strcmp(a->type, b->type) == 0)
		s += 0.2;
	for (size_t i = 0; i < a->sensors.n; i++)
		common += aw_strv_has(&b->sensors, a->sensors.v[i]);
	if (a->sensors.n + b->sensors.n > common)
		s += 0.5 * (double)common / (double)(a->sensors.n + b->sensors.n - common);
	char *pa = aw_alert_top(a, "pipe"), *pb = aw_alert_top(b, "pipe");
	if (pa && pb && strcmp(pa, pb) == 0)
		s += 0.3;
	free(pa);
	free(pb);
	return s;
}

/* ---- text: summary and recommended actions ---- */

struct names_ctx {
	struct aw_buf *b;
	const char *key;
	int failed_only, n;
};

static void names_cb(struct aw_record *o, void *ctx)
{
	struct names_ctx *c = ctx;
	const char *s = aw_get_str(o, c->key);
	if (!s || (c->failed_only && aw_get_bool(o, "passed") != 0))
		return;
	if (c->n++)
		aw_buf_puts(c->b, ", ");
	aw_buf_puts(c->b, s);
}

/* "P1, P2, P3" from a JSON array of objects; dflt when there are none */
static void join_names(struct aw_buf *b, const char *array, const char *key, int failed_only,
    const char *dflt)
{
	struct names_ctx c = { b, key, failed_only, 0 };
	aw_json_each_object(array, names_cb, &c);
	if (!c.n)
		aw_buf_puts(b, dflt);
}

static void join_strv(struct aw_buf *b, const struct aw_strv *l, const char *dflt)
{
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			aw_buf_puts(b, ", ");
		aw_buf_puts(b, l->v[i]);
	}
	if (!l->n)
		aw_buf_puts(b, dflt);
}

static void summary(struct aw_buf *b, const struct aw_alert *a)
{
	char ts[24], num[40];
	char *pipe = aw_alert_top(a, "pipe"), *node = aw_alert_top(a, "node");

	if (strcmp(a->type, "leak") == 0)
		aw_buf_puts(b, "Leak");
	else if (strcmp(a->type, "quality") == 0)
		aw_buf_puts(b, "Water-quality event");
	else if (strcmp(a->type, "customer") == 0)
		aw_buf_puts(b, "Customer-side leak");
	else if (strcmp(a->type, "meter") == 0)
		aw_buf_puts(b, "Customer meter problem");
	else
		aw_buf_printf(b, "Event (%s)", a->type);
	if (a->parameter)
		aw_buf_printf(b, " (%s)", a->parameter);
	aw_buf_printf(b, " in %s", a->dma);
	if (a->start != INT64_MIN) {
		aw_fmt_time(ts, a->start);
		aw_buf_printf(b, " since %s", ts);
	}
	if (!isnan(a->peak_p)) {
		aw_fmt_num(num, a->peak_p, 2);
		aw_buf_printf(b, ", p=%s", num);
	}
	if (!isnan(a->est_flow) && a->est_flow < 0.05) {
		/* a tap or cistern, not a main: litres per hour read better */
		aw_fmt_num(num, a->est_flow * 3600, 0);
		aw_buf_printf(b, ", about %s L/h", num);
	} else if (!isnan(a->est_flow)) {
		aw_fmt_num(num, a->est_flow, 1);
		aw_buf_printf(b, ", about %s L/s", num);
	}
	if (pipe) {
		aw_buf_printf(b, "; most likely pipe %s", pipe);
		if (node)
			aw_buf_printf(b, " near node %s", node);
	}
	if (a->valid == 0) {
		aw_buf_puts(b, "; validation failed: ");
		join_names(b, a->checks, "name", 1, "unspecified");
	}
	free(pipe);
	free(node);
}

/* recommended actions by type and severity; %P candidate pipes, %S sensors, %F failed checks */
static const struct {
	const char *type;
	int min, max;
	const char *text;
} actions[] = {
	{ "leak", AW_SEV_CRITICAL, AW_SEV_CRITICAL, "send a repair crew now to %P" },
	{ "leak", AW_SEV_CRITICAL, AW_SEV_CRITICAL, "prepare the valve isolation of the most likely pipe" },
	{ "leak", AW_SEV_CRITICAL, AW_SEV_CRITICAL, "inform the control room and customer service of a possible supply interruption" },
	{ "leak", AW_SEV_HIGH, AW_SEV_HIGH, "acoustic survey of %P within 24 h" },
	{ "leak", AW_SEV_HIGH, AW_SEV_HIGH, "compare the minimum night flow of the DMA with its baseline" },
	{ "leak", AW_SEV_MEDIUM, AW_SEV_MEDIUM, "acoustic loggers on %P within 3 days" },
	{ "leak", AW_SEV_LOW, AW_SEV_MEDIUM, "watch the minimum night flow of the DMA for 48 h" },
	{ "leak", AW_SEV_LOW, AW_SEV_LOW, "check the sensors that moved (%S) for faults" },
	{ "quality", AW_SEV_HIGH, AW_SEV_CRITICAL, "resample now at %S" },
	{ "quality", AW_SEV_HIGH, AW_SEV_CRITICAL, "flush the affected mains" },
	{ "quality", AW_SEV_HIGH, AW_SEV_CRITICAL, "inform the water-quality manager" },
	{ "quality", AW_SEV_LOW, AW_SEV_MEDIUM, "resample at %S" },
	{ "quality", AW_SEV_LOW, AW_SEV_CRITICAL, "check the disinfectant dosing at the source" },
	{ "customer", AW_SEV_LOW, AW_SEV_CRITICAL, "contact the customer about continuous consumption" },
	{ "customer", AW_SEV_LOW, AW_SEV_CRITICAL, "check the meter for a stopped or tampered register" },
	{ "meter", AW_SEV_LOW, AW_SEV_CRITICAL, "read the meter %S on site: stopped, reversed or tampered register" },
	{ "meter", AW_SEV_LOW, AW_SEV_CRITICAL, "ask the customer whether the property is occupied" },
	{ "*", AW_SEV_INFO, AW_SEV_INFO, "no field action: validation failed (%F)" },
	{ "*", AW_SEV_INFO, AW_SEV_INFO, "review the sensors (%S) and the operations log" },
};

static void action_text(struct aw_buf *b, const struct aw_alert *a, const char *t)
{
	for (; *t; t++) {
		if (t[0] == '%' && t[1] == 'P' && a->candidates) {
			aw_buf_puts(b, "the candidate pipes ");
			join_names(b, a->candidates, "pipe", 0, "");
		} else if (t[0] == '%' && t[1] == 'P')
			aw_buf_puts(b, "the mains of the DMA");
		else if (t[0] == '%' && t[1] == 'S')
			join_strv(b, &a->sensors, "the DMA's sensors");
		else if (t[0] == '%' && t[1] == 'F')
			join_names(b, a->checks, "name", 1, "unspecified");
		else {
			aw_buf_putc(b, *t);
			continue;
		}
		t++;
	}
}

static void w_actions(struct aw_writer *w, const struct aw_alert *a)
{
	struct aw_buf b = { 0 };
	aw_w_arr_begin(w, "recommended_actions");
	for (size_t i = 0; i < AW_NELEM(actions); i++) {
		if (a->severity < actions[i].min || a->severity > actions[i].max ||
		    (strcmp(actions[i].type, "*") != 0 && strcmp(actions[i].type, a->type) != 0))
			continue;
		aw_buf_reset(&b);
		action_text(&b, a, actions[i].text);
		aw_w_str(w, NULL, b.s);
	}
	aw_w_arr_end(w);
	aw_buf_free(&b);
}

static const char *confidence_level(const struct aw_alert *a)
{
	if (a->valid == 0)
		return "low";
	if (a->confidence)
		return a->confidence;
	if (isnan(a->peak_p))
		return "medium";
	return a->peak_p >= 0.9 ? "high" : a->peak_p >= 0.7 ? "medium" : "low";
}

void aw_alert_write(struct aw_writer *w, const struct aw_alert *a)
{
	struct aw_buf b = { 0 };

	aw_w_begin(w, "alert");
	aw_w_str(w, "id", a->id);
	aw_w_str(w, "event", a->event);
	aw_w_obj_begin(w, "what");
	aw_w_str(w, "type", a->type);
	aw_w_str(w, "source", a->source);
	aw_w_str(w, "parameter", a->parameter);
	summary(&b, a);
	aw_w_str(w, "summary", b.s);
	aw_w_num(w, "est_flow_lps", a->est_flow, 3);
	aw_w_obj_end(w);
	aw_w_obj_begin(w, "where");
	aw_w_str(w, "dma", a->dma);
	w_raw(w, "pipes", a->candidates, "[]");
	aw_w_str(w, "method", a->method);
	w_strv(w, "sensors", &a->sensors);
	aw_w_obj_end(w);
	aw_w_obj_begin(w, "why");
	aw_w_str(w, "model", a->model);
	w_raw(w, "explain", a->explain, "[]");
	w_raw(w, "rules", a->rules, "[]");
	w_raw(w, "checks", a->checks, "[]");
	if (a->valid < 0)
		aw_w_null(w, "validated");
	else
		aw_w_bool(w, "validated", a->valid);
	aw_w_obj_end(w);
	aw_w_obj_begin(w, "confidence");
	aw_w_str(w, "level", confidence_level(a));
	aw_w_num(w, "p_leak", a->peak_p, AW_SHORTEST);
	aw_w_obj_end(w);
	aw_w_str(w, "severity", aw_severity_name(a->severity));
	w_actions(w, a);
	w_raw(w, "similar_events", a->similar, "[]");
	aw_w_obj_begin(w, "route");
	aw_w_str(w, "team", a->team);
	aw_w_str(w, "channel", a->channel);
	if (a->rule > 0)
		aw_w_int(w, "rule", a->rule);
	else
		aw_w_null(w, "rule");
	aw_w_obj_end(w);
	aw_w_str(w, "status", a->status);
	aw_w_str(w, "dma", a->dma);
	w_ts(w, "start", a->start);
	w_ts(w, "end", a->end);
	aw_w_num(w, "peak_p", a->peak_p, AW_SHORTEST);
	w_strv(w, "events", &a->events);
	aw_w_int(w, "detections", a->detections);
	w_ts(w, "opened", a->opened);
	w_ts(w, "updated", a->updated);
	w_ts(w, "closed", a->closed);
	aw_w_bool(w, "paged", a->paged);
	aw_w_str(w, "workorder", a->workorder);
	aw_w_str(w, "outcome", a->outcome);
	aw_w_end(w);
	aw_buf_free(&b);
}

void aw_alert_json(const struct aw_alert *a, struct aw_buf *out)
{
	struct aw_writer *w = aw_writer_mem(out);
	aw_buf_reset(out);
	aw_alert_write(w, a);
	aw_writer_close(w);
	if (out->len && out->s[out->len - 1] == '\n')
		out->s[--out->len] = 0;
}

/* parses the object field key of r into sub; 0 or -1 */
static int sub_object(struct aw_record *r, const char *key, struct aw_record *sub)
{
	const struct aw_field *f = aw_get(r, key);
	const char *err;
	if (!f || f->type != AW_JOBJ)
		return -1;
	return aw_json_parse(sub, f->val, f->vlen, &err);
}

int aw_alert_parse(struct aw_alert *a, const char *json, size_t len, const char **err)
{
	struct aw_record r = { 0 }, sub = { 0 };
	int rc = -1;

	memset(a, 0, sizeof *a);
	if (aw_json_parse(&r, json, len, err) < 0)
		goto out;
	if (!aw_is(&r, "type", "alert") || !aw_get_str(&r, "id") || !aw_get_str(&r, "dma")) {
		*err = "not an alert record (type alert with id and dma)";
		goto out;
	}
	set(&a->id, aw_get_str(&r, "id"));
	set(&a->event, aw_get_str(&r, "event"));
	set(&a->status, aw_get_str(&r, "status") ? aw_get_str(&r, "status") : "open");
	set(&a->dma, aw_get_str(&r, "dma"));
	a->severity = aw_severity_parse(aw_get_str(&r, "severity"));
	if (a->severity < 0)
		a->severity = AW_SEV_MEDIUM;
	a->start = get_ts(&r, "start");
	a->end = get_ts(&r, "end");
	a->opened = get_ts(&r, "opened");
	a->updated = get_ts(&r, "updated");
	a->closed = get_ts(&r, "closed");
	a->peak_p = get_num(&r, "peak_p");
	a->detections = get_long(&r, "detections", 0, 1000000000, 1);
	a->paged = aw_get_bool(&r, "paged") == 1;
	aw_strv_from_field(&a->events, &r, aw_get(&r, "events"));
	if (a->event && !a->events.n)
		aw_strv_add(&a->events, a->event);
	set(&a->workorder, aw_get_str(&r, "workorder"));
	set(&a->outcome, aw_get_str(&r, "outcome"));
	set_raw(&a->similar, aw_get(&r, "similar_events"));

	if (sub_object(&r, "what", &sub) == 0) {
		set(&a->type, aw_get_str(&sub, "type"));
		set(&a->source, aw_get_str(&sub, "source"));
		set(&a->parameter, aw_get_str(&sub, "parameter"));
		a->est_flow = get_num(&sub, "est_flow_lps");
	} else {
		a->est_flow = NAN;
	}
	if (!a->type)
		a->type = aw_strdup("leak");
	if (sub_object(&r, "where", &sub) == 0) {
		const struct aw_field *f = aw_get(&sub, "pipes");
		if (f && f->type == AW_JARR && f->vlen > 2)
			set_raw(&a->candidates, f);
		set(&a->method, aw_get_str(&sub, "method"));
		aw_strv_from_field(&a->sensors, &sub, aw_get(&sub, "sensors"));
	}
	a->valid = -1;
	if (sub_object(&r, "why", &sub) == 0) {
		const struct aw_field *f;
		set(&a->model, aw_get_str(&sub, "model"));
		if ((f = aw_get(&sub, "explain")) && f->vlen > 2)
			set_raw(&a->explain, f);
		if ((f = aw_get(&sub, "rules")) && f->vlen > 2)
			set_raw(&a->rules, f);
		if ((f = aw_get(&sub, "checks")) && f->vlen > 2)
			set_raw(&a->checks, f);
		a->valid = aw_get_bool(&sub, "validated");
	}
	if (sub_object(&r, "confidence", &sub) == 0) {
		const char *lvl = aw_get_str(&sub, "level");
		/* keep a level that came from the model, not one derived from p */
		if (lvl && a->model)
			set(&a->confidence, lvl);
	}
	if (sub_object(&r, "route", &sub) == 0) {
		set(&a->team, aw_get_str(&sub, "team"));
		set(&a->channel, aw_get_str(&sub, "channel"));
		a->rule = get_long(&sub, "rule", 0, 1000000, 0);
	}
	rc = 0;
out:
	aw_record_free(&sub);
	aw_record_free(&r);
	if (rc < 0)
		aw_alert_free(a);
	return rc;
}

/* ---- routing ---- */

static void split_list(struct aw_strv *l, const char *s)
{
	char *copy = aw_strdup(s), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		t = aw_trim(t);
		if (*t && strcmp(t, "*") != 0)
			aw_strv_add(l, t);
	}
	free(copy);
}

static int parse_hhmm(const char *s, const char **end, int *min)
{
	int h = 0, m = 0, n = 0;
	while (*s >= '0' && *s <= '9' && n < 2)
		h = h * 10 + (*s++ - '0'), n++;
	if (!n)
		return -1;
	if (*s == ':') {
		s++;
		if (!(s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'))
			return -1;
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
	}
	if (h > 24 || m > 59 || (h == 24 && m))
		return -1;
	*min = h * 60 + m;
	*end = s;
	return 0;
}

static const char *rule_str(const struct aw_ynode *rule, const char *key, long *line)
{
	for (size_t i = 0; i < rule->nkids; i++)
		if (strcmp(rule->kids[i]->key, key) == 0 && rule->kids[i]->type == AW_YSCALAR) {
			*line = rule->kids[i]->line;
			return rule->kids[i]->value;
		}
	return NULL;
}

int aw_routing_load(struct aw_routing *rt, const struct aw_config *c)
{
	const struct aw_ynode *n = aw_config_get(c, "routing");
	int errors = 0;

	memset(rt, 0, sizeof *rt);
	if (!n || n->type != AW_YSEQ)
		return 0;
	rt->rules = aw_calloc(n->nkids, sizeof *rt->rules);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct aw_ynode *k = n->kids[i];
		struct aw_route_rule *r = &rt->rules[rt->n++];
		const char *s;
		long line = k->line;

		r->line = k->line;
		r->from = r->to = -1;
		if (k->type != AW_YMAP) {
			aw_error_at(c->path, k->line, "routing rule must be a mapping");
			errors++;
			continue;
		}
		if ((s = rule_str(k, "dma", &line)))
			split_list(&r->dmas, s);
		if ((s = rule_str(k, "type", &line))) {
			split_list(&r->types, s);
			/* the alert types of customer meters, by their source */
			if (aw_strv_has(&r->types, "ami")) {
				aw_strv_add(&r->types, "customer");
				aw_strv_add(&r->types, "meter");
			}
		}
		if ((s = rule_str(k, "severity", &line))) {
			struct aw_strv l = { 0 };
			split_list(&l, s);
			for (size_t j = 0; j < l.n; j++) {
				size_t len = strlen(l.v[j]);
				int plus = len && l.v[j][len - 1] == '+';
				if (plus)
					l.v[j][len - 1] = 0;
				int sev = aw_severity_parse(l.v[j]);
				if (sev < 0) {
					aw_error_at(c->path, line, "routing: unknown severity '%s' "
					    "(info, low, medium, high, critical, or LEVEL+)", l.v[j]);
					errors++;
					continue;
				}
				for (int x = sev; x <= (plus ? AW_NSEV - 1 : sev); x++)
					r->sevmask |= 1u << x;
			}
			aw_strv_free(&l);
		}
		if ((s = rule_str(k, "hours", &line))) {
			const char *p;
			if (parse_hhmm(s, &p, &r->from) < 0 || *p != '-' ||
			    parse_hhmm(p + 1, &p, &r->to) < 0 || *p) {
				aw_error_at(c->path, line, "routing: hours must be HH-HH or HH:MM-HH:MM, "
				    "got '%s'", s);
				errors++;
			}
		}
		if ((s = rule_str(k, "team", &line)) && *s) {
			r->team = aw_strdup(s);
		} else {
			aw_error_at(c->path, k->line, "routing rule without team");
			errors++;
		}
		if ((s = rule_str(k, "channel", &line)) && *s)
			r->channel = aw_strdup(s);
	}
	return errors ? -1 : 0;
}

long aw_route(const struct aw_routing *rt, const char *dma, int severity, const char *type,
    int64_t when)
{
	for (size_t i = 0; i < rt->n; i++) {
		const struct aw_route_rule *r = &rt->rules[i];
		if (!r->team)
			continue;
		if (r->dmas.n && !aw_strv_has(&r->dmas, dma))
			continue;
		if (r->types.n && !aw_strv_has(&r->types, type))
			continue;
		if (r->sevmask && !(r->sevmask & (1u << severity)))
			continue;
		if (r->from >= 0) {
			struct aw_local lt;
			if (when == INT64_MIN)
				continue;
			aw_tz_local(when, &lt);
			int m = lt.hour * 60 + lt.minute;
			if (r->from <= r->to ? !(m >= r->from && m < r->to) : !(m >= r->from || m < r->to))
				continue;
		}
		return (long)i;
	}
	return -1;
}

void aw_routing_free(struct aw_routing *rt)
{
	for (size_t i = 0; i < rt->n; i++) {
		aw_strv_free(&rt->rules[i].dmas);
		aw_strv_free(&rt->rules[i].types);
		free(rt->rules[i].team);
		free(rt->rules[i].channel);
	}
	free(rt->rules);
	memset(rt, 0, sizeof *rt);
}

/* ---- work orders ---- */

static const char *const wo_names[AW_NWO] = { "proposed", "approved", "rejected", "dispatched",
	"closed" };

const char *aw_wo_status_name(int s)
{
	return s >= 0 && s < AW_NWO ? wo_names[s] : "proposed";
}

int aw_wo_status_parse(const char *s)
{
	for (int i = 0; i < AW_NWO; i++)
		if (s && strcmp(s, wo_names[i]) == 0)
			return i;
	return -1;
}

int aw_wo_can(int from, int to)
{
	switch (from) {
	case AW_WO_PROPOSED:
		return to == AW_WO_APPROVED || to == AW_WO_REJECTED;
	case AW_WO_APPROVED:
		return to == AW_WO_DISPATCHED || to == AW_WO_REJECTED || to == AW_WO_CLOSED;
	case AW_WO_DISPATCHED:
		return to == AW_WO_CLOSED;
	default:
		return 0;
	}
}

int aw_label_ok(const char *s)
{
	static const char *const labels[] = { "confirmed_leak", "probable", "suspected",
		"confirmed_no_leak", "operational_event" };
	for (size_t i = 0; i < AW_NELEM(labels); i++)
		if (s && strcmp(s, labels[i]) == 0)
			return 1;
	return 0;
}

void aw_workorder_free(struct aw_workorder *w)
{
	free(w->id), free(w->alert), free(w->title), free(w->description), free(w->asset_id);
	free(w->location), free(w->crew), free(w->evidence), free(w->outcome), free(w->dma);
	free(w->event), free(w->severity), free(w->external_id), free(w->history);
	free(w->customers), free(w->files), free(w->hold);
	memset(w, 0, sizeof *w);
}

static char *mem_json(void (*fn)(struct aw_writer *w, const void *ctx), const void *ctx)
{
	struct aw_buf b = { 0 };
	struct aw_writer *w = aw_writer_mem(&b);
	fn(w, ctx);
	aw_writer_close(w);
	return b.s;
}

static void location_json(struct aw_writer *w, const void *ctx)
{
	const struct aw_alert *a = ctx;
	char *pipe = aw_alert_top(a, "pipe"), *node = aw_alert_top(a, "node");
	char *x = aw_alert_top(a, "x"), *y = aw_alert_top(a, "y");

	aw_w_obj_begin(w, NULL);
	aw_w_str(w, "dma", a->dma);
	aw_w_str(w, "pipe", pipe);
	aw_w_str(w, "node", node);
	if (x && y) {
		aw_w_raw(w, "x", x, strlen(x));
		aw_w_raw(w, "y", y, strlen(y));
	}
	aw_w_obj_end(w);
	free(pipe), free(node), free(x), free(y);
}

static void evidence_json(struct aw_writer *w, const void *ctx)
{
	const struct aw_alert *a = ctx;

	aw_w_obj_begin(w, NULL);
	aw_w_str(w, "alert", a->id);
	w_strv(w, "events", &a->events);
	w_ts(w, "start", a->start);
	w_ts(w, "end", a->end);
	aw_w_num(w, "peak_p", a->peak_p, AW_SHORTEST);
	aw_w_str(w, "confidence", confidence_level(a));
	w_strv(w, "sensors", &a->sensors);
	w_raw(w, "candidates", a->candidates, "[]");
	aw_w_str(w, "model", a->model);
	w_raw(w, "explain", a->explain, "[]");
	w_raw(w, "rules", a->rules, "[]");
	w_raw(w, "checks", a->checks, "[]");
	w_raw(w, "similar_events", a->similar, "[]");
	aw_w_obj_end(w);
}

static const char *crew_for(const struct aw_alert *a)
{
	if (strcmp(a->type, "quality") == 0)
		return "water-quality sampling team";
	if (strcmp(a->type, "customer") == 0 || strcmp(a->type, "meter") == 0)
		return "customer service";
	return a->severity >= AW_SEV_CRITICAL ? "repair crew" : "leak detection crew";
}

static void history_entry(struct aw_buf *h, int64_t ts, const char *status, const char *by,
    const char *note)
{
	struct aw_buf e = { 0 };
	struct aw_writer *w = aw_writer_mem(&e);

	aw_w_obj_begin(w, NULL);
	aw_w_ts(w, "ts", ts);
	aw_w_str(w, "status", status);
	aw_w_str(w, "by", by);
	aw_w_str(w, "note", note);
	aw_w_obj_end(w);
	aw_writer_close(w);
	if (h->len >= 2 && h->s[h->len - 1] == ']') {
		h->s[--h->len] = 0;
		if (h->len > 1)
			aw_buf_putc(h, ',');
	} else {
		aw_buf_reset(h);
		aw_buf_putc(h, '[');
	}
	aw_buf_put(h, e.s, e.len);
	aw_buf_putc(h, ']');
	aw_buf_free(&e);
}

void aw_workorder_propose(struct aw_workorder *w, const char *id, const struct aw_alert *a,
    int64_t now, const char *by)
{
	struct aw_buf b = { 0 }, h = { 0 };
	char *pipe = aw_alert_top(a, "pipe");
	char num[40];

	memset(w, 0, sizeof *w);
	w->id = aw_strdup(id);
	w->alert = aw_strdup(a->id);
	w->status = AW_WO_PROPOSED;
	if (strcmp(a->type, "quality") == 0)
		aw_buf_printf(&b, "Water-quality check in %s", a->dma);
	else if (strcmp(a->type, "customer") == 0)
		aw_buf_printf(&b, "Customer-side leak check in %s", a->dma);
	else if (strcmp(a->type, "meter") == 0)
		aw_buf_printf(&b, "Customer meter check in %s", a->dma);
	else
		aw_buf_printf(&b, "Leak investigation in %s", a->dma);
	if (a->parameter)
		aw_buf_printf(&b, ": %s", a->parameter);
	else if (pipe)
		aw_buf_printf(&b, ": pipe %s", pipe);
	w->title = b.s;
	memset(&b, 0, sizeof b);

	summary(&b, a);
	aw_buf_printf(&b, ". Alert %s, severity %s", a->id, aw_severity_name(a->severity));
	if (!isnan(a->peak_p)) {
		aw_fmt_num(num, a->peak_p, 2);
		aw_buf_printf(&b, ", confidence %s (p=%s)", confidence_level(a), num);
	}
	aw_buf_printf(&b, ", %ld detection%s.", a->detections, a->detections == 1 ? "" : "s");
	for (size_t i = 0, n = 0; i < AW_NELEM(actions); i++) {
		if (a->severity < actions[i].min || a->severity > actions[i].max ||
		    (strcmp(actions[i].type, "*") != 0 && strcmp(actions[i].type, a->type) != 0))
			continue;
		aw_buf_puts(&b, n++ ? "; " : " Recommended: ");
		action_text(&b, a, actions[i].text);
	}
	w->description = b.s;

	w->priority = a->severity >= AW_SEV_CRITICAL ? 1 : a->severity == AW_SEV_HIGH ? 2 :
	    a->severity == AW_SEV_MEDIUM ? 3 : a->severity == AW_SEV_LOW ? 4 : 5;
	w->asset_id = pipe;
	w->location = mem_json(location_json, a);
	w->crew = aw_strdup(crew_for(a));
	w->evidence = mem_json(evidence_json, a);
	w->dma = aw_strdup(a->dma);
	set(&w->event, a->event);
	w->severity = aw_strdup(aw_severity_name(a->severity));
	w->created = w->updated = now;
	history_entry(&h, now, "proposed", by, NULL);
	w->history = h.s;
}

void aw_workorder_step(struct aw_workorder *w, int to, const char *by, const char *note,
    int64_t now)
{
	struct aw_buf h = { 0 };
	if (w->history)
		aw_buf_puts(&h, w->history);
	history_entry(&h, now, aw_wo_status_name(to), by, note);
	free(w->history);
	w->history = h.s;
	w->status = to;
	w->updated = now;
}

void aw_workorder_write(struct aw_writer *out, const struct aw_workorder *w)
{
	aw_w_begin(out, "workorder");
	aw_w_str(out, "id", w->id);
	aw_w_str(out, "alert", w->alert);
	aw_w_str(out, "status", aw_wo_status_name(w->status));
	aw_w_str(out, "title", w->title);
	aw_w_str(out, "description", w->description);
	aw_w_int(out, "priority", w->priority);
	aw_w_str(out, "asset_id", w->asset_id);
	w_raw(out, "location", w->location, "{}");
	aw_w_str(out, "recommended_crew", w->crew);
	w_raw(out, "attached_evidence", w->evidence, "{}");
	aw_w_str(out, "outcome", w->outcome);
	aw_w_str(out, "dma", w->dma);
	aw_w_str(out, "event", w->event);
	aw_w_str(out, "severity", w->severity);
	aw_w_str(out, "external_id", w->external_id);
	w_ts(out, "created", w->created);
	w_ts(out, "updated", w->updated);
	w_raw(out, "history", w->history, "[]");
	w_raw(out, "customers", w->customers, "null");
	w_raw(out, "files", w->files, "[]");
	w_raw(out, "hold", w->hold, "null");
	aw_w_end(out);
}

void aw_workorder_json(const struct aw_workorder *w, struct aw_buf *out)
{
	struct aw_writer *mw = aw_writer_mem(out);
	aw_buf_reset(out);
	aw_workorder_write(mw, w);
	aw_writer_close(mw);
	if (out->len && out->s[out->len - 1] == '\n')
		out->s[--out->len] = 0;
}

int aw_workorder_parse(struct aw_workorder *w, const char *json, size_t len, const char **err)
{
	struct aw_record r = { 0 };
	int rc = -1;

	memset(w, 0, sizeof *w);
	if (aw_json_parse(&r, json, len, err) < 0)
		goto out;
	if (!aw_is(&r, "type", "workorder") || !aw_get_str(&r, "id")) {
		*err = "not a work-order record (type workorder with id)";
		goto out;
	}
	w->status = aw_wo_status_parse(aw_get_str(&r, "status"));
	if (w->status < 0) {
		*err = "work order with an unknown status";
		goto out;
	}
	set(&w->id, aw_get_str(&r, "id"));
	set(&w->alert, aw_get_str(&r, "alert"));
	set(&w->title, aw_get_str(&r, "title"));
	set(&w->description, aw_get_str(&r, "description"));
	w->priority = (int)get_long(&r, "priority", 1, 5, 3);
	set(&w->asset_id, aw_get_str(&r, "asset_id"));
	set_raw(&w->location, aw_get(&r, "location"));
	set(&w->crew, aw_get_str(&r, "recommended_crew"));
	set_raw(&w->evidence, aw_get(&r, "attached_evidence"));
	set(&w->outcome, aw_get_str(&r, "outcome"));
	set(&w->dma, aw_get_str(&r, "dma"));
	set(&w->event, aw_get_str(&r, "event"));
	set(&w->severity, aw_get_str(&r, "severity"));
	set(&w->external_id, aw_get_str(&r, "external_id"));
	w->created = get_ts(&r, "created");
	w->updated = get_ts(&r, "updated");
	set_raw(&w->history, aw_get(&r, "history"));
	set_raw(&w->customers, aw_get(&r, "customers"));
	set_raw(&w->files, aw_get(&r, "files"));
	set_raw(&w->hold, aw_get(&r, "hold"));
	rc = 0;
out:
	aw_record_free(&r);
	if (rc < 0)
		aw_workorder_free(w);
	return rc;
}
