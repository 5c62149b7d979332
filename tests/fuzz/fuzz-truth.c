/* Training truth: leak lists (CSV) and label/event records, then queries. The input is
 * read both ways. */
#include "fuzz.h"

#include "aw_time.h"
#include "aw_util.h"
#include "aw_truth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int fd = fuzz_file(data, size, path, sizeof path);
	if (fd < 0)
		return 0;
	struct aw_truth t = { 0 };
	char *files[] = { path };
	aw_truth_read_leaks(&t, path);
	lseek(fd, 0, SEEK_SET);
	aw_truth_read_labels(&t, files, 1);
	float y, w;
	for (size_t i = 0; i < t.n && i < 16; i++) {
		aw_truth_at(&t, t.iv[i].dma ? t.iv[i].dma : "DMA_B", t.iv[i].start, &y, &w);
		aw_truth_at(&t, "DMA_A", t.iv[i].end, &y, &w);
		if (t.iv[i].peak > t.iv[i].start)
			aw_truth_at(&t, "", t.iv[i].start + (t.iv[i].peak - t.iv[i].start) / 2, &y, &w);
	}
	aw_truth_free(&t);
	close(fd);
	aw_rval = 0;
	return 0;
}
