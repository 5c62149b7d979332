#!/usr/bin/python3
"""Makes tests/data/anomaly/{train,score}.jsonl for the aw-anomaly CLI tests.

    /usr/bin/python3 tests/ref/anomaly_fixture.py

Standard library only; random.Random(7) makes it deterministic. Two DMAs with
pressure-like features every 15 minutes for two sensors each, some nulls; the
scoring file has ordinary rows, clear outliers, a reading record to pass
through, a row with a missing feature and a DMA that has no forest.
"""
import json
import math
import os
import random

rng = random.Random(7)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "anomaly")
os.makedirs(root, exist_ok=True)
DMAS = {"A": ("n1", "n4"), "B": ("n7", "n9")}


def ts(k):
    return "2019-01-%02dT%02d:%02d:00Z" % (1 + k // 96, (k % 96) // 4, 15 * (k % 4))


def row(k, sensor, dma, base, shift=None):
    hour = (k % 96) / 4
    mean = base + 0.3 * math.sin(2 * math.pi * hour / 24) + rng.gauss(0, 0.02)
    f = {
        "type": "features", "ts": ts(k), "sensor": sensor, "dma": dma,
        "pressure_mean": round(mean, 4),
        "pressure_std": round(abs(rng.gauss(0.02, 0.005)), 4),
        "pressure_1h_change": round(rng.gauss(0, 0.03), 4),
        "hour_of_day": int(hour),
        "is_night": 1 <= hour < 4,
    }
    if shift:
        for key, v in shift.items():
            f[key] = v
    if rng.random() < 0.03:
        f["pressure_1h_change"] = None
    return f


with open(os.path.join(root, "train.jsonl"), "w") as out:
    for k in range(96):
        for dma, sensors in DMAS.items():
            for i, s in enumerate(sensors):
                shift = None
                if rng.random() < 0.01:  # sensor spikes, as real history has
                    shift = {"pressure_mean": round(4.0 + i + rng.uniform(-2, 2), 4)}
                out.write(json.dumps(row(k, s, dma, 4.0 + i + (dma == "B"), shift), separators=(",", ":")) + "\n")

with open(os.path.join(root, "score.jsonl"), "w") as out:
    k = 96
    out.write(json.dumps(row(k, "n1", "A", 4.0), separators=(",", ":")) + "\n")
    out.write('{"type":"reading","ts":"%s","sensor":"n1","kind":"pressure","value":4.01,"unit":"bar"}\n' % ts(k))
    out.write(json.dumps(row(k, "n4", "A", 5.0), separators=(",", ":")) + "\n")
    out.write(json.dumps(row(k + 1, "n1", "A", 4.0, {"pressure_mean": 2.5, "pressure_1h_change": -1.4}), separators=(",", ":")) + "\n")
    out.write(json.dumps(row(k + 1, "n7", "B", 5.0, {"pressure_std": 0.4}), separators=(",", ":")) + "\n")
    out.write(json.dumps(row(k + 1, "n9", "B", 6.0, {"pressure_mean": None}), separators=(",", ":")) + "\n")
    out.write(json.dumps(row(k + 2, "n3", "C", 4.0), separators=(",", ":")) + "\n")
    out.write(json.dumps(row(k + 2, "n9", "B", 6.0), separators=(",", ":")) + "\n")
