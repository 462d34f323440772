#!/usr/bin/python3
"""Write tests/reference/drift.json: scipy reference values for the drift-test registry's newer tests.

Run with the Debian python (python3-scipy, python3-numpy):
    /usr/bin/python3 tests/reference/make_drift_reference.py
Each case holds the aggregates the TypeScript side computes from (sorted distinct values with per-side
counts, or category counts) and scipy's figures on the raw samples they stand for.
"""
import json
import os
import warnings

import numpy as np
import scipy
from scipy import stats
from scipy.stats import contingency

rng = np.random.default_rng(20261203)
warnings.simplefilter("ignore")


def f(x):
    return float(x)


def aggregate(a, b):
    values = np.unique(np.concatenate([a, b]))
    sa, sb = np.sort(a), np.sort(b)
    ca = np.searchsorted(sa, values, side="right") - np.searchsorted(sa, values, side="left")
    cb = np.searchsorted(sb, values, side="right") - np.searchsorted(sb, values, side="left")
    return [f(v) for v in values], [int(c) for c in ca], [int(c) for c in cb]


# ---------------------------------------------------------------- rank and ECDF tests from samples
numeric = []


def numeric_case(name, a, b):
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    values, ca, cb = aggregate(a, b)
    mw = stats.mannwhitneyu(a, b, alternative="two-sided", use_continuity=True, method="auto")
    cvm = stats.cramervonmises_2samp(a, b, method="auto")
    ad = stats.anderson_ksamp([a, b])
    tt = stats.ttest_ind(a, b, equal_var=False)
    v1, v2 = np.var(a, ddof=1), np.var(b, ddof=1)
    df = (v1 / len(a) + v2 / len(b)) ** 2 / ((v1 / len(a)) ** 2 / (len(a) - 1) + (v2 / len(b)) ** 2 / (len(b) - 1))
    numeric.append({
        "name": name, "values": values, "countsA": ca, "countsB": cb,
        "mean1": f(np.mean(a)), "var1": f(v1), "mean2": f(np.mean(b)), "var2": f(v2),
        "mannWhitney": {"statistic": f(mw.statistic), "pvalue": f(mw.pvalue)},
        "cramerVonMises": {"statistic": f(cvm.statistic), "pvalue": f(cvm.pvalue)},
        "andersonDarling": {"statistic": f(ad.statistic), "pvalue": f(ad.significance_level)},
        "energy": f(stats.energy_distance(a, b)),
        "welch": {"statistic": f(tt.statistic), "pvalue": f(tt.pvalue), "df": f(df)},
    })


numeric_case("small 6 vs 8, no ties (exact MWU, exact CvM)", rng.normal(size=6), rng.normal(0.8, size=8))
numeric_case("small 5 vs 40, no ties (exact MWU)", rng.normal(size=5), rng.normal(0.3, size=40))
numeric_case("small 3 vs 200, no ties (exact MWU)", rng.normal(size=3), rng.normal(size=200))
numeric_case("small 12 vs 15 (exact CvM)", rng.normal(size=12), rng.normal(0.5, size=15))
numeric_case("small 20 vs 20 (exact CvM)", rng.normal(size=20), rng.normal(1.0, size=20))
numeric_case("small 10 vs 14 with ties (exact CvM, asymptotic MWU)", np.round(rng.normal(size=10)), np.round(rng.normal(0.5, size=14)))
numeric_case("30 vs 45 shifted", rng.normal(size=30), rng.normal(1.0, size=45))
numeric_case("250 vs 400 slight", rng.normal(size=250), rng.normal(0.15, 1.1, size=400))
numeric_case("ties integers 300 vs 500", rng.integers(0, 9, 300), rng.integers(0, 10, 500))
numeric_case("ties rounded 1000 vs 1500", np.round(rng.normal(size=1000), 1), np.round(rng.normal(0.05, size=1500), 1))
numeric_case("5000 vs 7000 same", np.round(rng.exponential(size=5000), 1), np.round(rng.exponential(size=7000), 1))
numeric_case("20000 vs 30000 shifted", np.round(rng.normal(size=20000), 1), np.round(rng.normal(0.05, size=30000), 1))
numeric_case("4000 vs 4000 strong drift (AD floored)", np.round(rng.normal(size=4000), 2), np.round(rng.normal(1.0, size=4000), 2))
numeric_case("2000 vs 3000 scale change", np.round(rng.normal(size=2000), 2), np.round(rng.normal(0, 1.6, size=3000), 2))
numeric_case("identical 50 vs 50", np.arange(50.0), np.arange(50.0))
numeric_case("large values 800 vs 900", 1e6 + rng.normal(size=800) * 1e3, 1e6 + rng.normal(20, size=900) * 1e3)

# ---------------------------------------------------------------- binned / categorical distances
binned = []


def binned_case(p, q):
    p = np.asarray(p, float)
    q = np.asarray(q, float)
    pn, qn = p / p.sum(), q / q.sum()
    pf, qf = np.where(pn == 0, 1e-4, pn), np.where(qn == 0, 1e-4, qn)
    binned.append({"p": [int(x) for x in p], "q": [int(x) for x in q],
                   "hellinger": f(np.sqrt(np.sum((np.sqrt(pn) - np.sqrt(qn)) ** 2)) / np.sqrt(2)),
                   "kl": f(stats.entropy(pf, qf)),
                   "tvd": f(0.5 * np.sum(np.abs(pn - qn))),
                   "jensenShannon": f(scipy.spatial.distance.jensenshannon(p, q))})


for k in [2, 3, 10, 25]:
    p = rng.integers(0, 300, k)
    q = rng.integers(0, 300, k)
    p[0] += 1
    q[-1] += 1
    binned_case(p, q)
binned_case([100, 0, 50, 50], [90, 10, 0, 100])
binned_case([5, 5, 5], [5, 5, 5])
binned_case([1, 0], [0, 1])

# ---------------------------------------------------------------- contingency tests on category counts
categorical = []


def categorical_case(name, a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    keep = (a + b) > 0
    table = np.array([a[keep], b[keep]])
    g, gp, gdof, _ = stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")
    v = contingency.association(table, method="cramer")
    exp = a[keep] / a.sum() * b.sum()
    if np.all(exp > 0):
        gof = stats.chisquare(b[keep], exp)
        gof = {"statistic": f(gof.statistic), "pvalue": f(gof.pvalue), "dof": int(keep.sum() - 1)}
    else:
        gof = {"statistic": None, "pvalue": 0.0, "dof": int(keep.sum() - 1)}
    case = {"name": name, "countsA": a.tolist(), "countsB": b.tolist(),
            "gTest": {"statistic": f(g), "pvalue": f(gp), "dof": int(gdof)},
            "cramersV": f(v), "chiSquareGof": gof}
    if keep.sum() == 2:
        t = table.astype(np.int64)
        odds, p = stats.fisher_exact(t)
        case["fisher"] = {"oddsRatio": f(odds) if np.isfinite(odds) else None, "pvalue": f(p)}
        x1, n1, x2, n2 = t[0, 0], t[0].sum(), t[1, 0], t[1].sum()
        pooled = (x1 + x2) / (n1 + n2)
        z = (x1 / n1 - x2 / n2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        chi, chip, _, _ = stats.chi2_contingency(t, correction=False)
        case["twoProportionZ"] = {"statistic": f(z), "pvalue": f(2 * stats.norm.sf(abs(z))),
                                  "chiSquare": f(chi), "chiSquarePValue": f(chip)}
    categorical.append(case)


categorical_case("binary small", [12, 5], [3, 9])
categorical_case("binary balanced", [40, 60], [55, 45])
categorical_case("binary large", [50000, 48000], [50400, 47100])
categorical_case("binary p tiny", [700, 300], [300, 700])
categorical_case("binary with a zero cell", [0, 30], [8, 22])
categorical_case("binary extreme", [2, 998], [40, 960])
categorical_case("three categories", [10, 20, 30], [15, 15, 35])
categorical_case("zero column dropped", [10, 0, 20, 30], [15, 0, 15, 35])
categorical_case("thirty categories", rng.integers(50, 500, 30), rng.integers(50, 500, 30))
categorical_case("production holds a new category", [10, 20, 0], [10, 15, 5])
categorical_case("identical", [10, 20, 30], [10, 20, 30])

# ---------------------------------------------------------------- distributions on their own
normal_sf = [{"z": z, "sf": f(stats.norm.sf(z))} for z in [-8.0, -3.0, -1.0, -0.1, 0.0, 1e-6, 0.3, 1.0, 1.96, 3.0, 6.0, 10.0, 20.0, 37.0]]
t_sf = []
for df in [1.0, 2.5, 7.0, 30.0, 123.4, 1000.0, 1e5, 4.5e6]:
    for t in [0.0, 0.01, 0.5, 1.0, 2.0, 3.5, 8.0, 30.0]:
        t_sf.append({"t": t, "df": df, "sf": f(stats.t.sf(t, df))})

from scipy.stats._hypotests import _cdf_cvm_inf  # noqa: E402
cvm_inf = [{"x": x, "cdf": f(_cdf_cvm_inf(x))} for x in [0.004, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.2, 2.0, 3.0]]

from scipy.stats._mannwhitneyu import _mwu_state  # noqa: E402
mwu_cdf = []
for (m, n) in [(1, 5), (3, 7), (5, 8), (8, 8), (4, 60), (8, 30), (2, 500), (6, 120)]:
    for frac in [0.0, 0.1, 0.3, 0.45, 0.5]:
        k = int(frac * m * n)
        mwu_cdf.append({"k": k, "m": m, "n": n, "cdf": f(_mwu_state.cdf(k, m, n))})

out = {
    "generator": "tests/reference/make_drift_reference.py",
    "versions": {"scipy": scipy.__version__, "numpy": np.__version__},
    "numeric": numeric, "binned": binned, "categorical": categorical,
    "normalSf": normal_sf, "tSf": t_sf, "cvmLimitCdf": cvm_inf, "mannWhitneyCdf": mwu_cdf,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "drift.json")
with open(path, "w") as fh:
    json.dump(out, fh, sort_keys=True, allow_nan=False, separators=(",", ":"))
    fh.write("\n")
print(f"wrote {path}: {len(numeric)} numeric, {len(binned)} binned, {len(categorical)} categorical")
