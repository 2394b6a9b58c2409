#!/usr/bin/env bash
# `make demo`: generate the reference cohort (scripts/reference-cohort.args: 8 clean cases and every
# planted defect over two institutions), audit it as a folder and as a .tar.gz delivery, freeze it
# as a dataset version, lock a stratified split of it, let institution C arrive (freeze the grown
# data, extend the split), evaluate synthetic predictions of the locked test cases, compare two
# synthetic models over three runs each, verify the workspace, and inspect a clean case.
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
echo "== two models, three training runs each: synthetic predictions of the same test cases (model A: error 1, model B: error 1.6),"
echo "   each run evaluated on the pinned split (dosecurate phantoms TESTS --predict-existing --prediction-seed N ...; dosecurate evaluate ...)"
tests="$workspace/test-cases"
mkdir -p "$tests"
for case_id in $(awk -F, '$2 == "test" { print $1 }' "$workspace/split.csv"); do
    ln -sf "$(realpath "$(find "$cohort" "$workspace/cohortC" -name "${case_id}.npz" | head -n 1)")" "$tests/${case_id}.npz"
done
records_a=()
records_b=()
for run in 1 2 3; do
    for model in A B; do
        if [ "$model" = A ]; then error=1; seed=$run; else error=1.6; seed=$((run + 10)); fi
        "$dosecurate" phantoms "$tests" --predict-existing --predictions "$workspace/model$model-run$run" \
            --prediction-seed "$seed" --prediction-error "$error" --quiet
        record="$("$dosecurate" evaluate --dataset "${grown%@*}" --split main --prediction "$workspace/model$model-run$run" \
            --workspace "$workspace" --quiet | awk '/^record: / { print $2 }')"
        echo "model $model run $run: $record"
        if [ "$model" = A ]; then records_a+=("$record"); else records_b+=("$record"); fi
    done
done
echo
echo "== dosecurate compare --a ${records_a[*]} --b ${records_b[*]} --workspace $workspace"
"$dosecurate" compare --a "${records_a[@]}" --b "${records_b[@]}" --workspace "$workspace"

echo
echo "== dosecurate verify --workspace $workspace (records, the split's chain, every case)"
"$dosecurate" verify --workspace "$workspace"

echo
echo "== dosecurate inspect $cohort/A/case_0002.npz (a clean v2.4 three-level SIB plan)"
"$dosecurate" inspect "$cohort/A/case_0002.npz"
echo
echo "Records: $workspace/datasets/ (the frozen versions), $workspace/audits/ (their audits, JSON and JUnit),"
echo "         $workspace/splits/ (the locked split and its extension), $workspace/splits_final.json (nnU-Net),"
echo "         $workspace/evaluations/ (the test cases' evaluations), $workspace/audit.junit.xml and"
echo "         $workspace/delivery-audit.json (the ad-hoc audits)"
