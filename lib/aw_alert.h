/* Alerts and work orders: the objects aw-alert and aw-workorder keep in the state
 * directory (aw_state.h), the evidence an alert is built from, severity, routing rules and
 * the work-order life cycle. The record layouts are in aw-alert(1) and aw-workorder(1). */
#ifndef AW_ALERT_H
#define AW_ALERT_H
#include <stddef.h>
#include <stdint.h>

#include "aw_config.h"
#include "aw_record.h"

/* ---- severity ---- */

enum { AW_SEV_INFO, AW_SEV_LOW, AW_SEV_MEDIUM, AW_SEV_HIGH, AW_SEV_CRITICAL, AW_NSEV };
const char *aw_severity_name(int sev);
int aw_severity_parse(const char *s);	/* -1 when unknown */

/* ---- string lists ---- */

struct aw_strv {
	char **v;
	size_t n;
};
void aw_strv_add(struct aw_strv *l, const char *s);	/* once: duplicates are skipped */
int aw_strv_has(const struct aw_strv *l, const char *s);
void aw_strv_free(struct aw_strv *l);
/* string array field -> list (replacing its contents); 0, or -1 when not an array */
int aw_strv_from_field(struct aw_strv *l, struct aw_record *r, const struct aw_field *f);

/* ---- evidence: what aw-alert has seen of one event ---- */

struct aw_evidence {
	char *event, *dma, *source, *type, *parameter, *severity_hint;
	int64_t start, end;	/* INT64_MIN when unknown */
	double peak_p, est_flow;	/* NAN when unknown */
	struct aw_strv sensors;
	char *candidates, *method;	/* localization: top 3 candidates (JSON array) */
	int valid;		/* validation: 1 passed, 0 failed, -1 none seen */
	char *checks;		/* JSON array */
	char *explain, *rules, *model, *confidence;	/* the strongest probability record */
	double prob_p;
	int have_event;
};
void aw_evidence_init(struct aw_evidence *e, const char *event);
void aw_evidence_free(struct aw_evidence *e);
/* Takes the fields of an event, localization, validation or probability record.
 * 0, or -1 with *err set when a required field is missing. */
int aw_evidence_add(struct aw_evidence *e, struct aw_record *r, const char **err);

/* ---- alerts ---- */

struct aw_alert {
	char *id, *event, *status;	/* status: open or closed */
	char *type, *source, *parameter, *dma;
	int severity, paged, valid;
	double peak_p, est_flow;
	int64_t start, end, opened, updated, closed;
	long detections;
	struct aw_strv events, sensors;
	char *candidates, *method, *explain, *rules, *model, *checks, *confidence;
	char *similar;		/* JSON array, computed by aw-alert */
	char *team, *channel;
	long rule;		/* 1-based routing rule, 0 none */
	char *workorder, *outcome;
};

struct aw_alert_opts {
	double critical_flow;	/* L/s: a likely leak this large is critical */
	long merge_gap;		/* seconds between detections that still count as one event */
};

void aw_alert_free(struct aw_alert *a);
/* a new open alert for the evidence */
void aw_alert_new(struct aw_alert *a, const char *id, const struct aw_evidence *e,
    const struct aw_alert_opts *o, int64_t now);
/* does the evidence belong to the open alert a: the same event, or the same DMA and type
 * with detections overlapping or less than merge_gap apart (for customer and meter alerts
 * also a sensor, the account, in common)? */
int aw_alert_covers(const struct aw_alert *a, const struct aw_evidence *e,
    const struct aw_alert_opts *o);
/* adds the evidence (severity only rises) */
void aw_alert_merge(struct aw_alert *a, const struct aw_evidence *e,
    const struct aw_alert_opts *o, int64_t now);
/* 0..1: how alike two alerts are (type, shared sensors, same top pipe) */
double aw_alert_similarity(const struct aw_alert *a, const struct aw_alert *b);
/* the top candidate pipe (or NULL) and its node; strings owned by the caller */
char *aw_alert_top(const struct aw_alert *a, const char *key);

/* JSON line (without the newline) -> alert. 0, or -1 with *err. */
int aw_alert_parse(struct aw_alert *a, const char *json, size_t len, const char **err);
/* the alert record, newline-terminated */
void aw_alert_write(struct aw_writer *w, const struct aw_alert *a);
/* the record as one JSON line without the newline (for aw_state_put) */
void aw_alert_json(const struct aw_alert *a, struct aw_buf *out);

/* ---- routing: config key "routing", a list of rules; the first match wins ----
 *   routing:
 *     - dma: DMA_A,DMA_B     any of these (absent: any DMA)
 *       severity: high+      a list of levels; "high+" means high or above
 *       type: leak,quality   alert types ("ami": customer and meter, from customer meters)
 *       hours: "22-06"       local time (config timezone), HH or HH:MM, may wrap midnight
 *       team: night-crew     required
 *       channel: sms         optional
 */
struct aw_route_rule {
	struct aw_strv dmas, types;
	unsigned sevmask;	/* bit per severity, 0: any */
	int from, to;		/* minutes of the local day, -1: any time */
	char *team, *channel;
	long line;
};
struct aw_routing {
	struct aw_route_rule *rules;
	size_t n;
};
/* reports bad rules with file:line; 0 or -1 */
int aw_routing_load(struct aw_routing *r, const struct aw_config *c);
/* index of the first matching rule, or -1; when is the time of the detection */
long aw_route(const struct aw_routing *r, const char *dma, int severity, const char *type,
    int64_t when);
void aw_routing_free(struct aw_routing *r);

/* ---- work orders ---- */

/* proposed -> approved | rejected; approved -> dispatched | rejected | closed;
 * dispatched -> closed. Closed and rejected are final. */
enum { AW_WO_PROPOSED, AW_WO_APPROVED, AW_WO_REJECTED, AW_WO_DISPATCHED, AW_WO_CLOSED, AW_NWO };
const char *aw_wo_status_name(int s);
int aw_wo_status_parse(const char *s);	/* -1 when unknown */
int aw_wo_can(int from, int to);
/* the label values of aw-record(5) */
int aw_label_ok(const char *label);

struct aw_workorder {
	char *id, *alert;
	int status;
	char *title, *description;
	int priority;		/* 1 (most urgent) .. 5 */
	char *asset_id;
	char *location;		/* JSON object */
	char *crew;
	char *evidence;		/* JSON object */
	char *outcome;
	char *dma, *event, *severity, *external_id;
	int64_t created, updated;
	char *history;		/* JSON array of {ts, status, by, note} */
	char *customers;	/* JSON object (aw_impact.h), or NULL */
	char *files;		/* JSON array of attached files (aw_wocmd.h), or NULL */
	char *hold;		/* JSON object {by, ts, reason} while on legal hold, or NULL */
};
void aw_workorder_free(struct aw_workorder *w);
/* a proposed work order for an alert */
void aw_workorder_propose(struct aw_workorder *w, const char *id, const struct aw_alert *a,
    int64_t now, const char *by);
/* appends to the history and sets the status (the caller checked aw_wo_can) */
void aw_workorder_step(struct aw_workorder *w, int to, const char *by, const char *note,
    int64_t now);
int aw_workorder_parse(struct aw_workorder *w, const char *json, size_t len, const char **err);
void aw_workorder_write(struct aw_writer *out, const struct aw_workorder *w);
void aw_workorder_json(const struct aw_workorder *w, struct aw_buf *out);
#endif
