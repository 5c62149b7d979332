#!/bin/sh
# Configuration errors name the file and line and stop the tool with exit 1.
. "$(dirname "$0")/lib.sh"
golden config-bad aw-ingest -c data/config/bad.yaml data/ingest/amr.csv
golden config-badtz aw-ingest -c data/config/badtz.yaml data/ingest/amr.csv
golden config-syntax aw-ingest -c data/config/syntax.yaml data/ingest/amr.csv
golden config-missing aw-ingest -c data/config/nonexistent.yaml data/ingest/amr.csv
golden config-env sh -c 'AW_CONFIG=data/config/badtz.yaml aw-ingest data/ingest/amr.csv'
golden config-good-local aw-ingest -c data/config/good.yaml -s data/ingest/sensors.csv data/ingest/crlf.csv
done_testing
