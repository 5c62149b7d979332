#!/usr/bin/python3
"""Customer meters: score aw-ami against injected customer leaks, or summarise real meters.

ami_score.py leaks customer_leaks.csv OUT.ndjson
    continuous_flow events against the simulator's customer-side leaks (start, end naive
    UTC): a leak is found by an event of its account whose alarm is at or after the leak
    start (and before its end, when it has one); delay = alarm - start. Every other
    event is a false alarm. Also the estimated leak flow against the true one.
ami_score.py summary OUT.ndjson
    what aw-ami found on real meters: events by kind and meters involved, and meters with
    continuous night flow (night minimum >= 1 L/h on at least half of their nights and on
    3 nights in a row).
"""
import json
import sys

import pandas as pd


def records(path):
    with open(path) as f:
        for line in f:
            yield json.loads(line)


def leaks(argv):
    truth = pd.read_csv(argv[0])
    ev = [r for r in records(argv[1]) if r["type"] == "event" and r["parameter"] == "continuous_flow"]
    used, rows = set(), []
    for _, t in truth.iterrows():
        s = pd.Timestamp(t.start, tz="UTC")
        e = pd.Timestamp(t.end, tz="UTC") if isinstance(t.end, str) and t.end else None
        hit = None
        for i, r in enumerate(ev):
            a = pd.Timestamp(r["alarm"])
            if r["account"] == t.account and a >= s and (e is None or a <= e):
                if hit is None or a < pd.Timestamp(ev[hit]["alarm"]):
                    hit = i
        if hit is not None:
            used.add(hit)
            r = ev[hit]
            rows.append((t.leak_id, t.account, t.flow_lph, (pd.Timestamp(r["alarm"]) - s).total_seconds() / 3600,
                         r["leak_lph"]))
        else:
            rows.append((t.leak_id, t.account, t.flow_lph, None, None))
    for lid, acc, flow, delay, est in rows:
        if delay is None:
            print(f"  {lid} {acc} {flow:.2f} L/h: missed")
        else:
            print(f"  {lid} {acc} {flow:.2f} L/h: alarm after {delay:.1f} h, estimated {est:g} L/h")
    found = sum(1 for r in rows if r[3] is not None)
    false = len(ev) - len(used)
    accounts = {r["sensor"] for r in records(argv[1]) if r["type"] == "features"}
    delays = sorted(r[3] for r in rows if r[3] is not None)
    med = delays[len(delays) // 2] if delays else float("nan")
    print(f"leaks={len(rows)} found={found} detection_rate={found / len(rows):.2f} "
          f"leak_events={len(ev)} false_alarms={false} accounts={len(accounts)} "
          f"median_delay_h={med:.1f}")


def summary(argv):
    kinds, meters = {}, {}
    nights = {}
    for r in records(argv[0]):
        if r["type"] == "event":
            kinds[r["parameter"]] = kinds.get(r["parameter"], 0) + 1
            meters.setdefault(r["parameter"], set()).add(r["account"])
        elif r["type"] == "features" and r.get("kind") == "volume":
            v = r["night_min_lph"]
            if v is not None:
                nights.setdefault(r["sensor"], []).append(v >= 1)
    cont = 0
    for acc, n in nights.items():
        run = best = 0
        for x in n:
            run = run + 1 if x else 0
            best = max(best, run)
        if n and sum(n) >= len(n) / 2 and best >= 3:
            cont += 1
    print(f"meters={len(nights)} continuous_night_flow_meters={cont}")
    for k in ("continuous_flow", "stopped_meter", "reverse_flow"):
        print(f"  {k}: {kinds.get(k, 0)} events on {len(meters.get(k, ()))} meters")


if __name__ == "__main__":
    {"leaks": leaks, "summary": summary}[sys.argv[1]](sys.argv[2:])
