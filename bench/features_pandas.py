#!/usr/bin/python3
"""The features of aw-features(1) in pandas (rolling windows, groupby sensor, shifts), for
the benchmark and as an independent check of the C values.  UTC, 15-minute steps,
neighbours: the 3 nearest pressure sensors by coordinates, sides by mean pressure so far.

usage: features_pandas.py wide SCADA.csv SENSORS.csv > features.ndjson
       features_pandas.py readings READINGS.ndjson SENSORS.csv > features.ndjson
The first reads the historian CSV itself (no QC); the second reads aw-ingest's readings
and leaves QC-flagged ones out, as aw-features does."""
import sys
import numpy as np
import pandas as pd

mode, src, sensors_csv = sys.argv[1:4]
S = 900
H, D = 4, 96
W7 = 7 * D
C = 0.8
TH = dict(pressure_drop=0.5, drop_rate=0.2, night_day_ratio=0.95, mnf_deviation=-0.3,
    gradient_anomaly=0.1)

sens = pd.read_csv(sensors_csv)
if mode == "wide":
    f = {"bar": 1.0, "psi": 0.0689476, "m": 0.0980665, "L/s": 1.0}
    df = pd.read_csv(src)
    long = df.melt(id_vars=["timestamp"], var_name="sensor", value_name="value")
    long = long.merge(sens[["sensor", "kind", "unit"]], on="sensor")
    long["value"] = long["value"] * long["unit"].map(f).fillna(1.0)
    long["ts"] = pd.to_datetime(long["timestamp"]).astype("int64") // 10**9
    long = long[long["value"].notna()]
else:
    long = pd.read_json(src, lines=True, dtype=False)
    long = long[(long["type"] == "reading") & (long["qc"] == "ok") & long["value"].notna()]
    long["ts"] = pd.to_datetime(long["ts"]).astype("int64") // 10**9
long = long[long["kind"] == "pressure"]
long["step"] = long["ts"] // S
interval = 300

g = long.groupby(["sensor", "step"])["value"]
st = g.agg(["count", "sum", "mean", "std", "min", "max"])
st["sumsq"] = long.assign(v2=long["value"] ** 2).groupby(["sensor", "step"])["v2"].sum()
lo, hi = long["step"].min(), long["step"].max()
ids = sorted(long["sensor"].unique())
full = pd.MultiIndex.from_product([ids, range(lo, hi + 1)], names=["sensor", "step"])
st = st.reindex(full)
st["count"] = st["count"].fillna(0)
for c in ("sum", "sumsq"):
    st[c] = st[c].fillna(0.0)
by = st.groupby(level="sensor")

out = pd.DataFrame(index=st.index)
out["pressure_mean"] = st["mean"]
out["pressure_std"] = st["std"]
out["pressure_min"] = st["min"]
out["pressure_max"] = st["max"]
out["pressure_range"] = st["max"] - st["min"]
mean = st["mean"]
out["pressure_1h_change"] = mean - by["mean"].shift(H)
out["pressure_24h_change"] = mean - by["mean"].shift(D)
# least-squares slope over the step means of the last hour (H + 1 points, gaps skipped)
x = pd.Series(st.index.get_level_values("step") - lo, index=st.index, dtype=float)
ok = mean.notna()
parts = pd.DataFrame({"n": ok.astype(float), "x": x.where(ok, 0.0), "y": mean.fillna(0.0),
    "xx": (x * x).where(ok, 0.0), "xy": (x * mean).fillna(0.0)})
rs = parts.groupby(level="sensor").rolling(H + 1, min_periods=1).sum().droplevel(0)
den = rs["n"] * rs["xx"] - rs["x"] ** 2
slope = (rs["n"] * rs["xy"] - rs["x"] * rs["y"]) / den
out["pressure_drop_rate"] = (-slope * H).where(ok & (rs["n"] >= 2) & (den > 0))
# rolling seven days of readings
r7 = st[["count", "sum", "sumsq"]].groupby(level="sensor").rolling(W7, min_periods=1).sum().droplevel(0)
enough = r7["count"] >= C * W7 * S / interval
rmean = (r7["sum"] / r7["count"]).where(enough)
rstd = np.sqrt(((r7["sumsq"] - r7["sum"] ** 2 / r7["count"]) / (r7["count"] - 1)).clip(lower=0))
out["rolling_mean_7d"] = rmean
# the same time on the previous seven days
lags = pd.concat([by["mean"].shift(D * j) for j in range(1, 8)], axis=1)
base = lags.mean(axis=1).where(lags.notna().sum(axis=1) >= C * 7)
out["deviation_from_baseline"] = mean - base
out["pressure_zscore"] = ((mean - rmean) / rstd).where(rstd > 0)

t = pd.to_datetime(st.index.get_level_values("step") * S, unit="s")
hour = pd.Series(t.hour, index=st.index)
out["hour_of_day"] = hour
out["is_night"] = (hour >= 1) & (hour < 4)
out["day_of_week"] = pd.Series(t.dayofweek, index=st.index)
out["is_weekend"] = out["day_of_week"] >= 5

# night 01-04 and day 08-20 windows: means of the readings, complete at 80 %
day = pd.Series((st.index.get_level_values("step") * S) // 86400, index=st.index)
def window(h0, h1):
    m = (hour >= h0) & (hour < h1)
    w = st[m].assign(day=day[m]).groupby(["sensor", "day"])[["count", "sum"]].sum()
    return (w["sum"] / w["count"]).where(w["count"] >= C * (h1 - h0) * 3600 / interval)
night, dwin = window(1, 4), window(8, 20)
# every night present after reindexing: shifting rows shifts days
night = night.reindex(pd.MultiIndex.from_product([ids, range(day.min(), day.max() + 1)],
    names=["sensor", "day"]))
nb = night.groupby(level="sensor")
nlags = pd.concat([nb.shift(j) for j in range(1, 8)], axis=1)
mnfdev = night - nlags.mean(axis=1).where(nlags.notna().sum(axis=1) >= C * 7)
sensor = st.index.get_level_values("sensor")
nkey = pd.MultiIndex.from_arrays([sensor, day - (hour < 4)])
dkey = pd.MultiIndex.from_arrays([sensor, day - (hour < 20)])
out["mnf_pressure"] = night.reindex(nkey).to_numpy()
dmean = dwin.reindex(dkey).to_numpy()
out["night_day_ratio"] = np.where(dmean > 0, out["mnf_pressure"] / dmean, np.nan)
out["mnf_deviation"] = mnfdev.reindex(nkey).to_numpy()

# neighbours
xy = sens.set_index("sensor").loc[ids, ["x", "y"]]
cum = (by["sum"].cumsum() / by["count"].cumsum())
M = mean.unstack("sensor")
CUM = cum.unstack("sensor")
up_s = pd.DataFrame(0.0, index=M.index, columns=ids); up_n = up_s.copy()
dn_s = up_s.copy(); dn_n = up_s.copy(); al_s = up_s.copy(); al_n = up_s.copy()
an_s = up_s.copy(); an_n = up_s.copy()
for s in ids:
    d = np.hypot(xy["x"] - xy.loc[s, "x"], xy["y"] - xy.loc[s, "y"]).drop(s)
    near = sorted(d.index, key=lambda o: (d[o], o))[:3]
    for o in near:
        q = M[o]
        have = q.notna() & M[s].notna()
        diff = (q - M[s]).where(have)
        upside = CUM[o] > CUM[s]
        up_s[s] += q.where(have & upside, 0.0); up_n[s] += (have & upside)
        dn_s[s] += q.where(have & ~upside, 0.0); dn_n[s] += (have & ~upside)
        al_s[s] += q.where(have, 0.0); al_n[s] += have
        dl = pd.concat([diff.shift(D * j) for j in range(1, 8)], axis=1)
        b = dl.mean(axis=1).where(dl.notna().sum(axis=1) >= C * 7)
        a = (diff - b)
        an_s[s] += a.fillna(0.0); an_n[s] += a.notna()
stack = lambda df: df.rename_axis(index="step", columns="sensor").stack(dropna=False).reorder_levels(["sensor", "step"]).reindex(out.index)
out["pressure_diff_upstream"] = stack(up_s / up_n.replace(0, np.nan) - M)
out["pressure_diff_downstream"] = stack(M - dn_s / dn_n.replace(0, np.nan))
out["pressure_gradient"] = stack(al_s / al_n.replace(0, np.nan) - M)
out["gradient_anomaly"] = stack(an_s / an_n.replace(0, np.nan))

share = pd.concat([
    (-out["deviation_from_baseline"] / TH["pressure_drop"]),
    (out["pressure_drop_rate"] / TH["drop_rate"]),
    ((1 - out["night_day_ratio"]) / (1 - TH["night_day_ratio"])),
    (out["mnf_deviation"] / TH["mnf_deviation"]),
    (out["gradient_anomaly"] / TH["gradient_anomaly"])], axis=1).clip(0, 1)
out["leak_index"] = share.mean(axis=1)
comp = (st["count"] / (S / interval)).clip(upper=1)
out["completeness"] = comp
out["complete"] = st["count"] >= C * S / interval

cols = ["pressure_mean", "pressure_std", "pressure_min", "pressure_max", "pressure_range",
    "pressure_diff_upstream", "pressure_diff_downstream", "pressure_gradient", "gradient_anomaly",
    "pressure_drop_rate", "pressure_1h_change", "pressure_24h_change", "rolling_mean_7d",
    "deviation_from_baseline", "hour_of_day", "is_night", "day_of_week", "is_weekend",
    "mnf_pressure", "night_day_ratio", "mnf_deviation", "pressure_zscore", "leak_index",
    "completeness", "complete"]
res = out[cols].reset_index()
res.insert(0, "ts", pd.to_datetime(res.pop("step") * S, unit="s").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
res.insert(0, "type", "features")
res = res.sort_values(["ts", "sensor"], kind="stable")
res.to_json(sys.stdout, orient="records", lines=True, double_precision=6)
