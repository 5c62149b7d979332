/* aw-rules: the methodology's threshold rules on features records; one `probability`
 * record per DMA and step, shaped like aw-prob's. */
#include <string.h>

#include "aw.h"
#include "aw_rules.h"

enum { O_PASS = AW_LONG };

static const struct aw_opt opts[] = {
	{ 'T', "threshold", "RULE=VALUE", "override a threshold of thresholds.rules (repeatable)" },
	{ O_PASS, "pass", NULL, "pass the input records through as well" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] [-T RULE=VALUE]... [--pass] [FILE...]",
	"Apply the leak rules to features records: one probability record per DMA and step.",
	opts, NULL,
};

static void write_step(const struct aw_rules_step *st, void *ctx)
{
	aw_rules_write(aw_out, st);
}

int main(int argc, char **argv)
{
	const char *arg;
	const char *over[64];
	int nover = 0, pass = 0, i = 1, c;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 'T':
			if (nover == (int)AW_NELEM(over))
				aw_usage_error("too many -T options");
			over[nover++] = arg;
			break;
		case O_PASS:
			pass = 1;
			break;
		}
	}
	struct aw_config *cfg = aw_config_load(NULL);
	double th[AW_NRULES];
	aw_rules_thresholds(cfg, th);
	for (int k = 0; k < nover; k++) {
		const char *eq = strchr(over[k], '=');
		char name[64];
		double v;
		if (!eq || (size_t)(eq - over[k]) >= sizeof name)
			aw_usage_error("--threshold takes RULE=VALUE: %s", over[k]);
		memcpy(name, over[k], (size_t)(eq - over[k]));
		name[eq - over[k]] = 0;
		int r = aw_rule_find(name);
		if (r < 0)
			aw_usage_error("unknown rule: %s (pressure_drop, drop_rate, night_day_ratio, "
			    "mnf_deviation, gradient_anomaly)", name);
		if (aw_parse_double(eq + 1, &v) || v != v)
			aw_usage_error("--threshold %s: not a number: %s", name, eq + 1);
		th[r] = v;
	}
	struct aw_rules_eval *e = aw_rules_eval_new(th, write_step, NULL);
	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	struct aw_record r = { 0 };
	unsigned long long n = 0;
	while (aw_read(in, &r)) {
		aw_progress(++n, "records");
		aw_rules_eval_record(e, &r, aw_reader_name(in), aw_reader_lineno(in));
		if (pass)
			aw_w_line(aw_out, r.line, r.len);
	}
	aw_rules_eval_finish(e);
	aw_progress_done();
	aw_record_free(&r);
	aw_reader_close(in);
	aw_rules_eval_free(e);
	aw_config_free(cfg);
	return aw_finish();
}
