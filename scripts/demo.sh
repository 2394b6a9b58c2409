#!/usr/bin/env bash
# `make demo`: write a small sample cohort with NumPy (the pipeline's own writer) and inspect it
# with dosecurate. Replaced by `dosecurate demo` once phantoms, audit and freeze exist.
set -euo pipefail
workspace="$1"
dosecurate="$2"
here="$(cd "$(dirname "$0")" && pwd)"

python=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c "import numpy" 2>/dev/null; then python="$candidate"; break; fi
done
if [ -z "$python" ]; then echo "demo: no python3 with numpy (make demo installs python3-numpy)" >&2; exit 2; fi

rm -rf "$workspace"
mkdir -p "$workspace/cases" "$workspace/delivery"
"$python" "$here/make_sample_cases.py" "$workspace"

echo "== dosecurate inspect $workspace/cases/*.npz"
"$dosecurate" inspect "$workspace"/cases/*.npz

echo
echo "== a damaged delivery: dosecurate reports the file and exits 1"
status=0
"$dosecurate" inspect "$workspace"/delivery/*.npz || status=$?
echo "exit code: $status (1 = done, and the data has problems)"
[ "$status" -eq 1 ]
