#!/bin/sh
# aw-network on the hand-made networks of tests/data/net (see tests/unit/t-graph.c for
# the distances worked out by hand): every command, as records and as tables.
# Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
NET=data/net/tiny.inp
golden network-summary aw-network summary $NET
golden network-summary-table aw-network -t summary $NET
golden network-summary-us aw-network summary data/net/us.inp
golden network-distance aw-network distance $NET P2 P8 P3 J1 node:J3 link:V1
golden network-distance-lengths aw-network --valve-length 10 --pump-length 100 distance $NET J1 J8 J9
golden network-neighbours-node aw-network -t neighbours $NET J3
golden network-neighbours-sensor aw-network -k 1 neighbours $NET J1
golden network-neighbours-kind aw-network --kind flow neighbours $NET J1
golden network-dmas aw-network dmas $NET
golden network-dmas-table aw-network -t dmas $NET
golden network-dmas-inlets aw-network -t -i P1=A -i P12=A -i PU1=C dmas $NET
golden network-sensors aw-network sensors $NET
golden network-sensors-amr aw-network -t --amr -k 2 sensors $NET
golden network-geojson aw-network geojson $NET
golden network-geojson-seq aw-network --seq -a data/net/tiny-assets.csv geojson $NET
golden network-config aw-network -c data/net/aquawatch.yaml -t dmas
golden network-config-sensors aw-network -c data/net/aquawatch.yaml -t sensors
golden network-config-neighbours aw-network -c data/net/aquawatch.yaml neighbours PT-J9
aw-network geojson $NET | jq -e '.features | length == 35' > /dev/null
ok $? "geojson is one valid FeatureCollection"
aw-network --seq geojson $NET | jq -s -e 'length == 35 and all(.type == "Feature")' > /dev/null
ok $? "geojson --seq is one valid feature per line"
done_testing
