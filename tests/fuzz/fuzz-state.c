/* State objects and the state directory: alert and work-order objects parsed and written
 * back (the second round trip must give the same bytes), and an audit log and head
 * (input: log, form feed, head) recovered, verified and committed to. */
#include "fuzz.h"
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>

#include "aw_alert.h"
#include "aw_state.h"

static void objects(const char *s, size_t n)
{
	struct aw_alert a, a2;
	struct aw_workorder w, w2;
	struct aw_buf b1 = { 0 }, b2 = { 0 };
	const char *err;

	if (aw_alert_parse(&a, s, n, &err) == 0) {
		aw_alert_json(&a, &b1);
		if (aw_alert_parse(&a2, b1.s, b1.len, &err) != 0)
			abort();
		aw_alert_json(&a2, &b2);
		if (b1.len != b2.len || memcmp(b1.s, b2.s, b1.len) != 0)
			abort();
		aw_alert_free(&a2);
		aw_alert_free(&a);
	}
	aw_buf_reset(&b1);
	aw_buf_reset(&b2);
	if (aw_workorder_parse(&w, s, n, &err) == 0) {
		aw_workorder_json(&w, &b1);
		if (aw_workorder_parse(&w2, b1.s, b1.len, &err) != 0)
			abort();
		aw_workorder_json(&w2, &b2);
		if (b1.len != b2.len || memcmp(b1.s, b2.s, b1.len) != 0)
			abort();
		aw_workorder_free(&w2);
		aw_workorder_free(&w);
	}
	aw_buf_free(&b1);
	aw_buf_free(&b2);
}

static int rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag;
	return ftw->level ? remove(p) : 0;
}

static void put_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(p, 1, n, f);
	fclose(f);
}

static void state(const uint8_t *data, size_t size)
{
	static char dir[64];
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "%s/aw-fuzz-state.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(dir))
			abort();
	}
	nftw(dir, rm, 8, FTW_DEPTH | FTW_PHYS);
	const uint8_t *ff = memchr(data, '\f', size);
	size_t n1 = ff ? (size_t)(ff - data) : size;
	put_file(dir, "audit.log", data, n1);
	if (ff)
		put_file(dir, "audit.head", ff + 1, size - n1 - 1);
	mkdir(strcat(strcpy((char[96]){ 0 }, dir), "/alert"), 0700);
	put_file(dir, "alert/A-000001.json", "{\"type\":\"alert\",\"id\":\"A-000001\",\"dma\":\"D\"}\n", 44);

	struct aw_state *st = aw_state_open(dir, 0);
	if (!st)
		return;
	if (aw_state_lock(st, 0) == 0) {
		long long lines;
		size_t nobj, n;
		struct aw_buf json = { 0 };
		aw_state_verify(st, &lines, &nobj);
		char **ids = aw_state_list(st, "alert", &n);
		for (size_t i = 0; i < n; i++)
			aw_state_get(st, "alert", ids[i], &json);
		aw_state_list_free(ids, n);
		char *id = aw_state_new_id(st, "workorder", "WO-");
		aw_state_put(st, "workorder", id, "{\"type\":\"workorder\"}", 20);
		free(id);
		aw_state_remove(st, "alert", "A-000001");
		if (aw_state_commit(st, "fuzz", "test") == 0)
			aw_state_verify(st, &lines, &nobj);
		aw_buf_free(&json);
	}
	aw_state_close(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size && data[0] == '{')
		objects((const char *)data, size);
	else
		state(data, size);
	aw_rval = 0;
	return 0;
}
