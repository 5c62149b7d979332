#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw_dmastep.h"
#include "aw_time.h"

const char *const aw_stat_names[AW_NSTATS] = { "mean", "min", "max" };

struct dma {
	char *name;
	int64_t ts;
	int open, nsensors;
	double *sum, *min, *max;
	uint32_t *cnt;
};

struct aw_dmastep {
	aw_dmastep_fn fn;
	void *ctx;
	struct aw_map index;	/* input name -> position */
	char **names;
	unsigned char *seen;
	size_t ninputs, cap;
	int fixed;
	struct aw_map dma_index;
	struct dma *dmas;
	size_t ndmas;
	float *row;
	size_t anomaly_score, anomalous;
	/* records of one kind repeat their keys in the same order: the input of the key
	 * at each position of the last features record, checked with one memcmp */
	struct slot {
		char *key;
		uint32_t klen;
		size_t input;	/* or NO_INPUT */
	} *slots;
	size_t nslots;
};

#define NO_INPUT ((size_t)-1)

struct aw_dmastep *aw_dmastep_new(aw_dmastep_fn fn, void *ctx)
{
	struct aw_dmastep *a = aw_calloc(1, sizeof *a);
	a->fn = fn;
	a->ctx = ctx;
	a->anomaly_score = a->anomalous = (size_t)-1;
	return a;
}

void aw_dmastep_free(struct aw_dmastep *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->ninputs; i++)
		free(a->names[i]);
	for (size_t i = 0; i < a->ndmas; i++) {
		struct dma *d = &a->dmas[i];
		free(d->name);
		free(d->sum);
		free(d->min);
		free(d->max);
		free(d->cnt);
	}
	free(a->names);
	free(a->seen);
	free(a->dmas);
	free(a->row);
	for (size_t i = 0; i < a->nslots; i++)
		free(a->slots[i].key);
	free(a->slots);
	aw_map_free(&a->index);
	aw_map_free(&a->dma_index);
	free(a);
}

static void reset_slot(struct dma *d, size_t i)
{
	d->sum[i] = 0;
	d->min[i] = INFINITY;
	d->max[i] = -INFINITY;
	d->cnt[i] = 0;
}

static void grow_dma(struct dma *d, size_t from, size_t cap)
{
	d->sum = aw_reallocarray(d->sum, cap, sizeof *d->sum);
	d->min = aw_reallocarray(d->min, cap, sizeof *d->min);
	d->max = aw_reallocarray(d->max, cap, sizeof *d->max);
	d->cnt = aw_reallocarray(d->cnt, cap, sizeof *d->cnt);
	for (size_t i = from; i < cap; i++)
		reset_slot(d, i);
}

size_t aw_dmastep_input(struct aw_dmastep *a, const char *name)
{
	size_t k;
	if (aw_map_get(&a->index, name, &k))
		return k;
	if (a->ninputs == a->cap) {
		size_t old = a->cap;
		a->cap = a->cap ? a->cap * 2 : 32;
		a->names = aw_reallocarray(a->names, a->cap, sizeof *a->names);
		a->seen = aw_realloc(a->seen, a->cap);
		a->row = aw_reallocarray(a->row, a->cap, AW_NSTATS * sizeof *a->row);
		for (size_t i = 0; i < a->ndmas; i++)
			grow_dma(&a->dmas[i], old, a->cap);
	}
	k = a->ninputs++;
	a->names[k] = aw_strdup(name);
	a->seen[k] = 0;
	aw_map_put(&a->index, name, k);
	if (strcmp(name, "anomaly_score") == 0)
		a->anomaly_score = k;
	else if (strcmp(name, "anomalous") == 0)
		a->anomalous = k;
	return k;
}

void aw_dmastep_fix(struct aw_dmastep *a)
{
	a->fixed = 1;
}

size_t aw_dmastep_ninputs(const struct aw_dmastep *a)
{
	return a->ninputs;
}

const char *aw_dmastep_input_name(const struct aw_dmastep *a, size_t i)
{
	return a->names[i];
}

int aw_dmastep_input_seen(const struct aw_dmastep *a, size_t i)
{
	return a->seen[i];
}

static struct dma *find_dma(struct aw_dmastep *a, const char *name, size_t n)
{
	size_t k;
	if (aw_map_getn(&a->dma_index, name, n, &k))
		return &a->dmas[k];
	a->dmas = aw_reallocarray(a->dmas, a->ndmas + 1, sizeof *a->dmas);
	struct dma *d = &a->dmas[a->ndmas];
	memset(d, 0, sizeof *d);
	d->name = aw_strndup(name, n);
	grow_dma(d, 0, a->cap ? a->cap : 1);
	aw_map_put(&a->dma_index, d->name, a->ndmas++);
	return d;
}

static void complete(struct aw_dmastep *a, struct dma *d)
{
	float *row = a->row;
	for (size_t i = 0; i < a->ninputs; i++, row += AW_NSTATS) {
		if (d->cnt[i] == 0) {
			row[AW_STAT_MEAN] = row[AW_STAT_MIN] = row[AW_STAT_MAX] = NAN;
			continue;
		}
		row[AW_STAT_MEAN] = (float)(d->sum[i] / d->cnt[i]);
		row[AW_STAT_MIN] = (float)d->min[i];
		row[AW_STAT_MAX] = (float)d->max[i];
		reset_slot(d, i);
	}
	a->fn(d->name, d->ts, a->row, a->ninputs * AW_NSTATS, d->nsensors, a->ctx);
	d->open = 0;
	d->nsensors = 0;
}

static void put(struct dma *d, size_t k, double v)
{
	d->sum[k] += v;
	if (v < d->min[k])
		d->min[k] = v;
	if (v > d->max[k])
		d->max[k] = v;
	d->cnt[k]++;
}

static int skip_key(const struct aw_field *f)
{
	switch (f->klen) {
	case 2: return memcmp(f->key, "ts", 2) == 0;
	case 3: return memcmp(f->key, "dma", 3) == 0;
	case 4: return memcmp(f->key, "type", 4) == 0 || memcmp(f->key, "node", 4) == 0;
	case 6: return memcmp(f->key, "sensor", 6) == 0;
	}
	return 0;
}

static size_t lookup(struct aw_dmastep *a, const struct aw_field *f)
{
	size_t k;
	if (skip_key(f) || f->kesc)
		return NO_INPUT;
	if (aw_map_getn(&a->index, f->key, f->klen, &k))
		return k;
	if (a->fixed)
		return NO_INPUT;
	char *name = aw_strndup(f->key, f->klen);
	k = aw_dmastep_input(a, name);
	free(name);
	return k;
}

/* the input of the field at position i of a features record, or NO_INPUT */
static size_t input_at(struct aw_dmastep *a, size_t i, const struct aw_field *f)
{
	if (i >= a->nslots) {
		a->slots = aw_reallocarray(a->slots, i + 1, sizeof *a->slots);
		while (a->nslots <= i)
			a->slots[a->nslots++] = (struct slot){ NULL, 0, NO_INPUT };
	}
	struct slot *c = &a->slots[i];
	if (c->key && c->klen == f->klen && memcmp(c->key, f->key, f->klen) == 0)
		return c->input;
	free(c->key);
	c->key = aw_strndup(f->key, f->klen);
	c->klen = f->klen;
	c->input = lookup(a, f);
	return c->input;
}

int aw_dmastep_add(struct aw_dmastep *a, struct aw_record *r, const char *file, long line)
{
	int is_features;
	const struct aw_field *tf = aw_get(r, "type"), *f;
	int64_t ts;
	int zoned;

	if (!tf || tf->type != AW_JSTR)
		return 0;
	if (tf->vlen == 8 && memcmp(tf->val, "features", 8) == 0)
		is_features = 1;
	else if (tf->vlen == 7 && memcmp(tf->val, "anomaly", 7) == 0)
		is_features = 0;
	else
		return 0;
	f = aw_get(r, "ts");
	if (!f || f->type != AW_JSTR || aw_parse_time(f->val, f->vlen, &ts, &zoned) != 0) {
		aw_error_at(file, line, "%s record without a valid ts", is_features ? "features" :
		    "anomaly");
		return -1;
	}
	if (!zoned)
		ts = aw_tz_to_utc(ts, NULL, NULL);
	f = aw_get(r, "dma");
	struct dma *d;
	if (f && f->type == AW_JSTR && f->vlen && !f->esc)
		d = find_dma(a, f->val, f->vlen);
	else if (f && f->type == AW_JSTR && f->vlen)
		d = find_dma(a, aw_field_str(r, f), strlen(aw_field_str(r, f)));
	else
		d = find_dma(a, AW_DMA_NONE, strlen(AW_DMA_NONE));
	if (d->open && ts < d->ts) {
		char was[24], now[24];
		aw_fmt_time(was, d->ts);
		aw_fmt_time(now, ts);
		aw_error_at(file, line, "%s for DMA %s out of time order (%s after %s)",
		    is_features ? "features" : "anomaly", d->name, now, was);
		return -1;
	}
	if (d->open && ts > d->ts)
		complete(a, d);
	d->open = 1;
	d->ts = ts;
	size_t k;
	if (!is_features) {
		double v;
		if (aw_get_num(r, "score", &v) && isfinite(v) &&
		    (a->anomaly_score != (size_t)-1 || !a->fixed)) {
			k = aw_dmastep_input(a, "anomaly_score");
			put(d, k, v);
			a->seen[k] = 1;
		}
		int b = aw_get_bool(r, "anomalous");
		if (b >= 0 && (a->anomalous != (size_t)-1 || !a->fixed)) {
			k = aw_dmastep_input(a, "anomalous");
			put(d, k, b);
			a->seen[k] = 1;
		}
		return 1;
	}
	d->nsensors++;
	for (size_t i = 0; i < r->n; i++) {
		f = &r->f[i];
		double v;
		if (f->type == AW_JNUM)
			v = aw_strtonum(f->val, f->vlen);
		else if (f->type == AW_JTRUE || f->type == AW_JFALSE)
			v = f->type == AW_JTRUE;
		else
			continue;
		if (!isfinite(v) || (k = input_at(a, i, f)) == NO_INPUT)
			continue;
		put(d, k, v);
		a->seen[k] = 1;
	}
	return 1;
}

static int cmp_open(const void *x, const void *y)
{
	const struct dma *a = *(struct dma *const *)x, *b = *(struct dma *const *)y;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return strcmp(a->name, b->name);
}

void aw_dmastep_flush(struct aw_dmastep *a)
{
	struct dma **open = aw_reallocarray(NULL, a->ndmas, sizeof *open);
	size_t n = 0;
	for (size_t i = 0; i < a->ndmas; i++)
		if (a->dmas[i].open)
			open[n++] = &a->dmas[i];
	qsort(open, n, sizeof *open, cmp_open);
	for (size_t i = 0; i < n; i++)
		complete(a, open[i]);
	free(open);
}
