#!/usr/bin/env bash
# `make demo`: generate the reference cohort (scripts/reference-cohort.args: 8 clean cases and every
# planted defect over two institutions), audit it as a folder and as a .tar.gz delivery, freeze it
# as a dataset version, lock a stratified split of it, let institution C arrive (freeze the grown
# data, extend the split), evaluate synthetic predictions of the locked test cases, verify the
# workspace, and inspect a clean case.
# Becomes `dosecurate demo` once the engine exists.
set -euo pipefail
workspace="$1"
dosecurate="$2"
cohort="$workspace/cohort"
read -r -a cohort_args < "$(dirname "$0")/reference-cohort.args"

rm -rf "$workspace"
mkdir -p "$workspace"
echo "== dosecurate phantoms $cohort ${cohort_args[*]} --predictions $workspace/predictions-all"
"$dosecurate" phantoms "$cohort" "${cohort_args[@]}" --predictions "$workspace/predictions-all"

echo
echo "== dosecurate audit $cohort --workspace $workspace --junit $workspace/audit.junit.xml"
status=0
"$dosecurate" audit "$cohort" --workspace "$workspace" --junit "$workspace/audit.junit.xml" || status=$?
echo "exit code: $status (1 = done, and the data has problems: the planted defects)"
[ "$status" -eq 1 ]

echo
tar -czf "$workspace/delivery.tar.gz" -C "$workspace" cohort
echo "== dosecurate audit $workspace/delivery.tar.gz --json (read in place, never extracted): summary"
status=0
"$dosecurate" audit "$workspace/delivery.tar.gz" --workspace "$workspace" --json > "$workspace/delivery-audit.json" || status=$?
python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["summary"], indent=1, sort_keys=True))' \
    "$workspace/delivery-audit.json" 2>/dev/null || grep -A 40 '"summary"' "$workspace/delivery-audit.json"
[ "$status" -eq 1 ]

echo
echo "== dosecurate freeze $cohort --workspace $workspace (audits through the cache, writes the version)"
"$dosecurate" freeze "$cohort" --workspace "$workspace"

version="$(cd "$workspace/datasets" && ls dsv-*@1.json | head -n 1)"
version="${version%@1.json}"
echo
echo "== dosecurate split lock main --dataset $version --ratios 70/15/15 --workspace $workspace"
"$dosecurate" split lock main --dataset "$version" --ratios 70/15/15 --workspace "$workspace"

echo
echo "== dosecurate split export main --format nnunet --output $workspace/splits_final.json (also: monai, csv)"
"$dosecurate" split export main --format nnunet --output "$workspace/splits_final.json" --workspace "$workspace"

echo
echo "== institution C arrives: dosecurate phantoms $workspace/cohortC --cases 8 --institutions C --first-case 100 --seed 11"
"$dosecurate" phantoms "$workspace/cohortC" --cases 8 --institutions C --first-case 100 --seed 11 --predictions "$workspace/predictions-all" --quiet
echo "== dosecurate freeze $cohort $workspace/cohortC --workspace $workspace --quiet"
grown="$("$dosecurate" freeze "$cohort" "$workspace/cohortC" --workspace "$workspace" --quiet)"
echo "$grown"
echo "== dosecurate split extend main --dataset ${grown%@*} --workspace $workspace"
"$dosecurate" split extend main --dataset "${grown%@*}" --workspace "$workspace"

echo
echo "== a model's predictions of the test cases: the synthetic ones phantoms wrote (--predictions), for the cases split main assigns to test"
predictions="$workspace/predictions"
mkdir -p "$predictions"
"$dosecurate" split export main --format csv --output "$workspace/split.csv" --workspace "$workspace"
for case_id in $(awk -F, '$2 == "test" { print $1 }' "$workspace/split.csv"); do
    cp "$workspace/predictions-all/${case_id}_pred.npz" "$predictions/"
done
echo "== dosecurate evaluate --dataset ${grown%@*} --split main --prediction $predictions --workspace $workspace"
"$dosecurate" evaluate --dataset "${grown%@*}" --split main --prediction "$predictions" --workspace "$workspace"

echo
echo "== dosecurate verify --workspace $workspace (records, the split's chain, every case)"
"$dosecurate" verify --workspace "$workspace"

echo
echo "== dosecurate inspect $cohort/A/case_0002.npz (a clean v2.4 three-level SIB plan)"
"$dosecurate" inspect "$cohort/A/case_0002.npz"
echo
echo "Records: $workspace/datasets/ (the frozen versions), $workspace/audits/ (their audits, JSON and JUnit),"
echo "         $workspace/splits/ (the locked split and its extension), $workspace/splits_final.json (nnU-Net),"
echo "         $workspace/evaluations/ (the test cases' evaluation), $workspace/audit.junit.xml and"
echo "         $workspace/delivery-audit.json (the ad-hoc audits)"
