# aw-anomaly against scikit-learn's IsolationForest, live: Spearman rank correlation of the
# scores on the same data over 5 seeds (ours with --seed s, sklearn with random_state=s),
# next to sklearn against itself (random_state s vs s + 100). Two generated data sets.
# Fails when the mean is under 0.85. Skips without scikit-learn.
if ! /usr/bin/python3 -c 'import sklearn, scipy' 2>/dev/null; then
	echo "skip: no scikit-learn"
	exit 0
fi
T=$AW_EVAL_TMP/anomaly
mkdir -p "$T"
/usr/bin/python3 - "$T" <<'PY'
import json, os, subprocess, sys
import numpy as np
from scipy.stats import spearmanr
from sklearn.ensemble import IsolationForest

t = sys.argv[1]

def mixture(rng, n, d):
    cov = 0.6 * np.ones((d, d)) + 0.4 * np.eye(d)
    x = rng.multivariate_normal(np.zeros(d), cov, size=n)
    regime = rng.rand(n) < 0.7
    x[regime] += rng.uniform(-1, 1, size=d)
    x[~regime] = 0.5 * x[~regime] + rng.uniform(-3, 3, size=d)
    out = rng.rand(n) < 0.03
    for i in np.where(out)[0]:
        k = rng.randint(1, 4)
        x[i, rng.choice(d, k, replace=False)] += rng.choice([-1, 1], k) * rng.uniform(3, 6, k)
    return np.round(x, 4)

def write(path, x):
    with open(path, "w") as f:
        for r in x:
            rec = {"type": "features", "ts": "2019-01-01T00:00:00Z", "sensor": "s", "dma": "A"}
            rec.update(("f%d" % j, v) for j, v in enumerate(r.tolist()))
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")

def ours(seed):
    model = os.path.join(t, "model")
    subprocess.run(["aw-anomaly", "train", "-q", "--seed", str(seed), "-o", model,
                    os.path.join(t, "train.ndjson")], check=True)
    out = subprocess.run(["aw-anomaly", "-q", "-m", model, os.path.join(t, "score.ndjson")],
                         check=True, capture_output=True, text=True).stdout
    return np.array([json.loads(l)["score"] for l in out.splitlines() if '"anomaly"' in l])

fail = False
print("%-34s %6s %10s %14s" % ("data set", "seed", "ours/sk", "sk/sk (s+100)"))
for name, d, ntrain, nscore in (("mixture 6 features", 6, 2000, 1000),
                                ("mixture 23 features", 23, 35040, 5000)):
    rng = np.random.RandomState(d)
    train, score = mixture(rng, ntrain, d), mixture(rng, nscore, d)
    write(os.path.join(t, "train.ndjson"), train)
    write(os.path.join(t, "score.ndjson"), score)
    mine, base = [], []
    for s in range(1, 6):
        sk = lambda rs: -IsolationForest(n_estimators=100, max_samples=256, contamination=0.05,
                                         random_state=rs).fit(train).score_samples(score)
        a, b = sk(s), sk(s + 100)
        # aw-anomaly writes 6 decimals; compare sklearn at the same precision
        r = spearmanr(ours(s), np.round(a, 6)).correlation
        r0 = spearmanr(np.round(a, 6), np.round(b, 6)).correlation
        mine.append(r)
        base.append(r0)
        print("%-34s %6d %10.4f %14.4f" % (name, s, r, r0))
    print("%-34s %6s %10.4f %14.4f" % (name, "mean", np.mean(mine), np.mean(base)))
    fail = fail or np.mean(mine) < 0.85
if fail:
    print("FAIL: mean Spearman under 0.85")
sys.exit(1 if fail else 0)
PY
