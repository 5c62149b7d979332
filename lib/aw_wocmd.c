/* aw-workorder beyond alerts: risk proposals, customers, evidence, hold, purge, roles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aw_blob.h"
#include "aw_cli.h"
#include "aw_time.h"
#include "aw_wocmd.h"

/* ---- context ---- */

int aw_wo_ctx_init(struct aw_wo_ctx *c, struct aw_state *st, const struct aw_config *cfg)
{
	int rc = 0;
	c->st = st;
	c->cfg = cfg;
	if (aw_users_load(&c->users, cfg) < 0)
		rc = -1;
	if (aw_retention_load(&c->keep, cfg) < 0)
		rc = -1;
	return rc;
}

void aw_wo_ctx_free(struct aw_wo_ctx *c)
{
	aw_users_free(&c->users);
	aw_retention_free(&c->keep);
	if (c->net) {
		aw_impact_net_free(&c->impact);
		aw_net_free(c->net);
	}
	c->net = NULL;
}

void aw_wo_lock(struct aw_wo_ctx *c)
{
	if (aw_state_lock(c->st, c->lock_wait) < 0) {
		aw_finish();
		exit(1);
	}
}

int aw_wo_may(struct aw_wo_ctx *c, const char *who, enum aw_role need, const char *dma,
    const char *id, const char *what)
{
	char why[256];
	if (aw_users_may(&c->users, who, need, dma, why, sizeof why))
		return 1;
	if (id)
		aw_warn("%s: may not %s: %s", id, what, why);
	else
		aw_warn("may not %s: %s", what, why);
	aw_rval = 1;
	return 0;
}

static const char *who(const struct aw_wo_ctx *c)
{
	return c->by ? c->by : "aw-workorder";
}

/* ---- customers ---- */

static struct aw_impact_net *impact_net(struct aw_wo_ctx *c)
{
	const char *why;
	if (!c->net_tried) {
		c->net_tried = 1;
		c->net = aw_net_from_config(c->cfg, NULL, NULL, &why);
		if (c->net) {
			char *acc = aw_config_file(c->cfg, aw_config_str(c->cfg, "accounts", NULL));
			aw_impact_net_init(&c->impact, c->net, c->cfg, acc);
			free(acc);
		}
	}
	return c->net ? &c->impact : NULL;
}

struct pipes_ctx {
	const struct aw_net *net;
	size_t *links;
	size_t n;
};

static void add_pipe(struct pipes_ctx *p, const char *id)
{
	size_t l;
	if (!id || !aw_net_link(p->net, id, &l))
		return;
	for (size_t i = 0; i < p->n; i++)
		if (p->links[i] == l)
			return;
	p->links = aw_reallocarray(p->links, p->n + 1, sizeof *p->links);
	p->links[p->n++] = l;
}

static void pipe_cb(struct aw_record *o, void *ctx)
{
	add_pipe(ctx, aw_get_str(o, "pipe"));
}

char *aw_wo_customers_alert(struct aw_wo_ctx *c, const struct aw_alert *a)
{
	struct aw_impact_net *in = impact_net(c);
	if (!in)
		return NULL;
	struct pipes_ctx p = { in->net, NULL, 0 };
	aw_json_each_object(a->candidates, pipe_cb, &p);
	char *json = aw_impact_json(in, p.links, p.n);
	free(p.links);
	return json;
}

/* ---- work orders in the state ---- */

static int load_wo(struct aw_wo_ctx *c, const char *id, struct aw_workorder *w)
{
	struct aw_buf json = { 0 };
	const char *err;
	int r;

	if (!aw_state_name_ok(id)) {
		aw_warn("%s: not a work-order id", id);
		aw_rval = 1;
		return -1;
	}
	r = aw_state_get(c->st, "workorder", id, &json);
	if (r == 0)
		aw_warn("%s: no such work order in %s", id, aw_state_dir(c->st));
	else if (r == 1 && aw_workorder_parse(w, json.s, json.len, &err) < 0) {
		aw_warn("%s/workorder/%s.json: %s", aw_state_dir(c->st), id, err);
		r = -1;
	}
	aw_buf_free(&json);
	if (r != 1)
		aw_rval = 1;
	return r;
}

static void put_wo(struct aw_wo_ctx *c, const struct aw_workorder *w)
{
	struct aw_buf b = { 0 };
	aw_workorder_json(w, &b);
	aw_state_put(c->st, "workorder", w->id, b.s, b.len);
	aw_buf_free(&b);
}

static char *history_start(int64_t now, const char *by, const char *note)
{
	struct aw_buf b = { 0 };
	struct aw_writer *w = aw_writer_mem(&b);
	aw_w_arr_begin(w, NULL);
	aw_w_obj_begin(w, NULL);
	aw_w_ts(w, "ts", now);
	aw_w_str(w, "status", "proposed");
	aw_w_str(w, "by", by);
	aw_w_str(w, "note", note);
	aw_w_obj_end(w);
	aw_w_arr_end(w);
	aw_writer_close(w);
	return b.s;
}

/* ---- propose --from-risk ---- */

struct ranked {
	long rank;
	char *line;
	size_t len;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

static int is_open(int status)
{
	return status == AW_WO_PROPOSED || status == AW_WO_APPROVED || status == AW_WO_DISPATCHED;
}

/* asset ids of the open work orders */
static void open_assets(struct aw_wo_ctx *c, struct aw_map *m)
{
	struct aw_buf json = { 0 };
	struct aw_workorder w;
	const char *err;
	size_t n;
	char **ids = aw_state_list(c->st, "workorder", &n);

	for (size_t i = 0; i < n; i++) {
		if (aw_state_get(c->st, "workorder", ids[i], &json) != 1 ||
		    aw_workorder_parse(&w, json.s, json.len, &err) < 0)
			continue;
		if (is_open(w.status) && w.asset_id)
			aw_map_put(m, w.asset_id, i);
		aw_workorder_free(&w);
	}
	aw_state_list_free(ids, n);
	aw_buf_free(&json);
}

static char *str_dup_field(struct aw_record *r, const char *key)
{
	const char *s = aw_get_str(r, key);
	return s ? aw_strdup(s) : NULL;
}

static void propose_from(struct aw_wo_ctx *c, const struct ranked *rk, struct aw_map *open)
{
	struct aw_record r = { 0 };
	struct aw_workorder w;
	struct aw_buf b = { 0 };
	const char *err;
	double p = NAN;
	int64_t now = (int64_t)aw_state_now();

	if (aw_json_parse(&r, rk->line, rk->len, &err) < 0)
		return;
	char *pipe = str_dup_field(&r, "pipe"), *dma = str_dup_field(&r, "dma");
	char *insp = str_dup_field(&r, "inspection"), *itext = str_dup_field(&r, "inspection_text");
	char *why = str_dup_field(&r, "why"), *model = str_dup_field(&r, "model");
	const struct aw_field *cust = aw_get(&r, "customers");
	size_t v;

	aw_get_num(&r, "p_break", &p);
	if (!pipe) {
		aw_warn("risk record of rank %ld without a pipe", rk->rank);
		aw_rval = 1;
		goto out;
	}
	if (aw_map_get(open, pipe, &v)) {
		if (!aw_opt_quiet)
			aw_warn("pipe %s (rank %ld) has an open work order already", pipe, rk->rank);
		goto out;
	}
	if (!aw_wo_may(c, c->by, AW_ROLE_REVIEWER, dma, pipe, "propose"))
		goto out;

	memset(&w, 0, sizeof w);
	w.id = aw_state_new_id(c->st, "workorder", "WO-");
	w.status = AW_WO_PROPOSED;
	aw_buf_printf(&b, "Inspection of pipe %s (risk rank %ld)", pipe, rk->rank);
	if (insp)
		aw_buf_printf(&b, ": %s", insp);
	w.title = b.s;
	memset(&b, 0, sizeof b);
	if (why)
		aw_buf_printf(&b, "%s. ", why);
	if (itext)
		aw_buf_printf(&b, "Recommended: %s. ", itext);
	aw_buf_printf(&b, "Proposed from the risk ranking (model %s).", model ? model : "-");
	w.description = b.s;
	memset(&b, 0, sizeof b);
	w.priority = !isnan(p) && p >= 0.5 ? 2 : rk->rank <= 3 ? 3 : 4;
	w.asset_id = aw_strdup(pipe);
	struct aw_writer *mw = aw_writer_mem(&b);
	aw_w_obj_begin(mw, NULL);
	aw_w_str(mw, "dma", dma);
	aw_w_str(mw, "pipe", pipe);
	aw_w_null(mw, "node");
	aw_w_obj_end(mw);
	aw_writer_close(mw);
	w.location = b.s;
	memset(&b, 0, sizeof b);
	w.crew = aw_strdup("inspection crew");
	aw_buf_puts(&b, "{\"risk\":");
	aw_buf_put(&b, rk->line, rk->len);
	aw_buf_putc(&b, '}');
	w.evidence = b.s;
	memset(&b, 0, sizeof b);
	w.dma = dma ? aw_strdup(dma) : NULL;
	w.created = w.updated = now;
	w.history = history_start(now, who(c), NULL);
	if (cust && cust->type == AW_JOBJ) {
		w.customers = aw_strndup(cust->val, cust->vlen);
	} else {
		struct aw_impact_net *in = impact_net(c);
		if (in && aw_net_link(in->net, pipe, &v))
			w.customers = aw_impact_json(in, &v, 1);
	}
	put_wo(c, &w);
	if (aw_state_commit(c->st, who(c), "propose") == 0) {
		aw_workorder_write(aw_out, &w);
		aw_map_put(open, pipe, 0);
		if (!aw_opt_quiet)
			aw_warn("%s proposed: %s", w.id, w.title);
	}
	aw_workorder_free(&w);
out:
	free(pipe), free(dma), free(insp), free(itext), free(why), free(model);
	aw_record_free(&r);
}

void aw_wo_propose_risk(struct aw_wo_ctx *c, char **files, int n)
{
	struct aw_reader *in = aw_reader_open(files, n);
	struct aw_record r = { 0 };
	struct ranked *rk = NULL;
	size_t nrk = 0;
	double v;

	if (c->users.configured && !c->by) {
		aw_wo_may(c, c->by, AW_ROLE_REVIEWER, NULL, NULL, "propose");
		aw_reader_close(in);
		return;
	}
	while (aw_read(in, &r)) {
		if (!aw_is(&r, "type", "risk"))
			continue;
		if (!aw_get_num(&r, "rank", &v) || v < 1) {
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in),
			    "risk record without a rank (use aw-risk rank)");
			continue;
		}
		rk = aw_reallocarray(rk, nrk + 1, sizeof *rk);
		rk[nrk++] = (struct ranked){ (long)v, aw_strndup(r.line, r.len), r.len };
	}
	aw_record_free(&r);
	aw_reader_close(in);
	if (nrk > 1)
		qsort(rk, nrk, sizeof *rk, cmp_rank);

	struct aw_map open = { 0 };
	aw_wo_lock(c);
	open_assets(c, &open);
	for (size_t i = 0; i < nrk && rk[i].rank <= c->top; i++)
		propose_from(c, &rk[i], &open);
	aw_state_unlock(c->st);
	aw_map_free(&open);
	for (size_t i = 0; i < nrk; i++)
		free(rk[i].line);
	free(rk);
}

/* ---- attached files ---- */

struct wofile {
	char *sha, *name, *media, *by, *note;
	unsigned long long bytes;
	int64_t ts, purged;
};

static void wofile_free(struct wofile *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].sha), free(f[i].name), free(f[i].media), free(f[i].by), free(f[i].note);
	free(f);
}

static int64_t rec_ts(struct aw_record *r, const char *key)
{
	const char *s = aw_get_str(r, key);
	int64_t t;
	int zoned;
	return s && aw_parse_time(s, strlen(s), &t, &zoned) == 0 ? t : INT64_MIN;
}

struct files_ctx {
	struct wofile *f;
	size_t n;
};

static void file_cb(struct aw_record *o, void *ctx)
{
	struct files_ctx *c = ctx;
	double v;

	c->f = aw_reallocarray(c->f, c->n + 1, sizeof *c->f);
	struct wofile *x = &c->f[c->n++];
	memset(x, 0, sizeof *x);
	x->sha = str_dup_field(o, "sha256");
	x->name = str_dup_field(o, "name");
	x->media = str_dup_field(o, "media_type");
	x->by = str_dup_field(o, "by");
	x->note = str_dup_field(o, "note");
	x->bytes = aw_get_num(o, "bytes", &v) && v >= 0 ? (unsigned long long)v : 0;
	x->ts = rec_ts(o, "ts");
	x->purged = rec_ts(o, "purged");
}

static struct wofile *files_parse(const char *json, size_t *n)
{
	struct files_ctx c = { NULL, 0 };

	aw_json_each_object(json, file_cb, &c);
	*n = c.n;
	return c.f;
}

static void file_fields(struct aw_writer *w, const struct wofile *f)
{
	aw_w_str(w, "sha256", f->sha);
	aw_w_str(w, "name", f->name);
	aw_w_int(w, "bytes", (long long)f->bytes);
	aw_w_str(w, "media_type", f->media);
	aw_w_str(w, "by", f->by);
	if (f->ts != INT64_MIN)
		aw_w_ts(w, "ts", f->ts);
	else
		aw_w_null(w, "ts");
	aw_w_str(w, "note", f->note);
	if (f->purged != INT64_MIN)
		aw_w_ts(w, "purged", f->purged);
	else
		aw_w_null(w, "purged");
}

static char *files_json(const struct wofile *f, size_t n)
{
	struct aw_buf b = { 0 };
	struct aw_writer *w = aw_writer_mem(&b);
	aw_w_arr_begin(w, NULL);
	for (size_t i = 0; i < n; i++) {
		aw_w_obj_begin(w, NULL);
		file_fields(w, &f[i]);
		aw_w_obj_end(w);
	}
	aw_w_arr_end(w);
	aw_writer_close(w);
	return b.s;
}

static const char *media_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" }, { "png", "image/png" },
		{ "gif", "image/gif" }, { "svg", "image/svg+xml" }, { "pdf", "application/pdf" },
		{ "txt", "text/plain" }, { "md", "text/markdown" }, { "csv", "text/csv" },
		{ "json", "application/json" }, { "ndjson", "application/x-ndjson" },
		{ "html", "text/html" }, { "gz", "application/gzip" },
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < AW_NELEM(types); i++)
		if (aw_strcaseeq(dot + 1, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void evidence_record(const char *wo, const struct wofile *f, const char *state)
{
	aw_w_begin(aw_out, "evidence");
	aw_w_str(aw_out, "workorder", wo);
	file_fields(aw_out, f);
	aw_w_str(aw_out, "state", state);
	aw_w_end(aw_out);
}

void aw_wo_attach(struct aw_wo_ctx *c, const char *id, const char *file)
{
	struct aw_workorder w;
	struct wofile *f;
	size_t n;
	char hash[AW_SHA256_HEX];
	unsigned long long bytes;
	int existed;
	int64_t now = (int64_t)aw_state_now();
	const char *base = strrchr(file, '/');

	base = base ? base + 1 : file;
	aw_wo_lock(c);
	if (load_wo(c, id, &w) != 1)
		goto unlock;
	if (!aw_wo_may(c, c->by, AW_ROLE_REVIEWER, w.dma, id, "attach"))
		goto free_wo;
	/* the blob goes in under the lock, so a purge never sweeps it before it is referenced */
	if (aw_blob_put_file(aw_state_dir(c->st), file, hash, &bytes, &existed) < 0)
		goto free_wo;
	f = files_parse(w.files, &n);
	for (size_t i = 0; i < n; i++)
		if (f[i].sha && strcmp(f[i].sha, hash) == 0 && f[i].purged == INT64_MIN) {
			aw_warn("%s: %s is attached already as %s (sha256 %.12s)", id, file,
			    f[i].name ? f[i].name : "-", hash);
			aw_rval = 1;
			wofile_free(f, n);
			goto free_wo;
		}
	f = aw_reallocarray(f, n + 1, sizeof *f);
	f[n] = (struct wofile){ aw_strdup(hash), aw_strdup(base), aw_strdup(media_type(base)),
		aw_strdup(who(c)), c->note ? aw_strdup(c->note) : NULL, bytes, now, INT64_MIN };
	n++;
	free(w.files);
	w.files = files_json(f, n);
	w.updated = now;
	put_wo(c, &w);
	if (aw_state_commit(c->st, who(c), "attach") == 0) {
		evidence_record(w.id, &f[n - 1], existed ? "stored before" : "stored");
		if (!aw_opt_quiet)
			aw_warn("%s: attached %s (%llu bytes, sha256 %.12s)", id, base, bytes, hash);
	}
	wofile_free(f, n);
free_wo:
	aw_workorder_free(&w);
unlock:
	aw_state_unlock(c->st);
}

void aw_wo_evidence(struct aw_wo_ctx *c, const char *id, const char *which, int json)
{
	struct aw_workorder w;
	size_t n;
	const char *dir = aw_state_dir(c->st);

	aw_wo_lock(c);
	int r = load_wo(c, id, &w);
	aw_state_unlock(c->st);
	if (r != 1)
		return;
	struct wofile *f = files_parse(w.files, &n);
	if (which) {
		size_t len = strlen(which), hit = SIZE_MAX, hits = 0;
		for (size_t i = 0; i < n; i++) {
			int by_hash = len >= 8 && f[i].sha && strncmp(f[i].sha, which, len) == 0;
			if ((by_hash || (f[i].name && strcmp(f[i].name, which) == 0)) &&
			    (hit == SIZE_MAX || strcmp(f[hit].sha, f[i].sha) != 0))
				hit = i, hits++;
		}
		if (hits != 1) {
			aw_warn("%s: %s %s", id, which, hits ? "names more than one file" :
			    "is not attached (a name, or 8 or more digits of its sha256)");
			aw_rval = 1;
		} else if (f[hit].purged != INT64_MIN) {
			aw_warn("%s: %s was purged", id, which);
			aw_rval = 1;
		} else {
			aw_blob_copy(dir, f[hit].sha, aw_out);
		}
		goto out;
	}
	if (!json)
		aw_w_printf(aw_out, "%-12s %10s  %-20s  %-10s  %-7s  %s\n", "SHA256", "BYTES", "TS",
		    "BY", "STATE", "NAME");
	for (size_t i = 0; i < n; i++) {
		unsigned long long bytes = 0;
		const char *state = "purged";
		char ts[24] = "-";
		if (f[i].purged == INT64_MIN) {
			int k = aw_blob_check(dir, f[i].sha, &bytes);
			state = k == 1 && bytes == f[i].bytes ? "ok" : k == 0 ? "missing" : "changed";
			if (k != 1 || bytes != f[i].bytes) {
				char *p = aw_blob_path(dir, f[i].sha);
				aw_warn("%s: %s: %s", id, p ? p : f[i].sha ? f[i].sha : "-",
				    k == 0 ? "missing from the evidence store" :
				    "content no longer matches its sha256");
				free(p);
				aw_rval = 1;
			}
		}
		if (json) {
			evidence_record(w.id, &f[i], state);
			continue;
		}
		if (f[i].ts != INT64_MIN)
			aw_fmt_time(ts, f[i].ts);
		aw_w_printf(aw_out, "%-12.12s %10llu  %-20s  %-10s  %-7s  %s\n", f[i].sha ? f[i].sha : "-",
		    f[i].bytes, ts, f[i].by ? f[i].by : "-", state, f[i].name ? f[i].name : "-");
	}
out:
	wofile_free(f, n);
	aw_workorder_free(&w);
}

/* ---- legal hold ---- */

void aw_wo_hold(struct aw_wo_ctx *c, const char *id, int on)
{
	struct aw_workorder w;
	int64_t now = (int64_t)aw_state_now();

	aw_wo_lock(c);
	if (load_wo(c, id, &w) != 1)
		goto unlock;
	if (!aw_wo_may(c, c->by, AW_ROLE_ADMIN, w.dma, id, on ? "hold" : "release"))
		goto out;
	if (on == (w.hold != NULL)) {
		aw_warn("%s: %s", id, on ? "is on hold already" : "is not on hold");
		aw_rval = 1;
		goto out;
	}
	free(w.hold);
	w.hold = NULL;
	if (on) {
		struct aw_buf b = { 0 };
		struct aw_writer *mw = aw_writer_mem(&b);
		aw_w_obj_begin(mw, NULL);
		aw_w_str(mw, "by", who(c));
		aw_w_ts(mw, "ts", now);
		aw_w_str(mw, "reason", c->reason);
		aw_w_obj_end(mw);
		aw_writer_close(mw);
		w.hold = b.s;
	}
	w.updated = now;
	put_wo(c, &w);
	if (aw_state_commit(c->st, who(c), on ? "hold" : "release") == 0) {
		aw_workorder_write(aw_out, &w);
		if (!aw_opt_quiet)
			aw_warn("%s %s by %s", id, on ? "on legal hold" : "released from hold", who(c));
	}
out:
	aw_workorder_free(&w);
unlock:
	aw_state_unlock(c->st);
}

/* ---- purge ---- */

struct victim {
	char *kind, *id, *why;
};

struct purge {
	struct aw_wo_ctx *c;
	int64_t now;
	struct victim *v;
	size_t nv;
	struct aw_map gone;	/* "kind/id" of the victims */
	struct aw_map held;	/* work orders on hold */
	struct aw_map refs;	/* blobs still referenced afterwards */
	char **blobs;		/* blobs to delete */
	size_t nblobs;
	size_t refused;
};

static void victim(struct purge *p, const char *kind, const char *id, const char *why)
{
	struct aw_buf k = { 0 };
	aw_buf_printf(&k, "%s/%s", kind, id);
	aw_map_put(&p->gone, k.s, 1);
	aw_buf_free(&k);
	p->v = aw_reallocarray(p->v, p->nv + 1, sizeof *p->v);
	p->v[p->nv++] = (struct victim){ aw_strdup(kind), aw_strdup(id), aw_strdup(why) };
}

static int is_gone(struct purge *p, const char *kind, const char *id)
{
	struct aw_buf k = { 0 };
	size_t v;
	aw_buf_printf(&k, "%s/%s", kind, id);
	int r = aw_map_get(&p->gone, k.s, &v);
	aw_buf_free(&k);
	return r;
}

/* past retention k at time t? */
static int expired(const struct purge *p, int k, int64_t t)
{
	int64_t keep = p->c->keep.keep[k];
	return keep >= 0 && t != INT64_MIN && t <= p->now - keep;
}

/* when a work order became final (closed or rejected): retention counts from then, so
 * later attachments or a hold and its release do not restart the clock */
static int64_t final_time(const struct aw_workorder *w)
{
	struct aw_record outer = { 0 }, e = { 0 };
	struct aw_buf b = { 0 };
	struct aw_jiter it;
	struct aw_field f;
	const char *err;
	int64_t t = INT64_MIN;

	if (w->status != AW_WO_CLOSED && w->status != AW_WO_REJECTED)
		return INT64_MIN;
	aw_buf_printf(&b, "{\"h\":%s}", w->history ? w->history : "[]");
	if (aw_json_parse(&outer, b.s, b.len, &err) == 0 &&
	    aw_jiter_init(&it, aw_get(&outer, "h")) == 0)
		while (aw_jiter_next(&it, &f))
			if (f.type == AW_JOBJ && aw_json_parse(&e, f.val, f.vlen, &err) == 0 &&
			    (aw_is(&e, "status", "closed") || aw_is(&e, "status", "rejected")))
				t = rec_ts(&e, "ts");
	aw_record_free(&e);
	aw_record_free(&outer);
	aw_buf_free(&b);
	return t != INT64_MIN ? t : w->updated;
}

static int allowed(struct purge *p, const char *dma)
{
	char why[256];
	if (p->c->dry_run || aw_users_may(&p->c->users, p->c->by, AW_ROLE_ADMIN, dma, why, sizeof why))
		return 1;
	p->refused++;
	return 0;
}

static void purge_workorders(struct purge *p, struct aw_workorder *wo, size_t n)
{
	char why[96];
	for (size_t i = 0; i < n; i++) {
		struct aw_workorder *w = &wo[i];
		if (w->hold)
			aw_map_put(&p->held, w->id, 1);
		if (!w->hold && expired(p, AW_KEEP_WORKORDERS, final_time(w)) &&
		    allowed(p, w->dma)) {
			snprintf(why, sizeof why, "%s more than %s ago",
			    aw_wo_status_name(w->status), p->c->keep.text[AW_KEEP_WORKORDERS]);
			victim(p, "workorder", w->id, why);
		}
	}
}

/* evidence of the work orders that stay: entries past retention are marked purged; the
 * blobs no remaining entry refers to are deleted */
static void purge_evidence(struct purge *p, struct aw_workorder *wo, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct aw_workorder *w = &wo[i];
		size_t nf;
		int changed = 0;
		if (is_gone(p, "workorder", w->id))
			continue;
		struct wofile *f = files_parse(w->files, &nf);
		int go = !w->hold && expired(p, AW_KEEP_EVIDENCE, final_time(w)) &&
		    allowed(p, w->dma);
		for (size_t j = 0; j < nf; j++) {
			if (f[j].purged != INT64_MIN || !f[j].sha)
				continue;
			if (go) {
				f[j].purged = p->now;
				changed = 1;
			} else {
				aw_map_put(&p->refs, f[j].sha, 1);
			}
		}
		if (changed) {
			char why[96];
			snprintf(why, sizeof why, "evidence files, work order %s more than %s ago",
			    aw_wo_status_name(w->status), p->c->keep.text[AW_KEEP_EVIDENCE]);
			victim(p, "evidence", w->id, why);
			if (!p->c->dry_run) {
				free(w->files);
				w->files = files_json(f, nf);
				put_wo(p->c, w);
			}
		}
		wofile_free(f, nf);
	}
}

static void purge_objects(struct purge *p, const char *kind)
{
	struct aw_buf json = { 0 };
	struct aw_record r = { 0 };
	const char *err;
	char why[96];
	size_t n, v;
	char **ids = aw_state_list(p->c->st, kind, &n);
	int alerts = strcmp(kind, "alert") == 0;

	for (size_t i = 0; i < n; i++) {
		if (aw_state_get(p->c->st, kind, ids[i], &json) != 1 ||
		    aw_json_parse(&r, json.s, json.len, &err) < 0)
			continue;
		char *wo = str_dup_field(&r, "workorder"), *dma = str_dup_field(&r, "dma");
		int64_t t = rec_ts(&r, alerts ? "closed" : "ts");
		if (alerts && t == INT64_MIN)
			t = rec_ts(&r, "updated");
		int ok = alerts ? aw_is(&r, "status", "closed") &&
		    expired(p, AW_KEEP_ALERTS, t) && (!wo || is_gone(p, "workorder", wo)) :
		    expired(p, AW_KEEP_LABELS, t) && !(wo && aw_map_get(&p->held, wo, &v));
		if (ok && allowed(p, dma)) {
			snprintf(why, sizeof why, "%s more than %s ago", alerts ? "closed" : "written",
			    p->c->keep.text[alerts ? AW_KEEP_ALERTS : AW_KEEP_LABELS]);
			victim(p, kind, ids[i], why);
		}
		free(wo);
		free(dma);
	}
	aw_state_list_free(ids, n);
	aw_record_free(&r);
	aw_buf_free(&json);
}

static void purge_record(struct purge *p, const char *id, struct aw_writer *w)
{
	aw_w_begin(w, "purge");
	aw_w_str(w, "id", id);
	aw_w_str(w, "by", who(p->c));
	aw_w_ts(w, "ts", p->now);
	aw_w_bool(w, "dry_run", p->c->dry_run);
	aw_w_obj_begin(w, "retention");
	for (int k = 0; k < AW_NKEEP; k++)
		aw_w_str(w, aw_keep_names[k], p->c->keep.text[k]);
	aw_w_obj_end(w);
	aw_w_arr_begin(w, "removed");
	for (size_t i = 0; i < p->nv; i++) {
		aw_w_obj_begin(w, NULL);
		aw_w_str(w, "kind", p->v[i].kind);
		aw_w_str(w, "id", p->v[i].id);
		aw_w_str(w, "why", p->v[i].why);
		aw_w_obj_end(w);
	}
	aw_w_arr_end(w);
	aw_w_arr_begin(w, "blobs");
	for (size_t i = 0; i < p->nblobs; i++)
		aw_w_str(w, NULL, p->blobs[i]);
	aw_w_arr_end(w);
	aw_w_end(w);
}

void aw_wo_purge(struct aw_wo_ctx *c)
{
	struct purge p = { .c = c, .now = (int64_t)aw_state_now() };
	struct aw_buf json = { 0 };
	struct aw_workorder *wo;
	const char *err, *dir = aw_state_dir(c->st);
	size_t n, nw = 0, nb, v;
	int any = 0;

	for (int k = 0; k < AW_NKEEP; k++)
		any |= c->keep.keep[k] >= 0;
	if (!any) {
		aw_warn("nothing to purge: no retention configured");
		return;
	}
	/* an admin of some DMAs purges in those; the others are counted in p.refused */
	if (!c->dry_run && c->users.configured &&
	    aw_users_role(&c->users, c->by) < AW_ROLE_ADMIN) {
		aw_wo_may(c, c->by, AW_ROLE_ADMIN, NULL, NULL, "purge");
		return;
	}
	aw_wo_lock(c);
	char **ids = aw_state_list(c->st, "workorder", &n);
	wo = aw_calloc(n + 1, sizeof *wo);
	for (size_t i = 0; i < n; i++)
		if (aw_state_get(c->st, "workorder", ids[i], &json) == 1 &&
		    aw_workorder_parse(&wo[nw], json.s, json.len, &err) == 0)
			nw++;
	aw_state_list_free(ids, n);
	aw_buf_free(&json);

	purge_workorders(&p, wo, nw);
	purge_evidence(&p, wo, nw);
	purge_objects(&p, "alert");
	purge_objects(&p, "label");

	/* blobs nothing refers to any more: those of the purged work orders and evidence, and
	 * any left by an attach that was killed before its commit */
	char **blobs = aw_blob_list(dir, &nb);
	for (size_t i = 0; i < nb; i++)
		if (!aw_map_get(&p.refs, blobs[i], &v)) {
			p.blobs = aw_reallocarray(p.blobs, p.nblobs + 1, sizeof *p.blobs);
			p.blobs[p.nblobs++] = blobs[i];
			blobs[i] = NULL;
		}
	aw_state_list_free(blobs, nb);

	if (p.refused && !aw_opt_quiet)
		aw_warn("%zu object%s past retention left alone: %s is not an admin of their DMA",
		    p.refused, p.refused == 1 ? "" : "s", who(c));
	if (c->dry_run) {
		aw_state_abort(c->st);
		purge_record(&p, "-", aw_out);
	} else if (p.nv || p.nblobs) {
		for (size_t i = 0; i < p.nv; i++)
			if (strcmp(p.v[i].kind, "evidence") != 0)
				aw_state_remove(c->st, p.v[i].kind, p.v[i].id);
		char *pid = aw_state_new_id(c->st, "purge", "P-");
		struct aw_buf rec = { 0 };
		struct aw_writer *mw = aw_writer_mem(&rec);
		purge_record(&p, pid, mw);
		aw_writer_close(mw);
		aw_state_put(c->st, "purge", pid, rec.s, rec.len - 1);
		if (aw_state_commit(c->st, who(c), "purge") == 0) {
			/* the log has the purge; only now do the files go */
			for (size_t i = 0; i < p.nblobs; i++)
				aw_blob_remove(dir, p.blobs[i]);
			aw_w_bytes(aw_out, rec.s, rec.len);
			if (!aw_opt_quiet)
				aw_warn("%s: purged %zu object%s and %zu file%s", pid, p.nv,
				    p.nv == 1 ? "" : "s", p.nblobs, p.nblobs == 1 ? "" : "s");
		}
		aw_buf_free(&rec);
		free(pid);
	} else if (!aw_opt_quiet) {
		aw_warn("nothing is past retention");
	}
	aw_state_unlock(c->st);

	for (size_t i = 0; i < nw; i++)
		aw_workorder_free(&wo[i]);
	free(wo);
	for (size_t i = 0; i < p.nv; i++)
		free(p.v[i].kind), free(p.v[i].id), free(p.v[i].why);
	free(p.v);
	for (size_t i = 0; i < p.nblobs; i++)
		free(p.blobs[i]);
	free(p.blobs);
	aw_map_free(&p.gone), aw_map_free(&p.held), aw_map_free(&p.refs);
}
