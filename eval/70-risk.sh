# aw-risk: trained on three years of a synthetic break history on L-Town, tested on the
# fourth, beside the age/material prior alone. The hazard model that made the history is
# documented in eval/risk_synth.py (Weibull age term, material, diameter, static pressure,
# night-day swing, frost, pressure transients, frailty, repairs).
here=$(cd "$(dirname "$0")" && pwd)
T=$AW_EVAL_TMP/risk
INP=$DATA/battledim/L-TOWN.inp
WEATHER=$DATA/bwdf-dma-inflows/WeatherData.csv
SEED=${AW_RISK_SEED:-14}
if [ ! -f "$INP" ] || [ ! -f "$WEATHER" ]; then
	echo "risk: $INP or $WEATHER not found, skipping"
	exit 0
fi
mkdir -p "$T"
cp "$INP" "$T/L-TOWN.inp"
printf 'timezone: UTC\nnetwork: L-TOWN.inp\nassets: assets.csv\n' > "$T/aquawatch.yaml"
/usr/bin/python3 "$here/risk_synth.py" assets "$INP" "$T/assets.csv" "$SEED" || exit 1
(cd "$T" && aw-risk -q score --at 2016-01-01 > static.ndjson </dev/null) || exit 1
/usr/bin/python3 "$here/risk_synth.py" history "$INP" "$T/assets.csv" "$T/static.ndjson" \
	"$WEATHER" "$T" "$SEED" || exit 1
awk -F, 'NR == 1 || $2 < "2019-01-01"' "$T/breaks.csv" > "$T/breaks-train.csv"
cd "$T" || exit 1
echo "train: 2016-2018 (breaks, weather, hourly pressure at 33 sensors); test: 2019, 14-day windows"
aw-risk train -o risk.model --breaks breaks-train.csv --weather weather.csv \
	--from 2016-01-01 --to 2019-01-01 --history-from 2016-01-01 readings.ndjson.gz || exit 1
# the same without any weather (the one above takes the horizon's temperatures as known,
# like a perfect forecast)
aw-risk -q train -o risk-noweather.model --breaks breaks-train.csv \
	--from 2016-01-01 --to 2019-01-01 --history-from 2016-01-01 readings.ndjson.gz || exit 1
# the test: every 14 days of 2019, features from what was known before each window
for m in model noweather prior; do
	opt="--weather weather.csv"
	[ $m = model ] && opt="$opt -m risk.model"
	[ $m = noweather ] && opt="-m risk-noweather.model"
	aw-risk -q score $opt --breaks breaks.csv --history-from 2016-01-01 \
		--from 2019-01-01 --to 2019-12-18 readings.ndjson.gz > "test-$m.ndjson" || exit 1
done
# the prior times the pipe's length: the obvious exposure correction, for comparison
jq -c '.p_break *= .length_m' test-prior.ndjson > test-prior-length.ndjson
/usr/bin/python3 "$here/risk_eval.py" breaks.csv 14 "boosted trees (aw-risk)=test-model.ndjson" \
	"  the same, no weather=test-noweather.ndjson" "age/material prior=test-prior.ndjson" \
	"  prior x length=test-prior-length.ndjson"
