/* aw-ingest's CSV formats, QC and time handling on arbitrary files. */
#include "fuzz.h"
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct aw_config *cfg;
	char path[32];
	if (!aw_out)
		aw_out = aw_writer_fd(open("/dev/null", O_WRONLY), "/dev/null");
	if (!cfg) {
		cfg = aw_config_read(NULL);
		static const char *const kinds[] = { "pressure", "flow", "level", "chlorine" };
		char id[8];
		/* sensors named a..z so wide and long files find some */
		for (int i = 0; i < 26; i++) {
			snprintf(id, sizeof id, "%c", 'a' + i);
			cfg->sensors = aw_reallocarray(cfg->sensors, cfg->nsensors + 1, sizeof *cfg->sensors);
			struct aw_sensor *s = &cfg->sensors[cfg->nsensors];
			memset(s, 0, sizeof *s);
			s->id = aw_strdup(id);
			s->kind = aw_strdup(kinds[i % 4]);
			s->lo = s->hi = s->x = s->y = 0.0 / 0.0;
			aw_map_put(&cfg->sensor_index, id, cfg->nsensors++);
		}
	}
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_ingest_opts o = { .qc = 1, .utc = size & 1 };
	if (size > 0 && data[0] == 'T')
		o.tz = "Europe/Rome";
	struct aw_ingest *g = aw_ingest_new(cfg, &o);
	char *files[] = { path };
	struct aw_reader *in = aw_reader_open(files, 1);
	aw_ingest_run(g, in);
	aw_ingest_finish(g);
	aw_reader_close(in);
	close(fd);
	aw_writer_flush(aw_out);
	aw_rval = 0;
	return 0;
}
