/* Sensor tables (the generator's sensors.csv, BattLeDIM's) added to a configuration. */
#include "fuzz.h"

#include "aw_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_config *c = aw_config_read(NULL);
	aw_config_add_sensors_csv(c, path);
	for (size_t i = 0; i < c->nsensors; i++)
		aw_sensor_find(c, c->sensors[i].id);
	aw_config_free(c);
	close(fd);
	aw_rval = 0;
	return 0;
}
