#!/bin/sh
# aw-ami: a customer-side leak (simulated L-Town accounts), stopped and reversed meters
# (hand-made), DMAs from the accounts table or the network, day features, DMA volumes,
# usage and data errors. Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
golden ami-ltown sh -c 'aw-ingest --utc data/ami/amr.csv | aw-ami -a data/ami/accounts.csv --write events,volumes'
golden ami-ltown-features sh -c 'aw-ingest --utc data/ami/amr.csv | aw-ami --write features | aw-select -w sensor=AC00111'
golden ami-ltown-24h sh -c 'aw-ingest --utc data/ami/amr.csv | aw-ami --continuous 24h --write events'
golden ami-meters sh -c 'aw-ingest --utc data/ami/meters.csv | aw-ami -a data/ami/meters-accounts.csv --write events'
golden ami-meters-network sh -c 'aw-ingest --utc data/ami/meters.csv |
	aw-ami -c data/net/aquawatch.yaml -a data/ami/tiny-accounts.csv --write events,volumes'
# the events become customer-service alerts (routing on type ami) with meter actions
cat > "$TMP/alert.yaml" <<'YAML'
routing:
  - type: ami
    team: customer-service
  - team: field-crew
YAML
golden ami-alert sh -c "aw-ingest --utc data/ami/meters.csv | aw-ami -a data/ami/meters-accounts.csv --write events |
	AW_NOW=1705320000 aw-alert -c '$TMP/alert.yaml' -S '$TMP/st' | jq -c '{id, what, severity, recommended_actions, route}'"
golden ami-pass sh -c 'aw-ingest --utc -s data/quality/net3-sensors.csv data/quality/net3-chlorine.csv | aw-ami | aw-select --count'
golden ami-bad-node aw-ami -N data/net/tiny.inp -a data/ami/bad-node-accounts.csv --write volumes /dev/null
golden ami-no-account-column aw-ami -a data/ami/no-account-column.csv /dev/null
golden ami-usage-continuous aw-ami --continuous 90m /dev/null
golden ami-usage-write aw-ami --write events,alerts /dev/null
golden ami-usage-network aw-ami -N data/net/tiny.inp /dev/null
done_testing
