#!/usr/bin/python3
# Writes the bad-input corpus (tests/badinput/*/): python3 make-cases.py in this directory.
# Two runs give identical bytes. The overlong-line case (> 64 MiB) is not here: the test
# generates it (tests/95-badinput.t).
import gzip, hashlib, os

NOTE = b'{"type":"note","n":1}'
# the last lines: an event every record tool passes on or uses (aw-alert opens an alert,
# aw-score counts a detection), and a CMMS update aw-workorder import applies
SENT = (b'{"type":"event","id":"sentinel","dma":"DMA_A","start":"2019-03-04T06:00:00Z",'
        b'"end":"2019-03-04T06:30:00Z","peak_p":0.9,"sensors":["n54"],"source":"prob"}',
        b'{"type":"workorder","id":"WO-000001","status":"approved","by":"alice"}')


def put(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def lines(*ls, eol=b"\n"):
    return b"".join(l + eol for l in ls)


def prob(ts, p, dma=b"A"):
    return b'{"type":"probability","ts":"' + ts + b'","dma":"' + dma + b'","p_leak":' + p + b'}'


def feat(ts, vals, sensor=b"n1", dma=b"A"):
    return (b'{"type":"features","ts":"' + ts + b'","sensor":"' + sensor + b'","dma":"' + dma +
            b'",' + vals + b',"hour_of_day":0,"is_night":false}')


def event(id, start, end, peak=b"0.9", dma=b"DMA_A"):
    return (b'{"type":"event","id":"' + id + b'","dma":"' + dma + b'","start":"' + start +
            b'","end":"' + end + b'","peak_p":' + peak + b',"sensors":["n54"],"source":"prob"}')


def reading(ts, value, unit=b"bar", sensor=b"n1"):
    return (b'{"type":"reading","ts":"' + ts + b'","sensor":"' + sensor + b'","kind":"pressure","value":' +
            value + b',"unit":"' + unit + b'","dma":"A","qc":"ok"}')


def gz_cut(data, n):
    z = gzip.compress(data, 9, mtime=0)
    assert len(z) > n
    return z[:n]


# ---- JSON records: a note first, the bad lines, the sentinel last ----
T = b"2019-03-04T02:00:00Z"
rec = {
    "malformed-json": [
        b'{"type":"probability","ts":"2019-03-04T02:00:00Z","dma":"A","p_leak":0.4',
        b'[1,2,3]', b'{"type":"note","n":2,}', b'{"type":"note" "n":3}',
        b'{"type":"note","n":4}}', b'type=note n=5', b'"just a string"',
        b'{"type":"note","deep":' + b'[' * 300 + b']' * 300 + b'}'],
    "invalid-utf8": [
        b'{"type":"note","s":"caf\xe9"}',		# Latin-1
        b'{"type":"note","s":"\xc0\xafetc"}',		# overlong '/'
        b'{"type":"note","s":"\xed\xa0\x80"}',		# UTF-16 surrogate
        b'{"type":"note","s":"\xe2\x82"}',		# cut sequence
        b'{"type":"note","s":"\xf4\x90\x80\x80"}',	# beyond U+10FFFF
        b'{"type\xff":"note","n":6}'],
    "nul-bytes": [b'{"type":"note","s":"a\x00b"}', b'{"type":"note",\x00"n":3}', b'\x00',
                  b'{"type":"note","n":4}\x00'],
    "huge-numbers": [
        prob(T, b"1e999"),
        feat(b"2019-01-02T00:00:00Z", b'"pressure_mean":-1e400,"pressure_std":1e308,'
             b'"pressure_1h_change":123456789012345678901234567890'),
        event(b"E-9", b"2019-03-04T02:15:00Z", b"2019-03-04T03:45:00Z", b"1e999"),
        b'{"type":"note","n":' + b'9' * 400 + b'}'],
    "nan-inf": [prob(T, b"NaN"),
                feat(b"2019-01-02T00:00:00Z", b'"pressure_mean":Infinity,"pressure_std":-Infinity'),
                b'{"type":"note","x":nan}', prob(T, b'"NaN"')],
    "wrong-units": [reading(T, b"60.2", b"psi"), reading(b"2019-03-04T02:05:00Z", b"4.1", b"furlong"),
                    prob(T, b"93"), prob(b"2019-03-04T02:15:00Z", b"-0.2"),
                    event(b"E-8", b"2019-03-04T02:15:00Z", b"2019-03-04T03:45:00Z", b"93")],
    "unknown-sensors": [
        reading(T, b"4.03", b"bar", b"X99"),
        feat(b"2019-01-02T00:00:00Z", b'"pressure_mean":4.03,"pressure_std":0.01', b"X99", b"NOPE"),
        prob(T, b"0.2", b"NOPE"),
        event(b"E-7", b"2019-03-04T02:15:00Z", b"2019-03-04T03:45:00Z", b"0.9", b"NOPE")],
    "timestamps": [reading(b"2019-03-04T02:30:00Z", b"4.0"), reading(b"2019-03-04T02:30:00Z", b"4.1"),
                   reading(b"2019-03-04T02:15:00Z", b"4.0"), reading(b"2019-02-30T00:00:00Z", b"4.0"),
                   prob(b"2019-03-04T02:30:00Z", b"0.2"), prob(b"2019-03-04T02:30:00Z", b"0.3"),
                   prob(b"2019-03-04T02:15:00Z", b"0.2"), prob(b"2019-03-04 02:45:00", b"0.2"),
                   prob(b"2019-02-30T00:00:00Z", b"0.2"), prob(b"yesterday", b"0.2"),
                   event(b"E-6", b"2019-03-04T05:00:00Z", b"2019-03-04T04:00:00Z")],
    "dst": [reading(b"2019-03-31T02:30:00", b"4.0"), reading(b"2019-03-31T02:30:00+02:00", b"4.0"),
            prob(b"2019-03-31T02:30:00", b"0.2"), prob(b"2019-03-31T02:30:00+02:00", b"0.2"),
            prob(b"2019-10-27T02:30:00+03:00", b"0.2"), prob(b"2019-03-31T25:30:00Z", b"0.2")],
    "y2038": [reading(b"2038-01-19T03:15:00Z", b"4.0"), reading(b"2106-02-07T06:30:00Z", b"4.0"),
              reading(b"10000-01-01T00:00:00Z", b"4.0"),
              prob(b"2038-01-19T03:14:08Z", b"0.2"), prob(b"2100-02-28T23:55:00Z", b"0.2"),
              prob(b"9999-12-31T23:59:59Z", b"0.2"), prob(b"10000-01-01T00:00:00Z", b"0.2"),
              event(b"E-5", b"2038-01-19T03:14:08Z", b"2106-02-07T06:28:16Z")],
}
for name, bad in rec.items():
    put("records/%s.jsonl" % name, lines(NOTE, *bad, *SENT))
put("records/crlf.jsonl", lines(NOTE, prob(T, b"0.4"), *SENT, eol=b"\r\n"))
put("records/bom.jsonl", b"\xef\xbb\xbf" + lines(NOTE, *SENT))
body = lines(*[b'{"type":"note","n":%d,"pad":"%s"}' % (i, hashlib.sha256(b"%d" % i).hexdigest().encode())
               for i in range(1, 101)])
put("records/truncated-gzip.jsonl.gz", gz_cut(body, 3000))

# ---- wide historian CSV for aw-ingest (sensors.csv): a good row first, a good row last ----
HEAD = b"timestamp,n1,n2,f1"
FIRST = b"2019-01-15 00:00:00,3.01,30.5,12.0"
LAST = b"2019-01-15 01:00:00,3.05,30.9,12.4"
put("csv/sensors.csv", lines(b"sensor,node,link,kind,unit", b"n1,n1,,pressure,bar",
                             b"n2,n2,,pressure,m", b"f1,,p1,flow,L/s"))
csv = {
    "malformed-csv": [b'2019-01-15 00:05:00,"3.02,30.6,12.1', b'2019-01-15 00:10:00,3.02,30.6,12.1'],
    "invalid-utf8": [b"2019-01-15 00:05:00,3.0\xe9,30.6,12.1", b"2019-01-15 00:10:00\xff,3.02,30.6,12.1"],
    "nul-bytes": [b"2019-01-15 00:05:00,3.0\x002,30.6,12.1", b"\x00"],
    "huge-numbers": [b"2019-01-15 00:05:00,1e999,1e308,99999999999999999999",
                     b"2019-01-15 00:10:00,-1e400,30.6," + b"9" * 400],
    "nan-inf": [b"2019-01-15 00:05:00,NaN,inf,-Infinity", b"2019-01-15 00:10:00,nan,INF,NA"],
    "wrong-units": [b"2019-01-15 00:05:00,43.6 psi,30.6 m,12.1"],
    "unknown-sensors": [],
    "timestamps": [b"2019-01-15 00:10:00,3.02,30.6,12.1", b"2019-01-15 00:10:00,3.03,30.7,12.2",
                   b"2019-01-15 00:05:00,3.02,30.6,12.1", b"2019-02-30 00:00:00,3.02,30.6,12.1",
                   b"15/01/2019 00:20,3.02,30.6,12.1"],
}
for name, bad in csv.items():
    put("csv/%s.csv" % name, lines(HEAD, FIRST, *bad, LAST))
# past 2038 and 2106 in order; year 10000 is refused; the good last row is in 9999
put("csv/y2038.csv", lines(HEAD, FIRST, b"2038-01-19 03:14:08,3.02,30.6,12.1",
                           b"2106-02-07 06:28:16,3.02,30.6,12.1", b"10000-01-01 00:00:00,3.02,30.6,12.1",
                           b"9999-12-31 23:55:00,3.05,30.9,12.4"))
put("csv/unknown-sensors.csv", lines(b"timestamp,n1,X99,f1", FIRST, LAST))
put("csv/crlf.csv", lines(HEAD, FIRST, LAST, eol=b"\r\n"))
put("csv/bom.csv", b"\xef\xbb\xbf" + lines(HEAD, FIRST, LAST))
# naive local times, read with --tz Europe/Rome: 02:30 on 2019-03-31 does not exist,
# 02:30 on 2019-10-27 happens twice
put("csv/dst.csv", lines(HEAD, b"2019-03-31 01:30:00,3.01,30.5,12.0", b"2019-03-31 02:30:00,3.02,30.6,12.1",
                         b"2019-03-31 03:30:00,3.03,30.7,12.2", b"2019-10-27 02:30:00,3.02,30.6,12.1",
                         b"2019-10-27 02:30:00,3.03,30.6,12.1", b"2019-10-27 03:30:00,3.05,30.9,12.4"))
rows = lines(HEAD, *[b"2019-01-15 %02d:%02d:00,%d.%03d,30.%d,12.%d" % (i // 12, i % 12 * 5, 3, i * 7 % 1000, i % 10, i % 7)
                     for i in range(288)])
put("csv/truncated-gzip.csv.gz", gz_cut(rows, len(gzip.compress(rows, 9, mtime=0)) // 2))

# ---- leak lists (aw-score --truth, aw-prob train --leaks): good leak first and last ----
LH = b"leak_id,pipe,start,end,peak_lps"
L1 = b"A,p1,2019-03-01 00:00:00,2019-03-02 00:00:00,1.5"
L9 = b"Z,p9,2019-03-03 00:00:00,2019-03-04 00:00:00,2.5"
leaks = {
    "malformed-csv": [b'B,"p2,2019-03-01 00:00:00,2019-03-01 06:00:00,1'],
    "invalid-utf8": [b"B,p\xe92,2019-03-01 00:00:00,2019-03-01 06:00:00,1"],
    "nul-bytes": [b"B,p2,2019-03-01 00:00\x00:00,2019-03-01 06:00:00,1"],
    "huge-numbers": [b"B,p2,2019-03-01 00:00:00,2019-03-01 06:00:00,1e999", b"C,p3,2019-03-01 00:00:00,2019-03-01 06:00:00,-1e400"],
    "nan-inf": [b"B,p2,2019-03-01 00:00:00,2019-03-01 06:00:00,NaN", b"C,p3,2019-03-01 00:00:00,2019-03-01 06:00:00,inf"],
    "timestamps": [b"B,p2,2019-03-02 00:00:00,2019-03-01 00:00:00,1", b"C,p3,2019-02-30 00:00:00,2019-03-01 06:00:00,1",
                   b"D,p4,soon,2019-03-01 06:00:00,1"],
    "y2038": [b"B,p2,2038-01-19 03:14:08,2106-02-07 06:28:16,1", b"C,p3,10000-01-01 00:00:00,10000-01-02 00:00:00,1"],
}
for name, bad in leaks.items():
    put("leaks/%s.csv" % name, lines(LH, L1, *bad, L9))
put("leaks/crlf.csv", lines(LH, L1, L9, eol=b"\r\n"))
put("leaks/bom.csv", b"\xef\xbb\xbf" + lines(LH, L1, L9))
put("leaks/truncated-gzip.csv.gz",
    gz_cut(lines(LH, *[b"L%d,p%d,2019-03-%02d 00:00:00,,%d.5" % (i, i, 1 + i % 28, i % 9) for i in range(200)]), 1000))

# ---- sensor tables (aw-ingest -s CASE csv/crlf.csv): f1, the last row, must still be read ----
SH = b"sensor,node,link,kind,unit"
S1 = b"n1,n1,,pressure,bar"
S9 = b"f1,,p1,flow,L/s"
tables = {
    "malformed-csv": [b'n2,"n2,,pressure,m'],
    "invalid-utf8": [b"n2,n\xe92,,pressure,m"],
    "nul-bytes": [b"n2,n2,,pres\x00sure,m"],
    "wrong-units": [b"n2,n2,,pressure,furlong"],
    "unknown-kind": [b"n2,n2,,pressure_ish,m"],
}
for name, bad in tables.items():
    put("sensors/%s.csv" % name, lines(SH, S1, *bad, S9))
put("sensors/crlf.csv", lines(SH, S1, b"n2,n2,,pressure,m", S9, eol=b"\r\n"))
put("sensors/bom.csv", b"\xef\xbb\xbf" + lines(SH, S1, b"n2,n2,,pressure,m", S9))

# ---- asset registers (aw-network -a CASE geojson tests/data/net/tiny.inp): P12 last ----
AH = b"pipe,material,install_year,diameter,street"
A1 = b"P1,cast iron,1965,300,Main Street"
A9 = b"P12,asbestos cement,1972,200,Last Road"
assets = {
    "malformed-csv": [b'P2,"pvc,1990,200,High Street'],
    "invalid-utf8": [b"P2,pvc,1990,200,Stra\xdfe"],
    "nul-bytes": [b"P2,pvc,19\x0090,200,High Street"],
    "huge-numbers": [b"P2,pvc,1990,1e999,High Street", b"P4,pvc,99999999999999999999,150,"],
    "nan-inf": [b"P2,pvc,1990,NaN,High Street", b"P4,pvc,1990,inf,"],
    "y2038": [b"P2,pvc,2040,200,", b"P4,pvc,10000,150,"],
}
for name, bad in assets.items():
    put("assets/%s.csv" % name, lines(AH, A1, *bad, A9))
put("assets/crlf.csv", lines(AH, A1, A9, eol=b"\r\n"))
put("assets/bom.csv", b"\xef\xbb\xbf" + lines(AH, A1, A9))

# ---- EPANET networks (aw-network summary CASE): [VALVES], near the end, must be read ----
with open("../data/net/tiny.inp", "rb") as f:
    inp = f.read()
def sub(old, new):
    assert old in inp, old
    return inp.replace(old, new)
put("inp/crlf.inp", inp.replace(b"\n", b"\r\n"))
put("inp/bom.inp", b"\xef\xbb\xbf" + inp)
# Latin-1 in the title and a comment: read, and written out as U+FFFD
put("inp/invalid-utf8.inp", sub(b"Tiny network", b"R\xe9seau tiny").replace(b"boundary valve", b"vanne \xe9t\xe9"))
put("inp/nul-bytes.inp", sub(b" J3\t11\t0.5", b" J3\t1\x001\t0.5"))
put("inp/huge-numbers.inp", sub(b" P3\tJ2\tJ3\t150\t200\t130", b" P3\tJ2\tJ3\t1e999\t200\t130"))
put("inp/nan-inf.inp", sub(b" P3\tJ2\tJ3\t150\t200\t130", b" P3\tJ2\tJ3\tnan\t200\t130"))
put("inp/malformed.inp", sub(b" P2\tJ1\tJ2\t200\t200\t130", b" P2\tJ1\n[PIPES\n P2\tJ1\tJ2\t200\t200\t130"))
