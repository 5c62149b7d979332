#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_rules.h"
#include "aw_time.h"

const struct aw_rule aw_rules[AW_NRULES] = {
	{ "pressure_drop", "deviation_from_baseline", 0.5 },
	{ "drop_rate", "pressure_drop_rate", 0.2 },
	{ "night_day_ratio", "night_day_ratio", 0.95 },
	{ "mnf_deviation", "mnf_deviation", -0.3 },
	{ "gradient_anomaly", "gradient_anomaly", 0.1 },
};

void aw_rules_thresholds(const struct aw_config *c, double th[AW_NRULES])
{
	char key[64];
	for (int i = 0; i < AW_NRULES; i++) {
		th[i] = aw_rules[i].dflt;
		if (c) {
			snprintf(key, sizeof key, "thresholds.rules.%s", aw_rules[i].name);
			th[i] = aw_config_num(c, key, th[i]);
		}
	}
}

int aw_rule_find(const char *name)
{
	for (int i = 0; i < AW_NRULES; i++)
		if (strcmp(aw_rules[i].name, name) == 0)
			return i;
	return -1;
}

int aw_rule_fires(int rule, double v, const double th[AW_NRULES])
{
	if (isnan(v))
		return 0;
	switch (rule) {
	case AW_RULE_PRESSURE_DROP:
		return -v > th[rule];
	case AW_RULE_DROP_RATE:
	case AW_RULE_GRADIENT_ANOMALY:
		return v > th[rule];
	default:	/* ratio and MNF deviation: below the threshold */
		return v < th[rule];
	}
}

double aw_rule_share(int rule, double v, const double th[AW_NRULES])
{
	double s;
	if (isnan(v))
		return NAN;
	if (th[rule] == 0 || (rule == AW_RULE_NIGHT_DAY_RATIO && th[rule] == 1))
		return aw_rule_fires(rule, v, th);
	switch (rule) {
	case AW_RULE_PRESSURE_DROP:
		s = -v / th[rule];
		break;
	case AW_RULE_NIGHT_DAY_RATIO:
		s = (1 - v) / (1 - th[rule]);
		break;
	default:
		s = v / th[rule];
		break;
	}
	if (!(s > 0))
		return 0;
	return s < 1 ? s : 1;
}

/* ---- the detector ---- */

struct dma_step {
	char *name;
	int64_t ts;
	int open;
	unsigned fired;
	char **sensors;
	size_t nsensors, cap;
	size_t nevaluated;
};

struct aw_rules_eval {
	double th[AW_NRULES];
	aw_rules_fn fn;
	void *ctx;
	struct aw_map index;
	struct dma_step *d;
	size_t nd;
};

struct aw_rules_eval *aw_rules_eval_new(const double th[AW_NRULES], aw_rules_fn fn, void *ctx)
{
	struct aw_rules_eval *e = aw_calloc(1, sizeof *e);
	memcpy(e->th, th, sizeof e->th);
	e->fn = fn;
	e->ctx = ctx;
	return e;
}

void aw_rules_eval_free(struct aw_rules_eval *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nd; i++) {
		for (size_t j = 0; j < e->d[i].cap; j++)
			free(e->d[i].sensors[j]);
		free(e->d[i].sensors);
		free(e->d[i].name);
	}
	free(e->d);
	aw_map_free(&e->index);
	free(e);
}

static int popcount(unsigned x)
{
	int n = 0;
	for (; x; x &= x - 1)
		n++;
	return n;
}

static void report(struct aw_rules_eval *e, struct dma_step *d)
{
	if (d->open && d->nevaluated) {
		struct aw_rules_step st = {
			.ts = d->ts, .dma = d->name, .fired = d->fired, .nfired = popcount(d->fired),
			.sensors = (const char *const *)d->sensors, .nsensors = d->nsensors,
			.nevaluated = d->nevaluated,
		};
		e->fn(&st, e->ctx);
	}
	d->open = 0;
	d->fired = 0;
	d->nsensors = 0;
	d->nevaluated = 0;
}

static struct dma_step *dma_of(struct aw_rules_eval *e, const char *name)
{
	size_t i;
	if (aw_map_get(&e->index, name, &i))
		return &e->d[i];
	e->d = aw_reallocarray(e->d, e->nd + 1, sizeof *e->d);
	memset(&e->d[e->nd], 0, sizeof e->d[e->nd]);
	e->d[e->nd].name = aw_strdup(name);
	aw_map_put(&e->index, name, e->nd);
	return &e->d[e->nd++];
}

static void add_sensor(struct dma_step *d, const char *s)
{
	for (size_t i = 0; i < d->nsensors; i++)
		if (strcmp(d->sensors[i], s) == 0)
			return;
	if (d->nsensors == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 8;
		d->sensors = aw_reallocarray(d->sensors, cap, sizeof *d->sensors);
		for (size_t i = d->cap; i < cap; i++)
			d->sensors[i] = NULL;
		d->cap = cap;
	}
	free(d->sensors[d->nsensors]);
	d->sensors[d->nsensors++] = aw_strdup(s);
}

int aw_rules_eval_record(struct aw_rules_eval *e, struct aw_record *r, const char *file,
    long line)
{
	if (!aw_is(r, "type", "features"))
		return 0;
	const struct aw_field *tsf = aw_get(r, "ts");
	int64_t ts;
	int zoned;
	if (!tsf || tsf->type != AW_JSTR || aw_parse_time(tsf->val, tsf->vlen, &ts, &zoned)) {
		aw_error_at(file, line, "features record without a valid ts");
		return 1;
	}
	if (!zoned)
		ts = aw_tz_to_utc(ts, NULL, NULL);
	const char *dma = aw_get_str(r, "dma");
	struct dma_step *d = dma_of(e, dma && *dma ? dma : AW_RULES_NO_DMA);
	if (d->open && ts < d->ts) {
		char now[24], cur[24];
		aw_fmt_time(now, ts);
		aw_fmt_time(cur, d->ts);
		aw_error_at(file, line, "features of DMA %s at %s after %s: out of time order",
		    d->name, now, cur);
		return 1;
	}
	if (d->open && ts > d->ts)
		report(e, d);
	d->open = 1;
	d->ts = ts;
	if (aw_get_bool(r, "complete") != 1)
		return 1;
	d->nevaluated++;
	unsigned fired = 0;
	for (int i = 0; i < AW_NRULES; i++) {
		double v;
		if (aw_get_num(r, aw_rules[i].feature, &v) && aw_rule_fires(i, v, e->th))
			fired |= 1u << i;
	}
	if (fired) {
		d->fired |= fired;
		const char *s = aw_get_str(r, "sensor");
		if (s)
			add_sensor(d, s);
	}
	return 1;
}

static int cmp_open(const void *a, const void *b)
{
	const struct dma_step *x = *(struct dma_step *const *)a, *y = *(struct dma_step *const *)b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return strcmp(x->name, y->name);
}

void aw_rules_eval_finish(struct aw_rules_eval *e)
{
	struct dma_step **open = aw_reallocarray(NULL, e->nd + 1, sizeof *open);
	size_t n = 0;
	for (size_t i = 0; i < e->nd; i++)
		if (e->d[i].open)
			open[n++] = &e->d[i];
	qsort(open, n, sizeof *open, cmp_open);
	for (size_t i = 0; i < n; i++)
		report(e, open[i]);
	free(open);
}

const char *aw_rules_confidence(int nfired)
{
	return nfired >= 3 ? "high" : nfired == 2 ? "medium" : "low";
}

void aw_rules_write(struct aw_writer *w, const struct aw_rules_step *st)
{
	aw_w_begin(w, "probability");
	aw_w_ts(w, "ts", st->ts);
	aw_w_str(w, "dma", st->dma);
	aw_w_num(w, "p_leak", (double)st->nfired / AW_NRULES, 6);
	aw_w_str(w, "confidence", aw_rules_confidence(st->nfired));
	aw_w_arr_begin(w, "rules");
	for (int i = 0; i < AW_NRULES; i++)
		if (st->fired & (1u << i))
			aw_w_str(w, NULL, aw_rules[i].name);
	aw_w_arr_end(w);
	aw_w_arr_begin(w, "sensors");
	for (size_t i = 0; i < st->nsensors; i++)
		aw_w_str(w, NULL, st->sensors[i]);
	aw_w_arr_end(w);
	aw_w_str(w, "model", "rules");
	aw_w_end(w);
}
