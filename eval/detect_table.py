#!/usr/bin/python3
"""The detection table of eval/60-detect.sh: one row per scenario, split and detector from
aw-score --json files, then the totals per detector.

usage: detect_table.py DIR   (DIR holds NAME.score.json, NAME.truth.csv and, for the
                              leak-free runs, NAME.free.ndjson; NAME = scenario:split:detector)"""
import csv, glob, json, os, statistics, sys

d = sys.argv[1]
rows, tot = [], {}


def h(s):
    return "-" if s is None else "%.1f" % (s / 3600)


for f in sorted(glob.glob(os.path.join(d, "*.score.json"))):
    name = os.path.basename(f)[:-len(".score.json")]
    scen, split, det = name.split(":")
    j = json.load(open(f))
    truth = {r["leak_id"]: r for r in csv.DictReader(open(os.path.join(d, name + ".truth.csv")))}
    big = [p for p in j["per_leak"] if float(truth[p["leak"]]["peak_lps"]) >= 2]
    bigtp = [p for p in big if p["detected"]]
    ab = [p["delay_s"] for p in bigtp if truth[p["leak"]]["kind"] == "abrupt"]
    free = os.path.join(d, name + ".free.ndjson")
    nfree = sum(1 for _ in open(free)) if os.path.exists(free) else None
    rows.append((scen, split, det, j["leaks"], j["tp"], j["fp"], j["repeat"], len(bigtp), len(big),
                 j["tpr_small"], j["tpr_medium"], j["tpr_large"], j["delay_median_s"],
                 statistics.median(ab) if ab else None, j["eur"], nfree))
    for key in (det, "%s, test from %s" % (det, split)):
        t = tot.setdefault(key, dict(leaks=0, tp=0, fp=0, rep=0, big=0, bigtp=0, ab=[], eur=0,
                                     free=0, nfree=0))
        t["leaks"] += j["leaks"]
        t["tp"] += j["tp"]
        t["fp"] += j["fp"]
        t["rep"] += j["repeat"]
        t["big"] += len(big)
        t["bigtp"] += len(bigtp)
        t["ab"] += ab
        t["eur"] += j["eur"] or 0
        if nfree is not None:
            t["free"] += nfree
            t["nfree"] += 1


def pct(x):
    return "-" if x is None else "%3.0f" % (100 * x)


print("%-16s %-6s %-8s %5s %3s %3s %4s %7s %5s %5s %5s %8s %8s %9s %5s" % (
    "scenario", "test", "detector", "leaks", "TP", "FP", "rep", ">=2L/s", "small", "med", "large",
    "delay_h", "abr>=2_h", "EUR", "free"))
for r in rows:
    print("%-16s %-6s %-8s %5d %3d %3d %4d %3d/%-3d %5s %5s %5s %8s %8s %9.0f %5s" % (
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], pct(r[9]), pct(r[10]), pct(r[11]),
        h(r[12]), h(r[13]), r[14] or 0, "-" if r[15] is None else r[15]))
print()
for det, t in sorted(tot.items()):
    prec = t["tp"] / (t["tp"] + t["fp"]) if t["tp"] + t["fp"] else float("nan")
    alarms = t["tp"] + t["fp"] + t["rep"]
    print("%s: TP %d of %d leaks; leaks >= 2 L/s %d of %d (%.0f %%); FP %d, repeats %d; "
          "precision %.2f (%.2f counting repeats as false); median delay of abrupt leaks >= 2 L/s "
          "%s h (%d); %.0f EUR%s" % (
              det, t["tp"], t["leaks"], t["bigtp"], t["big"], 100 * t["bigtp"] / max(1, t["big"]),
              t["fp"], t["rep"], prec, t["tp"] / alarms if alarms else float("nan"),
              h(statistics.median(t["ab"])) if t["ab"] else "-", len(t["ab"]), t["eur"],
              "; leak-free runs: %d alarms in %d x 60 days" % (t["free"], t["nfree"]) if t["nfree"] else ""))
