#!/usr/bin/python3
"""Reference scores from scikit-learn's IsolationForest for tests/unit/t-iforest.c.

Run once (Debian python3-sklearn) from anywhere:
    /usr/bin/python3 tests/ref/iforest_ref.py
It writes tests/data/iforest/{train,score}.csv. The data are deterministic
(numpy RandomState); the scores depend on the scikit-learn version, which is
recorded in the files. Scores are written on aw-anomaly's scale, the negative
of scikit-learn's score_samples: 2^(-E[h(x)]/c(psi)), higher = more anomalous.
"""
import os
import sys

import numpy as np
import sklearn
from scipy.stats import spearmanr
from sklearn.ensemble import IsolationForest

SEEDS = (1, 2, 3)
D = 6


def make(rng, n, n_out):
    """Two correlated regimes (day/night-like) plus outliers in one to three features."""
    n_in = n - n_out
    cov = 0.6 * np.ones((D, D)) + 0.4 * np.eye(D)
    regime = rng.rand(n_in) < 0.7
    x = rng.multivariate_normal(np.zeros(D), cov, size=n_in)
    x[regime] += np.array([0.0, 0.0, 1.0, -1.0, 0.5, 0.0])
    x[~regime] *= 0.5
    x[~regime] += np.array([3.0, 2.0, 0.0, 0.0, -1.0, 1.0])
    out = rng.multivariate_normal(np.zeros(D), cov, size=n_out)
    for row in out:
        k = rng.randint(1, 4)
        cols = rng.choice(D, size=k, replace=False)
        row[cols] += rng.choice([-1, 1], size=k) * rng.uniform(3, 6, size=k)
    x = np.vstack([x, out])
    x = x[rng.permutation(n)]
    return np.round(x, 3)


def write(path, x, extra, extra_names, header):
    with open(path, "w") as f:
        for line in header:
            f.write("# " + line + "\n")
        f.write(",".join(["f%d" % (j + 1) for j in range(D)] + extra_names) + "\n")
        for i, row in enumerate(x):
            cells = ["%.3f" % v for v in row] + ["%.8f" % e[i] for e in extra]
            f.write(",".join(cells) + "\n")


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "iforest")
    os.makedirs(root, exist_ok=True)
    rng = np.random.RandomState(20240)
    train = make(rng, 2000, 60)
    score = make(rng, 500, 25)
    scores, thresholds = [], []
    for s in SEEDS:
        f = IsolationForest(n_estimators=100, max_samples=256, contamination=0.05,
                            random_state=s).fit(train)
        scores.append(-f.score_samples(score))
        thresholds.append(-f.offset_)
    rho = [spearmanr(scores[i], scores[j]).correlation
           for i in range(len(SEEDS)) for j in range(i + 1, len(SEEDS))]
    header = [
        "made by tests/ref/iforest_ref.py with scikit-learn %s, numpy %s" % (sklearn.__version__, np.__version__),
        "IsolationForest(n_estimators=100, max_samples=256, contamination=0.05, random_state=SEED)",
    ]
    write(os.path.join(root, "train.csv"), train, [], [], header + ["training rows"])
    write(os.path.join(root, "score.csv"), score, scores, ["sk%d" % s for s in SEEDS],
          header + ["scoring rows; skN = -score_samples with random_state=N",
                    "thresholds (-offset_): " + " ".join("%.8f" % t for t in thresholds),
                    "spearman sklearn vs sklearn across seeds: " + " ".join("%.4f" % r for r in rho)])
    print("spearman sklearn vs sklearn:", " ".join("%.4f" % r for r in rho), file=sys.stderr)


if __name__ == "__main__":
    main()
