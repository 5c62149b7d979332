/* Scoring leak lists, leak outflow series and distance tables. The input is a leak list,
 * optionally followed by a form feed and an outflow CSV for those leaks. */
#include "fuzz.h"
#include <string.h>

#include "aw_leaks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32], path2[32];
	const uint8_t *ff = memchr(data, '\f', size);
	size_t n1 = ff ? (size_t)(ff - data) : size;
	int fd = fuzz_file(data, n1, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_leaks t = { 0 };
	struct aw_buf missing = { 0 };
	if (aw_leaks_load(&t, path) == 0 && ff) {
		int fd2 = fuzz_file(ff + 1, size - n1 - 1, path2, sizeof path2);
		if (fd2 >= 0) {
			aw_leaks_load_flows(&t, path2, &missing);
			close(fd2);
		}
	}
	aw_leaks_free(&t);
	aw_buf_free(&missing);
	struct aw_dist_table d = { 0 };
	aw_dist_table_load(&d, path);
	aw_dist_table_get("a", "b", &d);
	aw_dist_table_free(&d);
	close(fd);
	aw_rval = 0;
	return 0;
}
