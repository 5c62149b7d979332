#!/usr/bin/python3
"""Makes the aw-residual fixtures: hourly readings of a small synthetic DMA `d1` with two
inlet flows (q0, q1) and five pressure sensors (pa..pe) whose pressure is a fixed head
minus a head loss that grows with the square of the inlet flows, plus noise (0.005 bar).
pa, pb, pc hang mostly on q0; pd, pe on q1.

  train.ndjson.gz   2018-01-01 .. 2018-01-04 (4 days), quiet
  score.ndjson.gz   2018-01-10 .. 2018-01-12 (3 days): demand up 30 % from
                    2018-01-11 06:00 on (every inlet and sensor moves together), and from
                    2018-01-12 12:00 on a leak-like drop of 0.03, 0.025, 0.02 bar on pa, pb, pc;
                    one spike reading (qc spike) and one record of another type

usage: make.py (in this directory; deterministic)"""
import gzip, math, random

rnd = random.Random(20180101)
HEAD = {"pa": 4.0, "pb": 3.9, "pc": 4.1, "pd": 3.6, "pe": 3.7}
LOSS = {"pa": (3e-4, 0.5e-4), "pb": (3.2e-4, 0.6e-4), "pc": (2.8e-4, 0.4e-4),
        "pd": (0.5e-4, 3e-4), "pe": (0.6e-4, 3.3e-4)}
DROP = {"pa": -0.03, "pb": -0.025, "pc": -0.02}


def ts(day, hour):
    return "2018-01-%02dT%02d:00:00Z" % (day, hour)


def rows(first_day, days, swing_at=None, leak_at=None):
    out = []
    for d in range(days):
        for h in range(24):
            day = first_day + d
            f = 1.3 if swing_at and (day, h) >= swing_at else 1.0
            pat = 1 + 0.5 * math.sin(2 * math.pi * (h - 8) / 24)
            q = (25 * pat * f * (1 + 0.03 * rnd.gauss(0, 1)), 22 * pat * f * (1 + 0.03 * rnd.gauss(0, 1)))
            t = ts(day, h)
            for k, name in enumerate(("q0", "q1")):
                out.append('{"type":"reading","ts":"%s","sensor":"%s","kind":"flow","value":%.3f,'
                           '"unit":"L/s","dma":"d1","qc":"ok"}' % (t, name, q[k] + 0.1 * rnd.gauss(0, 1)))
            for name in sorted(HEAD):
                a, b = LOSS[name]
                v = HEAD[name] - a * q[0] ** 2 - b * q[1] ** 2 + 0.005 * rnd.gauss(0, 1)
                if leak_at and (day, h) >= leak_at:
                    v += DROP.get(name, 0)
                out.append('{"type":"reading","ts":"%s","sensor":"%s","kind":"pressure","value":%.4f,'
                           '"unit":"bar","dma":"d1","qc":"ok"}' % (t, name, v))
    return out


def write(name, lines):
    with open(name, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(("\n".join(lines) + "\n").encode())


write("train.ndjson.gz", rows(1, 4))
s = rows(10, 3, swing_at=(11, 6), leak_at=(12, 12))
s.insert(40, '{"type":"reading","ts":"2018-01-10T05:00:00Z","sensor":"pa","kind":"pressure",'
             '"value":6.5,"unit":"bar","dma":"d1","qc":"spike"}')
s.insert(41, '{"type":"label","pipe":"p1","start":"2018-01-10T05:00:00Z","label":"suspected"}')
write("score.ndjson.gz", s)
