/* The parts of aw-workorder that go beyond alerts: inspection work orders from the risk
 * ranking, customer impact, the evidence store, legal hold, retention and purge, and the
 * role checks. Messages go to stderr, records to aw_out; failures set aw_rval.
 *
 * A work order's "files" list has one entry per attached file:
 *   {"sha256":HEX,"name":BASENAME,"bytes":N,"media_type":TYPE,"by":NAME,"ts":TIME,
 *    "note":TEXT|null,"purged":TIME|null}
 * "hold" is {"by":NAME,"ts":TIME,"reason":TEXT} while the work order is on legal hold. */
#ifndef AW_WOCMD_H
#define AW_WOCMD_H
#include "aw_alert.h"
#include "aw_impact.h"
#include "aw_retention.h"
#include "aw_roles.h"
#include "aw_state.h"

struct aw_wo_ctx {
	struct aw_state *st;
	const struct aw_config *cfg;
	struct aw_users users;
	struct aw_retention keep;
	double lock_wait;
	const char *by, *note, *reason;
	long top;		/* propose --from-risk: how many ranks */
	int dry_run;
	/* the network for customer impact, loaded when first needed */
	int net_tried;
	struct aw_net *net;
	struct aw_impact_net impact;
};

/* reads users and retention from the configuration; -1 when they are bad (reported) */
int aw_wo_ctx_init(struct aw_wo_ctx *c, struct aw_state *st, const struct aw_config *cfg);
void aw_wo_ctx_free(struct aw_wo_ctx *c);
/* takes the lock or exits 1 */
void aw_wo_lock(struct aw_wo_ctx *c);
/* 1 when who may do what (a verb, for the message) with role need on dma; otherwise
 * reports "ID: who may not VERB: why" and sets aw_rval */
int aw_wo_may(struct aw_wo_ctx *c, const char *who, enum aw_role need, const char *dma,
    const char *id, const char *what);
/* the customers object for an alert's candidate pipes, or NULL (no network, no pipe) */
char *aw_wo_customers_alert(struct aw_wo_ctx *c, const struct aw_alert *a);

/* propose --from-risk: inspection work orders for the top c->top ranks of the risk
 * records read (aw-risk rank), skipping pipes that have an open work order */
void aw_wo_propose_risk(struct aw_wo_ctx *c, char **files, int n);
/* attach ID FILE: the file into the evidence store, an entry into the work order */
void aw_wo_attach(struct aw_wo_ctx *c, const char *id, const char *file);
/* evidence ID [FILE]: the files of a work order, each re-hashed (json: records); with
 * which (a hash, a unique hash prefix of 8 or more digits, or a name), its content */
void aw_wo_evidence(struct aw_wo_ctx *c, const char *id, const char *which, int json);
/* hold ID --reason TEXT / release ID */
void aw_wo_hold(struct aw_wo_ctx *c, const char *id, int on);
/* purge [--dry-run]: what is past retention and on no hold */
void aw_wo_purge(struct aw_wo_ctx *c);
#endif
