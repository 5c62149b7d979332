/* aw-event: consecutive high-probability steps of a DMA become one `event`. */
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_event.h"

enum { O_ON = AW_LONG, O_OFF, O_MIN, O_GAP, O_PASS, O_SOURCE };

static const struct aw_opt opts[] = {
	{ O_ON, "on", "P", "p_leak that raises an event (default thresholds.probability, else 0.5)" },
	{ O_OFF, "off", "P", "p_leak under which an event ends (default 0.6 x --on)" },
	{ O_MIN, "min-steps", "N", "steps at or above --on before an event is raised (default 2)" },
	{ O_GAP, "max-gap", "DUR", "time under --off that does not end an event (default 1h)" },
	{ O_SOURCE, "source", "NAME", "source written into the events (default: rules or prob, from the model)" },
	{ O_PASS, "pass", NULL, "pass the input records through as well" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] [--on P] [--off P] [--min-steps N] [--max-gap DUR] [--pass] [FILE...]",
	"Turn probability records into event records: one per run of high-probability steps of a DMA.",
	opts, NULL,
};

static void out(const struct aw_event *e, void *ctx)
{
	(void)ctx;
	aw_event_write(aw_out, e);
}

struct sens {
	char **v;
	int n, cap;
};

static void collect(const char *s, void *ctx)
{
	struct sens *c = ctx;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = aw_reallocarray(c->v, (size_t)c->cap, sizeof *c->v);
	}
	c->v[c->n++] = aw_strdup(s);
}

int main(int argc, char **argv)
{
	struct aw_event_opts o = { .on = -1, .off = -1, .min_steps = 2, .max_gap = 3600 };
	int pass = 0, i = 1, c;
	const char *arg;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case O_ON:
			o.on = aw_arg_double("--on", arg);
			break;
		case O_OFF:
			o.off = aw_arg_double("--off", arg);
			break;
		case O_MIN:
			o.min_steps = (int)aw_arg_long("--min-steps", arg, 1, 1000000);
			break;
		case O_GAP:
			if (aw_parse_duration(arg, &o.max_gap))
				aw_usage_error("--max-gap: not a duration: %s", arg);
			break;
		case O_SOURCE:
			o.source = arg;
			break;
		case O_PASS:
			pass = 1;
			break;
		}
	}
	struct aw_config *cfg = aw_config_load(NULL);
	if (o.on < 0)
		o.on = aw_config_num(cfg, "thresholds.probability", 0.5);
	if (o.off < 0)
		o.off = 0.6 * o.on;
	if (o.on <= 0 || o.on > 1 || o.off < 0 || o.off > o.on)
		aw_usage_error("need 0 <= --off <= --on <= 1 and --on > 0");

	struct aw_eventer *ev = aw_eventer_new(&o, out, NULL);
	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	struct aw_record r = { 0 };
	struct sens s = { 0 };
	unsigned long long n = 0;
	while (aw_read(in, &r)) {
		aw_progress(++n, "records");
		if (pass)
			aw_w_line(aw_out, r.line, r.len);
		if (!aw_is(&r, "type", "probability"))
			continue;
		const char *dma = aw_get_str(&r, "dma"), *ts = aw_get_str(&r, "ts");
		double p;
		int64_t t;
		int zoned;
		if (!dma || !ts || aw_parse_time(ts, strlen(ts), &t, &zoned) || !aw_get_num(&r, "p_leak", &p)) {
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in),
			    "probability record needs ts, dma and a numeric p_leak");
			continue;
		}
		if (!(p >= 0 && p <= 1)) {
			const struct aw_field *f = aw_get(&r, "p_leak");
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in),
			    "p_leak outside 0 to 1: %.*s", (int)f->vlen, f->val);
			continue;
		}
		for (int k = 0; k < s.n; k++)
			free(s.v[k]);
		s.n = 0;
		aw_field_str_array(&r, aw_get(&r, "sensors"), collect, &s);
		if (aw_eventer_step(ev, dma, t, p, aw_get_str(&r, "model"), (const char *const *)s.v, s.n))
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in),
			    "duplicate or out-of-order step %s for DMA %s, skipped", ts, dma);
	}
	aw_eventer_finish(ev);
	aw_eventer_free(ev);
	for (int k = 0; k < s.n; k++)
		free(s.v[k]);
	free(s.v);
	aw_record_free(&r);
	aw_reader_close(in);
	aw_config_free(cfg);
	return aw_finish();
}
