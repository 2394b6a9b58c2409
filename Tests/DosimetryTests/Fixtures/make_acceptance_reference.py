#!/usr/bin/env python3
"""Expected acceptance outcomes for the evaluation fixture case, per shipped protocol, computed
from the NumPy DVH values in evaluation_reference.json and the protocol files in the
repository's protocols/ folder, independently of dosecurate.

For each protocol and each dose ("reference", "prediction"): a constraint is not evaluated when
its structure is absent (0 voxels); otherwise it is met when `value <comparison> limit` holds.
compliance_percent = 100 * met / evaluated. passed = evaluated > 0 and no violation.
Writes acceptance_reference.json next to this script.
Run: python3 Tests/DosimetryTests/Fixtures/make_acceptance_reference.py
"""
import json
import operator
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOCOLS = os.path.join(HERE, "..", "..", "..", "protocols")
COMPARISONS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


def outcome(protocol, structures, side):
    met, violations, not_evaluated = 0, [], []
    for constraint in protocol["constraints"]:
        structure = structures[constraint["structure"]]
        key = [constraint["structure"], constraint["metric"]]
        if structure["voxels"] == 0:
            not_evaluated.append(key)
            continue
        value = structure[side][constraint["metric"]]
        if COMPARISONS[constraint["comparison"]](value, constraint["limit"]):
            met += 1
        else:
            violations.append(key + [value])
    evaluated = met + len(violations)
    return {
        "passed": evaluated > 0 and not violations,
        "compliance_percent": 100 * met / evaluated if evaluated else None,
        "violations": violations,
        "not_evaluated": not_evaluated,
    }


def main():
    with open(os.path.join(HERE, "evaluation_reference.json")) as handle:
        structures = json.load(handle)["structures"]
    protocols = {}
    for name in sorted(os.listdir(PROTOCOLS)):
        with open(os.path.join(PROTOCOLS, name)) as handle:
            protocol = json.load(handle)
        protocols[protocol["name"]] = {side: outcome(protocol, structures, side) for side in ("reference", "prediction")}
    with open(os.path.join(HERE, "acceptance_reference.json"), "w") as handle:
        json.dump(protocols, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
