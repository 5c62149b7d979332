#!/usr/bin/python3
"""Score quality events against labelled steps.

quality_score.py gecco LABELS.csv.gz EVENTS.ndjson [SPLIT]
    GECCO 2018: the EVENT column of the original file (read here; aw-ingest ignores it),
    local times of Europe/Berlin as aw-ingest --tz Europe/Berlin reads them. The steps of
    the last 1 - SPLIT (default 0.4) of the span are the test period, the rest training.
quality_score.py gecco-cut LABELS.csv.gz [SPLIT]
    prints the start of the test period (UTC)
quality_score.py windows TRUTH.csv EVENTS.ndjson START END LAG_H
    event level, allowing LAG_H hours for the water to reach a sensor after the end
quality_score.py intervals TRUTH.csv EVENTS.ndjson START END STEP_S [SENSORS]
    quality_events.csv of the simulator (start, end naive UTC), steps of STEP_S seconds
    in [START, END).

A step is predicted positive when it lies in [alarm, end] of an event (what an online
detector has raised at that time; the steps between the change point and the alarm are not
credited). Event level: a labelled event is found when a predicted step falls inside it, a
predicted event is right when it overlaps a labelled one. Prints one line per period as
`name key=value ...` for the shell script to show.
"""
import json
import sys

import numpy as np
import pandas as pd


def load_events(path):
    ev, by_id = [], {}
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("type") == "event":
                ev.append(r)
                by_id[r["id"]] = r
            elif r.get("type") == "validation" and r.get("event") in by_id:
                by_id[r["event"]]["_verdict"] = r.get("verdict")
    return ev


def runs(mask):
    out, i, n = [], 0, len(mask)
    while i < n:
        if mask[i]:
            j = i
            while j < n and mask[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(name, times, truth, events, lo, hi, step):
    """times: sorted int64 seconds; truth: bool array; events restricted to alarm in [lo, hi)"""
    sel = (times >= lo) & (times < hi)
    t, y = times[sel], truth[sel]
    pred = np.zeros(len(t), bool)
    delays, nev = [], 0
    pev = []
    for e in events:
        a = pd.Timestamp(e["alarm"]).value // 10**9
        b = pd.Timestamp(e["end"]).value // 10**9
        if b < lo or a >= hi:
            continue
        i, j = np.searchsorted(t, a), np.searchsorted(t, b, side="right")
        pred[i:j] = True
        pev.append((i, j))
    tp = int((pred & y).sum())
    fp = int((pred & ~y).sum())
    fn = int((~pred & y).sum())
    p, r, f = prf(tp, fp, fn)
    true_ev = runs(y)
    found = 0
    for i, j in true_ev:
        hit = np.nonzero(pred[i:j])[0]
        if len(hit):
            found += 1
            delays.append(hit[0] * step / 60)
    right = sum(1 for i, j in pev if y[i:j].any())
    ep, er, ef = prf(right, len(pev) - right, len(true_ev) - found)
    print(f"{name} steps={len(t)} labelled_steps={int(y.sum())} "
          f"step_P={p:.3f} step_R={r:.3f} step_F1={f:.3f} "
          f"events={len(true_ev)} found={found} predicted={len(pev)} false={len(pev) - right} "
          f"event_P={ep:.3f} event_R={er:.3f} event_F1={ef:.3f} "
          f"median_delay_min={np.median(delays) if delays else float('nan'):.1f}")
    return f


def gecco(argv):
    labels, events = argv[0], argv[1]
    split = float(argv[2]) if len(argv) > 2 else 0.6
    d = pd.read_csv(labels, usecols=["Time", "EVENT"])
    t = pd.to_datetime(d.Time).dt.tz_localize("Europe/Berlin", ambiguous="infer")
    times = t.dt.tz_convert("UTC").astype("int64").values // 10**9
    truth = d.EVENT.astype(bool).values
    cut = times[0] + (times[-1] + 60 - times[0]) * split
    cut -= cut % 60
    ev = load_events(events)
    score("train", times, truth, ev, times[0], cut, 60)
    score("test", times, truth, ev, cut, times[-1] + 60, 60)


def gecco_cut(argv):
    """the UTC time where the test period starts"""
    d = pd.read_csv(argv[0], usecols=["Time"])
    t = pd.to_datetime(d.Time).dt.tz_localize("Europe/Berlin", ambiguous="infer")
    times = t.dt.tz_convert("UTC").astype("int64").values // 10**9
    split = float(argv[1]) if len(argv) > 1 else 0.6
    cut = times[0] + (times[-1] + 60 - times[0]) * split
    cut -= cut % 60
    print(pd.Timestamp(int(cut), unit="s").strftime("%Y-%m-%dT%H:%M:%SZ"))


def windows(argv):
    """event level with travel time: a labelled event [start, end] is found by an alarm in
    [start, end + LAG_H]; other alarms in [START, END) are false"""
    truth_csv, events, start, end, lag = argv[0], argv[1], argv[2], argv[3], float(argv[4])
    lo = pd.Timestamp(start).value // 10**9
    hi = pd.Timestamp(end).value // 10**9
    q = pd.read_csv(truth_csv)
    win = [(pd.Timestamp(r.start).value // 10**9, pd.Timestamp(r.end).value // 10**9 + lag * 3600)
           for _, r in q.iterrows()]
    evs = load_events(events)
    compliance = [e for e in evs if set(e.get("rules", [])) <= {"limit", "sustained"}]
    alarms = [(pd.Timestamp(e["alarm"]).value // 10**9, e) for e in evs if e not in compliance]
    alarms = [(a, e) for a, e in alarms if lo <= a < hi]
    found, delays, false = 0, [], 0
    for a0, a1 in win:
        hits = [a for a, _ in alarms if a0 <= a <= a1]
        if hits:
            found += 1
            delays.append((min(hits) - a0) / 3600)
    for a, e in alarms:
        if not any(a0 <= a <= a1 for a0, a1 in win):
            false += 1
    days = (hi - lo) / 86400
    faults = sum(1 for a, e in alarms if not any(a0 <= a <= a1 for a0, a1 in win) and
                 e.get("_verdict") == "sensor_fault")
    print(f"events={len(win)} found={found} alarms={len(alarms)} false={false} "
          f"(of which judged sensor faults: {faults}) false_per_day={false / days:.2f} "
          f"delay_h={','.join(f'{d:.2f}' for d in delays) or '-'} "
          f"limit_events={len(compliance)} "
          f"limit_sensors={','.join(sorted({s for e in compliance for s in e['sensors']})) or '-'}")


def intervals(argv):
    truth_csv, events, start, end, step = argv[0], argv[1], argv[2], argv[3], int(argv[4])
    lo = pd.Timestamp(start).value // 10**9
    hi = pd.Timestamp(end).value // 10**9
    times = np.arange(lo, hi, step, dtype=np.int64)
    truth = np.zeros(len(times), bool)
    q = pd.read_csv(truth_csv)
    for _, row in q.iterrows():
        a = pd.Timestamp(row.start).value // 10**9
        b = pd.Timestamp(row.end).value // 10**9
        truth[(times >= a) & (times <= b)] = True
    score("all", times, truth, load_events(events), lo, hi, step)


if __name__ == "__main__":
    {"gecco": gecco, "gecco-cut": gecco_cut, "intervals": intervals, "windows": windows}[sys.argv[1]](sys.argv[2:])
