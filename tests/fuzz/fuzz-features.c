/* aw-features on arbitrary record lines: reading intake, steps, windows, output. */
#include "fuzz.h"
#include <string.h>

#include "aw.h"
#include "aw_features.h"

static struct aw_writer *sink;

static void row(const struct aw_features_row *r, void *ctx)
{
	(void)ctx;
	aw_features_write(sink, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	if (!sink)
		sink = aw_writer_fd(open("/dev/null", O_WRONLY), "/dev/null");
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_features_opts o;
	aw_features_defaults(&o, NULL);
	o.step = size && data[0] == '5' ? 300 : 900;
	o.lateness = size > 1 && data[1] == 'L' ? 1800 : 0;
	struct aw_features *f = aw_features_new(NULL, &o, row, NULL);
	char *files[] = { path };
	struct aw_reader *in = aw_reader_open(files, 1);
	struct aw_record r = { 0 };
	long n = 0;
	/* bounded: a fuzzed time span could ask for years of steps */
	while (aw_read(in, &r) && n++ < 64)
		aw_features_record(f, &r, path, aw_reader_lineno(in));
	aw_features_finish(f);
	aw_features_free(f);
	aw_record_free(&r);
	aw_reader_close(in);
	close(fd);
	aw_writer_flush(sink);
	aw_rval = 0;
	return 0;
}
