#include <stddef.h>
#include <string.h>

#include "aw_units.h"
#include "aw_util.h"

static const struct {
	const char *kind, *unit;
	double scale, offset;
} units[] = {
	{ "pressure", "bar", 1, 0 },
	{ "pressure", "m", 0.0980665, 0 },	/* metres of water head */
	{ "pressure", "mH2O", 0.0980665, 0 },
	{ "pressure", "psi", 0.0689476, 0 },
	{ "pressure", "kPa", 0.01, 0 },
	{ "pressure", "MPa", 10, 0 },
	{ "pressure", "ft", 0.0298907, 0 },	/* feet of water head */
	{ "flow", "L/s", 1, 0 },
	{ "flow", "lps", 1, 0 },
	{ "flow", "m3/h", 1 / 3.6, 0 },
	{ "flow", "cmh", 1 / 3.6, 0 },
	{ "flow", "m3/s", 1000, 0 },
	{ "flow", "L/min", 1 / 60.0, 0 },
	{ "flow", "L/h", 1 / 3600.0, 0 },
	{ "flow", "gpm", 0.0630902, 0 },
	{ "flow", "mgd", 43.8126, 0 },
	{ "level", "m", 1, 0 },
	{ "level", "cm", 0.01, 0 },
	{ "level", "ft", 0.3048, 0 },
	{ "chlorine", "mg/L", 1, 0 },
	{ "chlorine", "ppm", 1, 0 },
	{ "turbidity", "NTU", 1, 0 },
	{ "turbidity", "FNU", 1, 0 },
	{ "ph", "pH", 1, 0 },
	{ "ph", "", 1, 0 },
	{ "temperature", "C", 1, 0 },
	{ "temperature", "degC", 1, 0 },
	{ "temperature", "\xc2\xb0""C", 1, 0 },
	{ "temperature", "F", 5 / 9.0, -32 * 5 / 9.0 },
	{ "conductivity", "uS/cm", 1, 0 },
	{ "conductivity", "\xc2\xb5S/cm", 1, 0 },
	{ "conductivity", "mS/cm", 1000, 0 },
	{ "redox", "mV", 1, 0 },
	{ "volume", "m3", 1, 0 },
	{ "volume", "L", 0.001, 0 },
	{ "volume", "gal", 0.00378541, 0 },
};

const char *aw_unit_canonical(const char *kind)
{
	for (size_t i = 0; i < AW_NELEM(units); i++)
		if (strcmp(units[i].kind, kind) == 0)
			return units[i].unit;
	return NULL;
}

int aw_unit_is_canonical(const char *kind, const char *unit, size_t n)
{
	const char *c = kind ? aw_unit_canonical(kind) : NULL;
	return !c || (strlen(c) == n && memcmp(c, unit, n) == 0);
}

int aw_unit_factor(const char *kind, const char *unit, double *scale, double *offset)
{
	int kind_known = 0;
	for (size_t i = 0; i < AW_NELEM(units); i++) {
		if (strcmp(units[i].kind, kind) != 0)
			continue;
		if (!kind_known && (!unit || !*unit)) {
			*scale = 1, *offset = 0;
			return 0;
		}
		kind_known = 1;
		if (aw_strcaseeq(units[i].unit, unit)) {
			*scale = units[i].scale;
			*offset = units[i].offset;
			return 0;
		}
	}
	return -1;
}
