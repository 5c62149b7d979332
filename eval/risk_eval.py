#!/usr/bin/python3
"""Scores of aw-risk backtests against the breaks that happened (eval/70-risk.sh).

  risk_eval.py BREAKS.csv HORIZON_DAYS NAME=RISK.ndjson...

Each risk record (ts, pipe, p_break) is one pipe in one window [ts, ts + horizon); it is
positive when the pipe broke in that window. Reported per ranking:
  AUC over all (pipe, window) rows;
  top-10 % capture: in each window the pipes are ranked by p_break (ties broken at random
  with a fixed seed) and the breaks of the top 10 % counted, summed over the windows and
  divided by all breaks in the windows;
  yearly top-10 %: the pipes ranked once by their summed p_break over the windows, the
  share of all the period's breaks on the top 10 %.
"""
import csv
import datetime as dt
import json
import sys
from collections import defaultdict

import numpy as np
from sklearn.metrics import roc_auc_score


def main():
    breaks = defaultdict(list)
    for row in csv.DictReader(open(sys.argv[1])):
        breaks[row["pipe"]].append(dt.date.fromisoformat(row["date"][:10]))
    horizon = dt.timedelta(days=float(sys.argv[2]))
    print(f"{'ranking':<28} {'rows':>7} {'breaks':>6} {'AUC':>6} {'top10% (14 d)':>14} "
          f"{'top10% (year)':>14}")
    for arg in sys.argv[3:]:
        name, path = arg.split("=", 1)
        windows = defaultdict(list)
        for line in open(path):
            r = json.loads(line)
            if r.get("type") != "risk":
                continue
            t0 = dt.datetime.fromisoformat(r["ts"].replace("Z", "+00:00")).date()
            n = sum(1 for d in breaks[r["pipe"]] if t0 <= d < t0 + horizon)
            windows[t0].append((r["pipe"], r["p_break"], n))
        rng = np.random.default_rng(7)
        ys, ps, caught, total = [], [], 0, 0
        yearly = defaultdict(float)
        yearly_n = defaultdict(int)
        for t0, rows in sorted(windows.items()):
            p = np.array([x[1] for x in rows])
            n = np.array([x[2] for x in rows])
            ys += list(n > 0)
            ps += list(p)
            order = np.lexsort((rng.random(len(p)), -p))
            k = int(round(0.1 * len(p)))
            caught += int(n[order[:k]].sum())
            total += int(n.sum())
            for pipe, pb, nb in rows:
                yearly[pipe] += pb
                yearly_n[pipe] += nb
        pipes = sorted(yearly)
        p = np.array([yearly[x] for x in pipes])
        n = np.array([yearly_n[x] for x in pipes])
        order = np.lexsort((rng.random(len(p)), -p))
        k = int(round(0.1 * len(p)))
        auc = roc_auc_score(ys, ps) if 0 < sum(ys) < len(ys) else float("nan")
        print(f"{name:<28} {len(ys):>7} {total:>6} {auc:>6.3f} "
              f"{caught / max(total, 1):>13.1%} {n[order[:k]].sum() / max(n.sum(), 1):>14.1%}")


main()
