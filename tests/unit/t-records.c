/* Records of the state directory: users and roles, retention periods, the evidence store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_blob.h"
#include "aw_retention.h"
#include "aw_roles.h"
#include "tap.h"

static char dir[] = "/tmp/t-records.XXXXXX";

static char *path_in(const char *name)
{
	static char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const char *text)
{
	FILE *f = fopen(path_in(name), "w");
	fputs(text, f);
	fclose(f);
}

static void test_roles(void)
{
	struct aw_users u;
	char why[256];

	write_file("users.yaml",
	    "users:\n"
	    "  - name: alice\n    roles: [approver]\n"
	    "  - name: bob\n    roles: [viewer, reviewer]\n    dmas: [north]\n"
	    "  - name: root\n    roles: [admin]\n    dmas: ['*']\n"
	    "  - name: vera\n    roles: [viewer]\n"
	    "approvers: [mallory]\n");
	struct aw_config *c = aw_config_read(path_in("users.yaml"));
	ok(c && aw_users_load(&u, c) == 0, "users load");
	ok(u.configured && u.n == 4, "four users");
	ok(aw_users_may(&u, "alice", AW_ROLE_APPROVER, "north", why, sizeof why), "approver approves");
	ok(aw_users_may(&u, "alice", AW_ROLE_REVIEWER, "south", why, sizeof why),
	    "an approver is a reviewer too, everywhere");
	ok(!aw_users_may(&u, "alice", AW_ROLE_ADMIN, "north", why, sizeof why), "but no admin");
	is_str(why, "alice is an approver; this needs an admin", "reason given");
	ok(aw_users_may(&u, "bob", AW_ROLE_REVIEWER, "north", why, sizeof why), "bob reviews north");
	ok(!aw_users_may(&u, "bob", AW_ROLE_REVIEWER, "south", why, sizeof why), "not south");
	is_str(why, "bob is not a reviewer for DMA south", "why not");
	ok(!aw_users_may(&u, "bob", AW_ROLE_REVIEWER, NULL, why, sizeof why),
	    "an object of no DMA needs all DMAs");
	ok(aw_users_may(&u, "root", AW_ROLE_ADMIN, NULL, why, sizeof why), "'*' is every DMA");
	ok(!aw_users_may(&u, "vera", AW_ROLE_REVIEWER, "north", why, sizeof why), "a viewer changes nothing");
	is_str(why, "vera is a viewer; this needs a reviewer", "viewer's reason");
	ok(!aw_users_may(&u, "mallory", AW_ROLE_APPROVER, "north", why, sizeof why),
	    "with users, the approvers list does not count");
	is_str(why, "mallory is not a configured user", "unknown user");
	ok(!aw_users_may(&u, NULL, AW_ROLE_REVIEWER, "north", why, sizeof why), "nobody");
	is_num(aw_users_role(&u, "bob"), AW_ROLE_REVIEWER, 0, "highest role counts");
	is_num(aw_users_role(&u, "eve"), AW_ROLE_NONE, 0, "no role");
	aw_users_free(&u);
	aw_config_free(c);

	write_file("approvers.yaml", "approvers: [alice]\n");
	c = aw_config_read(path_in("approvers.yaml"));
	aw_users_load(&u, c);
	ok(!u.configured, "no users list");
	ok(aw_users_may(&u, "anyone", AW_ROLE_ADMIN, NULL, why, sizeof why),
	    "without users anyone may do what needs no approver");
	ok(aw_users_may(&u, "alice", AW_ROLE_APPROVER, "x", why, sizeof why), "approvers approve");
	ok(!aw_users_may(&u, "bob", AW_ROLE_APPROVER, "x", why, sizeof why), "others do not");
	aw_users_free(&u);
	aw_config_free(c);

	write_file("bad.yaml", "users:\n  - name: x\n    roles: [boss]\n  - roles: [admin]\n");
	c = aw_config_read(path_in("bad.yaml"));
	aw_rval = 0;
	ok(c && aw_users_load(&u, c) < 0 && aw_rval == 1, "unknown role and nameless user reported");
	aw_rval = 0;
	aw_users_free(&u);
	aw_config_free(c);
}

static void test_retention(void)
{
	struct aw_retention r;
	is_num(aw_retention_parse("3y"), 3 * 365.25 * 86400, 0, "years");
	is_num(aw_retention_parse("18mo"), (double)(int64_t)(18 * 30.44 * 86400), 0, "months");
	is_num(aw_retention_parse("6w"), 6 * 7 * 86400, 0, "weeks");
	is_num(aw_retention_parse("90d"), 90 * 86400, 0, "days");
	is_num(aw_retention_parse("12h"), 12 * 3600, 0, "hours");
	ok(aw_retention_parse("3") < 0 && aw_retention_parse("y") < 0 &&
	    aw_retention_parse("3 y") < 0 && aw_retention_parse("-1d") < 0, "bad durations");
	write_file("keep.yaml", "retention:\n  alerts: 3y\n  labels: 1x\n");
	struct aw_config *c = aw_config_read(path_in("keep.yaml"));
	aw_rval = 0;
	ok(aw_retention_load(&r, c) < 0 && aw_rval == 1, "bad value reported");
	aw_rval = 0;
	ok(r.keep[AW_KEEP_ALERTS] > 0 && r.keep[AW_KEEP_WORKORDERS] == -1, "unset: kept for ever");
	is_str(r.text[AW_KEEP_ALERTS], "3y", "as configured");
	aw_retention_free(&r);
	aw_config_free(c);
}

static void test_blobs(void)
{
	char h1[AW_SHA256_HEX], h2[AW_SHA256_HEX];
	unsigned long long bytes;
	int existed;
	size_t n;

	write_file("photo.jpg", "abc");
	ok(aw_blob_put_file(dir, path_in("photo.jpg"), h1, &bytes, &existed) == 0, "stored");
	is_str(h1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "named by its sha-256");
	ok(bytes == 3 && !existed, "new, 3 bytes");
	write_file("copy.jpg", "abc");
	ok(aw_blob_put_file(dir, path_in("copy.jpg"), h2, &bytes, &existed) == 0 && existed,
	    "the same content is stored once");
	char *p = aw_blob_path(dir, h1);
	struct stat sb;
	ok(p && stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0400, "read-only");
	ok(aw_blob_check(dir, h1, &bytes) == 1 && bytes == 3, "intact");
	chmod(p, 0600);
	FILE *f = fopen(p, "w");
	fputs("abd", f);
	fclose(f);
	ok(aw_blob_check(dir, h1, &bytes) == -1, "a changed blob is found out");
	write_file("other.txt", "");
	aw_blob_put_file(dir, path_in("other.txt"), h2, &bytes, &existed);
	char **l = aw_blob_list(dir, &n);
	ok(n == 2 && strcmp(l[0], l[1]) < 0, "two blobs listed, sorted");
	aw_state_list_free(l, n);
	ok(aw_blob_remove(dir, h1) == 0 && aw_blob_check(dir, h1, &bytes) == 0, "removed");
	ok(aw_blob_remove(dir, h1) == 0, "removing twice is fine");
	ok(aw_blob_path(dir, "xyz") == NULL && !aw_blob_hash_ok("ABC"), "not a hash");
	aw_rval = 0;
	ok(aw_blob_put_file(dir, path_in("missing"), h2, &bytes, &existed) < 0 && aw_rval == 1,
	    "a missing file is reported");
	aw_rval = 0;
	free(p);
}

int main(void)
{
	aw_setprog("t-records");
	if (!mkdtemp(dir))
		return 1;
	test_roles();
	test_retention();
	test_blobs();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "chmod -R u+w %s && rm -rf %s", dir, dir);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
