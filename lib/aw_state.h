/* The state directory of aw-alert and aw-workorder: objects (alerts, work orders, labels,
 * pending deliveries), a lock, and a hash-chained, append-only audit log.
 *
 * Layout (directories 0700, files 0600):
 *   DIR/lock              flock(2) target; holds the pid of the run that has it
 *   DIR/audit.log         one JSON line per change, the source of truth
 *   DIR/audit.head        "SEQ OFFSET SHA256\n": the last committed line, its end offset
 *                         in audit.log and its hash
 *   DIR/KIND/ID.json      the current version of one object: one JSON line
 *
 * Audit line, fields always in this order:
 *   {"seq":N,"ts":"...Z","who":"...","action":"...","kind":"...","id":"...",
 *    "part":I,"parts":K,"before":"SHA256"|null,"after":{...}|null,"prev":"SHA256"}
 * seq counts lines from 1; the changes of one commit are parts 1..K of consecutive lines;
 * before is the SHA-256 of the object's previous version (null when it is new), after the
 * whole new version (null when it is removed); prev is the SHA-256 of the previous line
 * without its newline (64 zeros on line 1). Hashes are lowercase hex.
 *
 * Commit (under the lock): append all lines of the commit with one write, fsync the log;
 * then write each object (temp file, fsync, rename, fsync of the directory); then replace
 * audit.head the same way. The fsync of the log is the commit point. A run killed before it
 * leaves at most an incomplete tail beyond audit.head, which the next lock cuts off (the
 * change did not happen); a run killed after it leaves complete lines beyond audit.head,
 * whose "after" versions the next lock writes out again (roll forward, idempotent) before
 * moving the head. Either way every object file equals the last "after" of its object in
 * the log, which is what aw_state_verify checks.
 *
 * Tamper evidence: an edited, inserted, removed or reordered line breaks the seq sequence
 * or the prev chain; an edited or removed last line disagrees with audit.head. Anyone who
 * can write the directory can rewrite the whole chain, so keep a copy of the head hash
 * elsewhere (aw_state_head) when that matters. */
#ifndef AW_STATE_H
#define AW_STATE_H
#include <stddef.h>
#include <time.h>

#include "aw_util.h"

#define AW_SHA256_HEX 65	/* 64 hex digits and NUL */

struct aw_state;

/* Opens the state directory; with create, a missing one is created (with its missing
 * parents) with mode 0700, else it is an error. Warns when it is accessible by others.
 * NULL after reporting. */
struct aw_state *aw_state_open(const char *dir, int create);
/* Drops staged changes and the lock. */
void aw_state_close(struct aw_state *st);
const char *aw_state_dir(const struct aw_state *st);

/* Takes the exclusive lock, waiting up to wait seconds (0: only try once), then finishes
 * or cuts off an interrupted commit. 0, or -1 after reporting (locked elsewhere, I/O).
 * A log that disagrees with its head is not repaired, and an interrupted commit that
 * cannot be finished now (I/O error, full disk; reported) is left to the next lock: in
 * both cases reads still work and commits refuse (aw_state_damaged). */
int aw_state_lock(struct aw_state *st, double wait);
void aw_state_unlock(struct aw_state *st);
/* the reason commits are refused, or NULL */
const char *aw_state_damaged(const struct aw_state *st);

/* kind and id: 1-64 characters of [A-Za-z0-9._:-], not starting with '.' */
int aw_state_name_ok(const char *s);

/* The current version of an object into json (without the newline): 1, 0 when absent,
 * -1 after reporting. */
int aw_state_get(struct aw_state *st, const char *kind, const char *id, struct aw_buf *json);
/* ids of one kind in strcmp order; *n gets the count. Free with aw_state_list_free. */
char **aw_state_list(struct aw_state *st, const char *kind, size_t *n);
void aw_state_list_free(char **ids, size_t n);
/* PREFIX followed by one more than the largest number after PREFIX among the existing and
 * staged ids of kind, six digits at least ("WO-000042"). Needs the lock. */
char *aw_state_new_id(struct aw_state *st, const char *kind, const char *prefix);

/* Stage a new version (one JSON object on one line, no newline) or the removal of an object; a second
 * change of the same object in one commit replaces the first. Needs the lock. */
void aw_state_put(struct aw_state *st, const char *kind, const char *id,
    const char *json, size_t len);
void aw_state_remove(struct aw_state *st, const char *kind, const char *id);
/* Writes the staged changes that change something, as described above; who and action
 * go into every line. 0, or -1 after reporting; the staged changes are dropped. A failure
 * after the log was synced leaves the change to the roll-forward of the next lock; until
 * then this handle refuses to commit. */
int aw_state_commit(struct aw_state *st, const char *who, const char *action);
void aw_state_abort(struct aw_state *st);

/* seq and hash of the last committed line (0 and 64 zeros for an empty log) */
long long aw_state_head(const struct aw_state *st, char hash[AW_SHA256_HEX]);
/* path of DIR/audit.log */
const char *aw_state_audit_path(const struct aw_state *st);

/* Checks every line of the log (seq order, prev chain, before digests), the head, and that
 * the object files are exactly the last versions the log records. Each problem is reported
 * as "FILE:LINE: what" (aw_error_at). Returns the number of problems; *lines and *objects
 * get the number of lines checked and of live objects. Needs the lock. */
long aw_state_verify(struct aw_state *st, long long *lines, size_t *objects);

/* SHA-256 (libcrypto) as lowercase hex */
void aw_sha256_hex(const void *p, size_t n, char out[AW_SHA256_HEX]);
/* the time written into audit lines: $AW_NOW (seconds since the epoch) when set, for
 * reproducible tests, else the clock */
time_t aw_state_now(void);
#endif
