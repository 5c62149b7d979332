/* The evidence store of a state directory: files kept by content (SHA-256), each stored
 * once, read-only, never overwritten:
 *   DIR/blobs/sha256/AB/ABCDEF...	(AB: the first two hex digits of the hash)
 *   DIR/blobs/tmp/			(files being copied in; removed when done)
 * Blobs are referenced from work orders (their "files" list), so the audit log, which
 * records every version of a work order, names the hash of every file ever attached. */
#ifndef AW_BLOB_H
#define AW_BLOB_H
#include <stddef.h>

#include "aw_record.h"
#include "aw_state.h"

/* Copies a file into the store of the state directory dir, hashing it on the way.
 * *existed is 1 when the store had it already (then nothing is written). 0, or -1
 * after reporting. */
int aw_blob_put_file(const char *dir, const char *path, char hash[AW_SHA256_HEX],
    unsigned long long *bytes, int *existed);
/* the path of a blob (malloc'd); NULL when hash is not 64 lowercase hex digits */
char *aw_blob_path(const char *dir, const char *hash);
/* Re-hashes a stored blob: 1 intact, 0 missing, -1 its content no longer has its hash;
 * *bytes gets its size. */
int aw_blob_check(const char *dir, const char *hash, unsigned long long *bytes);
/* copies a blob to the writer; 0, or -1 after reporting */
int aw_blob_copy(const char *dir, const char *hash, struct aw_writer *w);
/* deletes a blob; 0 (also when it was not there), or -1 after reporting */
int aw_blob_remove(const char *dir, const char *hash);
/* the hashes of every stored blob, sorted; free with aw_state_list_free */
char **aw_blob_list(const char *dir, size_t *n);
/* 1 when s is 64 lowercase hex digits */
int aw_blob_hash_ok(const char *s);
#endif
