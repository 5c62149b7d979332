#!/usr/bin/python3
"""Compares aw-features' pressure features with the pandas implementation
(bench/features_pandas.py) record by record: per feature the number of values compared,
those null on one side only, and the largest absolute difference.
usage: features_check.py AW.ndjson PANDAS.ndjson"""
import json, math, sys

def load(path):
    d = {}
    for line in open(path):
        r = json.loads(line)
        if r.get("type") == "features" and "pressure_mean" in r:
            d[(r["ts"], r["sensor"])] = r
    return d

a, b = load(sys.argv[1]), load(sys.argv[2])
keys = sorted(set(a) & set(b))
print("records: aw-features %d, pandas %d, both %d" % (len(a), len(b), len(keys)))
names = [k for k in next(iter(a.values())) if k not in ("type", "ts", "sensor", "dma")]
bad = 0
print("%-26s %9s %9s %12s" % ("feature", "compared", "null-diff", "max |diff|"))
for k in names:
    n = nulls = 0
    worst = 0.0
    for key in keys:
        x, y = a[key].get(k), b[key].get(k)
        if (x is None) != (y is None):
            nulls += 1
            continue
        if x is None:
            continue
        n += 1
        worst = max(worst, abs(float(x) - float(y)))
    flag = "" if nulls == 0 and worst < 2e-6 else "  <-- differs"
    bad += flag != ""
    print("%-26s %9d %9d %12.2g%s" % (k, n, nulls, worst, flag))
sys.exit(1 if bad or len(keys) != len(a) else 0)
