#!/usr/bin/env python3
"""Reference percentiles for PercentileTests: numpy.percentile(values, q, method='lower') on
random doses (fixed seed) of several lengths, including ties and a single value.

Writes percentile_reference.json next to this script:
  {"numpy_version", "cases": [{"values": [...], "q": [...], "lower": [...]}]}
Run: python3 Tests/DosimetryTests/Fixtures/make_percentile_reference.py
"""
import json
import os

import numpy as np

QUANTILES = [0, 2, 5, 50, 95, 98, 100, 33.3]


def main():
    rng = np.random.default_rng(95)
    cases = []
    for length in (1, 2, 7, 20, 101, 1000):
        values = np.round(rng.normal(70, 3, size=length), 3)
        if length > 10:
            values[: length // 5] = values[0]  # ties
        cases.append({"values": values.tolist(), "q": QUANTILES,
                      "lower": [float(np.percentile(values, q, method="lower")) for q in QUANTILES]})
    out = {"numpy_version": np.__version__, "cases": cases}
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "percentile_reference.json"), "w") as handle:
        json.dump(out, handle)
        handle.write("\n")


if __name__ == "__main__":
    main()
