#!/bin/sh
# aw-workorder with users and roles, inspection work orders from the risk ranking, customer
# impact, the evidence store, legal hold, retention and purge.
# Runs in a scratch copy of tests/data/risk (its config names ../net/tiny.inp; users ana
# approver, ben reviewer of DMA north, vic viewer, root admin, nightly reviewer).
# Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
mkdir "$TMP/risk" "$TMP/net"
cp data/risk/* "$TMP/risk/"
cp data/net/tiny.inp "$TMP/net/"
cd "$TMP/risk" || exit 1
export AW_NOW=1547553600	# 2019-01-15T12:00:00Z
day=86400

aw-risk rank --at 2019-01-15 readings.ndjson.gz > ranking.ndjson
golden wo-risk-needs-by aw-workorder propose --from-risk ranking.ndjson --top 3
golden wo-risk-viewer aw-workorder propose --from-risk ranking.ndjson --top 3 --by vic
golden wo-risk-propose aw-workorder propose --from-risk ranking.ndjson --top 5 --by ben
golden wo-risk-propose-rest aw-workorder propose --from-risk ranking.ndjson --top 9 --by nightly
golden wo-risk-propose-again aw-workorder propose --from-risk ranking.ndjson --top 2 --by nightly
golden wo-risk-from-risk-and-files aw-workorder propose --from-risk ranking.ndjson leak.jsonl
golden wo-risk-list aw-workorder list

# an alert's work order gets the customers of its candidate pipes
aw-alert -q leak.jsonl > alerts.ndjson 2> /dev/null
golden wo-alert-customers sh -c 'aw-workorder -q propose alerts.ndjson --by nightly | jq -c "select(.type == \"workorder\") | [.id, .customers]"'

# roles on decisions
golden wo-approve-reviewer aw-workorder approve WO-000001 --by ben
golden wo-approve-approver aw-workorder -q approve WO-000001 --by ana --note ok
aw-workorder -q approve WO-000005 --by ana > /dev/null
golden wo-dispatch-other-dma aw-workorder dispatch WO-000005 --by ben
golden wo-dispatch aw-workorder -q dispatch WO-000001 --by ben
golden wo-import-viewer sh -c 'echo "{\"type\":\"workorder\",\"id\":\"WO-000001\",\"status\":\"dispatched\"}" | aw-workorder import --by vic'

# evidence
golden wo-attach aw-workorder attach WO-000001 photo.jpg --by ben --note "joint at 12 m"
golden wo-attach-again aw-workorder attach WO-000001 photo.jpg --by ben
golden wo-attach-viewer aw-workorder attach WO-000001 repair-note.txt --by vic
golden wo-attach-second aw-workorder -q attach WO-000001 repair-note.txt --by ben
golden wo-attach-missing aw-workorder attach WO-000001 no-such-file --by ben
golden wo-attach-no-by aw-workorder attach WO-000001 photo.jpg
golden wo-evidence aw-workorder evidence WO-000001
golden wo-evidence-json aw-workorder evidence --json WO-000001
aw-workorder evidence WO-000001 photo.jpg > got.jpg
cmp -s got.jpg photo.jpg
ok $? "evidence ID NAME gives the file back"
aw-workorder evidence WO-000001 43765dd5 > got.txt
cmp -s got.txt repair-note.txt
ok $? "evidence ID HASH-PREFIX gives the file back"
golden wo-evidence-unknown aw-workorder evidence WO-000001 nothing.pdf
test "$(stat -c %a st/blobs/sha256/a5/a5b6f92a4cb250d7145511acc03b257397d1c8e0ffb20eed87f1d77633c146a4)" = 400
ok $? "evidence files are read-only"
golden wo-evidence-in-audit sh -c 'aw-workorder audit log --id WO-000001 | jq -c "[.seq, .who, .action, [.after.files[].sha256[0:12]]]"'

# legal hold
golden wo-hold-approver aw-workorder hold WO-000001 --by ana --reason "claim 2019-17"
golden wo-hold-needs-reason aw-workorder hold WO-000001 --by root
golden wo-hold aw-workorder -q hold WO-000001 --by root --reason "claim 2019-17"
golden wo-hold-twice aw-workorder hold WO-000001 --by root --reason again
golden wo-show aw-workorder show WO-000001

# final states for retention: WO-1 closed (on hold), WO-2 rejected, WO-3 closed with the
# same note as WO-1 attached
aw-workorder -q close WO-000001 --by ana --outcome confirmed_leak --note clamp > /dev/null
aw-workorder -q reject WO-000002 --by ana --reason "renewal planned" > /dev/null
aw-workorder -q approve WO-000003 --by ana > /dev/null
aw-workorder -q close WO-000003 --by ana --outcome confirmed_no_leak > /dev/null
aw-workorder -q attach WO-000003 repair-note.txt --by ana > /dev/null

# 18 months on: evidence (1y) of WO-3 goes, its file stays (WO-1 has it too)
export AW_NOW=$((1547553600 + 548 * day))
golden wo-purge-dry-run aw-workorder purge --dry-run
golden wo-purge-needs-by aw-workorder purge
golden wo-purge-reviewer aw-workorder purge --by ben
golden wo-purge-evidence aw-workorder purge --by root
golden wo-evidence-purged aw-workorder evidence WO-000003
# three years on: WO-2, WO-3 and the label of WO-3 go; WO-1 is on hold, so its label and files stay
export AW_NOW=$((1547553600 + 3 * 365 * day))
golden wo-purge-held aw-workorder purge --by root
golden wo-release-needs-admin aw-workorder release WO-000001 --by ana
golden wo-release aw-workorder -q release WO-000001 --by root
golden wo-purge-released aw-workorder purge --by root
golden wo-purge-nothing aw-workorder purge --by root
golden wo-purged-files sh -c 'find st/blobs -type f | wc -l; ls st/workorder st/label st/purge'
golden wo-audit-verify-after-purge aw-workorder audit verify
golden wo-audit-purge-lines sh -c 'aw-workorder audit log | jq -c "select(.action == \"purge\") | [.seq, .who, .kind, .id, (.after == null)]"'

# a blob left by an attach killed before its commit is swept by the next purge
mkdir -p st/blobs/sha256/ff
: > st/blobs/sha256/ff/ff00000000000000000000000000000000000000000000000000000000000000
golden wo-purge-orphan aw-workorder purge --by root

golden wo-usage-attach aw-workorder attach WO-000001
golden wo-usage-purge-operand aw-workorder purge WO-000001 --by root
printf 'retention:\n  alerts: 3 years\n' > bad.yaml
golden wo-bad-retention aw-workorder -c bad.yaml -S st list
printf 'users:\n  - name: x\n    roles: [boss]\n' > badusers.yaml
golden wo-bad-role aw-workorder -c badusers.yaml -S st list
done_testing
