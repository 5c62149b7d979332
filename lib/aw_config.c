/* aquawatch.yaml: libyaml events -> a small tree with line numbers -> schema check ->
 * typed views. The schema below lists every key a tool may read; anything else is an
 * error, so a typo never silently falls back to a default. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "aw_cli.h"
#include "aw_config.h"
#include "aw_units.h"
#include "aw_csv.h"
#include "aw_time.h"

enum stype { S_STR, S_NUM, S_BOOL, S_CONT };

/* Paths: "*" matches any map key, "[]" any sequence item. Containers are implied by the
 * paths below them; S_CONT marks a container that may be empty. */
static const struct {
	const char *path;
	enum stype type;
} schema[] = {
	{ "timezone", S_STR },
	{ "network", S_STR },
	{ "assets", S_STR },
	{ "sensors_file", S_STR },
	{ "state_dir", S_STR },
	{ "model_dir", S_STR },
	/* sensors: a list of entries, or sensors_file: a CSV (see aw_config_add_sensors_csv) */
	{ "sensors", S_CONT },
	{ "sensors[].id", S_STR },
	{ "sensors[].kind", S_STR },
	{ "sensors[].unit", S_STR },
	{ "sensors[].node", S_STR },
	{ "sensors[].dma", S_STR },
	{ "sensors[].min", S_NUM },
	{ "sensors[].max", S_NUM },
	{ "sensors[].inlet", S_BOOL },
	{ "sensors[].sign", S_NUM },
	{ "sensors[].area_m2", S_NUM },
	/* neighbours for aw-features: sides given, or decided by mean pressure */
	{ "sensors[].upstream[]", S_STR },
	{ "sensors[].downstream[]", S_STR },
	{ "sensors[].neighbours[]", S_STR },
	/* DMAs: inlet flow meters and the figures of the water balance */
	{ "dmas", S_CONT },
	{ "dmas.*", S_CONT },
	{ "dmas.*.name", S_STR },
	{ "dmas.*.inlets[]", S_STR },
	{ "dmas.*.outlets[]", S_STR },
	{ "dmas.*.tanks[]", S_STR },
	{ "dmas.*.sensors[]", S_STR },
	{ "dmas.*.mains_km", S_NUM },
	{ "dmas.*.connections", S_NUM },
	{ "dmas.*.private_km", S_NUM },
	{ "dmas.*.pressure_m", S_NUM },
	{ "dmas.*.billed_m3_per_day", S_NUM },
	{ "dmas.*.unbilled_m3_per_day", S_NUM },
	{ "dmas.*.night_use_l_per_conn_h", S_NUM },
	{ "dmas.*.apparent_loss_pct", S_NUM },
	{ "dmas.*.night_day_factor_h", S_NUM },
	/* reports (aw-report): night window, leakage model, detection baseline */
	{ "report.night_start_h", S_NUM },
	{ "report.night_end_h", S_NUM },
	{ "report.night_day_factor_h", S_NUM },
	{ "report.favad_n1", S_NUM },
	{ "report.night_use_l_per_conn_h", S_NUM },
	{ "report.apparent_loss_pct", S_NUM },
	{ "report.manual_detection_h", S_NUM },
	{ "report.alert_window_h", S_NUM },
	/* quality control on ingest */
	{ "qc.completeness", S_NUM },
	{ "qc.stuck_samples", S_NUM },
	{ "qc.spike.*", S_NUM },
	{ "qc.range.*.min", S_NUM },
	{ "qc.range.*.max", S_NUM },
	{ "qc.drift_bar", S_NUM },
	{ "qc.gap_factor", S_NUM },
	/* detection thresholds */
	{ "thresholds.rules.pressure_drop", S_NUM },
	{ "thresholds.rules.drop_rate", S_NUM },
	{ "thresholds.rules.night_day_ratio", S_NUM },
	{ "thresholds.rules.mnf_deviation", S_NUM },
	{ "thresholds.rules.gradient_anomaly", S_NUM },
	{ "thresholds.anomaly", S_NUM },
	{ "thresholds.probability", S_NUM },
	{ "thresholds.explain_above", S_NUM },
	{ "thresholds.event.*", S_NUM },
	/* localisation and validation of events */
	{ "localize.method", S_STR },
	{ "localize.sensitivity", S_STR },
	{ "validate.workorders", S_STR },
	{ "thresholds.quality.z", S_NUM },
	{ "thresholds.quality.change", S_NUM },
	{ "thresholds.quality.rough", S_NUM },
	{ "thresholds.quality.min_steps", S_NUM },
	{ "thresholds.ami.continuous_hours", S_NUM },
	{ "thresholds.ami.min_lph", S_NUM },
	{ "thresholds.ami.active_share", S_NUM },
	{ "thresholds.ami.zero_days", S_NUM },
	{ "thresholds.ami.reverse_l", S_NUM },
	/* alert routing and approval */
	{ "routing", S_CONT },
	{ "routing[].dma", S_STR },
	{ "routing[].severity", S_STR },
	{ "routing[].type", S_STR },
	{ "routing[].hours", S_STR },
	{ "routing[].team", S_STR },
	{ "routing[].channel", S_STR },
	{ "approvers[]", S_STR },
	/* users of aw-workorder: roles viewer, reviewer, approver, admin, per DMA (all when
	 * dmas is absent) */
	{ "users", S_CONT },
	{ "users[].name", S_STR },
	{ "users[].roles[]", S_STR },
	{ "users[].dmas[]", S_STR },
	/* how long records are kept (aw-workorder purge): 3y, 18mo, 6w, 90d */
	{ "retention.alerts", S_STR },
	{ "retention.workorders", S_STR },
	{ "retention.labels", S_STR },
	{ "retention.evidence", S_STR },
	/* customers: AMR accounts (account, node) and critical customers on the network */
	{ "accounts", S_STR },
	{ "critical_customers", S_CONT },
	{ "critical_customers[].node", S_STR },
	{ "critical_customers[].name", S_STR },
	{ "critical_customers[].kind", S_STR },
	/* main-break risk (aw-risk): break history CSV, weather CSV, model */
	{ "risk.breaks", S_STR },
	{ "risk.weather", S_STR },
	{ "risk.model", S_STR },
	{ "risk.horizon_days", S_NUM },
	/* water-quality limits per parameter (regulator) */
	{ "quality_limits.*.min", S_NUM },
	{ "quality_limits.*.max", S_NUM },
	{ "quality_limits.*.max_hours_below", S_NUM },
	{ "quality_limits.*.p95_max", S_NUM },
	{ "quality_limits.*.merge_minutes", S_NUM },
};

static void node_free(struct aw_ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->value);
	free(n);
}

static void add_kid(struct aw_ynode *p, struct aw_ynode *k)
{
	p->kids = aw_reallocarray(p->kids, p->nkids + 1, sizeof *p->kids);
	p->kids[p->nkids++] = k;
}

struct yctx {
	yaml_parser_t parser;
	const char *file;
	int errors;
};

/* parses the node whose first event is ev (already read) */
static struct aw_ynode *parse_node(struct yctx *y, yaml_event_t *ev)
{
	struct aw_ynode *n = aw_calloc(1, sizeof *n);
	n->line = (long)ev->start_mark.line + 1;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n->type = AW_YSCALAR;
		n->value = aw_strndup((char *)ev->data.scalar.value, ev->data.scalar.length);
		return n;
	case YAML_ALIAS_EVENT:
		aw_error_at(y->file, n->line, "aliases are not supported");
		y->errors++;
		n->type = AW_YSCALAR;
		n->value = aw_strdup("");
		return n;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		int map = ev->type == YAML_MAPPING_START_EVENT;
		n->type = map ? AW_YMAP : AW_YSEQ;
		for (;;) {
			yaml_event_t e;
			if (!yaml_parser_parse(&y->parser, &e))
				goto fail;
			if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&e);
				return n;
			}
			char *key = NULL;
			if (map) {
				if (e.type != YAML_SCALAR_EVENT) {
					aw_error_at(y->file, (long)e.start_mark.line + 1, "keys must be plain scalars");
					y->errors++;
					yaml_event_delete(&e);
					goto fail;
				}
				key = aw_strndup((char *)e.data.scalar.value, e.data.scalar.length);
				for (size_t i = 0; i < n->nkids; i++)
					if (strcmp(n->kids[i]->key, key) == 0) {
						aw_error_at(y->file, (long)e.start_mark.line + 1, "duplicate key '%s'", key);
						y->errors++;
					}
				yaml_event_delete(&e);
				if (!yaml_parser_parse(&y->parser, &e)) {
					free(key);
					goto fail;
				}
			}
			struct aw_ynode *k = parse_node(y, &e);
			yaml_event_delete(&e);
			if (!k) {
				free(key);
				goto fail_quiet;
			}
			k->key = key;
			add_kid(n, k);
		}
	}
	default:
		break;
	}
	aw_error_at(y->file, n->line, "unexpected YAML structure");
	y->errors++;
	node_free(n);
	return NULL;
fail:
	if (y->parser.error != YAML_NO_ERROR) {
		aw_error_at(y->file, (long)y->parser.problem_mark.line + 1, "%s",
		    y->parser.problem ? y->parser.problem : "YAML syntax error");
		y->errors++;
	}
fail_quiet:
	node_free(n);
	return NULL;
}

static struct aw_ynode *load_yaml(const char *file, FILE *f, int *errors)
{
	struct yctx y = { .file = file };
	struct aw_ynode *root = NULL;
	yaml_event_t e;

	yaml_parser_initialize(&y.parser);
	yaml_parser_set_input_file(&y.parser, f);
	for (;;) {
		if (!yaml_parser_parse(&y.parser, &e)) {
			aw_error_at(file, (long)y.parser.problem_mark.line + 1, "%s",
			    y.parser.problem ? y.parser.problem : "YAML syntax error");
			y.errors++;
			break;
		}
		yaml_event_type_t t = e.type;
		if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT || t == YAML_SCALAR_EVENT) {
			if (root) {
				aw_error_at(file, (long)e.start_mark.line + 1, "only one YAML document is allowed");
				y.errors++;
				yaml_event_delete(&e);
				break;
			}
			root = parse_node(&y, &e);
			if (!root) {
				yaml_event_delete(&e);
				break;
			}
		}
		yaml_event_delete(&e);
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&y.parser);
	*errors += y.errors;
	if (root && root->type == AW_YSCALAR && root->value[0] == 0) {
		node_free(root);
		root = NULL;
	}
	if (root && root->type != AW_YMAP) {
		aw_error_at(file, root->line, "the configuration must be a mapping of keys");
		(*errors)++;
	}
	return root;
}

/* does path (segments separated by '.', items as "[]") match pattern? */
static int path_match(const char *pat, const char *path, int prefix)
{
	while (*pat && *path) {
		if (*pat == '*') {
			pat++;
			while (*path && *path != '.' && *path != '[')
				path++;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++, path++;
	}
	if (prefix)
		return *path == 0 && (*pat == 0 || *pat == '.' || *pat == '[');
	return *pat == 0 && *path == 0;
}

static int scalar_ok(enum stype t, const char *v)
{
	double d;
	switch (t) {
	case S_NUM:
		return aw_parse_double(v, &d) == 0 && isfinite(d);
	case S_BOOL:
		return !strcmp(v, "true") || !strcmp(v, "false") || !strcmp(v, "yes") || !strcmp(v, "no");
	default:
		return 1;
	}
}

static void check(const char *file, const struct aw_ynode *n, struct aw_buf *path, int *errors)
{
	size_t mark = path->len;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct aw_ynode *k = n->kids[i];
		path->len = mark;
		path->s[mark] = 0;
		if (n->type == AW_YMAP) {
			if (mark)
				aw_buf_putc(path, '.');
			aw_buf_puts(path, k->key);
		} else {
			aw_buf_puts(path, "[]");
		}
		int found = 0, cont = 0;
		enum stype t = S_STR;
		for (size_t j = 0; j < AW_NELEM(schema); j++) {
			if (path_match(schema[j].path, path->s, 0)) {
				found = 1;
				t = schema[j].type;
				cont |= t == S_CONT;
			} else if (path_match(schema[j].path, path->s, 1)) {
				found = 1;
				cont = 1;
			}
		}
		const char *shown = n->type == AW_YMAP ? k->key : path->s;
		if (!found) {
			aw_error_at(file, k->line, "unknown key '%s'", path->s);
			(*errors)++;
		} else if (k->type == AW_YSCALAR && cont && !(t != S_CONT && k->type == AW_YSCALAR)) {
			if (!(k->value[0] == 0 || !strcmp(k->value, "~") || !strcmp(k->value, "null"))) {
				aw_error_at(file, k->line, "'%s' must be a %s", shown,
				    strstr(path->s, "[]") == path->s + strlen(path->s) - 2 ? "mapping" : "list or mapping");
				(*errors)++;
			}
		} else if (k->type != AW_YSCALAR && !cont) {
			aw_error_at(file, k->line, "'%s' must be a single value", shown);
			(*errors)++;
		} else if (k->type == AW_YSCALAR && !scalar_ok(t, k->value)) {
			aw_error_at(file, k->line, "'%s': %s expected, got '%s'", shown,
			    t == S_NUM ? "a number" : "true or false", k->value);
			(*errors)++;
		} else if (k->type != AW_YSCALAR) {
			size_t here = path->len;
			int wants = 0;	/* bit 1: a mapping fits, bit 2: a list fits */
			aw_buf_puts(path, ".x");
			for (size_t j = 0; j < AW_NELEM(schema); j++)
				wants |= path_match(schema[j].path, path->s, 1);
			path->len = here;
			aw_buf_puts(path, "[]");
			for (size_t j = 0; j < AW_NELEM(schema); j++)
				wants |= 2 * path_match(schema[j].path, path->s, 1);
			path->len = here;
			path->s[here] = 0;
			if (wants && !(wants & (k->type == AW_YMAP ? 1 : 2))) {
				aw_error_at(file, k->line, "'%s' must be a %s", shown, wants & 1 ? "mapping" : "list");
				(*errors)++;
			} else {
				check(file, k, path, errors);
			}
		}
	}
	path->len = mark;
	if (path->s)
		path->s[mark] = 0;
}

static const struct aw_ynode *child(const struct aw_ynode *n, const char *key, size_t klen)
{
	if (!n || n->type != AW_YMAP)
		return NULL;
	for (size_t i = 0; i < n->nkids; i++)
		if (strlen(n->kids[i]->key) == klen && strncmp(n->kids[i]->key, key, klen) == 0)
			return n->kids[i];
	return NULL;
}

const struct aw_ynode *aw_config_get(const struct aw_config *c, const char *path)
{
	const struct aw_ynode *n = c->root;
	while (n && *path) {
		const char *dot = strchr(path, '.');
		size_t k = dot ? (size_t)(dot - path) : strlen(path);
		n = child(n, path, k);
		path += k + (dot != NULL);
	}
	return n;
}

double aw_config_num(const struct aw_config *c, const char *path, double dflt)
{
	const struct aw_ynode *n = aw_config_get(c, path);
	double v;
	if (!n || n->type != AW_YSCALAR || aw_parse_double(n->value, &v))
		return dflt;
	return v;
}

const char *aw_config_str(const struct aw_config *c, const char *path, const char *dflt)
{
	const struct aw_ynode *n = aw_config_get(c, path);
	return n && n->type == AW_YSCALAR && n->value[0] ? n->value : dflt;
}

char *aw_config_file(const struct aw_config *c, const char *name)
{
	if (!name)
		return NULL;
	if (name[0] == '/' || !c->path)
		return aw_strdup(name);
	const char *slash = strrchr(c->path, '/');
	if (!slash)
		return aw_strdup(name);
	struct aw_buf b = { 0 };
	aw_buf_put(&b, c->path, (size_t)(slash - c->path) + 1);
	aw_buf_puts(&b, name);
	return b.s;
}

static char *opt_str(const struct aw_ynode *n, const char *key)
{
	const struct aw_ynode *k = child(n, key, strlen(key));
	return k && k->type == AW_YSCALAR && k->value[0] ? aw_strdup(k->value) : NULL;
}

static double opt_num(const struct aw_ynode *n, const char *key, double dflt)
{
	const struct aw_ynode *k = child(n, key, strlen(key));
	double v;
	return k && k->type == AW_YSCALAR && !aw_parse_double(k->value, &v) ? v : dflt;
}

static struct aw_sensor *add_sensor(struct aw_config *c, const char *id)
{
	size_t i;
	if (aw_map_get(&c->sensor_index, id, &i))
		return &c->sensors[i];
	c->sensors = aw_reallocarray(c->sensors, c->nsensors + 1, sizeof *c->sensors);
	struct aw_sensor *s = &c->sensors[c->nsensors];
	memset(s, 0, sizeof *s);
	s->id = aw_strdup(id);
	s->lo = s->hi = s->x = s->y = s->area_m2 = NAN;
	s->sign = 1;
	aw_map_put(&c->sensor_index, id, c->nsensors++);
	return s;
}

static void set_str(char **dst, char *v)
{
	if (v) {
		free(*dst);
		*dst = v;
	}
}

static const char *const kinds[] = { "pressure", "flow", "level", "chlorine", "turbidity", "ph",
	"temperature", "conductivity", "volume", "redox", NULL };

static int known_kind(const char *k)
{
	for (int i = 0; kinds[i]; i++)
		if (strcmp(kinds[i], k) == 0)
			return 1;
	return 0;
}

static void typed(struct aw_config *c, int *errors)
{
	const struct aw_ynode *r = c->root, *n;
	const char *file = c->path;

	c->timezone = opt_str(r, "timezone");
	c->network = opt_str(r, "network");
	c->assets = opt_str(r, "assets");
	c->state_dir = opt_str(r, "state_dir");
	c->model_dir = opt_str(r, "model_dir");
	if (c->timezone && aw_tz_set(c->timezone)) {
		n = child(r, "timezone", 8);
		aw_error_at(file, n->line, "unknown time zone '%s'", c->timezone);
		(*errors)++;
	}
	char *sf = opt_str(r, "sensors_file");
	if (sf) {
		char *p = aw_config_file(c, sf);
		if (aw_config_add_sensors_csv(c, p))
			(*errors)++;
		free(p);
		free(sf);
	}
	if ((n = child(r, "sensors", 7)) && n->type == AW_YSEQ)
		for (size_t i = 0; i < n->nkids; i++) {
			const struct aw_ynode *e = n->kids[i];
			char *id = opt_str(e, "id");
			if (!id) {
				aw_error_at(file, e->line, "sensor without an id");
				(*errors)++;
				continue;
			}
			struct aw_sensor *s = add_sensor(c, id);
			free(id);
			set_str(&s->kind, opt_str(e, "kind"));
			set_str(&s->unit, opt_str(e, "unit"));
			set_str(&s->node, opt_str(e, "node"));
			set_str(&s->dma, opt_str(e, "dma"));
			s->lo = opt_num(e, "min", s->lo);
			s->hi = opt_num(e, "max", s->hi);
			s->sign = opt_num(e, "sign", s->sign);
			s->area_m2 = opt_num(e, "area_m2", s->area_m2);
			char *inl = opt_str(e, "inlet");
			if (inl) {
				s->inlet = !strcmp(inl, "true") || !strcmp(inl, "yes");
				free(inl);
			}
			if (s->kind && !known_kind(s->kind)) {
				aw_error_at(file, e->line, "sensor %s: unknown kind '%s'", s->id, s->kind);
				(*errors)++;
			}
		}
	if ((n = child(r, "dmas", 4)) && n->type == AW_YMAP)
		for (size_t i = 0; i < n->nkids; i++) {
			const struct aw_ynode *e = n->kids[i], *l;
			c->dmas = aw_reallocarray(c->dmas, c->ndmas + 1, sizeof *c->dmas);
			struct aw_dma *d = &c->dmas[c->ndmas++];
			memset(d, 0, sizeof *d);
			d->id = aw_strdup(e->key);
			d->mains_km = opt_num(e, "mains_km", NAN);
			d->connections = opt_num(e, "connections", NAN);
			d->private_km = opt_num(e, "private_km", NAN);
			d->pressure_m = opt_num(e, "pressure_m", NAN);
			d->billed_m3_per_day = opt_num(e, "billed_m3_per_day", NAN);
			d->unbilled_m3_per_day = opt_num(e, "unbilled_m3_per_day", NAN);
			d->night_use_l_per_conn_h = opt_num(e, "night_use_l_per_conn_h", NAN);
			d->apparent_loss_pct = opt_num(e, "apparent_loss_pct", NAN);
			d->night_day_factor_h = opt_num(e, "night_day_factor_h", NAN);
			d->name = opt_str(e, "name");
			if ((l = child(e, "inlets", 6)) && l->type == AW_YSEQ) {
				d->inlets = aw_calloc(l->nkids, sizeof *d->inlets);
				for (size_t j = 0; j < l->nkids; j++) {
					d->inlets[d->ninlets++] = aw_strdup(l->kids[j]->value);
					struct aw_sensor *s = add_sensor(c, l->kids[j]->value);
					s->inlet = 1;
					if (!s->dma)
						s->dma = aw_strdup(d->id);
				}
			}
			if ((l = child(e, "outlets", 7)) && l->type == AW_YSEQ) {
				d->outlets = aw_calloc(l->nkids, sizeof *d->outlets);
				for (size_t j = 0; j < l->nkids; j++) {
					d->outlets[d->noutlets++] = aw_strdup(l->kids[j]->value);
					add_sensor(c, l->kids[j]->value);
				}
			}
			if ((l = child(e, "tanks", 5)) && l->type == AW_YSEQ) {
				d->tanks = aw_calloc(l->nkids, sizeof *d->tanks);
				for (size_t j = 0; j < l->nkids; j++) {
					d->tanks[d->ntanks++] = aw_strdup(l->kids[j]->value);
					add_sensor(c, l->kids[j]->value);
				}
			}
			if ((l = child(e, "sensors", 7)) && l->type == AW_YSEQ)
				for (size_t j = 0; j < l->nkids; j++) {
					struct aw_sensor *s = add_sensor(c, l->kids[j]->value);
					set_str(&s->dma, aw_strdup(d->id));
				}
		}
}

struct aw_config *aw_config_load(const char *path)
{
	const char *env = getenv("AW_CONFIG");
	int explicit = 1;

	if (!path)
		path = aw_opt_config;
	if (!path) {
		explicit = 0;
		if (access("aquawatch.yaml", F_OK) == 0)
			path = "aquawatch.yaml";
		else if (env && *env)
			path = env, explicit = 1;
	}
	if (path && explicit && access(path, R_OK) != 0)
		aw_die(1, "%s: %s", path, strerror(errno));
	struct aw_config *c = aw_config_read(path);
	if (!c)
		exit(1);
	return c;
}

struct aw_config *aw_config_read(const char *path)
{
	struct aw_config *c = aw_calloc(1, sizeof *c);
	int errors = 0;

	if (path) {
		FILE *f = fopen(path, "rb");
		if (!f) {
			aw_warn("%s: %s", path, strerror(errno));
			aw_config_free(c);
			return NULL;
		}
		c->path = aw_strdup(path);
		c->root = load_yaml(path, f, &errors);
		fclose(f);
	}
	if (!c->root) {
		c->root = aw_calloc(1, sizeof *c->root);
		c->root->type = AW_YMAP;
	}
	if (!errors && c->root->type == AW_YMAP) {
		struct aw_buf p = { 0 };
		aw_buf_grow(&p, 64);
		check(c->path, c->root, &p, &errors);
		aw_buf_free(&p);
	}
	if (!errors)
		typed(c, &errors);
	if (errors) {
		aw_config_free(c);
		return NULL;
	}
	return c;
}

void aw_config_free(struct aw_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nsensors; i++) {
		struct aw_sensor *s = &c->sensors[i];
		free(s->id), free(s->kind), free(s->unit), free(s->node), free(s->dma);
	}
	free(c->sensors);
	aw_map_free(&c->sensor_index);
	for (size_t i = 0; i < c->ndmas; i++) {
		for (size_t j = 0; j < c->dmas[i].ninlets; j++)
			free(c->dmas[i].inlets[j]);
		free(c->dmas[i].inlets);
		for (size_t j = 0; j < c->dmas[i].noutlets; j++)
			free(c->dmas[i].outlets[j]);
		free(c->dmas[i].outlets);
		for (size_t j = 0; j < c->dmas[i].ntanks; j++)
			free(c->dmas[i].tanks[j]);
		free(c->dmas[i].tanks);
		free(c->dmas[i].id);
		free(c->dmas[i].name);
	}
	free(c->dmas);
	free(c->path), free(c->timezone), free(c->network), free(c->assets);
	free(c->state_dir), free(c->model_dir);
	node_free(c->root);
	free(c);
}

const struct aw_sensor *aw_sensor_find(const struct aw_config *c, const char *id)
{
	size_t i;
	return aw_map_get(&c->sensor_index, id, &i) ? &c->sensors[i] : NULL;
}

/* ---- sensor metadata CSV ---- */

struct scsv {
	struct aw_config *c;
	const char *file;
	int col[16];		/* index of each wanted column, -1 absent */
	int battledim;
	int errors, header_bad;
};

enum { C_ID, C_NODE, C_LINK, C_KIND, C_UNIT, C_X, C_Y, C_DMA, C_TYPE, C_ELEM, C_ELEMID, C_POS, C_N };

static int scsv_row(const struct aw_csv_row *row, void *ctx)
{
	struct scsv *s = ctx;
	static const char *const names[C_N] = { "sensor", "node", "link", "kind", "unit", "x", "y",
		"dma", "sensor_type", "element_type", "element_id", "positive_flow" };
	if (row->line == 1 || s->col[C_ID] == -2) {
		for (int i = 0; i < C_N; i++)
			s->col[i] = -1;
		for (size_t j = 0; j < row->n; j++)
			for (int i = 0; i < C_N; i++)
				if (aw_strcaseeq(aw_trim(row->f[j]), names[i]))
					s->col[i] = (int)j;
		if (s->col[C_ID] < 0 && s->col[C_ELEMID] >= 0 && s->col[C_TYPE] >= 0) {
			s->battledim = 1;
			s->col[C_ID] = s->col[C_ELEMID];
			s->col[C_KIND] = s->col[C_TYPE];
		}
		if (s->col[C_ID] < 0 || s->col[C_KIND] < 0) {
			aw_error_at(s->file, row->line, "sensor table needs the columns sensor and kind");
			s->errors++;
			s->header_bad = 1;
			return 1;
		}
		return 0;
	}
#define COL(k) (s->col[k] >= 0 && (size_t)s->col[k] < row->n && row->f[s->col[k]][0] ? row->f[s->col[k]] : NULL)
	const char *id = COL(C_ID), *kind = COL(C_KIND);
	if (!id || !kind) {
		aw_error_at(s->file, row->line, "sensor row without sensor id or kind");
		s->errors++;
		return 0;
	}
	if (s->battledim && (aw_strcaseeq(kind, "amr") || aw_strcaseeq(kind, "amr_demand")))
		return 0;	/* AMR demand nodes are accounts, not SCADA sensors */
	if (!known_kind(kind)) {
		aw_error_at(s->file, row->line, "sensor %s: unknown kind '%s'", id, kind);
		s->errors++;
		return 0;
	}
	double scale, offset;
	if (COL(C_UNIT) && aw_unit_canonical(kind) &&
	    aw_unit_factor(kind, COL(C_UNIT), &scale, &offset) < 0) {
		/* left out: its values would be taken as canonical units */
		aw_error_at(s->file, row->line, "sensor %s: unknown unit '%s' for %s", id,
		    COL(C_UNIT), kind);
		s->errors++;
		return 0;
	}
	struct aw_sensor *x = add_sensor(s->c, id);
	set_str(&x->kind, aw_strdup(kind));
	if (COL(C_UNIT))
		set_str(&x->unit, aw_strdup(COL(C_UNIT)));
	if (s->battledim)
		set_str(&x->node, aw_strdup(id));
	else if (COL(C_NODE) && !(COL(C_LINK) && !strcmp(kind, "flow")))
		set_str(&x->node, aw_strdup(COL(C_NODE)));
	else if (COL(C_LINK))
		set_str(&x->node, aw_strdup(COL(C_LINK)));
	if (COL(C_DMA))
		set_str(&x->dma, aw_strdup(COL(C_DMA)));
	double v;
	if (COL(C_X) && !aw_parse_double(COL(C_X), &v))
		x->x = v;
	if (COL(C_Y) && !aw_parse_double(COL(C_Y), &v))
		x->y = v;
#undef COL
	return 0;
}

int aw_config_add_sensors_csv(struct aw_config *c, const char *file)
{
	struct scsv s = { .c = c, .file = file };
	if (aw_csv_file(file, ',', scsv_row, &s) < 0 || s.header_bad)
		return -1;
	return s.errors ? 1 : 0;
}
