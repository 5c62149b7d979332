/* The methodology's leak rules: thresholds (config thresholds.rules.*), the test of one
 * feature value against its rule (also used for aw-features' leak_index), and the
 * detector of aw-rules: features records in, one verdict per DMA and step out. */
#ifndef AW_RULES_H
#define AW_RULES_H
#include <stdint.h>

#include "aw_config.h"
#include "aw_record.h"

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


/* ---- the detector ---- */

#define AW_RULES_NO_DMA "network"	/* the DMA of features records without one */

struct aw_rules_step {
	int64_t ts;
	const char *dma;
	unsigned fired;		/* bit r: rule r fired at some sensor */
	int nfired;
	const char *const *sensors;	/* sensors at which a rule fired, in input order */
	size_t nsensors;
	size_t nevaluated;	/* complete features records judged */
};
typedef void (*aw_rules_fn)(const struct aw_rules_step *st, void *ctx);

struct aw_rules_eval;

struct aw_rules_eval *aw_rules_eval_new(const double th[AW_NRULES], aw_rules_fn fn, void *ctx);
void aw_rules_eval_free(struct aw_rules_eval *e);
/* Takes a features record (1); other records are left alone (0). A DMA's step is
 * reported when a record of a later step of that DMA arrives; records of an earlier step
 * are reported as FILE:LINE and skipped. Records with complete false are counted but not
 * judged; steps with no judged record are not reported. */
int aw_rules_eval_record(struct aw_rules_eval *e, struct aw_record *r, const char *file,
    long line);
/* reports the open steps, in time order, then by DMA name */
void aw_rules_eval_finish(struct aw_rules_eval *e);
/* "low" (0 or 1 rules), "medium" (2), "high" (3 or more) */
const char *aw_rules_confidence(int nfired);
/* writes a `probability` record with model "rules" */
void aw_rules_write(struct aw_writer *w, const struct aw_rules_step *st);
#endif
