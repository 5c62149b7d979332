#!/bin/sh
# aw-alert: building, deduplicating, routing and delivering alerts.
# Runs in a scratch directory holding a copy of tests/data/alert and the state directory.
. "$(dirname "$0")/lib.sh"
cp data/alert/* "$TMP/"
cd "$TMP" || exit 1
export AW_NOW=1551700800	# 2019-03-04T12:00:00Z

golden alert-new-alert aw-alert "e1.jsonl"
test "$(stat -c %a st st/alert st/alert/A-000001.json st/audit.log | tr '\n' ' ')" = "700 700 600 600 "
ok $? "state directory 0700, files 0600"
golden alert-overlap-merges aw-alert "e2-overlap.jsonl"
golden alert-same-event-updates aw-alert "e1-again.jsonl"
golden alert-repeat-is-quiet aw-alert "e1-again.jsonl"
golden alert-routing aw-alert "others.jsonl"
golden alert-stdin-and-dash sh -c "aw-alert - < 'e1-again.jsonl'"
golden alert-expire env AW_NOW=1551873600 aw-alert "late.jsonl"
golden alert-bad-input aw-alert -S bad "bad.jsonl"

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
golden alert-exec aw-alert -S ex -x ./notify "e1.jsonl"
golden alert-exec-args cat delivered
rm delivered
golden alert-exec-fails env NOTIFY_STATUS=7 aw-alert -S ex --backoff 0.01 -x './notify {id} sev={severity} {summary}' "others.jsonl"
golden alert-queue-kept sh -c "ls ex/outbox; cat ex/outbox/A-000003.json"
golden alert-queue-no-exec aw-alert -S ex /dev/null
golden alert-deliver aw-alert -S ex -x './notify {id}' --deliver
golden alert-delivered-args cat delivered
test -z "$(ls ex/outbox)"
ok $? "outbox empty after delivery"
golden alert-exec-missing aw-alert -S ex2 --retries 1 -x ./no-such-notifier "e1.jsonl"

golden alert-bad-routing aw-alert -c "badroute.yaml" -S x /dev/null
golden alert-usage-deliver aw-alert -S x --deliver
golden alert-usage-no-state aw-alert -c /dev/null /dev/null
golden alert-audit aw-workorder audit verify
done_testing
