#!/usr/bin/python3
"""Synthetic main-break history on L-Town's pipes from a known hazard model, for the
aw-risk evaluation (eval/70-risk.sh). Nothing here is measured.

  risk_synth.py assets L-TOWN.inp OUT/assets.csv SEED
      a random asset register: install year and a material that fits its era
  risk_synth.py history L-TOWN.inp OUT/assets.csv STATIC.ndjson WeatherData.csv OUT SEED
      four years (2016-2019) of daily weather, hourly pressure readings at the 33
      pressure sensors and the breaks drawn from the hazard below

Hazard of pipe i on day t (breaks per day), proportional hazards with a Weibull age term:
  h = BASE * (L_i / 1000 m) * (age_i(t) / 50)^1.5 * M[material_i] * exp(-0.006 (D_i - 150 mm))
      * exp(0.025 (P_i - 40 m)) * exp(1.5 S_s) * F_i * W(t) * T_s(t) * R_i(t)
  M: pvc 0.6, ductile_iron 0.8, unknown 1.2, cast_iron 1.8, asbestos_cement 2.0
  P_i: static pressure of the pipe (aw-risk's static_pressure_m: source head carried
       through the network, minus elevation)
  S_s: night-day pressure swing (bar) at the pipe's nearest pressure sensor s, drawn once
       per sensor from U(0.1, 0.6)
  F_i: frailty, Gamma(shape 2, scale 0.5) (mean 1): some pipes are worse than their
       records say, which is what makes the break history informative
  W(t): 3 on a day with a minimum at or below 0 C and the two days after it; times
        exp(0.03 (12 - daily mean C)) (cold water, ground movement)
  T_s(t): 4 for 14 days after a pressure transient at sensor s (on average one every 60
          days per sensor; seen in the readings as a 0.6-1.5 bar spike for one hour)
  R_i(t): 1.5 for a year after a break of the pipe (disturbed ground, repair clamps)
  BASE is set so the town has about 150 breaks a year: about ten times a typical
  network's rate for 43 km of mains, so that one test year has enough breaks to measure
  (equivalently: L-Town stands for a ten times larger network at a typical rate).
Weather: daily mean temperature with the annual cycle and AR(1) anomalies fitted to
BWDF's WeatherData.csv (north-east Italy), 4 C colder (so that frost occurs), daily range
by month from the same data; written hourly in BWDF's layout.
"""
import csv
import datetime as dt
import gzip
import json
import math
import sys

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

MATERIAL = {"pvc": 0.6, "ductile_iron": 0.8, "unknown": 1.2, "cast_iron": 1.8,
            "asbestos_cement": 2.0}
START = dt.date(2016, 1, 1)
DAYS = (dt.date(2020, 1, 1) - START).days


def read_inp(path):
    sec = None
    nodes, elev, links, sensors = {}, {}, [], []
    for raw in open(path, encoding="latin-1"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("["):
            sec = line.upper()
            continue
        if line.startswith(";"):
            continue
        body, _, comment = line.partition(";")
        f = body.split()
        if not f:
            continue
        if sec in ("[JUNCTIONS]", "[RESERVOIRS]", "[TANKS]"):
            nodes.setdefault(f[0], len(nodes))
            elev[f[0]] = float(f[1])
            if "PRESSURE SENSOR" in comment.upper():
                sensors.append(f[0])
        elif sec == "[PIPES]":
            links.append(("pipe", f[0], f[1], f[2], float(f[3]), float(f[4])))
        elif sec in ("[PUMPS]", "[VALVES]"):
            links.append(("other", f[0], f[1], f[2], 1.0, 0.0))
    return nodes, elev, links, sensors


def cmd_assets(inp, out, seed):
    rng = np.random.default_rng(seed)
    _, _, links, _ = read_inp(inp)
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["pipe", "material", "install_year", "diameter_mm"])
        for kind, pid, _, _, _, dia in links:
            if kind != "pipe":
                continue
            year = int(rng.choice([rng.integers(1925, 1950), rng.integers(1950, 1970),
                                   rng.integers(1970, 1985), rng.integers(1985, 2016)],
                                  p=[0.15, 0.3, 0.3, 0.25]))
            if year < 1950:
                mats, p = ["cast_iron", "unknown"], [0.85, 0.15]
            elif year < 1970:
                mats, p = ["cast_iron", "asbestos_cement", "unknown"], [0.4, 0.45, 0.15]
            elif year < 1985:
                mats, p = ["asbestos_cement", "ductile_iron", "pvc", "unknown"], [0.35, 0.35, 0.2, 0.1]
            else:
                mats, p = ["pvc", "ductile_iron", "unknown"], [0.55, 0.4, 0.05]
            w.writerow([pid, rng.choice(mats, p=p), year, int(round(dia))])


def fit_weather(path):
    """annual cycle + AR(1) of the daily mean, mean daily range by month"""
    days = {}
    with open(path, encoding="utf-8") as fh:
        r = csv.reader(fh)
        next(r)
        for row in r:
            if len(row) < 3 or not row[2] or row[2].lower() == "nan":
                continue
            d = dt.datetime.strptime(row[0], "%d/%m/%Y %H:%M").date()
            days.setdefault(d, []).append(float(row[2]))
    ds = sorted(d for d in days if len(days[d]) >= 20)
    mean = np.array([np.mean(days[d]) for d in ds])
    rng_ = np.array([max(days[d]) - min(days[d]) for d in ds])
    doy = np.array([d.timetuple().tm_yday for d in ds])
    X = np.column_stack([np.ones(len(ds)), np.cos(2 * np.pi * doy / 365.25),
                         np.sin(2 * np.pi * doy / 365.25)])
    coef, *_ = np.linalg.lstsq(X, mean, rcond=None)
    res = mean - X @ coef
    phi = float(np.corrcoef(res[:-1], res[1:])[0, 1])
    sigma = float(np.std(res[1:] - phi * res[:-1]))
    month_range = {m: float(np.mean(rng_[[d.month == m for d in ds]])) for m in range(1, 13)}
    return coef, phi, sigma, month_range


def cmd_history(inp, assets, static, weather, out, seed):
    rng = np.random.default_rng(seed)
    nodes, elev, links, sensors = read_inp(inp)
    pipes = [l for l in links if l[0] == "pipe"]
    pidx = {l[1]: i for i, l in enumerate(pipes)}
    reg = {}
    for row in csv.DictReader(open(assets)):
        reg[row["pipe"]] = row
    stat = {}
    for line in open(static):
        r = json.loads(line)
        if r.get("type") == "risk" and r.get("static_pressure_m") is not None:
            stat[r["pipe"]] = r["static_pressure_m"]

    # nearest pressure sensor of each pipe (network distance from its nearer end)
    n = len(nodes)
    rows, cols, w = [], [], []
    for kind, _, a, b, length, _ in links:
        rows += [nodes[a], nodes[b]]
        cols += [nodes[b], nodes[a]]
        w += [max(length, 0.001)] * 2
    g = csr_matrix((w, (rows, cols)), shape=(n, n))
    dist = dijkstra(g, indices=[nodes[s] for s in sensors])
    near = np.array([np.argmin(np.minimum(dist[:, nodes[a]], dist[:, nodes[b]]))
                     for _, _, a, b, _, _ in pipes])
    node_p = {}
    for _, pid, a, b, _, _ in pipes:
        if pid in stat:
            node_p.setdefault(a, []).append(stat[pid])
            node_p.setdefault(b, []).append(stat[pid])
    sensor_p = np.array([np.mean(node_p.get(s, [40.0])) for s in sensors])

    # weather
    coef, phi, sigma, month_range = fit_weather(weather)
    tmean = np.empty(DAYS)
    trange = np.empty(DAYS)
    anom = 0.0
    for k in range(DAYS):
        d = START + dt.timedelta(days=k)
        doy = d.timetuple().tm_yday
        anom = phi * anom + rng.normal(0, sigma)
        tmean[k] = coef[0] + coef[1] * math.cos(2 * math.pi * doy / 365.25) + \
            coef[2] * math.sin(2 * math.pi * doy / 365.25) + anom - 4.0
        trange[k] = month_range[d.month] * rng.lognormal(0, 0.25)
    tmin = tmean - trange / 2
    with open(f"{out}/weather.csv", "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["Date-time (DD/MM/YYYY HH:mm)", "Air temperature (C)"])
        for k in range(DAYS):
            d = START + dt.timedelta(days=k)
            for h in range(24):
                t = tmean[k] + trange[k] / 2 * math.sin(2 * math.pi * (h - 9) / 24)
                wr.writerow([f"{d.day:02d}/{d.month:02d}/{d.year} {h:02d}:00", f"{t:.1f}"])
    frost = tmin <= 0
    frost3 = frost.copy()
    frost3[1:] |= frost[:-1]
    frost3[2:] |= frost[:-2]
    W = np.where(frost3, 3.0, 1.0) * np.exp(0.03 * (12 - tmean))

    # sensors: swing and transients (day index and hour)
    ns = len(sensors)
    swing = rng.uniform(0.1, 0.6, ns)
    transients = []
    T = np.ones((ns, DAYS))
    for s in range(ns):
        t = rng.exponential(60)
        while t < DAYS:
            day, hour = int(t), int((t - int(t)) * 24)
            transients.append((s, day, hour, rng.uniform(0.6, 1.5)))
            T[s, day + 1:day + 15] = 4.0
            t += rng.exponential(60)

    # static covariates of the hazard
    L = np.array([p[4] for p in pipes])
    D = np.array([p[5] for p in pipes])
    P = np.array([stat.get(p[1], 40.0) for p in pipes])
    mat = np.array([MATERIAL.get(reg[p[1]]["material"], 1.2) for p in pipes])
    year = np.array([int(reg[p[1]]["install_year"]) for p in pipes])
    frail = rng.gamma(2.0, 0.5, len(pipes))
    static_h = (L / 1000) * mat * np.exp(-0.006 * (D - 150)) * np.exp(0.025 * (P - 40)) * \
        np.exp(1.5 * swing[near]) * frail

    def simulate(base, rng_):
        repaired = np.full(len(pipes), -10 ** 6)
        breaks = []
        for k in range(DAYS):
            age = np.maximum(2016 + k / 365.25 - year, 1.0)
            h = base * static_h * (age / 50) ** 1.5 * W[k] * T[near, k] * \
                np.where(k - repaired < 365, 1.5, 1.0)
            hit = rng_.random(len(pipes)) < -np.expm1(-h)
            for i in np.nonzero(hit)[0]:
                breaks.append((k, i))
                repaired[i] = k
        return breaks

    # BASE for about 150 breaks a year, found on a trial run, then the real draw
    trial = simulate(1e-3, np.random.default_rng(seed + 1))
    base = 1e-3 * 150 * DAYS / 365.25 / max(len(trial), 1)
    breaks = simulate(base, rng)
    with open(f"{out}/breaks.csv", "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["pipe", "date", "type"])
        for k, i in breaks:
            wr.writerow([pipes[i][1], (START + dt.timedelta(days=k)).isoformat(), "break"])

    # hourly pressure readings at the sensors
    with gzip.open(f"{out}/readings.ndjson.gz", "wt", compresslevel=1) as fh:
        spikes = {(s, day, hour): a for s, day, hour, a in transients}
        for k in range(DAYS):
            d = START + dt.timedelta(days=k)
            for hour in range(24):
                use = 0.0 if 1 <= hour < 5 else 1.0 if 7 <= hour < 22 else 0.5
                ts = f"{d.isoformat()}T{hour:02d}:00:00Z"
                noise = rng.normal(0, 0.02, ns)
                for s in range(ns):
                    v = sensor_p[s] * 0.0980665 - swing[s] * use + noise[s] + \
                        spikes.get((s, k, hour), 0.0)
                    fh.write('{"type":"reading","ts":"%s","sensor":"%s","kind":"pressure",'
                             '"value":%.3f,"unit":"bar","node":"%s","qc":"ok"}\n'
                             % (ts, sensors[s], v, sensors[s]))
    per_year = [sum(1 for k, _ in breaks if (START + dt.timedelta(days=k)).year == y)
                for y in (2016, 2017, 2018, 2019)]
    print(f"synthetic history: {len(pipes)} pipes, breaks per year 2016-2019: "
          f"{', '.join(map(str, per_year))}; {len(transients)} transients at {ns} sensors; "
          f"{int(frost.sum())} frost days", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1] == "assets":
        cmd_assets(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        cmd_history(*sys.argv[2:7], int(sys.argv[7]))
