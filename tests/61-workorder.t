#!/bin/sh
# aw-workorder: proposal, the approval flow, CMMS export/import, labels, audit verify.
# Runs in a scratch directory holding a copy of tests/data/alert and the state directory.
. "$(dirname "$0")/lib.sh"
cp data/alert/* "$TMP/"
cd "$TMP" || exit 1
export AW_NOW=1551700800	# 2019-03-04T12:00:00Z

aw-alert e1.jsonl others.jsonl > alerts.jsonl 2>/dev/null
golden workorder-propose aw-workorder propose alerts.jsonl
golden workorder-propose-again-is-quiet aw-workorder propose --open
golden workorder-list aw-workorder list
golden workorder-list-filtered aw-workorder list --dma DMA_B --status proposed,approved

golden workorder-approve-not-approver env AW_NOW=1551701100 aw-workorder approve WO-000001 --by mallory
golden workorder-approve env AW_NOW=1551701100 aw-workorder approve WO-000001 --by alice --note "night flow up 2 L/s"
golden workorder-approve-twice aw-workorder approve WO-000001 --by bob
golden workorder-close-needs-outcome aw-workorder close WO-000001 --by bob
golden workorder-reject-needs-reason aw-workorder reject WO-000004 --by bob
golden workorder-no-such aw-workorder dispatch WO-000042 --by carol
golden workorder-export aw-workorder export
golden workorder-dispatch env AW_NOW=1551704400 aw-workorder dispatch WO-000001 --by carol
golden workorder-close env AW_NOW=1551722400 aw-workorder close WO-000001 --by carol --outcome confirmed_leak --note "joint failure on p257, repaired"
golden workorder-reject aw-workorder -q reject WO-000004 --by bob --reason "DMA_C is being flushed"
golden workorder-import aw-workorder import cmms-updates.jsonl
golden workorder-show aw-workorder show WO-000001
golden workorder-show-json aw-workorder show --json WO-000002
golden workorder-labels aw-workorder labels
golden workorder-alerts-closed sh -c 'aw-workorder alerts --status closed | jq -c "[.id, .status, .workorder, .outcome]"'
golden workorder-audit-log sh -c 'aw-workorder audit log --id WO-000001 | jq -c "[.seq, .who, .action, .after.status]"'
golden workorder-audit-verify aw-workorder audit verify

# tampering: one edited line, then one removed line, each caught and named
cp -R st st.orig
sed -i 's/"who":"alice"/"who":"bob"/' st/audit.log
golden workorder-tampered-edit aw-workorder audit verify
golden workorder-tampered-refuses-nothing sh -c 'aw-workorder list --status approved | wc -l'
rm -rf st && cp -R st.orig st
sed -i '7d' st/audit.log
golden workorder-tampered-delete aw-workorder audit verify
rm -rf st && cp -R st.orig st
sed -i '$d' st/audit.log
golden workorder-tampered-truncate aw-workorder audit verify
golden workorder-truncated-refuses-writes aw-workorder reject WO-000003 --by bob --reason x
rm -rf st && cp -R st.orig st
golden workorder-object-edited sh -c 'sed -i "s/confirmed_leak/probable/" st/label/L-000001.json; aw-workorder audit verify'

golden workorder-locked flock st/lock aw-workorder -w 0 list
golden workorder-locked-wait flock st/lock aw-workorder -w 0.2 approve WO-000003 --by bob
golden workorder-no-state-dir aw-workorder -S nosuch list
golden workorder-usage-no-command aw-workorder
golden workorder-usage-unknown aw-workorder frobnicate
golden workorder-usage-audit aw-workorder audit
done_testing
