#!/bin/sh
# aw-prob scoring: exact stdout, stderr and exit status of each case against
# tests/golden/prob-score/NAME.{out,err,rc}. Refresh them (then read the diff):
#   AW_GOLDEN=update make check
: "${AW_BUILD:?run through make check}"
top=$(cd "$(dirname "$0")/.." && pwd)
golden=$top/tests/golden/prob-score
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
cp "$top"/tests/data/prob/*.csv "$top"/tests/data/prob/*.ndjson* "$work"/
cd "$work" || exit 1
unset AW_CONFIG
n=0

# check NAME 'COMMAND': runs COMMAND with sh and compares stdout, stderr, exit status
check() {
	n=$((n + 1))
	sh -c "$2" >"$1.out" 2>"$1.err"
	echo $? >"$1.rc"
	if [ "$AW_GOLDEN" = update ]; then
		mkdir -p "$golden" && cp "$1.out" "$1.err" "$1.rc" "$golden"/
	fi
	bad=
	for x in out err rc; do
		cmp -s "$1.$x" "$golden/$1.$x" || bad="$bad $x"
	done
	if [ -z "$bad" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1 (differs:$bad)"
		for x in $bad; do diff "$golden/$1.$x" "$1.$x" 2>&1 | head -20 | sed 's/^/#   /'; done
	fi
}

aw-prob train -q -o m.model --leaks leaks.csv train.ndjson.gz || echo "Bail out! training failed"
score='aw-prob -m m.model'
check probability "$score -P score.ndjson"
check pass-through "head -n 25 score.ndjson | $score"
check explain-none "$score -P --explain-above 2 score.ndjson | grep -c explain; echo exit \$?"
check explain-all "$score -P --explain-above 0 score.ndjson | grep -c explain"
check explain-config "printf 'thresholds:\n  explain_above: 0.9\n' > c.yaml && $score -c c.yaml -P score.ndjson | grep -c explain"
check explain-option-wins "$score -c c.yaml --explain-above 0.5 -P score.ndjson | grep -c explain"
check confidence "$score -P score.ndjson | jq -r 'if ((.p_leak >= 0.8) == (.confidence == \"high\")) and
    ((.p_leak < 0.5) == (.confidence == \"low\")) then \"consistent\" else . end' | sort | uniq -c"
check batch-1 "$score -P score.ndjson > all && $score -P --batch 1 score.ndjson | cmp - all && echo identical"
check gzip-stdin "gzip -c score.ndjson | $score -P - | cmp - all && echo identical"
check train-file-again "$score -P train.ndjson.gz | tail -n 2"
check empty "$score /dev/null"
check other-records "printf '{\"type\":\"reading\",\"ts\":\"2019-03-06T00:00:00Z\",\"value\":1}\n' | $score"
check missing-input "grep -v anomaly score.ndjson | $score -P | head -n 2"
check bad-lines "sed '30s/.*/{\"type\":/; 45s/2019-03-06T04/2019-03-06T01/' score.ndjson | $score -P > out;
    echo exit \$?; wc -l < out"
check head-quiet "$score score.ndjson | head -n 1"
check full-disk "$score -P score.ndjson > /dev/full"

check no-model "aw-prob -P score.ndjson"
check missing-model "aw-prob -m nope.model score.ndjson"
check truncated-model "head -c 3000 m.model > t.model && aw-prob -m t.model score.ndjson"
check not-a-model "echo hello > h.model && aw-prob -m h.model score.ndjson"
check train-option "$score --leaks leaks.csv score.ndjson"
check bad-explain "$score --explain-above much score.ndjson"
check bad-batch "$score --batch 0 score.ndjson"
echo "1..$n"
