# aw-anomaly vs scikit-learn IsolationForest (100 trees, 256 samples) on the same
# synthetic rows: 35,040 training rows (a DMA-year at 15 min) and 200,000 scoring rows of
# 23 features. Ours: the library (bench/iforest-speed.c) and the whole tool (JSON records
# in and out); peer: fit and score_samples on numpy arrays (no I/O).
. "$(dirname "$0")/lib.sh"
T=$AW_BENCH_TMP
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
	echo "bench 40-anomaly: no scikit-learn, skipping"
	exit 0
fi
cc -O3 -I"$ROOT/lib" -o "$T/iforest-speed" "$ROOT/bench/iforest-speed.c" "$ROOT/build/libaw.a" -lm ||
	{ echo "bench 40-anomaly: cannot build the driver"; exit 0; }
/usr/bin/python3 - "$T" > "$T/sk.txt" <<'PY'
import json, sys, time
import numpy as np
from sklearn.ensemble import IsolationForest
t = sys.argv[1]
rng = np.random.RandomState(42)
D, NT, NS = 23, 35040, 200000
def rows(n):
    cov = 0.5 * np.ones((D, D)) + 0.5 * np.eye(D)
    x = rng.multivariate_normal(np.zeros(D), cov, size=n)
    out = rng.rand(n) < 0.01
    x[out, rng.randint(0, D, size=out.sum())] += 6
    return np.round(x, 4)
train, score = rows(NT), rows(NS)
train.tofile(t + "/train.bin")
score.tofile(t + "/score.bin")
names = ["f%d" % j for j in range(D)]
for name, x in (("train", train), ("score", score)):
    with open("%s/%s.ndjson" % (t, name), "w") as f:
        for i, r in enumerate(x):
            rec = {"type": "features", "ts": "2019-01-01T00:00:00Z", "sensor": "s%d" % (i % 33), "dma": "A"}
            rec.update(zip(names, r.tolist()))
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
best_fit = best_score = 1e9
for _ in range(3):
    a = time.perf_counter()
    m = IsolationForest(n_estimators=100, max_samples=256, contamination=0.05, random_state=0).fit(train)
    b = time.perf_counter()
    m.score_samples(score)
    c = time.perf_counter()
    best_fit, best_score = min(best_fit, b - a), min(best_score, c - b)
print("fit_s %.4f" % best_fit)
print("score_rows_s %.0f" % (NS / best_score))
PY
"$T/iforest-speed" "$T/train.bin" "$T/score.bin" 23 > "$T/ours.txt"
aw-anomaly train -q -o "$T/model" "$T/train.ndjson"
tool=$(best 3 aw-anomaly -q -m "$T/model" "$T/score.ndjson")
train=$(best 3 aw-anomaly train -q -o "$T/model2" "$T/train.ndjson")
get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
sk_fit=$(get "$T/sk.txt" fit_s)
sk_score=$(get "$T/sk.txt" score_rows_s)
for k in score_rows_s explain_rows_s row_explain_rows_s; do
	v=$(get "$T/ours.txt" $k)
	case $k in
	score_rows_s) what="iforest scoring rows/s (library)" ;;
	explain_rows_s) what="iforest scoring+top-3 rows/s (library)" ;;
	row_explain_rows_s) what="iforest scoring+top-3, 1 row/call, rows/s" ;;
	esac
	row "$what" "$v" "$sk_score" "$(echo "$v $sk_score" | awk '{printf "%.1fx", $1/$2}')" "sklearn score_samples"
done
v=$(echo "$tool" | awk '{printf "%.0f", 200000 / $1}')
row "aw-anomaly scoring records/s (JSON in+out)" "$v" "$sk_score" "$(echo "$v $sk_score" | awk '{printf "%.1fx", $1/$2}')" "sklearn score_samples"
# the same job in Python: records in, score_samples, anomaly records out
cat > "$T/sk_tool.py" <<'PY'
import json, pickle, sys
import numpy as np
m = pickle.load(open(sys.argv[1], "rb"))
recs = [json.loads(l) for l in open(sys.argv[2])]
names = ["f%d" % j for j in range(23)]
x = np.array([[r[k] for k in names] for r in recs])
s = -m.score_samples(x)
out = sys.stdout
for r, v in zip(recs, s):
    out.write(json.dumps(r, separators=(",", ":")) + "\n")
    out.write(json.dumps({"type": "anomaly", "ts": r["ts"], "sensor": r["sensor"], "dma": r["dma"],
                          "score": round(float(v), 6), "anomalous": bool(v > 0.65)},
                         separators=(",", ":")) + "\n")
PY
/usr/bin/python3 -c "
import pickle, sys, numpy as np
from sklearn.ensemble import IsolationForest
x = np.fromfile('$T/train.bin').reshape(-1, 23)
pickle.dump(IsolationForest(n_estimators=100, max_samples=256, random_state=0).fit(x), open('$T/sk.pkl', 'wb'))"
peer=$(best 1 /usr/bin/python3 "$T/sk_tool.py" "$T/sk.pkl" "$T/score.ndjson")
row "aw-anomaly scoring 200000 records s" "$tool" "$peer" "$(echo "$peer $tool" | awk '{printf "%.1fx", $1/$2}')" "python json+sklearn"
v=$(get "$T/ours.txt" fit_s)
row "iforest training 35040 rows s (library)" "$v" "$sk_fit" "$(echo "$sk_fit $v" | awk '{printf "%.1fx", $1/$2}')" "sklearn fit"
row "aw-anomaly train 35040 records s (JSON)" "$train" "$sk_fit" "$(echo "$sk_fit $train" | awk '{printf "%.1fx", $1/$2}')" "sklearn fit"
