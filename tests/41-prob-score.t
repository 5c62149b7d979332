#!/bin/sh
# aw-prob scoring: probability records, explanations, pass-through, errors (golden files).
. "$(dirname "$0")/lib.sh"
mkdir "$TMP/w" && cp data/prob/*.csv data/prob/*.ndjson* "$TMP/w"/ && cd "$TMP/w" || exit 1

aw-prob train -q -o m.model --leaks leaks.csv train.ndjson.gz || echo "Bail out! training failed"
score='aw-prob -m m.model'
golden prob-probability sh -c "$score -P score.ndjson"
golden prob-pass-through sh -c "head -n 25 score.ndjson | $score"
golden prob-explain-none sh -c "$score -P --explain-above 2 score.ndjson | grep -c explain; echo exit \$?"
golden prob-explain-all sh -c "$score -P --explain-above 0 score.ndjson | grep -c explain"
golden prob-explain-config sh -c "printf 'thresholds:\n  explain_above: 0.9\n' > c.yaml && $score -c c.yaml -P score.ndjson | grep -c explain"
golden prob-explain-option-wins sh -c "$score -c c.yaml --explain-above 0.5 -P score.ndjson | grep -c explain"
golden prob-confidence sh -c "$score -P score.ndjson | jq -r 'if ((.p_leak >= 0.8) == (.confidence == \"high\")) and
    ((.p_leak < 0.5) == (.confidence == \"low\")) then \"consistent\" else . end' | sort | uniq -c"
golden prob-batch-1 sh -c "$score -P score.ndjson > all && $score -P --batch 1 score.ndjson | cmp - all && echo identical"
golden prob-gzip-stdin sh -c "gzip -c score.ndjson | $score -P - | cmp - all && echo identical"
golden prob-train-file-again sh -c "$score -P train.ndjson.gz | tail -n 2"
golden prob-empty sh -c "$score /dev/null"
golden prob-other-records sh -c "printf '{\"type\":\"reading\",\"ts\":\"2019-03-06T00:00:00Z\",\"value\":1}\n' | $score"
golden prob-missing-input sh -c "grep -v anomaly score.ndjson | $score -P | head -n 2"
golden prob-bad-lines sh -c "sed '30s/.*/{\"type\":/; 45s/2019-03-06T04/2019-03-06T01/' score.ndjson | $score -P > out;
    echo exit \$?; wc -l < out"
golden prob-head-quiet sh -c "$score score.ndjson | head -n 1"
golden prob-full-disk sh -c "$score -P score.ndjson > /dev/full"

golden prob-no-model sh -c "aw-prob -P score.ndjson"
golden prob-missing-model sh -c "aw-prob -m nope.model score.ndjson"
golden prob-truncated-model sh -c "head -c 3000 m.model > t.model && aw-prob -m t.model score.ndjson"
golden prob-not-a-model sh -c "echo hello > h.model && aw-prob -m h.model score.ndjson"
golden prob-train-option sh -c "$score --leaks leaks.csv score.ndjson"
golden prob-bad-explain sh -c "$score --explain-above much score.ndjson"
golden prob-bad-batch sh -c "$score --batch 0 score.ndjson"
done_testing
