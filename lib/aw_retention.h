/* Retention of the records of the state directory (config key retention): how long
 * alerts, work orders, labels and evidence files are kept once they are final. */
#ifndef AW_RETENTION_H
#define AW_RETENTION_H
#include <stdint.h>

#include "aw_config.h"

enum { AW_KEEP_ALERTS, AW_KEEP_WORKORDERS, AW_KEEP_LABELS, AW_KEEP_EVIDENCE, AW_NKEEP };
extern const char *const aw_keep_names[AW_NKEEP];	/* "alerts", ... */

struct aw_retention {
	int64_t keep[AW_NKEEP];	/* seconds; -1: kept for ever (not configured) */
	char *text[AW_NKEEP];	/* as configured, for messages */
};

/* "3y" (years of 365.25 days), "18mo" (months of 30.44 days), "6w", "90d", "12h"; an
 * integer count and one unit. Seconds, or -1 when s is not such a duration. */
int64_t aw_retention_parse(const char *s);
/* reads retention.*; bad values are reported with file:line. 0 or -1. */
int aw_retention_load(struct aw_retention *r, const struct aw_config *c);
void aw_retention_free(struct aw_retention *r);
#endif
