/* The methodology's leak rules: thresholds (config thresholds.rules.*), the test of one
 * feature value against its rule, and the leak index of aw-features built from them. */
#ifndef AW_RULES_H
#define AW_RULES_H
#include "aw_config.h"

enum {
	AW_RULE_PRESSURE_DROP,	/* deviation_from_baseline < -t (t = 0.5 bar) */
	AW_RULE_DROP_RATE,	/* pressure_drop_rate > t (0.2 bar/h) */
	AW_RULE_NIGHT_DAY_RATIO,	/* night_day_ratio < t (0.95) */
	AW_RULE_MNF_DEVIATION,	/* mnf_deviation < t (-0.3 bar) */
	AW_RULE_GRADIENT_ANOMALY,	/* gradient_anomaly > t (0.1 bar) */
	AW_NRULES
};

struct aw_rule {
	const char *name;	/* config key under thresholds.rules and output name */
	const char *feature;	/* the features field it reads */
	double dflt;
};
extern const struct aw_rule aw_rules[AW_NRULES];

/* thresholds from the configuration (c may be NULL: defaults) */
void aw_rules_thresholds(const struct aw_config *c, double th[AW_NRULES]);
/* index of a rule by name, -1 when unknown */
int aw_rule_find(const char *name);
/* 1 when value v of the rule's feature fires the rule; NaN never fires */
int aw_rule_fires(int rule, double v, const double th[AW_NRULES]);
/* How far v has gone from the normal side towards the threshold: 0 on the normal side
 * of zero (of 1 for the ratio), 1 at or beyond the threshold, linear in between; NaN
 * for NaN. */
double aw_rule_share(int rule, double v, const double th[AW_NRULES]);
#endif
