#!/usr/bin/python3
# Synthetic features + anomaly records for the aw-prob tests: DMA A (sensors a1-a3) and
# B (b1, b2), hourly steps, leaks lowering pressure and raising anomaly scores.
# Refresh: cd tests/data/prob && /usr/bin/python3 make-fixtures.py
import gzip
import math
import random
from datetime import datetime, timedelta, timezone

SENSORS = {"A": ["a1", "a2", "a3"], "B": ["b1", "b2"]}
BASE = {"a1": 3.2, "a2": 2.9, "a3": 3.6, "b1": 4.1, "b2": 3.8}
T0 = datetime(2019, 3, 1, tzinfo=timezone.utc)

def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")

def records(rng, start_h, hours, leaks):
    out = []
    prev = {}
    for h in range(start_h, start_h + hours):
        t = T0 + timedelta(hours=h)
        for dma in sorted(SENSORS):
            size = sum(s for d, a, b, s in leaks if d == dma and a <= h < b)
            for sensor in SENSORS[dma]:
                demand = 0.25 * math.sin(2 * math.pi * (t.hour - 7) / 24)
                mean = BASE[sensor] - demand - size * rng.random() + rng.gauss(0, 0.08)
                std = 0.02 + 0.03 * rng.random() + 0.02 * size
                p1 = prev.get(sensor, mean)
                prev[sensor] = mean
                out.append('{"type":"features","ts":"%s","sensor":"%s","dma":"%s",'
                           '"pressure_mean":%.3f,"pressure_std":%.3f,"pressure_1h_change":%.3f,'
                           '"deviation_from_baseline":%.3f,"hour_of_day":%d,"is_night":%s}'
                           % (iso(t), sensor, dma, mean, std, mean - p1,
                              -0.6 * size + rng.gauss(0, 0.12), t.hour,
                              "true" if 1 <= t.hour < 4 else "false"))
            for sensor in SENSORS[dma]:
                score = min(1, max(0, 0.3 + 0.2 * size / 0.3 + rng.gauss(0, 0.12)))
                out.append('{"type":"anomaly","ts":"%s","sensor":"%s","dma":"%s","score":%.3f,'
                           '"anomalous":%s,"top":["pressure_mean"],"model":"iforest-test"}'
                           % (iso(t), sensor, dma, score, "true" if score >= 0.5 else "false"))
    return out

rng = random.Random(2019)
# training: 5 days; leaks (DMA, from hour, to hour, drop in bar)
train = records(rng, 0, 120, [("A", 34, 52, 0.3), ("B", 74, 92, 0.25), ("A", 100, 106, 0.2)])
with gzip.GzipFile("train.ndjson.gz", "wb", mtime=0) as f:
    f.write(("\n".join(train) + "\n").encode())
# scoring: day 6, a leak in B from 08:00 to 16:00
score = records(rng, 120, 24, [("B", 128, 136, 0.3)])
with open("score.ndjson", "w") as f:
    f.write("\n".join(score) + "\n")
