#!/bin/sh
# aw-prob train: examples from features and ground truth, model file, determinism, errors (golden files).
. "$(dirname "$0")/lib.sh"
mkdir "$TMP/w" && cp data/prob/*.csv data/prob/*.ndjson* "$TMP/w"/ && cd "$TMP/w" || exit 1

train='aw-prob train -o m.model --leaks leaks.csv'
golden prob-train-summary sh -c "$train train.ndjson.gz"
golden prob-train-header sh -c "sed '/^xgboost/q' m.model"
golden prob-train-same-again sh -c "$train -q -o again.model train.ndjson.gz && cmp m.model again.model && echo identical"
golden prob-train-from-stdin sh -c "zcat train.ndjson.gz | $train -q -o stdin.model - && cmp m.model stdin.model && echo identical"
golden prob-train-other-seed sh -c "$train -q -o seed.model --seed 2 train.ndjson.gz && grep -E '^(id|seed|platt_)' seed.model"
golden prob-train-labels sh -c "$train -o labels.model --labels labels.ndjson train.ndjson.gz"
golden prob-train-labels-only sh -c "aw-prob train -o lonly.model --labels labels.ndjson train.ndjson.gz"
golden prob-train-dma-unknown sh -c "aw-prob train -o bd.model --leaks leaks-battledim.csv train.ndjson.gz"
golden prob-train-features sh -c "$train -q -o f.model --features 'deviation_from_baseline, anomaly_score' train.ndjson.gz && sed -n '/^feature /p' f.model"
golden prob-train-rounds sh -c "$train -q -o r.model --rounds 3 train.ndjson.gz && grep -E '^(rounds|platt_)' r.model"

# usage errors
golden prob-train-no-output sh -c "aw-prob train --leaks leaks.csv train.ndjson.gz"
golden prob-train-no-truth sh -c "aw-prob train -o x.model train.ndjson.gz"
golden prob-train-model-option sh -c "$train -m m.model train.ndjson.gz"
golden prob-train-bad-seed sh -c "$train --seed -1 train.ndjson.gz"
golden prob-train-bad-block sh -c "$train --cv-block soon train.ndjson.gz"

# data errors
golden prob-train-no-leak-file sh -c "aw-prob train -o x.model --leaks nope.csv train.ndjson.gz; echo exit \$?; test -e x.model || echo no model"
golden prob-train-block-too-long sh -c "$train --cv-block 2d train.ndjson.gz"
golden prob-train-no-features sh -c "$train /dev/null"
golden prob-train-no-leaks-in-span sh -c "printf 'pipe,start,end\np1,2020-01-01 00:00,2020-01-02 00:00\n' > late.csv &&
    aw-prob train -o x.model --leaks late.csv train.ndjson.gz"
golden prob-train-bad-leak-row sh -c "printf 'pipe,start,end\np1,2019-03-02 10:00,2019-03-03 03:00\np2,soon,\n' > some.csv &&
    aw-prob train -q -o some.model --leaks some.csv train.ndjson.gz; echo exit \$?; sed -n 2p some.model"
golden prob-train-bad-lines sh -c "zcat train.ndjson.gz | sed '100s/.*/not json/; 155s/2019-03-01T/2019-02-01T/' > bad.ndjson &&
    $train -q -o bad.model bad.ndjson; echo exit \$?; sed -n 3p bad.model"
done_testing
