#!/usr/bin/env bash
# `make demo`: generate the seeded phantom cohort (24 clean cases and every planted defect over
# two institutions) and inspect a clean case and a damaged one. Becomes `dosecurate demo` once
# audit and freeze exist.
set -euo pipefail
workspace="$1"
dosecurate="$2"
cohort="$workspace/cohort"

rm -rf "$workspace"
mkdir -p "$workspace"
echo "== dosecurate phantoms $cohort --cases 24 --size small --defects all --seed 7 --institutions A,B"
"$dosecurate" phantoms "$cohort" --cases 24 --size small --defects all --seed 7 --institutions A,B

echo
echo "== dosecurate inspect $cohort/A/case_0002.npz (a clean v2.4 three-level SIB plan)"
"$dosecurate" inspect "$cohort/A/case_0002.npz"

echo
# truth.json names each file's planted defects; take the file that carries truncated_file.
damaged=$(awk '/\.npz" : \{/ { file = $1 } /"truncated_file"/ { gsub(/"/, "", file); print file; exit }' "$cohort/truth.json")
echo "== dosecurate inspect $cohort/$damaged (planted: truncated_file): reported, exit code 1"
status=0
"$dosecurate" inspect "$cohort/$damaged" || status=$?
echo "exit code: $status (1 = done, and the data has problems)"
[ "$status" -eq 1 ]
