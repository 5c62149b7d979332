#!/bin/sh
# aw-prob scoring speed, one thread: the library (margins + Platt in batches of 1024 rows,
# 100 trees of depth 5, 75 columns) against XGBoost's own Python inplace_predict on the
# same model and rows; SHAP explanations; the whole tool on features + anomaly records.
# Synthetic data: runs without ../shared/data too (sh bench/40-prob.sh after make).
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
T=${AW_BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/aw-bench.XXXXXX")}
PATH=$root/build/bin:$PATH
${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -I"$root/lib" \
    -o "$T/prob-speed" "$here/prob-speed.c" "$root/build/libaw.a" -lxgboost -lm || exit 1
rows=1000000
"$T/prob-speed" $rows 75 "$T/speed.ubj" "$T/speed.f32" > "$T/speed.out" || exit 1
get() { awk -v k="$1" '$1 == k { print $2 }' "$T/speed.out"; }
ours=$(get score_rows_per_s_batch_1024)
if /usr/bin/python3 -c 'import xgboost' 2>/dev/null; then
	peer=$(/usr/bin/python3 - "$T/speed.ubj" "$T/speed.f32" 75 <<'PY'
import sys, time, numpy as np, xgboost as xgb
x = np.fromfile(sys.argv[2], dtype=np.float32).reshape(-1, int(sys.argv[3]))
b = xgb.Booster(model_file=sys.argv[1])
b.set_param({"nthread": 1})
best = 1e9
for _ in range(3):
    t = time.perf_counter()
    p = 1 / (1 + np.exp(-0.8 * b.inplace_predict(x, predict_type="margin") + 1.5))
    best = min(best, time.perf_counter() - t)
print("%.0f" % (len(x) / best))
PY
)
	row "aw-prob library scoring rows/s (target 500k)" "$ours" "$peer" \
	    "$(echo "$ours $peer" | awk '{printf "%.2fx", $1/$2}')" "xgboost inplace_predict"
else
	row "aw-prob library scoring rows/s (target 500k)" "$ours" "-" "-" "(python3-xgboost missing)"
fi
row "aw-prob library SHAP explanations rows/s" "$(get explain_rows_per_s)" "" "" ""

/usr/bin/python3 "$here/prob-features.py" 60 "$T/features.ndjson" "$T/leaks.csv"
nrec=$(wc -l < "$T/features.ndjson")
head -n $((nrec / 2)) "$T/features.ndjson" > "$T/train.ndjson"
aw-prob train -q -o "$T/bench.model" --leaks "$T/leaks.csv" "$T/train.ndjson" || exit 1
nrows=$(aw-prob -P -m "$T/bench.model" --explain-above 2 "$T/features.ndjson" | wc -l)
s=$(best 3 aw-prob -P -m "$T/bench.model" --explain-above 2 "$T/features.ndjson")
echo "$nrec $s" | awk '{printf "%-44s %14.0f\n", "aw-prob records/s (features+anomaly in)", $1/$2}'
echo "$nrows $s" | awk '{printf "%-44s %14.0f\n", "aw-prob DMA-step rows/s (33 sensors each)", $1/$2}'
s2=$(best 3 aw-prob -P -m "$T/bench.model" "$T/features.ndjson")
nexp=$(aw-prob -P -m "$T/bench.model" "$T/features.ndjson" | grep -c explain)
echo "$nrows $s2 $nexp" | awk '{printf "%-44s %14.0f   (%d of %d rows explained)\n", "aw-prob rows/s with explanations >= 0.5", $1/$2, $3, $1}'
s3=$(best 3 aw-prob -m "$T/bench.model" --explain-above 2 "$T/features.ndjson")
echo "$nrec $s3" | awk '{printf "%-44s %14.0f\n", "aw-prob records/s with pass-through", $1/$2}'
[ -n "${AW_BENCH_TMP:-}" ] || rm -rf "$T"
