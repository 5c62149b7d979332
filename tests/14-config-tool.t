#!/bin/sh
# aw-config: check, get (files resolved against the configuration), sensors, dmas.
. "$(dirname "$0")/lib.sh"
C=data/config/good.yaml
golden config-check aw-config -c $C check
golden config-get-file aw-config -c $C get network
golden config-get-num aw-config -c $C get thresholds.rules.pressure_drop
golden config-get-map aw-config -c $C get dmas
golden config-get-unset aw-config -c $C get thresholds.anomaly
golden config-sensors aw-config -c $C sensors
golden config-dmas aw-config -c $C dmas
golden config-check-bad aw-config -c data/config/bad.yaml check
golden config-no-command aw-config -c $C
done_testing
