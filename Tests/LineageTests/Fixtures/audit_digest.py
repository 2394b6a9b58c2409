"""The audit digest of an audit report file, reimplemented from docs/records.md ("The audit
digest") with nothing but Python's json module, so the tests can check the Swift code against an
independent implementation: python3 audit_digest.py audits/<version>.json prints the digest.
"""
import hashlib
import json
import sys


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def in_canonical_order(values):
    return sorted(values, key=lambda value: canonical(value).encode("utf-8"))


def without_locations(finding, fields):
    finding = dict(finding)
    for field in fields:
        if field == "message":
            finding.pop("message", None)
        elif field.startswith("measured.") and isinstance(finding.get("measured"), dict):
            key = field[len("measured."):]
            finding["measured"] = {name: value for name, value in finding["measured"].items() if name != key}
    return finding


def audit_identity(report):
    locations = {check["id"]: check.get("locationFields", []) for check in report.get("checks", []) if "id" in check}
    cases = []
    for case in report["cases"]:
        case = {key: value for key, value in case.items() if key != "file"}
        if "findings" in case:
            case["findings"] = in_canonical_order(
                without_locations(finding, locations.get(finding.get("check"), [])) for finding in case["findings"])
        cases.append(case)
    identity = dict(report, cases=in_canonical_order(cases))
    identity.pop("skipped", None)
    if isinstance(identity.get("policy"), dict):
        identity["policy"] = {key: value for key, value in identity["policy"].items() if key != "source"}
    if isinstance(identity.get("summary"), dict):
        identity["summary"] = {key: value for key, value in identity["summary"].items() if key != "cacheHits"}
    return identity


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        report = json.load(file)
    print(hashlib.sha256(canonical(audit_identity(report)).encode("utf-8")).hexdigest())
