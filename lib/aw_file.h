/* Whole files: checked writes, atomic replacement, reading into a buffer, and the
 * "key value" lines of the model files. */
#ifndef AW_FILE_H
#define AW_FILE_H
#include <stddef.h>

#include "aw_util.h"

/* writes all n bytes (retrying short writes and EINTR); 0, or -1 with errno set */
int aw_write_all(int fd, const void *p, size_t n);
/* fsync of a directory, so that a rename or link in it lasts; 0, or -1 after reporting
 * "DIR: sync: ..." (aw_error_at) */
int aw_fsync_dir(const char *dir);
/* Replaces path by data: a temporary path.tmpXXXXXX with the usual mode (0666 less the
 * umask), fsync, rename. 0, or -1 after a warning (the temporary file removed). */
int aw_replace_file(const char *path, const void *data, size_t n);
/* appends the whole file to b (NUL-terminated); 0, or -1 with errno set, not reported */
int aw_read_file(const char *path, struct aw_buf *b);
/* "key value\n" with the shortest %.Ng (N = 15..17) that reads back to the same double */
void aw_put_key_num(struct aw_buf *b, const char *key, double v);
#endif
