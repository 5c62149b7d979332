#!/bin/sh
# Runs every bad-input case of tests/badinput/ through every tool that reads that kind of
# input and prints one tab-separated line per run:
#	GROUP CASE TOOL pass|fail EXPECT WHAT-FAILED
# EXPECT is "error" (exit 1 and a FILE:LINE message naming the case file) or "ok" (exit 0).
# Every run must also: finish within AW_BADINPUT_TIMEOUT seconds, end without a signal or
# a sanitizer report, write only whole lines of valid UTF-8 JSON on stdout (text outputs
# aside), and still process the good input after the bad (the AFTER pattern: the last
# records of the case, or, after a truncated gzip file, the next file).
# tests/95-badinput.t turns the lines into TAP, tests/badinput/table.sh into a table.
# The tools must be on PATH. AW_BADINPUT_BIG=0 leaves out the 64 MiB lines.
B=$(cd "$(dirname "$0")" && pwd)
D=$(cd "$B/../data" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/aw-badinput.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
cd "$W" || exit 1
export LC_ALL=C TZ=UTC AW_NOW=1551700800
unset AW_CONFIG
timeout=${AW_BADINPUT_TIMEOUT:-60}

# fixtures: the alert test configuration (routing, approvers), models, a state with WO-000001
cp "$D/alert/aquawatch.yaml" . &&
aw-anomaly train -q -o a.iforest "$D/anomaly/train.jsonl" &&
aw-prob train -q -o p.model --rounds 2 --leaks "$D/prob/leaks.csv" "$D/prob/train.ndjson.gz" &&
aw-residual train -q -o r.model "$D/residual/train.ndjson.gz" &&
aw-alert -q -S base "$D/alert/e1.jsonl" > /dev/null &&
aw-workorder -q -S base propose --open > /dev/null || {
	echo "badinput: cannot set up the fixtures" >&2
	exit 2
}
sed -n '/"id":"sentinel"/,$p' "$B/records/bom.jsonl" > after.jsonl
printf 'timestamp,n1,n2,f1\n2019-01-16 00:00:00,3.05,30.9,12.4\n' > after.csv
echo '{"type":"event","id":"det","dma":"DMA_A","start":"2019-03-03T10:00:00Z","end":"2019-03-03T11:00:00Z","peak_p":0.9,"sensors":["n1"],"source":"prob"}' > det.jsonl

if [ "${AW_BADINPUT_BIG:-1}" != 0 ]; then
	# one line of 64 MiB + 1 byte between good ones (the limit of the line reader)
	mkdir -p big/records big/csv big/leaks
	pad() { head -c 67108865 /dev/zero | tr '\0' "$1"; }
	{ sed -n 1p "$B/records/bom.jsonl" | tail -c +4; printf '{"type":"note","pad":"'; pad x; echo '"}'
	  cat after.jsonl; } > big/records/overlong.jsonl
	# a 64 MiB CSV field: libcsv grows it in small steps, which the sanitizers make take
	# minutes, so the sanitizer build leaves these two to the plain build
	case ${AW_BUILD:-} in
	*-san) ;;
	*)
	{ sed -n 1,2p "$B/csv/crlf.csv" | tr -d '\r'; printf '2019-01-15 00:05:00,3.0'; pad 1; echo ',30.6,12.1'
	  sed -n 3p "$B/csv/crlf.csv" | tr -d '\r'; } > big/csv/overlong.csv
	{ sed -n 1,2p "$B/leaks/crlf.csv" | tr -d '\r'; printf 'B,p'; pad 2; echo ',2019-03-01 00:00:00,,1'
	  sed -n 3p "$B/leaks/crlf.csv" | tr -d '\r'; } > big/leaks/overlong.csv
	;;
	esac
fi

# expect GROUP CASE TOOL: error or ok
expect() {
	case $2 in
	crlf | bom) echo ok; return ;;
	esac
	case $1:$2:$3 in
	records:wrong-units:event | records:wrong-units:alert | records:wrong-units:features) echo error ;;
	records:wrong-units:localize | records:wrong-units:validate | records:wrong-units:residual) echo error ;;
	records:wrong-units:*) echo ok ;;
	records:unknown-sensors:anomaly) echo error ;;
	records:unknown-sensors:*) echo ok ;;
	records:timestamps:event | records:timestamps:alert | records:timestamps:features) echo error ;;
	records:timestamps:report | records:timestamps:localize | records:timestamps:validate) echo error ;;
	records:timestamps:residual) echo error ;;
	records:timestamps:*) echo ok ;;
	records:dst:event | records:dst:report) echo error ;;
	records:y2038:event | records:y2038:features | records:y2038:report) echo error ;;
	records:y2038:localize | records:y2038:validate | records:y2038:residual) echo error ;;
	records:dst:* | records:y2038:*) echo ok ;;
	# CSV text is not always UTF-8 (Latin-1 exports): read, written out as U+FFFD
	*:invalid-utf8:* ) [ "$1" = records ] || [ "$1" = csv ] && echo error || echo ok ;;
	*) echo error ;;
	esac
}

# run GROUP CASE TOOL FILE AFTER CMD...: one result line
run() {
	group=$1 case=$2 tool=$3 file=$4 after=$5
	shift 5
	want=$(expect "$group" "$case" "$tool")
	timeout "$timeout" "$@" > out 2> err
	rc=$?
	bad=""
	[ $rc -eq 124 ] && bad="$bad hang"
	[ $rc -gt 128 ] && [ $rc -ne 124 ] && bad="$bad signal-$((rc - 128))"
	grep -q -e 'Sanitizer' -e 'runtime error:' err && bad="$bad sanitizer"
	if [ "$want" = error ]; then
		[ $rc -eq 1 ] || bad="$bad exit-$rc"
		grep -q "^aw-[a-z]*: .*${file##*/}:[1-9][0-9]*: " err || bad="$bad no-file:line"
	else
		[ $rc -eq 0 ] || bad="$bad exit-$rc"
	fi
	if [ -s out ]; then
		[ "$(tail -c 1 out | od -An -c | tr -d ' ')" = '\n' ] || bad="$bad half-line"
		iconv -f UTF-8 -t UTF-8 out > /dev/null 2>&1 || bad="$bad not-utf8"
		jq -s -e 'all(.[]; type == "object")' out > /dev/null 2>&1 || bad="$bad not-json"
	fi
	[ "$after" = - ] || grep -q -- "$after" out || bad="$bad input-after-lost"
	if [ -z "$bad" ]; then r=pass; else r=fail; fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$group" "$case" "$tool" "$r" "$want" "${bad# }"
	if [ -n "$AW_BADINPUT_VERBOSE" ] && [ -n "$bad" ]; then
		sed 's/^/#   /' err | head -20
	fi
}

cases() {	# cases DIR: the case files of a group, the generated ones last
	for f in "$B/$1"/* big/"$1"/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in sensors.csv) continue ;; esac
		echo "$f"
	done
}

name() {
	n=${1##*/}
	echo "${n%%.*}"
}

for f in $(cases records); do
	c=$(name "$f") next=""
	case $c in truncated-gzip) next=after.jsonl ;; esac
	s='"id":"sentinel"'
	run records "$c" select "$f" "$s" aw-select "$f" $next
	run records "$c" event "$f" "$s" aw-event --pass "$f" $next
	run records "$c" anomaly "$f" "$s" aw-anomaly -m a.iforest "$f" $next
	run records "$c" prob "$f" "$s" aw-prob -m p.model "$f" $next
	rm -rf st && run records "$c" alert "$f" '"event":"sentinel"' aw-alert -S st "$f" $next
	rm -rf st && run records "$c" propose "$f" "$s" aw-workorder -S st propose "$f" $next
	rm -rf st && cp -R base st && run records "$c" import "$f" '"status":"approved"' \
	    aw-workorder -S st import "$f" $next
	run records "$c" score "$f" "$s" aw-score --json -v --truth "$D/score/truth.csv" "$f" $next
	run records "$c" features "$f" "$s" aw-features "$f" $next
	run records "$c" rules "$f" "$s" aw-rules --pass "$f" $next
	run records "$c" report "$f" - aw-report -f json "$f" $next
	run records "$c" localize "$f" "$s" aw-localize -c "$D/loc/aquawatch.yaml" --pass "$f" $next
	run records "$c" validate "$f" "$s" aw-validate -c "$D/loc/aquawatch.yaml" --pass "$f" $next
	run records "$c" quality "$f" "$s" aw-quality --pass "$f" $next
	run records "$c" residual "$f" "$s" aw-residual -m r.model "$f" $next
	run records "$c" ami "$f" "$s" aw-ami "$f" $next
done

for f in $(cases csv); do
	c=$(name "$f") next="" tz=--utc
	case $c in truncated-gzip) next=after.csv ;; dst) tz="--tz Europe/Rome" ;; esac
	after='"value":12.4'
	run csv "$c" ingest "$f" "$after" aw-ingest $tz -s "$B/csv/sensors.csv" "$f" $next
done

for f in $(cases sensors); do
	run sensors "$(name "$f")" ingest-s "$f" '"sensor":"f1".*"value":12.4' \
	    aw-ingest --utc -s "$f" "$B/csv/crlf.csv"
done

for f in $(cases leaks); do
	c=$(name "$f") after='"tp":1'
	[ "$c" = truncated-gzip ] && after='"leaks":[1-9]'
	run leaks "$c" score-truth "$f" "$after" aw-score --json --truth "$f" det.jsonl
	run leaks "$c" prob-train "$f" - aw-prob train -q -o m.model --rounds 2 --leaks "$f" \
	    "$D/prob/train.ndjson.gz"
done

for f in $(cases assets); do
	run assets "$(name "$f")" network-a "$f" '"material":"asbestos_cement"' \
	    aw-network --seq -a "$f" geojson "$D/net/tiny.inp"
done

for f in $(cases inp); do
	run inp "$(name "$f")" network "$f" '"valves":2' aw-network summary "$f"
done
