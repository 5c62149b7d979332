#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aw_probmodel.h"
#include "tap.h"

enum { NROW = 400, NCOL = 3 };

static char dir[] = "/tmp/t-probmodel.XXXXXX";

static char *path(const char *name)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void put_file(const char *name, const char *s, size_t n)
{
	FILE *f = fopen(path(name), "wb");
	fwrite(s, 1, n, f);
	fclose(f);
}

static size_t get_file(const char *name, char **s)
{
	FILE *f = fopen(path(name), "rb");
	static char buf[1 << 20];
	size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	*s = buf;
	return n;
}

static char *find(char *s, size_t n, const char *pat)
{
	size_t k = strlen(pat);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(s + i, pat, k) == 0)
			return s + i;
	return NULL;
}

/* the good file without the line starting with `key` */
static struct aw_probmodel *read_without(const char *key)
{
	char *s, *out = malloc(1 << 20);
	size_t n = get_file("good", &s);
	char *hit = find(s, n, key), *end = strchr(hit, '\n') + 1;
	size_t pre = (size_t)(hit - s), cut = (size_t)(end - hit);
	memcpy(out, s, pre);
	memcpy(out + pre, end, n - pre - cut);
	put_file("edited", out, n - cut);
	free(out);
	return aw_probmodel_read(path("edited"));
}

/* the good file with its first line matching `from` replaced by `to` */
static struct aw_probmodel *read_edited(const char *from, const char *to)
{
	char *s, *out = malloc(1 << 20);
	size_t n = get_file("good", &s);
	char *hit = find(s, n, from);
	size_t pre = hit ? (size_t)(hit - s) : 0;
	memcpy(out, s, pre);
	memcpy(out + pre, to, strlen(to));
	memcpy(out + pre + strlen(to), s + pre + strlen(from), n - pre - strlen(from));
	put_file("edited", out, n - strlen(from) + strlen(to));
	free(out);
	return aw_probmodel_read(path("edited"));
}

int main(void)
{
	static float x[NROW * NCOL], y[NROW], m1[NROW], m2[NROW];
	static char *names[NCOL] = { "pressure_mean.mean", "pressure_drop_rate.min", "score.max" };
	struct aw_probmodel m = { 0 };
	struct aw_gbm_params p;

	if (!mkdtemp(dir))
		return 1;
	for (int i = 0; i < NROW; i++) {
		for (int j = 0; j < NCOL; j++)
			x[i * NCOL + j] = (float)((i * 7919 + j * 104729) % 1000) / 1000;
		y[i] = x[i * NCOL] + x[i * NCOL + 1] > 1.2f;
	}
	aw_gbm_params_default(&p);
	p.rounds = 20;
	p.seed = 3;
	p.scale_pos_weight = 2.5;
	m.params = p;
	m.features = names;
	m.nfeatures = NCOL;
	m.platt.a = -0.87654321098765432;
	m.platt.b = 1.0 / 3;
	m.cv_folds = 5;
	m.rows = NROW;
	m.positives = 123;
	m.positive_weight = 110.7;
	m.negative_weight = 277;
	m.trained_from = "2019-01-01T00:00:00Z";
	m.trained_to = "2019-03-01T23:45:00Z";
	m.gbm = aw_gbm_train(x, NROW, NCOL, y, NULL, &p);
	ok(m.gbm != NULL, "trains a small model");
	ok(aw_probmodel_write(&m, path("good")) == 0, "writes the model file");
	ok(strncmp(m.id, "prob-", 5) == 0 && strlen(m.id) == 17, "id from the contents: %s", m.id);

	char first_id[32];
	strcpy(first_id, m.id);
	m.id[0] = 0;
	aw_probmodel_write(&m, path("again"));
	is_str(m.id, first_id, "same contents, same id");

	struct aw_probmodel *r = aw_probmodel_read(path("good"));
	ok(r != NULL, "reads it back");
	if (!r)
		return tap_done();
	is_str(r->id, first_id, "id");
	ok(r->nfeatures == NCOL && strcmp(r->features[0], names[0]) == 0 &&
	    strcmp(r->features[2], names[2]) == 0, "feature list, in order");
	ok(r->platt.a == m.platt.a && r->platt.b == m.platt.b, "Platt A, B exactly");
	ok(r->rows == NROW && r->positives == 123 && r->positive_weight == 110.7 &&
	    r->negative_weight == 277, "training counts and weights");
	ok(r->params.rounds == 20 && r->params.max_depth == 5 && r->params.eta == 0.1 &&
	    r->params.seed == 3 && r->params.scale_pos_weight == 2.5 && r->cv_folds == 5,
	    "training parameters");
	is_str(r->trained_from, m.trained_from, "training span start");
	is_str(r->trained_to, m.trained_to, "training span end");
	ok(aw_gbm_margin(m.gbm, x, NROW, m1) == 0 && aw_gbm_margin(r->gbm, x, NROW, m2) == 0 &&
	    memcmp(m1, m2, sizeof m1) == 0, "identical margins after the round trip");

	r->id[0] = 0;
	ok(aw_probmodel_write(r, path("copy")) == 0, "a read model can be written again");
	is_str(r->id, first_id, "and keeps its id");
	aw_probmodel_free(r);

	char *s;
	size_t n = get_file("good", &s);
	ok(n > 100 && memcmp(s, "aquawatch-prob-model 1\nid prob-", 31) == 0,
	    "file starts with the magic line and the id");

	fprintf(stderr, "# the following errors are expected\n");
	put_file("trunc", s, n - 10);
	ok(aw_probmodel_read(path("trunc")) == NULL, "truncated model refused");
	put_file("head", s, 40);
	ok(aw_probmodel_read(path("head")) == NULL, "truncated header refused");
	put_file("empty", "", 0);
	ok(aw_probmodel_read(path("empty")) == NULL, "empty file refused");
	ok(aw_probmodel_read(path("missing")) == NULL, "missing file refused");
	ok(read_edited("aquawatch-prob-model 1", "aquawatch-prob-model 2") == NULL,
	    "other version refused");
	ok(read_edited("aquawatch-prob-model", "aquawatch-iforest-xx") == NULL, "other magic refused");
	ok(read_edited("rows ", "Rows ") == NULL, "unknown key refused");
	ok(read_edited("eta 0.1", "eta 0.x") == NULL, "bad number refused");
	ok(read_edited("feature score.max\n", "") == NULL, "feature list shorter than the model");
	ok(read_without("platt_b ") == NULL, "missing calibration refused");
	ok(read_without("id ") == NULL, "missing id refused");
	ok(aw_probmodel_write(&m, "/nonexistent/dir/model") == -1, "unwritable path reported");

	char *bad[] = { "a b" };
	struct aw_probmodel mb = m;
	mb.features = bad;
	mb.nfeatures = 1;
	ok(aw_probmodel_write(&mb, path("bad")) == -1, "feature name with a blank refused");

	aw_gbm_free(m.gbm);
	const char *files[] = { "good", "again", "copy", "trunc", "head", "empty", "edited" };
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(path(files[i]));
	rmdir(dir);
	return tap_done();
}
