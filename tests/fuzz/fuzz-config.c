/* aquawatch.yaml loader and schema check on arbitrary files. */
#include "fuzz.h"
#include "aw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_config *c = aw_config_read(path);
	if (c) {
		aw_config_num(c, "thresholds.rules.pressure_drop", 0.5);
		aw_config_str(c, "timezone", "UTC");
		aw_config_free(c);
	}
	close(fd);
	aw_rval = 0;
	return 0;
}
