"""Canonical JSON and record hashes computed by Python's json module, for SupportTests.

Canonical JSON (DESIGN.md, "Identity"): keys sorted by code point (= UTF-8 byte order), no
whitespace, integers as integers, floats as repr, non-ASCII written as is. Each document below is
given as JSON text (so the Swift side parses exactly these bytes); the script writes the canonical
text and its SHA-256. Run: python3 make_canonical_reference.py > canonical_reference.json
"""
import hashlib
import json

DOCUMENTS = [
    '{"b": 1, "a": [true, false, null], "c": {"z": 0.5, "y": -3}}',
    '{"volume": 52.125, "count": 35, "whole": 35.0, "tiny": 1e-05, "huge": 1e+16, "third": 0.30000000000000004}',
    '{"\\u00e9": "caf\\u00e9", "e": "tab\\there", "Z": "line\\nbreak \\"quoted\\" \\\\ slash/", "\\ud83d\\ude00": "emoji"}',
    '{"cases": [{"caseId": "case_0001", "arrays": {"dose": {"dtype": "<f4", "shape": [2, 3, 4], "sha256": "ab"}}}], "excluded": []}',
    '{"neg": -0.0, "big": 9007199254740993, "exp": 6.02214076e23, "ctl": "\\u0001\\u001f"}',
]


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def main():
    entries = []
    for text in DOCUMENTS:
        value = json.loads(text)
        out = canonical(value)
        entries.append({"input": text, "canonical": out, "sha256": hashlib.sha256(out.encode("utf-8")).hexdigest()})
    print(json.dumps({"documents": entries}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
