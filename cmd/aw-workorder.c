/* aw-workorder: work orders proposed from alerts, decided by people, exported to a CMMS,
 * closed with an outcome that becomes a label; all of it in the audited state directory. */
#include <stdlib.h>
#include <string.h>

#include "aw.h"
#include "aw_alert.h"
#include "aw_state.h"
#include "aw_wocmd.h"

enum { OPT_BY = AW_LONG, OPT_NOTE, OPT_REASON, OPT_OUTCOME, OPT_STATUS, OPT_DMA, OPT_ALERT,
	OPT_JSON, OPT_OPEN, OPT_MINSEV, OPT_ID, OPT_FROM_RISK, OPT_TOP, OPT_DRY_RUN };

static const struct aw_opt opts[] = {
	{ 'S', "state", "DIR", "state directory (default: state_dir of the config)" },
	{ OPT_BY, "by", "NAME", "who acts (every change; checked against users and roles; import default cmms)" },
	{ OPT_NOTE, "note", "TEXT", "a note kept in the history (or with an attached file)" },
	{ OPT_REASON, "reason", "TEXT", "why the work order is rejected (reject) or held (hold)" },
	{ OPT_OUTCOME, "outcome", "LABEL", "confirmed_leak, probable, suspected, confirmed_no_leak or operational_event (close)" },
	{ OPT_STATUS, "status", "LIST", "only these statuses, comma-separated (list, export, alerts)" },
	{ OPT_DMA, "dma", "DMA", "only this DMA (list, export, alerts)" },
	{ OPT_ALERT, "alert", "ID", "only the work order of this alert (list)" },
	{ OPT_JSON, "json", NULL, "records instead of a table (list, show, evidence)" },
	{ OPT_OPEN, "open", NULL, "propose for every open alert of the state without a work order" },
	{ OPT_MINSEV, "min-severity", "LEVEL", "propose only for alerts this severe (default low)" },
	{ OPT_ID, "id", "ID", "only the lines of this object (audit log)" },
	{ 'w', "wait", "SECONDS", "wait this long for the lock of the state directory (default 30)" },
	{ OPT_FROM_RISK, "from-risk", "FILE", "propose inspections for the top of a risk ranking (aw-risk rank)" },
	{ OPT_TOP, "top", "N", "propose --from-risk: the first N ranks (default 10)" },
	{ OPT_DRY_RUN, "dry-run", NULL, "purge: show what would go, change nothing" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cmd cmds[] = {
	{ "propose", "work orders for the alerts read (or, with --open, all open alerts)" },
	{ "approve", "ID --by NAME [--note TEXT]: approve a proposed work order" },
	{ "reject", "ID --by NAME --reason TEXT: reject a proposed or approved work order" },
	{ "dispatch", "ID --by NAME [--note TEXT]: a crew is on its way" },
	{ "close", "ID --by NAME --outcome LABEL [--note TEXT]: done; writes a label" },
	{ "list", "work orders as a table (--json: records)" },
	{ "show", "ID: one work order with its evidence and history" },
	{ "export", "approved work orders as records for a CMMS import" },
	{ "import", "status updates from a CMMS (workorder records with id and status)" },
	{ "alerts", "alert records of the state directory" },
	{ "labels", "label records from closed work orders (for aw-prob train)" },
	{ "audit", "verify | log | head: check or show the audit trail" },
	{ "attach", "ID FILE --by NAME [--note TEXT]: keep a file as evidence of a work order" },
	{ "evidence", "ID [FILE]: the files of a work order, checked; or one file's content" },
	{ "hold", "ID --by NAME --reason TEXT: put a work order on legal hold" },
	{ "release", "ID --by NAME: end a legal hold" },
	{ "purge", "--by NAME [--dry-run]: remove what is past retention and on no hold" },
	{ NULL, NULL },
};

static const struct aw_cli cli = {
	"[-S DIR] COMMAND [options] [ID | FILE...]",
	"Work orders from alerts: human approval, CMMS export and import, audit trail.",
	opts, cmds,
};

static struct aw_state *st;
static struct aw_config *cfg;
static const char *by, *note, *reason, *outcome, *status_list, *dma_filter, *alert_filter;
static const char *id_filter;
static int json_out, open_alerts, min_severity = AW_SEV_LOW;
static double lock_wait = 30;
static struct aw_wo_ctx wx;	/* risk proposals, customers, evidence, hold, purge, roles */

static void lock(void)
{
	if (aw_state_lock(st, lock_wait) < 0) {
		aw_finish();
		exit(1);
	}
}

static int status_wanted(const char *s)
{
	struct aw_strv l = { 0 };
	int r;
	char *copy, *save = NULL;

	if (!status_list)
		return 1;
	copy = aw_strdup(status_list);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		aw_strv_add(&l, aw_trim(t));
	r = aw_strv_has(&l, s);
	aw_strv_free(&l);
	free(copy);
	return r;
}

/* 1 and the work order, 0 absent (reported), -1 unreadable (reported) */
static int load_workorder(const char *id, struct aw_workorder *w)
{
	struct aw_buf json = { 0 };
	const char *err;
	int r = aw_state_get(st, "workorder", id, &json);

	if (r == 0)
		aw_warn("%s: no such work order in %s", id, aw_state_dir(st));
	else if (r == 1 && aw_workorder_parse(w, json.s, json.len, &err) < 0) {
		aw_warn("%s/workorder/%s.json: %s", aw_state_dir(st), id, err);
		r = -1;
	} else if (r == 1 && strcmp(w->id, id) != 0) {
		/* an edited file: its id would become the name it is written back to */
		aw_warn("%s/workorder/%s.json: holds work order '%s'", aw_state_dir(st), id, w->id);
		aw_workorder_free(w);
		r = -1;
	}
	aw_buf_free(&json);
	if (r != 1)
		aw_rval = 1;
	return r;
}

static int load_alert(const char *id, struct aw_alert *a)
{
	struct aw_buf json = { 0 };
	const char *err;
	int r = aw_state_get(st, "alert", id, &json);

	if (r == 1 && aw_alert_parse(a, json.s, json.len, &err) < 0) {
		aw_warn("%s/alert/%s.json: %s", aw_state_dir(st), id, err);
		aw_rval = 1;
		r = -1;
	} else if (r == 1 && strcmp(a->id, id) != 0) {
		aw_warn("%s/alert/%s.json: holds alert '%s'", aw_state_dir(st), id, a->id);
		aw_alert_free(a);
		aw_rval = 1;
		r = -1;
	}
	aw_buf_free(&json);
	return r;
}

static void put_workorder(const struct aw_workorder *w)
{
	struct aw_buf b = { 0 };
	aw_workorder_json(w, &b);
	aw_state_put(st, "workorder", w->id, b.s, b.len);
	aw_buf_free(&b);
}

static void put_alert(const struct aw_alert *a)
{
	struct aw_buf b = { 0 };
	aw_alert_json(a, &b);
	aw_state_put(st, "alert", a->id, b.s, b.len);
	aw_buf_free(&b);
}

/* ---- propose ---- */

/* 1 when a work order was proposed for the alert */
static int propose_one(const char *alert_id, const char *file, long line)
{
	struct aw_alert a;
	struct aw_workorder w;
	int64_t now = (int64_t)aw_state_now();
	int r = load_alert(alert_id, &a), done = 0;

	if (r == 0)
		aw_error_at(file, line, "alert %s is not in %s", alert_id, aw_state_dir(st));
	if (r != 1)
		return 0;
	if (strcmp(a.status, "open") == 0 && !a.workorder && a.severity >= min_severity &&
	    aw_wo_may(&wx, by, AW_ROLE_REVIEWER, a.dma, a.id, "propose")) {
		char *id = aw_state_new_id(st, "workorder", "WO-");
		aw_workorder_propose(&w, id, &a, now, by ? by : "aw-workorder");
		w.customers = aw_wo_customers_alert(&wx, &a);
		free(id);
		free(a.workorder);
		a.workorder = aw_strdup(w.id);
		a.updated = now;
		put_workorder(&w);
		put_alert(&a);
		if (aw_state_commit(st, by ? by : "aw-workorder", "propose") == 0) {
			aw_workorder_write(aw_out, &w);
			if (!aw_opt_quiet)
				aw_warn("%s proposed for alert %s: %s", w.id, a.id, w.title);
			done = 1;
		}
		aw_workorder_free(&w);
	}
	aw_alert_free(&a);
	return done;
}

static void cmd_propose(char **files, int n, const char *from_risk)
{
	if (from_risk) {
		if (open_alerts || n)
			aw_usage_error("propose --from-risk reads only its FILE");
		aw_wo_propose_risk(&wx, (char **)&from_risk, 1);
		return;
	}
	if (open_alerts) {
		size_t k;
		lock();
		char **ids = aw_state_list(st, "alert", &k);
		for (size_t i = 0; i < k; i++)
			propose_one(ids[i], NULL, 0);
		aw_state_list_free(ids, k);
		aw_state_unlock(st);
		return;
	}
	struct aw_reader *in = aw_reader_open(files, n);
	struct aw_record r = { 0 };
	while (aw_read(in, &r)) {
		aw_w_line(aw_out, r.line, r.len);
		const char *id;
		if (!aw_is(&r, "type", "alert"))
			continue;
		if (!(id = aw_get_str(&r, "id")) || !aw_state_name_ok(id)) {
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in), "alert without a usable id");
			continue;
		}
		char *copy = aw_strdup(id);
		lock();
		propose_one(copy, aw_reader_name(in), aw_reader_lineno(in));
		aw_state_unlock(st);
		aw_writer_flush(aw_out);
		free(copy);
	}
	aw_record_free(&r);
	aw_reader_close(in);
}

/* ---- decisions ---- */

static int is_approver(const char *name)
{
	const struct aw_ynode *n = aw_config_get(cfg, "approvers");
	if (!n || n->type != AW_YSEQ || n->nkids == 0)
		return 1;
	for (size_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->value && strcmp(n->kids[i]->value, name) == 0)
			return 1;
	return 0;
}

static void write_label(struct aw_writer *out, const struct aw_workorder *w,
    const struct aw_alert *a, const char *label, const char *who, int64_t now)
{
	aw_w_begin(out, "label");
	aw_w_str(out, "event", a ? a->event : w->event);
	aw_w_str(out, "pipe", w->asset_id);
	if (a && a->start != INT64_MIN)
		aw_w_ts(out, "start", a->start);
	else
		aw_w_null(out, "start");
	if (a && a->end != INT64_MIN)
		aw_w_ts(out, "end", a->end);
	else
		aw_w_null(out, "end");
	aw_w_str(out, "label", label);
	aw_w_str(out, "dma", w->dma);
	aw_w_str(out, "alert", w->alert);
	aw_w_str(out, "workorder", w->id);
	aw_w_str(out, "by", who);
	aw_w_ts(out, "ts", now);
	aw_w_end(out);
}

/* moves a work order to status to; import passes its own who/note/outcome */
static int transition(const char *id, int to, const char *who, const char *text,
    const char *label, const char *external_id, const char *file, long line)
{
	struct aw_workorder w;
	struct aw_alert a;
	struct aw_buf lab = { 0 };
	int64_t now = (int64_t)aw_state_now();
	int have_alert = 0, rc = -1;
	static const char *const verbs[AW_NWO] = { "propose", "approve", "reject", "dispatch",
		"close" };

	if (load_workorder(id, &w) != 1)
		return -1;
	if (!aw_wo_may(&wx, who, to == AW_WO_APPROVED || to == AW_WO_REJECTED ? AW_ROLE_APPROVER :
	    AW_ROLE_REVIEWER, w.dma, id, verbs[to]))
		goto out;
	if (w.status == to && external_id) {
		/* an import that only brings the CMMS reference */
	} else if (!aw_wo_can(w.status, to)) {
		aw_error_at(file, line, "%s: cannot %s a work order that is %s", id, verbs[to],
		    aw_wo_status_name(w.status));
		goto out;
	}
	if (external_id) {
		free(w.external_id);
		w.external_id = aw_strdup(external_id);
	}
	int stepped = w.status != to;
	if (stepped)
		aw_workorder_step(&w, to, who, text, now);
	else
		w.updated = now;
	if (stepped && to == AW_WO_CLOSED && label) {
		free(w.outcome);
		w.outcome = aw_strdup(label);
		have_alert = w.alert && load_alert(w.alert, &a) == 1;
		if (have_alert && strcmp(a.status, "closed") != 0) {
			free(a.status);
			a.status = aw_strdup("closed");
			a.closed = now;
		}
		if (have_alert) {
			free(a.outcome);
			a.outcome = aw_strdup(label);
			a.updated = now;
			put_alert(&a);
		}
		struct aw_writer *mw = aw_writer_mem(&lab);
		write_label(mw, &w, have_alert ? &a : NULL, label, who, now);
		aw_writer_close(mw);
		char *lid = aw_state_new_id(st, "label", "L-");
		aw_state_put(st, "label", lid, lab.s, lab.len - 1);
		free(lid);
	}
	put_workorder(&w);
	if (aw_state_commit(st, who, stepped ? verbs[to] : "import") < 0)
		goto out;
	aw_workorder_write(aw_out, &w);
	if (lab.len)
		aw_w_bytes(aw_out, lab.s, lab.len);
	if (!aw_opt_quiet)
		aw_warn("%s %s by %s%s%s", id, aw_wo_status_name(w.status), who,
		    lab.len ? ": " : "", lab.len ? label : "");
	rc = 0;
out:
	if (have_alert)
		aw_alert_free(&a);
	aw_workorder_free(&w);
	aw_buf_free(&lab);
	return rc;
}

static void cmd_decide(const char *cmd, char **ops, int n)
{
	int to = aw_wo_status_parse(strcmp(cmd, "approve") == 0 ? "approved" :
	    strcmp(cmd, "reject") == 0 ? "rejected" : strcmp(cmd, "dispatch") == 0 ? "dispatched" :
	    "closed");

	if (n != 1)
		aw_usage_error("%s needs one work-order ID", cmd);
	if (!by || !*by)
		aw_usage_error("%s needs --by NAME", cmd);
	if (to == AW_WO_REJECTED && (!reason || !*reason))
		aw_usage_error("reject needs --reason TEXT");
	if (to == AW_WO_CLOSED && !aw_label_ok(outcome))
		aw_usage_error("close needs --outcome: confirmed_leak, probable, suspected, "
		    "confirmed_no_leak or operational_event");
	if ((to == AW_WO_APPROVED || to == AW_WO_REJECTED) && !is_approver(by)) {
		aw_warn("%s is not an approver (approvers in %s)", by, cfg->path ? cfg->path : "the config");
		aw_rval = 1;
		return;
	}
	if (!aw_state_name_ok(ops[0])) {
		aw_warn("%s: not a work-order id", ops[0]);
		aw_rval = 1;
		return;
	}
	lock();
	transition(ops[0], to, by, to == AW_WO_REJECTED ? reason : note, outcome, NULL, NULL, 0);
	aw_state_unlock(st);
}

/* ---- import: status updates from a CMMS ---- */

static void cmd_import(char **files, int n)
{
	struct aw_reader *in = aw_reader_open(files, n);
	struct aw_record r = { 0 };

	while (aw_read(in, &r)) {
		const char *f = aw_reader_name(in), *x;
		long line = aw_reader_lineno(in);
		if (!aw_is(&r, "type", "workorder"))
			continue;
		if (!(x = aw_get_str(&r, "id")) || !aw_state_name_ok(x)) {
			aw_error_at(f, line, "work order without a usable id");
			continue;
		}
		char *cid = aw_strdup(x), *ext = NULL, *who = NULL, *txt = NULL, *lab = NULL;
		int to = aw_wo_status_parse(x = aw_get_str(&r, "status"));
		if (to < 0) {
			aw_error_at(f, line, "%s: unknown status '%s'", cid, x ? x : "");
			free(cid);
			continue;
		}
		if ((x = aw_get_str(&r, "external_id")))
			ext = aw_strdup(x);
		who = aw_strdup((x = aw_get_str(&r, "by")) ? x : by ? by : "cmms");
		if ((x = aw_get_str(&r, "note")))
			txt = aw_strdup(x);
		if ((x = aw_get_str(&r, "outcome")))
			lab = aw_strdup(x);
		if (to == AW_WO_CLOSED && !aw_label_ok(lab)) {
			aw_error_at(f, line, "%s: closing needs an outcome label", cid);
		} else if (to == AW_WO_APPROVED && !is_approver(who)) {
			aw_error_at(f, line, "%s: %s is not an approver", cid, who);
		} else {
			lock();
			if (transition(cid, to, who, txt, to == AW_WO_CLOSED ? lab : NULL, ext, f, line) < 0)
				aw_rval = 1;
			aw_state_unlock(st);
		}
		free(cid), free(ext), free(who), free(txt), free(lab);
	}
	aw_record_free(&r);
	aw_reader_close(in);
}

/* ---- listing ---- */

struct wolist {
	struct aw_workorder *w;
	size_t n;
};

static void load_all(struct wolist *l)
{
	struct aw_buf json = { 0 };
	const char *err;
	size_t n;
	char **ids = aw_state_list(st, "workorder", &n);

	l->w = aw_calloc(n + 1, sizeof *l->w);
	l->n = 0;
	for (size_t i = 0; i < n; i++) {
		if (aw_state_get(st, "workorder", ids[i], &json) != 1)
			continue;
		if (aw_workorder_parse(&l->w[l->n], json.s, json.len, &err) < 0) {
			aw_warn("%s/workorder/%s.json: %s", aw_state_dir(st), ids[i], err);
			aw_rval = 1;
			continue;
		}
		if (strcmp(l->w[l->n].id, ids[i]) != 0) {
			aw_warn("%s/workorder/%s.json: holds work order '%s'", aw_state_dir(st), ids[i],
			    l->w[l->n].id);
			aw_workorder_free(&l->w[l->n]);
			aw_rval = 1;
			continue;
		}
		l->n++;
	}
	aw_state_list_free(ids, n);
	aw_buf_free(&json);
}

static void free_all(struct wolist *l)
{
	for (size_t i = 0; i < l->n; i++)
		aw_workorder_free(&l->w[i]);
	free(l->w);
}

static int wanted(const struct aw_workorder *w)
{
	return status_wanted(aw_wo_status_name(w->status)) &&
	    (!dma_filter || (w->dma && strcmp(w->dma, dma_filter) == 0)) &&
	    (!alert_filter || (w->alert && strcmp(w->alert, alert_filter) == 0));
}

static void cmd_list(void)
{
	struct wolist l;
	char ts[24];

	lock();
	load_all(&l);
	aw_state_unlock(st);
	if (!json_out)
		aw_w_printf(aw_out, "%-10s %-10s %3s %-10s %-10s %-20s %s\n", "ID", "STATUS", "PRI",
		    "DMA", "ASSET", "UPDATED", "TITLE");
	for (size_t i = 0; i < l.n; i++) {
		const struct aw_workorder *w = &l.w[i];
		if (!wanted(w))
			continue;
		if (json_out) {
			aw_workorder_write(aw_out, w);
			continue;
		}
		if (w->updated != INT64_MIN)
			aw_fmt_time(ts, w->updated);
		else
			strcpy(ts, "-");
		aw_w_printf(aw_out, "%-10s %-10s %3d %-10s %-10s %-20s %s\n", w->id,
		    aw_wo_status_name(w->status), w->priority, w->dma ? w->dma : "-",
		    w->asset_id ? w->asset_id : "-", ts, w->title ? w->title : "");
	}
	free_all(&l);
}

static void cmd_export(void)
{
	struct wolist l;

	if (!status_list)
		status_list = "approved";
	lock();
	load_all(&l);
	aw_state_unlock(st);
	for (size_t i = 0; i < l.n; i++)
		if (wanted(&l.w[i]))
			aw_workorder_write(aw_out, &l.w[i]);
	free_all(&l);
}

static void show_history(const char *history)
{
	struct aw_record outer = { 0 }, e = { 0 };
	struct aw_buf b = { 0 };
	struct aw_jiter it;
	struct aw_field f;
	const char *err, *s;

	if (!history)
		return;
	aw_buf_printf(&b, "{\"h\":%s}", history);
	if (aw_json_parse(&outer, b.s, b.len, &err) == 0 && aw_jiter_init(&it, aw_get(&outer, "h")) == 0)
		while (aw_jiter_next(&it, &f)) {
			if (f.type != AW_JOBJ || aw_json_parse(&e, f.val, f.vlen, &err) < 0)
				continue;
			/* one string at a time: each may move the record's scratch buffer */
			aw_w_printf(aw_out, "  %s", (s = aw_get_str(&e, "ts")) ? s : "-");
			aw_w_printf(aw_out, "  %-10s", (s = aw_get_str(&e, "status")) ? s : "-");
			aw_w_printf(aw_out, "  %s", (s = aw_get_str(&e, "by")) ? s : "-");
			if ((s = aw_get_str(&e, "note")))
				aw_w_printf(aw_out, "  \"%s\"", s);
			aw_w_printf(aw_out, "\n");
		}
	aw_record_free(&e);
	aw_record_free(&outer);
	aw_buf_free(&b);
}

static void cmd_show(char **ops, int n)
{
	struct aw_workorder w;
	char ts[24];

	if (n != 1)
		aw_usage_error("show needs one work-order ID");
	if (!aw_state_name_ok(ops[0])) {
		aw_warn("%s: not a work-order id", ops[0]);
		aw_rval = 1;
		return;
	}
	lock();
	int r = load_workorder(ops[0], &w);
	aw_state_unlock(st);
	if (r != 1)
		return;
	if (json_out) {
		aw_workorder_write(aw_out, &w);
	} else {
		aw_w_printf(aw_out, "%s  %s  priority %d\n", w.id, aw_wo_status_name(w.status),
		    w.priority);
		aw_w_printf(aw_out, "title:       %s\n", w.title ? w.title : "");
		aw_w_printf(aw_out, "alert:       %s (event %s, severity %s)\n", w.alert ? w.alert : "-",
		    w.event ? w.event : "-", w.severity ? w.severity : "-");
		aw_w_printf(aw_out, "asset:       %s\n", w.asset_id ? w.asset_id : "-");
		aw_w_printf(aw_out, "location:    %s\n", w.location ? w.location : "{}");
		aw_w_printf(aw_out, "crew:        %s\n", w.crew ? w.crew : "-");
		if (w.external_id)
			aw_w_printf(aw_out, "external id: %s\n", w.external_id);
		if (w.outcome)
			aw_w_printf(aw_out, "outcome:     %s\n", w.outcome);
		if (w.created != INT64_MIN) {
			aw_fmt_time(ts, w.created);
			aw_w_printf(aw_out, "created:     %s\n", ts);
		}
		aw_w_printf(aw_out, "description: %s\n", w.description ? w.description : "");
		aw_w_printf(aw_out, "evidence:    %s\n", w.evidence ? w.evidence : "{}");
		if (w.customers)
			aw_w_printf(aw_out, "customers:   %s\n", w.customers);
		if (w.files && strcmp(w.files, "[]") != 0)
			aw_w_printf(aw_out, "files:       %s\n", w.files);
		if (w.hold)
			aw_w_printf(aw_out, "legal hold:  %s\n", w.hold);
		aw_w_printf(aw_out, "history:\n");
		show_history(w.history);
	}
	aw_workorder_free(&w);
}

static void cmd_objects(const char *kind)
{
	struct aw_buf json = { 0 };
	struct aw_record r = { 0 };
	const char *err, *s;
	size_t n;

	lock();
	char **ids = aw_state_list(st, kind, &n);
	for (size_t i = 0; i < n; i++) {
		if (aw_state_get(st, kind, ids[i], &json) != 1 ||
		    aw_json_parse(&r, json.s, json.len, &err) < 0)
			continue;
		if (strcmp(kind, "alert") == 0 && ((s = aw_get_str(&r, "status")) && !status_wanted(s)))
			continue;
		if (dma_filter && !aw_is(&r, "dma", dma_filter))
			continue;
		aw_w_line(aw_out, json.s, json.len);
	}
	aw_state_unlock(st);
	aw_state_list_free(ids, n);
	aw_record_free(&r);
	aw_buf_free(&json);
}

/* ---- audit ---- */

static void cmd_audit(char **ops, int n)
{
	char h[AW_SHA256_HEX];
	long long lines, seq;
	size_t objects;

	if (n != 1 || (strcmp(ops[0], "verify") && strcmp(ops[0], "log") && strcmp(ops[0], "head")))
		aw_usage_error("audit needs one of: verify, log, head");
	lock();
	if (strcmp(ops[0], "verify") == 0) {
		long problems = aw_state_verify(st, &lines, &objects);
		seq = aw_state_head(st, h);
		if (problems) {
			aw_warn("audit verify: %ld problem%s in %s", problems, problems == 1 ? "" : "s",
			    aw_state_dir(st));
			aw_rval = 1;
		} else {
			aw_w_printf(aw_out, "%s: %lld lines, %zu objects, chain intact, head %lld sha256:%s\n",
			    aw_state_audit_path(st), lines, objects, seq, h);
		}
	} else if (strcmp(ops[0], "head") == 0) {
		seq = aw_state_head(st, h);
		aw_w_printf(aw_out, "%lld sha256:%s\n", seq, h);
	} else {
		char *file = (char *)aw_state_audit_path(st);
		struct aw_reader *in = aw_reader_open(&file, 1);
		struct aw_record r = { 0 };
		while (aw_read(in, &r))
			if (!id_filter || aw_is(&r, "id", id_filter))
				aw_w_line(aw_out, r.line, r.len);
		aw_record_free(&r);
		aw_reader_close(in);
	}
	aw_state_unlock(st);
}

/* ---- evidence, legal hold, retention (aw_wocmd.c) ---- */

static void cmd_records(const char *cmd, char **ops, int n)
{
	int purge = strcmp(cmd, "purge") == 0, attach = strcmp(cmd, "attach") == 0;
	int evidence = strcmp(cmd, "evidence") == 0;

	if (purge ? n != 0 : attach ? n != 2 : evidence ? n < 1 || n > 2 : n != 1)
		aw_usage_error("%s needs %s", cmd, purge ? "no operands" : attach ?
		    "a work-order ID and a FILE" : evidence ? "a work-order ID and at most one FILE" :
		    "one work-order ID");
	if (!evidence && !(purge && wx.dry_run) && (!by || !*by))
		aw_usage_error("%s needs --by NAME", cmd);
	if (!strcmp(cmd, "hold") && (!reason || !*reason))
		aw_usage_error("hold needs --reason TEXT");
	if (attach)
		aw_wo_attach(&wx, ops[0], ops[1]);
	else if (evidence)
		aw_wo_evidence(&wx, ops[0], n == 2 ? ops[1] : NULL, json_out);
	else if (purge)
		aw_wo_purge(&wx);
	else
		aw_wo_hold(&wx, ops[0], !strcmp(cmd, "hold"));
}

int main(int argc, char **argv)
{
	int optind = 1, id;
	const char *arg, *dir_opt = NULL, *cmd = NULL, *from_risk = NULL;
	long top = 10;
	int dry_run = 0;
	char **ops = aw_calloc((size_t)argc + 1, sizeof *ops);
	int nops = 0;

	aw_cli_init(argc, argv, &cli);
	/* options may come before and after the command and its operands */
	while (optind < argc) {
		int before = optind;
		id = aw_getopt(argc, argv, &optind, &arg);
		if (id == -1) {
			if (optind > before && strcmp(argv[optind - 1], "--") == 0) {
				while (optind < argc)
					ops[nops++] = argv[optind++];
				break;
			}
			if (optind < argc)
				ops[nops++] = argv[optind++];
			continue;
		}
		switch (id) {
		case 'S': dir_opt = arg; break;
		case OPT_BY: by = arg; break;
		case OPT_NOTE: note = arg; break;
		case OPT_REASON: reason = arg; break;
		case OPT_OUTCOME: outcome = arg; break;
		case OPT_STATUS: status_list = arg; break;
		case OPT_DMA: dma_filter = arg; break;
		case OPT_ALERT: alert_filter = arg; break;
		case OPT_JSON: json_out = 1; break;
		case OPT_OPEN: open_alerts = 1; break;
		case OPT_ID: id_filter = arg; break;
		case OPT_FROM_RISK: from_risk = arg; break;
		case OPT_TOP: top = aw_arg_long("--top", arg, 1, 1000000); break;
		case OPT_DRY_RUN: dry_run = 1; break;
		case OPT_MINSEV:
			if ((min_severity = aw_severity_parse(arg)) < 0)
				aw_usage_error("--min-severity: info, low, medium, high or critical: %s", arg);
			break;
		case 'w':
			lock_wait = aw_arg_double("--wait", arg);
			if (lock_wait < 0)
				aw_usage_error("--wait: expected seconds >= 0: %s", arg);
			break;
		}
	}
	if (nops == 0)
		aw_usage_error("no command");
	cmd = ops[0];
	const struct aw_cmd *c;
	for (c = cmds; c->name && strcmp(c->name, cmd) != 0; c++)
		;
	if (!c->name)
		aw_usage_error("unknown command: %s", cmd);

	cfg = aw_config_load(NULL);
	char *dir;
	if (dir_opt)
		dir = aw_strdup(dir_opt);
	else if (cfg->state_dir)
		dir = aw_config_file(cfg, cfg->state_dir);
	else
		aw_usage_error("no state directory: give -S DIR or set state_dir in the config");
	st = aw_state_open(dir, strcmp(cmd, "propose") == 0);
	free(dir);
	if (!st) {
		aw_config_free(cfg);
		free(ops);
		return 1;
	}
	if (aw_wo_ctx_init(&wx, st, cfg) < 0) {
		aw_wo_ctx_free(&wx);
		aw_state_close(st);
		aw_config_free(cfg);
		free(ops);
		return aw_finish();
	}
	wx.lock_wait = lock_wait;
	wx.by = by;
	wx.note = note;
	wx.reason = reason;
	wx.top = top;
	wx.dry_run = dry_run;

	char **rest = ops + 1;
	int nrest = nops - 1;
	if (strcmp(cmd, "propose") == 0)
		cmd_propose(rest, nrest, from_risk);
	else if (!strcmp(cmd, "attach") || !strcmp(cmd, "evidence") || !strcmp(cmd, "hold") ||
	    !strcmp(cmd, "release") || !strcmp(cmd, "purge"))
		cmd_records(cmd, rest, nrest);
	else if (!strcmp(cmd, "approve") || !strcmp(cmd, "reject") || !strcmp(cmd, "dispatch") ||
	    !strcmp(cmd, "close"))
		cmd_decide(cmd, rest, nrest);
	else if (strcmp(cmd, "import") == 0)
		cmd_import(rest, nrest);
	else if (nrest && strcmp(cmd, "show") && strcmp(cmd, "audit"))
		aw_usage_error("%s takes no operands", cmd);
	else if (strcmp(cmd, "list") == 0)
		cmd_list();
	else if (strcmp(cmd, "show") == 0)
		cmd_show(rest, nrest);
	else if (strcmp(cmd, "export") == 0)
		cmd_export();
	else if (strcmp(cmd, "alerts") == 0)
		cmd_objects("alert");
	else if (strcmp(cmd, "labels") == 0)
		cmd_objects("label");
	else
		cmd_audit(rest, nrest);
	aw_wo_ctx_free(&wx);
	aw_state_close(st);
	aw_config_free(cfg);
	free(ops);
	return aw_finish();
}
