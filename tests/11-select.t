#!/bin/sh
# aw-select: type and field filters, inversion, counting, malformed lines.
. "$(dirname "$0")/lib.sh"
golden select-type aw-select -t alert data/select.ndjson
golden select-where aw-select -t reading -w sensor=n1 data/select.ndjson
golden select-number aw-select -w value=2.5 data/select.ndjson
golden select-invert-count aw-select -v -t reading --count data/select.ndjson
golden select-bool aw-select -w open=true data/select.ndjson
golden select-bad-where aw-select -w novalue data/select.ndjson
golden select-window aw-select --since 2018-01-01T00:05Z --until "2018-01-01 00:10" data/select.ndjson
golden select-bad-time aw-select --since yesterday data/select.ndjson
golden select-time-field aw-select --time-field end --since 2019-02-12T04:00Z data/select-events.ndjson
done_testing
