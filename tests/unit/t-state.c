#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aw_state.h"
#include "tap.h"

static char root[] = "/tmp/aw-t-state.XXXXXX";
static char errfile[256];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	struct aw_buf b = { 0 };
	char chunk[4096];
	size_t n;

	aw_buf_grow(&b, 0);
	aw_buf_reset(&b);
	if (!f)
		return b.s;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		aw_buf_put(&b, chunk, n);
	fclose(f);
	return b.s;
}

static void spew(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	fputs(s, f);
	fclose(f);
}

static char *pathf(const char *dir, const char *name)
{
	struct aw_buf b = { 0 };
	aw_buf_printf(&b, "%s/%s", dir, name);
	return b.s;
}

static int mode_of(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 0777) : -1;
}

/* stderr of fn into a string */
static int stderr_fd = -1;
static void capture_begin(void)
{
	fflush(stderr);
	stderr_fd = dup(2);
	int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
}

static char *capture_end(void)
{
	fflush(stderr);
	dup2(stderr_fd, 2);
	close(stderr_fd);
	return slurp(errfile);
}

/* a state with five audit lines: three work orders, one updated, one removed */
static char *make_state(const char *name)
{
	char *dir = pathf(root, name);
	struct aw_state *st = aw_state_open(dir, 1);

	aw_state_lock(st, 0);
	aw_state_put(st, "workorder", "WO-000001", "{\"id\":\"WO-000001\",\"status\":\"proposed\"}", 38);
	aw_state_commit(st, "aw-workorder", "propose");
	aw_state_put(st, "workorder", "WO-000002", "{\"id\":\"WO-000002\",\"status\":\"proposed\"}", 38);
	aw_state_commit(st, "aw-workorder", "propose");
	aw_state_put(st, "workorder", "WO-000001", "{\"id\":\"WO-000001\",\"status\":\"approved\"}", 38);
	aw_state_commit(st, "Ann \"the\" approver", "approve");
	aw_state_put(st, "workorder", "WO-000003", "{\"id\":\"WO-000003\",\"status\":\"proposed\"}", 38);
	aw_state_remove(st, "workorder", "WO-000002");
	aw_state_commit(st, "aw-workorder", "replace");
	aw_state_close(st);
	return dir;
}

/* verify, returning the number of problems and the messages */
static long verify(const char *dir, char **msgs)
{
	struct aw_state *st = aw_state_open(dir, 1);
	long long lines;
	size_t objs;
	long n;

	capture_begin();
	aw_state_lock(st, 0);
	n = aw_state_verify(st, &lines, &objs);
	aw_state_close(st);
	*msgs = capture_end();
	return n;
}

/* rewrites the audit log with fn applied to its lines */
static void edit_log(const char *dir, void (*fn)(char **lines, int *n))
{
	char *log = pathf(dir, "audit.log"), *s = slurp(log), *lines[64];
	int n = 0;
	FILE *f;

	for (char *p = strtok(s, "\n"); p && n < 64; p = strtok(NULL, "\n"))
		lines[n++] = p;
	fn(lines, &n);
	f = fopen(log, "w");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[i]);
	fclose(f);
	free(s);
	free(log);
}

static void edit_line3(char **l, int *n)
{
	char *p = strstr(l[2], "approved");
	memcpy(p, "rejected", 8);
}
static void delete_line3(char **l, int *n)
{
	memmove(&l[2], &l[3], (size_t)(*n - 3) * sizeof *l);
	(*n)--;
}
static void swap_lines23(char **l, int *n)
{
	char *t = l[1];
	l[1] = l[2];
	l[2] = t;
}
static void delete_last(char **l, int *n)
{
	(*n)--;
}
static void edit_last(char **l, int *n)
{
	char *p = strstr(l[*n - 1], "aw-workorder");
	memcpy(p, "aw-workorded", 12);
}
static void duplicate_line2(char **l, int *n)
{
	memmove(&l[2], &l[1], (size_t)(*n - 1) * sizeof *l);
	(*n)++;
}

static void test_basics(void)
{
	char h[AW_SHA256_HEX];
	struct aw_buf b = { 0 };

	aw_sha256_hex("abc", 3, h);
	is_str(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha-256 of abc (FIPS 180-2 vector)");
	ok(aw_state_name_ok("WO-000001") && aw_state_name_ok("a.b:c_d"), "names accepted");
	ok(!aw_state_name_ok("") && !aw_state_name_ok(".x") && !aw_state_name_ok("a/b") &&
	    !aw_state_name_ok("a b") && !aw_state_name_ok("x\"y"), "bad names refused");

	char *dir = pathf(root, "a/b/state");
	struct aw_state *st = aw_state_open(dir, 1);
	ok(st != NULL, "open creates missing parents");
	ok(mode_of(dir) == 0700, "state directory is 0700");
	ok(aw_state_lock(st, 0) == 0, "lock");
	ok(aw_state_get(st, "alert", "A-000001", &b) == 0, "absent object");
	char *id = aw_state_new_id(st, "alert", "A-");
	is_str(id, "A-000001", "first id");
	aw_state_put(st, "alert", id, "{\"id\":\"A-000001\"}", 17);
	free(id);
	id = aw_state_new_id(st, "alert", "A-");
	is_str(id, "A-000002", "new id counts staged objects");
	free(id);
	ok(aw_state_commit(st, "aw-alert", "open") == 0, "commit");
	ok(aw_state_get(st, "alert", "A-000001", &b) == 1 && strcmp(b.s, "{\"id\":\"A-000001\"}") == 0,
	    "read back");
	char *obj = pathf(dir, "alert/A-000001.json"), *log = pathf(dir, "audit.log");
	ok(mode_of(obj) == 0600 && mode_of(log) == 0600 && mode_of(dir) == 0700,
	    "files 0600, directories 0700");
	char *body = slurp(obj);
	is_str(body, "{\"id\":\"A-000001\"}\n", "object file is the JSON and a newline");
	free(body);
	char *tmp = pathf(dir, "alert/.A-000001.json.tmp");
	ok(access(tmp, F_OK) < 0, "no temp file left");
	free(tmp);

	aw_state_put(st, "alert", "A-000001", "{\"id\":\"A-000001\"}", 17);
	ok(aw_state_commit(st, "aw-alert", "update") == 0, "unchanged object: commit");
	char *s = slurp(log);
	int nl = 0;
	for (char *p = s; *p; p++)
		nl += *p == '\n';
	ok(nl == 1, "unchanged object writes no audit line");
	char want[512];
	aw_sha256_hex("{\"id\":\"A-000001\"}", 17, h);
	snprintf(want, sizeof want, "{\"seq\":1,\"ts\":\"2024-03-01T12:00:00Z\",\"who\":\"aw-alert\","
	    "\"action\":\"open\",\"kind\":\"alert\",\"id\":\"A-000001\",\"part\":1,\"parts\":1,"
	    "\"before\":null,\"after\":{\"id\":\"A-000001\"},\"prev\":\"%s\"}\n",
	    "0000000000000000000000000000000000000000000000000000000000000000");
	is_str(s, want, "audit line format");
	free(s);

	long long seq = aw_state_head(st, h);
	char lh[AW_SHA256_HEX];
	aw_sha256_hex(want, strlen(want) - 1, lh);
	ok(seq == 1 && strcmp(h, lh) == 0, "head is seq 1 and the hash of line 1");

	aw_state_put(st, "alert", "A-000002", "{\"id\":\"A-000002\"}", 17);
	aw_state_put(st, "label", "L-000001", "{\"label\":\"probable\"}", 20);
	aw_state_put(st, "alert", "A-000002", "{\"id\":\"A-000002\",\"n\":2}", 23);
	ok(aw_state_commit(st, "a \\ \"b\"\n", "x") == 0, "two-object commit");
	s = slurp(log);
	ok(strstr(s, "\"seq\":2,") && strstr(s, "\"part\":1,\"parts\":2,\"before\":null,\"after\":{\"id\":\"A-000002\",\"n\":2}") &&
	    strstr(s, "\"seq\":3,") && strstr(s, "\"part\":2,\"parts\":2"),
	    "one line per change, parts 1 and 2 of 2, the last staged version");
	ok(strstr(s, "\"who\":\"a \\\\ \\\"b\\\"\\n\"") != NULL, "who is escaped");
	free(s);
	size_t n;
	char **ids = aw_state_list(st, "alert", &n);
	ok(n == 2 && strcmp(ids[0], "A-000001") == 0 && strcmp(ids[1], "A-000002") == 0, "list");
	aw_state_list_free(ids, n);
	aw_state_remove(st, "alert", "A-000001");
	ok(aw_state_commit(st, "aw-alert", "close") == 0 &&
	    aw_state_get(st, "alert", "A-000001", &b) == 0, "remove");
	long long lines;
	size_t objs;
	ok(aw_state_verify(st, &lines, &objs) == 0 && lines == 4 && objs == 2,
	    "verify: 4 lines, 2 live objects, no problem");
	aw_state_close(st);
	free(obj);
	free(log);
	free(dir);
	aw_buf_free(&b);
}

static void test_lock(void)
{
	char *dir = pathf(root, "lock");
	struct aw_state *a = aw_state_open(dir, 1), *b = aw_state_open(dir, 1);
	struct timespec t0, t1;
	char *msg, want[256];

	ok(aw_state_lock(a, 0) == 0, "first run locks");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	capture_begin();
	int r = aw_state_lock(b, 0.3);
	msg = capture_end();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double waited = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ok(r == -1, "second run cannot lock");
	ok(waited >= 0.29 && waited < 2, "it waited for the timeout (%.2f s)", waited);
	snprintf(want, sizeof want, "%s: %s: locked by another run (pid %ld), gave up after 0.3 s\n",
	    aw_prog, dir, (long)getpid());
	is_str(msg, want, "message names the holder");
	free(msg);
	aw_state_unlock(a);
	ok(aw_state_lock(b, 0) == 0, "lock free after unlock");
	aw_state_close(b);

	/* a holder that is killed releases the lock */
	pid_t pid = fork();
	if (pid == 0) {
		struct aw_state *c = aw_state_open(dir, 1);
		aw_state_lock(c, 1);
		pause();
		_exit(0);
	}
	struct aw_state *d = aw_state_open(dir, 1);
	char *lockf = pathf(dir, "lock");
	for (int i = 0; i < 200; i++) {
		char *s = slurp(lockf);
		int held = *s != 0;
		free(s);
		if (held)
			break;
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	capture_begin();
	r = aw_state_lock(d, 0);
	free(capture_end());
	ok(r == -1, "child holds the lock");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ok(aw_state_lock(d, 1) == 0, "lock of a killed run is free");
	aw_state_close(d);
	aw_state_close(a);
	free(lockf);
	free(dir);
}

static void test_tamper(void)
{
	char *dir, *msgs, want[512];
	struct {
		const char *name;
		void (*fn)(char **, int *);
		const char *want;
	} cases[] = {
		{ "edit", edit_line3, "audit.log:3: line changed after it was written (its hash is not the prev of line 4)" },
		{ "delete", delete_line3, "audit.log:3: seq 4 where 3 was expected (a line was removed, inserted or moved)" },
		{ "reorder", swap_lines23, "audit.log:2: seq 3 where 2 was expected (a line was removed, inserted or moved)" },
		{ "insert", duplicate_line2, "audit.log:3: seq 2 where 3 was expected (a line was removed, inserted or moved)" },
		{ "truncate", delete_last, "audit.log:4: log ends at seq 4 but audit.head records seq 5 (lines removed from the end)" },
		{ "editlast", edit_last, "audit.log:5: line changed after it was written (its hash is not the one in audit.head)" },
	};

	dir = make_state("clean");
	ok(verify(dir, &msgs) == 0 && *msgs == 0, "untouched state verifies");
	free(msgs);
	free(dir);
	for (size_t i = 0; i < AW_NELEM(cases); i++) {
		dir = make_state(cases[i].name);
		edit_log(dir, cases[i].fn);
		long n = verify(dir, &msgs);
		snprintf(want, sizeof want, "%s: %s/%s\n", aw_prog, dir, cases[i].want);
		char *first = strndup(msgs, strcspn(msgs, "\n") + 1);
		ok(n > 0, "%s: verify fails (%ld problems)", cases[i].name, n);
		is_str(first, want, "first problem names the line");
		free(first);
		free(msgs);

		struct aw_state *st = aw_state_open(dir, 1);
		aw_state_lock(st, 0);
		if (strcmp(cases[i].name, "truncate") == 0) {
			ok(aw_state_damaged(st) != NULL, "truncated log: state marked damaged");
			aw_state_put(st, "x", "y", "{}", 2);
			capture_begin();
			ok(aw_state_commit(st, "t", "t") == -1, "damaged state refuses commits");
			free(capture_end());
		}
		aw_state_close(st);
		free(dir);
	}

	dir = make_state("object");
	char *obj = pathf(dir, "workorder/WO-000001.json");
	spew(obj, "{\"id\":\"WO-000001\",\"status\":\"closed\"}\n");
	ok(verify(dir, &msgs) == 1, "edited object file: one problem");
	snprintf(want, sizeof want, "%s: %s: differs from its last version in the audit log (line 3)\n",
	    aw_prog, obj);
	is_str(msgs, want, "edited object file named");
	free(msgs);
	unlink(obj);
	ok(verify(dir, &msgs) == 1 && strstr(msgs, "WO-000001.json: missing (written by "), "deleted object file named");
	free(msgs);
	free(obj);
	obj = pathf(dir, "workorder/WO-000009.json");
	spew(obj, "{}\n");
	ok(verify(dir, &msgs) == 2 && strstr(msgs, "WO-000009.json: not in the audit log"), "extra object file named");
	free(msgs);
	free(obj);
	free(dir);
}

static void test_recovery(void)
{
	char *dir = make_state("crash"), *msgs;
	char *log = pathf(dir, "audit.log"), *head = pathf(dir, "audit.head");
	char *obj = pathf(dir, "workorder/WO-000004.json");
	char *old_log = slurp(log), *old_head = slurp(head);
	struct aw_state *st;
	FILE *f;

	/* killed during the append: a partial line beyond the head */
	const char *partial = "{\"seq\":6,\"ts\":\"2024-03-01T12:00:00Z\",\"who\":\"x\",\"act";
	char want[128];
	f = fopen(log, "a");
	fputs(partial, f);
	fclose(f);
	snprintf(want, sizeof want, "discarded an incomplete commit (%zu bytes)", strlen(partial));
	st = aw_state_open(dir, 1);
	capture_begin();
	aw_state_lock(st, 0);
	msgs = capture_end();
	ok(strstr(msgs, want) != NULL, "partial line cut off");
	free(msgs);
	char *now = slurp(log);
	is_str(now, old_log, "log is back to its committed length");
	free(now);
	aw_state_close(st);

	/* killed after the log fsync, before the objects and the head */
	st = aw_state_open(dir, 1);
	aw_state_lock(st, 0);
	aw_state_put(st, "workorder", "WO-000004", "{\"id\":\"WO-000004\"}", 18);
	aw_state_put(st, "workorder", "WO-000001", "{\"id\":\"WO-000001\",\"status\":\"closed\"}", 36);
	aw_state_commit(st, "t", "t");
	aw_state_close(st);
	char *new_head = slurp(head);
	spew(head, old_head);
	unlink(obj);
	st = aw_state_open(dir, 1);
	capture_begin();
	aw_state_lock(st, 0);
	msgs = capture_end();
	ok(strstr(msgs, "finished an interrupted commit (2 audit lines)") != NULL, "roll forward reported");
	free(msgs);
	now = slurp(head);
	is_str(now, new_head, "head moved to the end of the commit");
	free(now);
	ok(access(obj, F_OK) == 0, "object written by the roll forward");
	aw_state_close(st);
	ok(verify(dir, &msgs) == 0, "consistent after roll forward");
	free(msgs);

	/* killed in the middle of a two-line commit: the first line is cut off */
	char *committed = slurp(log);
	st = aw_state_open(dir, 1);
	aw_state_lock(st, 0);
	aw_state_put(st, "workorder", "WO-000005", "{\"id\":\"WO-000005\"}", 18);
	aw_state_put(st, "workorder", "WO-000006", "{\"id\":\"WO-000006\"}", 18);
	aw_state_commit(st, "t", "t");
	aw_state_close(st);
	char *full = slurp(log);
	size_t keep = strlen(committed) + (size_t)(strchr(full + strlen(committed), '\n') -
	    (full + strlen(committed))) + 1;
	full[keep] = 0;
	spew(log, full);
	spew(head, new_head);
	char *o5 = pathf(dir, "workorder/WO-000005.json"), *o6 = pathf(dir, "workorder/WO-000006.json");
	unlink(o5);
	unlink(o6);
	st = aw_state_open(dir, 1);
	capture_begin();
	aw_state_lock(st, 0);
	free(capture_end());
	now = slurp(log);
	is_str(now, committed, "incomplete commit (1 of 2 lines) cut off");
	free(now);
	ok(access(o5, F_OK) < 0, "its object not written");
	aw_state_close(st);
	ok(verify(dir, &msgs) == 0, "consistent after the cut");
	free(msgs);

	/* temp files of a killed atomic write are removed */
	char *tmp = pathf(dir, "workorder/.WO-000001.json.tmp");
	spew(tmp, "{\"half");
	st = aw_state_open(dir, 1);
	aw_state_lock(st, 0);
	ok(access(tmp, F_OK) < 0, "stale temp file removed");
	aw_state_close(st);

	free(tmp);
	free(o5);
	free(o6);
	free(full);
	free(committed);
	free(new_head);
	free(old_log);
	free(old_head);
	free(obj);
	free(log);
	free(head);
	free(dir);
}

int main(int argc, char **argv)
{
	aw_setprog("t-state");
	setenv("AW_NOW", "1709294400", 1);	/* 2024-03-01T12:00:00Z */
	umask(022);
	if (!mkdtemp(root))
		return 1;
	snprintf(errfile, sizeof errfile, "%s/stderr", root);
	test_basics();
	test_lock();
	test_tamper();
	test_recovery();
	if (tap_fail == 0 && !getenv("KEEP")) {
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf %s", root);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
