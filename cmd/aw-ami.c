/* aw-ami: customer meter reads (`reading` records of kind volume) in; day features per
 * account, customer-side leak and meter events (source ami) and consumption per DMA and
 * day (`ami_volume`) out. The work is in lib/aw_ami.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_ami.h"
#include "aw_csv.h"
#include "aw_net.h"

enum { O_DMA = AW_LONG, O_TZ, O_CONTINUOUS, O_MIN_FLOW, O_ACTIVE, O_ZERO, O_NEIGHBOURS,
	O_REVERSE, O_MAX_GAP, O_WRITE };

static const struct aw_opt opts[] = {
	{ 'a', "accounts", "FILE", "accounts CSV (account, node and/or dma columns; default: accounts in the configuration)" },
	{ 'N', "network", "FILE", "EPANET .inp giving the DMA of each account's node (default: network in the configuration)" },
	{ O_DMA, "dma", "NAME", "DMA of accounts that have none (default unassigned)" },
	{ O_TZ, "tz", "ZONE", "time zone of days and nights (default: the configuration's, else UTC)" },
	{ O_CONTINUOUS, "continuous", "DUR", "continuous flow this long is a leak (default thresholds.ami.continuous_hours, else 48h)" },
	{ O_MIN_FLOW, "min-flow", "L", "litres in an hour for it to count as flowing (default 1)" },
	{ O_ACTIVE, "active-share", "X", "no leak from accounts that flowed in more than X of their hours of the week before (default 0.75)" },
	{ O_ZERO, "zero", "DUR", "no consumption this long is a stopped meter (default 7d)" },
	{ O_NEIGHBOURS, "neighbours", "X", "a zero streak is a stopped meter only when other accounts of its DMA flowed in X of its hours (default 0.5)" },
	{ O_REVERSE, "reverse", "L", "the index running back more than L litres is reverse flow (default 10)" },
	{ O_MAX_GAP, "max-gap", "DUR", "reads further apart leave the hours between unknown (default 3h)" },
	{ O_WRITE, "write", "LIST", "records to write: features,events,volumes (default all three)" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] [-a ACCOUNTS] [-N NET.inp] [--continuous DUR] [--zero DUR] [--write LIST] [FILE...]",
	"Customer meters: day features, customer-side leaks, stopped and reversed meters, DMA volumes.",
	opts, NULL,
};

enum { W_FEATURES = 1, W_EVENTS = 2, W_VOLUMES = 4 };

static void on_day(const struct aw_ami_day *d, void *ctx)
{
	if (*(int *)ctx & W_FEATURES)
		aw_ami_day_write(aw_out, d);
}

static void on_event(const struct aw_ami_event *e, void *ctx)
{
	if (*(int *)ctx & W_EVENTS)
		aw_ami_event_write(aw_out, e);
}

static void on_volume(const struct aw_ami_volume *v, void *ctx)
{
	if (*(int *)ctx & W_VOLUMES)
		aw_ami_volume_write(aw_out, v);
}

struct accounts_ctx {
	struct aw_ami *ami;
	struct aw_net *net;
	long col_account, col_node, col_dma;
	int header, bad;
	long unknown_nodes;
};

static long column(const struct aw_csv_row *row, const char *name)
{
	for (size_t i = 0; i < row->n; i++)
		if (aw_strcaseeq(aw_trim(row->f[i]), name))
			return (long)i;
	return -1;
}

static int account_row(const struct aw_csv_row *row, void *arg)
{
	struct accounts_ctx *c = arg;
	if (!c->header) {
		c->header = 1;
		c->col_account = column(row, "account");
		c->col_node = column(row, "node");
		c->col_dma = column(row, "dma");
		if (c->col_account < 0) {
			aw_error_at(row->file, row->line, "accounts table without an account column");
			c->bad = 1;
			return 1;
		}
		return 0;
	}
	if ((size_t)c->col_account >= row->n || !*aw_trim(row->f[c->col_account])) {
		aw_error_at(row->file, row->line, "row without an account");
		return 0;
	}
	const char *dma = NULL;
	if (c->col_dma >= 0 && (size_t)c->col_dma < row->n && *aw_trim(row->f[c->col_dma]))
		dma = row->f[c->col_dma];
	else if (c->net && c->col_node >= 0 && (size_t)c->col_node < row->n) {
		size_t k;
		const char *node = aw_trim(row->f[c->col_node]);
		if (aw_net_node(c->net, node, &k)) {
			if (c->net->nodes[k].dma >= 0)
				dma = c->net->dmas[c->net->nodes[k].dma].id;
		} else if (c->unknown_nodes++ < 5) {
			aw_error_at(row->file, row->line, "node %s is not in %s", node, c->net->file);
		}
	}
	aw_ami_account(c->ami, row->f[c->col_account], dma);
	return 0;
}

static long arg_hours(const char *opt, const char *s)
{
	long v = aw_arg_duration(opt, s);
	if (v < 3600 || v % 3600)
		aw_usage_error("%s takes whole hours (48h, 7d): %s", opt, s);
	return v / 3600;
}

static double arg_share(const char *opt, const char *s)
{
	double v = aw_arg_double(opt, s);
	if (!(v >= 0 && v <= 1))
		aw_usage_error("%s takes a share from 0 to 1: %s", opt, s);
	return v;
}

int main(int argc, char **argv)
{
	struct aw_ami_opts o;
	const char *arg, *accounts = NULL, *network = NULL, *tz = NULL;
	long continuous = 0, zero = 0;
	double min_flow = NAN, active = NAN, reverse = NAN;
	int i = 1, c, write = W_FEATURES | W_EVENTS | W_VOLUMES;

	aw_ami_defaults(&o);
	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 'a':
			accounts = arg;
			break;
		case 'N':
			network = arg;
			break;
		case O_DMA:
			o.dma = arg;
			break;
		case O_TZ:
			if (aw_tz_set(arg))
				aw_usage_error("unknown time zone: %s", arg);
			tz = arg;
			break;
		case O_CONTINUOUS:
			continuous = arg_hours("--continuous", arg);
			break;
		case O_MIN_FLOW:
			min_flow = aw_arg_double("--min-flow", arg);
			if (!(min_flow > 0))
				aw_usage_error("--min-flow must be positive: %s", arg);
			break;
		case O_ACTIVE:
			active = arg_share("--active-share", arg);
			break;
		case O_ZERO:
			zero = arg_hours("--zero", arg);
			break;
		case O_NEIGHBOURS:
			o.neighbour_share = arg_share("--neighbours", arg);
			break;
		case O_REVERSE:
			reverse = aw_arg_double("--reverse", arg);
			if (!(reverse >= 0))
				aw_usage_error("--reverse must not be negative: %s", arg);
			break;
		case O_MAX_GAP:
			o.max_gap = aw_arg_duration("--max-gap", arg);
			if (o.max_gap < 3600)
				aw_usage_error("--max-gap must be at least 1h: %s", arg);
			break;
		case O_WRITE: {
			write = 0;
			for (const char *p = arg; *p;) {
				size_t n = strcspn(p, ",");
				if (n == 8 && !strncmp(p, "features", n))
					write |= W_FEATURES;
				else if (n == 6 && !strncmp(p, "events", n))
					write |= W_EVENTS;
				else if (n == 7 && !strncmp(p, "volumes", n))
					write |= W_VOLUMES;
				else
					aw_usage_error("--write takes features, events and volumes: %s", arg);
				p += n + (p[n] == ',');
			}
			break;
		}
		}
	}
	struct aw_config *cfg = aw_config_load(NULL);
	if (tz)
		aw_tz_set(tz);
	o.continuous_h = continuous ? continuous :
	    (long)aw_config_num(cfg, "thresholds.ami.continuous_hours", (double)o.continuous_h);
	o.min_lph = !isnan(min_flow) ? min_flow : aw_config_num(cfg, "thresholds.ami.min_lph", o.min_lph);
	o.active_share = !isnan(active) ? active :
	    aw_config_num(cfg, "thresholds.ami.active_share", o.active_share);
	o.zero_h = zero ? zero : (long)(24 * aw_config_num(cfg, "thresholds.ami.zero_days",
	    (double)o.zero_h / 24));
	o.reverse_l = !isnan(reverse) ? reverse : aw_config_num(cfg, "thresholds.ami.reverse_l", o.reverse_l);
	if (o.continuous_h < 1 || o.zero_h < 1 || !(o.min_lph > 0) || !(o.active_share >= 0) ||
	    !(o.reverse_l >= 0))
		aw_die(1, "%s: thresholds.ami: bad value", cfg->path ? cfg->path : "configuration");

	char *cfg_accounts = NULL;
	if (!accounts && aw_config_str(cfg, "accounts", NULL))
		accounts = cfg_accounts = aw_config_file(cfg, aw_config_str(cfg, "accounts", NULL));

	struct aw_ami_cb cb = { on_day, on_event, on_volume, &write };
	struct aw_ami *ami = aw_ami_new(&o, &cb);
	struct aw_net *net = NULL;
	if (accounts && (network || cfg->network)) {
		char *path = network ? aw_strdup(network) : aw_config_file(cfg, cfg->network);
		net = aw_net_load(path);
		free(path);
		if (!net) {
			aw_ami_free(ami);
			aw_config_free(cfg);
			free(cfg_accounts);
			return aw_finish() ? 1 : 1;
		}
		struct aw_inlet *inlets = NULL;
		size_t ninlets = aw_net_config_inlets(cfg, &inlets, 0);
		aw_net_dmas_derive(net, inlets, ninlets, cfg->path);
		free(inlets);
	} else if (network) {
		aw_usage_error("-N needs -a: the accounts table says which node each account is on");
	}
	if (accounts) {
		struct accounts_ctx ac = { .ami = ami, .net = net };
		if (aw_csv_file(accounts, 0, account_row, &ac) < 0 || ac.bad || !ac.header) {
			if (!ac.header)
				aw_error_at(accounts, 0, "empty accounts table");
			aw_net_free(net);
			aw_ami_free(ami);
			aw_config_free(cfg);
			free(cfg_accounts);
			return aw_finish() ? 1 : 1;
		}
		if (ac.unknown_nodes > 5)
			aw_warn("%s: %ld nodes in all are not in the network", accounts, ac.unknown_nodes);
	}
	aw_net_free(net);

	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	struct aw_record r = { 0 };
	unsigned long long n = 0;
	long order_errors = 0;
	while (aw_read(in, &r)) {
		aw_progress(++n, "records");
		if (!aw_is(&r, "type", "reading") || !aw_is(&r, "kind", "volume")) {
			aw_w_line(aw_out, r.line, r.len);
			continue;
		}
		const char *account = aw_get_str(&r, "sensor"), *ts = aw_get_str(&r, "ts");
		const char *qc = aw_get_str(&r, "qc");
		int64_t t;
		int zoned;
		double v = NAN;
		if (!account || !ts || aw_parse_time(ts, strlen(ts), &t, &zoned)) {
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in), "volume reading without sensor or ts");
			continue;
		}
		int usable = aw_get_num(&r, "value", &v) && (!qc || !strcmp(qc, "ok") ||
		    !strcmp(qc, "filled") || !strcmp(qc, "stuck"));
		if (aw_ami_add(ami, account, aw_get_str(&r, "dma"), t, v, usable) < 0 &&
		    order_errors++ < 10)
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in),
			    "read of %s at %s is not later than the one before, skipped", account, ts);
	}
	aw_ami_finish(ami);
	aw_progress_done();
	if (order_errors > 10)
		aw_warn("%ld reads out of time order in all (first 10 shown)", order_errors);
	aw_record_free(&r);
	aw_reader_close(in);
	aw_ami_free(ami);
	aw_config_free(cfg);
	free(cfg_accounts);
	return aw_finish();
}
