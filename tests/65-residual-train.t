#!/bin/sh
# aw-residual train: the model file of a small synthetic DMA, determinism, usage and data
# errors (golden files). Refresh: AW_REFRESH=1 make check (then git diff tests/golden).
. "$(dirname "$0")/lib.sh"
mkdir "$TMP/w" && cp data/residual/*.ndjson.gz "$TMP/w"/ && cd "$TMP/w" || exit 1

golden residual-train sh -c "aw-residual train -o m.model --step 1h train.ndjson.gz && cat m.model"
golden residual-train-again sh -c "aw-residual train -q -o m2.model --step 1h train.ndjson.gz &&
    cmp m.model m2.model && echo identical"
golden residual-train-stdin sh -c "zcat train.ndjson.gz | aw-residual train -q -o m3.model --step 1h - &&
    cmp m.model m3.model && echo identical"
golden residual-train-window sh -c "aw-residual train -q -o w.model --step 1h --from 2018-01-02 --to 2018-01-04 train.ndjson.gz &&
    sed -n '4,5p;10,12p' w.model"
golden residual-train-groups sh -c "aw-residual train -q -o g.model --step 1h --group-size 1 train.ndjson.gz &&
    grep '^group' g.model"
golden residual-train-too-short sh -c "zcat train.ndjson.gz | head -n 140 | aw-residual train -o s.model --step 1h; echo exit \$?; ls s.model 2>&1"
golden residual-train-bad-reading sh -c "zcat train.ndjson.gz | sed '5s/\"kind\":\"pressure\",//' |
    aw-residual train -q -o b.model --step 1h; echo exit \$?; cmp -s b.model m.model || echo differs"
golden residual-train-no-output sh -c "aw-residual train train.ndjson.gz"
golden residual-train-scoring-option sh -c "aw-residual train -o x.model -m m.model train.ndjson.gz"
golden residual-train-bad-step sh -c "aw-residual train -o x.model --step 7m train.ndjson.gz"
golden residual-train-empty sh -c "aw-residual train -o x.model /dev/null; echo exit \$?; ls x.model 2>&1"
golden residual-train-unwritable sh -c "aw-residual train -q -o /nonexistent/dir/m.model --step 1h train.ndjson.gz"
done_testing
