/* aw-prob: calibrated leak probability per DMA and step (boosted trees + Platt scaling),
 * with SHAP explanations; `train` learns the model from features and ground truth. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_dmastep.h"
#include "aw_gbm.h"
#include "aw_platt.h"
#include "aw_probmodel.h"
#include "aw_truth.h"

enum {
	OPT_LEAKS = AW_LONG, OPT_LABELS, OPT_FEATURES, OPT_SEED, OPT_ROUNDS, OPT_CV_BLOCK,
	OPT_EXPLAIN, OPT_BATCH
};

static const struct aw_opt opts[] = {
	{ 'm', "model", "FILE", "model to score with" },
	{ OPT_EXPLAIN, "explain-above", "P",
	    "explain rows with p_leak >= P (default 0.5, config thresholds.explain_above; > 1 never)" },
	{ 'P', "probability-only", NULL, "write only probability records, not the input records" },
	{ OPT_BATCH, "batch", "N", "rows per scoring call (default 1024; 1 for live streams)" },
	{ 'o', "output", "FILE", "train: the model file to write" },
	{ OPT_LEAKS, "leaks", "CSV", "train: leak list (pipe or node, start, end, peak); repeatable" },
	{ OPT_LABELS, "labels", "FILE", "train: label and event records; repeatable" },
	{ OPT_FEATURES, "features", "LIST", "train: comma-separated input fields (default all)" },
	{ OPT_SEED, "seed", "N", "train: random seed (default 1)" },
	{ OPT_ROUNDS, "rounds", "N", "train: boosting rounds (default 100)" },
	{ OPT_CV_BLOCK, "cv-block", "DURATION",
	    "train: time blocks dealt to the cross-validation folds (default 1d)" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cmd cmds[] = {
	{ "train", "learn a model from features, anomaly scores and ground truth" },
	{ NULL, NULL },
};

static const struct aw_cli cli = {
	"[-P] [--explain-above P] -m MODEL [FILE...]\n"
	"train -o MODEL (--leaks CSV | --labels FILE)... [--features LIST] [--seed N] [FILE...]",
	"Calibrated leak probability per DMA and step, with explanations.",
	opts, cmds,
};

enum { CV_FOLDS = 5, TOP_EXPLAIN = 5 };
/* confidence: low below 0.5, medium below 0.8, high from 0.8 */
static const double conf_medium = 0.5, conf_high = 0.8;

/* ---- scoring ---- */

struct scorer {
	struct aw_probmodel *m;
	size_t ncol, *colmap;	/* model column j <- aggregated column colmap[j] */
	size_t batch, n;
	unsigned long long rows;
	float *x, *margin, *contrib, *xexp;
	size_t *expl;		/* rows of the batch to explain */
	const char **dma;
	int64_t *ts;
	double explain_above;
};

static void write_prob(struct scorer *s, size_t i, double p, const float *contrib)
{
	aw_w_begin(aw_out, "probability");
	aw_w_ts(aw_out, "ts", s->ts[i]);
	aw_w_str(aw_out, "dma", s->dma[i]);
	aw_w_num(aw_out, "p_leak", p, 4);
	aw_w_str(aw_out, "confidence", p >= conf_high ? "high" : p >= conf_medium ? "medium" : "low");
	if (contrib) {
		/* contributions in calibrated log-odds: logit(p) = -(A·margin + B) */
		size_t top[TOP_EXPLAIN], k = 0;
		for (size_t j = 0; j < s->ncol; j++) {
			double c = fabs(contrib[j]);
			if (c == 0)
				continue;
			size_t at = k < TOP_EXPLAIN ? k++ : TOP_EXPLAIN;
			while (at > 0 && fabs(contrib[top[at - 1]]) < c) {
				if (at < TOP_EXPLAIN)
					top[at] = top[at - 1];
				at--;
			}
			if (at < TOP_EXPLAIN)
				top[at] = j;
		}
		aw_w_arr_begin(aw_out, "explain");
		for (size_t t = 0; t < k; t++) {
			aw_w_obj_begin(aw_out, NULL);
			aw_w_str(aw_out, "feature", s->m->features[top[t]]);
			aw_w_num(aw_out, "contribution", -s->m->platt.a * contrib[top[t]], 4);
			aw_w_obj_end(aw_out);
		}
		aw_w_arr_end(aw_out);
	}
	aw_w_str(aw_out, "model", s->m->id);
	aw_w_end(aw_out);
}

static void score_batch(struct scorer *s)
{
	size_t ne = 0;

	if (s->n == 0)
		return;
	if (aw_gbm_margin(s->m->gbm, s->x, s->n, s->margin) != 0)
		aw_die(1, "scoring failed");
	for (size_t i = 0; i < s->n; i++)
		if (aw_platt_prob(&s->m->platt, s->margin[i]) >= s->explain_above) {
			memcpy(s->xexp + ne * s->ncol, s->x + i * s->ncol, s->ncol * sizeof *s->x);
			s->expl[ne++] = i;
		}
	if (ne && aw_gbm_contribs(s->m->gbm, s->xexp, ne, s->contrib) != 0)
		aw_die(1, "explaining failed");
	for (size_t i = 0, e = 0; i < s->n; i++) {
		const float *c = NULL;
		if (e < ne && s->expl[e] == i)
			c = s->contrib + e++ * (s->ncol + 1);
		write_prob(s, i, aw_platt_prob(&s->m->platt, s->margin[i]), c);
	}
	s->n = 0;
}

static void score_row(const char *dma, int64_t ts, const float *row, size_t ncol, int nsensors,
    void *ctx)
{
	struct scorer *s = ctx;
	float *x = s->x + s->n * s->ncol;

	for (size_t j = 0; j < s->ncol; j++)
		x[j] = s->colmap[j] < ncol ? row[s->colmap[j]] : NAN;
	s->dma[s->n] = dma;
	s->ts[s->n] = ts;
	s->rows++;
	if (++s->n == s->batch)
		score_batch(s);
	(void)nsensors;
}

/* the input and statistic of a column name "INPUT.STAT" */
static int split_column(const char *name, char *input, size_t n, int *stat)
{
	const char *dot = strrchr(name, '.');
	if (!dot || dot == name || (size_t)(dot - name) >= n)
		return -1;
	for (int k = 0; k < AW_NSTATS; k++)
		if (strcmp(dot + 1, aw_stat_names[k]) == 0) {
			memcpy(input, name, (size_t)(dot - name));
			input[dot - name] = 0;
			*stat = k;
			return 0;
		}
	return -1;
}

static int score(const char *model, double explain_above, size_t batch, int pass,
    char **files, int nfiles)
{
	struct scorer s = { .batch = batch, .explain_above = explain_above };
	struct aw_dmastep *agg;
	struct aw_record r = { 0 };
	char input[256];
	int stat;

	if (!(s.m = aw_probmodel_read(model)))
		return 1;
	agg = aw_dmastep_new(score_row, &s);
	s.ncol = s.m->nfeatures;
	s.colmap = aw_reallocarray(NULL, s.ncol, sizeof *s.colmap);
	for (size_t j = 0; j < s.ncol; j++) {
		if (split_column(s.m->features[j], input, sizeof input, &stat) != 0) {
			aw_die(1, "%s: feature '%s' is not INPUT.mean, .min or .max", model,
			    s.m->features[j]);
		}
		s.colmap[j] = aw_dmastep_input(agg, input) * AW_NSTATS + (size_t)stat;
	}
	aw_dmastep_fix(agg);
	s.x = aw_reallocarray(NULL, batch, s.ncol * sizeof *s.x);
	s.xexp = aw_reallocarray(NULL, batch, s.ncol * sizeof *s.xexp);
	s.contrib = aw_reallocarray(NULL, batch, (s.ncol + 1) * sizeof *s.contrib);
	s.margin = aw_reallocarray(NULL, batch, sizeof *s.margin);
	s.expl = aw_reallocarray(NULL, batch, sizeof *s.expl);
	s.dma = aw_reallocarray(NULL, batch, sizeof *s.dma);
	s.ts = aw_reallocarray(NULL, batch, sizeof *s.ts);

	struct aw_reader *in = aw_reader_open(files, nfiles);
	unsigned long long nrec = 0;
	while (aw_read(in, &r)) {
		if (pass)
			aw_w_line(aw_out, r.line, r.len);
		aw_dmastep_add(agg, &r, aw_reader_name(in), aw_reader_lineno(in));
		aw_progress(++nrec, "records");
	}
	aw_dmastep_flush(agg);
	score_batch(&s);
	for (size_t i = 0; i < aw_dmastep_ninputs(agg); i++)
		if (s.rows && !aw_dmastep_input_seen(agg, i) && !aw_opt_quiet)
			aw_warn("model input %s not in the data (treated as missing)",
			    aw_dmastep_input_name(agg, i));
	aw_reader_close(in);
	aw_record_free(&r);
	aw_dmastep_free(agg);
	aw_probmodel_free(s.m);
	free(s.colmap), free(s.x), free(s.xexp), free(s.contrib), free(s.margin);
	free(s.expl), free(s.dma), free(s.ts);
	return aw_finish();
}

/* ---- training ---- */

struct example {
	int64_t ts;
	size_t dma, off, ncol;
};

struct trainer {
	struct example *ex;
	size_t n, cap;
	struct aw_buf vals;	/* floats, ncol per example */
	struct aw_map dma_index;
	char **dmas;
	size_t ndmas;
};

static void keep_row(const char *dma, int64_t ts, const float *row, size_t ncol, int nsensors,
    void *ctx)
{
	struct trainer *t = ctx;
	size_t d;

	if (!aw_map_get(&t->dma_index, dma, &d)) {
		d = t->ndmas++;
		t->dmas = aw_reallocarray(t->dmas, t->ndmas, sizeof *t->dmas);
		t->dmas[d] = aw_strdup(dma);
		aw_map_put(&t->dma_index, dma, d);
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->ex = aw_reallocarray(t->ex, t->cap, sizeof *t->ex);
	}
	t->ex[t->n++] = (struct example){ ts, d, t->vals.len / sizeof(float), ncol };
	aw_buf_put(&t->vals, row, ncol * sizeof *row);
	(void)nsensors;
}

static const struct aw_dmastep *sort_agg;

static int cmp_input(const void *a, const void *b)
{
	return strcmp(aw_dmastep_input_name(sort_agg, *(const size_t *)a),
	    aw_dmastep_input_name(sort_agg, *(const size_t *)b));
}

struct train_opts {
	const char *out;
	char **leaks, **labels, *features;
	int nleaks, nlabels;
	uint64_t seed;
	int rounds;
	long cv_block;
};

static int train(const struct train_opts *o, char **files, int nfiles)
{
	struct aw_truth truth = { 0 };
	struct trainer t = { 0 };
	struct aw_dmastep *agg = aw_dmastep_new(keep_row, &t);
	struct aw_record r = { 0 };
	struct aw_probmodel m = { 0 };
	char from[24], to[24];

	/* truth.dma_of places leaks in DMAs once a network is loaded; without one, a leak
	 * whose DMA is not given counts for every DMA */
	for (int i = 0; i < o->nleaks; i++)
		if (aw_truth_read_leaks(&truth, o->leaks[i]) != 0)
			aw_die(1, "%s: no usable leak list; no model written", o->leaks[i]);
	if (o->nlabels)
		aw_truth_read_labels(&truth, o->labels, o->nlabels);
	if (o->features) {
		char *list = aw_strdup(o->features), *save = NULL;
		for (char *f = strtok_r(list, ",", &save); f; f = strtok_r(NULL, ",", &save))
			aw_dmastep_input(agg, aw_trim(f));
		free(list);
		aw_dmastep_fix(agg);
	}

	struct aw_reader *in = aw_reader_open(files, nfiles);
	unsigned long long nrec = 0;
	while (aw_read(in, &r)) {
		aw_dmastep_add(agg, &r, aw_reader_name(in), aw_reader_lineno(in));
		aw_progress(++nrec, "records");
	}
	aw_dmastep_flush(agg);
	aw_progress_done();
	aw_reader_close(in);
	aw_record_free(&r);
	if (t.n == 0)
		aw_die(1, "no features records: nothing to learn from");

	/* columns: the inputs seen, by name, each with mean, min and max */
	size_t nin = 0, *order = aw_reallocarray(NULL, aw_dmastep_ninputs(agg), sizeof *order);
	for (size_t i = 0; i < aw_dmastep_ninputs(agg); i++)
		if (aw_dmastep_input_seen(agg, i) &&
		    aw_probmodel_name_ok(aw_dmastep_input_name(agg, i)))
			order[nin++] = i;
	sort_agg = agg;
	qsort(order, nin, sizeof *order, cmp_input);
	if (nin == 0)
		aw_die(1, "no numeric features in the input");
	size_t ncol = nin * AW_NSTATS, n = t.n;
	m.nfeatures = ncol;
	m.features = aw_reallocarray(NULL, ncol, sizeof *m.features);
	for (size_t i = 0; i < nin; i++)
		for (int k = 0; k < AW_NSTATS; k++) {
			struct aw_buf b = { 0 };
			aw_buf_printf(&b, "%s.%s", aw_dmastep_input_name(agg, order[i]), aw_stat_names[k]);
			m.features[i * AW_NSTATS + (size_t)k] = b.s;
		}

	float *x = aw_reallocarray(NULL, n, ncol * sizeof *x);
	float *y = aw_reallocarray(NULL, n, sizeof *y), *w = aw_reallocarray(NULL, n, sizeof *w);
	uint64_t *group = aw_reallocarray(NULL, n, sizeof *group);
	const float *vals = (const float *)t.vals.s;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	double wpos = 0, wneg = 0;
	long long npos = 0;
	for (size_t i = 0; i < n; i++) {
		const struct example *e = &t.ex[i];
		for (size_t c = 0; c < nin; c++)
			for (int k = 0; k < AW_NSTATS; k++) {
				size_t src = order[c] * AW_NSTATS + (size_t)k;
				x[i * ncol + c * AW_NSTATS + (size_t)k] = src < e->ncol ?
				    vals[e->off + src] : NAN;
			}
		y[i] = 0;
		w[i] = 1;
		aw_truth_at(&truth, t.dmas[e->dma], e->ts, &y[i], &w[i]);
		if (y[i] > 0)
			npos++, wpos += w[i];
		else
			wneg += w[i];
		group[i] = (uint64_t)(e->ts >= 0 ? e->ts / o->cv_block :
		    -((-e->ts + o->cv_block - 1) / o->cv_block));
		tmin = e->ts < tmin ? e->ts : tmin;
		tmax = e->ts > tmax ? e->ts : tmax;
	}
	if (npos == 0 || wneg <= 0)
		aw_die(1, "%zu examples, %s: nothing to learn", n,
		    npos ? "all labelled leak" : "none labelled leak");

	int *fold = aw_reallocarray(NULL, n, sizeof *fold);
	aw_gbm_folds(group, n, CV_FOLDS, o->seed, fold);
	int used[CV_FOLDS] = { 0 };
	for (size_t i = 0; i < n; i++)
		used[fold[i]] = 1;
	for (int f = 0; f < CV_FOLDS; f++)
		if (!used[f])
			aw_die(1, "fewer than %d time blocks for cross-validation; use a shorter "
			    "--cv-block", CV_FOLDS);

	aw_gbm_params_default(&m.params);
	m.params.rounds = o->rounds;
	m.params.seed = o->seed;
	m.params.scale_pos_weight = wneg / wpos;
	m.cv_folds = CV_FOLDS;
	m.rows = (long long)n;
	m.positives = npos;
	m.positive_weight = wpos;
	m.negative_weight = wneg;
	aw_fmt_time(from, tmin);
	aw_fmt_time(to, tmax);
	m.trained_from = from;
	m.trained_to = to;

	float *oof = aw_reallocarray(NULL, n, sizeof *oof);
	if (aw_gbm_cv_margin(x, n, ncol, y, w, fold, CV_FOLDS, &m.params, oof) != 0)
		aw_die(1, "cross-validation failed; no model written");
	if (aw_platt_fit(oof, y, w, n, &m.platt) > 0)
		aw_warn("calibration stopped after %d iterations before converging",
		    m.platt.iterations);
	if (m.platt.a >= 0)
		aw_warn("calibration slope %.4f is not negative: out of fold, the model does not "
		    "rank leaks above the rest", m.platt.a);
	if (!(m.gbm = aw_gbm_train(x, n, ncol, y, w, &m.params)))
		aw_die(1, "training failed; no model written");
	if (aw_probmodel_write(&m, o->out) != 0)
		aw_die(1, "no model written");

	if (!aw_opt_quiet) {
		double brier = 0, wsum = 0;
		for (size_t i = 0; i < n; i++) {
			double p = aw_platt_prob(&m.platt, oof[i]);
			brier += w[i] * (p - y[i]) * (p - y[i]);
			wsum += w[i];
		}
		aw_warn("%zu examples from %zu DMA%s (%lld leak, weight %.1f of %.1f), %zu features",
		    n, t.ndmas, t.ndmas == 1 ? "" : "s", npos, wpos, wpos + wneg, ncol);
		aw_warn("out-of-fold AUC %.3f, Brier %.4f; Platt A %.4f, B %.4f", aw_auc(oof, y, n),
		    brier / wsum, m.platt.a, m.platt.b);
		aw_warn("wrote %s (%s)", o->out, m.id);
	}

	m.trained_from = m.trained_to = NULL;
	aw_probmodel_clear(&m);
	for (size_t i = 0; i < t.ndmas; i++)
		free(t.dmas[i]);
	free(t.dmas), free(t.ex), free(order), free(x), free(y), free(w), free(group);
	free(fold), free(oof);
	aw_buf_free(&t.vals);
	aw_map_free(&t.dma_index);
	aw_dmastep_free(agg);
	aw_truth_free(&truth);
	return aw_finish();
}

int main(int argc, char **argv)
{
	struct train_opts to = { .seed = 1, .rounds = 100, .cv_block = 86400 };
	const char *model = NULL, *arg, *train_only = NULL, *score_only = NULL;
	double explain_above = NAN;
	long batch = 1024;
	int optind = 1, pass = 1, training = 0, id;

	aw_cli_init(argc, argv, &cli);
	for (;;) {
		while ((id = aw_getopt(argc, argv, &optind, &arg)) != -1) {
			switch (id) {
			case 'm': model = arg; score_only = "-m"; break;
			case 'P': pass = 0; score_only = "-P"; break;
			case OPT_EXPLAIN:
				explain_above = aw_arg_double("--explain-above", arg);
				score_only = "--explain-above";
				break;
			case OPT_BATCH:
				batch = aw_arg_long("--batch", arg, 1, 1L << 20);
				score_only = "--batch";
				break;
			case 'o': to.out = arg; train_only = "-o"; break;
			case OPT_LEAKS:
				to.leaks = aw_reallocarray(to.leaks, (size_t)to.nleaks + 1, sizeof *to.leaks);
				to.leaks[to.nleaks++] = (char *)arg;
				train_only = "--leaks";
				break;
			case OPT_LABELS:
				to.labels = aw_reallocarray(to.labels, (size_t)to.nlabels + 1,
				    sizeof *to.labels);
				to.labels[to.nlabels++] = (char *)arg;
				train_only = "--labels";
				break;
			case OPT_FEATURES: to.features = (char *)arg; train_only = "--features"; break;
			case OPT_SEED:
				to.seed = (uint64_t)aw_arg_long("--seed", arg, 0, 2147483647);
				train_only = "--seed";
				break;
			case OPT_ROUNDS:
				to.rounds = (int)aw_arg_long("--rounds", arg, 1, 100000);
				train_only = "--rounds";
				break;
			case OPT_CV_BLOCK:
				to.cv_block = aw_arg_duration("--cv-block", arg);
				train_only = "--cv-block";
				break;
			}
		}
		if (!training && optind < argc && strcmp(argv[optind], "train") == 0) {
			training = 1;
			optind++;
			continue;
		}
		break;
	}

	struct aw_config *cfg = aw_config_load(aw_opt_config);
	if (training) {
		if (score_only)
			aw_usage_error("%s is for scoring, not for train", score_only);
		if (!to.out)
			aw_usage_error("train needs -o MODEL");
		if (!to.nleaks && !to.nlabels)
			aw_usage_error("train needs --leaks or --labels");
		int rc = train(&to, argv + optind, argc - optind);
		free(to.leaks);
		free(to.labels);
		aw_config_free(cfg);
		return rc;
	}
	if (train_only)
		aw_usage_error("%s is for train", train_only);
	if (!model)
		aw_usage_error("no model: use -m MODEL (or aw-prob train)");
	if (isnan(explain_above))
		explain_above = aw_config_num(cfg, "thresholds.explain_above", 0.5);
	int rc = score(model, explain_above, (size_t)batch, pass, argv + optind, argc - optind);
	aw_config_free(cfg);
	return rc;
}
