#!/usr/bin/python3
"""QC precision/recall of aw-ingest against the injected faults (faults.csv) of a
simulated scenario.  usage: qc.py READINGS.ndjson FAULTS.csv"""
import csv, json, sys
from datetime import datetime, timedelta, timezone

def t(s):
    return datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)

step = timedelta(minutes=5)
truth = {k: set() for k in ("gap", "spike", "stuck", "drift")}
tmap = {"missing": "gap", "spike": "spike", "stuck": "stuck", "drift": "drift"}
with open(sys.argv[2]) as f:
    for r in csv.DictReader(f):
        k = tmap.get(r["type"])
        if not k:
            continue
        a, b = t(r["start"]), t(r["end"])
        while a <= b:
            truth[k].add((r["sensor"], a.strftime("%Y-%m-%dT%H:%M:%SZ")))
            a += step
# the step after a stuck run starts can only be known once the run is long: recall counts it
pred = {k: set() for k in truth}
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line)
        if r.get("type") == "reading" and r["qc"] in pred:
            pred[r["qc"]].add((r["sensor"], r["ts"]))
print("%-6s %9s %9s %9s %9s %9s" % ("flag", "injected", "flagged", "correct", "precision", "recall"))
for k in ("gap", "spike", "stuck", "drift"):
    tp = len(truth[k] & pred[k])
    p = tp / len(pred[k]) if pred[k] else float("nan")
    rc = tp / len(truth[k]) if truth[k] else float("nan")
    print("%-6s %9d %9d %9d %9.3f %9.3f" % (k, len(truth[k]), len(pred[k]), tp, p, rc))
