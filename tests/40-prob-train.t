#!/bin/sh
# aw-prob train: exact stdout, stderr and exit status of each case against
# tests/golden/prob-train/NAME.{out,err,rc}. Refresh them (then read the diff):
#   AW_GOLDEN=update make check
: "${AW_BUILD:?run through make check}"
top=$(cd "$(dirname "$0")/.." && pwd)
golden=$top/tests/golden/prob-train
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

train='aw-prob train -o m.model --leaks leaks.csv'
check summary "$train train.ndjson.gz"
check header "sed '/^xgboost/q' m.model"
check same-again "$train -q -o again.model train.ndjson.gz && cmp m.model again.model && echo identical"
check from-stdin "zcat train.ndjson.gz | $train -q -o stdin.model - && cmp m.model stdin.model && echo identical"
check other-seed "$train -q -o seed.model --seed 2 train.ndjson.gz && grep -E '^(id|seed|platt_)' seed.model"
check labels "$train -o labels.model --labels labels.ndjson train.ndjson.gz"
check labels-only "aw-prob train -o lonly.model --labels labels.ndjson train.ndjson.gz"
check dma-unknown "aw-prob train -o bd.model --leaks leaks-battledim.csv train.ndjson.gz"
check features "$train -q -o f.model --features 'deviation_from_baseline, anomaly_score' train.ndjson.gz && sed -n '/^feature /p' f.model"
check rounds "$train -q -o r.model --rounds 3 train.ndjson.gz && grep -E '^(rounds|platt_)' r.model"

# usage errors
check no-output "aw-prob train --leaks leaks.csv train.ndjson.gz"
check no-truth "aw-prob train -o x.model train.ndjson.gz"
check model-option "$train -m m.model train.ndjson.gz"
check bad-seed "$train --seed -1 train.ndjson.gz"
check bad-block "$train --cv-block soon train.ndjson.gz"

# data errors
check no-leak-file "aw-prob train -o x.model --leaks nope.csv train.ndjson.gz; echo exit \$?; test -e x.model || echo no model"
check block-too-long "$train --cv-block 2d train.ndjson.gz"
check no-features "$train /dev/null"
check no-leaks-in-span "printf 'pipe,start,end\np1,2020-01-01 00:00,2020-01-02 00:00\n' > late.csv &&
    aw-prob train -o x.model --leaks late.csv train.ndjson.gz"
check bad-leak-row "printf 'pipe,start,end\np1,2019-03-02 10:00,2019-03-03 03:00\np2,soon,\n' > some.csv &&
    aw-prob train -q -o some.model --leaks some.csv train.ndjson.gz; echo exit \$?; sed -n 2p some.model"
check bad-lines "zcat train.ndjson.gz | sed '100s/.*/not json/; 155s/2019-03-01T/2019-02-01T/' > bad.ndjson &&
    $train -q -o bad.model bad.ndjson; echo exit \$?; sed -n 3p bad.model"
echo "1..$n"
