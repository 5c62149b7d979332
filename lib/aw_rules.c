#include <math.h>
#include <stdio.h>
#include <string.h>

#include "aw_rules.h"

const struct aw_rule aw_rules[AW_NRULES] = {
	{ "pressure_drop", "deviation_from_baseline", 0.5 },
	{ "drop_rate", "pressure_drop_rate", 0.2 },
	{ "night_day_ratio", "night_day_ratio", 0.95 },
	{ "mnf_deviation", "mnf_deviation", -0.3 },
	{ "gradient_anomaly", "gradient_anomaly", 0.1 },
};

void aw_rules_thresholds(const struct aw_config *c, double th[AW_NRULES])
{
	char key[64];
	for (int i = 0; i < AW_NRULES; i++) {
		th[i] = aw_rules[i].dflt;
		if (c) {
			snprintf(key, sizeof key, "thresholds.rules.%s", aw_rules[i].name);
			th[i] = aw_config_num(c, key, th[i]);
		}
	}
}

int aw_rule_find(const char *name)
{
	for (int i = 0; i < AW_NRULES; i++)
		if (strcmp(aw_rules[i].name, name) == 0)
			return i;
	return -1;
}

int aw_rule_fires(int rule, double v, const double th[AW_NRULES])
{
	if (isnan(v))
		return 0;
	switch (rule) {
	case AW_RULE_PRESSURE_DROP:
		return -v > th[rule];
	case AW_RULE_DROP_RATE:
	case AW_RULE_GRADIENT_ANOMALY:
		return v > th[rule];
	default:	/* ratio and MNF deviation: below the threshold */
		return v < th[rule];
	}
}

double aw_rule_share(int rule, double v, const double th[AW_NRULES])
{
	double s;
	if (isnan(v))
		return NAN;
	if (th[rule] == 0 || (rule == AW_RULE_NIGHT_DAY_RATIO && th[rule] == 1))
		return aw_rule_fires(rule, v, th);
	switch (rule) {
	case AW_RULE_PRESSURE_DROP:
		s = -v / th[rule];
		break;
	case AW_RULE_NIGHT_DAY_RATIO:
		s = (1 - v) / (1 - th[rule]);
		break;
	default:
		s = v / th[rule];
		break;
	}
	if (!(s > 0))
		return 0;
	return s < 1 ? s : 1;
}
