#!/usr/bin/env bash
# `make reference-records`: regenerate the repository's own audits/ and datasets/ records — the
# reference cohort (scripts/reference-cohort.args, the demo's cohort) frozen from inside a scratch
# workspace, and its reference split (splits/reference@1.json, 70/15/15, seed 0).
# WorkflowsTests/ReferenceRecordsTests checks their identity parts against the code.
set -euo pipefail
dosecurate="$1"
repo="$(cd "$(dirname "$0")/.." && pwd)"
read -r -a cohort_args < "$repo/scripts/reference-cohort.args"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

"$dosecurate" phantoms "$scratch/cohort" "${cohort_args[@]}" --quiet
version="$(cd "$scratch" && "$dosecurate" freeze cohort --quiet)"
(cd "$scratch" && "$dosecurate" split lock reference --dataset "${version%@*}" --ratios 70/15/15 --quiet)
rm -f "$repo"/datasets/dsv-*.json "$repo"/audits/dsv-* "$repo"/splits/*.json
cp "$scratch"/datasets/dsv-*.json "$repo/datasets/"
cp "$scratch"/audits/dsv-* "$repo/audits/"
cp "$scratch"/splits/*.json "$repo/splits/"
ls "$repo"/datasets/dsv-*.json "$repo"/audits/dsv-* "$repo"/splits/*.json
