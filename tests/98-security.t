#!/bin/sh
# Security: record fields and config values handed to aw-alert --exec stay single
# arguments (no shell), state files are private whatever the umask, names from records
# never become paths outside the state directory, and tampering with the audit log
# (edit, reorder, truncation, a cut line, a lost head) is caught.
. "$(dirname "$0")/lib.sh"
D=$T/data
export AW_NOW=1551700800
cd "$TMP" || exit 1
pwned=$TMP/pwned

# ---- no shell injection through --exec ----
cat > aquawatch.yaml <<EOF
timezone: UTC
state_dir: st
routing:
  - dma: "x;touch $pwned"
    team: "\$(touch $pwned)"
    channel: "; rm -rf $TMP/keep #"
  - team: "\`touch $pwned\`"
    channel: "|touch $pwned"
EOF
mkdir keep
cat > notify <<'EOF'
#!/bin/sh
for a; do printf '%s\n' "$a"; done >> args
printf '%s\n' "$AW_ALERT_DMA" >> env
cat > /dev/null
EOF
chmod +x notify
printf '%s\n' \
    "{\"type\":\"event\",\"id\":\"\$(touch $pwned)\",\"dma\":\"x;touch $pwned\",\"start\":\"2019-03-04T02:00:00Z\",\"end\":\"2019-03-04T03:00:00Z\",\"peak_p\":0.9,\"sensors\":[\"n1\"],\"source\":\"prob\"}" \
    "{\"type\":\"event\",\"id\":\"e2; rm -rf $TMP/keep\",\"dma\":\"\`touch $pwned\`\",\"kind\":\"leak' \\\"&& touch $pwned\",\"start\":\"2019-03-04T02:00:00Z\",\"end\":\"2019-03-04T03:00:00Z\",\"peak_p\":0.95,\"sensors\":[\"n2\"],\"source\":\"prob\"}" \
    > hostile.jsonl
aw-alert -x './notify {id} {event} {dma} {team} {channel} {summary}' hostile.jsonl > out 2> err
ok $? "aw-alert --exec with hostile fields and routing: exit 0"
[ ! -e "$pwned" ] && [ -d keep ]
ok $? "no command in a field or config value was run, nothing was removed"
grep -qxF "\$(touch $pwned)" args && grep -qxF "x;touch $pwned" args && grep -qxF "e2; rm -rf $TMP/keep" args &&
    grep -qxF "\`touch $pwned\`" args && grep -qxF "; rm -rf $TMP/keep #" args
ok $? "each field reached the command as one argument, byte for byte"
grep -qxF "x;touch $pwned" env
ok $? "AW_ALERT_DMA holds the field as given"
# a command that is not found, or has shell syntax, is an error of its own, not a shell
aw-alert -S st2 -x 'notify; touch '"$pwned" hostile.jsonl > /dev/null 2> err
[ ! -e "$pwned" ] && grep -q 'delivery failed' err
ok $? "a CMD with ';' is words for execvp, not a shell line"

# ---- private state, whatever the umask ----
(umask 000 && aw-alert -q -S st3 "$D/alert/e1.jsonl" > /dev/null && aw-workorder -q -S st3 propose --open > /dev/null)
open=$(find st3 -perm /077 | head -5)
[ -z "$open" ] && [ "$(stat -c %a st3)" = 700 ] && [ "$(stat -c %a st3/audit.log)" = 600 ]
ok $? "umask 000: state directories 0700, files 0600${open:+ (open: $open)}"
chmod 755 st3
aw-workorder -S st3 list > /dev/null 2> err
grep -q 'accessible by others (mode 0755)' err
ok $? "a state directory open to others is warned about"
chmod 700 st3

# ---- names from records and arguments never become paths ----
mkdir victim
printf 'keep me\n' > victim/passwd.json
for id in '../victim/passwd' '../../etc/passwd' '/etc/passwd' '.hidden' 'a/b' '..' 'WO-1 2'; do
	printf '{"type":"workorder","id":"%s","status":"approved","by":"alice"}\n{"type":"alert","id":"%s"}\n' "$id" "$id"
done > traversal.jsonl
aw-workorder -S st3 import traversal.jsonl > out 2> err
rc=$?
[ $rc -eq 1 ] && [ "$(grep -c 'without a usable id' err)" -eq 7 ]
ok $? "import: 7 work-order ids that are paths refused (exit $rc)"
aw-workorder -S st3 propose traversal.jsonl > /dev/null 2> err
[ "$(grep -c 'alert without a usable id' err)" -eq 7 ]
ok $? "propose: 7 alert ids that are paths refused"
for cmd in "approve ../victim/passwd --by alice" "show ../../etc/passwd" "dispatch /etc/passwd --by carol"; do
	# shellcheck disable=SC2086
	aw-workorder -S st3 $cmd > /dev/null 2> err
	[ $? -eq 1 ] && grep -q 'not a work-order id' err
	ok $? "aw-workorder $cmd: refused"
done
sed -i 's/"id":"A-000001"/"id":"..\/..\/victim\/passwd"/' st3/alert/A-000001.json
aw-workorder -S st3 propose --open > /dev/null 2> err
grep -q "holds alert '../../victim/passwd'" err && [ "$(cat victim/passwd.json)" = "keep me" ] &&
    [ -z "$(find . -newer traversal.jsonl -name '*.json' -path '*victim*')" ]
ok $? "an alert file edited to hold a path as id is skipped, nothing written outside"
[ "$(find "$TMP" -name '*.json' ! -path "$TMP/st*" ! -path "$TMP/victim/*" | wc -l)" -eq 0 ]
ok $? "no object file anywhere outside the state directories"

# ---- audit tampering ----
fresh() {
	rm -rf st4
	aw-alert -q -S st4 "$D/alert/e1.jsonl" "$D/alert/others.jsonl" > /dev/null
	aw-workorder -q -S st4 propose --open > /dev/null
	aw-workorder -q -S st4 approve WO-000001 --by alice > /dev/null
}
tamper() {	# tamper WHAT PATTERN: verify must fail and print PATTERN
	aw-workorder -S st4 audit verify > /dev/null 2> err
	rc=$?
	[ $rc -eq 1 ] && grep -q -- "$2" err
	ok $? "tamper: $1 caught ($(grep -v 'audit verify:' err | head -1 | sed 's/.*audit\.log/audit.log/'))"
}
fresh
aw-workorder -S st4 audit verify > /dev/null
ok $? "untampered state verifies"
lines=$(wc -l < st4/audit.log)
fresh; sed -i '2{h;d};3{G}' st4/audit.log; tamper "two lines swapped" 'seq 3 where 2 was expected'
fresh; sed -i "$((lines - 1)),\$d" st4/audit.log; tamper "last two lines cut off" 'lines removed from the end'
fresh; head -c $(($(wc -c < st4/audit.log) - 40)) st4/audit.log > x && cat x > st4/audit.log
tamper "the last line cut in the middle" 'incomplete line'
fresh; : > st4/audit.log; tamper "the log emptied" 'lines removed from the end'
fresh; rm st4/audit.head; tamper "audit.head removed" 'audit.head: missing'
fresh; sed -i '1s/"ts":"[^"]*"/"ts":"2019-01-01T00:00:00Z"/' st4/audit.log; tamper "a time stamp rewritten" 'line changed after it was written'
fresh; printf '%s\n' "$(sed -n 2p st4/audit.log)" >> st4/audit.log; tamper "a line replayed at the end" 'seq 2 where'
# a head lost after the very first commit is what a run killed before writing it leaves:
# that one is finished, not called tampering
rm -rf st5
aw-alert -q -S st5 "$D/alert/e1.jsonl" > /dev/null && rm st5/audit.head
aw-workorder -S st5 audit verify > /dev/null 2> err
ok $? "a head missing after the first commit only: finished by the next lock ($(head -1 err))"
done_testing
