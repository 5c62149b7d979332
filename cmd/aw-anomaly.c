/* aw-anomaly: Isolation Forest per DMA on `features` records. `train` fits and writes a
 * model file; scoring passes every record through and adds an `anomaly` record after
 * each `features` record. The forest itself is lib/aw_iforest.c. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_iforest.h"

#define MODEL_NAME "anomaly.iforest"	/* under model_dir when -m / -o are not given */
/* On the methodology's 0-1 scale U = max(0, 2 score - 1), i.e. -2 x scikit-learn's
 * decision_function with contamination="auto": anomalous when score > (1 + U) / 2. */
#define DEFAULT_THRESHOLD 0.3
#define TOP 3

enum { O_FEATURES = AW_LONG, O_SEED, O_TREES, O_SAMPLES, O_CONTAMINATION };

static const struct aw_opt opts[] = {
	{ 'm', "model", "FILE", "model to score with (default MODEL_DIR/" MODEL_NAME ")" },
	{ 't', "threshold", "U", "anomalous when 2 score - 1 > U (default 0.3), or 'contamination': score above the model threshold" },
	{ 'o', "output", "FILE", "train: model file to write (default MODEL_DIR/" MODEL_NAME ")" },
	{ O_FEATURES, "features", "LIST", "train: comma-separated feature columns (default: every numeric field)" },
	{ O_SEED, "seed", "N", "train: random seed (default 0)" },
	{ O_TREES, "trees", "N", "train: trees per forest (default 100)" },
	{ O_SAMPLES, "max-samples", "N", "train: rows drawn per tree (default 256)" },
	{ O_CONTAMINATION, "contamination", "C", "train: share of training rows above the model threshold (default 0.05)" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cmd cmds[] = {
	{ "train", "fit one forest per DMA on features records and write the model" },
	{ "score", "add an anomaly record after each features record (the default)" },
	{ NULL, NULL },
};

static const struct aw_cli cli = {
	"train [-o MODEL] [--features LIST] [--seed N] [FILE...]\n"
	"[score] [-m MODEL] [-t U] [FILE...]",
	"Isolation Forest per DMA: train on features records, or score them.",
	opts, cmds,
};

static int is_key_field(const struct aw_field *f)
{
	static const char *const keys[] = { "type", "ts", "sensor", "dma", "kind" };
	for (size_t i = 0; i < AW_NELEM(keys); i++)
		if (f->klen == strlen(keys[i]) && memcmp(f->key, keys[i], f->klen) == 0)
			return 1;
	return 0;
}

/* NaN for null (missing); 1/0 for booleans; -1 returned for other types */
static int field_value(const struct aw_field *f, double *v)
{
	switch (f->type) {
	case AW_JNUM:
		*v = aw_strtonum(f->val, f->vlen);
		return 0;
	case AW_JNULL:
		*v = NAN;
		return 0;
	case AW_JTRUE:
	case AW_JFALSE:
		*v = f->type == AW_JTRUE;
		return 0;
	}
	*v = NAN;
	return -1;
}

/* ---- training ---- */

struct dma_rows {
	char *name;
	struct aw_map index;	/* feature name -> column */
	char **names;
	size_t d;
	double *v;		/* rows one after another, each as wide as d was then */
	size_t nv, cap;
	size_t *end;		/* end of row i in v */
	size_t n, rcap;
};

struct trainer {
	struct aw_map dma_index;
	struct dma_rows *dmas;
	size_t ndmas;
	char **fixed;		/* --features */
	size_t nfixed;
	struct aw_map bad;	/* features already reported as not numeric */
	int odd_key;		/* an unusable field name was reported */
};

static struct dma_rows *dma_of(struct trainer *t, const char *name)
{
	size_t i;
	if (aw_map_get(&t->dma_index, name, &i))
		return &t->dmas[i];
	t->dmas = aw_reallocarray(t->dmas, t->ndmas + 1, sizeof *t->dmas);
	struct dma_rows *g = &t->dmas[t->ndmas];
	memset(g, 0, sizeof *g);
	g->name = aw_strdup(name);
	for (size_t j = 0; j < t->nfixed; j++) {
		aw_map_put(&g->index, t->fixed[j], j);
		g->names = aw_reallocarray(g->names, j + 1, sizeof *g->names);
		g->names[j] = aw_strdup(t->fixed[j]);
	}
	g->d = t->nfixed;
	aw_map_put(&t->dma_index, name, t->ndmas);
	return &t->dmas[t->ndmas++];
}

static void add_value(struct dma_rows *g, size_t row_start, size_t j, double v)
{
	while (g->nv < row_start + j + 1) {
		if (g->nv == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 4096;
			g->v = aw_reallocarray(g->v, g->cap, sizeof *g->v);
		}
		g->v[g->nv++] = NAN;
	}
	g->v[row_start + j] = v;
}

static void train_record(struct trainer *t, struct aw_record *r, const char *file, long line)
{
	const char *dma = aw_get_str(r, "dma");
	struct dma_rows *g = dma_of(t, dma ? dma : "");
	size_t start = g->nv;

	for (size_t i = 0; i < r->n; i++) {
		const struct aw_field *f = &r->f[i];
		double v;
		size_t j;
		if (is_key_field(f))
			continue;
		char kb[256];
		if (f->kesc || f->klen >= sizeof kb) {
			if (!t->odd_key)
				aw_error_at(file, line, "field names with escapes or over 255 bytes are not used as features");
			t->odd_key = 1;
			continue;
		}
		memcpy(kb, f->key, f->klen);
		kb[f->klen] = 0;
		int known = aw_map_get(&g->index, kb, &j);
		int numeric = field_value(f, &v) == 0;
		if (!known && (t->nfixed || !numeric))
			continue;
		if (!numeric && !aw_map_get(&t->bad, kb, NULL)) {
			aw_error_at(file, line, "feature '%s' is not a number, null or boolean; read as missing", kb);
			aw_map_put(&t->bad, kb, 1);
		}
		if (!known) {
			if (strpbrk(kb, "\n\r") || g->d >= AW_IFOREST_MAX_FEATURES)
				continue;
			j = g->d++;
			aw_map_put(&g->index, kb, j);
			g->names = aw_reallocarray(g->names, g->d, sizeof *g->names);
			g->names[j] = aw_strdup(kb);
		}
		add_value(g, start, j, v);
	}
	if (g->n == g->rcap) {
		g->rcap = g->rcap ? 2 * g->rcap : 1024;
		g->end = aw_reallocarray(g->end, g->rcap, sizeof *g->end);
	}
	g->end[g->n++] = g->nv;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct aw_iforest *const *)a)->dma, (*(struct aw_iforest *const *)b)->dma);
}

static struct aw_iforest *train_dma(struct dma_rows *g, const struct aw_iforest_params *p)
{
	size_t d = g->d;
	double *x = aw_reallocarray(NULL, g->n, d * sizeof *x);
	for (size_t i = 0, at = 0; i < g->n; i++) {
		size_t k = 0;
		for (; at < g->end[i]; at++, k++)
			x[i * d + k] = g->v[at];
		for (; k < d; k++)
			x[i * d + k] = NAN;
	}
	struct aw_iforest *f = aw_iforest_fit(x, g->n, d, (const char *const *)g->names, g->name, p);
	free(x);
	return f;
}

static int train(int argc, char **argv, int i, const char *out, const char *features,
    const struct aw_iforest_params *p)
{
	struct trainer t = { 0 };
	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	struct aw_record r = { 0 };
	unsigned long long nrec = 0;

	if (features) {
		char *list = aw_strdup(features), *save;
		for (char *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
			s = aw_trim(s);
			if (!*s)
				continue;
			t.fixed = aw_reallocarray(t.fixed, t.nfixed + 1, sizeof *t.fixed);
			t.fixed[t.nfixed++] = aw_strdup(s);
		}
		free(list);
		if (!t.nfixed)
			aw_usage_error("--features: no feature names in '%s'", features);
	}
	while (aw_read(in, &r) > 0) {
		if (!aw_is(&r, "type", "features"))
			continue;
		train_record(&t, &r, aw_reader_name(in), aw_reader_lineno(in));
		aw_progress(++nrec, "records");
	}
	aw_progress_done();
	aw_record_free(&r);
	aw_reader_close(in);

	struct aw_iforest **forests = aw_calloc(t.ndmas ? t.ndmas : 1, sizeof *forests);
	size_t nf = 0;
	for (size_t k = 0; k < t.ndmas; k++) {
		struct dma_rows *g = &t.dmas[k];
		struct aw_iforest *f = g->d ? train_dma(g, p) : NULL;
		if (!f) {
			aw_warn("dma '%s': cannot fit a forest on %zu rows of %zu features", g->name,
			    g->n, g->d);
			aw_rval = 1;
			continue;
		}
		forests[nf++] = f;
	}
	qsort(forests, nf, sizeof *forests, by_name);
	if (t.ndmas == 0) {
		aw_warn("no features records to train on");
		aw_rval = 1;
	} else if (nf == t.ndmas) {
		aw_iforest_save(out, forests, nf);
	}
	for (size_t k = 0; k < nf && !aw_opt_quiet; k++) {
		struct aw_iforest *f = forests[k];
		fprintf(stderr, "%s: dma '%s': %zu rows, %zu features, scores %.4f-%.4f, "
		    "threshold %.4f (U %.2f), model %s\n", aw_prog, f->dma, f->train_rows, f->d,
		    f->score_min, f->score_max, f->threshold, fmax(0, 2 * f->threshold - 1), f->id);
	}
	for (size_t k = 0; k < nf; k++)
		aw_iforest_free(forests[k]);
	free(forests);
	for (size_t k = 0; k < t.ndmas; k++) {
		struct dma_rows *g = &t.dmas[k];
		free(g->name);
		for (size_t j = 0; j < g->d; j++)
			free(g->names[j]);
		free(g->names);
		aw_map_free(&g->index);
		free(g->v);
		free(g->end);
	}
	free(t.dmas);
	for (size_t j = 0; j < t.nfixed; j++)
		free(t.fixed[j]);
	free(t.fixed);
	aw_map_free(&t.dma_index);
	aw_map_free(&t.bad);
	return aw_finish();
}

/* ---- scoring ---- */

struct scorer {
	struct aw_iforest *f;
	double cut;		/* anomalous when score > cut */
	size_t *pos;		/* where each feature was found in the last record */
	double *x, *credit;
	int reported;		/* a non-numeric feature was reported (once per forest) */
};

static double lookup(struct scorer *s, const struct aw_record *r, size_t j, long *bad)
{
	const char *name = s->f->features[j];
	size_t len = strlen(name), p = s->pos[j];
	const struct aw_field *f = NULL;
	double v;

	if (p < r->n && r->f[p].klen == len && !r->f[p].kesc && memcmp(r->f[p].key, name, len) == 0)
		f = &r->f[p];
	else if ((f = aw_get(r, name)))
		s->pos[j] = (size_t)(f - r->f);
	if (!f)
		return NAN;
	if (field_value(f, &v) != 0 && *bad < 0)
		*bad = (long)j;
	return v;
}

static void copy_or_null(struct aw_writer *w, const struct aw_record *r, const char *key)
{
	const struct aw_field *f = aw_get(r, key);
	if (f)
		aw_w_field(w, f);
	else
		aw_w_null(w, key);
}

static void score_record(struct scorer *s, struct aw_record *r, const char *file, long line)
{
	struct aw_iforest *f = s->f;
	double score;
	size_t top[TOP];
	long bad = -1;

	for (size_t j = 0; j < f->d; j++)
		s->x[j] = lookup(s, r, j, &bad);
	if (bad >= 0 && !s->reported) {
		aw_error_at(file, line, "feature '%s' is not a number, null or boolean; read as missing",
		    f->features[bad]);
		s->reported = 1;
	}
	aw_iforest_explain(f, s->x, 1, &score, s->credit);
	int k = aw_iforest_top(s->credit, f->d, TOP, top);

	aw_w_begin(aw_out, "anomaly");
	copy_or_null(aw_out, r, "ts");
	copy_or_null(aw_out, r, "sensor");
	copy_or_null(aw_out, r, "dma");
	aw_w_num(aw_out, "score", score, 6);
	aw_w_bool(aw_out, "anomalous", score > s->cut);
	aw_w_arr_begin(aw_out, "top");
	for (int i = 0; i < k; i++)
		aw_w_str(aw_out, NULL, f->features[top[i]]);
	aw_w_arr_end(aw_out);
	aw_w_str(aw_out, "model", f->id);
	aw_w_end(aw_out);
}

/* u < 0: the model's contamination threshold */
static int score(int argc, char **argv, int i, const char *model, double u)
{
	size_t nf;
	struct aw_iforest **forests = aw_iforest_load(model, &nf);
	if (!forests)
		return aw_finish() ? 1 : 1;

	struct aw_map by_dma = { 0 }, unknown = { 0 };
	struct scorer *sc = aw_calloc(nf, sizeof *sc);
	for (size_t k = 0; k < nf; k++) {
		struct aw_iforest *f = forests[k];
		sc[k].f = f;
		sc[k].cut = u < 0 ? f->threshold : (1 + u) / 2;
		sc[k].pos = aw_calloc(f->d, sizeof *sc[k].pos);
		sc[k].x = aw_calloc(f->d, sizeof *sc[k].x);
		sc[k].credit = aw_calloc(f->d, sizeof *sc[k].credit);
		aw_map_put(&by_dma, f->dma, k);
	}

	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	struct aw_record r = { 0 };
	unsigned long long nrec = 0;
	while (aw_read(in, &r) > 0) {
		aw_w_line(aw_out, r.line, r.len);
		aw_progress(++nrec, "records");
		if (!aw_is(&r, "type", "features"))
			continue;
		const struct aw_field *df = aw_get(&r, "dma");
		const char *dma = df && df->type == AW_JSTR ? aw_field_str(&r, df) : "";
		size_t k;
		if (!aw_map_get(&by_dma, dma, &k)) {
			if (!aw_map_get(&unknown, dma, NULL)) {
				aw_error_at(aw_reader_name(in), aw_reader_lineno(in),
				    "no forest for dma '%s' in %s", dma, model);
				aw_map_put(&unknown, dma, 1);
			}
			continue;
		}
		score_record(&sc[k], &r, aw_reader_name(in), aw_reader_lineno(in));
	}
	aw_record_free(&r);
	aw_reader_close(in);
	for (size_t k = 0; k < nf; k++) {
		free(sc[k].pos);
		free(sc[k].x);
		free(sc[k].credit);
		aw_iforest_free(forests[k]);
	}
	free(sc);
	free(forests);
	aw_map_free(&by_dma);
	aw_map_free(&unknown);
	return aw_finish();
}

static char *default_model(const struct aw_config *cfg, const char *opt)
{
	if (!cfg->model_dir)
		aw_usage_error("%s MODEL is needed (or model_dir in the configuration)", opt);
	char *dir = aw_config_file(cfg, cfg->model_dir);
	struct aw_buf b = { 0 };
	aw_buf_printf(&b, "%s/%s", dir, MODEL_NAME);
	free(dir);
	return b.s;
}

int main(int argc, char **argv)
{
	struct aw_iforest_params p;
	const char *arg, *model = NULL, *out = NULL, *features = NULL, *threshold = NULL;
	int i = 1, c, train_only = 0;

	aw_iforest_defaults(&p);
	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 'm':
			model = arg;
			break;
		case 't':
			threshold = arg;
			break;
		case 'o':
			out = arg;
			train_only = 1;
			break;
		case O_FEATURES:
			features = arg;
			train_only = 1;
			break;
		case O_SEED: {
			char *end;
			errno = 0;
			p.seed = strtoull(arg, &end, 10);
			if (*arg < '0' || *arg > '9' || *end || errno)
				aw_usage_error("--seed: expected an unsigned integer: %s", arg);
			train_only = 1;
			break;
		}
		case O_TREES:
			p.n_trees = aw_arg_long("--trees", arg, 1, AW_IFOREST_MAX_TREES);
			train_only = 1;
			break;
		case O_SAMPLES:
			p.max_samples = aw_arg_long("--max-samples", arg, 2, AW_IFOREST_MAX_SAMPLES);
			train_only = 1;
			break;
		case O_CONTAMINATION:
			p.contamination = aw_arg_double("--contamination", arg);
			if (p.contamination < 0 || p.contamination > 0.5)
				aw_usage_error("--contamination: expected a number from 0 to 0.5: %s", arg);
			train_only = 1;
			break;
		}
	}
	int training = i < argc && strcmp(argv[i], "train") == 0;
	if (training || (i < argc && strcmp(argv[i], "score") == 0))
		i++;
	if (training && (model || threshold))
		aw_usage_error("train takes -o MODEL, not -m or --threshold");
	if (!training && train_only)
		aw_usage_error("-o, --features, --seed, --trees, --max-samples and --contamination are for train");
	double cmd_u = -1;
	if (threshold && strcmp(threshold, "contamination") != 0) {
		cmd_u = aw_arg_double("--threshold", threshold);
		if (!(cmd_u >= 0 && cmd_u <= 1))
			aw_usage_error("--threshold: expected a number from 0 to 1 or 'contamination': %s",
			    threshold);
	}

	struct aw_config *cfg = aw_config_load(NULL);
	char *path = NULL;
	if (training && !out)
		out = path = default_model(cfg, "-o");
	if (!training && !model)
		model = path = default_model(cfg, "-m");
	double u = aw_config_num(cfg, "thresholds.anomaly", DEFAULT_THRESHOLD);
	if (!threshold && !(u >= 0 && u <= 1))
		aw_die(1, "%s:%ld: thresholds.anomaly: expected a number from 0 to 1", cfg->path,
		    aw_config_get(cfg, "thresholds.anomaly")->line);
	if (threshold)
		u = cmd_u;
	int rc = training ? train(argc, argv, i, out, features, &p) :
	    score(argc, argv, i, model, u);
	free(path);
	aw_config_free(cfg);
	return rc;
}
