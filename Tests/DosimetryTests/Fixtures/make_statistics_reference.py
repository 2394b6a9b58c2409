#!/usr/bin/env python3
"""Reference values for the dosimetry statistics: Wilcoxon signed-rank test, seeded bootstrap
percentile CI of the mean, Holm step-down correction and paired Cohen's d (d_z).

Writes statistics_reference.json next to this script (json indent=1, sorted keys):
  "wilcoxon":  [{name, x, y, statistic, pvalue, method, n_nonzero, r_plus}]
               scipy.stats.wilcoxon(x, y) with all defaults (zero_method='wilcox',
               correction=False, two-sided, method='auto'); "method" is the branch SciPy took
               ("exact" | "permutation" | "approx"), replicated from scipy/stats/_wilcoxon.py.
               r_plus = sum of average ranks of |d| (zeros dropped) over positive d, d = x - y.
  "bootstrap": [{name, values, seed, resamples, first_indices, ci, mean}]
               indices from the project's generator (SplitMix64 + xoshiro256**, stream 0),
               drawn resample by resample; CI = np.percentile(resample means, [2.5, 97.5]).
               Resample means use np.mean (pairwise summation for n >= 8, so compare the CI
               with a small tolerance rather than bit-exactly).
  "holm":      [{name, p, alpha, adjusted, reject, naive_reject}]
               statsmodels multipletests(method='holm'), checked against a step-down written
               here; naive_reject = each p vs alpha/(m - rank + 1) independently (the wrong rule).
  "cohen_d":   [{name, a, b, d}] with d = mean(b - a) / std(b - a, ddof=1).
  "versions":  numpy, scipy, statsmodels.
Run: python3 Tests/DosimetryTests/Fixtures/make_statistics_reference.py
"""
import json
import os

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.multitest import multipletests

# The project's seeded generator (module Support), replayed by its independent implementation.
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "SupportTests", "Fixtures"))
from make_generator_reference import Generator  # noqa: E402


# --- Wilcoxon
def distinct_pairs(rng, n, p_positive):
    """No ties, no zeros: |d| are distinct multiples of 0.01 (float noise cannot merge them)."""
    mags = rng.choice(np.arange(1, 400), size=n, replace=False) / 100
    signs = np.where(rng.random(n) < p_positive, 1.0, -1.0)
    y = np.round(rng.uniform(4, 8, n), 2)
    return np.round(y + signs * mags, 2), y


def grid_pairs(rng, quarters):
    """d = quarters / 4 on a 0.25 grid (2 decimals, exact in binary), so designed ties and zeros
    survive the float subtraction x - y exactly."""
    d = np.asarray(quarters, dtype=float) / 4
    y = rng.integers(16, 40, len(d)) / 4
    return y + d, y


def auto_method(d):
    """SciPy 1.17 method='auto' rule. Zeros become NaN before ranking, and NaN != NaN, so ties
    are only among |d| of nonzero d; zeros count separately; n includes zeros."""
    nonzero = np.abs(d[d != 0])
    has_ties = len(np.unique(nonzero)) < len(nonzero)
    n_zero = len(d) - len(nonzero)
    if len(d) > 50:
        method = "approx"
    elif not has_ties and n_zero == 0:
        method = "exact"
    elif len(d) <= 13:
        method = "permutation"
    else:
        method = "approx"
    return method, has_ties, n_zero, nonzero


def wilcoxon_case(name, x, y):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    d = x - y
    method, has_ties, n_zero, nonzero = auto_method(d)
    assert name.split("_")[0] == method, (name, method)
    if "no_ties" in name:
        assert not has_ties, name
    elif "ties" in name:
        assert has_ties, name
    assert ("zeros" in name) == (n_zero > 0), name
    res = stats.wilcoxon(x, y)
    # The same numbers from the explicitly named branch confirm which branch 'auto' took.
    forced = {"exact": "exact", "approx": "asymptotic", "permutation": stats.PermutationMethod()}
    check = stats.wilcoxon(x, y, method=forced[method])
    assert (check.statistic, check.pvalue) == (res.statistic, res.pvalue), name
    ranks = stats.rankdata(nonzero)
    r_plus = float(ranks[d[d != 0] > 0].sum())
    r_minus = float(ranks.sum()) - r_plus
    assert float(res.statistic) == min(r_plus, r_minus), name
    return {"name": name, "x": x.tolist(), "y": y.tolist(), "statistic": float(res.statistic),
            "pvalue": float(res.pvalue), "method": method, "n_nonzero": int(len(nonzero)),
            "r_plus": r_plus}


def wilcoxon_cases():
    rng = np.random.default_rng(20261127)
    cases = [wilcoxon_case("exact_n6_all_positive", *distinct_pairs(rng, 6, 1.0))]
    assert cases[-1]["pvalue"] == 0.03125
    for name, n, p_pos in [("exact_n8", 8, 0.7), ("exact_n20", 20, 0.65),
                           ("exact_n50", 50, 0.6), ("approx_n51_no_ties", 51, 0.55)]:
        cases.append(wilcoxon_case(name, *distinct_pairs(rng, n, p_pos)))
    # r_plus = 1 + 6 + 7 = 14 = r_minus: the doubled one-sided p exceeds 1 and is clipped to 1.
    cases.append(wilcoxon_case("exact_n7_balanced_p1", *grid_pairs(rng, [1, -2, -3, -4, -5, 6, 7])))
    assert cases[-1]["pvalue"] == 1.0
    designed = {
        "permutation_n10_ties": [1, -2, 3, 3, 5, 6, -6, 8, 9, 10],
        "permutation_n12_zeros": [0, 1, -2, 3, 4, 0, 5, 7, -8, 9, 11, 12],
        "permutation_n13_ties_and_zeros": [0, 1, -1, 2, 4, 4, -4, -5, 6, 7, 9, 0, 10],
        "approx_n14_ties": [1, 2, 2, -3, 4, 5, 6, -6, 7, 8, 9, 10, 11, 12],
        "approx_n30_ties_and_zeros": [0, 1, 1, -2, 3, 3, 3, -3, 4, 0, 5, -5, 6, 7, 8,
                                      8, 9, 0, 10, -11, 12, 12, 13, 14, -15, 16, 17, 18, 19, 20],
        "approx_n60_many_ties": rng.choice([-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
                                           60).tolist(),
        # Every difference zero: SciPy's permutation branch gives p = 1 (above 13 pairs, NaN).
        "permutation_n5_all_zeros": [0, 0, 0, 0, 0],
    }
    for name, quarters in designed.items():
        cases.append(wilcoxon_case(name, *grid_pairs(rng, quarters)))
    return cases


# --- bootstrap
def bootstrap_case(name, values, seed, resamples):
    values = np.asarray(values, dtype=float)
    n = len(values)
    gen = Generator(seed, 0)
    indices = [gen.below(n) for _ in range(resamples * n)]  # resample r = indices[r*n:(r+1)*n]
    means = [np.mean(values[indices[r * n:(r + 1) * n]]) for r in range(resamples)]
    low, high = np.percentile(means, [2.5, 97.5])
    return {"name": name, "values": values.tolist(), "seed": seed, "resamples": resamples,
            "first_indices": indices[:20], "ci": [float(low), float(high)],
            "mean": float(np.mean(values))}


def bootstrap_cases():
    rng = np.random.default_rng(11)
    mixed = np.round(rng.normal(0.3, 1.5, 12), 2)
    assert (mixed < 0).any() and (mixed > 0).any()
    cases = [bootstrap_case("n5", [1.2, 3.4, 2.2, 5.0, 4.1], 0, 10000),
             bootstrap_case("n30", np.round(rng.normal(2.0, 0.8, 30), 2), 20261127, 10000),
             bootstrap_case("n1", [2.5], 1, 100),
             bootstrap_case("n12_mixed_sign", mixed, 7, 2000)]
    assert cases[2]["ci"] == [2.5, 2.5] and cases[2]["first_indices"] == [0] * 20
    return cases


# --- Holm
def holm_step_down(p, alpha):
    m = len(p)
    adjusted, reject = [0.0] * m, [False] * m
    running, rejecting = 0.0, True
    for i, idx in enumerate(np.argsort(p, kind="stable")):  # i is 0-based: rank = i + 1
        running = max(running, min(1.0, (m - i) * p[idx]))
        adjusted[idx] = running
        rejecting = rejecting and p[idx] <= alpha / (m - i)
        reject[idx] = rejecting
    return adjusted, reject


def naive_holm(p, alpha):
    m = len(p)
    reject = [False] * m
    for i, idx in enumerate(np.argsort(p, kind="stable")):
        reject[idx] = bool(p[idx] <= alpha / (m - i))  # no stopping at the first failure
    return reject


def holm_case(name, p, alpha=0.05):
    reject, adjusted = multipletests(p, alpha, method="holm")[:2]
    own_adjusted, own_reject = holm_step_down(p, alpha)
    assert adjusted.tolist() == own_adjusted and reject.tolist() == own_reject, name
    return {"name": name, "p": p, "alpha": alpha, "adjusted": own_adjusted,
            "reject": own_reject, "naive_reject": naive_holm(p, alpha)}


def holm_cases():
    cases = [holm_case("step_down_stops", [0.04, 0.01, 0.03]),
             holm_case("all_reject", [0.001, 0.004, 0.01, 0.012]),
             holm_case("none_reject", [0.2, 0.5]),
             holm_case("ties", [0.01, 0.01, 0.02, 0.9, 0.0125]),
             holm_case("single", [0.03])]
    first = cases[0]
    assert first["reject"] == [False, True, False]
    assert first["naive_reject"] == [True, True, False] != first["reject"]
    return cases


# --- paired Cohen's d (d_z)
def cohen_d_cases():
    rng = np.random.default_rng(3)
    cases = []
    for name, shift, spread, n in [("positive_effect", 0.8, 0.5, 10),
                                   ("negative_effect", -0.4, 0.6, 15),
                                   ("small_effect", 0.05, 1.0, 25)]:
        a = np.round(rng.normal(60, 5, n), 2)
        b = np.round(a + rng.normal(shift, spread, n), 2)
        diff = b - a
        d = float(np.mean(diff) / np.std(diff, ddof=1))
        assert (d < 0) == (shift < 0), name
        cases.append({"name": name, "a": a.tolist(), "b": b.tolist(), "d": d})
    return cases


def main():
    out = {"wilcoxon": wilcoxon_cases(), "bootstrap": bootstrap_cases(), "holm": holm_cases(),
           "cohen_d": cohen_d_cases(),
           "versions": {"numpy": np.__version__, "scipy": scipy.__version__,
                        "statsmodels": statsmodels.__version__}}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "statistics_reference.json")
    with open(path, "w") as handle:
        json.dump(out, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
