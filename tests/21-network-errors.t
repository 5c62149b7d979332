#!/bin/sh
# aw-network: malformed models (file:line, exit 1 after doing what it can), missing
# files, unknown elements and usage errors (exit 2).
# Refresh the golden files: AW_REFRESH=1 make check
. "$(dirname "$0")/lib.sh"
NET=data/net/tiny.inp
golden network-bad-inp aw-network -t summary data/net/bad.inp
golden network-missing aw-network summary data/net/no-such.inp
golden network-unknown-element aw-network distance $NET P2 nosuch P3
golden network-unknown-sensor aw-network neighbours $NET nosuch
golden network-no-command aw-network
golden network-unknown-command aw-network frobnicate $NET
golden network-no-network aw-network dmas
golden network-extra-operand aw-network summary $NET extra
golden network-bad-k aw-network -k many sensors $NET
golden network-assets-errors aw-network -a data/net/tiny-assets.csv summary $NET
aw-network summary $NET > /dev/full 2> "$TMP/err"
[ $? -eq 1 ] && [ -s "$TMP/err" ]
ok $? "a failed write to stdout is an error"
done_testing
