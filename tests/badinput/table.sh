#!/bin/sh
# The bad-input matrix as a Markdown table: one row per input case, one column per tool
# (run.sh does the runs; the tools must be on PATH, e.g. via make check's PATH or
# PATH=build/bin:$PATH sh tests/badinput/table.sh).
sh "$(dirname "$0")/run.sh" | awk -F '\t' '
{
	row = $1 "/" $2
	if (!(row in seen)) { seen[row] = 1; rows[++nr] = row }
	if (!($3 in col)) { col[$3] = 1; cols[++nc] = $3 }
	cell[row, $3] = $4 == "pass" ? ($5 == "error" ? "pass (1)" : "pass (0)") : "**FAIL** " $6
	runs++
	if ($4 != "pass") fails++
}
END {
	line = "| input | "
	sep = "|---|"
	for (c = 1; c <= nc; c++) { line = line cols[c] " | "; sep = sep "---|" }
	print line
	print sep
	for (r = 1; r <= nr; r++) {
		line = "| " rows[r] " | "
		for (c = 1; c <= nc; c++)
			line = line (((rows[r], cols[c]) in cell) ? cell[rows[r], cols[c]] : "") " | "
		print line
	}
	printf "\n%d runs, %d failed. pass (1): exit 1 with a FILE:LINE message naming the case; pass (0): accepted, exit 0. Every pass also means: no signal, no sanitizer report, no hang, only whole lines of valid UTF-8 JSON on stdout, and the good input after the bad one still processed.\n", runs, fails + 0
}'
