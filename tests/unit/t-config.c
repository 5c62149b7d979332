#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "tap.h"

int main(void)
{
	struct aw_config *c = aw_config_read("tests/data/config/good.yaml");
	ok(c != NULL, "good configuration loads");
	if (!c)
		return tap_done();
	is_str(c->timezone, "Europe/Rome", "time zone");
	is_str(aw_tz_name(), "Europe/Rome", "time zone is in force");
	char *net = aw_config_file(c, c->network);
	is_str(net, "tests/data/config/net.inp", "file names relative to the configuration");
	free(net);
	is_num(aw_config_num(c, "thresholds.rules.pressure_drop", 0.5), 0.4, 0, "configured threshold");
	is_num(aw_config_num(c, "thresholds.rules.drop_rate", 0.2), 0.2, 0, "default threshold");
	is_num(aw_config_num(c, "qc.spike.pressure", 0.5), 0.8, 0, "nested map value");
	const struct aw_sensor *s = aw_sensor_find(c, "n1");
	ok(s && !strcmp(s->unit, "psi") && !strcmp(s->dma, "north") && s->hi == 9.5,
	    "config entry overrides the sensor table (unit psi, dma, max)");
	ok(s && s->x == 1.5 && s->y == 2.5, "coordinates from the sensor table");
	s = aw_sensor_find(c, "p227");
	ok(s && s->inlet && !strcmp(s->dma, "north") && !strcmp(s->node, "p227"),
	    "DMA inlet marks the flow sensor, link as its element");
	s = aw_sensor_find(c, "T1");
	ok(s && !strcmp(s->dma, "north") && !strcmp(s->kind, "level"), "DMA sensors get the DMA");
	ok(c->ndmas == 1 && c->dmas[0].connections == 800 && c->dmas[0].ninlets == 1, "DMA figures");
	ok(isnan(c->dmas[0].private_km), "absent figure is NaN");
	ok(aw_sensor_find(c, "zz") == NULL, "unknown sensor");
	aw_config_free(c);

	ok(aw_config_read("tests/data/config/bad.yaml") == NULL, "bad configuration refused");
	ok(aw_config_read("tests/data/config/badtz.yaml") == NULL, "unknown time zone refused");
	ok(aw_config_read("tests/data/config/syntax.yaml") == NULL, "YAML syntax error refused");
	ok(aw_config_read("tests/data/config/nonexistent.yaml") == NULL, "missing file refused");
	c = aw_config_read(NULL);
	ok(c && c->nsensors == 0 && aw_config_num(c, "qc.completeness", 0.8) == 0.8, "defaults only");
	aw_config_free(c);
	return tap_done();
}
