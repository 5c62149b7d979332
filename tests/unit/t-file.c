#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aw_file.h"
#include "tap.h"

int main(void)
{
	char dir[] = "/tmp/t-file.XXXXXX";
	struct aw_buf b = { 0 }, path = { 0 };
	struct stat sb;

	aw_put_key_num(&b, "a", 0.1);
	aw_put_key_num(&b, "b", 0.1 + 0.2);
	aw_put_key_num(&b, "c", 2);
	is_str(b.s, "a 0.1\nb 0.30000000000000004\nc 2\n", "shortest round-trip numbers");

	ok(mkdtemp(dir) != NULL, "temporary directory");
	aw_buf_printf(&path, "%s/f", dir);
	umask(022);
	ok(aw_replace_file(path.s, "one\n", 4) == 0, "write a new file");
	ok(aw_replace_file(path.s, b.s, b.len) == 0, "replace it");
	ok(stat(path.s, &sb) == 0 && (sb.st_mode & 0777) == 0644, "mode is 0666 less the umask");
	struct aw_buf got = { 0 };
	ok(aw_read_file(path.s, &got) == 0, "read it back");
	is_str(got.s, b.s, "same contents");
	ok(aw_fsync_dir(dir) == 0, "sync the directory");
	unlink(path.s);
	aw_buf_reset(&got);
	ok(aw_read_file(path.s, &got) == -1 && errno == ENOENT, "missing file: -1, ENOENT");
	rmdir(dir);

	aw_buf_free(&b), aw_buf_free(&path), aw_buf_free(&got);
	return tap_done();
}
