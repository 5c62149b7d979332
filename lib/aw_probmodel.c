#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_file.h"
#include "aw_probmodel.h"

int aw_probmodel_name_ok(const char *name)
{
	if (!*name)
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return 1;
}

static void put_header(const struct aw_probmodel *m, struct aw_buf *b)
{
	aw_buf_printf(b, "rows %lld\n", m->rows);
	aw_buf_printf(b, "positives %lld\n", m->positives);
	aw_put_key_num(b, "positive_weight", m->positive_weight);
	aw_put_key_num(b, "negative_weight", m->negative_weight);
	if (m->trained_from)
		aw_buf_printf(b, "trained_from %s\n", m->trained_from);
	if (m->trained_to)
		aw_buf_printf(b, "trained_to %s\n", m->trained_to);
	aw_buf_printf(b, "rounds %d\n", m->params.rounds);
	aw_buf_printf(b, "max_depth %d\n", m->params.max_depth);
	aw_put_key_num(b, "eta", m->params.eta);
	aw_put_key_num(b, "min_child_weight", m->params.min_child_weight);
	aw_put_key_num(b, "subsample", m->params.subsample);
	aw_put_key_num(b, "scale_pos_weight", m->params.scale_pos_weight);
	aw_buf_printf(b, "seed %" PRIu64 "\n", m->params.seed);
	aw_buf_printf(b, "cv_folds %d\n", m->cv_folds);
	aw_put_key_num(b, "platt_a", m->platt.a);
	aw_put_key_num(b, "platt_b", m->platt.b);
	for (size_t i = 0; i < m->nfeatures; i++)
		aw_buf_printf(b, "feature %s\n", m->features[i]);
}

int aw_probmodel_write(struct aw_probmodel *m, const char *path)
{
	struct aw_buf head = { 0 }, model = { 0 }, out = { 0 };
	int rc;

	for (size_t i = 0; i < m->nfeatures; i++)
		if (!aw_probmodel_name_ok(m->features[i])) {
			aw_warn("%s: feature name '%s' cannot be stored", path, m->features[i]);
			return -1;
		}
	if (aw_gbm_save(m->gbm, &model) != 0)
		return -1;
	put_header(m, &head);
	if (!m->id[0]) {
		uint64_t h = aw_hash(head.s, head.len) ^ aw_hash(model.s, model.len) * 31;
		snprintf(m->id, sizeof m->id, "prob-%012" PRIx64, (uint64_t)(h & 0xffffffffffffULL));
	}
	aw_buf_printf(&out, "%s %d\nid %s\n", AW_PROBMODEL_MAGIC, AW_PROBMODEL_VERSION, m->id);
	aw_buf_put(&out, head.s, head.len);
	aw_buf_printf(&out, "xgboost ubj %zu\n", model.len);
	aw_buf_put(&out, model.s, model.len);

	rc = aw_replace_file(path, out.s, out.len);
	aw_buf_free(&head);
	aw_buf_free(&model);
	aw_buf_free(&out);
	return rc;
}

static int parse_num(const char *path, long line, const char *key, const char *val, double *out)
{
	if (aw_parse_double(val, out) == 0)
		return 0;
	aw_error_at(path, line, "%s: bad number '%s'", key, val);
	return -1;
}

static int parse_int(const char *path, long line, const char *key, const char *val,
    long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(val, &end, 10);
	if (*val && !*end && errno == 0 && v >= lo && v <= hi) {
		*out = v;
		return 0;
	}
	aw_error_at(path, line, "%s: bad integer '%s'", key, val);
	return -1;
}

/* one header line "key value"; returns 1 at "xgboost", 0 for others, -1 on errors */
static int parse_line(struct aw_probmodel *m, const char *path, long line, char *s,
    size_t *model_len, size_t *fcap)
{
	char *val = strchr(s, ' ');
	double d = 0;
	long long i = 0;
	int rc = 0;

	if (!val) {
		aw_error_at(path, line, "expected 'key value'");
		return -1;
	}
	*val++ = 0;
	if (strcmp(s, "id") == 0) {
		if (!*val || strlen(val) >= sizeof m->id || !aw_probmodel_name_ok(val)) {
			aw_error_at(path, line, "bad model id");
			return -1;
		}
		strcpy(m->id, val);
	} else if (strcmp(s, "feature") == 0) {
		if (!aw_probmodel_name_ok(val)) {
			aw_error_at(path, line, "bad feature name");
			return -1;
		}
		if (m->nfeatures == *fcap) {
			*fcap = *fcap ? *fcap * 2 : 64;
			m->features = aw_reallocarray(m->features, *fcap, sizeof *m->features);
		}
		m->features[m->nfeatures++] = aw_strdup(val);
	} else if (strcmp(s, "trained_from") == 0 || strcmp(s, "trained_to") == 0) {
		char **p = s[8] == 'f' ? &m->trained_from : &m->trained_to;
		free(*p);
		*p = aw_strdup(val);
	} else if (strcmp(s, "rows") == 0) {
		rc = parse_int(path, line, s, val, 0, INT64_MAX, &m->rows);
	} else if (strcmp(s, "positives") == 0) {
		rc = parse_int(path, line, s, val, 0, INT64_MAX, &m->positives);
	} else if (strcmp(s, "positive_weight") == 0) {
		rc = parse_num(path, line, s, val, &m->positive_weight);
	} else if (strcmp(s, "negative_weight") == 0) {
		rc = parse_num(path, line, s, val, &m->negative_weight);
	} else if (strcmp(s, "rounds") == 0) {
		rc = parse_int(path, line, s, val, 0, 1000000, &i);
		m->params.rounds = (int)i;
	} else if (strcmp(s, "max_depth") == 0) {
		rc = parse_int(path, line, s, val, 0, 1000, &i);
		m->params.max_depth = (int)i;
	} else if (strcmp(s, "eta") == 0) {
		rc = parse_num(path, line, s, val, &m->params.eta);
	} else if (strcmp(s, "min_child_weight") == 0) {
		rc = parse_num(path, line, s, val, &m->params.min_child_weight);
	} else if (strcmp(s, "subsample") == 0) {
		rc = parse_num(path, line, s, val, &m->params.subsample);
	} else if (strcmp(s, "scale_pos_weight") == 0) {
		rc = parse_num(path, line, s, val, &m->params.scale_pos_weight);
	} else if (strcmp(s, "seed") == 0) {
		rc = parse_int(path, line, s, val, 0, INT64_MAX, &i);
		m->params.seed = (uint64_t)i;
	} else if (strcmp(s, "cv_folds") == 0) {
		rc = parse_int(path, line, s, val, 0, 1000, &i);
		m->cv_folds = (int)i;
	} else if (strcmp(s, "platt_a") == 0) {
		rc = parse_num(path, line, s, val, &d);
		m->platt.a = d;
	} else if (strcmp(s, "platt_b") == 0) {
		rc = parse_num(path, line, s, val, &d);
		m->platt.b = d;
	} else if (strcmp(s, "xgboost") == 0) {
		if (strncmp(val, "ubj ", 4) != 0 ||
		    parse_int(path, line, "xgboost ubj", val + 4, 1, INT64_MAX, &i) != 0) {
			aw_error_at(path, line, "expected 'xgboost ubj NBYTES'");
			return -1;
		}
		*model_len = (size_t)i;
		return 1;
	} else {
		aw_error_at(path, line, "unknown key '%s'", s);
		return -1;
	}
	return rc;
}

struct aw_probmodel *aw_probmodel_read(const char *path)
{
	struct aw_probmodel *m = aw_calloc(1, sizeof *m);
	struct aw_buf b = { 0 };
	size_t pos = 0, model_len = 0, fcap = 0;
	long line = 0;
	int rc = 0, have_a = 0, have_b = 0;
	char magic[64];

	aw_gbm_params_default(&m->params);
	if (aw_read_file(path, &b) != 0) {
		aw_error_at(path, 0, "%s", strerror(errno));
		goto fail;
	}
	while (rc == 0) {
		char *nl = b.len > pos ? memchr(b.s + pos, '\n', b.len - pos) : NULL;
		line++;
		if (!nl) {
			aw_error_at(path, line, b.len ? "truncated model file" : "empty model file");
			goto fail;
		}
		*nl = 0;
		char *s = b.s + pos;
		pos = (size_t)(nl - b.s) + 1;
		if (line == 1) {
			int version;
			snprintf(magic, sizeof magic, "%s %%d", AW_PROBMODEL_MAGIC);
			if (sscanf(s, magic, &version) != 1) {
				aw_error_at(path, line, "not an aw-prob model file");
				goto fail;
			}
			if (version != AW_PROBMODEL_VERSION) {
				aw_error_at(path, line, "model file version %d, this aw-prob reads %d",
				    version, AW_PROBMODEL_VERSION);
				goto fail;
			}
			continue;
		}
		have_a |= strncmp(s, "platt_a ", 8) == 0;
		have_b |= strncmp(s, "platt_b ", 8) == 0;
		rc = parse_line(m, path, line, s, &model_len, &fcap);
	}
	if (rc < 0)
		goto fail;
	if (!m->id[0] || !have_a || !have_b || m->nfeatures == 0) {
		aw_error_at(path, line, "%s missing before the model", !m->id[0] ? "id" :
		    m->nfeatures == 0 ? "feature list" : "Platt calibration");
		goto fail;
	}
	if (b.len - pos != model_len) {
		aw_error_at(path, line, "model has %zu bytes, header says %zu", b.len - pos,
		    model_len);
		goto fail;
	}
	if (!(m->gbm = aw_gbm_load(b.s + pos, model_len, m->params.nthread))) {
		aw_error_at(path, line + 1, "cannot load the XGBoost model");
		goto fail;
	}
	if (aw_gbm_nfeatures(m->gbm) != m->nfeatures) {
		aw_error_at(path, line, "XGBoost model has %zu features, the list %zu",
		    aw_gbm_nfeatures(m->gbm), m->nfeatures);
		goto fail;
	}
	aw_buf_free(&b);
	return m;
fail:
	aw_buf_free(&b);
	aw_probmodel_free(m);
	return NULL;
}

void aw_probmodel_clear(struct aw_probmodel *m)
{
	for (size_t i = 0; i < m->nfeatures; i++)
		free(m->features[i]);
	free(m->features);
	free(m->trained_from);
	free(m->trained_to);
	aw_gbm_free(m->gbm);
	m->features = NULL;
	m->nfeatures = 0;
	m->trained_from = m->trained_to = NULL;
	m->gbm = NULL;
}

void aw_probmodel_free(struct aw_probmodel *m)
{
	if (!m)
		return;
	aw_probmodel_clear(m);
	free(m);
}
