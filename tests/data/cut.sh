#!/bin/sh
# cut.sh — re-cut the test fixtures of tests/data from the full data sets in ../shared/data
# (not part of `make check`, which only reads the committed fixtures). Each command is
# also quoted in README.md. Hand-made fixtures (bad-values.csv, unknown-sensor.csv,
# empty.csv) are written here too, so the script recreates the whole directory.
#
#   sh tests/data/cut.sh [SHARED_DATA_DIR]     (default: ../shared/data from the repository root)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
d=${1:-$here/../../../shared/data}
[ -d "$d/ltown-sim-train" ] || { echo "cut.sh: no data sets in $d" >&2; exit 2; }
d=$(cd "$d" && pwd)
cd "$here"
lt=$d/ltown-sim-train

# L-Town simulation (SYNTHETIC): one day of the wide export, 2018-01-15 (historian outage
# 03:20-04:50, spikes, dropouts), its sensor table and the injected faults of that day
zcat "$lt/scada.csv.gz" | sed -n '1p;/^2018-01-15 /p' | gzip -n -9 > ltown-day.csv.gz
cat "$lt/sensors.csv" > ltown-sensors.csv
awk -F, 'NR == 1 || ($2 <= "2018-01-15 23:59:59" && $3 >= "2018-01-15")' "$lt/faults.csv" > ltown-day-faults.csv
# the same samples in long format, 02:00-05:55 of that day
zcat "$lt/scada_long.csv.gz" |
	awk -F, 'NR == 1 || ($1 >= "2018-01-15 02:00:00" && $1 < "2018-01-15 06:00:00")' |
	gzip -n -9 > ltown-long.csv.gz
# AMR: two accounts over two days; AC00111's customer leak (CLK02, 6.46 L/h) starts
# 2018-03-01 11:25
zcat "$lt/amr.csv.gz" |
	awk -F, 'NR == 1 || (($2 == "AC00110" || $2 == "AC00111") && $1 >= "2018-03-01" && $1 < "2018-03-03")' > amr.csv
awk -F, 'NR == 1 || $1 == "AC00110" || $1 == "AC00111"' "$lt/accounts.csv" > amr-accounts.csv

# a truncated gzip stream: the first 2000 bytes of ltown-day.csv.gz
head -c 2000 ltown-day.csv.gz > truncated.csv.gz
: > empty.csv

# CRLF, ';' and decimal comma, quoted header and time stamps: 19:00-19:55 of the day
# above (n1 has empty cells 19:30-19:40), columns timestamp n1 n4 n54 p227 T1
zcat ltown-day.csv.gz |
	awk -F, 'NR == 1 || /^2018-01-15 19:/ {
		line = "\"" $1 "\""
		n = split("2 3 5 36 38", c, " ")
		for (i = 1; i <= n; i++) {
			v = $c[i]
			if (NR == 1) v = "\"" v "\""; else sub(/\./, ",", v)
			line = line ";" v
		}
		printf "%s\r\n", line
	}' > wide-crlf-comma.csv

# BattLeDIM 2019 flows (official layout: ';', decimal comma, CRLF, m3/h): header + 2 h
head -n 25 "$d/battledim/2019_SCADA_Flows.csv" > battledim-flows.csv

# GECCO 2018 water quality (REAL, R-style quoted row numbers, NA): an event (EVENT TRUE
# 18:54-19:11), the start and end of an all-NA block, a single Cl NA (row "38659")
zcat "$d/gecco2018-water-quality/1_gecco2018_water_quality.csv.gz" |
	sed -n '1p;16262,16288p;37150,37157p;38133,38140p;38658,38662p' > gecco-quality.csv

# BWDF DMA inflows (REAL, local time Europe/Rome, DD/MM/YYYY): the spring-forward day
# 27/03/2022 (02:00 absent, 23 rows) and the fall-back day 30/10/2022 (02:00 twice, 25 rows)
grep -E '^("Date|27/03/2022 |30/10/2022 )' "$d/bwdf-dma-inflows/InflowData.csv" > bwdf-inflow-dst.csv

# DAIAD smart meters (REAL, ';', local time Europe/Madrid, irregular ~hourly): two meters
# on 27/03/2016, the spring-forward day (01:29 -> 03:29)
zcat "$d/daiad-smart-water-meters/swm_trialA.csv.gz" |
	awk -F';' 'NR == 1 || (($1 == "d986766e-b6bb-4106-8143-e8c64d763817" ||
	    $1 == "df789230-d273-4fd0-aa24-6f5419469295") && $2 ~ /^27\/03\/2016 /)' > daiad-swm.csv

# hand-made: bad values, duplicate and out-of-order time stamps (sensors of ltown-sensors.csv:
# n1 psi, n31 bar, p227 L/s); see README.md for what each row tests
cat > bad-values.csv <<'EOF'
timestamp,n1,n31,p227
2018-01-15 00:00:00,40.10,3.529,23.82
2018-01-15 00:05:00,NaN,3.533,22.99
2018-01-15 00:15:00,39.80,nan,1e308
2018-01-15 00:10:00,39.75,3.537,22.39
2018-01-15 00:20:00,1e999,inf,-Infinity
2018-01-15 00:20:00,1e999,inf,-Infinity
2018-01-15 00:15:00,39.81,3.540,22.50
2018-01-15 00:25:00,-1e309,NA,99999999999999999999
2018-01-15 00:30:00,39.69,3.539,0x1p4
EOF
# hand-made: a column that is not in ltown-sensors.csv
cat > unknown-sensor.csv <<'EOF'
timestamp,n1,X99,p227
2018-01-15 00:00:00,40.10,1.000,23.82
2018-01-15 00:05:00,39.74,1.001,22.99
EOF

# water quality and customer meters (aw-quality, aw-ami)
mkdir -p quality ami
awk -F, 'NR==1 {for (i=1;i<=NF;i++) if ($i ~ /^(timestamp|CL0[1-4])$/) c[++n]=i}
	NR==1 || ($1 >= "2024-03-06" && $1 < "2024-03-09 12:00") {s=$c[1]; for (j=2;j<=n;j++) s=s "," $c[j]; print s}' \
	"$d/net3-quality-sim/scada.csv" > quality/net3-chlorine.csv
awk -F, 'NR==1 || $1 ~ /^CL0/' "$d/net3-quality-sim/sensors.csv" > quality/net3-sensors.csv
zcat "$d/ltown-sim-train/amr.csv.gz" | awk -F, 'NR == 1 || (($2 == "AC00110" || $2 == "AC00111" || $2 == "AC00229") &&
	$1 >= "2018-02-22" && $1 < "2018-03-06")' > ami/amr.csv
awk -F, 'NR == 1 || $1 == "AC00110" || $1 == "AC00111" || $1 == "AC00229"' "$d/ltown-sim-train/accounts.csv" > ami/accounts.csv
# hand-made meters: M01 stops after three days, M02 runs 30 L back once, M03 never stops
awk 'BEGIN { print "timestamp,account,index_m3"
	for (a = 1; a <= 3; a++) { v = 100 * a
		for (h = 0; h < 12 * 24; h++) {
			d = int(h / 24); hd = h % 24
			printf "2024-01-%02d %02d:00:00,M%02d,%.3f\n", d + 1, hd, a, v
			if (a == 1 && d < 3 && (hd == 7 || hd == 19)) v += 0.012
			if (a == 2 && (hd == 8 || hd == 20)) v += 0.015
			if (a == 2 && h == 100) v -= 0.030
			if (a == 3) v += 0.004
		} } }' > ami/meters.csv
ls -l
