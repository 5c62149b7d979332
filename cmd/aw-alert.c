/* aw-alert: evidence (event, localization, validation, probability records) -> alerts,
 * deduplicated against the open alerts of the state directory, routed by the config,
 * handed to a command with retries and a queue that survives failures. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aw.h"
#include "aw_alert.h"
#include "aw_state.h"

enum { OPT_RETRIES = AW_LONG, OPT_BACKOFF, OPT_TIMEOUT, OPT_DELIVER, OPT_MERGE, OPT_CLOSE,
	OPT_CRIT };

static const struct aw_opt opts[] = {
	{ 'S', "state", "DIR", "state directory (default: state_dir of the config)" },
	{ 'x', "exec", "CMD", "hand each new alert to CMD (words split at blanks, no shell)" },
	{ OPT_RETRIES, "retries", "N", "attempts per delivery and run (default 3)" },
	{ OPT_BACKOFF, "backoff", "SECONDS", "pause before the first retry, doubled after each (default 1)" },
	{ OPT_TIMEOUT, "exec-timeout", "SECONDS", "kill CMD after this long (default 60)" },
	{ OPT_DELIVER, "deliver", NULL, "only retry the queued deliveries, read no input" },
	{ OPT_MERGE, "merge-gap", "DURATION", "detections of a DMA this close are one alert (default 6h)" },
	{ OPT_CLOSE, "close-after", "DURATION", "close an alert without work order this long after its last detection (default 1d)" },
	{ OPT_CRIT, "critical-flow", "LPS", "a likely leak of this flow in L/s is critical (default 5)" },
	{ 'w', "wait", "SECONDS", "wait this long for the lock of the state directory (default 30)" },
	{ 0, NULL, NULL, NULL },
};

static const struct aw_cli cli = {
	"[-S DIR] [-x CMD] [options] [FILE...]\n-S DIR -x CMD --deliver",
	"Build, deduplicate and route alerts from event, localization and validation records.",
	opts, NULL,
};

static struct aw_state *st;
static struct aw_routing routing;
static struct aw_alert_opts aopts = { 5.0, 6 * 3600 };
static const char *exec_cmd;
static long retries = 3, close_after = 86400;
static double backoff = 1, exec_timeout = 60, lock_wait = 30;
static int64_t stream_time = INT64_MIN;

/* ---- evidence waiting for its alert ---- */

struct pending {
	struct aw_evidence e;
	int nrecords;		/* records taken */
	int done;
};

static struct pending *pend;
static size_t npend;
static struct aw_map pend_index;	/* event id -> pend */

/* recent strong probability records per DMA, to explain an event when it comes */
#define PROB_KEEP 64
struct prob_ring {
	char *lines[PROB_KEEP];
	int64_t ts[PROB_KEEP];
	size_t next;
};
static struct prob_ring *rings;
static struct aw_map ring_index;	/* dma -> rings */
static size_t nrings;

static struct pending *pending_for(const char *event)
{
	size_t i;
	if (aw_map_get(&pend_index, event, &i) && !pend[i].done)
		return &pend[i];
	pend = aw_reallocarray(pend, npend + 1, sizeof *pend);
	memset(&pend[npend], 0, sizeof *pend);
	aw_evidence_init(&pend[npend].e, event);
	aw_map_put(&pend_index, event, npend);
	return &pend[npend++];
}

static void keep_probability(struct aw_record *r)
{
	const struct aw_field *ex = aw_get(r, "explain"), *ru = aw_get(r, "rules");
	const char *dma, *ts = aw_get_str(r, "ts");
	double p;
	int64_t t;
	int zoned;
	size_t i;

	if (!ts || aw_parse_time(ts, strlen(ts), &t, &zoned) < 0 || !aw_get_num(r, "p_leak", &p) ||
	    !(dma = aw_get_str(r, "dma")))
		return;
	if (p < 0.5 && !(ex && ex->vlen > 2) && !(ru && ru->vlen > 2))
		return;
	if (!aw_map_get(&ring_index, dma, &i)) {
		rings = aw_reallocarray(rings, nrings + 1, sizeof *rings);
		memset(&rings[nrings], 0, sizeof *rings);
		aw_map_put(&ring_index, dma, nrings);
		i = nrings++;
	}
	struct prob_ring *g = &rings[i];
	free(g->lines[g->next]);
	g->lines[g->next] = aw_strndup(r->line, r->len);
	g->ts[g->next] = t;
	g->next = (g->next + 1) % PROB_KEEP;
}

static void attach_probability(struct aw_evidence *e)
{
	struct aw_record r = { 0 };
	const char *err;
	size_t i;

	if (!e->dma || e->start == INT64_MIN || !aw_map_get(&ring_index, e->dma, &i))
		return;
	struct prob_ring *g = &rings[i];
	int64_t end = e->end == INT64_MIN ? e->start : e->end;
	for (size_t k = 0; k < PROB_KEEP; k++)
		if (g->lines[k] && g->ts[k] >= e->start && g->ts[k] <= end &&
		    aw_json_parse(&r, g->lines[k], strlen(g->lines[k]), &err) == 0)
			aw_evidence_add(e, &r, &err);
	aw_record_free(&r);
}

/* ---- the alerts of the state directory ---- */

struct alerts {
	struct aw_alert *a;
	size_t n;
};

static void alerts_free(struct alerts *l)
{
	for (size_t i = 0; i < l->n; i++)
		aw_alert_free(&l->a[i]);
	free(l->a);
	memset(l, 0, sizeof *l);
}

static void alerts_load(struct alerts *l)
{
	struct aw_buf json = { 0 };
	const char *err;
	size_t n;
	char **ids = aw_state_list(st, "alert", &n);

	memset(l, 0, sizeof *l);
	l->a = aw_calloc(n + 1, sizeof *l->a);
	for (size_t i = 0; i < n; i++) {
		if (aw_state_get(st, "alert", ids[i], &json) != 1)
			continue;
		if (aw_alert_parse(&l->a[l->n], json.s, json.len, &err) < 0) {
			aw_warn("%s/alert/%s.json: %s", aw_state_dir(st), ids[i], err);
			continue;
		}
		if (strcmp(l->a[l->n].id, ids[i]) != 0) {
			/* an edited file: its id would become the name it is written back to */
			aw_warn("%s/alert/%s.json: holds alert '%s', skipped", aw_state_dir(st), ids[i],
			    l->a[l->n].id);
			aw_alert_free(&l->a[l->n]);
			aw_rval = 1;
			continue;
		}
		l->n++;
	}
	aw_state_list_free(ids, n);
	aw_buf_free(&json);
}

/* the status of an alert's work order, -1 when it has none */
static int workorder_status(const struct aw_alert *a)
{
	struct aw_buf json = { 0 };
	struct aw_workorder w;
	const char *err;
	int s = -1;

	if (a->workorder && aw_state_get(st, "workorder", a->workorder, &json) == 1 &&
	    aw_workorder_parse(&w, json.s, json.len, &err) == 0) {
		s = w.status;
		aw_workorder_free(&w);
	}
	aw_buf_free(&json);
	return s;
}

struct sim {
	const struct aw_alert *a;
	double s;
};

static int sim_cmp(const void *x, const void *y)
{
	const struct sim *a = x, *b = y;
	if (a->s != b->s)
		return a->s < b->s ? 1 : -1;
	return strcmp(b->a->id, a->a->id);	/* newer first */
}

/* did o start before a (the past that a can be compared with)? */
static int earlier(const struct aw_alert *o, const struct aw_alert *a)
{
	if (o->start != INT64_MIN && a->start != INT64_MIN && o->start != a->start)
		return o->start < a->start;
	return strcmp(o->id, a->id) < 0;
}

/* up to three earlier alerts of the same DMA that look alike */
static void find_similar(struct aw_alert *a, const struct alerts *all)
{
	struct sim *s = aw_calloc(all->n + 1, sizeof *s);
	size_t n = 0;
	struct aw_buf b = { 0 };
	struct aw_writer *w = aw_writer_mem(&b);

	for (size_t i = 0; i < all->n; i++) {
		const struct aw_alert *o = &all->a[i];
		if (!o->id || strcmp(o->id, a->id) == 0 || strcmp(o->dma, a->dma) != 0 ||
		    !earlier(o, a))
			continue;
		double x = aw_alert_similarity(a, o);
		if (x >= 0.3)
			s[n++] = (struct sim){ o, x };
	}
	qsort(s, n, sizeof *s, sim_cmp);
	aw_w_arr_begin(w, NULL);
	for (size_t i = 0; i < n && i < 3; i++) {
		aw_w_obj_begin(w, NULL);
		aw_w_str(w, "alert", s[i].a->id);
		aw_w_str(w, "event", s[i].a->event);
		if (s[i].a->start == INT64_MIN)
			aw_w_null(w, "start");
		else
			aw_w_ts(w, "start", s[i].a->start);
		aw_w_num(w, "similarity", s[i].s, 2);
		aw_w_str(w, "status", s[i].a->status);
		aw_w_str(w, "outcome", s[i].a->outcome);
		aw_w_obj_end(w);
	}
	aw_w_arr_end(w);
	aw_writer_close(w);
	free(a->similar);
	a->similar = b.s;
	free(s);
}

static void route(struct aw_alert *a, int64_t now)
{
	int64_t when = a->end != INT64_MIN ? a->end : a->start != INT64_MIN ? a->start : now;
	long r = aw_route(&routing, a->dma, a->severity, a->type, when);

	free(a->team);
	free(a->channel);
	a->team = a->channel = NULL;
	a->rule = 0;
	if (r >= 0) {
		a->team = aw_strdup(routing.rules[r].team);
		if (routing.rules[r].channel)
			a->channel = aw_strdup(routing.rules[r].channel);
		a->rule = r + 1;
	} else {
		aw_warn("%s: no routing rule matches (dma %s, type %s, severity %s)", a->id, a->dma,
		    a->type, aw_severity_name(a->severity));
	}
}

static void queue_delivery(const char *id, int64_t now)
{
	struct aw_buf b = { 0 };
	struct aw_writer *w = aw_writer_mem(&b);

	aw_w_begin(w, "delivery");
	aw_w_str(w, "alert", id);
	aw_w_int(w, "attempts", 0);
	aw_w_ts(w, "queued", now);
	aw_w_null(w, "last_error");
	aw_w_end(w);
	aw_writer_close(w);
	aw_state_put(st, "outbox", id, b.s, b.len - 1);
	aw_buf_free(&b);
}

static void lock_or_die(void)
{
	if (aw_state_lock(st, lock_wait) < 0) {
		aw_finish();
		exit(1);
	}
	/* nothing can be recorded (a full disk, a damaged log): say so once and stop */
	if (aw_state_damaged(st)) {
		aw_warn("%s: cannot write: %s", aw_state_dir(st), aw_state_damaged(st));
		aw_state_close(st);
		aw_finish();
		exit(1);
	}
}

/* builds or updates the alert for one event; returns 1 when a delivery was queued */
static int flush(struct pending *p, struct aw_strv *to_deliver)
{
	struct aw_evidence *e = &p->e;
	struct alerts all;
	struct aw_alert a, *found = NULL;
	struct aw_buf before = { 0 }, after = { 0 };
	int64_t now = (int64_t)aw_state_now();
	int queued = 0;

	p->done = 1;
	if (!e->have_event) {
		if (p->nrecords)
			aw_warn("evidence for event %s without the event record: ignored", e->event);
		return 0;
	}
	if (e->end != INT64_MIN && (stream_time == INT64_MIN || e->end > stream_time))
		stream_time = e->end;
	attach_probability(e);
	lock_or_die();
	alerts_load(&all);
	for (size_t i = 0; i < all.n && !found; i++)
		if (strcmp(all.a[i].status, "open") == 0 && aw_strv_has(&all.a[i].events, e->event))
			found = &all.a[i];
	for (size_t i = 0; i < all.n && !found; i++)
		if (aw_alert_covers(&all.a[i], e, &aopts))
			found = &all.a[i];
	if (found) {
		aw_alert_json(found, &before);
		a = *found;
		memset(found, 0, sizeof *found);	/* a owns it now */
		int64_t was = a.updated;
		int sev = a.severity;
		aw_alert_merge(&a, e, &aopts, was);
		find_similar(&a, &all);
		/* the team that has it keeps it, unless it became more severe */
		if (a.severity != sev || !a.team)
			route(&a, now);
		aw_alert_json(&a, &after);
		if (strcmp(before.s, after.s) != 0) {
			a.updated = now;
			aw_alert_json(&a, &after);
		}
	} else {
		char *id = aw_state_new_id(st, "alert", "A-");
		aw_alert_new(&a, id, e, &aopts, now);
		free(id);
		find_similar(&a, &all);
		route(&a, now);
	}
	if (exec_cmd && !a.paged && a.severity >= AW_SEV_LOW) {
		a.paged = 1;
		queue_delivery(a.id, now);
		queued = 1;
	}
	aw_alert_json(&a, &after);
	if (!found || strcmp(before.s, after.s) != 0) {
		aw_state_put(st, "alert", a.id, after.s, after.len);
		if (aw_state_commit(st, "aw-alert", found ? "update" : "open") == 0) {
			aw_w_line(aw_out, after.s, after.len);
			if (queued)
				aw_strv_add(to_deliver, a.id);
		} else {
			queued = 0;
		}
	}
	aw_state_unlock(st);
	aw_writer_flush(aw_out);	/* a stream may wait long for its next event */
	aw_alert_free(&a);
	alerts_free(&all);
	aw_buf_free(&before);
	aw_buf_free(&after);
	return queued;
}

/* closes open alerts without an active work order whose last detection is long past */
static void expire(void)
{
	struct alerts all;
	struct aw_buf json = { 0 };
	struct aw_buf out = { 0 };
	int64_t now = (int64_t)aw_state_now();

	if (stream_time == INT64_MIN)
		return;
	lock_or_die();
	alerts_load(&all);
	for (size_t i = 0; i < all.n; i++) {
		struct aw_alert *a = &all.a[i];
		if (strcmp(a->status, "open") != 0 || a->end == INT64_MIN ||
		    a->end + close_after >= stream_time)
			continue;
		int ws = workorder_status(a);
		if (ws >= 0 && ws != AW_WO_REJECTED && ws != AW_WO_CLOSED)
			continue;
		free(a->status);
		a->status = aw_strdup("closed");
		a->closed = a->updated = now;
		aw_alert_json(a, &json);
		aw_state_put(st, "alert", a->id, json.s, json.len);
		aw_buf_put(&out, json.s, json.len);
		aw_buf_putc(&out, '\n');
	}
	if (out.len && aw_state_commit(st, "aw-alert", "expire") == 0)
		aw_w_bytes(aw_out, out.s, out.len);
	aw_state_unlock(st);
	alerts_free(&all);
	aw_buf_free(&json);
	aw_buf_free(&out);
}

/* ---- delivery ---- */

static const char *const fields[] = { "id", "event", "severity", "dma", "type", "team",
	"channel", "summary" };

static const char *field_of(const struct aw_alert *a, const char *summary, size_t k)
{
	const char *v[] = { a->id, a->event, aw_severity_name(a->severity), a->dma, a->type,
		a->team, a->channel, summary };
	return v[k] ? v[k] : "";
}

/* the words of CMD with {field} replaced; without any {field}, the main fields follow */
static char **build_argv(const struct aw_alert *a, const char *summary)
{
	char *copy = aw_strdup(exec_cmd), *save = NULL;
	char **argv = NULL;
	size_t n = 0;
	int subst = 0;

	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		struct aw_buf b = { 0 };
		aw_buf_puts(&b, "");
		for (const char *s = t; *s; s++) {
			size_t k;
			for (k = 0; k < AW_NELEM(fields); k++) {
				size_t fl = strlen(fields[k]);
				if (s[0] == '{' && strncmp(s + 1, fields[k], fl) == 0 && s[fl + 1] == '}')
					break;
			}
			if (k < AW_NELEM(fields)) {
				aw_buf_puts(&b, field_of(a, summary, k));
				s += strlen(fields[k]) + 1;
				subst = 1;
			} else {
				aw_buf_putc(&b, *s);
			}
		}
		argv = aw_reallocarray(argv, n + 2, sizeof *argv);
		argv[n++] = b.s;
	}
	if (!subst)
		for (size_t k = 0; k < 5; k++) {
			static const size_t main_fields[] = { 0, 2, 3, 5, 6 };
			argv = aw_reallocarray(argv, n + 2, sizeof *argv);
			argv[n++] = aw_strdup(field_of(a, summary, main_fields[k]));
		}
	argv[n] = NULL;
	free(copy);
	return argv;
}

static void sleep_for(double secs)
{
	struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* runs CMD once with the alert on stdin; NULL, or what went wrong */
static char *run_once(char **argv, const struct aw_alert *a, const char *json, size_t len)
{
	struct aw_buf err = { 0 };
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) < 0) {
		aw_buf_printf(&err, "pipe: %s", strerror(errno));
		return err.s;
	}
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		aw_buf_printf(&err, "fork: %s", strerror(errno));
		return err.s;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		dup2(2, 1);	/* our stdout carries records only */
		close(fds[0]);
		close(fds[1]);
		setenv("AW_ALERT_ID", a->id, 1);
		setenv("AW_ALERT_SEVERITY", aw_severity_name(a->severity), 1);
		setenv("AW_ALERT_DMA", a->dma, 1);
		setenv("AW_ALERT_TYPE", a->type, 1);
		setenv("AW_ALERT_TEAM", a->team ? a->team : "", 1);
		setenv("AW_ALERT_CHANNEL", a->channel ? a->channel : "", 1);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s: %s\n", aw_prog, argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	/* a command that does not read its input must not kill us with SIGPIPE */
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	sigaction(SIGPIPE, &ign, &old);
	const char *p = json;
	size_t left = len;
	while (left) {
		ssize_t w = write(fds[1], p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	if (!left)
		(void)!write(fds[1], "\n", 1);
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);

	for (double waited = 0;; waited += 0.01) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			aw_buf_printf(&err, "waitpid: %s", strerror(errno));
			return err.s;
		}
		if (waited >= exec_timeout) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			aw_buf_printf(&err, "%s timed out after %.0f s", argv[0], exec_timeout);
			return err.s;
		}
		sleep_for(0.01);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return NULL;
	if (WIFEXITED(status))
		aw_buf_printf(&err, "%s exited with status %d", argv[0], WEXITSTATUS(status));
	else
		aw_buf_printf(&err, "%s killed by signal %d", argv[0], WTERMSIG(status));
	return err.s;
}

/* hands one queued alert to CMD; the queue entry goes only when CMD succeeded */
static void deliver(const char *id)
{
	struct aw_buf json = { 0 }, q = { 0 }, sum = { 0 };
	struct aw_alert a;
	struct aw_record r = { 0 };
	const char *perr;
	char *err = NULL;
	long attempts = 0;
	double v;

	if (aw_state_get(st, "alert", id, &json) != 1 ||
	    aw_alert_parse(&a, json.s, json.len, &perr) < 0) {
		aw_warn("%s: queued for delivery but not in the state directory", id);
		aw_rval = 1;
		goto out;
	}
	{
		struct aw_record ar = { 0 };
		struct aw_record what = { 0 };
		const struct aw_field *f;
		if (aw_json_parse(&ar, json.s, json.len, &perr) == 0 && (f = aw_get(&ar, "what")) &&
		    aw_json_parse(&what, f->val, f->vlen, &perr) == 0 && aw_get_str(&what, "summary"))
			aw_buf_puts(&sum, aw_get_str(&what, "summary"));
		aw_record_free(&what);
		aw_record_free(&ar);
	}
	char **argv = build_argv(&a, sum.s ? sum.s : "");
	for (long i = 0; i < retries; i++) {
		if (i)
			sleep_for(backoff * (double)(1L << (i - 1 < 20 ? i - 1 : 20)));
		free(err);
		err = run_once(argv, &a, json.s, json.len);
		attempts++;
		if (!err)
			break;
	}
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);

	lock_or_die();
	if (!err) {
		aw_state_remove(st, "outbox", id);
		aw_state_commit(st, "aw-alert", "delivered");
	} else {
		long before = 0;
		if (aw_state_get(st, "outbox", id, &q) == 1 && aw_json_parse(&r, q.s, q.len, &perr) == 0 &&
		    aw_get_num(&r, "attempts", &v) && v >= 0 && v < 1e9)
			before = (long)v;
		struct aw_buf b = { 0 };
		struct aw_writer *w = aw_writer_mem(&b);
		aw_w_begin(w, "delivery");
		aw_w_str(w, "alert", id);
		aw_w_int(w, "attempts", before + attempts);
		aw_w_ts(w, "queued", (int64_t)aw_state_now());
		aw_w_str(w, "last_error", err);
		aw_w_end(w);
		aw_writer_close(w);
		aw_state_put(st, "outbox", id, b.s, b.len - 1);
		aw_state_commit(st, "aw-alert", "delivery-failed");
		aw_buf_free(&b);
		aw_warn("%s: delivery failed after %ld attempt%s (%s); kept in %s/outbox", id, attempts,
		    attempts == 1 ? "" : "s", err, aw_state_dir(st));
		aw_rval = 1;
	}
	aw_state_unlock(st);
	aw_alert_free(&a);
out:
	free(err);
	aw_record_free(&r);
	aw_buf_free(&json);
	aw_buf_free(&q);
	aw_buf_free(&sum);
}

static void deliver_queue(void)
{
	size_t n;
	char **ids;

	lock_or_die();
	ids = aw_state_list(st, "outbox", &n);
	aw_state_unlock(st);
	if (!exec_cmd) {
		if (n)
			aw_warn("%zu alert%s waiting for delivery in %s/outbox (run with --exec)", n,
			    n == 1 ? "" : "s", aw_state_dir(st));
	} else {
		for (size_t i = 0; i < n; i++)
			deliver(ids[i]);
	}
	aw_state_list_free(ids, n);
}

static char *state_dir(const char *opt, const struct aw_config *c)
{
	if (opt)
		return aw_strdup(opt);
	if (c->state_dir)
		return aw_config_file(c, c->state_dir);
	aw_usage_error("no state directory: give -S DIR or set state_dir in the config");
}

int main(int argc, char **argv)
{
	int optind = 1, id, only_deliver = 0;
	const char *arg, *dir_opt = NULL;

	aw_cli_init(argc, argv, &cli);
	while ((id = aw_getopt(argc, argv, &optind, &arg)) != -1) {
		switch (id) {
		case 'S':
			dir_opt = arg;
			break;
		case 'x':
			exec_cmd = arg;
			if (!*aw_trim((char *)arg))
				aw_usage_error("--exec: empty command");
			break;
		case OPT_RETRIES:
			retries = aw_arg_long("--retries", arg, 1, 100);
			break;
		case OPT_BACKOFF:
			backoff = aw_arg_double("--backoff", arg);
			if (backoff < 0 || backoff > 3600)
				aw_usage_error("--backoff: expected 0 to 3600 seconds: %s", arg);
			break;
		case OPT_TIMEOUT:
			exec_timeout = aw_arg_double("--exec-timeout", arg);
			if (exec_timeout <= 0)
				aw_usage_error("--exec-timeout: expected a positive number: %s", arg);
			break;
		case OPT_DELIVER:
			only_deliver = 1;
			break;
		case OPT_MERGE:
			aopts.merge_gap = aw_arg_duration("--merge-gap", arg);
			break;
		case OPT_CLOSE:
			close_after = aw_arg_duration("--close-after", arg);
			break;
		case OPT_CRIT:
			aopts.critical_flow = aw_arg_double("--critical-flow", arg);
			break;
		case 'w':
			lock_wait = aw_arg_double("--wait", arg);
			if (lock_wait < 0)
				aw_usage_error("--wait: expected seconds >= 0: %s", arg);
			break;
		}
	}
	if (only_deliver && !exec_cmd)
		aw_usage_error("--deliver needs --exec CMD");
	if (only_deliver && optind < argc)
		aw_usage_error("--deliver reads no input files");

	struct aw_config *cfg = aw_config_load(NULL);
	if (aw_routing_load(&routing, cfg) < 0) {
		aw_routing_free(&routing);
		aw_config_free(cfg);
		return 1;
	}
	char *dir = state_dir(dir_opt, cfg);
	st = aw_state_open(dir, 1);
	free(dir);
	if (!st) {
		aw_routing_free(&routing);
		aw_config_free(cfg);
		return 1;
	}
	deliver_queue();
	if (only_deliver)
		goto done;

	struct aw_reader *in = aw_reader_open(argv + optind, argc - optind);
	struct aw_record r = { 0 };
	struct aw_strv to_deliver = { 0 };
	const char *err;

	while (aw_read(in, &r)) {
		struct pending *p = NULL;
		const char *ev;
		int is_event = aw_is(&r, "type", "event");

		if (aw_is(&r, "type", "probability")) {
			keep_probability(&r);
			continue;
		}
		if (!is_event && !aw_is(&r, "type", "localization") && !aw_is(&r, "type", "validation")) {
			aw_w_line(aw_out, r.line, r.len);
			continue;
		}
		ev = aw_get_str(&r, is_event ? "id" : "event");
		if (!ev || !*ev) {
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in), "%s without a usable %s",
			    is_event ? "event" : "record", is_event ? "id" : "event id");
			continue;
		}
		p = pending_for(ev);
		if (aw_evidence_add(&p->e, &r, &err) < 0) {
			aw_error_at(aw_reader_name(in), aw_reader_lineno(in), "%s", err);
			continue;
		}
		p->nrecords++;
		/* validation is the last stage: page now rather than at the end of the input */
		if (aw_is(&r, "type", "validation") && p->e.have_event) {
			flush(p, &to_deliver);
			for (size_t i = 0; i < to_deliver.n; i++)
				deliver(to_deliver.v[i]);
			aw_strv_free(&to_deliver);
		}
	}
	for (size_t i = 0; i < npend; i++)
		if (!pend[i].done)
			flush(&pend[i], &to_deliver);
	aw_writer_flush(aw_out);
	for (size_t i = 0; i < to_deliver.n; i++)
		deliver(to_deliver.v[i]);
	expire();
	aw_strv_free(&to_deliver);
	aw_record_free(&r);
	aw_reader_close(in);
	for (size_t i = 0; i < npend; i++)
		aw_evidence_free(&pend[i].e);
	free(pend);
	aw_map_free(&pend_index);
	for (size_t i = 0; i < nrings; i++)
		for (size_t k = 0; k < PROB_KEEP; k++)
			free(rings[i].lines[k]);
	free(rings);
	aw_map_free(&ring_index);
done:
	aw_state_close(st);
	aw_routing_free(&routing);
	aw_config_free(cfg);
	return aw_finish();
}
