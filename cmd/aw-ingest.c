/* aw-ingest: historian CSV, BattLeDIM, GECCO, BWDF, DAIAD and AMR files in, `reading`
 * records with QC flags out. */
#include <string.h>

#include "aw.h"
#include "aw_ingest.h"

enum { O_UTC = AW_LONG, O_TZ, O_QCREPORT, O_NOQC, O_STEP, O_STATS, O_DC };

static const struct aw_opt opts[] = {
	{ 'f', "format", "FORMAT", "input format: auto, wide, long, battledim, gecco, bwdf, daiad, amr (default auto)" },
	{ 's', "sensors", "FILE", "sensor table CSV (sensor,kind,unit,node,...) in addition to the configuration" },
	{ 'd', "delimiter", "CHAR", "field delimiter (default: guessed from the header line)" },
	{ O_DC, "decimal-comma", NULL, "numbers use a decimal comma (default for ';'-separated files)" },
	{ O_UTC, "utc", NULL, "timestamps without a zone are UTC" },
	{ O_TZ, "tz", "ZONE", "timestamps without a zone are local time in this IANA zone" },
	{ O_STEP, "step", "DUR", "expected sampling step (default: learned per sensor)" },
	{ O_NOQC, "no-qc", NULL, "flag only missing values, no spike/stuck/range/drift checks" },
	{ O_QCREPORT, "qc-report", "FILE", "write per sensor/day completeness and per sensor QC counts to FILE" },
	{ O_STATS, "stats", NULL, "print the QC summary table on stderr" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] [-f FORMAT] [-s SENSORS] [--utc | --tz ZONE] [--qc-report FILE] [FILE...]",
	"Read historian exports and write `reading` records in canonical units with QC flags.",
	opts, NULL,
};

int main(int argc, char **argv)
{
	struct aw_ingest_opts o = { .qc = 1 };
	const char *arg, *sensors = NULL;
	int i = 1, c;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 'f':
			if (aw_format_parse(arg, &o.format))
				aw_usage_error("unknown format: %s", arg);
			break;
		case 's':
			sensors = arg;
			break;
		case 'd':
			if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
				arg = "\t";
			if (strlen(arg) != 1)
				aw_usage_error("--delimiter takes one character: %s", arg);
			o.delim = (unsigned char)arg[0];
			break;
		case O_DC:
			o.decimal_comma = 1;
			break;
		case O_UTC:
			o.utc = 1;
			break;
		case O_TZ:
			if (aw_tz_set(arg))
				aw_usage_error("unknown time zone: %s", arg);
			o.tz = arg;
			break;
		case O_STEP:
			o.step = aw_arg_duration("--step", arg);
			break;
		case O_NOQC:
			o.qc = 0;
			break;
		case O_QCREPORT:
			o.qc_report = arg;
			break;
		case O_STATS:
			o.stats = 1;
			break;
		}
	}
	if (o.utc && o.tz)
		aw_usage_error("--utc and --tz exclude each other");
	struct aw_config *cfg = aw_config_load(NULL);
	if (sensors && aw_config_add_sensors_csv(cfg, sensors) < 0)
		return aw_finish() ? 1 : 1;
	o.stats = o.stats && !aw_opt_quiet;
	struct aw_ingest *g = aw_ingest_new(cfg, &o);
	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	aw_ingest_run(g, in);
	aw_ingest_finish(g);
	aw_reader_close(in);
	aw_config_free(cfg);
	return aw_finish();
}
