/* aw-report on arbitrary record lines: accumulation, then every output format. */
#include "fuzz.h"
#include <string.h>

#include "aw.h"
#include "aw_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct aw_config *cfg;
	static struct aw_writer *sink;
	char path[32];
	if (!cfg) {
		cfg = aw_config_read(NULL);
		sink = aw_writer_fd(open("/dev/null", O_WRONLY), "/dev/null");
	}
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_report_opts o = { .title = "fuzz" };
	aw_period_parse(size && data[0] == 'a' ? "all" : "2019-01-14..2019-01-15", &o.period);
	struct aw_report *rep = aw_report_new(cfg, &o);
	char *files[] = { path };
	struct aw_reader *in = aw_reader_open(files, 1);
	struct aw_record r = { 0 };
	while (aw_read(in, &r))
		aw_report_add(rep, &r, path, aw_reader_lineno(in));
	aw_report_finish(rep);
	struct aw_buf b = { 0 };
	aw_report_markdown(rep, &b);
	aw_buf_reset(&b);
	aw_report_html(rep, &b);
	for (int t = AW_T_BALANCE; t <= AW_T_MONITORING; t++) {
		aw_buf_reset(&b);
		aw_report_csv(rep, (enum aw_report_table)t, &b);
	}
	aw_report_balance_json(rep, sink);
	aw_writer_flush(sink);
	aw_buf_free(&b);
	aw_report_free(rep);
	aw_record_free(&r);
	aw_reader_close(in);
	close(fd);
	aw_rval = 0;
	return 0;
}
