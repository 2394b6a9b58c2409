#!/usr/bin/env bash
# `make reference-records`: regenerate the repository's own audits/ and datasets/ records — the
# reference cohort (scripts/reference-cohort.args, the demo's cohort) frozen from inside a scratch
# workspace. WorkflowsTests/ReferenceRecordsTests checks their identity parts against the code.
set -euo pipefail
dosecurate="$1"
repo="$(cd "$(dirname "$0")/.." && pwd)"
read -r -a cohort_args < "$repo/scripts/reference-cohort.args"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

"$dosecurate" phantoms "$scratch/cohort" "${cohort_args[@]}" --quiet
(cd "$scratch" && "$dosecurate" freeze cohort --quiet)
rm -f "$repo"/datasets/dsv-*.json "$repo"/audits/dsv-*
cp "$scratch"/datasets/dsv-*.json "$repo/datasets/"
cp "$scratch"/audits/dsv-* "$repo/audits/"
ls "$repo"/datasets/dsv-*.json "$repo"/audits/dsv-*
