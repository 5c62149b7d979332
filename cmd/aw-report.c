/* aw-report: water balance, NRW, night flow and ILI per DMA; water-quality compliance;
 * alert and work-order KPIs; model monitoring. Markdown, HTML with SVG charts, CSV, JSON. */
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_report.h"

static const struct aw_opt opts[] = {
	{ 'p', "period", "PERIOD", "2019-01 (month), 2019 (year), 2019-01-15 (day), "
	    "2019-01-01..2019-03-31, or all (default)" },
	{ 'o', "output", "DIR", "write report.md, report.html and the CSV/JSON tables into DIR" },
	{ 'f', "format", "FORMAT", "without -o: md (default), html, or json (water_balance records) on stdout" },
	{ 'd', "dma", "DMAS", "only these DMAs (comma-separated)" },
	{ 't', "title", "TEXT", "title of the report (default \"AquaWatch report\")" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-c CONFIG] [-p PERIOD] [-d DMAS] [-o DIR | -f FORMAT] [-t TITLE] [FILE...]",
	"Water balance, NRW and ILI per DMA, water-quality compliance, operations and model "
	"monitoring as Markdown, HTML with charts, CSV and JSON.",
	opts, NULL,
};

int main(int argc, char **argv)
{
	struct aw_report_opts o = { .title = "AquaWatch report" };
	const char *arg, *period = NULL, *outdir = NULL, *format = NULL;
	int i = 1, c;

	aw_cli_init(argc, argv, &cli);
	while ((c = aw_getopt(argc, argv, &i, &arg)) != -1) {
		switch (c) {
		case 'p':
			period = arg;
			break;
		case 'o':
			outdir = arg;
			break;
		case 'f':
			if (strcmp(arg, "md") && strcmp(arg, "html") && strcmp(arg, "json"))
				aw_usage_error("unknown format: %s", arg);
			format = arg;
			break;
		case 'd': {
			char *s = aw_strdup(arg), *tok, *save;
			for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				o.dmas = aw_reallocarray(o.dmas, o.ndmas + 1, sizeof *o.dmas);
				o.dmas[o.ndmas++] = aw_strdup(tok);
			}
			free(s);
			break;
		}
		case 't':
			o.title = arg;
			break;
		}
	}
	if (outdir && format)
		aw_usage_error("-o and -f exclude each other");
	if (!format)
		format = "md";
	struct aw_config *cfg = aw_config_load(NULL);
	if (aw_period_parse(period, &o.period))
		aw_usage_error("bad period: %s (2019-01, 2019, 2019-01-15, 2019-01-01..2019-01-31 or all)",
		    period);
	struct aw_report *r = aw_report_new(cfg, &o);
	struct aw_reader *in = aw_reader_open(argv + i, argc - i);
	struct aw_record rec = { 0 };
	unsigned long long n = 0;
	while (aw_read(in, &rec)) {
		aw_progress(++n, "records");
		aw_report_add(r, &rec, aw_reader_name(in), aw_reader_lineno(in));
	}
	aw_progress_done();
	aw_record_free(&rec);
	aw_reader_close(in);
	aw_report_finish(r);
	if (outdir) {
		aw_report_write_dir(r, outdir);
	} else if (strcmp(format, "json") == 0) {
		aw_report_balance_json(r, aw_out);
	} else {
		struct aw_buf b = { 0 };
		if (strcmp(format, "html") == 0)
			aw_report_html(r, &b);
		else
			aw_report_markdown(r, &b);
		aw_w_bytes(aw_out, b.s, b.len);
		aw_buf_free(&b);
	}
	aw_report_free(r);
	for (size_t k = 0; k < o.ndmas; k++)
		free(o.dmas[k]);
	free(o.dmas);
	aw_config_free(cfg);
	return aw_finish();
}
