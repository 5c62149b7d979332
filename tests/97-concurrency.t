#!/bin/sh
# Concurrency: runs of aw-alert and aw-workorder started together on one state directory.
# With --wait they take turns (every one exits 0); with --wait 0 the one that finds the
# lock taken exits 1 saying so. After all the races the audit chain verifies (no
# interleaved or torn lines: seq, prev hashes, commit parts), no event is in two open
# alerts and no alert has two work orders. AW_RACES=N changes the number of rounds.
. "$(dirname "$0")/lib.sh"
D=$T/data
export AW_NOW=1551700800
cp "$D/alert/aquawatch.yaml" "$TMP/" && cd "$TMP" || exit 1
races=${AW_RACES:-60}

# every round brings new events: run A and run B see the same three DMAs at the same
# times under different event ids, so whichever commits second must merge into the alert
# of the first, not open a second one
events() {	# events ROUND LETTER
	k=0
	while [ $k -lt 3 ]; do
		m=$(($1 * 20 + k))
		printf '{"type":"event","id":"R%d%s%d","dma":"DMA_%02d","start":"2019-03-04T%02d:%02d:00Z","end":"2019-03-04T%02d:%02d:00Z","peak_p":0.9,"sensors":["n%d"],"source":"prob"}\n' \
		    "$1" "$2" $k $((($1 * 3 + k) % 24)) $((m / 60)) $((m % 60)) $((m / 60)) $((m % 60 + 1)) $k
		k=$((k + 1))
	done
}

fails=0
locked=0
r=0
while [ $r -lt $races ]; do
	r=$((r + 1))
	events $r a > a.jsonl
	events $r b > b.jsonl
	aw-alert -q -S st -w 20 a.jsonl > out.a 2> err.a &
	pa=$!
	aw-alert -q -S st -w 20 b.jsonl > out.b 2> err.b &
	pb=$!
	aw-workorder -q -S st -w 20 propose --open > out.c 2> err.c &
	pc=$!
	aw-workorder -q -S st -w 0 propose --open > out.d 2> err.d
	rd=$?
	wait $pa; ra=$?
	wait $pb; rb=$?
	wait $pc; rc=$?
	if [ $ra -ne 0 ] || [ $rb -ne 0 ] || [ $rc -ne 0 ]; then
		fails=$((fails + 1))
		[ $fails -le 3 ] && cat err.a err.b err.c | sed 's/^/#   /'
	fi
	# --wait 0: either it got the lock, or it said so and wrote nothing
	if [ $rd -ne 0 ]; then
		if grep -q 'locked by another run' err.d && [ ! -s out.d ]; then
			locked=$((locked + 1))
		else
			fails=$((fails + 1))
			sed 's/^/#   /' err.d
		fi
	fi
done
[ $fails -eq 0 ]
ok $? "$races rounds of 4 runs started together: the waiting ones all finished, $locked no-wait runs refused cleanly"

aw-workorder -S st audit verify > verify 2> err
ok $? "audit chain verifies after the races: $(cat verify)"
aw-workorder -S st alerts > alerts
dups=$(jq -r 'select(.status == "open") | .events[]' alerts | sort | uniq -d)
[ -z "$dups" ]
ok $? "no event in two open alerts${dups:+: $dups}"
split=$(jq -r '.id as $a | .events[] | "\(.) \($a)"' alerts |
    awk '{ at[$1] = $2 } END { for (e in at) if (e ~ /a/) { b = e; sub(/a/, "b", b); if (at[b] != at[e]) n++ } print n + 0 }')
[ "$split" -eq 0 ]
ok $? "the same detection from two concurrent runs is one alert ($split split)"
wo_dups=$(aw-workorder -S st list --json | jq -r .alert | sort | uniq -d)
[ -z "$wo_dups" ]
ok $? "no alert with two work orders${wo_dups:+: $wo_dups}"
# every line of the log is whole and in sequence
jq -r .seq st/audit.log | awk '$1 != NR { bad = 1 } END { exit bad }'
ok $? "audit.log seq 1..$(wc -l < st/audit.log) without gaps or repeats"
done_testing
