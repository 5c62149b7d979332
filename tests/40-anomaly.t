#!/bin/sh
# aw-anomaly: training, scoring, thresholds, model files and errors (golden files).
# Refresh the golden files: AW_REFRESH=1 make check (then git diff tests/golden).
. "$(dirname "$0")/lib.sh"
cp data/anomaly/train.jsonl data/anomaly/score.jsonl "$TMP"
in_tmp() { sh -c "cd '$TMP' && $1"; }

golden anomaly-train in_tmp "aw-anomaly train -o model train.jsonl && grep -v '^[-0-9]' model"
in_tmp "aw-anomaly train -q -o model2 train.jsonl && cmp model model2"
ok $? "the same input and seed give the same model file"
golden anomaly-train-seed in_tmp "aw-anomaly train --seed 7 -o model7 train.jsonl"
golden anomaly-train-features in_tmp "aw-anomaly train -q --features 'pressure_mean, pressure_std,is_night' -o modelf train.jsonl && sed -n 3,8p modelf"
golden anomaly-train-empty in_tmp "grep -v features score.jsonl > readings.jsonl; aw-anomaly train -o empty readings.jsonl; echo exit \$?; ls | grep -c empty"

golden anomaly-score in_tmp "aw-anomaly -m model score.jsonl"
golden anomaly-score-contamination in_tmp "aw-anomaly score -m model -t contamination score.jsonl"
golden anomaly-score-stdin in_tmp "aw-anomaly -m model -t 0.1 - < score.jsonl"
golden anomaly-score-features in_tmp "aw-anomaly -m modelf score.jsonl | grep anomaly"
golden anomaly-score-bad-value in_tmp "sed 's/\"pressure_std\":0.4/\"pressure_std\":\"high\"/' score.jsonl | aw-anomaly -m model | grep n7"

printf 'thresholds:\n  anomaly: 0.05\nmodel_dir: models\n' > "$TMP/aquawatch.yaml"
mkdir "$TMP/models"
golden anomaly-config in_tmp "aw-anomaly train -q train.jsonl && aw-anomaly score.jsonl | grep -c '\"anomalous\":true'"

golden anomaly-no-model aw-anomaly data/anomaly/score.jsonl
golden anomaly-train-only-option aw-anomaly -m x --seed 3 data/anomaly/score.jsonl
golden anomaly-score-only-option aw-anomaly train -t 0.3 data/anomaly/train.jsonl
golden anomaly-bad-threshold aw-anomaly -m x -t 1.5 data/anomaly/score.jsonl
golden anomaly-missing-model in_tmp "aw-anomaly -m nonexistent score.jsonl"
golden anomaly-edited-model in_tmp "sed '20s/^\\([0-9]*\\) [^ ]*/\\1 0.5/' model > edited && aw-anomaly -m edited score.jsonl"
golden anomaly-model-version in_tmp "sed '1s/1/2/' model > v2 && aw-anomaly -m v2 score.jsonl"
golden anomaly-not-a-model in_tmp "aw-anomaly -m score.jsonl score.jsonl"

aw-anomaly -m "$TMP/model" data/anomaly/score.jsonl > /dev/full 2> "$TMP/err"
[ $? -eq 1 ] && grep -q 'write error: No space left on device' "$TMP/err"
ok $? "write to /dev/full fails with exit 1 and a message"

done_testing
