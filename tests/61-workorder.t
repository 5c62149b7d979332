#!/bin/sh
# aw-workorder: proposal, the approval flow, CMMS export/import, labels, audit verify.
# Refresh the golden files: AW_GOLDEN=1 make check PROVEFLAGS=tests/61-workorder.t
D=$(cd "$(dirname "$0")" && pwd)
G=$D/golden/workorder
T=$(mktemp -d "${TMPDIR:-/tmp}/aw-workorder.XXXXXX")
. "$D/golden.sh"
cp "$D"/data/alert/* "$T/"
cd "$T" || exit 1
export AW_NOW=1551700800	# 2019-03-04T12:00:00Z
unset AW_CONFIG

aw-alert e1.jsonl others.jsonl > alerts.jsonl 2>/dev/null
check propose 0 aw-workorder propose alerts.jsonl
check propose-again-is-quiet 0 aw-workorder propose --open
check list 0 aw-workorder list
check list-filtered 0 aw-workorder list --dma DMA_B --status proposed,approved

AW_NOW=1551701100 check approve-not-approver 1 aw-workorder approve WO-000001 --by mallory
AW_NOW=1551701100 check approve 0 aw-workorder approve WO-000001 --by alice --note "night flow up 2 L/s"
check approve-twice 1 aw-workorder approve WO-000001 --by bob
check close-needs-outcome 2 aw-workorder close WO-000001 --by bob
check reject-needs-reason 2 aw-workorder reject WO-000004 --by bob
check no-such 1 aw-workorder dispatch WO-000042 --by carol
check export 0 aw-workorder export
AW_NOW=1551704400 check dispatch 0 aw-workorder dispatch WO-000001 --by carol
AW_NOW=1551722400 check close 0 aw-workorder close WO-000001 --by carol --outcome confirmed_leak --note "joint failure on p257, repaired"
check reject 0 aw-workorder -q reject WO-000004 --by bob --reason "DMA_C is being flushed"
check import 1 aw-workorder import cmms-updates.jsonl
check show 0 aw-workorder show WO-000001
check show-json 0 aw-workorder show --json WO-000002
check labels 0 aw-workorder labels
check alerts-closed 0 sh -c 'aw-workorder alerts --status closed | jq -c "[.id, .status, .workorder, .outcome]"'
check audit-log 0 sh -c 'aw-workorder audit log --id WO-000001 | jq -c "[.seq, .who, .action, .after.status]"'
check audit-verify 0 aw-workorder audit verify

# tampering: one edited line, then one removed line, each caught and named
cp -R st st.orig
sed -i 's/"who":"alice"/"who":"bob"/' st/audit.log
check tampered-edit 1 aw-workorder audit verify
check tampered-refuses-nothing 0 sh -c 'aw-workorder list --status approved | wc -l'
rm -rf st && cp -R st.orig st
sed -i '7d' st/audit.log
check tampered-delete 1 aw-workorder audit verify
rm -rf st && cp -R st.orig st
sed -i '$d' st/audit.log
check tampered-truncate 1 aw-workorder audit verify
check truncated-refuses-writes 1 aw-workorder reject WO-000003 --by bob --reason x
rm -rf st && cp -R st.orig st
check object-edited 1 sh -c 'sed -i "s/confirmed_leak/probable/" st/label/L-000001.json; aw-workorder audit verify'

check usage-no-command 2 aw-workorder
check usage-unknown 2 aw-workorder frobnicate
check usage-audit 2 aw-workorder audit
done_testing
