#!/usr/bin/python3
# Calibration of aw-prob on held-out rows: Brier score (and that of the base rate alone),
# a reliability table, and TPR / false alarms at p_leak >= 0.5.
#   prob_calibration.py PROBABILITY.ndjson LEAKS.csv
# LEAKS.csv: leak_id,pipe,dma,start,end (UTC, inclusive), as bench/prob-features.py writes.
import csv, json, sys
from datetime import datetime, timezone

def t(s):
    return datetime.fromisoformat(s.replace("Z", "")).replace(tzinfo=timezone.utc).timestamp()

leaks = [(r["dma"], t(r["start"]), t(r["end"])) for r in csv.DictReader(open(sys.argv[2]))]
rows = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") != "probability":
        continue
    ts = t(r["ts"])
    y = any(d == r["dma"] and a <= ts <= b for d, a, b in leaks)
    rows.append((r["p_leak"], y))
n = len(rows)
base = sum(y for _, y in rows) / n
brier = sum((p - y) ** 2 for p, y in rows) / n
print("held-out rows %d, leak share %.3f" % (n, base))
try:
    from sklearn.metrics import roc_auc_score
    print("AUC %.3f" % roc_auc_score([y for _, y in rows], [p for p, _ in rows]))
except ImportError:
    pass
print("Brier %.4f (base rate alone %.4f, skill %.2f)" % (brier, base * (1 - base), 1 - brier / (base * (1 - base))))
print("%-11s %7s %10s %10s" % ("p_leak", "rows", "mean p", "observed"))
for k in range(10):
    lo, hi = k / 10, (k + 1) / 10
    b = [(p, y) for p, y in rows if lo <= p < hi or (k == 9 and p == 1)]
    if b:
        print("%.1f-%.1f    %7d %10.3f %10.3f" % (lo, hi, len(b), sum(p for p, _ in b) / len(b),
                                              sum(y for _, y in b) / len(b)))
tp = sum(1 for p, y in rows if p >= 0.5 and y)
fp = sum(1 for p, y in rows if p >= 0.5 and not y)
pos = sum(1 for _, y in rows if y)
print("at p_leak >= 0.5: TPR %.3f (rows), false alarms %.3f of alarms" % (tp / pos if pos else 0,
      fp / (tp + fp) if tp + fp else 0))
