/* aw-features: `reading` records in, one `features` record per sensor and step out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_features.h"
#include "aw_net.h"

enum { O_STEP = AW_LONG, O_INTERVAL, O_LATENESS, O_FROM, O_TZ };

static const struct aw_opt opts[] = {
	{ O_STEP, "step", "DUR", "feature step, dividing one hour (default 15m)" },
	{ O_INTERVAL, "interval", "DUR", "sampling interval of the readings (default: learned per sensor)" },
	{ O_LATENESS, "lateness", "DUR", "how far a reading may lag behind the newest one (default 0)" },
	{ 's', "sensors", "FILE", "sensor table CSV (sensor,kind,x,y,dma,...) in addition to the configuration" },
	{ 'N', "network", "FILE", "EPANET .inp: neighbours along the pipe graph, DMAs (default: network in the configuration)" },
	{ 'n', "neighbours", "FILE", "neighbour table CSV (sensor,neighbour[,side])" },
	{ 'k', "nearest", "N", "neighbours by distance when none are configured (default 3, 0: none)" },
	{ O_TZ, "tz", "ZONE", "time zone of night, hour and weekday (default: the configuration's, else UTC)" },
	{ O_FROM, "from", "TIME", "write steps from TIME on; earlier ones only warm up the windows" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] [-s SENSORS] [-N NET.inp] [-n NEIGHBOURS] [--step DUR] [--from TIME] [FILE...]",
	"Compute leak-detection features per sensor and step from reading records.",
	opts, NULL,
};

static void write_row(const struct aw_features_row *row, void *ctx)
{
	aw_features_write(aw_out, row);
}

/* the network's graph, DMAs and elevations; -1 when it cannot be read */
static int use_network(struct aw_features *f, const struct aw_config *cfg, const char *file)
{
	char *path = file ? aw_strdup(file) : aw_config_file(cfg, cfg->network);
	struct aw_net *net = aw_net_load(path);
	free(path);
	if (!net)
		return -1;
	aw_net_add_config_sensors(net, cfg);
	if (!net->nsensors)
		aw_net_sensors_from_tags(net, 0);
	struct aw_inlet *inlets = NULL;
	size_t ninlets = aw_net_config_inlets(cfg, &inlets, 0);
	aw_net_dmas_derive(net, inlets, ninlets, cfg->path);
	aw_features_use_network(f, net);
	free(inlets);
	aw_net_free(net);
	return 0;
}

int main(int argc, char **argv)
{
	const char *arg, *sensors = NULL, *nbfile = NULL, *tz = NULL, *network = NULL;
	const char *from_arg = NULL;
	long step = 900, interval = 0, lateness = 0, k = 3;
	int64_t from = INT64_MIN;
	int i = 1, c;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case O_STEP:
			step = aw_arg_duration("--step", arg);
			if (step <= 0 || 3600 % step)
				aw_usage_error("--step must divide one hour: %s", arg);
			break;
		case O_INTERVAL:
			interval = aw_arg_duration("--interval", arg);
			if (interval <= 0)
				aw_usage_error("--interval must be positive: %s", arg);
			break;
		case O_LATENESS:
			lateness = aw_arg_duration("--lateness", arg);
			if (lateness < 0 || lateness > 86400)
				aw_usage_error("--lateness must be between 0 and one day: %s", arg);
			break;
		case 's':
			sensors = arg;
			break;
		case 'n':
			nbfile = arg;
			break;
		case 'N':
			network = arg;
			break;
		case 'k':
			k = aw_arg_long("--nearest", arg, 0, 1000);
			break;
		case O_TZ:
			if (aw_tz_set(arg))
				aw_usage_error("unknown time zone: %s", arg);
			tz = arg;
			break;
		case O_FROM: {
			int zoned;
			if (aw_parse_time(arg, strlen(arg), &from, &zoned))
				aw_usage_error("--from takes a time (2018-03-01T00:00:00Z): %s", arg);
			from_arg = arg;
			break;
		}
		}
	}
	struct aw_config *cfg = aw_config_load(NULL);
	if (tz)
		aw_tz_set(tz);
	if (from_arg) {	/* a time without a zone is local: known only now */
		int zoned;
		aw_parse_time(from_arg, strlen(from_arg), &from, &zoned);
		if (!zoned)
			from = aw_tz_to_utc(from, NULL, NULL);
	}
	struct aw_features_opts o;
	aw_features_defaults(&o, cfg);
	o.step = step;
	o.interval = interval;
	o.lateness = lateness;
	o.k = (int)k;
	o.from = from;
	struct aw_features *f = aw_features_new(cfg, &o, write_row, NULL);
	/* a bad sensor or neighbour table or network: nothing is computed from the input */
	int ready = !(sensors && aw_config_add_sensors_csv(cfg, sensors)) &&
	    !(nbfile && aw_features_neighbours_csv(f, nbfile)) &&
	    !((network || cfg->network) && use_network(f, cfg, network));
	if (ready) {
		struct aw_reader *in = aw_reader_open(argv + i, argc - i);
		struct aw_record r = { 0 };
		unsigned long long n = 0;
		while (aw_read(in, &r)) {
			aw_progress(++n, "records");
			if (!aw_features_record(f, &r, aw_reader_name(in), aw_reader_lineno(in)))
				aw_w_line(aw_out, r.line, r.len);
		}
		aw_features_finish(f);
		aw_progress_done();
		aw_record_free(&r);
		aw_reader_close(in);
	} else {
		aw_rval = 1;
	}
	aw_features_free(f);
	aw_config_free(cfg);
	return aw_finish();
}
