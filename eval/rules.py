#!/usr/bin/python3
"""Scores aw-rules probability records against a leak list (leaks.csv: leak_id, start,
end; an empty end lasts to the end of the data).  A leak counts as fired on when a
DMA-step with p_leak > 0 starts inside its start..end window; a fired step outside
every window is a false detection, and consecutive false steps of a DMA form one period.
usage: rules.py LABEL PROBABILITY.ndjson LEAKS.csv [STEP_MINUTES]"""
import csv, json, sys
from datetime import datetime, timedelta, timezone

label, probs, leaks = sys.argv[1:4]
step = timedelta(minutes=int(sys.argv[4]) if len(sys.argv) > 4 else 15)

def t(s):
    if s.endswith("Z"):
        return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)

steps = fired = 0
fires = []
stamps = []
last = None
for line in open(probs):
    r = json.loads(line)
    if r.get("type") != "probability":
        continue
    steps += 1
    ts = t(r["ts"])
    stamps.append(ts)
    last = ts if last is None or ts > last else last
    if r["p_leak"] and r["p_leak"] > 0:
        fired += 1
        fires.append((ts, r["dma"], r["rules"]))
end_of_data = last + step if last else None

windows = []
for r in csv.DictReader(open(leaks)):
    windows.append((r["leak_id"], t(r["start"]), t(r["end"]) if r["end"] else end_of_data))

print("%s: %d DMA-steps, %d fired (p_leak > 0)" % (label, steps, fired))
hit = 0
rows = []
for lid, a, b in windows:
    inside = [f for f in fires if a <= f[0] <= b]
    day1 = [f for f in inside if f[0] < a + timedelta(hours=24)]
    if inside:
        hit += 1
    rules = sorted({x for f in inside for x in f[2]})
    rows.append("  %-4s %s .. %s  fired steps %5d (first 24 h %3d)  first %s  rules %s" % (
        lid, a.strftime("%m-%d %H:%M"), b.strftime("%m-%d %H:%M") if b else "end",
        len(inside), len(day1), inside[0][0].strftime("%m-%d %H:%M") + " (+%.1f h)" %
        ((inside[0][0] - a).total_seconds() / 3600) if inside else "-", ",".join(rules) or "-"))
false = sorted((f for f in fires if not any(a <= f[0] <= b for _, a, b in windows)),
    key=lambda f: (f[1], f[0]))
periods = 0
prev = {}
for ts, dma, _ in false:
    if dma not in prev or ts - prev[dma] > step:
        periods += 1
    prev[dma] = ts
print("  leaks fired on: %d of %d" % (hit, len(windows)))
outside = sum(1 for ts in stamps if not any(a <= ts <= b for _, a, b in windows))
print("  false detections: %d fired steps outside every leak window, in %d periods "
    "(of %d DMA-steps outside every window)" % (len(false), periods, outside))
for r in rows:
    print(r)
