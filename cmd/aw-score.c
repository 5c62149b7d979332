/* aw-score: detections against ground-truth leaks; see aw-score(1). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_score.h"
#include "aw_leaks.h"
#include "aw_net.h"

enum {
	OPT_TRUTH = AW_LONG, OPT_FLOWS, OPT_NETWORK, OPT_DISTANCES, OPT_PERIOD_START, OPT_PERIOD_END,
	OPT_UTC, OPT_TZ,
	OPT_TOP, OPT_ONSET, OPT_STEPS, OPT_MIN_TPR, OPT_MAX_FPR, OPT_MAX_LATENCY, OPT_JSON,
};

static const struct aw_opt opts[] = {
	{ OPT_TRUTH, "truth", "FILE", "ground-truth leaks: a scenario's leaks.csv or BattLeDIM leak events" },
	{ OPT_FLOWS, "flows", "FILE", "leak outflow series (leak_truth.csv or BattLeDIM Leakages.csv)" },
	{ OPT_NETWORK, "network", "NET.inp", "network for pipe distances and DMAs (default: configured)" },
	{ OPT_DISTANCES, "distances", "FILE", "pipe distances in metres: CSV rows a,b,metres" },
	{ OPT_PERIOD_START, "period-start", "TIME", "ignore detections before TIME" },
	{ OPT_PERIOD_END, "period-end", "TIME", "end of the evaluation period (exclusive)" },
	{ OPT_UTC, "utc", NULL, "timestamps without a zone are UTC" },
	{ OPT_TZ, "tz", "ZONE", "timestamps without a zone are local time in this IANA zone" },
	{ OPT_TOP, "top", "K", "candidate pipes per detection considered (default 1)" },
	{ OPT_ONSET, "onset-flow", "LPS", "onset = first step the leak flow exceeds LPS (default 0)" },
	{ OPT_STEPS, "steps", "DUR", "per-step precision, recall, F1 and MCC on DUR steps" },
	{ OPT_MIN_TPR, "min-tpr", "X", "exit 1 when the true-positive rate is below X" },
	{ OPT_MAX_FPR, "max-fpr", "X", "exit 1 when the false-alert share is above X" },
	{ OPT_MAX_LATENCY, "max-latency", "DUR", "exit 1 when the median detection delay exceeds DUR" },
	{ OPT_JSON, "json", NULL, "write a score record instead of the table" },
	{ 'v', "verbose", NULL, "list every detection and its outcome" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"--truth FILE [--flows FILE] [--network NET.inp] [--min-tpr X] [--max-fpr X]"
	" [--max-latency DUR] [--json] [option ...] [FILE...]",
	"Score leak detections (events, alerts or BattLeDIM pipe,time lines) against ground truth.",
	opts, NULL,
};

#define NONE AW_SCORE_NONE

/* ---- distances ---- */

struct places {
	struct aw_dist_table *table;	/* may be NULL */
	struct aw_net *net;		/* may be NULL */
	struct aw_map unknown;		/* detected pipes not in the network */
	struct aw_buf unknown_list;
};

static void note_unknown(struct places *p, const char *pipe)
{
	size_t v;
	if (aw_map_get(&p->unknown, pipe, &v))
		return;
	aw_map_put(&p->unknown, pipe, 1);
	aw_buf_printf(&p->unknown_list, "%s%s", p->unknown_list.len ? ", " : "", pipe);
}

/* the table first, then the network; NaN when neither knows */
static double place_dist(const char *a, const char *b, void *ctx)
{
	struct places *p = ctx;
	size_t i, j;
	double d = p->table ? aw_dist_table_get(a, b, p->table) : NAN;

	if (!isnan(d) || !p->net)
		return d;
	if (!aw_net_link(p->net, a, &i)) {
		note_unknown(p, a);
		return NAN;
	}
	if (!aw_net_link(p->net, b, &j))
		return NAN;
	d = aw_net_link_dist(p->net, i, j);
	return isinf(d) ? NAN : d;
}

static double place_dist_node(const char *pipe, const char *node, void *ctx)
{
	struct places *p = ctx;
	size_t i, j;
	double d = p->table ? aw_dist_table_get(pipe, node, p->table) : NAN;

	if (!isnan(d) || !p->net)
		return d;
	if (!aw_net_link(p->net, pipe, &i)) {
		note_unknown(p, pipe);
		return NAN;
	}
	if (!aw_net_node(p->net, node, &j))
		return NAN;
	d = aw_net_node_link_dist(p->net, j, i);
	return isinf(d) ? NAN : d;
}

/* Loads the network with the configured DMA inlets, as aw-network does, and gives the
 * leaks without a dma the DMA of their pipe or node. */
static struct aw_net *load_network(const char *path, const struct aw_config *cfg,
    struct aw_leaks *T)
{
	struct aw_net *net = aw_net_load(path);
	struct aw_inlet *inlets = NULL;
	size_t n = 0, k;

	if (!net)
		return NULL;
	for (size_t d = 0; d < cfg->ndmas; d++)
		for (size_t j = 0; j < cfg->dmas[d].ninlets; j++) {
			const char *id = cfg->dmas[d].inlets[j];
			const struct aw_sensor *s = aw_sensor_find(cfg, id);
			inlets = aw_reallocarray(inlets, n + 1, sizeof *inlets);
			inlets[n++] = (struct aw_inlet){ s && s->node ? s->node : id, cfg->dmas[d].id, 0 };
		}
	aw_net_dmas_derive(net, inlets, n, cfg->path);
	free(inlets);
	for (size_t j = 0; j < T->n; j++) {
		struct aw_score_leak *l = &T->v[j];
		int dma = -1;
		if (l->pipe && aw_net_link(net, l->pipe, &k))
			dma = net->links[k].dma;
		else if (!l->pipe && aw_net_node(net, l->node, &k))
			dma = net->nodes[k].dma;
		else
			aw_warn("leak %s: no %s %s in %s", l->id, l->pipe ? "pipe" : "node",
			    l->pipe ? l->pipe : l->node, net->file);
		if (!l->dma && dma >= 0)
			l->dma = aw_strdup(net->dmas[dma].id);
	}
	return net;
}

/* ---- detections ---- */

struct strv {
	char **v;
	size_t n;
};

static void strv_add(struct strv *s, const char *x)
{
	s->v = aw_reallocarray(s->v, s->n + 1, sizeof *s->v);
	s->v[s->n++] = aw_strdup(x);
}

struct det {
	char *id, *event, *dma;
	int64_t t, end;		/* NONE when not given */
	struct strv pipes;
};

struct detv {
	struct det *v;
	size_t n;
};

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static void det_free(struct det *d)
{
	free(d->id);
	free(d->event);
	free(d->dma);
	strv_free(&d->pipes);
}

/* drops the last detection */
static void detv_pop(struct detv *v)
{
	det_free(&v->v[--v->n]);
}

static void detv_free(struct detv *v)
{
	for (size_t i = 0; i < v->n; i++)
		det_free(&v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

static struct det *detv_add(struct detv *d)
{
	d->v = aw_reallocarray(d->v, d->n + 1, sizeof *d->v);
	memset(&d->v[d->n], 0, sizeof *d->v);
	d->v[d->n].t = d->v[d->n].end = NONE;
	return &d->v[d->n++];
}

struct input {
	struct detv csv, events, alerts;
	struct aw_map loc;	/* event id -> index into locs */
	struct strv *locs;
	size_t nlocs;
};

/* candidates: ["p1", ...] or [{"pipe":"p1",...}, ...] */
static void add_candidates(struct aw_record *r, const char *key, struct strv *out)
{
	struct aw_record o = { 0 };
	struct aw_jiter it;
	struct aw_field e;
	const char *err, *p;

	if (aw_jiter_init(&it, aw_get(r, key)) < 0)
		return;
	while (aw_jiter_next(&it, &e)) {
		p = NULL;
		if (e.type == AW_JSTR)
			p = aw_field_str(r, &e);
		else if (e.type == AW_JOBJ && aw_json_parse(&o, e.val, e.vlen, &err) == 0)
			p = aw_get_str(&o, "pipe");
		if (p && *p)
			strv_add(out, p);
	}
	aw_record_free(&o);
}

static int get_time(struct aw_record *r, const char *key, int64_t *t, const char *file, long line)
{
	const char *s = aw_get_str(r, key);
	if (!s)
		return 0;
	if (aw_parse_time_local(s, strlen(s), t)) {
		aw_error_at(file, line, "bad %s: %s", key, s);
		return -1;
	}
	return 1;
}

static char *dup_or_null(const char *s)
{
	return s && *s ? aw_strdup(s) : NULL;
}

static void read_record(struct input *in, struct aw_record *r, const char *file, long line)
{
	struct det *d;
	const char *s;

	if (aw_is(r, "type", "localization")) {
		size_t i;
		if (!(s = aw_get_str(r, "event")) || aw_map_get(&in->loc, s, &i))
			return;	/* the first localisation of an event is the one scored */
		aw_map_put(&in->loc, s, in->nlocs);
		in->locs = aw_reallocarray(in->locs, in->nlocs + 1, sizeof *in->locs);
		memset(&in->locs[in->nlocs], 0, sizeof *in->locs);
		add_candidates(r, "candidates", &in->locs[in->nlocs]);
		in->nlocs++;
		return;
	}
	int event = aw_is(r, "type", "event");
	if (!event && !aw_is(r, "type", "alert"))
		return;
	d = detv_add(event ? &in->events : &in->alerts);
	d->id = dup_or_null(aw_get_str(r, "id"));
	d->dma = dup_or_null(aw_get_str(r, "dma"));
	if (event) {
		int rc = get_time(r, "start", &d->t, file, line);
		if (rc == 0)
			rc = get_time(r, "ts", &d->t, file, line);
		if (rc == 0)
			aw_error_at(file, line, "event without a start or ts");
		if (rc <= 0 || get_time(r, "end", &d->end, file, line) < 0)
			detv_pop(&in->events);
		return;
	}
	d->event = dup_or_null(aw_get_str(r, "event"));
	int rc = get_time(r, "ts", &d->t, file, line);
	if (rc == 0)
		rc = get_time(r, "start", &d->t, file, line);
	if (rc < 0) {
		detv_pop(&in->alerts);
		return;
	}
	add_candidates(r, "pipes", &d->pipes);
	const struct aw_field *w = aw_get(r, "where");
	if (w && w->type == AW_JOBJ) {
		struct aw_record wr = { 0 };
		const char *err;
		if (aw_json_parse(&wr, w->val, w->vlen, &err) == 0) {
			if (!d->dma)
				d->dma = dup_or_null(aw_get_str(&wr, "dma"));
			if (!d->pipes.n)
				add_candidates(&wr, "pipes", &d->pipes);
			if (!d->pipes.n)
				add_candidates(&wr, "candidates", &d->pipes);
			if (!d->pipes.n && (s = aw_get_str(&wr, "pipe")) && *s)
				strv_add(&d->pipes, s);
		}
		aw_record_free(&wr);
	}
	if (d->t == NONE && !d->event) {
		aw_error_at(file, line, "alert without a ts or event");
		detv_pop(&in->alerts);
	}
}

/* BattLeDIM submission line: "pipe, YYYY-MM-DD HH:MM" */
static void read_csv_line(struct input *in, char *line, const char *file, long lineno)
{
	char *comma = strchr(line, ',');
	int64_t t;

	if (!comma) {
		aw_error_at(file, lineno, "expected pipe,timestamp");
		return;
	}
	*comma = 0;
	char *pipe = aw_trim(line), *ts = aw_trim(comma + 1);
	if (aw_parse_time_local(ts, strlen(ts), &t)) {
		if (lineno > 1)	/* a header line */
			aw_error_at(file, lineno, "bad timestamp: %s", ts);
		return;
	}
	struct det *d = detv_add(&in->csv);
	d->t = d->end = t;
	if (*pipe)
		strv_add(&d->pipes, pipe);
}

static void read_inputs(struct input *in, char **files, int nfiles)
{
	struct aw_reader *rd = aw_reader_open(files, nfiles);
	struct aw_record r = { 0 };
	char *line;
	size_t len;
	const char *err;

	while (aw_reader_line(rd, &line, &len)) {
		const char *file = aw_reader_name(rd);
		long no = aw_reader_lineno(rd);
		size_t i = 0;
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			continue;
		if (line[i] != '{') {
			read_csv_line(in, line, file, no);
			continue;
		}
		if (aw_json_parse(&r, line, len, &err)) {
			aw_error_at(file, no, "%s", err);
			continue;
		}
		read_record(in, &r, file, no);
	}
	aw_record_free(&r);
	aw_reader_close(rd);
}

/* Repeated records of one id (a re-sent alert, an event extended by a later run) are
 * one detection: the earliest time, the latest end. */
static void dedup(struct detv *v)
{
	struct aw_map seen = { 0 };
	size_t k = 0, j;

	for (size_t i = 0; i < v->n; i++) {
		struct det *d = &v->v[i];
		if (!d->id || !aw_map_get(&seen, d->id, &j)) {
			if (d->id)
				aw_map_put(&seen, d->id, k);
			v->v[k++] = *d;
			continue;
		}
		struct det *first = &v->v[j];
		if (d->t != NONE && (first->t == NONE || d->t < first->t))
			first->t = d->t;
		if (d->end != NONE && (first->end == NONE || d->end > first->end))
			first->end = d->end;
		det_free(d);
	}
	v->n = k;
	aw_map_free(&seen);
}

static void copy_pipes(struct input *in, const char *event, struct strv *out)
{
	size_t i;
	if (out->n || !event || !aw_map_get(&in->loc, event, &i))
		return;
	for (size_t c = 0; c < in->locs[i].n; c++)
		strv_add(out, in->locs[i].v[c]);
}

/* Alerts are what paged people, so when there are any they are the detections and events
 * only fill in their time, place and candidates; otherwise the events are. */
static struct detv *join(struct input *in)
{
	struct detv *out = aw_calloc(1, sizeof *out);
	struct aw_map events = { 0 };
	size_t k;

	dedup(&in->events);
	dedup(&in->alerts);
	for (size_t i = 0; i < in->events.n; i++)
		if (in->events.v[i].id)
			aw_map_put(&events, in->events.v[i].id, i);
	for (size_t i = 0; i < in->csv.n; i++)
		*detv_add(out) = in->csv.v[i];
	struct detv *src = in->alerts.n ? &in->alerts : &in->events;
	for (size_t i = 0; i < src->n; i++) {
		struct det *d = detv_add(out);
		*d = src->v[i];
		if (src == &in->alerts) {
			const struct det *e = d->event && aw_map_get(&events, d->event, &k) ?
			    &in->events.v[k] : NULL;
			if (e && d->t == NONE)
				d->t = e->t;
			if (e && d->end == NONE)
				d->end = e->end;
			if (e && !d->dma && e->dma)
				d->dma = aw_strdup(e->dma);
			copy_pipes(in, d->event, &d->pipes);
			if (d->t == NONE) {
				aw_warn("alert %s: event %s not found, alert skipped",
				    d->id ? d->id : "?", d->event);
				aw_rval = 1;
				detv_pop(out);
				continue;
			}
		} else {
			copy_pipes(in, d->id, &d->pipes);
		}
		if (d->end == NONE || d->end < d->t)
			d->end = d->t;
	}
	/* what was moved to out is out's now */
	free(in->csv.v);
	free(src->v);
	src->v = NULL;
	src->n = 0;
	detv_free(&in->events);
	for (size_t i = 0; i < in->nlocs; i++)
		strv_free(&in->locs[i]);
	free(in->locs);
	aw_map_free(&in->loc);
	aw_map_free(&events);
	return out;
}

/* ---- output ---- */

static void fmt_dur(char *b, size_t n, double s)
{
	if (isnan(s)) {
		snprintf(b, n, "-");
		return;
	}
	const char *sign = s < 0 ? "-" : "";
	long v = (long)fabs(s) / 60;
	if (v < 60)
		snprintf(b, n, "%s%ldm", sign, v);
	else if (v < 24 * 60)
		snprintf(b, n, "%s%ldh%02ldm", sign, v / 60, v % 60);
	else
		snprintf(b, n, "%s%ldd%02ldh", sign, v / 1440, v / 60 % 24);
}

static void fmt_t(char *b, int64_t t)
{
	aw_fmt_time(b, t);
	b[10] = ' ';
	b[16] = 0;
}

static void fmt_fixed(char *b, size_t n, double v, int dec)
{
	if (isnan(v))
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.*f", dec, v);
}

static void fmt_pct(char *b, size_t n, double v)
{
	if (isnan(v))
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.1f %%", 100 * v);
}

struct run {
	struct aw_leaks *T;
	int flows;
	struct detv *D;
	struct aw_score_det *dets;
	struct aw_score_opts o;
	struct aw_score_result r;
	double abrupt_median_s;
	const char *failed[3];
	char failmsg[3][160];
	int nfailed;
	int verbose;
};

static void write_table(struct run *R)
{
	struct aw_writer *w = aw_out;
	struct aw_score_result *r = &R->r;
	char t1[24], t2[24], a[32], b[32], c[32], d[32];

	aw_w_printf(w, "%-10s %-8s %-7s %-9s %-16s  %-16s  %8s %8s %10s %10s\n", "leak", "where",
	    "size", "kind", "start", "detected", "delay", "dist_m", "volume_m3", "eur");
	for (size_t j = 0; j < r->nleaks; j++) {
		const struct aw_score_leak *l = &R->T->v[j];
		const struct aw_score_leak_result *lr = &r->leaks[j];
		fmt_t(t1, l->start);
		if (lr->det != (size_t)-1)
			fmt_t(t2, R->dets[lr->det].t);
		else
			snprintf(t2, sizeof t2, "missed");
		fmt_dur(a, sizeof a, lr->delay_s);
		fmt_fixed(b, sizeof b, lr->dist_m, 1);
		fmt_fixed(c, sizeof c, lr->volume_m3, 3);
		fmt_fixed(d, sizeof d, lr->eur, 2);
		aw_w_printf(w, "%-10s %-8s %-7s %-9s %-16s  %-16s  %8s %8s %10s %10s\n", l->id,
		    l->pipe ? l->pipe : l->node, aw_size_class_name(lr->size),
		    R->T->kind[j] ? R->T->kind[j] : "-", t1, t2, a, b, c, d);
	}
	if (R->verbose && r->ndet) {
		aw_w_printf(w, "\n%-16s  %-10s %-8s %-8s %-10s %8s %10s\n", "detection", "id", "pipe",
		    "outcome", "leak", "dist_m", "eur");
		for (size_t i = 0; i < r->ndet; i++) {
			const struct aw_score_det_result *dr = &r->dets[i];
			const struct det *dd = &R->D->v[i];
			fmt_t(t1, dd->t);
			fmt_fixed(b, sizeof b, dr->dist_m, 1);
			fmt_fixed(d, sizeof d, dr->eur, 2);
			aw_w_printf(w, "%-16s  %-10s %-8s %-8s %-10s %8s %10s\n", t1,
			    dd->id ? dd->id : "-", dr->pipe ? dr->pipe : dd->pipes.n ? dd->pipes.v[0] : "-",
			    aw_det_outcome_name(dr->outcome),
			    dr->leak != (size_t)-1 ? R->T->v[dr->leak].id : "-", b, d);
		}
	}
	aw_w_printf(w, "\n");
	fmt_pct(a, sizeof a, r->tpr);
	aw_w_printf(w, "leaks        %zu: detected %zu, missed %zu, TPR %s\n", r->nleaks, r->tp, r->fn, a);
	aw_w_printf(w, "by size     ");
	for (int k = 0; k < AW_SIZE_NCLASS; k++) {
		if (k == AW_SIZE_UNKNOWN && !r->class_n[k])
			continue;
		fmt_pct(a, sizeof a, r->class_tpr[k]);
		aw_w_printf(w, " %s %zu/%zu (%s)", aw_size_class_name(k), r->class_tp[k], r->class_n[k], a);
	}
	aw_w_printf(w, "\n");
	fmt_pct(a, sizeof a, r->false_alert_share);
	aw_w_printf(w, "detections   %zu: true %zu, repeat %zu, false %zu, ignored %zu; false alerts %s\n",
	    r->ndet, r->tp, r->repeat, r->fp, r->ignored, a);
	fmt_dur(a, sizeof a, r->delay_median_s);
	fmt_dur(b, sizeof b, r->delay_mean_s);
	fmt_dur(c, sizeof c, r->delay_max_s);
	fmt_dur(d, sizeof d, R->abrupt_median_s);
	aw_w_printf(w, "delay        median %s, mean %s, max %s; abrupt leaks median %s\n", a, b, c, d);
	if (R->flows) {
		fmt_dur(a, sizeof a, r->onset_delay_median_s);
		fmt_fixed(b, sizeof b, R->o.onset_lps, 2);
		aw_w_printf(w, "onset delay  median %s; detected leaks with flow above %s L/s: %zu\n",
		    a, b, r->onset_n);
	}
	fmt_fixed(a, sizeof a, r->loc_median_m, 1);
	fmt_pct(b, sizeof b, r->loc_within_share);
	fmt_fixed(c, sizeof c, r->tp_dist_median_m, 1);
	aw_w_printf(w, "localisation %zu: median %s m, within %.0f m %zu (%s); true positives median %s m",
	    r->loc_n, a, R->o.max_dist_m, r->loc_within, b, c);
	if (r->unlocated)
		aw_w_printf(w, ", without a pipe %zu", r->unlocated);
	aw_w_printf(w, "\n");
	fmt_fixed(a, sizeof a, r->eur_total, 2);
	fmt_fixed(b, sizeof b, r->eur_water, 2);
	fmt_fixed(c, sizeof c, r->eur_crew, 2);
	aw_w_printf(w, "score        %s EUR (water %s, crew %s)\n", a, b, c);
	if (r->steps_done) {
		fmt_fixed(a, sizeof a, r->precision, 4);
		fmt_fixed(b, sizeof b, r->recall, 4);
		fmt_fixed(c, sizeof c, r->f1, 4);
		fmt_fixed(d, sizeof d, r->mcc, 4);
		aw_w_printf(w, "steps        %zu: tp %zu, fp %zu, tn %zu, fn %zu; precision %s, recall %s, F1 %s, MCC %s\n",
		    r->steps, r->step_tp, r->step_fp, r->step_tn, r->step_fn, a, b, c, d);
	}
}

static void write_json(struct run *R)
{
	struct aw_writer *w = aw_out;
	struct aw_score_result *r = &R->r;

	aw_w_begin(w, "score");
	aw_w_int(w, "leaks", (long long)r->nleaks);
	aw_w_int(w, "detections", (long long)r->ndet);
	aw_w_int(w, "tp", (long long)r->tp);
	aw_w_int(w, "fp", (long long)r->fp);
	aw_w_int(w, "fn", (long long)r->fn);
	aw_w_int(w, "repeat", (long long)r->repeat);
	aw_w_int(w, "ignored", (long long)r->ignored);
	aw_w_int(w, "unlocated", (long long)r->unlocated);
	aw_w_num(w, "tpr", r->tpr, 4);
	aw_w_num(w, "tpr_small", r->class_tpr[AW_SIZE_SMALL], 4);
	aw_w_num(w, "tpr_medium", r->class_tpr[AW_SIZE_MEDIUM], 4);
	aw_w_num(w, "tpr_large", r->class_tpr[AW_SIZE_LARGE], 4);
	aw_w_num(w, "false_alert_share", r->false_alert_share, 4);
	aw_w_num(w, "delay_median_s", r->delay_median_s, 0);
	aw_w_num(w, "delay_mean_s", r->delay_mean_s, 0);
	aw_w_num(w, "delay_max_s", r->delay_max_s, 0);
	aw_w_num(w, "delay_abrupt_median_s", R->abrupt_median_s, 0);
	if (R->flows) {
		aw_w_num(w, "onset_flow_lps", R->o.onset_lps, AW_SHORTEST);
		aw_w_num(w, "onset_delay_median_s", r->onset_delay_median_s, 0);
	}
	aw_w_int(w, "localised", (long long)r->loc_n);
	aw_w_int(w, "localised_within", (long long)r->loc_within);
	aw_w_num(w, "localised_share", r->loc_within_share, 4);
	aw_w_num(w, "localisation_median_m", r->loc_median_m, 1);
	aw_w_num(w, "tp_distance_median_m", r->tp_dist_median_m, 1);
	aw_w_num(w, "eur", r->eur_total, 2);
	aw_w_num(w, "eur_water", r->eur_water, 2);
	aw_w_num(w, "eur_crew", r->eur_crew, 2);
	if (r->steps_done) {
		aw_w_int(w, "step_s", R->o.step);
		aw_w_int(w, "steps", (long long)r->steps);
		aw_w_int(w, "step_tp", (long long)r->step_tp);
		aw_w_int(w, "step_fp", (long long)r->step_fp);
		aw_w_int(w, "step_tn", (long long)r->step_tn);
		aw_w_int(w, "step_fn", (long long)r->step_fn);
		aw_w_num(w, "precision", r->precision, 4);
		aw_w_num(w, "recall", r->recall, 4);
		aw_w_num(w, "f1", r->f1, 4);
		aw_w_num(w, "mcc", r->mcc, 4);
	}
	aw_w_arr_begin(w, "gates_failed");
	for (int i = 0; i < R->nfailed; i++)
		aw_w_str(w, NULL, R->failed[i]);
	aw_w_arr_end(w);
	aw_w_arr_begin(w, "per_leak");
	for (size_t j = 0; j < r->nleaks; j++) {
		const struct aw_score_leak *l = &R->T->v[j];
		const struct aw_score_leak_result *lr = &r->leaks[j];
		aw_w_obj_begin(w, NULL);
		aw_w_str(w, "leak", l->id);
		if (l->pipe)
			aw_w_str(w, "pipe", l->pipe);
		else
			aw_w_str(w, "node", l->node);
		aw_w_str(w, "size", aw_size_class_name(lr->size));
		aw_w_ts(w, "start", l->start);
		aw_w_bool(w, "detected", lr->det != (size_t)-1);
		if (lr->det != (size_t)-1) {
			aw_w_ts(w, "detected_at", R->dets[lr->det].t);
			aw_w_num(w, "delay_s", lr->delay_s, 0);
			aw_w_num(w, "distance_m", lr->dist_m, 1);
			aw_w_num(w, "volume_m3", lr->volume_m3, 3);
			aw_w_num(w, "eur", lr->eur, 2);
		}
		aw_w_obj_end(w);
	}
	aw_w_arr_end(w);
	if (R->verbose) {
		aw_w_arr_begin(w, "per_detection");
		for (size_t i = 0; i < r->ndet; i++) {
			const struct aw_score_det_result *dr = &r->dets[i];
			aw_w_obj_begin(w, NULL);
			aw_w_ts(w, "ts", R->dets[i].t);
			if (R->D->v[i].id)
				aw_w_str(w, "id", R->D->v[i].id);
			if (dr->pipe || R->D->v[i].pipes.n)
				aw_w_str(w, "pipe", dr->pipe ? dr->pipe : R->D->v[i].pipes.v[0]);
			aw_w_str(w, "outcome", aw_det_outcome_name(dr->outcome));
			if (dr->leak != (size_t)-1)
				aw_w_str(w, "leak", R->T->v[dr->leak].id);
			aw_w_num(w, "distance_m", dr->dist_m, 1);
			aw_w_num(w, "eur", dr->eur, 2);
			aw_w_obj_end(w);
		}
		aw_w_arr_end(w);
	}
	aw_w_end(w);
}

static int64_t arg_time(const char *opt, const char *s)
{
	int64_t t;
	if (aw_parse_time_local(s, strlen(s), &t))
		aw_usage_error("%s: not a time (like 2019-01-01 or 2019-01-01T00:00:00Z): %s", opt, s);
	return t;
}

static void gate(struct run *R, const char *name, int fail, const char *fmt, ...)
    AW_PRINTF(4, 5);
static void gate(struct run *R, const char *name, int fail, const char *fmt, ...)
{
	va_list ap;
	if (!fail)
		return;
	R->failed[R->nfailed] = name;
	va_start(ap, fmt);
	vsnprintf(R->failmsg[R->nfailed], sizeof R->failmsg[0], fmt, ap);
	va_end(ap);
	R->nfailed++;
}

int main(int argc, char **argv)
{
	const char *truth = NULL, *flows = NULL, *dists = NULL, *network = NULL, *tz = NULL, *arg;
	const char *pstart = NULL, *pend = NULL;
	int utc = 0;
	double min_tpr = NAN, max_fpr = NAN;
	long max_latency = -1;
	int json = 0, optind = 1, c;
	struct run R = { 0 };
	struct aw_dist_table D = { 0 };

	aw_cli_init(argc, argv, &cli);
	aw_score_opts_init(&R.o);
	while ((c = aw_getopt(argc, argv, &optind, &arg)) != -1) {
		switch (c) {
		case OPT_TRUTH: truth = arg; break;
		case OPT_FLOWS: flows = arg; break;
		case OPT_NETWORK: network = arg; break;
		case OPT_DISTANCES: dists = arg; break;
		case OPT_UTC: utc = 1; break;
		case OPT_TZ:
			if (aw_tz_set(arg))
				aw_usage_error("--tz: unknown time zone: %s", arg);
			tz = arg;
			break;
		case OPT_PERIOD_START: pstart = arg; break;
		case OPT_PERIOD_END: pend = arg; break;
		case OPT_TOP: R.o.top_k = (size_t)aw_arg_long("--top", arg, 1, 1000); break;
		case OPT_ONSET: R.o.onset_lps = aw_arg_double("--onset-flow", arg); break;
		case OPT_STEPS: R.o.step = aw_arg_duration("--steps", arg); break;
		case OPT_MIN_TPR: min_tpr = aw_arg_double("--min-tpr", arg); break;
		case OPT_MAX_FPR: max_fpr = aw_arg_double("--max-fpr", arg); break;
		case OPT_MAX_LATENCY: max_latency = aw_arg_duration("--max-latency", arg); break;
		case OPT_JSON: json = 1; break;
		case 'v': R.verbose = 1; break;
		}
	}
	if (!truth)
		aw_usage_error("--truth FILE is required");
	if (utc && tz)
		aw_usage_error("--utc and --tz exclude each other");
	/* the configuration sets the time zone; --utc and --tz override it */
	struct aw_config *cfg = aw_config_load(NULL);
	if (utc)
		aw_tz_set("UTC");
	else if (tz)
		aw_tz_set(tz);
	if (pstart)
		R.o.period_start = arg_time("--period-start", pstart);
	if (pend)
		R.o.period_end = arg_time("--period-end", pend);

	struct aw_leaks T = { 0 };
	if (aw_leaks_load(&T, truth)) {
		aw_leaks_free(&T);
		aw_config_free(cfg);
		return 1;
	}
	R.T = &T;
	if (flows) {
		struct aw_buf missing = { 0 };
		aw_leaks_load_flows(&T, flows, &missing);
		if (missing.len && !aw_opt_quiet)
			aw_warn("%s: no flow series for %s: volume from the peak flow", flows, missing.s);
		aw_buf_free(&missing);
		if (T.nflow >= 2) {
			if (R.o.period_start == NONE)
				R.o.period_start = T.flow_t0;
			if (R.o.period_end == NONE)
				R.o.period_end = T.flow_t0 + (int64_t)T.nflow * T.flow_dt;
		}
		R.flows = 1;
	}
	struct places P = { 0 };
	char *netpath = network ? aw_strdup(network) :
	    cfg->network ? aw_config_file(cfg, cfg->network) : NULL;
	if (netpath && !(P.net = load_network(netpath, cfg, &T))) {
		free(netpath);
		aw_leaks_free(&T);
		aw_config_free(cfg);
		return 1;
	}
	free(netpath);
	if (dists) {
		aw_dist_table_load(&D, dists);
		P.table = &D;
	}
	if (P.table || P.net) {
		R.o.dist = place_dist;
		R.o.dist_node = place_dist_node;
		R.o.ctx = &P;
	}
	if (R.o.step && (R.o.period_start == NONE || R.o.period_end == NONE))
		aw_usage_error("--steps needs --flows or --period-start and --period-end");
	if (R.o.period_start != NONE && R.o.period_end != NONE && R.o.period_end <= R.o.period_start)
		aw_usage_error("the period ends before it starts");

	struct input in = { 0 };
	read_inputs(&in, argv + optind, argc - optind);
	R.D = join(&in);
	R.dets = aw_calloc(R.D->n ? R.D->n : 1, sizeof *R.dets);
	for (size_t i = 0; i < R.D->n; i++) {
		struct det *d = &R.D->v[i];
		R.dets[i].id = d->id;
		R.dets[i].t = d->t;
		R.dets[i].end = d->end;
		R.dets[i].pipes = (const char *const *)d->pipes.v;
		R.dets[i].npipes = d->pipes.n;
		R.dets[i].dma = d->dma;
	}
	size_t with_pipes = 0;
	for (size_t i = 0; i < R.D->n; i++)
		with_pipes += R.D->v[i].pipes.n > 0;
	if (with_pipes && !R.o.dist && !aw_opt_quiet)
		aw_warn("no network or --distances: a detection's pipe counts only when it is the "
		    "leaking pipe");
	if (aw_score_run(T.v, T.n, R.dets, R.D->n, &R.o, &R.r))
		aw_die(1, "per-step scoring needs a bounded period");

	double *v = aw_calloc(T.n ? T.n : 1, sizeof *v);
	size_t n = 0;
	for (size_t j = 0; j < T.n; j++)
		if (R.r.leaks[j].det != (size_t)-1 && T.kind[j] && aw_strcaseeq(T.kind[j], "abrupt"))
			v[n++] = R.r.leaks[j].delay_s;
	R.abrupt_median_s = aw_median(v, n);
	free(v);

	if (P.unknown_list.len)
		aw_warn("detected pipes not in %s: %s", P.net->file, P.unknown_list.s);
	if (R.r.volume_unknown && !aw_opt_quiet)
		aw_warn("true positives without a leak volume (no flow series, peak flow or "
		    "period end): %zu; the score is unknown", R.r.volume_unknown);
	if (R.r.unlocated && !aw_opt_quiet)
		aw_warn("true positives from detections without a pipe (matched by time and dma): %zu",
		    R.r.unlocated);

	gate(&R, "min-tpr", !isnan(min_tpr) && !(R.r.tpr >= min_tpr),
	    "TPR %.4f is below --min-tpr %g", R.r.tpr, min_tpr);
	gate(&R, "max-fpr", !isnan(max_fpr) && R.r.false_alert_share > max_fpr,
	    "false-alert share %.4f is above --max-fpr %g", R.r.false_alert_share, max_fpr);
	if (isnan(R.r.delay_median_s))
		gate(&R, "max-latency", max_latency >= 0,
		    "no leak detected, so no delay to hold to --max-latency %ld s", max_latency);
	else
		gate(&R, "max-latency", max_latency >= 0 && R.r.delay_median_s > max_latency,
		    "median delay %.0f s is above --max-latency %ld s", R.r.delay_median_s,
		    max_latency);

	if (json)
		write_json(&R);
	else
		write_table(&R);
	int rc = aw_finish();
	for (int i = 0; i < R.nfailed; i++)
		aw_warn("gate failed: %s", R.failmsg[i]);

	aw_score_result_free(&R.r);
	free(R.dets);
	detv_free(R.D);
	free(R.D);
	aw_leaks_free(&T);
	aw_dist_table_free(&D);
	if (P.net)
		aw_net_free(P.net);
	aw_map_free(&P.unknown);
	aw_buf_free(&P.unknown_list);
	aw_config_free(cfg);
	return R.nfailed ? 1 : rc;
}
