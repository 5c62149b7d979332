/* aw-risk: main-break risk of every pipe over the next days (boosted trees on the asset
 * register, break history, SCADA context and weather, or the age/material prior), the
 * repair priority (risk x consequence) and the customers a shut-off affects. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_gbm.h"
#include "aw_impact.h"
#include "aw_risk.h"
#include "aw_state.h"
#include "aw_table.h"

enum {
	OPT_BREAKS = AW_LONG, OPT_WEATHER, OPT_AT, OPT_FROM, OPT_TO, OPT_HORIZON, OPT_STEP,
	OPT_HISTORY, OPT_ACCOUNTS, OPT_PIPES, OPT_SEED, OPT_ROUNDS
};

static const struct aw_opt opts[] = {
	{ 'm', "model", "FILE", "score, rank: the risk model (default risk.model of the config; none: the age/material prior)" },
	{ 'o', "output", "FILE", "train: the model file to write" },
	{ OPT_BREAKS, "breaks", "CSV", "break history pipe,date[,type] (default risk.breaks); repeatable" },
	{ OPT_WEATHER, "weather", "CSV", "air temperature by date-time (default risk.weather)" },
	{ OPT_AT, "at", "TIME", "score, rank: the time risk is for (default: the hour after the last reading, else now)" },
	{ OPT_FROM, "from", "TIME", "train: first window (default: the first break); score: backtest from" },
	{ OPT_TO, "to", "TIME", "train: end of the last window (default: the day after the last break); score: backtest to" },
	{ OPT_HORIZON, "horizon", "DURATION", "train: days ahead a break counts (default risk.horizon_days, else 14d)" },
	{ OPT_STEP, "step", "DURATION", "train, score backtest: time between windows (default the horizon)" },
	{ OPT_HISTORY, "history-from", "TIME", "when the break record starts (default: the first break)" },
	{ 'N', "network", "FILE", "EPANET network (default network of the config)" },
	{ 'a', "assets", "CSV", "asset register (default assets of the config)" },
	{ OPT_ACCOUNTS, "accounts", "CSV", "rank, impact: AMR accounts with account and node (default accounts)" },
	{ 'n', "top", "N", "rank: only the first N" },
	{ 't', "table", NULL, "score, rank: an aligned table instead of records" },
	{ OPT_PIPES, "pipes", "LIST", "impact: these pipes (comma-separated) instead of records" },
	{ OPT_SEED, "seed", "N", "train: random seed (default 1)" },
	{ OPT_ROUNDS, "rounds", "N", "train: boosting rounds (default 200)" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cmd cmds[] = {
	{ "train", "learn the risk model from the break history" },
	{ "score", "break probability of every pipe over the horizon" },
	{ "rank", "prioritised inspection list: probability x consequence, with its reasons" },
	{ "impact", "customers affected by shutting off pipes (alerts, work orders, --pipes)" },
	{ NULL, NULL },
};

static const struct aw_cli cli = {
	"train -o MODEL [--breaks CSV] [--weather CSV] [--from T] [--to T] [FILE...]\n"
	"score [-m MODEL] [--at T | --from T --to T] [-t] [FILE...]\n"
	"rank [-m MODEL] [--at T] [-n N] [-t] [FILE...]\n"
	"impact [--pipes LIST] [FILE...]",
	"Main-break risk of every pipe, repair priority and customer impact.",
	opts, cmds,
};

#define DAY 86400

static struct {
	const char *model, *out, *weather, *network, *assets, *accounts, *pipes;
	char **breaks;
	int nbreaks, table, rounds;
	long top;
	int64_t at, from, to, history;
	long horizon, step;
	uint64_t seed;
} o = { .rounds = 200, .seed = 1, .at = INT64_MIN, .from = INT64_MIN, .to = INT64_MIN,
	.history = INT64_MIN };

static struct aw_config *cfg;

static int64_t arg_time(const char *opt, const char *s)
{
	int64_t t;
	if (aw_parse_time_local(s, strlen(s), &t) != 0)
		aw_usage_error("%s: not a time (YYYY-MM-DD[THH:MM[:SS]][Z]): %s", opt, s);
	return t;
}

static char *cfg_file(const char *key)
{
	return aw_config_file(cfg, aw_config_str(cfg, key, NULL));
}

/* ---- inputs ---- */

static struct aw_net *load_network(void)
{
	const char *why;
	struct aw_net *net = aw_net_from_config(cfg, o.network, o.assets, &why);
	if (!net && why)
		aw_usage_error("%s (or give -N FILE)", why);
	if (!net) {
		aw_finish();
		exit(1);
	}
	return net;
}

/* the node of a reading: its node field, the configured sensor's, the network's sensor,
 * or a node of the sensor's name */
static int reading_node(const struct aw_net *net, struct aw_record *r, size_t *node)
{
	const char *s = aw_get_str(r, "node");
	if (s && aw_net_node(net, s, node))
		return 1;
	if (!(s = aw_get_str(r, "sensor")))
		return 0;
	const struct aw_sensor *cs = aw_sensor_find(cfg, s);
	if (cs && cs->node && aw_net_node(net, cs->node, node))
		return 1;
	size_t i;
	if (aw_net_sensor(net, s, &i)) {
		*node = net->sensors[i].node;
		return 1;
	}
	return aw_net_node(net, s, node);
}

static void read_inputs(struct aw_risk_data *d, char **files, int nfiles)
{
	struct aw_record r = { 0 };
	struct aw_reader *in;
	unsigned long long n = 0, unplaced = 0;
	char *path;

	aw_breaks_init(&d->breaks, d->net);
	for (int i = 0; i < o.nbreaks; i++)
		if (aw_breaks_read_csv(&d->breaks, d->net, o.breaks[i]) < 0)
			aw_rval = 1;
	if (!o.nbreaks && (path = cfg_file("risk.breaks"))) {
		if (aw_breaks_read_csv(&d->breaks, d->net, path) < 0)
			aw_rval = 1;
		free(path);
	}
	path = o.weather ? aw_strdup(o.weather) : cfg_file("risk.weather");
	if (path && aw_weather_read(&d->weather, path) < 0)
		aw_rval = 1;
	free(path);

	in = aw_reader_open(files, nfiles);
	while (aw_read(in, &r)) {
		aw_progress(++n, "records");
		if (aw_is(&r, "type", "reading")) {
			double v;
			size_t node;
			const char *q = aw_get_str(&r, "qc"), *ts;
			int64_t t;
			int zoned;
			if (!aw_is(&r, "kind", "pressure") || (q && strcmp(q, "ok") != 0 &&
			    strcmp(q, "filled") != 0) || !aw_get_num(&r, "value", &v))
				continue;
			if (!(ts = aw_get_str(&r, "ts")) || aw_parse_time(ts, strlen(ts), &t, &zoned)) {
				aw_error_at(aw_reader_name(in), aw_reader_lineno(in), "reading without a time");
				continue;
			}
			if (!reading_node(d->net, &r, &node)) {
				unplaced++;
				continue;
			}
			const char *sensor = aw_get_str(&r, "sensor");
			aw_scada_add(&d->scada, sensor ? sensor : d->net->nodes[node].id, node,
			    zoned ? t : aw_tz_to_utc(t, NULL, NULL), v);
			continue;
		}
		aw_breaks_add_record(&d->breaks, d->net, &r, aw_reader_name(in), aw_reader_lineno(in));
	}
	aw_progress_done();
	aw_reader_close(in);
	aw_record_free(&r);
	aw_breaks_finish(&d->breaks);
	if (unplaced && !aw_opt_quiet)
		aw_warn("%llu pressure readings of sensors not on the network were left out", unplaced);
	d->observed_from = o.history;
	aw_risk_data_prepare(d);
}

/* ---- train ---- */

static int train(char **files, int nfiles)
{
	struct aw_risk_data d = { .net = load_network(), .horizon = o.horizon };
	struct aw_riskmodel m = { 0 };
	size_t np = 0, *pipes;

	read_inputs(&d, files, nfiles);
	if (d.breaks.total == 0)
		aw_die(1, "no break history: nothing to learn from (without a model, score and rank "
		    "use the age/material prior)");
	int64_t from = o.from != INT64_MIN ? o.from : d.breaks.first;
	int64_t to = o.to != INT64_MIN ? o.to : d.breaks.last + DAY;
	long step = o.step ? o.step : o.horizon;
	if (from + o.horizon > to)
		aw_die(1, "the span from %s is shorter than the horizon", "--from to --to");

	pipes = aw_calloc(d.net->nlinks + 1, sizeof *pipes);
	for (size_t l = 0; l < d.net->nlinks; l++)
		if (d.net->links[l].type == AW_PIPE)
			pipes[np++] = l;
	size_t nwin = (size_t)((to - o.horizon - from) / step) + 1, n = nwin * np;
	float *x = aw_reallocarray(NULL, n, AW_RF_N * sizeof *x);
	float *y = aw_reallocarray(NULL, n, sizeof *y);
	uint64_t *group = aw_reallocarray(NULL, n, sizeof *group);
	long long pos = 0;
	for (size_t k = 0; k < nwin; k++) {
		int64_t t = from + (int64_t)k * step;
		aw_risk_at(&d, t);
		for (size_t i = 0; i < np; i++) {
			size_t row = k * np + i;
			aw_risk_features(&d, pipes[i], x + row * AW_RF_N);
			y[row] = aw_breaks_count(&d.breaks, pipes[i], t, t + o.horizon) > 0;
			pos += y[row] > 0;
			group[row] = k;
		}
	}
	if (pos == 0)
		aw_die(1, "no break falls in the training windows: nothing to learn");

	aw_gbm_params_default(&m.params);
	m.params.rounds = o.rounds;
	m.params.max_depth = 4;
	m.params.eta = 0.05;
	m.params.min_child_weight = 2;
	m.params.subsample = 0.8;
	m.params.seed = o.seed;
	m.horizon_days = (double)o.horizon / DAY;
	m.step_days = (double)step / DAY;
	m.rows = (long long)n;
	m.positives = pos;
	m.pipes = (long long)np;
	aw_fmt_time(m.trained_from, from);
	aw_fmt_time(m.trained_to, from + (int64_t)(nwin - 1) * step + o.horizon);
	m.nfeatures = AW_RF_N;
	m.features = (char **)aw_risk_feature_names;

	/* an honest estimate first: each window's rows scored by a model that never saw it */
	float *oof = aw_reallocarray(NULL, n, sizeof *oof), *prior = aw_reallocarray(NULL, n, sizeof *prior);
	int *fold = aw_reallocarray(NULL, n, sizeof *fold);
	int k = nwin >= 5 ? 5 : 0;
	if (k) {
		aw_gbm_folds(group, n, k, o.seed, fold);
		if (aw_gbm_cv_margin(x, n, AW_RF_N, y, NULL, fold, k, &m.params, oof) != 0)
			k = 0;
	}
	if (!(m.gbm = aw_gbm_train(x, n, AW_RF_N, y, NULL, &m.params)))
		aw_die(1, "training failed; no model written");
	if (aw_riskmodel_write(&m, o.out) != 0)
		aw_die(1, "no model written");
	if (!aw_opt_quiet) {
		for (size_t i = 0; i < n; i++) {
			const struct aw_link *l = &d.net->links[pipes[i % np]];
			prior[i] = (float)aw_risk_prior(x[i * AW_RF_N + AW_RF_AGE], l->material);
		}
		aw_warn("%zu windows of %ld d x %zu pipes = %zu rows, %lld with a break "
		    "(%ld breaks in the history)", nwin, o.horizon / DAY, np, n, pos, d.breaks.total);
		if (k)
			aw_warn("out-of-fold AUC %.3f (age/material prior %.3f)", aw_auc(oof, y, n),
			    aw_auc(prior, y, n));
		aw_warn("wrote %s (%s)", o.out, m.id);
	}
	m.features = NULL;
	m.nfeatures = 0;
	aw_gbm_free(m.gbm);
	free(x), free(y), free(group), free(oof), free(prior), free(fold), free(pipes);
	aw_risk_data_free(&d);
	aw_net_free(d.net);
	return aw_finish();
}

/* ---- score and rank ---- */

struct scored {
	size_t link;
	int64_t t;
	float x[AW_RF_N];
	double p;
	int top[3];		/* features that moved p most, -1 none */
	float contrib[3];
	struct aw_consequence c;
	double priority;
};

static const char *dma_of(const struct aw_net *net, size_t l)
{
	int d = net->links[l].dma;
	return d >= 0 ? net->dmas[d].id : NULL;
}

static void score_rows(const struct aw_net *net, struct aw_riskmodel *m, struct scored *s,
    size_t n)
{
	if (!m) {
		for (size_t i = 0; i < n; i++) {
			s[i].p = aw_risk_prior(s[i].x[AW_RF_AGE], net->links[s[i].link].material);
			s[i].top[0] = s[i].top[1] = s[i].top[2] = -1;
		}
		return;
	}
	size_t nc = m->nfeatures;
	float *x = aw_reallocarray(NULL, n + 1, nc * sizeof *x);
	float *margin = aw_reallocarray(NULL, n + 1, sizeof *margin);
	float *contrib = aw_reallocarray(NULL, n + 1, (nc + 1) * sizeof *contrib);
	for (size_t i = 0; i < n; i++)
		memcpy(x + i * nc, s[i].x, nc * sizeof *x);
	if (aw_gbm_margin(m->gbm, x, n, margin) != 0 || aw_gbm_contribs(m->gbm, x, n, contrib) != 0)
		aw_die(1, "scoring failed");
	for (size_t i = 0; i < n; i++) {
		const float *c = contrib + i * (nc + 1);
		s[i].p = 1 / (1 + exp(-(double)margin[i]));
		for (int k = 0; k < 3; k++) {
			int best = -1;
			for (size_t j = 0; j < nc; j++) {
				int used = 0;
				for (int q = 0; q < k; q++)
					used |= s[i].top[q] == (int)j;
				if (!used && c[j] != 0 && (best < 0 || fabsf(c[j]) > fabsf(c[best])))
					best = (int)j;
			}
			s[i].top[k] = best;
			s[i].contrib[k] = best >= 0 ? c[best] : 0;
		}
	}
	free(x), free(margin), free(contrib);
}

static void why_text(struct aw_buf *b, const struct aw_net *net, const struct scored *s,
    const char *model, const struct aw_impact_net *in, const struct aw_impact *im)
{
	const struct aw_link *l = &net->links[s->link];
	char num[40];

	aw_buf_printf(b, "%s", l->material ? l->material : "unknown material");
	if (!isnan(s->x[AW_RF_AGE]))
		aw_buf_printf(b, ", %.0f years", s->x[AW_RF_AGE]);
	aw_buf_printf(b, ", %.0f mm", s->x[AW_RF_DIAMETER]);
	if (s->x[AW_RF_BREAKS_5Y] > 0) {
		aw_buf_printf(b, ", %.0f break%s in 5 years (%.0f in the last)", s->x[AW_RF_BREAKS_5Y],
		    s->x[AW_RF_BREAKS_5Y] == 1 ? "" : "s", s->x[AW_RF_BREAKS_1Y]);
	}
	aw_fmt_num(num, s->p, 4);
	aw_buf_printf(b, "; p_break %s (%s", num, model);
	for (int k = 0; k < 3 && s->top[k] >= 0; k++)
		aw_buf_printf(b, "%s%s %s", k ? ", " : ": ", aw_risk_feature_names[s->top[k]],
		    s->contrib[k] > 0 ? "up" : "down");
	aw_fmt_num(num, s->c.value, 2);
	aw_buf_printf(b, "); consequence %s", num);
	const char *sep = ": ";
	if (im->demand[AW_IMP_ISOLATED] > 0) {
		aw_fmt_num(num, im->demand[AW_IMP_ISOLATED], 2);
		aw_buf_printf(b, "%s%zu node%s (%s L/s) cut off", sep, im->nodes[AW_IMP_ISOLATED],
		    im->nodes[AW_IMP_ISOLATED] == 1 ? "" : "s", num);
		sep = ", ";
	}
	if (im->nodes[AW_IMP_DOWNSTREAM] > 1) {
		aw_fmt_num(num, im->demand[AW_IMP_DOWNSTREAM], 2);
		aw_buf_printf(b, "%s%zu nodes (%s L/s) downstream", sep, im->nodes[AW_IMP_DOWNSTREAM],
		    num);
		sep = ", ";
	}
	if (im->accounts_any > 0) {
		aw_buf_printf(b, "%s%zu account%s affected", sep, im->accounts_any,
		    im->accounts_any == 1 ? "" : "s");
		sep = ", ";
	}
	for (size_t i = 0; i < im->ncrit_hit; i++) {
		const struct aw_critical *c = &in->crit[im->crit_hit[i]];
		aw_buf_printf(b, "%s%s %s %s", sep, c->kind, c->name,
		    im->crit_group[i] == AW_IMP_ISOLATED ? "cut off" :
		    im->crit_group[i] == AW_IMP_ON_PIPE ? "on the pipe" : "downstream");
		sep = ", ";
	}
	if (s->c.quality > 0)
		aw_buf_printf(b, "%squality risk%s%s", sep,
		    l->material && (!strcmp(l->material, "cast_iron") ||
		    !strcmp(l->material, "asbestos_cement")) ? " (material)" : "",
		    s->x[AW_RF_STATIC_PRESSURE] < 20 ? " (low pressure)" : "");
}

static void write_risk(const struct aw_net *net, const struct scored *s, const char *model,
    double horizon_days, long rank, struct aw_impact_net *in, const struct aw_impact *im)
{
	const struct aw_link *l = &net->links[s->link];

	aw_w_begin(aw_out, "risk");
	aw_w_ts(aw_out, "ts", s->t);
	aw_w_str(aw_out, "pipe", l->id);
	aw_w_str(aw_out, "dma", dma_of(net, s->link));
	aw_w_num(aw_out, "p_break", s->p, 6);
	aw_w_num(aw_out, "horizon_days", horizon_days, 2);
	aw_w_str(aw_out, "model", model);
	aw_w_str(aw_out, "material", l->material);
	aw_w_num(aw_out, "age_years", s->x[AW_RF_AGE], 1);
	aw_w_num(aw_out, "diameter_mm", s->x[AW_RF_DIAMETER], 0);
	aw_w_num(aw_out, "length_m", s->x[AW_RF_LENGTH], 1);
	aw_w_num(aw_out, "static_pressure_m", s->x[AW_RF_STATIC_PRESSURE], 1);
	aw_w_int(aw_out, "breaks_1y", (long long)s->x[AW_RF_BREAKS_1Y]);
	aw_w_int(aw_out, "breaks_5y", (long long)s->x[AW_RF_BREAKS_5Y]);
	if (isnan(s->x[AW_RF_DAYS_SINCE]))
		aw_w_null(aw_out, "days_since_break");
	else
		aw_w_num(aw_out, "days_since_break", s->x[AW_RF_DAYS_SINCE], 0);
	aw_w_arr_begin(aw_out, "explain");
	for (int k = 0; k < 3 && s->top[k] >= 0; k++) {
		aw_w_obj_begin(aw_out, NULL);
		aw_w_str(aw_out, "feature", aw_risk_feature_names[s->top[k]]);
		aw_w_num(aw_out, "contribution", s->contrib[k], 4);
		aw_w_obj_end(aw_out);
	}
	aw_w_arr_end(aw_out);
	if (rank > 0) {
		struct aw_inspection insp;
		struct aw_buf why = { 0 };
		aw_recommend_inspection(l, s->x[AW_RF_BREAKS_1Y], s->x[AW_RF_BREAKS_5Y], &insp);
		why_text(&why, net, s, model, in, im);
		aw_w_int(aw_out, "rank", rank);
		aw_w_num(aw_out, "consequence", s->c.value, 3);
		aw_w_num(aw_out, "priority", s->priority, 6);
		aw_w_obj_begin(aw_out, "consequence_parts");
		aw_w_num(aw_out, "customers", s->c.customers, 3);
		aw_w_num(aw_out, "critical", s->c.critical, 3);
		aw_w_num(aw_out, "diameter", s->c.diameter, 3);
		aw_w_num(aw_out, "quality", s->c.quality, 3);
		aw_w_obj_end(aw_out);
		aw_w_str(aw_out, "inspection", insp.code);
		aw_w_str(aw_out, "inspection_text", insp.text);
		aw_w_str(aw_out, "why", why.s);
		aw_impact_write(aw_out, "customers", in, &s->link, 1, im);
		aw_buf_free(&why);
	}
	aw_w_end(aw_out);
}

static struct aw_table tab;

static void table_row(const struct aw_net *net, const struct scored *s, long rank, int backtest)
{
	char num[40];
	struct aw_inspection insp;

	if (!tab.ncols) {
		if (backtest)
			aw_table_head(&tab, "TS");
		if (rank)
			aw_table_head(&tab, "RANK");
		aw_table_head(&tab, "PIPE");
		aw_table_head(&tab, "DMA");
		aw_table_head(&tab, "P_BREAK");
		if (rank) {
			aw_table_head(&tab, "CONSEQ");
			aw_table_head(&tab, "PRIORITY");
		}
		aw_table_head(&tab, "MATERIAL");
		aw_table_head(&tab, "AGE");
		aw_table_head(&tab, "DIAM");
		aw_table_head(&tab, "BREAKS_5Y");
		if (rank)
			aw_table_head(&tab, "INSPECTION");
	}
	if (backtest) {
		aw_fmt_time(num, s->t);
		aw_table_cell(&tab, num);
	}
	if (rank) {
		snprintf(num, sizeof num, "%ld", rank);
		aw_table_cell(&tab, num);
	}
	aw_table_cell(&tab, net->links[s->link].id);
	aw_table_cell(&tab, dma_of(net, s->link));
	aw_fmt_num(num, s->p, 5);
	aw_table_cell(&tab, num);
	if (rank) {
		aw_fmt_num(num, s->c.value, 2);
		aw_table_cell(&tab, num);
		aw_fmt_num(num, s->priority, 5);
		aw_table_cell(&tab, num);
	}
	aw_table_cell(&tab, net->links[s->link].material);
	if (isnan(s->x[AW_RF_AGE]))
		aw_table_cell(&tab, NULL);
	else {
		aw_fmt_num(num, s->x[AW_RF_AGE], 0);
		aw_table_cell(&tab, num);
	}
	aw_fmt_num(num, s->x[AW_RF_DIAMETER], 0);
	aw_table_cell(&tab, num);
	aw_fmt_num(num, s->x[AW_RF_BREAKS_5Y], 0);
	aw_table_cell(&tab, num);
	if (rank) {
		aw_recommend_inspection(&net->links[s->link], s->x[AW_RF_BREAKS_1Y],
		    s->x[AW_RF_BREAKS_5Y], &insp);
		aw_table_cell(&tab, insp.code);
	}
}

static int cmp_priority(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->priority != y->priority)
		return x->priority < y->priority ? 1 : -1;
	return (x->link > y->link) - (x->link < y->link);
}

static struct aw_riskmodel *load_model(void)
{
	char *path = o.model ? aw_strdup(o.model) : cfg_file("risk.model");
	struct aw_riskmodel *m = NULL;
	if (path && !(m = aw_riskmodel_read(path))) {
		aw_finish();
		exit(1);
	}
	if (m && m->nfeatures != AW_RF_N)
		aw_die(1, "%s: %zu features, this aw-risk computes %d", path, m->nfeatures, AW_RF_N);
	for (size_t j = 0; m && j < m->nfeatures; j++)
		if (strcmp(m->features[j], aw_risk_feature_names[j]) != 0)
			aw_die(1, "%s: feature %zu is %s, this aw-risk computes %s", path, j + 1,
			    m->features[j], aw_risk_feature_names[j]);
	free(path);
	return m;
}

static int score(int ranking, char **files, int nfiles)
{
	struct aw_riskmodel *m = load_model();
	struct aw_risk_data d = { .net = load_network() };
	struct aw_impact_net in;
	size_t np = 0;
	const char *model = m ? m->id : "prior";
	int backtest = o.from != INT64_MIN;

	d.horizon = m ? (long)(m->horizon_days * DAY) : o.horizon;
	read_inputs(&d, files, nfiles);
	if (backtest && o.to == INT64_MIN)
		aw_usage_error("--from needs --to");
	int64_t t0 = backtest ? o.from : o.at != INT64_MIN ? o.at :
	    d.scada.n ? (d.scada.latest / 3600 + 1) * 3600 : (int64_t)aw_state_now();
	int64_t t1 = backtest ? o.to : t0 + 1;
	long step = o.step ? o.step : d.horizon;
	double hdays = (double)d.horizon / DAY;

	if (ranking) {
		char *acc = o.accounts ? aw_strdup(o.accounts) : cfg_file("accounts");
		if (aw_impact_net_init(&in, d.net, cfg, acc) < 0)
			aw_rval = 1;
		free(acc);
	}
	struct scored *s = aw_calloc(d.net->nlinks + 1, sizeof *s);
	for (int64_t t = t0; t < t1; t += step) {
		aw_risk_at(&d, t);
		np = 0;
		for (size_t l = 0; l < d.net->nlinks; l++) {
			if (d.net->links[l].type != AW_PIPE)
				continue;
			s[np].link = l;
			s[np].t = t;
			aw_risk_features(&d, l, s[np].x);
			np++;
		}
		score_rows(d.net, m, s, np);
		if (!ranking) {
			for (size_t i = 0; i < np; i++)
				if (o.table)
					table_row(d.net, &s[i], 0, backtest);
				else
					write_risk(d.net, &s[i], model, hdays, 0, NULL, NULL);
			continue;
		}
		struct aw_impact *im = aw_calloc(np + 1, sizeof *im);
		for (size_t i = 0; i < np; i++) {
			aw_impact_compute(&in, &s[i].link, 1, &im[i]);
			aw_consequence(&in, s[i].link, s[i].x[AW_RF_STATIC_PRESSURE], &im[i], &s[i].c);
			s[i].priority = s[i].p * s[i].c.value;
			aw_impact_free(&im[i]);
		}
		free(im);
		qsort(s, np, sizeof *s, cmp_priority);
		size_t n = o.top > 0 && (size_t)o.top < np ? (size_t)o.top : np;
		for (size_t i = 0; i < n; i++) {
			struct aw_impact one;
			if (o.table) {
				table_row(d.net, &s[i], (long)i + 1, 0);
				continue;
			}
			aw_impact_compute(&in, &s[i].link, 1, &one);
			write_risk(d.net, &s[i], model, hdays, (long)i + 1, &in, &one);
			aw_impact_free(&one);
		}
	}
	if (o.table) {
		aw_table_write(&tab, aw_out);
		aw_table_free(&tab);
	}
	if (ranking)
		aw_impact_net_free(&in);
	free(s);
	aw_riskmodel_free(m);
	aw_risk_data_free(&d);
	aw_net_free(d.net);
	return aw_finish();
}

/* ---- impact ---- */

static void impact_record(struct aw_impact_net *in, const char *source, const char *id,
    const char *dma, const size_t *links, size_t n)
{
	struct aw_impact im;
	aw_impact_compute(in, links, n, &im);
	aw_w_begin(aw_out, "customers");
	aw_w_str(aw_out, "source", source);
	aw_w_str(aw_out, "id", id);
	aw_w_str(aw_out, "dma", dma);
	aw_impact_fields(aw_out, in, links, n, &im);
	aw_w_end(aw_out);
	aw_impact_free(&im);
}

struct linklist {
	size_t *l;
	size_t n;
};

static void add_link(const struct aw_net *net, struct linklist *ll, const char *id,
    const char *file, long line)
{
	size_t l;
	if (!id)
		return;
	if (!aw_net_link(net, id, &l)) {
		aw_error_at(file, line, "unknown pipe '%s'", id);
		return;
	}
	for (size_t i = 0; i < ll->n; i++)
		if (ll->l[i] == l)
			return;
	ll->l = aw_reallocarray(ll->l, ll->n + 1, sizeof *ll->l);
	ll->l[ll->n++] = l;
}

/* the "pipe" of each object in an array field */
static void pipes_in(const struct aw_net *net, struct linklist *ll, const struct aw_field *f,
    const char *file, long line)
{
	struct aw_jiter it;
	struct aw_field e;
	struct aw_record o2 = { 0 };
	const char *err;

	if (aw_jiter_init(&it, f) < 0)
		return;
	while (aw_jiter_next(&it, &e))
		if (e.type == AW_JOBJ && aw_json_parse(&o2, e.val, e.vlen, &err) == 0)
			add_link(net, ll, aw_get_str(&o2, "pipe"), file, line);
	aw_record_free(&o2);
}

static int impact(char **files, int nfiles)
{
	struct aw_net *net = load_network();
	struct aw_impact_net in;
	struct linklist ll = { 0 };
	char *acc = o.accounts ? aw_strdup(o.accounts) : cfg_file("accounts");

	if (aw_impact_net_init(&in, net, cfg, acc) < 0)
		aw_rval = 1;
	free(acc);
	if (o.pipes) {
		char *list = aw_strdup(o.pipes), *save = NULL;
		for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
			add_link(net, &ll, aw_trim(p), "--pipes", 0);
		free(list);
		if (ll.n)
			impact_record(&in, "pipes", NULL, NULL, ll.l, ll.n);
	} else {
		struct aw_reader *rd = aw_reader_open(files, nfiles);
		struct aw_record r = { 0 }, sub = { 0 };
		const char *err;
		while (aw_read(rd, &r)) {
			const char *file = aw_reader_name(rd), *type = aw_get_str(&r, "type");
			long line = aw_reader_lineno(rd);
			char *t = aw_strdup(type ? type : ""), *id = NULL, *dma = NULL;
			const struct aw_field *w;
			ll.n = 0;
			if (!strcmp(t, "alert") && (w = aw_get(&r, "where")) && w->type == AW_JOBJ &&
			    aw_json_parse(&sub, w->val, w->vlen, &err) == 0)
				pipes_in(net, &ll, aw_get(&sub, "pipes"), file, line);
			else if (!strcmp(t, "localization"))
				pipes_in(net, &ll, aw_get(&r, "candidates"), file, line);
			else if (!strcmp(t, "workorder") || !strcmp(t, "risk") || !strcmp(t, "label"))
				add_link(net, &ll, aw_get_str(&r, !strcmp(t, "workorder") ? "asset_id" :
				    "pipe"), file, line);
			else {
				free(t);
				continue;
			}
			const char *s;
			if ((s = aw_get_str(&r, !strcmp(t, "localization") ? "event" :
			    !strcmp(t, "risk") ? "pipe" : "id")))
				id = aw_strdup(s);
			if ((s = aw_get_str(&r, "dma")))
				dma = aw_strdup(s);
			else if (ll.n && (s = dma_of(net, ll.l[0])))
				dma = aw_strdup(s);
			if (ll.n)
				impact_record(&in, t, id, dma, ll.l, ll.n);
			free(t), free(id), free(dma);
		}
		aw_record_free(&r);
		aw_record_free(&sub);
		aw_reader_close(rd);
	}
	free(ll.l);
	aw_impact_net_free(&in);
	aw_net_free(net);
	return aw_finish();
}

int main(int argc, char **argv)
{
	int i = 1, c;
	const char *arg;
	const char *train_only = NULL, *score_only = NULL, *rank_only = NULL;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 'm': o.model = arg; score_only = "-m"; break;
		case 'o': o.out = arg; train_only = "-o"; break;
		case OPT_BREAKS:
			o.breaks = aw_reallocarray(o.breaks, (size_t)o.nbreaks + 1, sizeof *o.breaks);
			o.breaks[o.nbreaks++] = (char *)arg;
			break;
		case OPT_WEATHER: o.weather = arg; break;
		case OPT_AT: o.at = arg_time("--at", arg); score_only = "--at"; break;
		case OPT_FROM: o.from = arg_time("--from", arg); break;
		case OPT_TO: o.to = arg_time("--to", arg); break;
		case OPT_HORIZON: o.horizon = aw_arg_duration("--horizon", arg); train_only = "--horizon"; break;
		case OPT_STEP: o.step = aw_arg_duration("--step", arg); break;
		case OPT_HISTORY: o.history = arg_time("--history-from", arg); break;
		case 'N': o.network = arg; break;
		case 'a': o.assets = arg; break;
		case OPT_ACCOUNTS: o.accounts = arg; break;
		case 'n': o.top = aw_arg_long("--top", arg, 1, 100000000); rank_only = "--top"; break;
		case 't': o.table = 1; score_only = "-t"; break;
		case OPT_PIPES: o.pipes = arg; break;
		case OPT_SEED: o.seed = (uint64_t)aw_arg_long("--seed", arg, 0, 2147483647); train_only = "--seed"; break;
		case OPT_ROUNDS: o.rounds = (int)aw_arg_long("--rounds", arg, 1, 100000); train_only = "--rounds"; break;
		}
	}
	if (i >= argc)
		aw_usage_error("no command");
	const char *cmd = argv[i++];
	const struct aw_cmd *cm = cmds;
	while (cm->name && strcmp(cm->name, cmd) != 0)
		cm++;
	if (!cm->name)
		aw_usage_error("unknown command: %s", cmd);
	int tr = !strcmp(cmd, "train"), rk = !strcmp(cmd, "rank"), sc = !strcmp(cmd, "score");
	if (tr && score_only)
		aw_usage_error("%s is for score and rank, not for train", score_only);
	if (!tr && train_only)
		aw_usage_error("%s is for train", train_only);
	if (!rk && rank_only)
		aw_usage_error("%s is for rank", rank_only);
	if (o.pipes && strcmp(cmd, "impact") != 0)
		aw_usage_error("--pipes is for impact");
	if (rk && (o.from != INT64_MIN || o.to != INT64_MIN))
		aw_usage_error("rank is for one time (--at); backtests are for score");
	if (sc && o.at != INT64_MIN && o.from != INT64_MIN)
		aw_usage_error("--at or --from/--to, not both");
	if (tr && !o.out)
		aw_usage_error("train needs -o MODEL");
	if (o.from != INT64_MIN && o.to != INT64_MIN && o.to <= o.from)
		aw_usage_error("--to must be after --from");

	cfg = aw_config_load(aw_opt_config);
	if (!o.horizon) {
		double h = aw_config_num(cfg, "risk.horizon_days", 14);
		if (!(h > 0 && h <= 3660))
			aw_die(1, "%s: risk.horizon_days must be between 0 and 3660", cfg->path);
		o.horizon = (long)(h * DAY);
	}
	int rc;
	if (tr)
		rc = train(argv + i, argc - i);
	else if (sc || rk)
		rc = score(rk, argv + i, argc - i);
	else
		rc = impact(argv + i, argc - i);
	free(o.breaks);
	aw_config_free(cfg);
	return rc;
}
