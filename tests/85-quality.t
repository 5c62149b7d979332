#!/bin/sh
# aw-quality: features of quality readings, rule and anomaly events with their validation,
# limits, usage and data errors. Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
golden quality-features-gecco sh -c 'aw-ingest --tz Europe/Berlin data/gecco-quality.csv |
	aw-quality features --step 1m --window 10m --change-steps 2 --dma station |
	aw-select -t features -w sensor=Cl_2 | sed -n "1,24p;\$p"'
golden quality-features-pass sh -c 'aw-ingest --tz Europe/Berlin data/gecco-quality.csv |
	aw-quality features --step 1m | aw-select --count -t reading'
golden quality-detect-net3 sh -c 'aw-ingest --utc -s data/quality/net3-sensors.csv data/quality/net3-chlorine.csv |
	aw-quality --dma net3'
golden quality-detect-features sh -c 'aw-ingest --utc -s data/quality/net3-sensors.csv data/quality/net3-chlorine.csv |
	aw-quality features --dma net3 | aw-quality detect --no-limits --z 5 --min-steps 3'
golden quality-detect-anomaly aw-quality detect --z 0 --no-limits --pass data/quality/anomaly.ndjson
golden quality-detect-anomaly-rules aw-quality detect --z 7 --no-daily --no-limits data/quality/anomaly.ndjson
golden quality-validate-skips sh -c 'aw-quality --z 0 --no-limits data/quality/anomaly.ndjson |
	aw-validate -c data/net/aquawatch.yaml --pass | aw-select --count -t validation'
golden quality-late aw-quality detect --dma d data/quality/late.ndjson
golden quality-usage-detect-option aw-quality features --z 5 data/quality/late.ndjson
golden quality-usage-kinds aw-quality --kinds chlorine,flow data/quality/late.ndjson
golden quality-usage-step aw-quality features --step 7m data/quality/late.ndjson
done_testing
