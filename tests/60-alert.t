#!/bin/sh
# aw-alert: building, deduplicating, routing and delivering alerts.
# Refresh the golden files: AW_GOLDEN=1 make check PROVEFLAGS=tests/60-alert.t
D=$(cd "$(dirname "$0")" && pwd)
G=$D/golden/alert
T=$(mktemp -d "${TMPDIR:-/tmp}/aw-alert.XXXXXX")
. "$D/golden.sh"
DATA=$D/data/alert
cp "$DATA"/* "$T/"
cd "$T" || exit 1
export AW_NOW=1551700800	# 2019-03-04T12:00:00Z
unset AW_CONFIG

check new-alert 0 aw-alert "e1.jsonl"
ok "state directory 0700, files 0600" \
    sh -c 'test "$(stat -c %a st st/alert st/alert/A-000001.json st/audit.log)" = "700
700
600
600"'
check overlap-merges 0 aw-alert "e2-overlap.jsonl"
check same-event-updates 0 aw-alert "e1-again.jsonl"
check repeat-is-quiet 0 aw-alert "e1-again.jsonl"
check routing 0 aw-alert "others.jsonl"
check stdin-and-dash 0 sh -c "aw-alert - < 'e1-again.jsonl'"
AW_NOW=1551873600 check expire 0 aw-alert "late.jsonl"
check bad-input 1 aw-alert -S bad "bad.jsonl"

# delivery: the alert on stdin, fields as arguments, no shell
cat > notify <<'SH'
#!/bin/sh
printf '%s|' "$@" >> delivered
printf '%s\n' "$AW_ALERT_ID $AW_ALERT_TEAM" >> delivered
head -c 40 >> delivered
echo >> delivered
exit ${NOTIFY_STATUS:-0}
SH
chmod +x notify
check exec 0 aw-alert -S ex -x ./notify "e1.jsonl"
check exec-args 0 cat delivered
rm delivered
NOTIFY_STATUS=7 check exec-fails 1 aw-alert -S ex --backoff 0.01 -x './notify {id} sev={severity} {summary}' "others.jsonl"
check queue-kept 0 sh -c "ls ex/outbox; cat ex/outbox/A-000003.json"
check queue-no-exec 0 aw-alert -S ex /dev/null
check deliver 0 aw-alert -S ex -x './notify {id}' --deliver
check delivered-args 0 cat delivered
ok "outbox empty" test -z "$(ls ex/outbox)"
check exec-missing 1 aw-alert -S ex2 --retries 1 -x ./no-such-notifier "e1.jsonl"

check bad-routing 1 aw-alert -c "badroute.yaml" -S x /dev/null
check usage-deliver 2 aw-alert -S x --deliver
check usage-no-state 2 aw-alert -c /dev/null /dev/null
check audit 0 aw-workorder audit verify
done_testing
