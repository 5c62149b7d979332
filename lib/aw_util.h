/* Shared helpers: messages, checked allocation, growable buffers, string maps. */
#ifndef AW_UTIL_H
#define AW_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#define AW_NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define AW_PRINTF(f, a) __attribute__((format(printf, f, a)))

extern const char *aw_prog;	/* program name for messages, set by aw_setprog */
extern int aw_rval;		/* exit status so far: data errors set 1 */

void aw_setprog(const char *argv0);
/* "aw-x: message" on stderr */
void aw_warn(const char *fmt, ...) AW_PRINTF(1, 2);
/* "aw-x: FILE:LINE: message" on stderr, sets aw_rval = 1 */
void aw_error_at(const char *file, long line, const char *fmt, ...) AW_PRINTF(3, 4);
/* "aw-x: FILE:LINE: message" on stderr, does not change the exit status */
void aw_note_at(const char *file, long line, const char *fmt, ...) AW_PRINTF(3, 4);
/* message and exit(status) */
_Noreturn void aw_die(int status, const char *fmt, ...) AW_PRINTF(2, 3);

void *aw_malloc(size_t n);
void *aw_calloc(size_t n, size_t size);
void *aw_realloc(void *p, size_t n);
void *aw_reallocarray(void *p, size_t n, size_t size);
char *aw_strdup(const char *s);
char *aw_strndup(const char *s, size_t n);

/* growable byte buffer, always NUL-terminated after the first put */
struct aw_buf {
	char *s;
	size_t len, cap;
};
void aw_buf_grow(struct aw_buf *b, size_t extra);
void aw_buf_put(struct aw_buf *b, const void *p, size_t n);
void aw_buf_putc(struct aw_buf *b, int c);
void aw_buf_puts(struct aw_buf *b, const char *s);
void aw_buf_printf(struct aw_buf *b, const char *fmt, ...) AW_PRINTF(2, 3);
void aw_buf_reset(struct aw_buf *b);
void aw_buf_free(struct aw_buf *b);

/* open-addressing map from strings (copied) to size_t values */
struct aw_map {
	char **keys;
	size_t *vals;
	size_t n, cap;
};
uint64_t aw_hash(const void *p, size_t n);
/* returns 1 and sets *val when found */
int aw_map_getn(const struct aw_map *m, const char *k, size_t klen, size_t *val);
int aw_map_get(const struct aw_map *m, const char *k, size_t *val);
/* inserts or replaces */
void aw_map_put(struct aw_map *m, const char *k, size_t val);
void aw_map_free(struct aw_map *m);

/* string helpers */
int aw_strcaseeq(const char *a, const char *b);
char *aw_trim(char *s);	/* in place, returns start */
/* length of the well-formed UTF-8 sequence of a non-ASCII character at p (n bytes
 * available): 2 to 4, or 0 when it is not one (overlong, surrogate, beyond U+10FFFF, cut) */
int aw_utf8_len(const char *p, size_t n);
/* strtod that accepts only a complete finite or non-finite number; returns 0 on success */
int aw_parse_double(const char *s, double *out);
#endif
