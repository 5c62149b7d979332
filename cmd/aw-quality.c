/* aw-quality: water-quality features per sensor and step (`features`), and quality events
 * with their sensor-fault check (`detect`) from readings, or from features records with
 * the anomaly records of aw-anomaly. The work is in lib/aw_quality.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_quality.h"

enum { O_STEP = AW_LONG, O_WINDOW, O_CHANGE_STEPS, O_FREEZE, O_DAYS, O_DMA, O_TZ, O_Z,
	O_CHANGE, O_ROUGH, O_MIN_STEPS, O_MAX_GAP, O_KINDS, O_PASS, O_NO_DAILY, O_NO_LIMITS };

static const struct aw_opt opts[] = {
	{ 's', "sensors", "FILE", "sensor table CSV (sensor,node,link,kind,unit,...) in addition to the configuration" },
	{ O_STEP, "step", "DUR", "feature step, dividing one day (default 15m)" },
	{ O_WINDOW, "window", "DUR", "baseline window (default 2h)" },
	{ O_CHANGE_STEPS, "change-steps", "N", "change measured over N steps (default 4)" },
	{ O_FREEZE, "freeze", "DUR", "longest time an unusual level keeps the baseline frozen (default 6h)" },
	{ O_DAYS, "days", "N", "previous days of the same-hour baseline (default 7)" },
	{ O_DMA, "dma", "NAME", "group of sensors without a DMA (default: none; events: unassigned)" },
	{ O_TZ, "tz", "ZONE", "time zone of the hour of day (default: the configuration's, else UTC)" },
	{ O_Z, "z", "K", "detect: deviation rule at |z| >= K (default thresholds.quality.z, else 6; 0 off)" },
	{ O_NO_DAILY, "no-daily", NULL, "detect: deviation from the recent baseline alone, not also from the same hour of previous days" },
	{ O_NO_LIMITS, "no-limits", NULL, "detect: no events from the regulatory limits" },
	{ O_CHANGE, "change", "K", "detect: change rule at |change_z| >= K (default 0: off)" },
	{ O_ROUGH, "rough", "K", "detect: oscillation rule at rough >= K (default 0: off)" },
	{ O_MIN_STEPS, "min-steps", "N", "detect: steps at a rule before an event is raised (default 2)" },
	{ O_MAX_GAP, "max-gap", "DUR", "detect: time without a rule that does not end an event (default 0)" },
	{ O_KINDS, "kinds", "LIST", "detect: parameters (default chlorine,turbidity,ph,conductivity,redox)" },
	{ O_PASS, "pass", NULL, "detect: pass the input records through as well" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cmd cmds[] = {
	{ "features", "reading records in, one features record per quality sensor and step out" },
	{ "detect", "quality events and their validation from readings or features (the default)" },
	{ NULL, NULL },
};

static const struct aw_cli cli = {
	"features [-c CONFIG] [-s SENSORS] [--step DUR] [--window DUR] [--dma NAME] [FILE...]\n"
	"[detect] [-c CONFIG] [-s SENSORS] [--z K] [--change K] [--rough K] [--min-steps N] [--pass] [FILE...]",
	"Water-quality features, and quality events with a sensor-fault check.",
	opts, cmds,
};

static void write_rows(struct aw_qrow *rows, size_t n, void *ctx)
{
	for (size_t i = 0; i < n; i++)
		aw_qrow_write(aw_out, &rows[i]);
}

static void detect_rows(struct aw_qrow *rows, size_t n, void *ctx)
{
	aw_qdetect_step(ctx, rows, n);
}

static void write_event(const struct aw_qevent *e, void *ctx)
{
	aw_qevent_write(aw_out, e);
	aw_qvalidation_write(aw_out, e);
}

/* rows of one step from features records, strings kept until the step is handed on */
struct stepbuf {
	struct aw_qrow *rows;
	size_t n, cap;
	struct aw_map names;
	char **name_v;
	size_t nname;
	int64_t ts;
};

static const char *keep(struct stepbuf *b, const char *s)
{
	size_t i;
	if (!s)
		return NULL;
	if (aw_map_get(&b->names, s, &i))
		return b->name_v[i];
	b->name_v = aw_reallocarray(b->name_v, b->nname + 1, sizeof *b->name_v);
	b->name_v[b->nname] = aw_strdup(s);
	aw_map_put(&b->names, s, b->nname);
	return b->name_v[b->nname++];
}

static void flush(struct stepbuf *b, struct aw_qdetector *d)
{
	aw_qdetect_step(d, b->rows, b->n);
	b->n = 0;
}

static void add_row(struct stepbuf *b, struct aw_qdetector *d, const struct aw_qrow *row)
{
	if (b->n && row->ts != b->ts)
		flush(b, d);
	b->ts = row->ts;
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->rows = aw_reallocarray(b->rows, b->cap, sizeof *b->rows);
	}
	struct aw_qrow *r = &b->rows[b->n++];
	*r = *row;
	r->sensor = keep(b, row->sensor);
	r->dma = keep(b, row->dma);
	r->kind = keep(b, row->kind);
}

/* an anomaly record belongs to the row of its sensor in the buffered step */
static int add_anomaly(struct stepbuf *b, struct aw_record *r)
{
	const char *sensor = aw_get_str(r, "sensor"), *ts = aw_get_str(r, "ts");
	int64_t t;
	int zoned;
	double score;
	if (!sensor || !ts || aw_parse_time(ts, strlen(ts), &t, &zoned) || !b->n || t != b->ts)
		return 0;
	for (size_t i = b->n; i-- > 0;)
		if (strcmp(b->rows[i].sensor, sensor) == 0) {
			b->rows[i].anomalous = aw_get_bool(r, "anomalous") == 1;
			if (aw_get_num(r, "score", &score))
				b->rows[i].ascore = score;
			return 1;
		}
	return 0;
}

static int64_t arg_duration(const char *opt, const char *s, long lo)
{
	long v = aw_arg_duration(opt, s);
	if (v < lo)
		aw_usage_error("%s must be at least %lds: %s", opt, lo, s);
	return v;
}

int main(int argc, char **argv)
{
	struct aw_qf_opts fo;
	const char *arg, *sensors = NULL, *tz = NULL, *kinds = NULL;
	double kz = NAN, kc = NAN, kr = NAN;
	long min_steps = -1, max_gap = -1;
	int i = 1, c, pass = 0, detect_only = 0, no_daily = 0, no_limits = 0;

	aw_qf_defaults(&fo);
	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 's':
			sensors = arg;
			break;
		case O_STEP:
			fo.step = arg_duration("--step", arg, 1);
			if (86400 % fo.step)
				aw_usage_error("--step must divide one day: %s", arg);
			break;
		case O_WINDOW:
			fo.window = arg_duration("--window", arg, 1);
			break;
		case O_CHANGE_STEPS:
			fo.rate_steps = (int)aw_arg_long("--change-steps", arg, 1, 1000);
			break;
		case O_FREEZE:
			fo.freeze = arg_duration("--freeze", arg, 0);
			break;
		case O_DAYS:
			fo.days = (int)aw_arg_long("--days", arg, 1, 31);
			break;
		case O_DMA:
			fo.dma = arg;
			break;
		case O_TZ:
			if (aw_tz_set(arg))
				aw_usage_error("unknown time zone: %s", arg);
			tz = arg;
			break;
		case O_Z:
			kz = aw_arg_double("--z", arg);
			detect_only = 1;
			break;
		case O_CHANGE:
			kc = aw_arg_double("--change", arg);
			detect_only = 1;
			break;
		case O_ROUGH:
			kr = aw_arg_double("--rough", arg);
			detect_only = 1;
			break;
		case O_MIN_STEPS:
			min_steps = aw_arg_long("--min-steps", arg, 1, 1000000);
			detect_only = 1;
			break;
		case O_MAX_GAP:
			max_gap = arg_duration("--max-gap", arg, 0);
			detect_only = 1;
			break;
		case O_KINDS:
			kinds = arg;
			detect_only = 1;
			break;
		case O_NO_DAILY:
			no_daily = 1;
			detect_only = 1;
			break;
		case O_NO_LIMITS:
			no_limits = 1;
			detect_only = 1;
			break;
		case O_PASS:
			pass = 1;
			detect_only = 1;
			break;
		}
	}
	int features = i < argc && strcmp(argv[i], "features") == 0;
	if (features || (i < argc && strcmp(argv[i], "detect") == 0))
		i++;
	if (features && detect_only)
		aw_usage_error("--z, --no-daily, --no-limits, --change, --rough, --min-steps, --max-gap, --kinds and --pass are for detect");
	if ((kz < 0) || (kc < 0) || (kr < 0))
		aw_usage_error("rule thresholds must not be negative");

	struct aw_config *cfg = aw_config_load(NULL);
	if (tz)
		aw_tz_set(tz);
	if (sensors && aw_config_add_sensors_csv(cfg, sensors)) {
		aw_config_free(cfg);
		return aw_finish() ? 1 : 1;
	}

	struct aw_qdetect_opts dopt;
	aw_qdetect_defaults(&dopt, cfg);
	if (!isnan(kz))
		dopt.k_z = kz;
	if (!isnan(kc))
		dopt.k_change = kc;
	if (!isnan(kr))
		dopt.k_rough = kr;
	if (no_daily)
		dopt.daily = 0;
	if (no_limits)
		dopt.limits = 0;
	if (min_steps > 0)
		dopt.min_steps = (int)min_steps;
	if (max_gap >= 0)
		dopt.max_gap = max_gap;
	if (kinds && (dopt.kinds = aw_qkinds_parse(kinds)) < 0)
		aw_usage_error("--kinds: unknown parameter in %s (chlorine, turbidity, ph, conductivity, redox, temperature)", kinds);
	if (fo.dma)
		dopt.dma = fo.dma;

	struct aw_qdetector *det = NULL;
	struct aw_qfeatures *f;
	if (features) {
		f = aw_qfeatures_new(cfg, &fo, write_rows, NULL);
	} else {
		det = aw_qdetect_new(cfg, &dopt, write_event, NULL);
		f = aw_qfeatures_new(cfg, &fo, detect_rows, det);
	}

	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	struct aw_record r = { 0 };
	struct stepbuf buf = { 0 };
	unsigned long long n = 0;
	int from_features = 0, from_readings = 0;
	while (aw_read(in, &r)) {
		aw_progress(++n, "records");
		if (features) {
			if (!aw_qfeatures_record(f, &r, aw_reader_name(in), aw_reader_lineno(in)))
				aw_w_line(aw_out, r.line, r.len);
			continue;
		}
		if (pass)
			aw_w_line(aw_out, r.line, r.len);
		if (aw_is(&r, "type", "features")) {
			struct aw_qrow row;
			if (aw_qrow_parse(&r, &row))
				continue;
			if (buf.n && row.ts < buf.ts) {
				aw_error_at(aw_reader_name(in), aw_reader_lineno(in),
				    "features record out of time order, skipped");
				continue;
			}
			from_features = 1;
			add_row(&buf, det, &row);
		} else if (aw_is(&r, "type", "anomaly")) {
			add_anomaly(&buf, &r);
		} else if (aw_qfeatures_record(f, &r, aw_reader_name(in), aw_reader_lineno(in))) {
			from_readings = 1;
		}
	}
	aw_qfeatures_finish(f);
	if (det) {
		if (buf.n)
			flush(&buf, det);
		aw_qdetect_finish(det);
	}
	aw_progress_done();
	if (from_features && from_readings)
		aw_warn("both readings and features records came in: each step was counted once per source");
	unsigned long late = aw_qfeatures_late(f);
	if (late)
		aw_warn("%lu reading%s came after %s step had been closed: not used", late,
		    late == 1 ? "" : "s", late == 1 ? "its" : "their");
	aw_record_free(&r);
	aw_reader_close(in);
	aw_qfeatures_free(f);
	aw_qdetect_free(det);
	free(buf.rows);
	for (size_t k = 0; k < buf.nname; k++)
		free(buf.name_v[k]);
	free(buf.name_v);
	aw_map_free(&buf.names);
	aw_config_free(cfg);
	return aw_finish();
}
