#!/bin/sh
# aw-event: persistence, hysteresis, gap tolerance, start at the change point, open events.
. "$(dirname "$0")/lib.sh"
golden event-default aw-event data/prob.ndjson
golden event-strict aw-event --on 0.7 --min-steps 1 --max-gap 0 data/prob.ndjson
golden event-source-pass sh -c 'head -5 data/prob.ndjson | aw-event --pass --source quality --min-steps 1'
golden event-bad-thresholds aw-event --on 0.3 --off 0.5 data/prob.ndjson
done_testing
